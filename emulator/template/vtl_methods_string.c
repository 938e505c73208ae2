/* java.lang.String's methods on VTL strings (UTF-8 bytes). Java counts lengths and
 * indices in UTF-16 units, so we do too: a character below U+10000 is one unit, one
 * above (an emoji) is two, and each byte of a malformed sequence is one (AWS's Java
 * decoder turns it into one U+FFFD). An index that falls between the two units of a
 * pair is rounded down to the start of that character, so a result never splits a UTF-8
 * sequence (Java would produce a lone surrogate, which prints as "?" anyway). Case
 * mapping is Unicode's simple one-to-one mapping plus the two special cases real text
 * meets (toUpperCase of ß is SS, toLowerCase of İ is i + U+0307). */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#include "template/vtl_methods_impl.h"
#include "util/jregex.h"

typedef struct str {
    const char *s;
    size_t len;
} str;

/* The code point at s[i] and its length in bytes (1 and U+FFFD for a malformed one). */
static size_t decode(const char *p, size_t len, size_t i, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned char b = s[i];
    size_t n;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if ((b & 0xE0) == 0xC0)
        n = 2, c = b & 0x1Fu, min = 0x80;
    else if ((b & 0xF0) == 0xE0)
        n = 3, c = b & 0x0Fu, min = 0x800;
    else if ((b & 0xF8) == 0xF0)
        n = 4, c = b & 0x07u, min = 0x10000;
    else
        n = 0, c = 0, min = 0;
    if (!n || i + n > len)
        goto bad;
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            goto bad;
        c = c << 6 | (s[i + k] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return n;
bad:
    *cp = 0xFFFD;
    return 1;
}

static size_t encode(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static size_t units(uint32_t cp)
{
    return cp >= 0x10000 ? 2 : 1;
}

static size_t u16_length(str s)
{
    size_t n = 0;
    uint32_t cp;
    for (size_t i = 0; i < s.len;) {
        i += decode(s.s, s.len, i, &cp);
        n += units(cp);
    }
    return n;
}

/* Byte offset of UTF-16 index idx (the length of s when idx is at or past the end). */
static size_t byte_at(str s, size_t idx)
{
    size_t n = 0, i = 0;
    uint32_t cp;
    while (i < s.len) {
        size_t b = decode(s.s, s.len, i, &cp);
        if (n + units(cp) > idx)
            return i;
        n += units(cp);
        i += b;
    }
    return s.len;
}

/* UTF-16 index of byte offset off. */
static size_t unit_at(str s, size_t off)
{
    size_t n = 0;
    uint32_t cp;
    for (size_t i = 0; i < off && i < s.len;) {
        i += decode(s.s, s.len, i, &cp);
        n += units(cp);
    }
    return n;
}

/* Character.isWhitespace */
static bool java_whitespace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x205F || c == 0x3000;
}

static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static void load_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static uint32_t map_case(uint32_t c, bool upper)
{
    if (c < 0x80)
        return upper ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c);
    pthread_once(&locale_once, load_locale);
    if (!utf8_locale)
        return c;
    wint_t r = upper ? towupper_l((wint_t)c, utf8_locale) : towlower_l((wint_t)c, utf8_locale);
    return (uint32_t)r;
}

static gh_vval change_case(gh_vtl_rt *rt, str s, bool upper)
{
    char *o = gh_arena_alloc(rt->arena, s.len * 3 + 1);
    size_t n = 0;
    uint32_t cp;
    for (size_t i = 0; i < s.len;) {
        size_t b = decode(s.s, s.len, i, &cp);
        if (cp == 0xFFFD && b == 1 && (unsigned char)s.s[i] >= 0x80) {
            o[n++] = s.s[i]; /* keep a malformed byte as it was */
        } else if (upper && cp == 0xDF) {
            o[n++] = 'S', o[n++] = 'S';
        } else if (!upper && cp == 0x130) {
            o[n++] = 'i';
            n += encode(0x307, o + n);
        } else {
            n += encode(map_case(cp, upper), o + n);
        }
        i += b;
    }
    o[n] = '\0';
    return gh_v_strn(o, n);
}

/* Java's String.compareTo (ignore_case: compareToIgnoreCase), on UTF-16 units. */
static int64_t compare(str a, str b, bool ignore_case)
{
    size_t i = 0, j = 0;
    uint32_t ca, cb;
    while (i < a.len && j < b.len) {
        i += decode(a.s, a.len, i, &ca);
        j += decode(b.s, b.len, j, &cb);
        if (ignore_case && ca != cb) {
            ca = map_case(map_case(ca, true), false);
            cb = map_case(map_case(cb, true), false);
        }
        if (ca != cb) {
            /* the first differing UTF-16 unit: for a pair, its high surrogate */
            uint32_t ua = ca >= 0x10000 ? 0xD800 + ((ca - 0x10000) >> 10) : ca;
            uint32_t ub = cb >= 0x10000 ? 0xD800 + ((cb - 0x10000) >> 10) : cb;
            if (ua == ub) {
                ua = 0xDC00 + ((ca - 0x10000) & 0x3FF);
                ub = 0xDC00 + ((cb - 0x10000) & 0x3FF);
            }
            return (int64_t)ua - (int64_t)ub;
        }
    }
    return (int64_t)u16_length((str){a.s + i, a.len - i}) -
           (int64_t)u16_length((str){b.s + j, b.len - j});
}

static bool equals_ignore_case(str a, str b)
{
    if (u16_length(a) != u16_length(b))
        return false;
    return compare(a, b, true) == 0;
}

static int32_t java_hash(str s)
{
    uint32_t h = 0, cp;
    for (size_t i = 0; i < s.len;) {
        i += decode(s.s, s.len, i, &cp);
        if (cp >= 0x10000) {
            h = 31 * h + (0xD800 + ((cp - 0x10000) >> 10));
            h = 31 * h + (0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

static const char *find_bytes(str hay, size_t from, str needle)
{
    if (from > hay.len || needle.len > hay.len - from)
        return NULL;
    if (!needle.len)
        return hay.s + from;
    return memmem(hay.s + from, hay.len - from, needle.s, needle.len);
}

/* indexOf(str, from) as Java: from clamps to [0, length]. */
static int64_t index_of(str s, str needle, int64_t from)
{
    if (from < 0)
        from = 0;
    const char *hit = find_bytes(s, byte_at(s, (size_t)from), needle);
    return hit ? (int64_t)unit_at(s, (size_t)(hit - s.s)) : -1;
}

/* lastIndexOf(str, from): the last occurrence starting at or before from. */
static char *reversed(gh_arena *a, const char *s, size_t n)
{
    char *r = gh_arena_alloc(a, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        r[i] = s[n - 1 - i];
    return r;
}

/* The last i <= from where needle starts is the first match of the reversed needle in
 * the reversed text at or after n - from - m: one linear memmem, where scanning
 * backwards with memcmp is n x m on text such as "aaaa...". */
static int64_t last_index_of(gh_arena *a, str s, str needle, int64_t from)
{
    if (from < 0 || needle.len > s.len)
        return -1;
    size_t start = byte_at(s, (size_t)from);
    if (start > s.len - needle.len)
        start = s.len - needle.len;
    if (!needle.len)
        return (int64_t)unit_at(s, start);
    size_t n = s.len, m = needle.len, j0 = n - start - m;
    const char *r = reversed(a, s.s, n), *rn = reversed(a, needle.s, m);
    const char *hit = memmem(r + j0, n - j0, rn, m);
    return hit ? (int64_t)unit_at(s, n - (size_t)(hit - r) - m) : -1;
}

static bool replace_literal(gh_vtl_rt *rt, str s, str target, str repl, gh_vval *out)
{
    /* The result's length is known before building it: refuse what no template could
     * print (replace("", x) multiplies a string by x's length). */
    size_t hits = 0, max = rt->max_output ? rt->max_output : GH_VTL_MAX_OUTPUT;
    if (!target.len) {
        uint32_t cp;
        for (size_t i = 0; i < s.len; i += decode(s.s, s.len, i, &cp))
            hits++;
        hits++;
    } else {
        for (const char *hit = find_bytes(s, 0, target); hit;
             hit = find_bytes(s, (size_t)(hit - s.s) + target.len, target))
            hits++;
    }
    if (repl.len > target.len && hits &&
        (s.len > max || (repl.len - target.len) > (max - s.len) / hits))
        return gh_vtl_fail(rt, "String.replace: the result exceeds the %zu-byte output limit",
                           max);
    gh_buf b = GH_BUF_INIT;
    if (!target.len) {
        /* Java inserts the replacement before every char and at the end */
        uint32_t cp;
        for (size_t i = 0; i < s.len;) {
            size_t n = decode(s.s, s.len, i, &cp);
            gh_buf_append(&b, repl.s, repl.len);
            gh_buf_append(&b, s.s + i, n);
            i += n;
        }
        gh_buf_append(&b, repl.s, repl.len);
    } else {
        size_t i = 0;
        const char *hit;
        while ((hit = find_bytes(s, i, target))) {
            gh_buf_append(&b, s.s + i, (size_t)(hit - s.s) - i);
            gh_buf_append(&b, repl.s, repl.len);
            i = (size_t)(hit - s.s) + target.len;
        }
        gh_buf_append(&b, s.s + i, s.len - i);
    }
    *out = gh_v_strdup(rt->arena, b.data, b.len);
    gh_buf_free(&b);
    return true;
}

static gh_vval strip(str s, bool lead, bool trail)
{
    size_t i = 0, e = s.len;
    uint32_t cp;
    while (lead && i < e) {
        size_t n = decode(s.s, s.len, i, &cp);
        if (!java_whitespace(cp))
            break;
        i += n;
    }
    while (trail && e > i) {
        size_t k = e - 1; /* back to the start of the last character */
        while (k > i && ((unsigned char)s.s[k] & 0xC0) == 0x80 && e - k < 4)
            k--;
        size_t n = decode(s.s, s.len, k, &cp);
        if (k + n != e) /* a malformed tail: its last byte is a character of its own */
            k = e - 1, cp = 0xFFFD;
        if (!java_whitespace(cp))
            break;
        e = k;
    }
    return gh_v_strn(s.s + i, e - i);
}

/* 1: a String argument, 0: another kind (Java has no such overload), -1: null. */
static int arg_str(gh_vval v, str *out)
{
    if (v.kind == GH_V_STRING) {
        *out = (str){v.u.str.s, v.u.str.len};
        return 1;
    }
    return v.kind == GH_V_NULL ? -1 : 0;
}

static bool regex(gh_vtl_rt *rt, str pattern, const gh_jregex **re)
{
    const char *err = NULL;
    *re = gh_jregex_get(pattern.s, pattern.len, &err);
    if (!*re)
        return gh_vtl_fail(rt, "java.util.regex.PatternSyntaxException: %s in \"%.*s\"", err,
                           (int)(pattern.len > 100 ? 100 : pattern.len), pattern.s);
    return true;
}

/* A pattern that backtracks past PCRE2's match limit on this text: Java would overflow
 * its stack (StackOverflowError) or run for minutes; we fail the render, once, rather
 * than answer "no match" and let a loop retry it a thousand times. */
static bool backtracks(gh_vtl_rt *rt, const char *method, str pattern)
{
    return gh_vtl_fail(rt, "String.%s: the regex \"%.*s\" backtracks too much on this text",
                       method, (int)(pattern.len > 100 ? 100 : pattern.len), pattern.s);
}

static bool out_of_range(gh_vtl_rt *rt, int64_t b, int64_t e, size_t len)
{
    return gh_vtl_fail(rt,
                       "java.lang.StringIndexOutOfBoundsException: begin %lld, end %lld, "
                       "length %zu",
                       (long long)b, (long long)e, len);
}

/* Methods whose arguments are Strings (one or two) and maybe an int. */
static bool string_args_method(gh_vtl_rt *rt, str s, const char *name, const gh_vval *args,
                               size_t nargs, gh_vval *out)
{
    str a = {0}, b = {0};
    int k = arg_str(args[0], &a);
    if (k == 0)
        return false;
    int32_t n = 0;
    if (nargs == 2 && !gh_vtl_arg_int(args[1], &n) && arg_str(args[1], &b) == 0)
        return false;
    bool second_int = nargs == 2 && args[1].kind == GH_V_INT;
    if (nargs == 2 && !second_int && args[1].kind == GH_V_NULL)
        k = -1;
    if (!strcmp(name, "equalsIgnoreCase") && nargs == 1) {
        *out = gh_v_bool(k == 1 && equals_ignore_case(s, a));
        return true;
    }
    static const char *const known[] = {"indexOf",
                                        "lastIndexOf",
                                        "contains",
                                        "startsWith",
                                        "endsWith",
                                        "compareTo",
                                        "compareToIgnoreCase",
                                        "replace",
                                        "replaceAll",
                                        "replaceFirst",
                                        "matches",
                                        "split",
                                        "concat",
                                        "contentEquals",
                                        NULL};
    size_t m = 0;
    while (known[m] && strcmp(known[m], name))
        m++;
    if (!known[m])
        return false;
    if (k < 0)
        return gh_vtl_fail_null(rt, name);
    bool two_str = nargs == 2 && !second_int;
    if (!strcmp(name, "indexOf") && (nargs == 1 || second_int))
        *out = gh_v_int(index_of(s, a, nargs == 2 ? n : 0));
    else if (!strcmp(name, "lastIndexOf") && (nargs == 1 || second_int))
        *out = gh_v_int(last_index_of(rt->arena, s, a, nargs == 2 ? n : INT32_MAX));
    else if (!strcmp(name, "contains") && nargs == 1)
        *out = gh_v_bool(find_bytes(s, 0, a) != NULL);
    else if (!strcmp(name, "contentEquals") && nargs == 1)
        *out = gh_v_bool(s.len == a.len && !memcmp(s.s, a.s, a.len));
    else if (!strcmp(name, "startsWith") && (nargs == 1 || second_int)) {
        bool r = false;
        if (n >= 0 && (size_t)n <= u16_length(s)) {
            size_t at = byte_at(s, (size_t)n);
            r = a.len <= s.len - at && !memcmp(s.s + at, a.s, a.len);
        }
        *out = gh_v_bool(r);
    } else if (!strcmp(name, "endsWith") && nargs == 1)
        *out = gh_v_bool(a.len <= s.len && !memcmp(s.s + s.len - a.len, a.s, a.len));
    else if (!strcmp(name, "compareTo") && nargs == 1)
        *out = gh_v_int(compare(s, a, false));
    else if (!strcmp(name, "compareToIgnoreCase") && nargs == 1)
        *out = gh_v_int(compare(s, a, true));
    else if (!strcmp(name, "concat") && nargs == 1) {
        char *o = gh_arena_alloc(rt->arena, s.len + a.len + 1);
        memcpy(o, s.s, s.len);
        memcpy(o + s.len, a.s, a.len);
        o[s.len + a.len] = '\0';
        *out = gh_v_strn(o, s.len + a.len);
    } else if (!strcmp(name, "replace") && two_str) {
        if (!replace_literal(rt, s, a, b, out))
            return false;
    }
    else if ((!strcmp(name, "replaceAll") || !strcmp(name, "replaceFirst")) && two_str) {
        const gh_jregex *re;
        if (!regex(rt, a, &re))
            return false;
        const char *err = NULL;
        size_t len = 0;
        char *r =
            gh_jregex_replace(rt->arena, re, s.s, s.len, b.s, b.len, name[7] == 'A', &len, &err);
        if (!r && strstr(err, "output limit"))
            return gh_vtl_fail(rt, "String.%s: %s", name, err);
        if (!r) {
            /* Matcher: a missing group number is an IndexOutOfBoundsException, every
             * other bad replacement an IllegalArgumentException */
            bool index = !strncmp(err, "No group ", 9) && strncmp(err, "No group with", 13);
            return gh_vtl_fail(rt, "java.lang.%s: %s (%s with \"%.*s\")",
                               index ? "IndexOutOfBoundsException" : "IllegalArgumentException",
                               err, name, (int)(b.len > 100 ? 100 : b.len), b.s);
        }
        *out = gh_v_strn(r, len);
    } else if (!strcmp(name, "matches") && nargs == 1) {
        const gh_jregex *re;
        if (!regex(rt, a, &re))
            return false;
        *out = gh_v_bool(gh_jregex_matches(re, s.s, s.len));
        if (gh_jregex_gave_up())
            return backtracks(rt, name, a);
    } else if (!strcmp(name, "split") && (nargs == 1 || second_int)) {
        const gh_jregex *re;
        if (!regex(rt, a, &re))
            return false;
        const char **st;
        size_t *ln;
        /* Java returns a String[]; Velocity lets templates use it as a List */
        size_t cnt = gh_jregex_split_limit(rt->arena, re, s.s, s.len, nargs == 2 ? n : 0, &st, &ln);
        if (gh_jregex_gave_up())
            return backtracks(rt, name, a);
        *out = gh_v_list(rt->arena, cnt, false);
        for (size_t i = 0; i < cnt; i++)
            gh_vlist_add(rt->arena, out->u.list, gh_v_strn(st[i], ln[i]));
    } else
        return false;
    return true;
}

bool gh_vtl_string_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                          size_t nargs, gh_vval *out)
{
    str s = {self.u.str.s, self.u.str.len};
    if (nargs == 0) {
        if (!strcmp(name, "length"))
            *out = gh_v_int((int64_t)u16_length(s));
        else if (!strcmp(name, "isEmpty"))
            *out = gh_v_bool(s.len == 0);
        else if (!strcmp(name, "isBlank"))
            *out = gh_v_bool(strip(s, true, false).u.str.len == 0);
        else if (!strcmp(name, "toLowerCase") || !strcmp(name, "toUpperCase"))
            *out = change_case(rt, s, name[2] == 'U');
        else if (!strcmp(name, "trim")) {
            /* trim removes every char <= U+0020, strip Unicode whitespace */
            size_t i = 0, e = s.len;
            while (i < e && (unsigned char)s.s[i] <= ' ')
                i++;
            while (e > i && (unsigned char)s.s[e - 1] <= ' ')
                e--;
            *out = gh_v_strn(s.s + i, e - i);
        } else if (!strcmp(name, "strip"))
            *out = strip(s, true, true);
        else if (!strcmp(name, "stripLeading"))
            *out = strip(s, true, false);
        else if (!strcmp(name, "stripTrailing"))
            *out = strip(s, false, true);
        else if (!strcmp(name, "hashCode"))
            *out = gh_v_int(java_hash(s));
        else if (!strcmp(name, "toString") || !strcmp(name, "intern"))
            *out = self;
        else
            return false;
        return true;
    }
    int32_t i0, i1;
    if (!strcmp(name, "equals") && nargs == 1) {
        gh_vval o = args[0];
        *out = gh_v_bool(o.kind == GH_V_STRING && o.u.str.len == s.len &&
                         !memcmp(o.u.str.s, s.s, s.len));
        return true;
    }
    if (!strcmp(name, "charAt") && nargs == 1 && gh_vtl_arg_int(args[0], &i0)) {
        size_t len = u16_length(s);
        if (i0 < 0 || (size_t)i0 >= len)
            return gh_vtl_fail(rt,
                               "java.lang.StringIndexOutOfBoundsException: index %d, "
                               "length %zu",
                               (int)i0, len);
        size_t at = byte_at(s, (size_t)i0);
        uint32_t cp;
        *out = gh_v_strn(s.s + at, decode(s.s, s.len, at, &cp));
        return true;
    }
    if (!strcmp(name, "substring") && gh_vtl_arg_int(args[0], &i0) &&
        (nargs == 1 || (nargs == 2 && gh_vtl_arg_int(args[1], &i1)))) {
        size_t len = u16_length(s);
        if (nargs == 1)
            i1 = (int32_t)len;
        if (i0 < 0 || i1 < i0 || (size_t)i1 > len)
            return out_of_range(rt, i0, i1, len);
        size_t b = byte_at(s, (size_t)i0), e = byte_at(s, (size_t)i1);
        *out = gh_v_strn(s.s + b, e - b);
        return true;
    }
    if (!strcmp(name, "repeat") && nargs == 1 && gh_vtl_arg_int(args[0], &i0)) {
        if (i0 < 0)
            return gh_vtl_fail(rt, "java.lang.IllegalArgumentException: count is negative: %d",
                               (int)i0);
        if (s.len && (size_t)i0 > GH_VTL_MAX_OUTPUT / s.len)
            return gh_vtl_fail(rt, "String.repeat(%d) would exceed the %d-byte output limit",
                               (int)i0, GH_VTL_MAX_OUTPUT);
        char *o = gh_arena_alloc(rt->arena, s.len * (size_t)i0 + 1);
        for (int32_t k = 0; k < i0; k++)
            memcpy(o + s.len * (size_t)k, s.s, s.len);
        o[s.len * (size_t)i0] = '\0';
        *out = gh_v_strn(o, s.len * (size_t)i0);
        return true;
    }
    if ((!strcmp(name, "indexOf") || !strcmp(name, "lastIndexOf")) &&
        gh_vtl_arg_int(args[0], &i0) && nargs <= 2) {
        /* indexOf(int ch[, from]): a code point */
        char enc[4];
        if (i0 < 0 || i0 > 0x10FFFF || (i0 >= 0xD800 && i0 <= 0xDFFF)) {
            *out = gh_v_int(-1);
            return true;
        }
        gh_vval arg[2] = {gh_v_strn(enc, encode((uint32_t)i0, enc)),
                          nargs == 2 ? args[1] : gh_v_null()};
        if (!string_args_method(rt, s, name, arg, nargs, out))
            return false;
        return true;
    }
    if (nargs > 2)
        return false;
    return string_args_method(rt, s, name, args, nargs, out);
}
