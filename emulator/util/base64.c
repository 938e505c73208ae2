/* Base64 encoding and strict-but-forgiving decoding (see base64.h). */
#include "util/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *gh_base64_encode(gh_arena *a, const void *data, size_t n, size_t *out_len)
{
    const unsigned char *in = data;
    size_t len = (n + 2) / 3 * 4;
    char *out = gh_arena_alloc(a, len + 1);
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool gh_base64_decode(gh_arena *a, const char *text, size_t n, char **out, size_t *out_len)
{
    char *dst = gh_arena_alloc(a, n / 4 * 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int nbits = 0, quad = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            /* Padding may only finish a group that already holds two or three sextets. */
            if (quad < 2)
                return false;
            pad++;
            quad++;
            if (quad == 4) {
                quad = 0;
                nbits = 0;
            }
            continue;
        }
        if (pad)
            return false; /* data after padding */
        int v = sextet(c);
        if (v < 0)
            return false;
        acc = acc << 6 | (unsigned)v;
        nbits += 6;
        quad = (quad + 1) & 3;
        if (nbits >= 8) {
            nbits -= 8;
            dst[o++] = (char)(acc >> nbits & 0xff);
        }
    }
    if (quad == 1)
        return false; /* a lone sextet cannot encode a byte */
    dst[o] = '\0';
    *out = dst;
    if (out_len)
        *out_len = o;
    return true;
}
