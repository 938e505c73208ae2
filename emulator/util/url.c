#include "util/url.h"

#include <string.h>

int gh_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *gh_url_decode(gh_arena *a, const char *s, size_t len, int plus_is_space)
{
    size_t n;
    return gh_url_decode_n(a, s, len, plus_is_space, &n);
}

char *gh_url_decode_n(gh_arena *a, const char *s, size_t len, int plus_is_space, size_t *out_len)
{
    char *out = gh_arena_alloc(a, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            int h = gh_hex_value((unsigned char)s[i + 1]);
            int l = gh_hex_value((unsigned char)s[i + 2]);
            if (h >= 0 && l >= 0) {
                out[o++] = (char)(h * 16 + l);
                i += 2;
                continue;
            }
        }
        out[o++] = (plus_is_space && s[i] == '+') ? ' ' : s[i];
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

char *gh_url_encode(gh_arena *a, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = gh_arena_alloc(a, len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '*') {
            out[o++] = (char)c;
        } else if (c == ' ') {
            out[o++] = '+';
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

void gh_query_parse(gh_arena *a, const char *query, gh_headers *out)
{
    if (!query)
        return;
    const char *p = query;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t nlen = eq ? (size_t)(eq - p) : len;
        if (nlen > 0) {
            const char *name = gh_url_decode(a, p, nlen, 1);
            const char *value = eq ? gh_url_decode(a, eq + 1, len - nlen - 1, 1) : "";
            gh_headers_add(a, out, name, value);
        }
        if (!end)
            break;
        p = end + 1;
    }
}
