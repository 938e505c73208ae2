/* VTL scanner: the character-level rules of Velocity 1.7's lexer (Parser.jjt) that the
 * recursive-descent parser leans on: identifiers (which, as in 1.7, may contain '-'),
 * number and string literals, whole-word keywords, and the whitespace the 1.7 tokens
 * swallow around directives. Positions are byte offsets; line:col is derived only when
 * an error is reported. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/vtl_ast.h"

void vtl_linecol(const char *text, size_t pos, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void *vtl_err(vtl_parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return NULL;
    p->failed = true;
    vtl_linecol(p->s, pos, &p->err->line, &p->err->col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return NULL;
}

bool vtl_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool vtl_is_ident_start(char c)
{
    return vtl_is_alpha(c) || c == '_';
}

bool vtl_is_ident_char(char c)
{
    return vtl_is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool vtl_is_word_char(char c)
{
    return vtl_is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '@';
}

void vtl_skip_ws(vtl_parser *p)
{
    while (p->pos < p->end) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

size_t vtl_ident_len(const vtl_parser *p, size_t pos)
{
    if (pos >= p->end || !vtl_is_ident_start(p->s[pos]))
        return 0;
    size_t n = 1;
    while (pos + n < p->end && vtl_is_ident_char(p->s[pos + n]))
        n++;
    return n;
}

bool vtl_keyword(vtl_parser *p, const char *kw)
{
    size_t n = strlen(kw);
    if (p->pos + n > p->end || memcmp(p->s + p->pos, kw, n) != 0)
        return false;
    if (p->pos + n < p->end && vtl_is_ident_char(p->s[p->pos + n]))
        return false;
    p->pos += n;
    return true;
}

void vtl_gobble_newline(vtl_parser *p)
{
    size_t q = p->pos;
    while (q < p->end && (p->s[q] == ' ' || p->s[q] == '\t'))
        q++;
    if (q < p->end && p->s[q] == '\n') {
        p->pos = q + 1;
    } else if (q < p->end && p->s[q] == '\r') {
        p->pos = q + 1;
        if (p->pos < p->end && p->s[p->pos] == '\n')
            p->pos++;
    }
}

bool vtl_at_set(const vtl_parser *p, size_t pos)
{
    while (pos < p->end && (p->s[pos] == ' ' || p->s[pos] == '\t'))
        pos++;
    if (pos + 4 <= p->end && memcmp(p->s + pos, "#set", 4) == 0)
        pos += 4;
    else if (pos + 6 <= p->end && memcmp(p->s + pos, "#{set}", 6) == 0)
        pos += 6;
    else
        return false;
    while (pos < p->end && p->s[pos] == ' ')
        pos++;
    return pos < p->end && p->s[pos] == '(';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool vtl_number(vtl_parser *p, gh_vval *out)
{
    size_t q = p->pos, e = p->end;
    const char *s = p->s;
    if (q < e && s[q] == '-')
        q++;
    size_t digits = q;
    while (q < e && is_digit(s[q]))
        q++;
    bool had_int = q > digits, is_float = false;
    /* "1..3" is a range: the integer stops before "..", as 1.7's INTEGER_LITERAL does */
    if (q < e && s[q] == '.' && !(q + 1 < e && s[q + 1] == '.')) {
        size_t f = q + 1;
        while (f < e && is_digit(s[f]))
            f++;
        if (had_int || f > q + 1) {
            is_float = true;
            q = f;
        }
    }
    if (!had_int && !is_float)
        return false;
    if (q < e && (s[q] == 'e' || s[q] == 'E')) {
        size_t x = q + 1;
        if (x < e && (s[x] == '+' || s[x] == '-'))
            x++;
        if (x < e && is_digit(s[x])) {
            while (x < e && is_digit(s[x]))
                x++;
            q = x;
            is_float = true;
        }
    }
    /* strtoll/strtod need a terminated copy; a long literal (1 and 70 zeros) gets one
     * from the arena rather than being cut to the wrong value. */
    char small[64];
    size_t n = q - p->pos;
    char *buf = n < sizeof small ? small : vtl_strdup(p, s + p->pos, n);
    if (buf == small) {
        memcpy(buf, s + p->pos, n);
        buf[n] = 0;
    }
    if (!is_float) {
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno == 0) {
            *out = gh_v_int(v);
            p->pos = q;
            return true;
        }
    }
    /* Java would make a BigInteger of a huge integer; a double is the nearest we hold */
    *out = gh_v_double(strtod(buf, NULL));
    p->pos = q;
    return true;
}

size_t vtl_string_end(const vtl_parser *p, size_t pos)
{
    char quote = p->s[pos];
    for (size_t q = pos + 1; q < p->end; q++) {
        /* 1.7's STRING_LITERAL lets a backslash carry the next character (\" does not
         * close a double-quoted string); single-quoted strings know no escapes. */
        if (quote == '"' && p->s[q] == '\\' && q + 1 < p->end) {
            q++;
            continue;
        }
        if (p->s[q] == quote)
            return q;
    }
    return (size_t)-1;
}

char *vtl_strdup(vtl_parser *p, const char *s, size_t n)
{
    return gh_arena_strndup(p->a, s, n);
}
