/* A strict JSON reader into template values (see vtl_json.h). It accepts a subset of
 * what jansson accepts (RFC 8259 with any top-level value, \u0000 allowed, as
 * JSON_DECODE_ANY | JSON_ALLOW_NUL) and builds the same values gh_v_from_json would:
 * integers that fit int64 as GH_V_INT, other numbers as GH_V_DOUBLE, a repeated key
 * keeping its first position and its last value. Whatever it does not accept (malformed
 * text, but also the corners where jansson decides: an integer beyond int64, a real that
 * overflows, a NUL in a key, deep nesting) is handed to jansson, whose answer stands. */
#include "template/vtl_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

/* Deeper documents go to jansson (its own limit is 2048); this keeps our recursion
 * well inside a worker thread's stack. */
#define MAX_DEPTH 256

typedef struct rd {
    gh_arena *a;
    const char *p, *end;
    int depth;
} rd;

static void skip_ws(rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string with r->p at the opening quote; the text is already known to be UTF-8. */
static bool read_string(rd *r, const char **s, size_t *len)
{
    const char *start = ++r->p, *q = start;
    bool escaped = false;
    while (q < r->end && *q != '"') {
        if ((unsigned char)*q < 0x20)
            return false;
        if (*q == '\\') {
            escaped = true;
            q++;
            if (q >= r->end)
                return false;
        }
        q++;
    }
    if (q >= r->end)
        return false;
    size_t raw = (size_t)(q - start);
    if (!escaped) {
        *s = gh_arena_strndup(r->a, start, raw);
        *len = raw;
        r->p = q + 1;
        return true;
    }
    /* An escape never decodes longer than it is written (\u and four hex digits: 6 bytes
     * for at most 3, a surrogate pair: 12 for 4). */
    char *o = gh_arena_alloc(r->a, raw + 1);
    size_t n = 0;
    for (const char *p = start; p < q;) {
        if (*p != '\\') {
            o[n++] = *p++;
            continue;
        }
        p++;
        switch (*p++) {
        case '"': o[n++] = '"'; break;
        case '\\': o[n++] = '\\'; break;
        case '/': o[n++] = '/'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'n': o[n++] = '\n'; break;
        case 'r': o[n++] = '\r'; break;
        case 't': o[n++] = '\t'; break;
        case 'u': {
            int cp = q - p >= 4 ? hex4(p) : -1;
            if (cp < 0)
                return false;
            p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return false;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo = q - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            n += put_utf8(o + n, (unsigned)cp);
            break;
        }
        default: return false;
        }
    }
    o[n] = '\0';
    *s = o;
    *len = n;
    r->p = q + 1;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A number: JSON's grammar, then jansson's typing (integer unless it has a fraction or
 * an exponent). Out-of-range values are jansson's to reject. */
static bool read_number(rd *r, gh_vval *out)
{
    const char *start = r->p, *p = r->p;
    if (p < r->end && *p == '-')
        p++;
    if (p >= r->end || !is_digit(*p))
        return false;
    if (*p == '0')
        p++;
    else
        while (p < r->end && is_digit(*p))
            p++;
    bool real = false;
    if (p < r->end && *p == '.') {
        real = true;
        p++;
        if (p >= r->end || !is_digit(*p))
            return false;
        while (p < r->end && is_digit(*p))
            p++;
    }
    if (p < r->end && (*p == 'e' || *p == 'E')) {
        real = true;
        p++;
        if (p < r->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= r->end || !is_digit(*p))
            return false;
        while (p < r->end && is_digit(*p))
            p++;
    }
    size_t n = (size_t)(p - start);
    char buf[64];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, start, n);
    buf[n] = '\0';
    errno = 0;
    if (real) {
        double d = strtod(buf, NULL);
        if (errno == ERANGE && (d > 1 || d < -1)) /* overflow; underflow is fine */
            return false;
        *out = gh_v_double(d);
    } else {
        long long i = strtoll(buf, NULL, 10);
        if (errno == ERANGE)
            return false;
        *out = gh_v_int((int64_t)i);
    }
    r->p = p;
    return true;
}

static bool read_value(rd *r, gh_vval *out);

static bool read_array(rd *r, gh_vval *out)
{
    r->p++;
    gh_vval l = gh_v_list(r->a, 4, true);
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        *out = l;
        return true;
    }
    for (;;) {
        gh_vval v;
        if (!read_value(r, &v))
            return false;
        gh_vlist_add(r->a, l.u.list, v);
        skip_ws(r);
        if (r->p >= r->end)
            return false;
        if (*r->p == ']') {
            r->p++;
            *out = l;
            return true;
        }
        if (*r->p != ',')
            return false;
        r->p++;
    }
}

static bool read_object(rd *r, gh_vval *out)
{
    r->p++;
    gh_vval m = gh_v_map(r->a, 4, true);
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        *out = m;
        return true;
    }
    for (;;) {
        skip_ws(r);
        const char *key;
        size_t klen;
        if (r->p >= r->end || *r->p != '"' || !read_string(r, &key, &klen))
            return false;
        if (memchr(key, '\0', klen)) /* jansson refuses a NUL in a key */
            return false;
        skip_ws(r);
        if (r->p >= r->end || *r->p != ':')
            return false;
        r->p++;
        gh_vval v;
        if (!read_value(r, &v))
            return false;
        gh_vmap_put(r->a, m.u.map, key, klen, v);
        skip_ws(r);
        if (r->p >= r->end)
            return false;
        if (*r->p == '}') {
            r->p++;
            *out = m;
            return true;
        }
        if (*r->p != ',')
            return false;
        r->p++;
    }
}

static bool literal(rd *r, const char *word, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static bool read_value(rd *r, gh_vval *out)
{
    skip_ws(r);
    if (r->p >= r->end)
        return false;
    bool ok;
    switch (*r->p) {
    case '{':
    case '[':
        if (++r->depth > MAX_DEPTH)
            return false;
        ok = *r->p == '{' ? read_object(r, out) : read_array(r, out);
        r->depth--;
        return ok;
    case '"': {
        const char *s;
        size_t len;
        if (!read_string(r, &s, &len))
            return false;
        *out = gh_v_strn(s, len);
        return true;
    }
    case 't': *out = gh_v_bool(true); return literal(r, "true", 4);
    case 'f': *out = gh_v_bool(false); return literal(r, "false", 5);
    case 'n': *out = gh_v_null(); return literal(r, "null", 4);
    default: return read_number(r, out);
    }
}

const char *gh_vjson_parse(gh_arena *a, const char *text, size_t len, gh_vval *out)
{
    rd r = {a, text, text + len, 0};
    if (gh_utf8_valid(text, len) && read_value(&r, out)) {
        skip_ws(&r);
        if (r.p == r.end)
            return NULL;
    }
    /* Not ours to decide: jansson's verdict (and its words) stand. */
    json_error_t err;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (j) {
        *out = gh_v_from_json(a, j);
        json_decref(j);
        return NULL;
    }
    return gh_arena_printf(a, "%s (line %d, column %d)", err.text, err.line, err.column);
}
