/* Parameter mapping checked at load (reference §5.7, AWS developer guide
 * request-response-data-mappings.md): every requestParameters key names an integration
 * request header, query string or path parameter, every responseParameters key a method
 * response header, each from a source AWS knows; names follow AWS's ^[a-zA-Z0-9._$-]+$.
 * A mapping AWS would refuse at import fails here with where and how to fix it, instead
 * of mapping nothing at run time. cacheKeyParameters are parsed for the cache. */
#include <stdio.h>
#include <string.h>

#include "spec/compile.h"
#include "template/jsonpath.h"

/* AWS: parameter names match ^[a-zA-Z0-9._$-]+$. */
static bool param_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._$-", *s)))
            return false;
    return true;
}

/* The rest of s after prefix, or NULL. */
static const char *after(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* `origin` is "method.request" or "integration.response"; NULL when expr is a source
 * of that side, else why not (arena text). */
static const char *source_problem(gh_cc *cc, const char *expr, const char *origin)
{
    size_t n = strlen(expr);
    if (expr[0] == '\'') {
        if (n < 2 || expr[n - 1] != '\'')
            return "a literal value must be enclosed in single quotes, like \"'value'\"";
        return NULL;
    }
    const char *rest;
    if ((rest = after(expr, "stageVariables.")) != NULL)
        return param_name(rest) ? NULL : "stageVariables.NAME needs a variable name";
    if ((rest = after(expr, "context.")) != NULL)
        return param_name(rest) ? NULL : "context.NAME needs a $context variable name";
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%s.", origin);
    if ((rest = after(expr, prefix)) == NULL)
        return "";
    const char *body = after(rest, "body");
    if (body && body[0] == '\0')
        return NULL;
    if (body && body[0] == '.') {
        const char *path = body + 1;
        const char *jp = gh_arena_printf(cc->a, "$%s%s", path[0] == '[' ? "" : ".", path);
        const char *err = gh_jsonpath_check(jp, strlen(jp));
        return err ? gh_arena_printf(cc->a,
                                     "the JSONPath '%s' after %s.body. does not parse "
                                     "(%s)",
                                     path, origin, err)
                   : NULL;
    }
    static const char *const request_locs[] = {"path.", "querystring.", "multivaluequerystring.",
                                               "header.", "multivalueheader."};
    static const char *const response_locs[] = {"header.", "multivalueheader."};
    bool request = strcmp(origin, "method.request") == 0;
    const char *const *locs = request ? request_locs : response_locs;
    size_t nlocs = request ? 5 : 2;
    for (size_t i = 0; i < nlocs; i++) {
        const char *name = after(rest, locs[i]);
        if (name)
            return param_name(name) ? NULL
                                    : gh_arena_printf(cc->a,
                                                      "the parameter name '%s' may hold "
                                                      "only letters, digits and . _ $ -",
                                                      name);
    }
    return "";
}

static void check_map(gh_cc *cc, const gh_node *map, const char *what, const char *key_prefix,
                      const char *const *key_locs, size_t nkey_locs, const char *origin,
                      const char *sources)
{
    if (!map || map->kind != GH_NODE_MAP)
        return; /* string_map already said what is wrong with it */
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        const char *key = p->key->text;
        const char *rest = after(key, key_prefix), *name = NULL;
        for (size_t k = 0; rest && !name && k < nkey_locs; k++)
            name = after(rest, key_locs[k]);
        if (!name || !param_name(name)) {
            char locs[128] = "";
            for (size_t k = 0; k < nkey_locs; k++)
                snprintf(locs + strlen(locs), sizeof locs - strlen(locs), "%s%.*s", k ? "|" : "",
                         (int)strlen(key_locs[k]) - 1, key_locs[k]);
            gh_diag_error(cc->d, gh_cc_mark(cc, p->key),
                          "%s key '%s' names no parameter AWS "
                          "maps to; write %s%s.NAME (NAME of letters, digits and . _ $ -)",
                          what, key, key_prefix,
                          nkey_locs > 1 ? gh_arena_printf(cc->a, "{%s}", locs) : "header");
            continue;
        }
        const char *expr = gh_cc_string(cc, p->value);
        if (!expr)
            continue; /* string_map reported it */
        if (p->value->kind == GH_NODE_MAP && strstr(expr, "${"))
            continue; /* an intrinsic left unresolved: it was warned about already */
        const char *why = source_problem(cc, expr, origin);
        if (!why)
            continue;
        gh_diag_error(cc->d, gh_cc_mark(cc, p->value), "%s '%s' maps from '%s', %s; use %s", what,
                      key, expr, why[0] ? why : "which is no source AWS knows", sources);
    }
}

void gh_cc_request_parameters(gh_cc *cc, const gh_node *map)
{
    static const char *const locs[] = {"header.", "querystring.", "path."};
    check_map(cc, map, "requestParameters", "integration.request.", locs, 3, "method.request",
              "method.request.{path|querystring|multivaluequerystring|header|multivalueheader}"
              ".NAME, method.request.body, method.request.body.JSONPATH, stageVariables.NAME, "
              "context.NAME or a literal in single quotes (\"'value'\")");
}

void gh_cc_response_parameters(gh_cc *cc, const gh_node *map)
{
    static const char *const locs[] = {"header."};
    check_map(cc, map, "responseParameters", "method.response.", locs, 1, "integration.response",
              "integration.response.{header|multivalueheader}.NAME, integration.response.body, "
              "integration.response.body.JSONPATH, stageVariables.NAME, context.NAME or a "
              "literal in single quotes (\"'value'\")");
}

void gh_cc_cache_key_parameters(gh_cc *cc, gh_integration *in, const gh_node *seq)
{
    if (!seq || seq->kind == GH_NODE_NULL)
        return;
    if (seq->kind != GH_NODE_SEQ) {
        gh_diag_error(cc->d, gh_cc_mark(cc, seq),
                      "cacheKeyParameters must be a list of method "
                      "request parameters, like [method.request.path.id], not %s",
                      gh_node_kind_name(seq->kind));
        return;
    }
    in->cache_key_parameters = gh_arena_calloc(cc->a, (seq->n + 1) * sizeof(char *));
    for (size_t i = 0; i < seq->n; i++) {
        const gh_node *item = seq->items[i];
        const char *s = gh_cc_string(cc, item);
        if (!s || item->kind != GH_NODE_STR) {
            gh_diag_error(cc->d, gh_cc_mark(cc, item),
                          "cacheKeyParameters entries must be "
                          "strings like method.request.path.id, not %s",
                          gh_node_kind_name(item->kind));
            continue;
        }
        const char *rest = after(s, "method.request."), *name = NULL;
        static const char *const locs[] = {"path.", "querystring.", "multivaluequerystring.",
                                           "header.", "multivalueheader."};
        for (size_t k = 0; rest && !name && k < sizeof locs / sizeof *locs; k++)
            name = after(rest, locs[k]);
        if (!name || !param_name(name))
            gh_diag_warn(cc->d, gh_cc_mark(cc, item),
                         "cacheKeyParameters entry '%s' names no "
                         "method request parameter, so it cannot be part of a cache key; write "
                         "method.request.{path|querystring|header}.NAME",
                         s);
        in->cache_key_parameters[in->ncache_key_parameters++] = s;
    }
}
