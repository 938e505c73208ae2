/* IAM policy documents in the definition: the root x-amazon-apigateway-policy (the REST
 * API's resource policy) and x-gatehouse.credentials.*.policy (identity policies). Both
 * are checked for shape at load, with the position of what is wrong, and handed to the
 * model as JSON. AWS's importer expands the `execute-api:/...` shorthand in Resource to
 * arn:aws:execute-api:REGION:ACCOUNT:API_ID/... with the API's own region, account and id
 * (openapi-extensions-policy: "execute-api:/" followed by "*" becomes the API's ARN
 * followed by a slash and a star); so does this file. Some exports hold
 * the policy as a JSON string rather than a map; both forms are read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/condition.h"
#include "spec/compile.h"

#define SHORTHAND "execute-api:/"

/* Where the document came from: a map in the definition, or JSON text inside a string
 * scalar (`str`), whose own nodes carry positions relative to that text. */
typedef struct pctx {
    gh_cc *cc;
    const char *what;
    const gh_node *str; /* the string scalar holding JSON text, or NULL */
    bool resource;      /* a resource policy: Principal required */
    bool bad;
} pctx;

static gh_mark where(pctx *p, const gh_node *n)
{
    if (!p->str)
        return gh_cc_mark(p->cc, n);
    /* line:col inside the JSON text -> byte offset -> file position */
    const char *t = p->str->text;
    size_t off = 0;
    for (unsigned line = 1; line < n->mark.line && t[off]; off++)
        if (t[off] == '\n')
            line++;
    off += n->mark.col ? n->mark.col - 1 : 0;
    if (off > p->str->len)
        off = p->str->len;
    return gh_cc_text_mark(p->cc, p->str, t, off);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void bad(pctx *p, const gh_node *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gh_diag_error(p->cc->d, where(p, n), "%s: %s", p->what, msg);
    p->bad = true;
}

/* A string, or a non-empty list of strings (Action, Resource, principal values). */
static void strings(pctx *p, const gh_node *n, const char *field, size_t si)
{
    if (n->kind == GH_NODE_STR && n->len)
        return;
    if (n->kind == GH_NODE_SEQ && n->n) {
        for (size_t i = 0; i < n->n; i++)
            if (n->items[i]->kind != GH_NODE_STR || !n->items[i]->len)
                bad(p, n->items[i], "Statement[%zu].%s[%zu] must be a non-empty string", si,
                    field, i);
        return;
    }
    bad(p, n, "Statement[%zu].%s must be a string or a list of strings, like "
        "\"execute-api:Invoke\"",
        si, field);
}

static void principal(pctx *p, const gh_node *n, const char *field, size_t si)
{
    if (n->kind == GH_NODE_STR) {
        if (strcmp(n->text, "*") != 0)
            bad(p, n, "Statement[%zu].%s must be \"*\" or a map like {AWS: "
                "arn:aws:iam::123456789012:root}, not '%s'",
                si, field, n->text);
        return;
    }
    if (n->kind != GH_NODE_MAP || n->n == 0) {
        bad(p, n, "Statement[%zu].%s must be \"*\" or a map like {AWS: "
            "arn:aws:iam::123456789012:root}",
            si, field);
        return;
    }
    static const char *const kinds[] = {"AWS", "Service", "Federated", "CanonicalUser"};
    for (size_t i = 0; i < n->n; i++) {
        bool ok = false;
        for (size_t k = 0; k < 4; k++)
            ok = ok || strcmp(n->pairs[i].key->text, kinds[k]) == 0;
        if (!ok)
            bad(p, n->pairs[i].key, "Statement[%zu].%s has the unknown principal type '%s'; "
                "expected AWS, Service, Federated or CanonicalUser",
                si, field, n->pairs[i].key->text);
        else
            strings(p, n->pairs[i].value, field, si);
    }
}

static json_t *to_json(gh_cc *cc, const gh_node *n, bool text_scalars, int depth);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void warn(pctx *p, const gh_node *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gh_diag_warn(p->cc->d, where(p, n), "%s: %s", p->what, msg);
}

/* One operator and key of a well-shaped Condition, as auth/condition.c will read it: an
 * IP range that does not parse is refused (as IAM refuses such a policy), and what
 * gatehouse does not evaluate is said at load, since a resource-policy statement using
 * it fails closed when it applies (auth/resource_policy.h). Identity policies are
 * evaluated without their Condition (auth/iam.c), which the load says too. */
static json_t *one_condition(pctx *p, const gh_node *op, const gh_node *key, const gh_node *v)
{
    json_t *one = json_object(), *keys = json_object();
    json_object_set_new(keys, key->text, to_json(p->cc, v, true, 0));
    json_object_set_new(one, op->text, keys);
    return one;
}

static void condition_value(pctx *p, const gh_node *op, const gh_node *key, const gh_node *v,
                            size_t si)
{
    /* value by value, so the diagnostic points at the one at fault */
    size_t n = v->kind == GH_NODE_SEQ ? v->n : 1;
    for (size_t i = 0; i < n; i++) {
        const gh_node *item = v->kind == GH_NODE_SEQ ? v->items[i] : v;
        json_t *one = one_condition(p, op, key, item);
        gh_policy_error err;
        if (gh_condition_check(one, (int)si, &err) != 0) {
            const char *m = err.message;
            if (strncmp(m, "policy: ", 8) == 0)
                m += 8;
            bad(p, item, "%s; AWS refuses the policy", m);
        }
        json_decref(one);
    }
    char why[160];
    json_t *one = one_condition(p, op, key, v);
    if (gh_condition_unsupported(one, why, sizeof why))
        warn(p, strncmp(why, "condition operator", 18) == 0 ? op : key,
             "Statement[%zu] uses %s, which gatehouse does not evaluate: calls this statement "
             "applies to are denied, as by an explicit Deny, whatever its Effect (use a "
             "supported operator and key, see docs/authorization.md)",
             si, why);
    json_decref(one);
}

static void condition(pctx *p, const gh_node *n, size_t si)
{
    if (n->kind != GH_NODE_MAP) {
        bad(p, n, "Statement[%zu].Condition must be a map of operator to {key: value}, like "
            "{IpAddress: {aws:SourceIp: 192.0.2.0/24}}",
            si);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const gh_node *keys = n->pairs[i].value;
        if (keys->kind != GH_NODE_MAP || keys->n == 0) {
            bad(p, keys, "Statement[%zu].Condition.%s must be a map of condition key to "
                "value, like {aws:SourceIp: 192.0.2.0/24}",
                si, n->pairs[i].key->text);
            continue;
        }
        for (size_t k = 0; k < keys->n; k++) {
            const gh_node *v = keys->pairs[k].value;
            bool ok = gh_node_scalar(v) && v->kind != GH_NODE_NULL;
            if (v->kind == GH_NODE_SEQ) {
                ok = v->n > 0;
                for (size_t j = 0; j < v->n; j++)
                    ok = ok && gh_node_scalar(v->items[j]) && v->items[j]->kind != GH_NODE_NULL;
            }
            if (!ok)
                bad(p, v, "Statement[%zu].Condition.%s.%s must be a value or a list of "
                    "values",
                    si, n->pairs[i].key->text, keys->pairs[k].key->text);
            else
                condition_value(p, n->pairs[i].key, keys->pairs[k].key, v, si);
        }
    }
}

static void statement(pctx *p, const gh_node *st, size_t si)
{
    if (st->kind != GH_NODE_MAP) {
        bad(p, st, "Statement[%zu] must be a map {Effect, Action, Resource, ...}", si);
        return;
    }
    static const char *const known[] = {"Sid",       "Effect",   "Principal",
                                        "NotPrincipal", "Action", "NotAction",
                                        "Resource",  "NotResource", "Condition"};
    for (size_t i = 0; i < st->n; i++) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            ok = ok || strcmp(st->pairs[i].key->text, known[k]) == 0;
        if (!ok)
            bad(p, st->pairs[i].key, "Statement[%zu] has the unknown element '%s'; expected "
                "Sid, Effect, Principal, Action, Resource, Condition (or NotPrincipal, "
                "NotAction, NotResource)",
                si, st->pairs[i].key->text);
    }
    const gh_node *effect = gh_node_get(st, "Effect");
    if (!effect)
        bad(p, st, "Statement[%zu] needs Effect: Allow or Deny", si);
    else if (!gh_node_str(effect) ||
             (strcmp(effect->text, "Allow") != 0 && strcmp(effect->text, "Deny") != 0))
        bad(p, effect, "Statement[%zu].Effect must be Allow or Deny (with that case), not "
            "'%s'",
            si, gh_node_scalar(effect) ? gh_node_scalar(effect) : gh_node_kind_name(effect->kind));
    static const char *const pairs[][2] = {{"Action", "NotAction"}, {"Resource", "NotResource"}};
    for (int k = 0; k < 2; k++) {
        const gh_node *a = gh_node_get(st, pairs[k][0]), *na = gh_node_get(st, pairs[k][1]);
        if (a && na)
            bad(p, na, "Statement[%zu] has both %s and %s; keep one", si, pairs[k][0],
                pairs[k][1]);
        else if (!a && !na)
            bad(p, st, "Statement[%zu] needs %s (or %s), like %s", si, pairs[k][0], pairs[k][1],
                k == 0 ? "execute-api:Invoke" : "\"" SHORTHAND "*\"");
        else
            strings(p, a ? a : na, a ? pairs[k][0] : pairs[k][1], si);
    }
    const gh_node *pr = gh_node_get(st, "Principal"), *npr = gh_node_get(st, "NotPrincipal");
    if (!p->resource && (pr || npr))
        bad(p, pr ? pr : npr, "Statement[%zu]: an identity policy names no Principal (the "
            "credentials are the principal); remove it",
            si);
    else if (p->resource && !pr && !npr)
        bad(p, st, "Statement[%zu] needs Principal (\"*\" for every caller); AWS refuses a "
            "resource policy statement without one",
            si);
    else if (pr || npr)
        principal(p, pr ? pr : npr, pr ? "Principal" : "NotPrincipal", si);
    const gh_node *cond = gh_node_get(st, "Condition");
    if (cond)
        condition(p, cond, si);
}

static void document(pctx *p, const gh_node *root)
{
    if (!root || root->kind != GH_NODE_MAP) {
        bad(p, root ? root : p->str, "a policy document must be a map {Version, Statement}");
        return;
    }
    for (size_t i = 0; i < root->n; i++) {
        const char *k = root->pairs[i].key->text;
        if (strcmp(k, "Version") && strcmp(k, "Id") && strcmp(k, "Statement"))
            bad(p, root->pairs[i].key, "unknown policy element '%s'; expected Version, Id, "
                "Statement",
                k);
    }
    const gh_node *v = gh_node_get(root, "Version");
    if (v && (!gh_node_str(v) ||
              (strcmp(v->text, "2012-10-17") != 0 && strcmp(v->text, "2008-10-17") != 0)))
        bad(p, v, "Version must be \"2012-10-17\" (or the older \"2008-10-17\")");
    const gh_node *st = gh_node_get(root, "Statement");
    if (!st) {
        bad(p, root, "the policy needs Statement, a list of {Effect, Principal, Action, "
            "Resource}");
        return;
    }
    if (st->kind == GH_NODE_SEQ) {
        if (st->n == 0)
            bad(p, st, "Statement is empty; add at least one statement");
        for (size_t i = 0; i < st->n; i++)
            statement(p, st->items[i], i);
    } else {
        statement(p, st, 0);
    }
}

/* Under Condition every value is text to IAM ("Bool": {"aws:SecureTransport": "false"}),
 * so scalars there are kept as strings whatever YAML made of them. */
static json_t *to_json(gh_cc *cc, const gh_node *n, bool text_scalars, int depth)
{
    if (!n || depth > 64)
        return json_null();
    if (text_scalars && n->kind != GH_NODE_SEQ && n->kind != GH_NODE_MAP &&
        n->kind != GH_NODE_NULL)
        return json_string(n->text);
    switch (n->kind) {
    case GH_NODE_NULL: return json_null();
    case GH_NODE_BOOL: return json_boolean(n->v.b);
    case GH_NODE_INT: return json_integer(n->v.i);
    case GH_NODE_REAL: return json_real(n->v.r);
    case GH_NODE_STR: return json_stringn(n->text, n->len);
    case GH_NODE_SEQ: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n; i++)
            json_array_append_new(a, to_json(cc, n->items[i], text_scalars, depth + 1));
        return a;
    }
    case GH_NODE_MAP: {
        /* {Ref: X} / {Fn::Sub: ...}: the string it stands for */
        if (n->n == 1 && (strcmp(n->pairs[0].key->text, "Ref") == 0 ||
                          strncmp(n->pairs[0].key->text, "Fn::", 4) == 0)) {
            const char *s = gh_cc_string(cc, n);
            if (s)
                return json_string(s);
        }
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++)
            json_object_set_new(o, n->pairs[i].key->text,
                                to_json(cc, n->pairs[i].value,
                                        text_scalars ||
                                            strcmp(n->pairs[i].key->text, "Condition") == 0,
                                        depth + 1));
        return o;
    }
    }
    return json_null();
}

json_t *gh_cc_node_json(gh_cc *cc, const gh_node *n)
{
    return to_json(cc, n, false, 0);
}

static json_t *expand_one(gh_cc *cc, json_t *s)
{
    const char *v = json_string_value(s);
    if (!v || strncmp(v, SHORTHAND, strlen(SHORTHAND)) != 0)
        return NULL;
    const gh_api *api = cc->api;
    return json_string(gh_arena_printf(cc->a, "arn:aws:execute-api:%s:%s:%s/%s", api->region,
                                       api->account_id, api->id, v + strlen(SHORTHAND)));
}

/* Resource / NotResource "execute-api:/STAGE/VERB/PATH" -> the API's full ARN. */
static void expand(gh_cc *cc, json_t *doc)
{
    json_t *st = json_object_get(doc, "Statement");
    size_t n = json_is_array(st) ? json_array_size(st) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_is_array(st) ? json_array_get(st, i) : st;
        static const char *const fields[] = {"Resource", "NotResource"};
        for (int f = 0; f < 2; f++) {
            json_t *r = json_object_get(s, fields[f]), *x;
            if (json_is_string(r)) {
                if ((x = expand_one(cc, r)))
                    json_object_set_new(s, fields[f], x); /* frees r */
                continue;
            }
            for (size_t k = 0; json_is_array(r) && k < json_array_size(r); k++)
                if ((x = expand_one(cc, json_array_get(r, k))))
                    json_array_set_new(r, k, x);
        }
    }
}

static json_t *policy(gh_cc *cc, const gh_node *n, const char *what, bool resource)
{
    pctx p = {.cc = cc, .what = what, .resource = resource};
    const gh_node *root = n;
    gh_doc *doc = NULL;
    if (n->kind == GH_NODE_STR) {
        /* JSON text: syntax first (jansson's byte offset maps into the file), then the
         * same shape checks on its nodes, positioned inside the string. */
        json_error_t je;
        json_t *probe = json_loadb(n->text, n->len, JSON_REJECT_DUPLICATES, &je);
        if (!probe) {
            gh_diag_error(cc->d, gh_cc_text_mark(cc, n, n->text,
                                                           je.position ? (size_t)je.position - 1 : 0),
                          "%s: the policy string is not JSON: %s; write the policy as a map, "
                          "or fix the JSON",
                          what, je.text);
            return NULL;
        }
        json_decref(probe);
        gh_diags quiet = GH_DIAGS_INIT;
        if (gh_doc_load_buffer(what, n->text, n->len, &doc, &quiet) != 0 || !doc) {
            gh_diags_free(&quiet);
            gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s: the policy string cannot be read",
                          what);
            return NULL;
        }
        gh_diags_free(&quiet);
        p.str = n;
        root = doc->root;
    }
    document(&p, root);
    json_t *out = p.bad ? NULL : gh_cc_node_json(cc, root);
    if (out)
        expand(cc, out);
    gh_doc_free(doc);
    return out;
}

json_t *gh_cc_policy_document(gh_cc *cc, const gh_node *n, const char *what)
{
    return policy(cc, n, what, false);
}

void gh_cc_resource_policy(gh_cc *cc)
{
    const gh_pair *pair = gh_node_get_pair(cc->doc->root, "x-amazon-apigateway-policy");
    if (!pair || !pair->value || pair->value->kind == GH_NODE_NULL)
        return;
    const gh_node *n = gh_cc_deref(cc, pair->value);
    if (!n)
        return;
    if (n->kind != GH_NODE_MAP && n->kind != GH_NODE_STR) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "x-amazon-apigateway-policy must be a policy "
                      "document {Version, Statement}, or that document as a JSON string");
        return;
    }
    cc->api->resource_policy = policy(cc, n, "x-amazon-apigateway-policy", true);
    cc->api->resource_policy_mark = gh_cc_mark(cc, pair->key);
}
