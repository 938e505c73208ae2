/* $util in mapping templates (reference §5.2): the five functions AWS documents, each
 * with the Java library's exact behaviour, since AWS runs them on the JVM:
 *  - escapeJavaScript: commons-lang 2.x StringEscapeUtils.escapeJavaScript (apache/
 *    commons-lang, LANG_2_X StringEscapeUtils.java escapeJavaStyleString(out, str, true,
 *    true)): per UTF-16 unit, > 0x7F as \uXXXX (upper-case hex, so a character outside
 *    the BMP becomes two escaped surrogates), \b \n \t \f \r named, other controls
 *    \u00XX, ' " \ and / backslash-escaped, everything else (0x7F included) as is;
 *  - urlEncode / urlDecode: java.net.URLEncoder / URLDecoder with UTF-8 (space <-> '+',
 *    "*-._" and alphanumerics kept, %XX upper case); a malformed escape makes Java throw
 *    IllegalArgumentException, which fails the template;
 *  - base64Encode / base64Decode: standard base64 of the string's UTF-8 bytes;
 *  - parseJson: the JSON text as a value (a map prints {a=b}, a list as JSON). */
#include <string.h>

#include "template/aws_util.h"
#include "template/aws_vars.h"
#include "template/vtl_json.h"
#include "util/base64.h"
#include "util/url.h"
#include "util/utf8.h"

static void put_unit(unsigned u, gh_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6] = {'\\', 'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                 hex[u & 15]};
    gh_buf_append(out, e, sizeof e);
}

/* Decodes one UTF-8 sequence at s (n > 0 bytes left); returns its length and the code
 * point, or 1 and U+FFFD for a malformed byte (as Java's decoder replaces it). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t need;
    unsigned c = s[0], min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 1, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, c &= 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (n < need + 1)
        goto bad;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return need + 1;
bad:
    *cp = 0xFFFD;
    return 1;
}

void gh_aws_escape_javascript(const char *s, size_t len, gh_buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned cp;
        i += utf8_next(p + i, len - i, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_unit(0xD800 + (cp >> 10), out);
            put_unit(0xDC00 + (cp & 0x3FF), out);
        } else if (cp > 0x7F) {
            put_unit(cp, out);
        } else if (cp < 0x20) {
            switch (cp) {
            case '\b': gh_buf_puts(out, "\\b"); break;
            case '\n': gh_buf_puts(out, "\\n"); break;
            case '\t': gh_buf_puts(out, "\\t"); break;
            case '\f': gh_buf_puts(out, "\\f"); break;
            case '\r': gh_buf_puts(out, "\\r"); break;
            default: put_unit(cp, out); break;
            }
        } else if (cp == '\'' || cp == '"' || cp == '\\' || cp == '/') {
            gh_buf_putc(out, '\\');
            gh_buf_putc(out, (char)cp);
        } else {
            gh_buf_putc(out, (char)cp);
        }
    }
}

char *gh_aws_url_decode(gh_arena *a, const char *s, size_t len, size_t *out_len,
                        const char **error)
{
    char *bytes = gh_arena_alloc(a, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            bytes[n++] = ' ';
        } else if (s[i] == '%') {
            /* URLDecoder reads the two characters with Integer.parseInt(x, 16): a missing
             * or non-hex character throws, and so does a sign making it negative; a
             * leading '+' is accepted by parseInt ("%+7" is 0x07). */
            if (i + 2 >= len) {
                *error = "URLDecoder: Incomplete trailing escape (%) pattern";
                return NULL;
            }
            int hi = s[i + 1] == '+' ? 0 : gh_hex_value(s[i + 1]), lo = gh_hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) {
                *error = "URLDecoder: Illegal hex characters in escape (%) pattern";
                return NULL;
            }
            bytes[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            bytes[n++] = s[i];
        }
    }
    /* The bytes become a Java String through UTF-8: malformed sequences turn into U+FFFD. */
    char *out = gh_arena_alloc(a, 3 * n + 1);
    *out_len = gh_utf8_repair(bytes, n, out);
    return out;
}

const char *gh_util_escape_javascript(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    gh_buf b = GH_BUF_INIT;
    gh_aws_escape_javascript(s, len, &b);
    *out_len = b.len;
    char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

const char *gh_util_url_encode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    char *e = gh_url_encode(a, s, len);
    *out_len = strlen(e);
    return e;
}

const char *gh_util_url_decode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    const char *err = NULL;
    return gh_aws_url_decode(a, s, len, out_len, &err);
}

const char *gh_util_base64_encode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    char *e = gh_base64_encode(a, s, len);
    *out_len = strlen(e);
    return e;
}

const char *gh_util_base64_decode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    char *d;
    if (gh_base64_decode(a, s, len, &d, out_len) != 0)
        return NULL;
    return d;
}

bool gh_util_parse_json(gh_arena *a, const char *s, size_t len, gh_vval *out, const char **error)
{
    const char *why = gh_vjson_parse(a, s, len, out);
    if (why) {
        *error = gh_arena_printf(a, "$util.parseJson: invalid JSON: %s", why);
        return false;
    }
    return true;
}

/* The text a non-string argument stands for (Velocity hands Java the object's String). */
static const char *arg_text(gh_vtl_rt *rt, gh_vval v, size_t *len)
{
    if (v.kind == GH_V_STRING) {
        *len = v.u.str.len;
        return v.u.str.s;
    }
    return gh_v_to_text(rt, rt->arena, v, len);
}

typedef const char *(*util_fn)(gh_arena *a, const char *s, size_t len, size_t *out_len);

static const struct {
    const char *name;
    util_fn fn;
    const char *fails; /* why the function refuses its input */
} string_utils[] = {
    {"escapeJavaScript", gh_util_escape_javascript, NULL},
    {"urlEncode", gh_util_url_encode, NULL},
    {"base64Encode", gh_util_base64_encode, NULL},
    {"base64Decode", gh_util_base64_decode, "the argument is not valid base64"},
};

static bool util_call(gh_vtl_rt *rt, void *self, const char *name, const gh_vval *args,
                      size_t nargs, gh_vval *out)
{
    (void)self;
    if (nargs != 1)
        return false;
    if (args[0].kind == GH_V_NULL) {
        /* Every one of these Java methods returns null (or throws) on null; AWS renders
         * the null as nothing. parseJson(null) throws in Jackson. */
        if (strcmp(name, "parseJson") == 0)
            return gh_vtl_fail(rt, "$util.parseJson: argument is null");
        *out = gh_v_null();
        return true;
    }
    size_t len;
    const char *s = arg_text(rt, args[0], &len);
    if (strcmp(name, "urlDecode") == 0) {
        const char *err = NULL;
        size_t n = 0;
        char *d = gh_aws_url_decode(rt->arena, s, len, &n, &err);
        if (!d)
            return gh_vtl_fail(rt, "$util.urlDecode: %s", err);
        *out = gh_v_strn(d, n);
        return true;
    }
    for (size_t i = 0; i < sizeof string_utils / sizeof *string_utils; i++) {
        if (strcmp(name, string_utils[i].name) != 0)
            continue;
        size_t n = 0;
        const char *r = string_utils[i].fn(rt->arena, s, len, &n);
        if (!r)
            return gh_vtl_fail(rt, "$util.%s: %s", name, string_utils[i].fails);
        *out = gh_v_strn(r, n);
        return true;
    }
    if (strcmp(name, "parseJson") == 0) {
        const char *err = NULL;
        return gh_util_parse_json(rt->arena, s, len, out, &err) || gh_vtl_fail(rt, "%s", err);
    }
    return false;
}

const gh_vhost_class gh_aws_util_class = {"$util", NULL, util_call, NULL};

gh_vval gh_aws_util(void)
{
    return gh_v_host(&gh_aws_util_class, NULL);
}
