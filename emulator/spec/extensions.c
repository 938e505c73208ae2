/* Which x-amazon-apigateway-* keys gatehouse emulates, and one pass over the whole
 * document that says so for the others. A key we do not emulate must never silently
 * change behaviour, so each occurrence gets one warning that names it and says what it
 * means for the user (per-operation keys: one per API with the count, not one per
 * operation). The same pass checks that every local $ref names something.
 * Emulated here: gateway-responses, binary-media-types. Emulated elsewhere: integration,
 * integrations (components), any-method, authorizer and authtype (compile_auth.c),
 * policy (compile_policy.c). Accepted silently because they never change
 * how a request is served: documentation, tag-value, importexport-version (which only
 * marks an HTTP API export). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec/compile.h"

#define PREFIX "x-amazon-apigateway-"

typedef struct ext_rule {
    const char *name;    /* after the prefix */
    bool per_operation;  /* grouped: one warning per API with the count */
    const char *meaning; /* NULL: emulated or accepted silently */
} ext_rule;

static const ext_rule rules[] = {
    {"integration", false, NULL},
    {"integrations", false, NULL},
    {"any-method", false, NULL},
    {"gateway-responses", false, NULL},
    {"binary-media-types", false, NULL},
    {"documentation", false, NULL},
    {"tag-value", false, NULL},
    {"importexport-version", false, NULL},
    {"authorizer", false, NULL},
    {"authtype", false, NULL},
    {"api-key-source", false, "API keys are not emulated yet: no API key is checked"},
    {"request-validators", false,
     "request validation is not emulated yet: requests reach the integration unvalidated"},
    {"request-validator", true,
     "request validation is not emulated yet: requests reach the integration unvalidated"},
    {"policy", false, NULL},
    {"cors", false,
     "HTTP API CORS is not emulated yet: no CORS headers are added and preflight OPTIONS "
     "requests are not answered for you"},
    {"endpoint-configuration", false,
     "endpoint configuration has no local meaning: the API is served on the local address "
     "only"},
    {"minimum-compression-size", false,
     "response compression is not emulated yet: responses are sent uncompressed"},
    {"auth", true,
     "IAM authorization (x-amazon-apigateway-auth) is not emulated yet: methods using it are "
     "served WITHOUT authorization"},
};

typedef struct scan {
    gh_cc *cc;
    const gh_node *http_mark; /* first sign of an HTTP API (v2) export */
    const gh_node *first[sizeof rules / sizeof *rules];
    size_t count[sizeof rules / sizeof *rules];
} scan;

static void check_ref(scan *s, const gh_node *ref)
{
    gh_cc *cc = s->cc;
    const char *r = gh_node_str(ref);
    if (!r) {
        gh_diag_error(cc->d, gh_cc_mark(cc, ref), "$ref must be a string like "
                      "'#/components/schemas/Pet'");
        return;
    }
    if (r[0] == '#') {
        if (!gh_doc_resolve_ref(cc->doc, r))
            gh_diag_error(cc->d, gh_cc_mark(cc, ref), "$ref '%s' names nothing in this "
                          "document; fix the pointer or add what it points to",
                          r);
        return;
    }
    char *key = gh_arena_printf(cc->a, "remote-ref %s", r);
    if (gh_cc_first(cc, key))
        gh_diag_warn(cc->d, gh_cc_mark(cc, ref), "remote $ref '%s' is not followed (only "
                     "references inside this file are); inline what it names, or merge it in "
                     "with --overlay",
                     r);
}

static void extension_key(scan *s, const gh_pair *p)
{
    gh_cc *cc = s->cc;
    const char *name = p->key->text + strlen(PREFIX);
    /* cors exists only in HTTP APIs; its own warning already says so. */
    if (strcmp(name, "cors") == 0)
        s->cc->api->http_api = true;
    if (strcmp(name, "importexport-version") == 0)
        s->http_mark = s->http_mark ? s->http_mark : p->key;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        if (strcmp(rules[i].name, name) != 0)
            continue;
        if (!rules[i].meaning)
            return;
        /* An explicit `auth: {type: NONE}` changes nothing. */
        if (strcmp(name, "auth") == 0) {
            const char *t = gh_node_scalar(gh_node_get(p->value, "type"));
            if (t && strcasecmp(t, "none") == 0)
                return;
        }
        if (rules[i].per_operation) {
            if (!s->first[i])
                s->first[i] = p->key;
            s->count[i]++;
            return;
        }
        gh_diag_warn(cc->d, gh_cc_mark(cc, p->key), "%s: %s", p->key->text, rules[i].meaning);
        return;
    }
    gh_diag_warn(cc->d, gh_cc_mark(cc, p->key), "unknown extension %s is ignored; check its "
                 "spelling against the API Gateway OpenAPI extensions",
                 p->key->text);
}

static void walk(scan *s, const gh_node *n, int depth)
{
    if (!n || depth > 200)
        return;
    if (n->kind == GH_NODE_SEQ)
        for (size_t i = 0; i < n->n; i++)
            walk(s, n->items[i], depth + 1);
    if (n->kind != GH_NODE_MAP)
        return;
    for (size_t i = 0; i < n->n; i++) {
        const gh_pair *p = &n->pairs[i];
        const char *k = p->key->text;
        if (strcmp(k, "$ref") == 0)
            check_ref(s, p->value);
        else if (strncmp(k, PREFIX, strlen(PREFIX)) == 0)
            extension_key(s, p);
        else if ((strcmp(k, "payloadFormatVersion") == 0 || strcmp(k, "isDefaultRoute") == 0) &&
                 !s->http_mark)
            s->http_mark = p->key;
        /* Examples hold user data, not definitions; x-gatehouse is ours. */
        if (strcmp(k, "example") && strcmp(k, "examples") && strcmp(k, "x-gatehouse"))
            walk(s, p->value, depth + 1);
    }
}

static void gateway_responses(gh_cc *cc, const gh_node *map)
{
    if (!map)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), PREFIX "gateway-responses must be a map of "
                      "response type (e.g. DEFAULT_4XX) to {statusCode, responseParameters, "
                      "responseTemplates}");
        return;
    }
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        gh_gw_type t;
        if (!gh_gw_type_from_name(p->key->text, &t)) {
            char list[1024] = "";
            for (int k = 0; k < GH_GW__COUNT; k++) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                         gh_gw_type_name((gh_gw_type)k));
            }
            gh_diag_error(cc->d, gh_cc_mark(cc, p->key), "unknown gateway response type '%s'; "
                          "expected one of %s",
                          p->key->text, list);
            continue;
        }
        if (t == GH_GW_REQUEST_TOO_LARGE) {
            gh_diag_warn(cc->d, gh_cc_mark(cc, p->key), "REQUEST_TOO_LARGE cannot be "
                         "customised (AWS ignores it too); remove it");
            continue;
        }
        gh_gw_override *o = &cc->api->gateway_responses[t];
        o->set = true;
        o->mark = gh_cc_mark(cc, p->key);
        const gh_node *sc = gh_node_get(p->value, "statusCode");
        if (sc) {
            const char *s = gh_node_scalar(sc);
            int v = s ? atoi(s) : 0;
            if (v < 100 || v > 599)
                gh_diag_error(cc->d, gh_cc_mark(cc, sc), "statusCode must be an HTTP status "
                              "from 100 to 599, like \"404\"");
            else
                o->status = v;
        }
        const gh_node *rp = gh_node_get(p->value, "responseParameters");
        const gh_node *rt = gh_node_get(p->value, "responseTemplates");
        o->parameters.items = gh_arena_calloc(cc->a, ((rp ? rp->n : 0) + 1) * sizeof(gh_kv));
        for (size_t k = 0; rp && rp->kind == GH_NODE_MAP && k < rp->n; k++) {
            const char *v = gh_cc_string(cc, rp->pairs[k].value);
            if (v)
                o->parameters.items[o->parameters.n++] =
                    (gh_kv){gh_arena_strdup(cc->a, rp->pairs[k].key->text), v,
                            gh_cc_mark(cc, rp->pairs[k].value)};
        }
        o->templates.items = gh_arena_calloc(cc->a, ((rt ? rt->n : 0) + 1) * sizeof(gh_kv));
        /* Not VTL: AWS renders gateway response templates by simple variable
         * substitution only ("A GatewayResponse mapping template isn't processed by the
         * VTL engine", x-amazon-apigateway-gateway-responses.responseTemplates), so they
         * are not parsed as templates here. */
        if (rt && rt->kind != GH_NODE_MAP)
            gh_diag_error(cc->d, gh_cc_mark(cc, rt),
                          "responseTemplates must be a map of media type to template text, "
                          "not %s",
                          gh_node_kind_name(rt->kind));
        for (size_t k = 0; rt && rt->kind == GH_NODE_MAP && k < rt->n; k++) {
            const char *v = gh_cc_string(cc, rt->pairs[k].value);
            if (v)
                o->templates.items[o->templates.n++] =
                    (gh_kv){gh_arena_strdup(cc->a, rt->pairs[k].key->text), v,
                            gh_cc_mark(cc, rt->pairs[k].value)};
            else
                gh_diag_error(cc->d, gh_cc_mark(cc, rt->pairs[k].value),
                              "responseTemplates '%s' must be a string, not %s",
                              rt->pairs[k].key->text, gh_node_kind_name(rt->pairs[k].value->kind));
        }
    }
}

static void binary_media_types(gh_cc *cc, const gh_node *seq)
{
    if (!seq)
        return;
    if (seq->kind != GH_NODE_SEQ) {
        gh_diag_error(cc->d, gh_cc_mark(cc, seq), PREFIX "binary-media-types must be a list "
                      "of media types, like [\"image/png\", \"*/*\"]");
        return;
    }
    cc->api->binary_media_types = gh_arena_calloc(cc->a, (seq->n + 1) * sizeof(char *));
    for (size_t i = 0; i < seq->n; i++) {
        const char *t = gh_node_str(seq->items[i]);
        if (t)
            cc->api->binary_media_types[cc->api->nbinary_media_types++] =
                gh_arena_strdup(cc->a, t);
        else
            gh_diag_error(cc->d, gh_cc_mark(cc, seq->items[i]), "a binary media type must be "
                          "a string like \"image/png\"");
    }
}

void gh_cc_extensions(gh_cc *cc)
{
    scan s = {.cc = cc};
    walk(&s, cc->doc->root, 0);
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (s.count[i])
            gh_diag_warn(cc->d, gh_cc_mark(cc, s.first[i]), "%s%s (on %zu operation%s, first "
                         "here): %s",
                         PREFIX, rules[i].name, s.count[i], s.count[i] == 1 ? "" : "s",
                         rules[i].meaning);
    if (s.http_mark) {
        cc->api->http_api = true;
        gh_diag_warn(cc->d, gh_cc_mark(cc, s.http_mark), "this is an HTTP API (v2) export "
                     "(%s); it is served like a REST API: v2 specifics (payload format 2.0, "
                     "$default stage, route keys, JWT authorizers) are not emulated yet",
                     s.http_mark->text);
    }
    gateway_responses(cc, gh_node_get(cc->doc->root, PREFIX "gateway-responses"));
    binary_media_types(cc, gh_node_get(cc->doc->root, PREFIX "binary-media-types"));
}
