/* Java regex syntax -> PCRE2 syntax (see jregex_syntax.h and docs/templates.md). One pass
 * over the pattern; character classes are parsed into expressions because Java's nested
 * classes ([a[0-9]]) and intersections ([a-z&&[^aeiou]]) have no PCRE2 10.42 spelling
 * inside one bracket: a class becomes an alternation of one-character matchers, and an
 * intersection a chain of lookaheads, (?=[a-z])[^aeiou], which means the same thing
 * because every operand matches exactly one character. */
#include "util/jregex_syntax.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/url.h"

#define MAX_CLASS_DEPTH 16
#define MAX_OPERANDS 16

typedef struct tr {
    const char *p;
    size_t n, i;
    char *err;
    size_t errlen;
} tr;

static bool fail(tr *t, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(tr *t, size_t at, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(t->err, t->errlen, "%s near index %zu", msg, at);
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Java's property names that PCRE2 spells differently. POSIX names are US-ASCII in Java
 * (without UNICODE_CHARACTER_CLASS) and so are PCRE2's [:name:] classes without UCP.
 * neg is the negated form usable inside a bracket, NULL when there is none. */
static const struct {
    const char *java, *pos, *neg;
} props[] = {
    {"Lower", "[:lower:]", "[:^lower:]"},
    {"Upper", "[:upper:]", "[:^upper:]"},
    {"ASCII", "[:ascii:]", "[:^ascii:]"},
    {"Alpha", "[:alpha:]", "[:^alpha:]"},
    {"Digit", "[:digit:]", "[:^digit:]"},
    {"Alnum", "[:alnum:]", "[:^alnum:]"},
    {"Punct", "[:punct:]", "[:^punct:]"},
    {"Graph", "[:graph:]", "[:^graph:]"},
    {"Print", "[:print:]", "[:^print:]"},
    {"Blank", "[:blank:]", "[:^blank:]"},
    {"Cntrl", "[:cntrl:]", "[:^cntrl:]"},
    {"XDigit", "[:xdigit:]", "[:^xdigit:]"},
    {"Space", "[:space:]", "[:^space:]"},
    {"all", "\\x{0}-\\x{10ffff}", NULL},
    {"L1", "\\x{0}-\\x{ff}", "\\x{100}-\\x{10ffff}"},
    /* java.lang.Character predicates */
    {"javaLowerCase", "\\p{Lowercase}", "\\P{Lowercase}"},
    {"javaUpperCase", "\\p{Uppercase}", "\\P{Uppercase}"},
    {"javaTitleCase", "\\p{Lt}", "\\P{Lt}"},
    {"javaDigit", "\\p{Nd}", "\\P{Nd}"},
    {"javaDefined", "\\P{Cn}", "\\p{Cn}"},
    {"javaLetter", "\\p{L}", "\\P{L}"},
    {"javaLetterOrDigit", "\\p{L}\\p{Nd}", NULL},
    {"javaAlphabetic", "\\p{Alphabetic}", "\\P{Alphabetic}"},
    {"javaIdeographic", "\\p{Ideographic}", "\\P{Ideographic}"},
    {"javaSpaceChar", "\\p{Z}", "\\P{Z}"},
    {"javaMirrored", "\\p{Bidi_Mirrored}", "\\P{Bidi_Mirrored}"},
    {"javaISOControl", "\\x{0}-\\x{1f}\\x{7f}-\\x{9f}", NULL},
    /* Character.isWhitespace: Zs/Zl/Zp but the no-break spaces, plus \t-\r, \x1c-\x1f */
    {"javaWhitespace",
     "\\t-\\r\\x{1c}-\\x{20}\\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200a}\\x{2028}\\x{2029}"
     "\\x{205f}\\x{3000}",
     NULL},
    /* "Is" + a binary property whose PCRE2 name differs */
    {"IsLetter", "\\p{L}", "\\P{L}"},
    {"IsPunctuation", "\\p{P}", "\\P{P}"},
    {"IsControl", "\\p{Cc}", "\\P{Cc}"},
    {"IsDigit", "\\p{Nd}", "\\P{Nd}"},
    {"IsTitlecase", "\\p{Lt}", "\\P{Lt}"},
    {"IsAssigned", "\\P{Cn}", "\\p{Cn}"},
};

/* A property as bracket content: *pos, and *neg (may be NULL). Reads \p{..} or \pX with
 * t->i at the letter after the backslash. Unknown names go to PCRE2 as they are: it
 * knows the Unicode categories, scripts and binary properties Java takes after "Is". */
static bool read_prop(tr *t, gh_buf *tmp, const char **pos, const char **neg)
{
    size_t at = t->i - 1;
    t->i++; /* the p or P */
    const char *name;
    size_t nlen;
    if (t->i < t->n && t->p[t->i] == '{') {
        const char *close = memchr(t->p + t->i, '}', t->n - t->i);
        if (!close)
            return fail(t, at, "unclosed character family");
        name = t->p + t->i + 1;
        nlen = (size_t)(close - name);
        t->i = (size_t)(close - t->p) + 1;
    } else if (t->i < t->n && is_alpha(t->p[t->i])) {
        name = t->p + t->i++;
        nlen = 1;
    } else {
        return fail(t, at, "illegal character family");
    }
    if (nlen == 0)
        return fail(t, at, "empty character family");
    for (size_t k = 0; k < sizeof props / sizeof *props; k++) {
        if (strlen(props[k].java) == nlen && !memcmp(props[k].java, name, nlen)) {
            *pos = props[k].pos;
            *neg = props[k].neg;
            return true;
        }
    }
    if (nlen > 2 && !memcmp(name, "In", 2))
        return fail(t, at,
                    "Unicode blocks (\\p{In...}) are not supported; use a script "
                    "(\\p{IsGreek}) or a range");
    if (nlen > 2 && !memcmp(name, "Is", 2)) {
        name += 2;
        nlen -= 2;
    }
    /* sc=, script=, gc=, general_category= are spelt the same in PCRE2 (with : or =) */
    for (size_t k = 0; k < nlen; k++) {
        char c = name[k];
        if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '=' && c != ' ' && c != '-')
            return fail(t, at, "unknown character property name {%.*s}", (int)nlen, name);
    }
    if (nlen > 4 && !memcmp(name, "blk=", 4))
        return fail(t, at, "Unicode blocks (\\p{blk=...}) are not supported");
    gh_buf_reset(tmp);
    gh_buf_printf(tmp, "\\p{%.*s}", (int)nlen, name);
    gh_buf_putc(tmp, '\0');
    gh_buf_printf(tmp, "\\P{%.*s}", (int)nlen, name);
    *pos = tmp->data;
    *neg = tmp->data + nlen + 5; /* past "\\p{name}" and its NUL */
    return true;
}

/* \uXXXX (a surrogate pair as one code point) with t->i at the u. */
static bool read_u(tr *t, gh_buf *out)
{
    size_t at = t->i - 1;
    unsigned cp = 0;
    for (int k = 1; k <= 4; k++) {
        int h = t->i + (size_t)k < t->n ? gh_hex_value(t->p[t->i + (size_t)k]) : -1;
        if (h < 0)
            return fail(t, at, "illegal Unicode escape sequence");
        cp = cp * 16 + (unsigned)h;
    }
    t->i += 5;
    if (cp >= 0xD800 && cp <= 0xDBFF && t->i + 6 <= t->n && t->p[t->i] == '\\' &&
        t->p[t->i + 1] == 'u') {
        unsigned lo = 0;
        int k;
        for (k = 2; k < 6 && gh_hex_value(t->p[t->i + (size_t)k]) >= 0; k++)
            lo = lo * 16 + (unsigned)gh_hex_value(t->p[t->i + (size_t)k]);
        if (k == 6 && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            t->i += 6;
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return fail(t, at, "a lone surrogate \\u%04X cannot match UTF-8 text", cp);
    gh_buf_printf(out, "\\x{%x}", cp);
    return true;
}

/* Java's octal escape \0n, \0nn, \0mnn (m <= 3), t->i at the 0. PCRE2 reads at most
 * two digits after \0, so it becomes \x{..}. */
static bool read_octal(tr *t, gh_buf *out)
{
    size_t at = t->i - 1;
    t->i++;
    unsigned v = 0;
    int digits = 0;
    while (t->i < t->n && t->p[t->i] >= '0' && t->p[t->i] <= '7' && digits < 3) {
        if (digits == 2 && v > 037)
            break;
        v = v * 8 + (unsigned)(t->p[t->i++] - '0');
        digits++;
    }
    if (!digits)
        return fail(t, at, "illegal octal escape sequence");
    gh_buf_printf(out, "\\x{%x}", v);
    return true;
}

/* Escapes Java knows; the rest of the letters are an error in Java (PCRE2 would take
 * \K, \g, \o, \N, \C, \L as its own features). */
static bool escape_letter_ok(char c, bool in_class)
{
    const char *ok = in_class ? "tnrfaecxdDhHsSvVwW" : "tnrfaecxdDhHsSvVwWbBAGzZRXkE";
    return strchr(ok, c) != NULL;
}

/* One escape with t->i at the backslash: handled ones rewritten, the rest copied. */
static bool escape(tr *t, gh_buf *out, bool in_class, gh_buf *tmp, bool *prop_neg_only)
{
    size_t at = t->i;
    if (t->i + 1 >= t->n)
        return fail(t, at, "unexpected internal error (the pattern ends with a backslash)");
    char d = t->p[t->i + 1];
    t->i++;
    if (d == 'p' || d == 'P') {
        const char *pos = NULL, *neg = NULL; /* set by read_prop; GCC -O2 cannot tell */
        if (!read_prop(t, tmp, &pos, &neg))
            return false;
        if (!in_class) {
            gh_buf_printf(out, d == 'p' ? "[%s]" : "[^%s]", pos);
        } else if (d == 'p') {
            gh_buf_puts(out, pos);
        } else if (neg) {
            gh_buf_puts(out, neg);
        } else {
            /* no bracket form: the caller adds it as an alternative */
            gh_buf_printf(out, "(?![%s])(?s:.)", pos);
            *prop_neg_only = true;
        }
        return true;
    }
    if (d == 'u')
        return read_u(t, out);
    if (d == '0')
        return read_octal(t, out);
    if (d == 'N')
        return fail(t, at, "\\N{name} is not supported; write the character or \\x{hex}");
    if (d == 'b' && t->i + 1 < t->n && t->p[t->i + 1] == '{')
        return fail(t, at, "\\b{g} is not supported");
    if (is_alpha(d) && !escape_letter_ok(d, in_class))
        return fail(t, at, "illegal/unsupported escape sequence \\%c", d);
    gh_buf_putc(out, '\\');
    gh_buf_putc(out, d);
    t->i++;
    return true;
}

/* The text of \Q...\E inside a class, every ASCII punctuation escaped. */
static void quoted_in_class(tr *t, gh_buf *out)
{
    t->i += 2;
    while (t->i < t->n) {
        if (t->p[t->i] == '\\' && t->i + 1 < t->n && t->p[t->i + 1] == 'E') {
            t->i += 2;
            return;
        }
        unsigned char c = (unsigned char)t->p[t->i++];
        if (c < 0x80 && !is_alpha((char)c) && !is_digit((char)c))
            gh_buf_putc(out, '\\');
        gh_buf_putc(out, (char)c);
    }
}

typedef struct operand {
    gh_buf body; /* bracket content */
    gh_buf alts; /* one-character expressions joined by | */
    size_t nalts;
} operand;

static void add_alt(operand *o, const char *s, size_t len)
{
    if (o->nalts++)
        gh_buf_putc(&o->alts, '|');
    gh_buf_append(&o->alts, s, len);
}

/* The operand as one expression into out; false when it is empty. */
static bool operand_expr(operand *o, gh_buf *out)
{
    if (!o->nalts && !o->body.len)
        return false;
    if (!o->nalts) {
        gh_buf_printf(out, "[%.*s]", (int)o->body.len, o->body.data);
    } else if (!o->body.len && o->nalts == 1) {
        gh_buf_append(out, o->alts.data, o->alts.len);
    } else {
        gh_buf_puts(out, "(?:");
        if (o->body.len)
            gh_buf_printf(out, "[%.*s]|", (int)o->body.len, o->body.data);
        gh_buf_append(out, o->alts.data, o->alts.len);
        gh_buf_putc(out, ')');
    }
    return true;
}

static bool parse_class(tr *t, gh_buf *out, int depth);

/* The operands of one class, t->i after the '['. */
static bool class_operands(tr *t, operand *ops, size_t *nops, bool *neg, int depth)
{
    size_t at = t->i - 1;
    gh_buf tmp = GH_BUF_INIT, sub = GH_BUF_INIT;
    bool ok = true, first = true;
    *neg = t->i < t->n && t->p[t->i] == '^';
    if (*neg)
        t->i++;
    *nops = 1;
    for (;;) {
        operand *o = &ops[*nops - 1];
        if (t->i >= t->n) {
            ok = fail(t, at, "unclosed character class");
            break;
        }
        char c = t->p[t->i];
        if (c == ']' && !first) {
            t->i++;
            break;
        }
        first = false;
        if (c == '[') {
            t->i++;
            gh_buf_reset(&sub);
            if (!(ok = parse_class(t, &sub, depth + 1)))
                break;
            add_alt(o, sub.data, sub.len);
        } else if (c == '&' && t->i + 1 < t->n && t->p[t->i + 1] == '&') {
            t->i += 2;
            if (o->nalts || o->body.len) {
                if (*nops == MAX_OPERANDS) {
                    ok = fail(t, at, "too many && in one character class");
                    break;
                }
                ++*nops;
            }
        } else if (c == '\\' && t->i + 1 < t->n && t->p[t->i + 1] == 'Q') {
            quoted_in_class(t, &o->body);
        } else if (c == '\\') {
            bool alt = false;
            gh_buf_reset(&sub);
            if (!(ok = escape(t, &sub, true, &tmp, &alt)))
                break;
            if (alt)
                add_alt(o, sub.data, sub.len);
            else
                gh_buf_append(&o->body, sub.data, sub.len);
        } else {
            gh_buf_putc(&o->body, c);
            t->i++;
        }
    }
    gh_buf_free(&tmp);
    gh_buf_free(&sub);
    return ok;
}

/* A Java character class, t->i after its '[', as one PCRE2 expression matching one
 * character. Java 9+ applies a leading ^ to the whole class, intersections included. */
static bool parse_class(tr *t, gh_buf *out, int depth)
{
    if (depth > MAX_CLASS_DEPTH)
        return fail(t, t->i, "character classes nested too deeply");
    size_t at = t->i - 1;
    operand ops[MAX_OPERANDS];
    memset(ops, 0, sizeof ops);
    size_t nops = 0;
    bool neg = false;
    bool ok = class_operands(t, ops, &nops, &neg, depth);
    if (ok) {
        size_t live = 0, last = 0;
        for (size_t k = 0; k < nops; k++)
            if (ops[k].nalts || ops[k].body.len)
                live++, last = k;
        if (!live) {
            ok = fail(t, at, "empty character class");
        } else if (live == 1 && !ops[last].nalts) {
            gh_buf_printf(out, neg ? "[^%.*s]" : "[%.*s]", (int)ops[last].body.len,
                          ops[last].body.data);
        } else {
            gh_buf_puts(out, neg ? "(?:(?!" : "(?:");
            for (size_t k = 0; k < nops; k++) {
                bool lookahead = k != last;
                if (lookahead)
                    gh_buf_puts(out, "(?=");
                if (operand_expr(&ops[k], out) && lookahead)
                    gh_buf_putc(out, ')');
                else if (lookahead)
                    out->len -= 3; /* an empty operand: drop its "(?=" */
            }
            gh_buf_puts(out, neg ? ")(?s:.))" : ")");
        }
    }
    for (size_t k = 0; k < MAX_OPERANDS; k++) {
        gh_buf_free(&ops[k].body);
        gh_buf_free(&ops[k].alts);
    }
    return ok;
}

/* "(?" groups: PCRE2-only forms are refused; inline flags are mapped (Java's u,
 * UNICODE_CASE, is what PCRE2 does anyway in UTF mode; Java's U is PCRE2's (*UCP), which
 * PCRE2 only takes at the start of the pattern; d, UNIX_LINES, has no equivalent). */
static bool group(tr *t, gh_buf *out)
{
    size_t at = t->i;
    t->i += 2;
    char c = t->i < t->n ? t->p[t->i] : '\0';
    if (c == ':' || c == '=' || c == '!' || c == '>') {
        gh_buf_printf(out, "(?%c", c);
        t->i++;
        return true;
    }
    if (c == '<') {
        char d = t->i + 1 < t->n ? t->p[t->i + 1] : '\0';
        if (d == '=' || d == '!' || is_alpha(d)) {
            gh_buf_puts(out, "(?<");
            t->i++;
            return true;
        }
        return fail(t, at, "unknown look-behind group");
    }
    gh_buf flags = GH_BUF_INIT;
    bool ucp = false;
    while (t->i < t->n && strchr("idmsuxU-", t->p[t->i]) && t->p[t->i]) {
        char f = t->p[t->i++];
        if (f == 'd') {
            gh_buf_free(&flags);
            return fail(t, at, "the UNIX_LINES flag (?d) is not supported");
        }
        if (f == 'U') {
            if (at != 0 || t->p[at + 2] == '-') {
                gh_buf_free(&flags);
                return fail(t, at,
                            "the UNICODE_CHARACTER_CLASS flag (?U) is supported only "
                            "at the start of the pattern");
            }
            ucp = true;
        } else if (f != 'u') {
            gh_buf_putc(&flags, f);
        }
    }
    char end = t->i < t->n ? t->p[t->i] : '\0';
    if (end != ')' && end != ':') {
        gh_buf_free(&flags);
        return fail(t, at, "unknown inline modifier");
    }
    t->i++;
    if (ucp)
        gh_buf_puts(out, "(*UCP)");
    bool any = flags.len && !(flags.len == 1 && flags.data[0] == '-');
    if (any)
        gh_buf_printf(out, "(?%.*s%c", (int)flags.len, flags.data, end);
    else if (end == ':')
        gh_buf_puts(out, "(?:");
    gh_buf_free(&flags);
    return true;
}

/* Java accepts '{' only as a bounded repetition {n}, {n,} or {n,m}; PCRE2 would take
 * any other '{' as a literal, where Java throws "Illegal repetition". */
static bool repetition(tr *t, gh_buf *out)
{
    size_t j = t->i + 1;
    size_t d1 = j;
    while (j < t->n && is_digit(t->p[j]))
        j++;
    bool ok = j > d1;
    if (ok && j < t->n && t->p[j] == ',') {
        j++;
        while (j < t->n && is_digit(t->p[j]))
            j++;
    }
    if (!ok || j >= t->n || t->p[j] != '}')
        return fail(t, t->i, "illegal repetition");
    gh_buf_append(out, t->p + t->i, j + 1 - t->i);
    t->i = j + 1;
    return true;
}

bool gh_jregex_translate(const char *p, size_t n, gh_buf *out, char *err, size_t errlen)
{
    tr t = {.p = p, .n = n, .i = 0, .err = err, .errlen = errlen};
    gh_buf tmp = GH_BUF_INIT;
    bool ok = true;
    while (ok && t.i < n) {
        char c = p[t.i];
        if (c == '\\' && t.i + 1 < n && p[t.i + 1] == 'Q') {
            /* PCRE2 reads \Q...\E outside classes as Java does */
            const char *e = NULL;
            for (size_t k = t.i + 2; k + 1 < n && !e; k++)
                if (p[k] == '\\' && p[k + 1] == 'E')
                    e = p + k;
            size_t stop = e ? (size_t)(e - p) + 2 : n;
            gh_buf_append(out, p + t.i, stop - t.i);
            t.i = stop;
        } else if (c == '\\') {
            bool unused = false;
            ok = escape(&t, out, false, &tmp, &unused);
        } else if (c == '[') {
            t.i++;
            ok = parse_class(&t, out, 0);
        } else if (c == '(' && t.i + 1 < n && p[t.i + 1] == '?') {
            ok = group(&t, out);
        } else if (c == '(' && t.i + 1 < n && p[t.i + 1] == '*') {
            ok = fail(&t, t.i + 1, "dangling meta character '*'");
        } else if (c == '{') {
            ok = repetition(&t, out);
        } else {
            gh_buf_putc(out, c);
            t.i++;
        }
    }
    gh_buf_free(&tmp);
    if (out->data)
        out->data[out->len] = '\0';
    return ok;
}
