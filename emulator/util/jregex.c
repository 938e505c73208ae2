/* Java regular expressions on PCRE2 (see jregex.h): a per-thread cache of compiled
 * patterns, and Java's own loops around the matcher, which differ from PCRE2's and
 * Perl's: after an empty match Java's Matcher.find simply starts one character later
 * (it never retries a non-empty match at the same place), replacement strings use
 * Java's $n / ${name} / \x syntax, and split drops a leading empty piece only for a
 * zero-width match at index 0 (Java 8+). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "util/jregex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/jregex_syntax.h"

#define CACHE_SLOTS 64
/* Backtracking budget per match: Java would spin for as long as a catastrophic pattern
 * takes; a server thread must not, so past this the match counts as failed. */
#define MATCH_LIMIT 5000000
#define REPLACE_MAX_RESULT (10 * 1024 * 1024)

struct gh_jregex {
    pcre2_code *code;
    uint32_t groups; /* capturing groups, not counting group 0 */
};

typedef struct slot {
    char *pattern;
    size_t len;
    uint64_t hash, used;
    gh_jregex re;
} slot;

typedef struct cache {
    slot slots[CACHE_SLOTS];
    size_t n;
    uint64_t tick;
    pcre2_compile_context *cc;
    pcre2_match_context *mc;
    pcre2_match_data *md;
    uint32_t md_pairs;
} cache;

static _Thread_local cache *tls_cache;
static _Thread_local char tls_error[256];
static _Thread_local bool tls_gave_up; /* gh_jregex_gave_up */

bool gh_jregex_gave_up(void)
{
    return tls_gave_up;
}
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void free_cache(void *p)
{
    cache *c = p;
    if (!c)
        return;
    for (size_t k = 0; k < c->n; k++) {
        free(c->slots[k].pattern);
        pcre2_code_free(c->slots[k].re.code);
    }
    pcre2_match_data_free(c->md);
    pcre2_match_context_free(c->mc);
    pcre2_compile_context_free(c->cc);
    free(c);
}

/* Threads that never call gh_jregex_thread_cleanup still free their cache on exit. */
static void make_key(void)
{
    pthread_key_create(&cache_key, free_cache);
}

static cache *get_cache(void)
{
    if (tls_cache)
        return tls_cache;
    pthread_once(&cache_once, make_key);
    cache *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->cc = pcre2_compile_context_create(NULL);
    c->mc = pcre2_match_context_create(NULL);
    if (!c->cc || !c->mc)
        abort();
    /* Java's line terminators for . and $ are \n, \r\n, \r, U+0085, U+2028, U+2029;
     * ANYCRLF covers the first three (the ones real text carries), see docs. */
    pcre2_set_newline(c->cc, PCRE2_NEWLINE_ANYCRLF);
    pcre2_set_bsr(c->cc, PCRE2_BSR_UNICODE);
    pcre2_set_match_limit(c->mc, MATCH_LIMIT);
    tls_cache = c;
    pthread_setspecific(cache_key, c);
    return c;
}

void gh_jregex_thread_cleanup(void)
{
    if (!tls_cache)
        return;
    pthread_setspecific(cache_key, NULL);
    free_cache(tls_cache);
    tls_cache = NULL;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static pcre2_code *compile(cache *c, const char *pattern, size_t len)
{
    gh_buf pcre = GH_BUF_INIT;
    char why[200];
    if (!gh_jregex_translate(pattern, len, &pcre, why, sizeof why)) {
        snprintf(tls_error, sizeof tls_error, "invalid regex: %s", why);
        gh_buf_free(&pcre);
        return NULL;
    }
    int code;
    PCRE2_SIZE off;
    /* MATCH_INVALID_UTF: request text that is not UTF-8 never makes a match fail with
     * an error; invalid bytes simply match nothing but . and negated classes do not
     * cross them. */
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(pcre.data ? pcre.data : ""), pcre.len,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C,
                                   &code, &off, c->cc);
    if (!re) {
        char msg[160];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
        snprintf(tls_error, sizeof tls_error, "invalid regex: %s (near index %zu of %s)", msg,
                 (size_t)off,
                 pcre.len == len && !memcmp(pcre.data, pattern, len)
                     ? "the pattern"
                     : "the pattern as rewritten for PCRE2");
    } else {
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* an optimisation; failure is fine */
    }
    gh_buf_free(&pcre);
    return re;
}

const gh_jregex *gh_jregex_get(const char *pattern, size_t len, const char **error)
{
    cache *c = get_cache();
    uint64_t h = hash_bytes(pattern, len);
    for (size_t k = 0; k < c->n; k++) {
        slot *s = &c->slots[k];
        if (s->hash == h && s->len == len && !memcmp(s->pattern, pattern, len)) {
            s->used = ++c->tick;
            return &s->re;
        }
    }
    pcre2_code *code = compile(c, pattern, len);
    if (!code) {
        if (error)
            *error = tls_error;
        return NULL;
    }
    slot *s;
    if (c->n < CACHE_SLOTS) {
        s = &c->slots[c->n++];
    } else {
        s = &c->slots[0];
        for (size_t k = 1; k < c->n; k++)
            if (c->slots[k].used < s->used)
                s = &c->slots[k];
        free(s->pattern);
        pcre2_code_free(s->re.code);
    }
    s->pattern = malloc(len + 1);
    if (!s->pattern)
        abort();
    memcpy(s->pattern, pattern, len);
    s->pattern[len] = '\0';
    s->len = len;
    s->hash = h;
    s->used = ++c->tick;
    s->re.code = code;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &s->re.groups);
    return &s->re;
}

/* This thread's match data, big enough for re's groups. */
static pcre2_match_data *match_data(cache *c, const gh_jregex *re)
{
    if (!c->md || c->md_pairs < re->groups + 1) {
        pcre2_match_data_free(c->md);
        c->md_pairs = re->groups + 1 < 16 ? 16 : re->groups + 1;
        c->md = pcre2_match_data_create(c->md_pairs, NULL);
        if (!c->md)
            abort();
    }
    return c->md;
}

bool gh_jregex_matches(const gh_jregex *re, const char *s, size_t len)
{
    cache *c = get_cache();
    pcre2_match_data *md = match_data(c, re);
    int rc = pcre2_match(re->code, (PCRE2_SPTR)(s ? s : ""), len, 0,
                         PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, c->mc);
    tls_gave_up = rc < 0 && rc != PCRE2_ERROR_NOMATCH;
    return rc >= 0;
}

/* Java's Matcher.find loop. */
typedef struct finder {
    cache *c;
    const gh_jregex *re;
    const char *s;
    size_t len;
    pcre2_match_data *md;
    bool started;
    size_t start, end; /* the last match */
    int error;         /* a PCRE2 error (the match limit) ended the loop */
} finder;

/* One character on: Java steps one UTF-16 unit; we step one UTF-8 sequence (or one
 * invalid byte) so a piece never splits a character. */
static size_t next_char(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return len + 1;
    unsigned char b = (unsigned char)s[i];
    size_t n = b < 0x80             ? 1
               : (b & 0xE0) == 0xC0 ? 2
               : (b & 0xF0) == 0xE0 ? 3
               : (b & 0xF8) == 0xF0 ? 4
                                    : 1;
    if (i + n > len)
        return i + 1;
    for (size_t k = 1; k < n; k++)
        if (((unsigned char)s[i + k] & 0xC0) != 0x80)
            return i + 1;
    return i + n;
}

static bool find(finder *f)
{
    size_t from = 0;
    if (f->started) {
        from = f->end;
        if (f->end == f->start)
            from = next_char(f->s, f->len, from);
        if (from > f->len)
            return false;
    }
    int rc =
        pcre2_match(f->re->code, (PCRE2_SPTR)(f->s ? f->s : ""), f->len, from, 0, f->md, f->c->mc);
    if (rc < 0) {
        if (rc != PCRE2_ERROR_NOMATCH)
            f->error = rc;
        return false;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(f->md);
    f->started = true;
    f->start = ov[0];
    f->end = ov[1] < ov[0] ? ov[0] : ov[1];
    return true;
}

static void finder_init(finder *f, const gh_jregex *re, const char *s, size_t len)
{
    memset(f, 0, sizeof *f);
    f->c = get_cache();
    f->re = re;
    f->s = s;
    f->len = len;
    f->md = match_data(f->c, re);
}

static bool is_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Java's exception message for a bad replacement; arg (len bytes) fills fmt's %.*s. */
static bool repl_error(const char **error, const char *fmt, const char *arg, int len)
{
    snprintf(tls_error, sizeof tls_error, fmt, len, arg);
    if (error)
        *error = tls_error;
    return false;
}

static bool repl_fail(const char **error, const char *msg)
{
    return repl_error(error, "%.*s", msg, (int)strlen(msg));
}

/* Matcher.appendReplacement's expansion of rep for the current match. */
static bool expand(finder *f, gh_buf *out, const char *rep, size_t rlen, const char **error)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(f->md);
    size_t i = 0;
    while (i < rlen) {
        char c = rep[i];
        if (c == '\\') {
            if (++i == rlen)
                return repl_fail(error, "character to be escaped is missing");
            gh_buf_putc(out, rep[i++]);
            continue;
        }
        if (c != '$') {
            gh_buf_putc(out, c);
            i++;
            continue;
        }
        if (++i == rlen)
            return repl_fail(error, "Illegal group reference: group index is missing");
        long ref;
        if (rep[i] == '{') {
            size_t n0 = ++i;
            while (i < rlen && is_ascii_alnum(rep[i]))
                i++;
            int nlen = (int)(i - n0);
            if (!nlen)
                return repl_fail(error, "named capturing group has 0 length name");
            if (i == rlen || rep[i] != '}')
                return repl_fail(error, "named capturing group is missing trailing '}'");
            if (rep[n0] >= '0' && rep[n0] <= '9')
                return repl_error(error, "capturing group name {%.*s} starts with digit character",
                                  rep + n0, nlen);
            char name[128];
            if ((size_t)nlen >= sizeof name)
                return repl_error(error, "No group with name {%.*s}", rep + n0, 64);
            memcpy(name, rep + n0, (size_t)nlen);
            name[nlen] = '\0';
            int num = pcre2_substring_number_from_name(f->re->code, (PCRE2_SPTR)name);
            if (num < 0)
                return repl_error(error, "No group with name {%.*s}", name, nlen);
            ref = num;
            i++;
        } else {
            if (rep[i] < '0' || rep[i] > '9')
                return repl_fail(error, "Illegal group reference");
            ref = rep[i++] - '0';
            /* the longest number that is still a group */
            while (i < rlen && rep[i] >= '0' && rep[i] <= '9') {
                long more = ref * 10 + (rep[i] - '0');
                if (more > (long)f->re->groups)
                    break;
                ref = more;
                i++;
            }
            if (ref > (long)f->re->groups) {
                char num[24];
                int nl = snprintf(num, sizeof num, "%ld", ref);
                return repl_error(error, "No group %.*s", num, nl);
            }
        }
        PCRE2_SIZE gs = ov[2 * ref], ge = ov[2 * ref + 1];
        if (gs != PCRE2_UNSET && ge != PCRE2_UNSET && ge >= gs) {
            /* Checked per group, not per match: one replacement of a thousand "$0" on a
             * long match would otherwise take gigabytes before the caller's check. */
            if (out->len + (ge - gs) > REPLACE_MAX_RESULT) {
                if (error)
                    *error = "the result exceeds the 10 MB output limit";
                return false;
            }
            gh_buf_append(out, f->s + gs, ge - gs);
        }
    }
    return true;
}

char *gh_jregex_replace(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                        const char *replacement, size_t rlen, bool all, size_t *out_len,
                        const char **error)
{
    finder f;
    finder_init(&f, re, s, len);
    gh_buf out = GH_BUF_INIT;
    size_t tail = 0;
    bool ok = true;
    /* Java parses the replacement only when something matched: "abc".replaceAll("x",
     * "$9") is "abc", not an error. */
    while (find(&f)) {
        gh_buf_append(&out, s + tail, f.start - tail);
        if (!(ok = expand(&f, &out, replacement, rlen, error)))
            break;
        /* "$0$0" doubles a string per call: past API Gateway's 10 MB payload limit no
         * template could print the result, so stop before it takes the memory. */
        if (out.len > REPLACE_MAX_RESULT) {
            if (error)
                *error = "the result exceeds the 10 MB output limit";
            ok = false;
            break;
        }
        tail = f.end;
        if (!all)
            break;
    }
    if (ok && f.error) {
        snprintf(tls_error, sizeof tls_error,
                 "regex match failed (PCRE2 error %d: the pattern "
                 "backtracks too much on this text)",
                 f.error);
        if (error)
            *error = tls_error;
        ok = false;
    }
    char *res = NULL;
    if (ok) {
        gh_buf_append(&out, s + tail, len - tail);
        *out_len = out.len;
        res = gh_arena_strndup(a, out.data ? out.data : "", out.len);
    }
    gh_buf_free(&out);
    return res;
}

size_t gh_jregex_split_limit(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                             long limit, const char ***starts, size_t **lens)
{
    size_t cap = 8, n = 0, index = 0;
    const char **st = gh_arena_alloc(a, cap * sizeof *st);
    size_t *ln = gh_arena_alloc(a, cap * sizeof *ln);
    finder f;
    finder_init(&f, re, s, len);
    bool matched = false;
#define PUSH(from, to)                                                                             \
    do {                                                                                           \
        if (n == cap) {                                                                            \
            const char **nst = gh_arena_alloc(a, 2 * cap * sizeof *nst);                           \
            size_t *nln = gh_arena_alloc(a, 2 * cap * sizeof *nln);                                \
            memcpy(nst, st, cap * sizeof *st);                                                     \
            memcpy(nln, ln, cap * sizeof *ln);                                                     \
            st = nst, ln = nln, cap *= 2;                                                          \
        }                                                                                          \
        st[n] = s + (from);                                                                        \
        ln[n++] = (to) - (from);                                                                   \
    } while (0)
    /* Pattern.split, Java 8+ */
    while (find(&f)) {
        if (limit <= 0 || n < (size_t)limit - 1) {
            if (index == 0 && f.start == 0 && f.end == 0)
                continue; /* no leading empty piece for a zero-width match at 0 */
            PUSH(index, f.start);
            index = f.end;
            matched = true;
        } else {
            break; /* n == limit - 1: the rest of s is the last piece */
        }
    }
    if (!matched) {
        /* Java: "if no match was found, return this" (index still 0) */
        st[0] = s;
        ln[0] = len;
        n = 1;
    } else {
        PUSH(index, len);
        if (limit == 0)
            while (n > 0 && ln[n - 1] == 0)
                n--;
    }
#undef PUSH
    tls_gave_up = f.error != 0;
    *starts = st;
    *lens = ln;
    return n;
}

size_t gh_jregex_split(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                       const char ***starts, size_t **lens)
{
    return gh_jregex_split_limit(a, re, s, len, 0, starts, lens);
}
