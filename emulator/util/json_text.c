/* JSON.stringify's output for jansson values (json_text.h). Numbers follow ECMAScript's
 * Number::toString: the shortest round-trip digits, plain notation for exponents from
 * -7 to 20, otherwise d.ddde+N. Strings escape what JSON.stringify escapes: quote,
 * backslash and control characters (\b \f \n \r \t by name, the rest as \u00xx). */
#include "util/json_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

void gh_json_number(double d, gh_buf *out)
{
    if (!isfinite(d)) {
        gh_buf_puts(out, "null");
        return;
    }
    if (d == 0) {
        gh_buf_putc(out, '0'); /* -0 too */
        return;
    }
    char e[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, d);
        if (strtod(e, NULL) == d)
            break;
    }
    /* e is "-d.ddde+XX": k significant digits, decimal exponent n (value = 0.digits * 10^n). */
    const char *p = e;
    if (*p == '-') {
        gh_buf_putc(out, '-');
        p++;
    }
    char digits[20];
    int k = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    int n = atoi(p + 1) + 1;
    if (k <= n && n <= 21) {
        gh_buf_append(out, digits, (size_t)k);
        for (int i = k; i < n; i++)
            gh_buf_putc(out, '0');
    } else if (0 < n && n <= 21) {
        gh_buf_append(out, digits, (size_t)n);
        gh_buf_putc(out, '.');
        gh_buf_append(out, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        gh_buf_puts(out, "0.");
        for (int i = 0; i < -n; i++)
            gh_buf_putc(out, '0');
        gh_buf_append(out, digits, (size_t)k);
    } else {
        gh_buf_putc(out, digits[0]);
        if (k > 1) {
            gh_buf_putc(out, '.');
            gh_buf_append(out, digits + 1, (size_t)(k - 1));
        }
        gh_buf_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
}

static void string_text(const char *s, size_t len, gh_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    gh_buf_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c >= 0x20)
                continue;
        }
        gh_buf_append(out, s + run, i - run);
        run = i + 1;
        if (esc) {
            gh_buf_puts(out, esc);
        } else {
            char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            gh_buf_append(out, u, sizeof u);
        }
    }
    gh_buf_append(out, s + run, len - run);
    gh_buf_putc(out, '"');
}

typedef struct {
    const char *key;
    const json_t *value;
} member;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const member *)a)->key, ((const member *)b)->key);
}

static void newline(int indent, int level, gh_buf *out)
{
    if (!indent)
        return;
    gh_buf_putc(out, '\n');
    for (int i = 0; i < indent * level; i++)
        gh_buf_putc(out, ' ');
}

static void text(const json_t *v, bool sort_keys, int indent, int level, gh_buf *out)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        member *m = n ? malloc(n * sizeof *m) : NULL;
        const char *k;
        json_t *val;
        json_object_foreach((json_t *)v, k, val) m[i++] = (member){k, val};
        if (sort_keys && n > 1)
            qsort(m, n, sizeof *m, by_key);
        gh_buf_putc(out, '{');
        for (i = 0; i < n; i++) {
            if (i)
                gh_buf_putc(out, ',');
            newline(indent, level + 1, out);
            string_text(m[i].key, strlen(m[i].key), out);
            gh_buf_puts(out, indent ? ": " : ":");
            text(m[i].value, sort_keys, indent, level + 1, out);
        }
        if (n)
            newline(indent, level, out);
        gh_buf_putc(out, '}');
        free(m);
        break;
    }
    case JSON_ARRAY:
        gh_buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                gh_buf_putc(out, ',');
            newline(indent, level + 1, out);
            text(json_array_get(v, i), sort_keys, indent, level + 1, out);
        }
        if (json_array_size(v))
            newline(indent, level, out);
        gh_buf_putc(out, ']');
        break;
    case JSON_STRING: string_text(json_string_value(v), json_string_length(v), out); break;
    case JSON_INTEGER: gh_buf_printf(out, "%lld", (long long)json_integer_value(v)); break;
    case JSON_REAL: gh_json_number(json_real_value(v), out); break;
    case JSON_TRUE: gh_buf_puts(out, "true"); break;
    case JSON_FALSE: gh_buf_puts(out, "false"); break;
    default: gh_buf_puts(out, "null"); break;
    }
}

void gh_json_text(const json_t *v, bool sort_keys, gh_buf *out)
{
    text(v, sort_keys, 0, 0, out);
}

void gh_json_text_indented(const json_t *v, bool sort_keys, int indent, gh_buf *out)
{
    text(v, sort_keys, indent, 0, out);
}

json_t *gh_json_str_lossy(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (gh_utf8_valid(s ? s : "", n))
        return json_stringn(s ? s : "", n);
    char *fixed = malloc(3 * n + 1);
    if (!fixed)
        return json_string("");
    size_t len = gh_utf8_repair(s, n, fixed);
    json_t *v = json_stringn(fixed, len);
    free(fixed);
    return v;
}
