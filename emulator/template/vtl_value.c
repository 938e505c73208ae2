/* VTL values (vtl_value.h): construction, Java-style printing and comparison, and the
 * bridge to jansson. Printing is where AWS's output is decided byte by byte, so the
 * rules of Java's toString are followed exactly (AbstractCollection, AbstractMap,
 * Double.toString) and JSON lists print as json-smart prints them. */
#include "template/vtl_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/vtl.h"

/* Templates build values the JSON parser never would: a list that contains itself
 * ($l.add($l)), or one nested a million deep by a #set in nested loops, or a small tree
 * of shared lists whose text doubles with each level. Printing, comparing and converting
 * walk values recursively, so each walk stops at GH_V_MAX_DEPTH (above jansson's 2048,
 * so every JSON body still prints) and printing stops at the output limit; comparisons
 * also stop after GH_V_MAX_VISITS elements. Java would overflow its stack or run out of
 * memory on the same values, and AWS would answer 500; we fail the render with a message
 * instead (or, where no render is at hand, treat the values as different). */
#define GH_V_MAX_DEPTH 2100
#define GH_V_MAX_VISITS (1u << 20)

gh_vval gh_v_null(void)
{
    return (gh_vval){.kind = GH_V_NULL};
}

gh_vval gh_v_bool(bool b)
{
    return (gh_vval){.kind = GH_V_BOOL, .u.b = b};
}

gh_vval gh_v_int(int64_t i)
{
    return (gh_vval){.kind = GH_V_INT, .u.i = i};
}

gh_vval gh_v_double(double d)
{
    return (gh_vval){.kind = GH_V_DOUBLE, .u.d = d};
}

gh_vval gh_v_strn(const char *s, size_t len)
{
    if (!s)
        return gh_v_null();
    return (gh_vval){.kind = GH_V_STRING, .u.str = {s, len}};
}

gh_vval gh_v_str(const char *s)
{
    return s ? gh_v_strn(s, strlen(s)) : gh_v_null();
}

gh_vval gh_v_strdup(gh_arena *a, const char *s, size_t len)
{
    return gh_v_strn(gh_arena_strndup(a, s ? s : "", len), len);
}

gh_vval gh_v_host(const gh_vhost_class *cls, void *self)
{
    return (gh_vval){.kind = GH_V_HOST, .u.host = {cls, self}};
}

gh_vval gh_v_list(gh_arena *a, size_t hint, bool json)
{
    gh_vlist *l = gh_arena_calloc(a, sizeof *l);
    l->json = json;
    if (hint) {
        l->items = gh_arena_alloc(a, hint * sizeof *l->items);
        l->cap = hint;
    }
    return (gh_vval){.kind = GH_V_LIST, .u.list = l};
}

gh_vval gh_v_map(gh_arena *a, size_t hint, bool json)
{
    gh_vmap *m = gh_arena_calloc(a, sizeof *m);
    m->json = json;
    if (hint) {
        m->items = gh_arena_alloc(a, hint * sizeof *m->items);
        m->cap = hint;
    }
    return (gh_vval){.kind = GH_V_MAP, .u.map = m};
}

/* Arena arrays cannot realloc: grow by copying into a block twice the size. */
static void *grow(gh_arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = gh_arena_alloc(a, ncap * size);
    if (n)
        memcpy(p, items, n * size);
    *cap = ncap;
    return p;
}

void gh_vlist_add(gh_arena *a, gh_vlist *l, gh_vval v)
{
    if (l->n == l->cap)
        l->items = grow(a, l->items, l->n, &l->cap, sizeof *l->items);
    l->items[l->n++] = v;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Maps up to this many keys are scanned; larger ones get a hash index. */
#define INDEX_MIN 16

static uint64_t key_hash(const char *k, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211u;
    return h;
}

static void index_add(gh_vmap *m, size_t i)
{
    size_t mask = m->index_cap - 1;
    size_t slot = (size_t)key_hash(m->items[i].key, m->items[i].klen) & mask;
    while (m->index[slot])
        slot = (slot + 1) & mask;
    m->index[slot] = (uint32_t)(i + 1);
}

/* A table at most half full, so probes stay short. */
static void index_build(gh_arena *a, gh_vmap *m)
{
    size_t cap = 64;
    while (cap < 2 * (m->n + 1))
        cap *= 2;
    m->index = gh_arena_calloc(a, cap * sizeof *m->index);
    m->index_cap = cap;
    for (size_t i = 0; i < m->n; i++)
        index_add(m, i);
}

gh_vmap_entry *gh_vmap_find(const gh_vmap *m, const char *key, size_t klen)
{
    if (m->index) {
        size_t mask = m->index_cap - 1;
        for (size_t slot = (size_t)key_hash(key, klen) & mask; m->index[slot];
             slot = (slot + 1) & mask) {
            gh_vmap_entry *e = &m->items[m->index[slot] - 1];
            if (e->klen == klen && memcmp(e->key, key, klen) == 0)
                return e;
        }
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].klen == klen && memcmp(m->items[i].key, key, klen) == 0)
            return &m->items[i];
    return NULL;
}

gh_vmap_entry *gh_vmap_conflict(const gh_vmap *m, const char *key, size_t klen)
{
    if (!m->write_once)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        const gh_vmap_entry *e = &m->items[i];
        if (e->klen != klen)
            continue;
        size_t k = 0;
        if (m->fold_case)
            while (k < klen && ascii_lower(e->key[k]) == ascii_lower(key[k]))
                k++;
        else
            k = memcmp(e->key, key, klen) == 0 ? klen : 0;
        if (k == klen)
            return &m->items[i];
    }
    return NULL;
}

gh_vval gh_vmap_put(gh_arena *a, gh_vmap *m, const char *key, size_t klen, gh_vval v)
{
    gh_vmap_entry *e = gh_vmap_find(m, key, klen);
    if (e) {
        gh_vval old = e->value;
        e->value = v;
        return old;
    }
    if (m->n == m->cap)
        m->items = grow(a, m->items, m->n, &m->cap, sizeof *m->items);
    m->items[m->n++] = (gh_vmap_entry){key, klen, v};
    if (m->index && 2 * m->n <= m->index_cap)
        index_add(m, m->n - 1);
    else if (m->n > INDEX_MIN)
        index_build(a, m);
    return gh_v_null();
}

gh_vval gh_vmap_remove(gh_vmap *m, const char *key, size_t klen)
{
    gh_vmap_entry *e = gh_vmap_find(m, key, klen);
    if (!e)
        return gh_v_null();
    gh_vval old = e->value;
    size_t i = (size_t)(e - m->items);
    memmove(&m->items[i], &m->items[i + 1], (m->n - i - 1) * sizeof *m->items);
    m->n--;
    m->index = NULL; /* positions moved: the next put rebuilds it */
    m->index_cap = 0;
    return old;
}

void gh_vmap_clear(gh_vmap *m)
{
    m->n = 0;
    m->index = NULL;
    m->index_cap = 0;
}

bool gh_v_truthy(gh_vval v)
{
    if (v.kind == GH_V_NULL)
        return false;
    if (v.kind == GH_V_BOOL)
        return v.u.b;
    return true;
}

static bool is_number(gh_vval v)
{
    return v.kind == GH_V_INT || v.kind == GH_V_DOUBLE;
}

static double as_double(gh_vval v)
{
    return v.kind == GH_V_INT ? (double)v.u.i : v.u.d;
}

static bool str_equal(gh_vval a, gh_vval b)
{
    return a.u.str.len == b.u.str.len && memcmp(a.u.str.s, b.u.str.s, a.u.str.len) == 0;
}

static void print_capped(gh_vtl_rt *rt, gh_vval v, gh_buf *out, size_t limit, bool json);

static bool equal_rec(gh_vval a, gh_vval b, unsigned depth, size_t *visits)
{
    if (depth > GH_V_MAX_DEPTH || ++*visits > GH_V_MAX_VISITS)
        return false;
    if (a.kind == GH_V_NULL || b.kind == GH_V_NULL) {
        gh_vval other = a.kind == GH_V_NULL ? b : a;
        return other.kind == GH_V_NULL || (other.kind == GH_V_STRING && other.u.str.len == 0);
    }
    if (is_number(a) && is_number(b)) {
        if (a.kind == GH_V_INT && b.kind == GH_V_INT)
            return a.u.i == b.u.i;
        return as_double(a) == as_double(b);
    }
    if (a.kind == b.kind) {
        switch (a.kind) {
        case GH_V_BOOL: return a.u.b == b.u.b;
        case GH_V_STRING: return str_equal(a, b);
        case GH_V_LIST:
            if (a.u.list == b.u.list) /* ArrayList.equals: o == this */
                return true;
            if (a.u.list->n != b.u.list->n)
                return false;
            for (size_t i = 0; i < a.u.list->n; i++)
                if (!equal_rec(a.u.list->items[i], b.u.list->items[i], depth + 1, visits))
                    return false;
            return true;
        case GH_V_MAP:
            if (a.u.map == b.u.map) /* AbstractMap.equals: o == this */
                return true;
            if (a.u.map->n != b.u.map->n)
                return false;
            for (size_t i = 0; i < a.u.map->n; i++) {
                const gh_vmap_entry *e = &a.u.map->items[i];
                const gh_vmap_entry *f = gh_vmap_find(b.u.map, e->key, e->klen);
                if (!f || !equal_rec(e->value, f->value, depth + 1, visits))
                    return false;
            }
            return true;
        case GH_V_HOST: return a.u.host.self == b.u.host.self && a.u.host.cls == b.u.host.cls;
        default: return false;
        }
    }
    /* Velocity compares objects of different classes by their toString(). A string side
     * needs no printing, and the other side need not print past the first's length. */
    if (b.kind == GH_V_STRING) {
        gh_vval t = a;
        a = b;
        b = t;
    }
    gh_buf x = GH_BUF_INIT, y = GH_BUF_INIT;
    print_capped(NULL, a, &x, GH_VTL_MAX_OUTPUT, false);
    print_capped(NULL, b, &y, x.len + 1, false);
    bool eq = x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
    gh_buf_free(&x);
    gh_buf_free(&y);
    return eq;
}

bool gh_v_equal(gh_vval a, gh_vval b)
{
    size_t visits = 0;
    return equal_rec(a, b, 0, &visits);
}

bool gh_v_compare(gh_vval a, gh_vval b, int *cmp)
{
    if (is_number(a) && is_number(b)) {
        if (a.kind == GH_V_INT && b.kind == GH_V_INT)
            *cmp = a.u.i < b.u.i ? -1 : a.u.i > b.u.i;
        else {
            double x = as_double(a), y = as_double(b);
            if (isnan(x) || isnan(y))
                return false;
            *cmp = x < y ? -1 : x > y;
        }
        return true;
    }
    if (a.kind == GH_V_STRING && b.kind == GH_V_STRING) {
        size_t n = a.u.str.len < b.u.str.len ? a.u.str.len : b.u.str.len;
        int c = n ? memcmp(a.u.str.s, b.u.str.s, n) : 0;
        if (c == 0)
            c = a.u.str.len < b.u.str.len ? -1 : a.u.str.len > b.u.str.len;
        *cmp = c < 0 ? -1 : c > 0;
        return true;
    }
    return false;
}

/* The shortest decimal that reads back as mag (> 0, finite) when it has few fractional
 * digits, as most numbers in request bodies do (4.5, 11.25): N / 10^k for the smallest k
 * whose N = round(mag * 10^k) gives mag back. Writes N's digits without trailing zeros to
 * sig and the decimal exponent of the first one to *exp; false when no k qualifies.
 *
 * Why it equals the snprintf/strtod search below: N and 10^k are exact doubles (N below
 * 1e15) and IEEE division rounds correctly, so N / 10^k == mag says the decimal N*10^-k
 * reads back as mag. Requiring 10^-k > 4 ulp(mag) leaves one k-digit decimal within
 * half an ulp, so it is the correctly rounded one, and makes round(mag * 10^k) land on the
 * decimal for any smaller k that would read back too (the product is off that decimal by
 * under 1/8 from rounding mag and 1/8 from rounding the product), so the first k found
 * is the fewest digits, as the search finds. */
static bool short_decimal(double mag, char *sig, size_t *ns, int *exp)
{
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
    double ulp = nextafter(mag, INFINITY) - mag;
    for (int k = 0; k < (int)(sizeof pow10 / sizeof *pow10); k++) {
        double x = mag * pow10[k];
        if (x >= 1e15 || ulp * 4 * pow10[k] >= 1)
            return false;
        double n = nearbyint(x);
        if (n == 0 || n / pow10[k] != mag)
            continue;
        char digits[24];
        int len = 0;
        uint64_t v = (uint64_t)n;
        do {
            digits[len++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        int skip = 0; /* trailing zeros, first in this reversed order (n > 0) */
        while (skip < len - 1 && digits[skip] == '0')
            skip++;
        *ns = 0;
        for (int i = len - 1; i >= skip; i--)
            sig[(*ns)++] = digits[i];
        *exp = len - 1 - k;
        return true;
    }
    return false;
}

/* Java's Double.toString: the shortest decimal that reads back as d, in plain notation
 * for 1e-3 <= |d| < 1e7 (always with a fractional digit: "1.0") and otherwise as
 * computerized scientific notation ("1.0E10", "1.5E-5"). */
void gh_v_print_double(double d, gh_buf *out)
{
    if (isnan(d)) {
        gh_buf_puts(out, "NaN");
        return;
    }
    if (isinf(d)) {
        gh_buf_puts(out, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        gh_buf_puts(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    bool neg = signbit(d);
    double mag = fabs(d);
    char sig[24];
    size_t ns = 0;
    int exp;
    if (!short_decimal(mag, sig, &ns, &exp)) {
        char digits[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(digits, sizeof digits, "%.*e", prec - 1, mag);
            if (strtod(digits, NULL) == mag)
                break;
        }
        /* digits is "d.ddde+XX": split into significant digits and exponent. */
        const char *p = digits;
        for (; *p && *p != 'e'; p++)
            if (*p != '.')
                sig[ns++] = *p;
        while (ns > 1 && sig[ns - 1] == '0')
            ns--;
        exp = atoi(p + 1);
    }
    if (neg)
        gh_buf_putc(out, '-');
    if (mag >= 1e-3 && mag < 1e7) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++)
                gh_buf_putc(out, (size_t)i < ns ? sig[i] : '0');
            gh_buf_putc(out, '.');
            if ((size_t)exp + 1 >= ns)
                gh_buf_putc(out, '0');
            else
                gh_buf_append(out, sig + exp + 1, ns - (size_t)exp - 1);
        } else {
            gh_buf_puts(out, "0.");
            for (int i = 0; i < -exp - 1; i++)
                gh_buf_putc(out, '0');
            gh_buf_append(out, sig, ns);
        }
        return;
    }
    gh_buf_putc(out, sig[0]);
    gh_buf_putc(out, '.');
    if (ns > 1)
        gh_buf_append(out, sig + 1, ns - 1);
    else
        gh_buf_putc(out, '0');
    gh_buf_printf(out, "E%d", exp);
}

static void print_json_string(const char *s, size_t len, gh_buf *out)
{
    gh_buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': gh_buf_puts(out, "\\\""); break;
        case '\\': gh_buf_puts(out, "\\\\"); break;
        case '\n': gh_buf_puts(out, "\\n"); break;
        case '\r': gh_buf_puts(out, "\\r"); break;
        case '\t': gh_buf_puts(out, "\\t"); break;
        case '\b': gh_buf_puts(out, "\\b"); break;
        case '\f': gh_buf_puts(out, "\\f"); break;
        default:
            if (c < 0x20)
                gh_buf_printf(out, "\\u%04x", c);
            else
                gh_buf_putc(out, (char)c);
        }
    }
    gh_buf_putc(out, '"');
}

/* One walk printing a value: where it may stop (out->len past limit), and whether it
 * stopped. rt, when there is one, hears why. */
typedef struct printer {
    gh_vtl_rt *rt;
    gh_buf *out;
    size_t limit;
    bool stop;
} printer;

static bool stopped(printer *p)
{
    if (p->out->len > p->limit) { /* cut here, closing brackets of outer levels too */
        p->out->len = p->limit;
        p->out->data[p->limit] = 0;
        if (!p->stop && p->rt)
            gh_vtl_fail(p->rt, "template output exceeds %zu bytes",
                        p->rt->max_output ? p->rt->max_output : (size_t)GH_VTL_MAX_OUTPUT);
        p->stop = true;
    }
    return p->stop;
}

static bool too_deep(printer *p, unsigned depth)
{
    if (depth <= GH_V_MAX_DEPTH)
        return false;
    p->stop = true;
    if (p->rt)
        gh_vtl_fail(p->rt, "cannot print a list or map nested more than %d deep (does it "
                           "contain itself through another one?)",
                    GH_V_MAX_DEPTH);
    return true;
}

static void print_json_rec(printer *p, gh_vval v, unsigned depth)
{
    gh_buf *out = p->out;
    if (too_deep(p, depth))
        return;
    switch (v.kind) {
    case GH_V_NULL:
    case GH_V_HOST: gh_buf_puts(out, "null"); break;
    case GH_V_BOOL: gh_buf_puts(out, v.u.b ? "true" : "false"); break;
    case GH_V_INT: gh_buf_printf(out, "%lld", (long long)v.u.i); break;
    case GH_V_DOUBLE: gh_v_print_double(v.u.d, out); break;
    case GH_V_STRING: print_json_string(v.u.str.s, v.u.str.len, out); break;
    case GH_V_LIST:
        gh_buf_putc(out, '[');
        for (size_t i = 0; i < v.u.list->n && !stopped(p); i++) {
            if (i)
                gh_buf_putc(out, ',');
            print_json_rec(p, v.u.list->items[i], depth + 1);
        }
        gh_buf_putc(out, ']');
        break;
    case GH_V_MAP:
        gh_buf_putc(out, '{');
        for (size_t i = 0; i < v.u.map->n && !stopped(p); i++) {
            const gh_vmap_entry *e = &v.u.map->items[i];
            if (i)
                gh_buf_putc(out, ',');
            print_json_string(e->key, e->klen, out);
            gh_buf_putc(out, ':');
            print_json_rec(p, e->value, depth + 1);
        }
        gh_buf_putc(out, '}');
        break;
    }
    stopped(p);
}

void gh_v_print_json(gh_vval v, gh_buf *out)
{
    printer p = {NULL, out, out->len + GH_VTL_MAX_OUTPUT, false};
    print_json_rec(&p, v, 0);
}

static void print_rec(printer *p, gh_vval v, unsigned depth);

/* An element inside a collection: Java prints a null element as "null", and the
 * collection itself, when it holds itself, as "(this Collection)" or "(this Map)"
 * (AbstractCollection.toString, AbstractMap.toString). */
static void print_inner(printer *p, gh_vval v, const void *self, unsigned depth)
{
    if (v.kind == GH_V_NULL)
        gh_buf_puts(p->out, "null");
    else if (v.kind == GH_V_LIST && v.u.list == self)
        gh_buf_puts(p->out, "(this Collection)");
    else if (v.kind == GH_V_MAP && v.u.map == self)
        gh_buf_puts(p->out, "(this Map)");
    else
        print_rec(p, v, depth);
}

static void print_rec(printer *p, gh_vval v, unsigned depth)
{
    gh_buf *out = p->out;
    if (too_deep(p, depth))
        return;
    switch (v.kind) {
    case GH_V_NULL: break;
    case GH_V_BOOL: gh_buf_puts(out, v.u.b ? "true" : "false"); break;
    case GH_V_INT: gh_buf_printf(out, "%lld", (long long)v.u.i); break;
    case GH_V_DOUBLE: gh_v_print_double(v.u.d, out); break;
    case GH_V_STRING: gh_buf_append(out, v.u.str.s, v.u.str.len); break;
    case GH_V_LIST:
        if (v.u.list->json) {
            print_json_rec(p, v, depth);
            break;
        }
        gh_buf_putc(out, '[');
        for (size_t i = 0; i < v.u.list->n && !stopped(p); i++) {
            if (i)
                gh_buf_puts(out, ", ");
            print_inner(p, v.u.list->items[i], v.u.list, depth + 1);
        }
        gh_buf_putc(out, ']');
        break;
    case GH_V_MAP:
        gh_buf_putc(out, '{');
        for (size_t i = 0; i < v.u.map->n && !stopped(p); i++) {
            const gh_vmap_entry *e = &v.u.map->items[i];
            if (i)
                gh_buf_puts(out, ", ");
            gh_buf_append(out, e->key, e->klen);
            gh_buf_putc(out, '=');
            print_inner(p, e->value, v.u.map, depth + 1);
        }
        gh_buf_putc(out, '}');
        break;
    case GH_V_HOST:
        if (v.u.host.cls && v.u.host.cls->print)
            v.u.host.cls->print(p->rt, v.u.host.self, out);
        break;
    }
    stopped(p);
}

static void print_capped(gh_vtl_rt *rt, gh_vval v, gh_buf *out, size_t limit, bool json)
{
    printer p = {rt, out, out->len + limit, false};
    if (json)
        print_json_rec(&p, v, 0);
    else
        print_rec(&p, v, 0);
}

void gh_v_print(gh_vtl_rt *rt, gh_vval v, gh_buf *out)
{
    size_t max = rt && rt->max_output ? rt->max_output : GH_VTL_MAX_OUTPUT;
    print_capped(rt, v, out, max, false);
}

const char *gh_v_to_text(gh_vtl_rt *rt, gh_arena *a, gh_vval v, size_t *len)
{
    if (v.kind == GH_V_STRING) {
        *len = v.u.str.len;
        return gh_arena_strndup(a, v.u.str.s, v.u.str.len);
    }
    gh_buf b = GH_BUF_INIT;
    gh_v_print(rt, v, &b);
    *len = b.len;
    char *s = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return s;
}

gh_vval gh_v_from_json(gh_arena *a, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        gh_vval m = gh_v_map(a, json_object_size(j), true);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            size_t klen = strlen(k);
            gh_vmap_put(a, m.u.map, gh_arena_strndup(a, k, klen), klen, gh_v_from_json(a, v));
        }
        return m;
    }
    case JSON_ARRAY: {
        gh_vval l = gh_v_list(a, json_array_size(j), true);
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) gh_vlist_add(a, l.u.list, gh_v_from_json(a, v));
        return l;
    }
    case JSON_STRING:
        return gh_v_strn(gh_arena_strndup(a, json_string_value(j), json_string_length(j)),
                         json_string_length(j));
    case JSON_INTEGER: return gh_v_int(json_integer_value(j));
    case JSON_REAL: return gh_v_double(json_real_value(j));
    case JSON_TRUE: return gh_v_bool(true);
    case JSON_FALSE: return gh_v_bool(false);
    default: return gh_v_null();
    }
}

static json_t *to_json_rec(gh_vval v, unsigned depth, size_t *visits)
{
    if (depth > GH_V_MAX_DEPTH || ++*visits > GH_V_MAX_VISITS)
        return json_null();
    switch (v.kind) {
    case GH_V_BOOL: return json_boolean(v.u.b);
    case GH_V_INT: return json_integer(v.u.i);
    case GH_V_DOUBLE: return isfinite(v.u.d) ? json_real(v.u.d) : json_null();
    case GH_V_STRING: return json_stringn_nocheck(v.u.str.s, v.u.str.len);
    case GH_V_LIST: {
        json_t *arr = json_array();
        for (size_t i = 0; i < v.u.list->n; i++)
            json_array_append_new(arr, to_json_rec(v.u.list->items[i], depth + 1, visits));
        return arr;
    }
    case GH_V_MAP: {
        json_t *obj = json_object();
        for (size_t i = 0; i < v.u.map->n; i++) {
            const gh_vmap_entry *e = &v.u.map->items[i];
            json_object_setn_new_nocheck(obj, e->key, e->klen, to_json_rec(e->value, depth + 1, visits));
        }
        return obj;
    }
    default: return json_null();
    }
}

json_t *gh_v_to_json(gh_vval v)
{
    size_t visits = 0;
    return to_json_rec(v, 0, &visits);
}

const char *gh_v_kind_name(gh_vkind k)
{
    static const char *const names[] = {"null",   "a boolean", "an integer", "a number",
                                        "a string", "a list",  "a map",      "an object"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "a value";
}
