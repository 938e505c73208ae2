/* Maps a byte of a scalar's text back to file:line:col by reading the scalar's source
 * again from where the node starts, undoing what the YAML reader did to it: escapes and
 * line folding in quoted and plain scalars, indentation and folding in block scalars
 * (YAML 1.2 §7.3, §7.4, §8.1). Every ordinary character is checked against the node's
 * text as it goes, so a source that does not hold this scalar is noticed, not trusted. */
#include "spec/scalar_pos.h"

#include <string.h>

typedef struct cursor {
    const char *s;
    size_t len, i;
    unsigned line, col;
    const char *file;
} cursor;

static gh_mark here(const cursor *c)
{
    return (gh_mark){c->file, c->line, c->col};
}

/* Bytes in the UTF-8 sequence a byte starts (1 for ASCII and stray bytes). */
static size_t u8len(unsigned char b)
{
    if (b >= 0xF0 && b < 0xF8)
        return 4;
    if (b >= 0xE0)
        return b < 0xF0 ? 3 : 1;
    if (b >= 0xC0)
        return 2;
    return 1;
}

static bool is_break(char ch)
{
    return ch == '\n' || ch == '\r';
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* One character forward (a line break counts as one, \r\n included). */
static void step(cursor *c)
{
    if (c->i >= c->len)
        return;
    if (is_break(c->s[c->i])) {
        if (c->s[c->i] == '\r' && c->i + 1 < c->len && c->s[c->i + 1] == '\n')
            c->i++;
        c->i++;
        c->line++;
        c->col = 1;
        return;
    }
    size_t w = u8len((unsigned char)c->s[c->i]);
    c->i = c->i + w <= c->len ? c->i + w : c->len;
    c->col++;
}

/* Places the cursor at mark (line, column in characters). */
static bool seek(cursor *c, gh_mark at)
{
    c->i = 0;
    c->line = 1;
    c->col = 1;
    if (c->len >= 3 && memcmp(c->s, "\xEF\xBB\xBF", 3) == 0)
        c->i = 3; /* libyaml drops a BOM before counting columns */
    while (c->line < at.line && c->i < c->len) {
        if (is_break(c->s[c->i]))
            step(c);
        else
            c->i++;
    }
    while (c->col < at.col && c->i < c->len && !is_break(c->s[c->i]))
        step(c);
    return c->line == at.line && c->col == at.col && c->i < c->len;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Bytes of text a double-quoted escape (at c->s[c->i] == '\\') produces, and its length
 * in the source in *srclen; 0 when it is no escape YAML knows. */
static size_t escape_size(const cursor *c, size_t *srclen)
{
    if (c->i + 1 >= c->len)
        return 0;
    char e = c->s[c->i + 1];
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    *srclen = 2 + (size_t)digits;
    if (digits) {
        unsigned long v = 0;
        for (int k = 0; k < digits; k++) {
            int h = c->i + 2 + (size_t)k < c->len ? hexval(c->s[c->i + 2 + (size_t)k]) : -1;
            if (h < 0)
                return 0;
            v = v * 16 + (unsigned long)h;
        }
        return v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
    }
    if (strchr("0abt\tnvfre \"/\\", e))
        return 1;
    if (e == 'N' || e == '_')
        return 2; /* U+0085, U+00A0 */
    if (e == 'L' || e == 'P')
        return 3; /* U+2028, U+2029 */
    return 0;
}

/* Plain (quote 0), single- and double-quoted scalars. */
static bool walk_flow(cursor *c, char quote, const gh_node *n, size_t offset, gh_mark *out)
{
    const char *t = n->text;
    size_t k = 0, tl = n->len;
    if (quote)
        step(c);
    for (;;) {
        if (k >= offset || k >= tl) {
            *out = here(c);
            return true;
        }
        if (c->i >= c->len)
            return false;
        char ch = c->s[c->i];
        if (quote && ch == quote) {
            if (quote == '\'' && c->i + 1 < c->len && c->s[c->i + 1] == '\'') {
                if (t[k] != '\'')
                    return false;
                if (offset == k) {
                    *out = here(c);
                    return true;
                }
                step(c);
                step(c);
                k++;
                continue;
            }
            return false; /* the closing quote before the text ended */
        }
        if (quote == '"' && ch == '\\') {
            if (c->i + 1 < c->len && is_break(c->s[c->i + 1])) {
                /* An escaped line break joins the lines without a space. */
                step(c);
                step(c);
                while (c->i < c->len && is_blank(c->s[c->i]))
                    step(c);
                continue;
            }
            size_t srclen = 0, produced = escape_size(c, &srclen);
            if (!produced)
                return false;
            if (offset < k + produced) {
                *out = here(c);
                return true;
            }
            for (size_t s = 0; s < srclen; s++)
                step(c);
            k += produced;
            continue;
        }
        if (is_blank(ch) || is_break(ch)) {
            size_t j = c->i;
            while (j < c->len && is_blank(c->s[j]))
                j++;
            if (j < c->len && is_break(c->s[j])) {
                /* Line folding: trailing blanks go, one break becomes a space, each
                 * further (empty) line a newline, and the next line's indent goes. */
                gh_mark fold = here(c);
                while (c->i < j)
                    step(c);
                size_t breaks = 0;
                while (c->i < c->len && is_break(c->s[c->i])) {
                    step(c);
                    breaks++;
                    while (c->i < c->len && is_blank(c->s[c->i]))
                        step(c);
                }
                size_t produced = breaks == 1 ? 1 : breaks - 1;
                if (offset < k + produced) {
                    *out = fold;
                    return true;
                }
                for (size_t p = 0; p < produced && k + p < tl; p++)
                    if (t[k + p] != (breaks == 1 ? ' ' : '\n'))
                        return false;
                k += produced;
                continue;
            }
        }
        size_t w = u8len((unsigned char)ch);
        if (k + w > tl || c->i + w > c->len || memcmp(c->s + c->i, t + k, w) != 0)
            return false;
        step(c);
        k += w;
    }
}

typedef struct line {
    size_t start, end; /* bytes, end before the break */
    size_t spaces;     /* leading spaces */
    bool blank;        /* nothing but blanks */
} line;

static line line_at(const cursor *c)
{
    line l = {c->i, c->i, 0, true};
    while (l.end < c->len && !is_break(c->s[l.end]))
        l.end++;
    while (l.start + l.spaces < l.end && c->s[l.start + l.spaces] == ' ')
        l.spaces++;
    for (size_t p = l.start; p < l.end && l.blank; p++)
        l.blank = is_blank(c->s[p]);
    return l;
}

static void next_line(cursor *c, const line *l)
{
    c->i = l->end;
    if (c->i < c->len)
        step(c);
    else
        c->line++;
}

static unsigned chars(const char *s, size_t n)
{
    unsigned count = 0;
    for (size_t p = 0; p < n; p += u8len((unsigned char)s[p]))
        count++;
    return count;
}

/* Literal (|) and folded (>) block scalars. Each content line (indentation removed)
 * appears whole in the text, in order; between two of them the text holds separators
 * only: newlines (literal, kept breaks, empty lines) or a space (a folded break) and the
 * blanks of more-indented empty lines. */
static bool walk_block(cursor *c, const gh_node *n, size_t offset, gh_mark *out)
{
    const char *t = n->text;
    size_t tl = n->len;
    gh_mark prev_end = here(c);
    line header = line_at(c);
    next_line(c, &header);

    /* The content indent: the first non-blank line's spaces less those its text keeps
     * (an explicit indentation indicator lets the text start with spaces). */
    cursor probe = *c;
    size_t indent = 0;
    for (;;) {
        if (probe.i >= probe.len)
            break;
        line l = line_at(&probe);
        if (!l.blank) {
            size_t tk = 0;
            while (tk < tl && t[tk] == '\n')
                tk++;
            size_t keep = 0;
            while (tk + keep < tl && t[tk + keep] == ' ')
                keep++;
            if (keep > l.spaces)
                return false;
            indent = l.spaces - keep;
            break;
        }
        next_line(&probe, &l);
    }

    size_t k = 0;
    while (c->i < c->len) {
        line l = line_at(c);
        if (l.blank) {
            next_line(c, &l);
            continue;
        }
        if (l.spaces < indent)
            break; /* the scalar ended */
        const char *content = c->s + l.start + indent;
        size_t cl = l.end - l.start - indent;
        while (k < tl && !(k + cl <= tl && memcmp(t + k, content, cl) == 0)) {
            if (t[k] != '\n' && t[k] != ' ' && t[k] != '\t')
                return false;
            if (offset <= k) {
                *out = prev_end;
                return true;
            }
            k++;
        }
        if (k >= tl)
            break;
        unsigned col = (unsigned)indent + 1;
        if (offset < k + cl) {
            *out = (gh_mark){c->file, c->line, col + chars(content, offset - k)};
            return true;
        }
        k += cl;
        prev_end = (gh_mark){c->file, c->line, col + chars(content, cl)};
        next_line(c, &l);
    }
    *out = prev_end;
    return true;
}

bool gh_scalar_pos(const char *src, size_t src_len, const gh_node *n, size_t offset, gh_mark *out)
{
    *out = n->mark;
    if (!src || !n->text || n->mark.line == 0)
        return false;
    cursor c = {src, src_len, 0, 1, 1, n->mark.file};
    if (!seek(&c, n->mark))
        return false;
    /* An anchor or a tag comes before the value itself. */
    for (int props = 0; props < 2 && (src[c.i] == '&' || src[c.i] == '!'); props++) {
        while (c.i < c.len && !is_blank(src[c.i]) && !is_break(src[c.i]))
            step(&c);
        while (c.i < c.len && (is_blank(src[c.i]) || is_break(src[c.i])))
            step(&c);
    }
    if (c.i >= c.len)
        return false;
    gh_mark found;
    bool ok;
    char first = src[c.i];
    if (first == '|' || first == '>')
        ok = walk_block(&c, n, offset, &found);
    else
        ok = walk_flow(&c, first == '"' || first == '\'' ? first : 0, n, offset, &found);
    if (ok)
        *out = found;
    return ok;
}

bool gh_scalar_pos_doc(const gh_doc *doc, const gh_node *n, size_t offset, gh_mark *out)
{
    if (!doc || !doc->source || !n->mark.file || !doc->path || strcmp(n->mark.file, doc->path)) {
        *out = n->mark;
        return false;
    }
    return gh_scalar_pos(doc->source, doc->source_len, n, offset, out);
}

size_t gh_text_offset(const char *text, size_t len, unsigned line, unsigned col)
{
    size_t i = 0;
    for (unsigned l = 1; l < line && i < len; i++)
        if (text[i] == '\n')
            l++;
    for (unsigned k = 1; k < col && i < len && text[i] != '\n'; k++)
        i++;
    return i;
}
