/* Matching a published message against a compiled filter policy (filter_policy.c),
 * as the SNS Developer Guide's "Amazon SNS message filtering" pages describe it:
 * keys AND-ed, a key's conditions OR-ed, "$or" groups; a key absent from the message
 * matches only {"exists": false}.
 *
 * Values come from the message attributes (String values are strings, Number values
 * numbers, String.Array values the array's elements, any of which may match; Binary
 * attributes are not compared at all, as SNS compares only String, String.Array and
 * Number) or from the body parsed as JSON (a nested key's leaf values; arrays met on
 * the way contribute every element). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sim/filter_policy_impl.h"

typedef enum { V_STRING, V_NUMBER, V_BOOL, V_NULL } vkind;

typedef struct fp_value {
    vkind kind;
    const char *s;
    size_t len;
    double num;
    bool b;
} fp_value;

typedef struct fp_values {
    fp_value *v;
    size_t n, cap;
    json_t *keep; /* a parsed String.Array, alive while its strings are used */
    bool present; /* the key exists, even with no comparable value (an empty array) */
} fp_values;

static void add_value(fp_values *vs, fp_value v)
{
    if (vs->n == vs->cap) {
        vs->cap = vs->cap ? vs->cap * 2 : 4;
        vs->v = realloc(vs->v, vs->cap * sizeof *vs->v);
    }
    vs->v[vs->n++] = v;
}

static void add_json_leaf(fp_values *vs, const json_t *j)
{
    if (json_is_string(j))
        add_value(vs, (fp_value){V_STRING, json_string_value(j), json_string_length(j), 0, false});
    else if (json_is_integer(j) || json_is_real(j))
        add_value(vs, (fp_value){V_NUMBER, NULL, 0, json_number_value(j), false});
    else if (json_is_boolean(j))
        add_value(vs, (fp_value){V_BOOL, NULL, 0, 0, json_is_true(j)});
    else if (json_is_null(j))
        add_value(vs, (fp_value){V_NULL, NULL, 0, 0, false});
}

/* ---- conditions ---- */

static bool starts_with(const fp_value *v, const char *p, size_t n)
{
    return v->kind == V_STRING && v->len >= n && !memcmp(v->s, p, n);
}

static bool ends_with(const fp_value *v, const char *p, size_t n)
{
    return v->kind == V_STRING && v->len >= n && !memcmp(v->s + v->len - n, p, n);
}

static bool numeric_holds(fp_op op, double a, double b)
{
    a = gh_fp_quantize(a);
    b = gh_fp_quantize(b);
    switch (op) {
    case FP_OP_EQ: return a == b;
    case FP_OP_LT: return a < b;
    case FP_OP_LE: return a <= b;
    case FP_OP_GT: return a > b;
    case FP_OP_GE: return a >= b;
    }
    return false;
}

static bool in_cidr(const fp_cond *c, const fp_value *v)
{
    if (v->kind != V_STRING || v->len >= 64)
        return false;
    char text[64];
    memcpy(text, v->s, v->len);
    text[v->len] = '\0';
    unsigned char addr[16];
    if (inet_pton(c->net_len == 4 ? AF_INET : AF_INET6, text, addr) != 1)
        return false;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(addr, c->net, (size_t)full))
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (addr[full] & mask) == (c->net[full] & mask);
}

static bool equals_value(const fp_cond *c, const fp_value *v)
{
    switch (c->kind) {
    case FP_STRING: return v->kind == V_STRING && v->len == c->slen && !memcmp(v->s, c->s, c->slen);
    case FP_NUMBER: return v->kind == V_NUMBER && numeric_holds(FP_OP_EQ, v->num, c->num);
    case FP_BOOL: return v->kind == V_BOOL && v->b == c->b;
    case FP_NULL: return v->kind == V_NULL;
    default: return false;
    }
}

static bool cond_matches(const fp_cond *c, const fp_value *v)
{
    switch (c->kind) {
    case FP_STRING:
    case FP_NUMBER:
    case FP_BOOL:
    case FP_NULL: return equals_value(c, v);
    case FP_PREFIX: return starts_with(v, c->s, c->slen);
    case FP_SUFFIX: return ends_with(v, c->s, c->slen);
    case FP_EQUALS_ICASE:
        return v->kind == V_STRING && v->len == c->slen && !strncasecmp(v->s, c->s, c->slen);
    case FP_NUMERIC:
        if (v->kind != V_NUMBER || c->nops == 0)
            return false;
        for (int i = 0; i < c->nops; i++)
            if (!numeric_holds(c->ops[i], v->num, c->vals[i]))
                return false;
        return true;
    case FP_EXISTS: return c->b;
    case FP_CIDR: return in_cidr(c, v);
    case FP_BUT_VALUES:
        for (size_t i = 0; i < c->nalts; i++)
            if (equals_value(&c->alts[i], v))
                return false;
        return true;
    case FP_BUT_PREFIX: return v->kind == V_STRING && !starts_with(v, c->s, c->slen);
    case FP_BUT_SUFFIX: return v->kind == V_STRING && !ends_with(v, c->s, c->slen);
    }
    return false;
}

/* A leaf term against the values found at its path (none: the key is absent). */
static bool leaf_matches(const fp_term *t, const fp_values *vs)
{
    for (size_t i = 0; i < t->nconds; i++) {
        const fp_cond *c = &t->conds[i];
        if (c->kind == FP_EXISTS) {
            if (c->b == (vs->present || vs->n > 0))
                return true;
            continue;
        }
        for (size_t k = 0; k < vs->n; k++)
            if (cond_matches(c, &vs->v[k]))
                return true;
    }
    return false;
}

/* ---- attribute scope ---- */

static const gh_sqs_attr *find_attr(const gh_sqs_attr *attrs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (attrs[i].name && !strcmp(attrs[i].name, name))
            return &attrs[i];
    return NULL;
}

static bool type_is(const char *data_type, const char *base)
{
    size_t n = strlen(base);
    return !strncmp(data_type, base, n) && (data_type[n] == '\0' || data_type[n] == '.');
}

static void attr_values(const gh_sqs_attr *a, fp_values *vs)
{
    const char *t = a->data_type ? a->data_type : "";
    const char *s = a->string_value;
    if (!s)
        return;
    if (!strcmp(t, "String.Array")) {
        vs->keep = json_loads(s, JSON_DECODE_ANY, NULL);
        if (json_is_array(vs->keep))
            for (size_t i = 0; i < json_array_size(vs->keep); i++)
                add_json_leaf(vs, json_array_get(vs->keep, i));
    } else if (type_is(t, "Number")) {
        char *end;
        double d = strtod(s, &end);
        if (end != s && *end == '\0')
            add_value(vs, (fp_value){V_NUMBER, NULL, 0, d, false});
    } else if (type_is(t, "String")) {
        add_value(vs, (fp_value){V_STRING, s, strlen(s), 0, false});
    }
}

static bool node_matches_attrs(const fp_node *n, const gh_sqs_attr *attrs, size_t na)
{
    for (size_t i = 0; i < n->n; i++) {
        const fp_term *t = &n->terms[i];
        bool ok = false;
        if (t->is_or) {
            for (size_t k = 0; k < t->nalts && !ok; k++)
                ok = node_matches_attrs(&t->alts[k], attrs, na);
        } else {
            fp_values vs = {0};
            const gh_sqs_attr *a = t->depth == 1 ? find_attr(attrs, na, t->path[0]) : NULL;
            if (a && a->data_type && !type_is(a->data_type, "Binary")) {
                attr_values(a, &vs);
                vs.present = true;
            }
            ok = leaf_matches(t, &vs);
            free(vs.v);
            json_decref(vs.keep);
        }
        if (!ok)
            return false;
    }
    return true;
}

bool gh_filter_policy_match_attributes(const gh_filter_policy *fp, const gh_sqs_attr *attrs,
                                       size_t n)
{
    return fp && node_matches_attrs(&fp->root, attrs, n);
}

/* ---- body scope ---- */

static void collect(const json_t *j, char *const *path, size_t depth, fp_values *vs)
{
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++)
            collect(json_array_get(j, i), path, depth, vs);
        return;
    }
    if (depth == 0) {
        add_json_leaf(vs, j); /* objects are not leaves: they add nothing */
        return;
    }
    if (json_is_object(j)) {
        const json_t *next = json_object_get(j, path[0]);
        if (next)
            collect(next, path + 1, depth - 1, vs);
    }
}

static bool node_matches_body(const fp_node *n, const json_t *body)
{
    for (size_t i = 0; i < n->n; i++) {
        const fp_term *t = &n->terms[i];
        bool ok = false;
        if (t->is_or) {
            for (size_t k = 0; k < t->nalts && !ok; k++)
                ok = node_matches_body(&t->alts[k], body);
        } else {
            fp_values vs = {0};
            collect(body, t->path, t->depth, &vs);
            ok = leaf_matches(t, &vs);
            free(vs.v);
        }
        if (!ok)
            return false;
    }
    return true;
}

bool gh_filter_policy_match_body(const gh_filter_policy *fp, const json_t *body)
{
    return fp && json_is_object(body) && node_matches_body(&fp->root, body);
}
