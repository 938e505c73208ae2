/* `gatehouse validate` and `gatehouse routes`: load a definition the way serve does
 * and report on it without serving. `routes` prints the REST routing table, then the
 * WebSocket routes (x-gatehouse.websocket) in a second table of the same shape. */
#include <stdio.h>
#include <string.h>

#include "integration/lambda_target.h"
#include "server/commands.h"
#include "server/runtime.h"
#include "util/arena.h"

static gh_runtime *build(const gh_cli *cli, const char *const *defs, size_t ndefs,
                         gh_diags *d)
{
    gh_load_options opt = {
        .definitions = defs,
        .ndefinitions = ndefs,
        .overlays = cli->overlays,
        .noverlays = cli->noverlays,
        .stage = cli->stage,
        .host = cli->host,
        .port = cli->port,
        .generation = 1,
    };
    return gh_runtime_build(&opt, d);
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

int gh_cmd_validate(const gh_cli *cli)
{
    /* Each definition on its own, so one broken file does not hide another's problems
     * (overlays apply to the first, as with serve). */
    int rc = GH_EXIT_OK;
    for (size_t i = 0; i < cli->ndefs; i++) {
        gh_cli one = *cli;
        if (i > 0)
            one.noverlays = 0;
        gh_diags d = GH_DIAGS_INIT;
        gh_runtime *rt = build(&one, &cli->defs[i], 1, &d);
        gh_diags_print(&d, stderr);
        if (rt) {
            const gh_api *api = &rt->model->apis[0];
            size_t nws = api->websocket ? api->websocket->nroutes : 0;
            char ws[64] = "";
            if (api->websocket)
                snprintf(ws, sizeof ws, ", %zu WebSocket route%s", nws, plural(nws));
            printf("%s: ok: %zu resource%s, %zu method%s%s, %zu stage%s, %zu warning%s\n",
                   cli->defs[i], api->nresources, plural(api->nresources), api->nmethods,
                   plural(api->nmethods), ws, api->nstages, plural(api->nstages), d.warnings,
                   plural(d.warnings));
            gh_runtime_free(rt);
        } else {
            printf("%s: invalid: %zu error%s, %zu warning%s\n", cli->defs[i], d.errors,
                   plural(d.errors), d.warnings, plural(d.warnings));
            rc = GH_EXIT_FAILURE;
        }
        gh_diags_free(&d);
    }
    return rc;
}

static const char *integ_name(gh_integ_type t)
{
    switch (t) {
    case GH_INTEG_NONE: return "none";
    case GH_INTEG_MOCK: return "mock";
    case GH_INTEG_AWS_PROXY: return "aws_proxy";
    case GH_INTEG_AWS: return "aws";
    case GH_INTEG_HTTP: return "http";
    case GH_INTEG_HTTP_PROXY: return "http_proxy";
    }
    return "?";
}

static const char *target_of(gh_arena *a, const gh_model *m, const gh_api *api,
                             const gh_stage *st, const gh_integration *in)
{
    if (in->mock_script >= 0)
        return gh_arena_printf(a, "lua-mock:%s", m->scripts[in->mock_script].path);
    if (in->broken)
        return gh_arena_printf(a, "unserved: %s", in->broken);
    if (in->type == GH_INTEG_NONE)
        return "unserved: no integration";
    if (in->lambda_function) {
        const char *fn = gh_lambda_function_for_stage(a, in, st);
        const gh_function *f = gh_api_function(api, fn);
        if (!f)
            return gh_arena_printf(a, "%s (no handler: calls answer 500)", fn);
        return gh_arena_printf(a, "%s (%s)", fn, m->scripts[f->script].path);
    }
    if (in->type == GH_INTEG_MOCK)
        return "static";
    return in->uri ? in->uri : "";
}

/* How a method authorizes, as the console's "Authorization" column says it: NONE,
 * CUSTOM (a Lambda authorizer and its function), COGNITO (with the scopes an access
 * token must carry) or AWS_IAM. */
static const char *authorization_of(gh_arena *a, const gh_method *mt)
{
    const gh_authorizer *az = mt->authorizer;
    if (!az)
        return "NONE";
    const char *what;
    switch (az->kind) {
    case GH_AUTHZ_TOKEN:
    case GH_AUTHZ_REQUEST:
        what = gh_arena_printf(a, "CUSTOM %s '%s' -> %s",
                               az->kind == GH_AUTHZ_TOKEN ? "token" : "request", az->name,
                               az->function ? az->function : "?");
        break;
    case GH_AUTHZ_COGNITO: {
        what = gh_arena_printf(a, "COGNITO '%s'", az->name);
        for (size_t i = 0; i < mt->nauthorization_scopes; i++)
            what = gh_arena_printf(a, "%s%s %s", what, i ? "" : " scopes",
                                   mt->authorization_scopes[i]);
        break;
    }
    case GH_AUTHZ_IAM:
    default:
        what = "AWS_IAM";
        break;
    }
    return az->broken ? gh_arena_printf(a, "%s (broken: calls answer 500)", what) : what;
}

/* API, stage, method, path, integration, target, authorization; the API column only
 * shows when several definitions are loaded. */
#define NCOLS 7
typedef struct row {
    const char *cols[NCOLS];
} row;

static void collect(gh_arena *a, const gh_model *m, const gh_api *api, const gh_stage *st,
                    const gh_resource *r, row **rows, size_t *n, size_t *cap)
{
    for (size_t i = 0; i < r->nmethods; i++) {
        if (*n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 64;
            row *nr = gh_arena_alloc(a, ncap * sizeof *nr);
            if (*n)
                memcpy(nr, *rows, *n * sizeof *nr);
            *rows = nr;
            *cap = ncap;
        }
        const gh_method *mt = &r->methods[i];
        row *rw = &(*rows)[(*n)++];
        rw->cols[0] = api->id;
        rw->cols[1] = st->name;
        rw->cols[2] = mt->verb;
        rw->cols[3] = r->path;
        rw->cols[4] = integ_name(mt->integration->type);
        rw->cols[5] = target_of(a, m, api, st, mt->integration);
        rw->cols[6] = authorization_of(a, mt);
    }
    for (size_t i = 0; i < r->nliterals; i++)
        collect(a, m, api, st, r->literals[i], rows, n, cap);
    if (r->param_child)
        collect(a, m, api, st, r->param_child, rows, n, cap);
    if (r->greedy_child)
        collect(a, m, api, st, r->greedy_child, rows, n, cap);
}

static row *push_row(gh_arena *a, row **rows, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        row *nr = gh_arena_alloc(a, ncap * sizeof *nr);
        if (*n)
            memcpy(nr, *rows, *n * sizeof *nr);
        *rows = nr;
        *cap = ncap;
    }
    return &(*rows)[(*n)++];
}

/* A WebSocket route's authorization, said as for REST methods: NONE, or CUSTOM with the
 * $connect authorizer and its function; "+ API key" when apiKeyRequired. */
static const char *ws_authorization_of(gh_arena *a, const gh_ws_route *r)
{
    const char *what = r->authorizer ? gh_arena_printf(a, "CUSTOM request '%s' -> %s",
                                                       r->authorizer->name,
                                                       r->authorizer->function
                                                           ? r->authorizer->function
                                                           : "?")
                                     : "NONE";
    return r->api_key_required ? gh_arena_printf(a, "%s + API key", what) : what;
}

/* API, stage, route key, integration, target, one-way/two-way, authorization: one row
 * per WebSocket route, in route key order. A `function:` route is a Lambda proxy. */
static void collect_ws(gh_arena *a, const gh_model *m, const gh_api *api, const gh_stage *st,
                       row **rows, size_t *n, size_t *cap)
{
    const gh_ws_api *ws = api->websocket;
    for (size_t i = 0; ws && i < ws->nroutes; i++) {
        const gh_ws_route *r = &ws->routes[i];
        row *rw = push_row(a, rows, n, cap);
        rw->cols[0] = api->id;
        rw->cols[1] = st->name;
        rw->cols[2] = r->key;
        if (r->function) {
            const gh_function *f = gh_api_function(api, r->function);
            rw->cols[3] = "aws_proxy";
            rw->cols[4] = f && f->script >= 0
                              ? gh_arena_printf(a, "%s (%s)", r->function,
                                                m->scripts[f->script].path)
                              : r->function;
        } else {
            rw->cols[3] = integ_name(r->integration->type);
            rw->cols[4] = target_of(a, m, api, st, r->integration);
        }
        rw->cols[5] = r->two_way ? "two-way" : "one-way";
        rw->cols[6] = ws_authorization_of(a, r);
    }
}

static void print_table(const row *header, const row *rows, size_t n, int first)
{
    size_t width[NCOLS];
    for (int c = first; c < NCOLS; c++) {
        width[c] = strlen(header->cols[c]);
        for (size_t i = 0; i < n; i++)
            if (strlen(rows[i].cols[c]) > width[c])
                width[c] = strlen(rows[i].cols[c]);
    }
    for (size_t i = 0; i <= n; i++) {
        const row *rw = i == 0 ? header : &rows[i - 1];
        for (int c = first; c < NCOLS - 1; c++)
            printf("%-*s  ", (int)width[c], rw->cols[c]);
        printf("%s\n", rw->cols[NCOLS - 1]);
    }
}

int gh_cmd_routes(const gh_cli *cli)
{
    gh_diags d = GH_DIAGS_INIT;
    gh_runtime *rt = build(cli, cli->defs, cli->ndefs, &d);
    gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    if (!rt)
        return GH_EXIT_FAILURE;
    gh_arena *a = gh_arena_new(16 * 1024);
    row header = {{"API", "STAGE", "METHOD", "PATH", "INTEGRATION", "TARGET", "AUTHORIZATION"}};
    row *rows = NULL;
    size_t n = 0, cap = 0;
    const gh_model *m = rt->model;
    for (size_t i = 0; i < m->napis; i++)
        collect(a, m, &m->apis[i], m->apis[i].default_stage, m->apis[i].root, &rows, &n, &cap);
    int first = m->napis > 1 ? 0 : 1;
    row *ws_rows = NULL;
    size_t nws = 0, capws = 0;
    for (size_t i = 0; i < m->napis; i++)
        collect_ws(a, m, &m->apis[i], m->apis[i].default_stage, &ws_rows, &nws, &capws);
    /* A WebSocket-only definition has no REST table worth printing. */
    if (n || !nws)
        print_table(&header, rows, n, first);
    if (nws) {
        row ws_header = {{"API", "STAGE", "ROUTE", "INTEGRATION", "TARGET", "RESPONSE",
                          "AUTHORIZATION"}};
        if (n)
            printf("\n");
        print_table(&ws_header, ws_rows, nws, first);
    }
    for (size_t i = 0; i < m->napis; i++) {
        const gh_api *api = &m->apis[i];
        if (!api->resource_policy)
            continue;
        const json_t *st = json_object_get(api->resource_policy, "Statement");
        size_t n_st = json_is_array(st) ? json_array_size(st) : 1;
        printf("resource policy%s%s: %zu statement%s (x-amazon-apigateway-policy at %s:%u:%u)\n",
               m->napis > 1 ? " of " : "", m->napis > 1 ? api->id : "", n_st, plural(n_st),
               api->resource_policy_mark.file ? api->resource_policy_mark.file : api->source,
               api->resource_policy_mark.line, api->resource_policy_mark.col);
    }
    for (size_t i = 0; i < m->napis; i++) {
        const gh_ws_api *ws = m->apis[i].websocket;
        if (ws)
            printf("websocket%s%s: route selection %s, idle timeout %lld s "
                   "(x-gatehouse.websocket at %s:%u:%u)\n",
                   m->napis > 1 ? " of " : "", m->napis > 1 ? m->apis[i].id : "",
                   ws->route_selection_expression, (long long)(ws->idle_timeout_ms / 1000),
                   ws->mark.file ? ws->mark.file : m->apis[i].source, ws->mark.line,
                   ws->mark.col);
    }
    gh_arena_free(a);
    gh_runtime_free(rt);
    return GH_EXIT_OK;
}
