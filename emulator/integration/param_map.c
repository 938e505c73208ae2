/* Parameter mapping for non-proxy integrations (see param_map.h). Names follow AWS's
 * mapping reference (request-response-data-mappings): the integration.request.* targets
 * and the integration.response.* sources. */
#include "integration/param_map.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "template/jsonpath.h"
#include "util/buf.h"

const char *gh_param_body_value(gh_arena *a, const char *body, size_t len, const char *path)
{
    if (!body || !len)
        return NULL;
    if (!path || !*path)
        return gh_arena_strndup(a, body, len);
    json_t *j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    if (!j)
        return NULL;
    gh_vval root = gh_v_from_json(a, j), v;
    json_decref(j);
    const char *err = NULL;
    if (!gh_jsonpath_eval(a, root, path, strlen(path), &v, &err) || v.kind == GH_V_NULL)
        return NULL;
    if (v.kind == GH_V_STRING)
        return gh_arena_strndup(a, v.u.str.s, v.u.str.len);
    gh_buf b = GH_BUF_INIT;
    gh_v_print_json(v, &b);
    const char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

/* Every value of header `name`, comma-joined; NULL when absent. */
static const char *multi_header(gh_arena *a, const gh_headers *h, const char *name)
{
    gh_buf b = GH_BUF_INIT;
    int found = 0;
    for (size_t i = 0; h && i < h->n; i++)
        if (strcasecmp(h->items[i].name, name) == 0) {
            if (found++)
                gh_buf_putc(&b, ',');
            gh_buf_puts(&b, h->items[i].value);
        }
    const char *out = found ? gh_arena_strndup(a, b.data ? b.data : "", b.len) : NULL;
    gh_buf_free(&b);
    return out;
}

const char *gh_param_response_source(const gh_invocation *inv, const char *expr,
                                     const gh_headers *integ_headers, const char *body,
                                     size_t len)
{
    static const char ir[] = "integration.response.";
    if (!expr || strncmp(expr, ir, sizeof ir - 1) != 0)
        return gh_param_source(inv, expr);
    const char *rest = expr + sizeof ir - 1;
    if (strncmp(rest, "header.", 7) == 0)
        return integ_headers ? gh_headers_get(integ_headers, rest + 7) : NULL;
    if (strncmp(rest, "multivalueheader.", 17) == 0)
        return multi_header(inv->arena, integ_headers, rest + 17);
    if (strcmp(rest, "body") == 0)
        return gh_param_body_value(inv->arena, body, len, NULL);
    if (strncmp(rest, "body.", 5) == 0)
        return gh_param_body_value(inv->arena, body, len, rest + 5);
    return NULL;
}

void gh_param_set_path(gh_invocation *inv, const char *name, const char *value)
{
    for (size_t i = 0; i < inv->ninteg_path; i++)
        if (strcmp(inv->integ_path[i].name, name) == 0) {
            inv->integ_path[i].value = value;
            return;
        }
    gh_header *grown = gh_arena_alloc(inv->arena, (inv->ninteg_path + 1) * sizeof *grown);
    if (inv->ninteg_path)
        memcpy(grown, inv->integ_path, inv->ninteg_path * sizeof *grown);
    grown[inv->ninteg_path++] = (gh_header){name, value};
    inv->integ_path = grown;
}

void gh_param_map_request(gh_invocation *inv)
{
    static const char target[] = "integration.request.";
    const gh_kvs *params = &inv->integration->request_parameters;
    for (size_t i = 0; i < params->n; i++) {
        const gh_kv *kv = &params->items[i];
        if (strncmp(kv->key, target, sizeof target - 1) != 0)
            continue;
        const char *where = kv->key + sizeof target - 1;
        const char *v = gh_param_source(inv, kv->value);
        if (!v)
            continue;
        if (strncmp(where, "header.", 7) == 0 && where[7])
            gh_headers_set(inv->arena, &inv->integ_headers, where + 7, v);
        else if (strncmp(where, "querystring.", 12) == 0 && where[12])
            gh_headers_add(inv->arena, &inv->integ_query, where + 12, v);
        else if (strncmp(where, "path.", 5) == 0 && where[5])
            gh_param_set_path(inv, where + 5, v);
    }
}
