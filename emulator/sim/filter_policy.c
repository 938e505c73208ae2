/* Compiling SNS filter policies: the JSON text a subscription's FilterPolicy holds is
 * checked the way SNS checks it on Subscribe / SetSubscriptionAttributes and turned
 * into the tree of filter_policy_impl.h, once, so a publish only walks that tree.
 *
 * The checks and their order follow SNS: at most five top-level keys, then the shape
 * (every key holds an array of conditions or, in body scope, an object of nested keys;
 * no empty arrays), then the complexity (at most 150 value combinations, counted as
 * the Developer Guide's "Filter policy constraints" page counts them: each array's
 * length times its nesting depth, multiplied across keys; the branches of "$or"
 * added), then every condition's syntax. Error texts are SNS's InvalidParameter
 * messages ("Invalid parameter: FilterPolicy: ..."). */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/filter_policy_impl.h"

#define FP_MAX_KEYS 5
#define FP_MAX_COMBINATIONS 150
#define FP_PREFIX_TEXT "Invalid parameter: FilterPolicy: "

typedef struct fp_compiler {
    char *err;
    size_t errlen;
    bool failed;        /* a shape error: reported at once */
    char rule_err[256]; /* the first condition error: reported after complexity */
    bool nested;
} fp_compiler;

static void shape_error(fp_compiler *c, const char *fmt, const char *arg)
{
    if (c->failed)
        return;
    c->failed = true;
    char reason[300];
    snprintf(reason, sizeof reason, fmt, arg ? arg : "");
    snprintf(c->err, c->errlen, FP_PREFIX_TEXT "%s", reason);
}

static void rule_error(fp_compiler *c, const char *fmt, const char *arg)
{
    if (c->rule_err[0])
        return;
    char reason[200];
    snprintf(reason, sizeof reason, fmt, arg ? arg : "");
    snprintf(c->rule_err, sizeof c->rule_err, FP_PREFIX_TEXT "%s", reason);
}

double gh_fp_quantize(double d)
{
    return round(d * 100000.0);
}

/* ---- freeing ---- */

static void free_cond(fp_cond *c)
{
    free(c->s);
    for (size_t i = 0; i < c->nalts; i++)
        free_cond(&c->alts[i]);
    free(c->alts);
}

static void free_node(fp_node *n)
{
    for (size_t i = 0; i < n->n; i++) {
        fp_term *t = &n->terms[i];
        for (size_t k = 0; k < t->depth; k++)
            free(t->path[k]);
        free(t->path);
        for (size_t k = 0; k < t->nconds; k++)
            free_cond(&t->conds[k]);
        free(t->conds);
        for (size_t k = 0; k < t->nalts; k++)
            free_node(&t->alts[k]);
        free(t->alts);
    }
    free(n->terms);
}

void gh_filter_policy_free(gh_filter_policy *fp)
{
    if (!fp)
        return;
    free_node(&fp->root);
    free(fp);
}

/* ---- conditions ---- */

static char *dup_str(const json_t *s, size_t *len)
{
    *len = json_string_length(s);
    char *p = malloc(*len + 1);
    memcpy(p, json_string_value(s), *len + 1);
    return p;
}

static bool is_number(const json_t *v)
{
    return json_is_integer(v) || json_is_real(v);
}

static bool parse_op(const char *s, fp_op *op)
{
    static const struct {
        const char *name;
        fp_op op;
    } ops[] = {
        {"=", FP_OP_EQ}, {"<", FP_OP_LT}, {"<=", FP_OP_LE}, {">", FP_OP_GT}, {">=", FP_OP_GE}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(s, ops[i].name)) {
            *op = ops[i].op;
            return true;
        }
    return false;
}

/* A JSON value as the text SNS quotes in its numeric errors. */
static void member_text(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(out, n, "%s", t ? t : "");
        free(t);
    }
}

/* {"numeric": [op, n] | [">"|">=", lo, "<"|"<=", hi]}: SNS's texts for each mistake. */
static void compile_numeric(fp_compiler *c, const json_t *arr, fp_cond *out)
{
    char text[64];
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n == 0) {
        rule_error(c, "Invalid member in numeric match: ]", NULL);
        return;
    }
    const json_t *op1 = json_array_get(arr, 0);
    if (!json_is_string(op1)) {
        member_text(op1, text, sizeof text);
        rule_error(c, "Invalid member in numeric match: %s", text);
        return;
    }
    if (!parse_op(json_string_value(op1), &out->ops[0])) {
        rule_error(c, "Unrecognized numeric range operator: %s", json_string_value(op1));
        return;
    }
    const json_t *v1 = json_array_get(arr, 1);
    if (!v1 || !is_number(v1)) {
        rule_error(c, "Value of %s must be numeric",
                   out->ops[0] == FP_OP_EQ ? "equals" : json_string_value(op1));
        return;
    }
    out->vals[0] = json_number_value(v1);
    out->nops = 1;
    if (n == 2)
        return;
    if (out->ops[0] != FP_OP_GT && out->ops[0] != FP_OP_GE) {
        rule_error(c, "Too many elements in numeric expression", NULL);
        return;
    }
    const json_t *op2 = json_array_get(arr, 2);
    if (!json_is_string(op2)) {
        member_text(op2, text, sizeof text);
        rule_error(c, "Bad value in numeric range: %s", text);
        return;
    }
    if (!parse_op(json_string_value(op2), &out->ops[1]) ||
        (out->ops[1] != FP_OP_LT && out->ops[1] != FP_OP_LE)) {
        rule_error(c, "Bad numeric range operator: %s", json_string_value(op2));
        return;
    }
    const json_t *v2 = json_array_get(arr, 3);
    if (!v2 || !is_number(v2)) {
        rule_error(c, "Value of %s must be numeric", json_string_value(op2));
        return;
    }
    out->vals[1] = json_number_value(v2);
    if (out->vals[1] <= out->vals[0]) {
        rule_error(c, "Bottom must be less than top", NULL);
        return;
    }
    if (n > 4) {
        rule_error(c, "Too many terms in numeric range expression", NULL);
        return;
    }
    out->nops = 2;
}

static void compile_cidr(fp_compiler *c, const json_t *v, fp_cond *out)
{
    if (!json_is_string(v)) {
        /* SNS answers a non-string cidr with the prefix text. */
        rule_error(c, "prefix match pattern must be a string", NULL);
        return;
    }
    const char *s = json_string_value(v);
    const char *slash = strchr(s, '/');
    if (!slash || strchr(slash + 1, '/')) {
        rule_error(c, "Malformed CIDR, one '/' required", NULL);
        return;
    }
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end) {
        rule_error(c, "Malformed CIDR, mask bits must be an integer", NULL);
        return;
    }
    char addr[64];
    size_t alen = (size_t)(slash - s);
    if (alen >= sizeof addr)
        alen = sizeof addr - 1;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (inet_pton(AF_INET, addr, out->net) == 1 && bits >= 0 && bits <= 32)
        out->net_len = 4;
    else if (inet_pton(AF_INET6, addr, out->net) == 1 && bits >= 0 && bits <= 128)
        out->net_len = 16;
    else {
        rule_error(c, "Nonstandard IP address: %s", addr);
        return;
    }
    out->bits = (int)bits;
}

static bool compile_value(fp_compiler *c, const json_t *v, fp_cond *out);

static void compile_anything_but(fp_compiler *c, const json_t *v, fp_cond *out)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *inner;
        json_object_foreach((json_t *)v, k, inner)
        {
            if (strcmp(k, "prefix") && strcmp(k, "suffix")) {
                rule_error(c, "Unsupported anything-but pattern: %s", k);
                return;
            }
        }
        if (json_object_size(v) != 1) {
            rule_error(c, "Only one key allowed in match expression", NULL);
            return;
        }
        const char *key = json_object_iter_key(json_object_iter((json_t *)v));
        inner = json_object_get(v, key);
        if (!json_is_string(inner)) {
            rule_error(c, "%s match pattern must be a string", key);
            return;
        }
        out->kind = strcmp(key, "prefix") ? FP_BUT_SUFFIX : FP_BUT_PREFIX;
        out->s = dup_str(inner, &out->slen);
        return;
    }
    out->kind = FP_BUT_VALUES;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    out->alts = calloc(n ? n : 1, sizeof *out->alts);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        if (!compile_value(c, e, &out->alts[out->nalts]))
            return;
        out->nalts++;
    }
}

/* A plain value: string, number, true/false, null. */
static bool compile_value(fp_compiler *c, const json_t *v, fp_cond *out)
{
    if (json_is_string(v)) {
        out->kind = FP_STRING;
        out->s = dup_str(v, &out->slen);
    } else if (is_number(v)) {
        out->kind = FP_NUMBER;
        out->num = json_number_value(v);
    } else if (json_is_boolean(v)) {
        out->kind = FP_BOOL;
        out->b = json_is_true(v);
    } else if (json_is_null(v)) {
        out->kind = FP_NULL;
    } else {
        rule_error(c, "Match value must be String, number, true, false, or null", NULL);
        return false;
    }
    return true;
}

static void compile_cond(fp_compiler *c, const json_t *v, fp_cond *out)
{
    if (!json_is_object(v)) {
        compile_value(c, v, out);
        return;
    }
    if (json_object_size(v) != 1) {
        rule_error(c, "Only one key allowed in match expression", NULL);
        return;
    }
    const char *op = json_object_iter_key(json_object_iter((json_t *)v));
    const json_t *arg = json_object_get(v, op);
    static const struct {
        const char *name;
        fp_kind kind;
    } strops[] = {
        {"prefix", FP_PREFIX}, {"suffix", FP_SUFFIX}, {"equals-ignore-case", FP_EQUALS_ICASE}};
    for (size_t i = 0; i < sizeof strops / sizeof *strops; i++) {
        if (strcmp(op, strops[i].name))
            continue;
        if (!json_is_string(arg)) {
            rule_error(c, "%s match pattern must be a string", op);
            return;
        }
        out->kind = strops[i].kind;
        out->s = dup_str(arg, &out->slen);
        return;
    }
    if (!strcmp(op, "anything-but"))
        compile_anything_but(c, arg, out);
    else if (!strcmp(op, "exists")) {
        if (!json_is_boolean(arg)) {
            rule_error(c, "exists match pattern must be either true or false.", NULL);
            return;
        }
        out->kind = FP_EXISTS;
        out->b = json_is_true(arg);
    } else if (!strcmp(op, "numeric")) {
        out->kind = FP_NUMERIC;
        compile_numeric(c, arg, out);
    } else if (!strcmp(op, "cidr")) {
        out->kind = FP_CIDR;
        compile_cidr(c, arg, out);
    } else
        rule_error(c, "Unrecognized match type %s", op);
}

/* ---- keys, nesting and $or ---- */

/* "$or" is an operator only when it holds an array of at least two objects (the
 * Developer Guide's "OR operator" conditions); otherwise it is an ordinary key. */
static bool is_or_group(const char *key, const json_t *v)
{
    if (strcmp(key, "$or") || !json_is_array(v) || json_array_size(v) < 2)
        return false;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_object(json_array_get(v, i)))
            return false;
    return true;
}

static void push_term(fp_node *node, const fp_term *t)
{
    fp_term *grown = realloc(node->terms, (node->n + 1) * sizeof *grown);
    node->terms = grown;
    node->terms[node->n++] = *t;
}

static char **path_with(char *const *prefix, size_t depth, const char *key)
{
    char **p = malloc((depth + 1) * sizeof *p);
    for (size_t i = 0; i < depth; i++)
        p[i] = strdup(prefix[i]);
    p[depth] = strdup(key);
    return p;
}

/* Adds obj's keys to node as terms; *combos follows SNS's count. prefix/depth: the
 * path of obj from the root (depth 0 at the root). */
static void compile_object(fp_compiler *c, const json_t *obj, char *const *prefix, size_t depth,
                           long *combos, fp_node *node)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (c->failed)
            return;
        if (json_is_object(v)) {
            /* A nested key: the body scope's property nesting. */
            c->nested = true;
            char **sub = path_with(prefix, depth, key);
            compile_object(c, v, sub, depth + 1, combos, node);
            for (size_t i = 0; i <= depth; i++)
                free(sub[i]);
            free(sub);
        } else if (json_is_array(v)) {
            if (json_array_size(v) == 0) {
                shape_error(c, "Empty arrays are not allowed", NULL);
                return;
            }
            fp_term t = {0};
            if (is_or_group(key, v)) {
                t.is_or = true;
                t.nalts = json_array_size(v);
                t.alts = calloc(t.nalts, sizeof *t.alts);
                long sum = 0;
                for (size_t i = 0; i < t.nalts; i++) {
                    long branch = *combos;
                    compile_object(c, json_array_get(v, i), prefix, depth, &branch, &t.alts[i]);
                    sum += branch;
                }
                *combos = sum;
            } else {
                t.path = path_with(prefix, depth, key);
                t.depth = depth + 1;
                t.nconds = json_array_size(v);
                t.conds = calloc(t.nconds, sizeof *t.conds);
                for (size_t i = 0; i < t.nconds; i++)
                    compile_cond(c, json_array_get(v, i), &t.conds[i]);
                /* Cap the running count so a huge policy cannot overflow it. */
                long mult = (long)t.nconds * (long)(depth + 1);
                *combos = *combos > 100000 ? *combos : *combos * mult;
            }
            push_term(node, &t);
        } else {
            shape_error(c, "\"%s\" must be an object or an array", key);
            return;
        }
    }
}

gh_filter_policy *gh_filter_policy_compile(const char *json_text, char *err, size_t errlen)
{
    fp_compiler c = {.err = err, .errlen = errlen};
    if (errlen)
        err[0] = '\0';
    json_error_t jerr;
    json_t *doc = json_text ? json_loads(json_text, 0, &jerr) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        snprintf(err, errlen, FP_PREFIX_TEXT "failed to parse JSON.");
        return NULL;
    }
    if (json_object_size(doc) > FP_MAX_KEYS) {
        json_decref(doc);
        snprintf(err, errlen, FP_PREFIX_TEXT "Filter policy can not have more than 5 keys");
        return NULL;
    }
    gh_filter_policy *fp = calloc(1, sizeof *fp);
    long combos = 1;
    compile_object(&c, doc, NULL, 0, &combos, &fp->root);
    json_decref(doc);
    if (!c.failed && combos > FP_MAX_COMBINATIONS) {
        c.failed = true;
        snprintf(err, errlen, FP_PREFIX_TEXT "Filter policy is too complex");
    }
    if (!c.failed && c.rule_err[0]) {
        c.failed = true;
        snprintf(err, errlen, "%s", c.rule_err);
    }
    if (c.failed) {
        gh_filter_policy_free(fp);
        return NULL;
    }
    fp->nested = c.nested;
    return fp;
}

bool gh_filter_policy_nested(const gh_filter_policy *fp)
{
    return fp && fp->nested;
}
