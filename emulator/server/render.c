/* `gatehouse render`: renders one mapping template of a definition (integration request,
 * integration response, gateway response) or an ad-hoc VTL file against a request given
 * on the command line, without serving: the tool people otherwise need a deploy for.
 * The request goes through the server's own phases (gh_pipeline_resolve) and the
 * template is chosen as the server chooses it, so what this prints is what the server's
 * integration would get. The rendered body goes to stdout byte for byte; what was chosen
 * and which overrides the template set go to stderr (or all of it as JSON, --json). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/gateway_response.h"
#include "integration/integ_response.h"
#include "integration/template_pick.h"
#include "server/commands.h"
#include "server/runtime.h"
#include "template/mapping.h"
#include "template/vtl.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/log.h"

/* What one run produced, printed at the end as text or JSON. */
typedef struct result {
    const char *body;
    size_t len;
    json_t *overrides; /* "$context.requestOverride.header.X" -> value, in set order */
    json_t *info;      /* the --json object's other fields */
} result;

/* Reads a whole file ("-": stdin) into the arena. NULL when it cannot be read. */
static char *slurp(gh_arena *a, const char *file, const char *flag, size_t *len)
{
    FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
    if (!f) {
        gh_log(GH_LOG_ERROR, "%s: cannot open: %m; check the %s path", file, flag);
        return NULL;
    }
    gh_buf b = GH_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        gh_buf_append(&b, chunk, n);
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        gh_buf_free(&b);
        gh_log(GH_LOG_ERROR, "%s: read error; check the %s path", file, flag);
        return NULL;
    }
    char *out = gh_arena_alloc(a, b.len + 1);
    if (b.len)
        memcpy(out, b.data, b.len);
    out[b.len] = '\0';
    *len = b.len;
    gh_buf_free(&b);
    return out;
}

/* The request a client would send to `serve`: the headers in the order given, the Host
 * curl would send when none is given, and the body. */
static int build_request(const gh_cli *cli, const gh_model *m, gh_request *req)
{
    gh_arena *a = req->arena;
    gh_request_stamp(req);
    int port = m->port >= 0 ? m->port : 8080;
    const char *target = cli->path;
    if (!target) /* no request named: the stage's root, as `curl .../{stage}/` */
        target = gh_arena_printf(a, "/%s/", m->apis[0].default_stage->name);
    const char *q = strchr(target, '?');
    req->method = cli->method ? cli->method : "GET";
    req->path = q ? gh_arena_strndup(a, target, (size_t)(q - target)) : target;
    req->query = q ? q + 1 : NULL;
    req->protocol = "HTTP/1.1";
    req->source_ip = "127.0.0.1";
    req->local_port = port;
    bool host = false;
    for (size_t i = 0; i < cli->nheaders; i++)
        host |= strncasecmp(cli->headers[i], "Host:", 5) == 0;
    if (!host)
        gh_headers_add(a, &req->headers, "Host", gh_arena_printf(a, "127.0.0.1:%d", port));
    for (size_t i = 0; i < cli->nheaders; i++) {
        const char *h = cli->headers[i], *colon = strchr(h, ':');
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        gh_headers_add(a, &req->headers, gh_arena_strndup(a, h, (size_t)(colon - h)), v);
    }
    if (cli->content_type)
        gh_headers_set(a, &req->headers, "Content-Type", cli->content_type);
    /* As the server does: the Host without its port, lower-cased, picks the API. */
    char *hv = gh_arena_strdup(a, gh_headers_get(&req->headers, "Host"));
    char *colon = strrchr(hv, ':');
    if (colon && !strchr(hv, ']'))
        *colon = '\0';
    for (char *p = hv; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    req->host = hv;
    if (cli->data) {
        req->body = cli->data;
        req->body_len = strlen(cli->data);
    } else if (cli->data_file) {
        size_t len = 0;
        char *b = slurp(a, cli->data_file, "--data-file", &len);
        if (!b)
            return -1;
        req->body = len ? b : NULL;
        req->body_len = len;
        req->body_too_large = len > GH_MAX_BODY_BYTES;
    }
    return 0;
}

static const char *position(gh_arena *a, gh_mark m)
{
    char buf[512];
    gh_mark_format(m, buf, sizeof buf);
    return gh_arena_strdup(a, buf);
}

/* What the server would answer instead, for an error line: `403 {"message":...}`. */
static const char *answer(gh_invocation *inv, gh_gw_type t)
{
    inv->fail_type = t;
    gh_gw_render(inv);
    return gh_arena_printf(inv->arena, "%d %.*s", inv->resp->status, (int)inv->resp->body_len,
                           inv->resp->body ? inv->resp->body : "");
}

static void add_overrides(json_t *o, const char *what, const gh_headers *h)
{
    for (size_t i = 0; i < h->n; i++) {
        char key[512];
        snprintf(key, sizeof key, "$context.%s.%s", what, h->items[i].name);
        json_object_set_new(o, key, json_string(h->items[i].value ? h->items[i].value : ""));
    }
}

/* Renders t; fills res or prints why it failed. */
static int render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind, const char *body,
                  size_t len, result *res)
{
    gh_mapping_out out;
    memset(&out, 0, sizeof out);
    if (gh_mapping_render(inv, t, kind, body, len, &out) != 0) {
        gh_log(GH_LOG_ERROR, "rendering the template at %s failed: %s",
               position(inv->arena, t->mark), out.error ? out.error : "unknown error");
        return -1;
    }
    res->body = out.body;
    res->len = out.len;
    add_overrides(res->overrides, "requestOverride.header", &out.request_header_overrides);
    add_overrides(res->overrides, "requestOverride.querystring", &out.request_query_overrides);
    add_overrides(res->overrides, "requestOverride.path", &out.request_path_overrides);
    if (out.status_override)
        json_object_set_new(res->overrides, "$context.responseOverride.status",
                            json_integer(out.status_override));
    add_overrides(res->overrides, "responseOverride.header", &out.response_header_overrides);
    return 0;
}

static void describe(result *res, const char *what, const gh_template *t, gh_arena *a)
{
    json_object_set_new(res->info, "template", json_string(what));
    json_object_set_new(res->info, "mediaType",
                        t->media_type ? json_string(t->media_type) : json_null());
    json_object_set_new(res->info, "position", json_string(position(a, t->mark)));
}

/* Only non-proxy integrations have templates; anything else is worth a clear word. */
static int check_templated(const gh_invocation *inv, const char *method, const char *path)
{
    const gh_integration *in = inv->integration;
    const char *why = NULL;
    if (in->mock_script >= 0)
        why = "is answered by an x-gatehouse-mock Lua file, which uses no templates";
    else if (in->type == GH_INTEG_AWS_PROXY || in->type == GH_INTEG_HTTP_PROXY)
        why = "has a proxy integration; AWS applies no mapping templates to it";
    else if (in->type == GH_INTEG_NONE)
        why = "declares no x-amazon-apigateway-integration";
    if (!why)
        return 0;
    gh_log(GH_LOG_ERROR, "%s %s (%s at %s) %s", method, path, inv->resource->path,
           position(inv->arena, in->mark), why);
    return -1;
}

static int request_template(const gh_cli *cli, gh_invocation *inv, result *res)
{
    if (check_templated(inv, cli->method, cli->path) < 0)
        return -1;
    const gh_integration *in = inv->integration;
    const gh_template *t;
    const char *type;
    gh_pick p = gh_template_pick_request(in, gh_headers_get(&inv->req->headers, "Content-Type"),
                                         inv->arena, &t, &type);
    if (p == GH_PICK_REJECT) {
        gh_log(GH_LOG_ERROR,
               "no request template for %s and passthroughBehavior %s forbids passing the "
               "body through: the server would answer %s",
               type, gh_passthrough_name(in->passthrough),
               answer(inv, GH_GW_UNSUPPORTED_MEDIA_TYPE));
        return -1;
    }
    if (p == GH_PICK_PASSTHROUGH) {
        fprintf(stderr,
                "passthrough: no request template for %s; passthroughBehavior %s "
                "passes the body through unchanged\n",
                type, gh_passthrough_name(in->passthrough));
        json_object_set_new(res->info, "passthrough",
                            json_string(gh_passthrough_name(in->passthrough)));
        res->body = inv->req->body ? inv->req->body : "";
        res->len = inv->req->body_len;
        return 0;
    }
    describe(res, "integration request", t, inv->arena);
    return render(inv, t, GH_MAPPING_REQUEST, inv->req->body, inv->req->body_len, res);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* --response KEY: `default`, the method response status an integration response maps
 * to, or else a text matched against the selection patterns as the server matches a
 * Lambda error message or an HTTP backend's status (falling back to the default). */
static const gh_integ_response *find_response(const gh_integration *in, const char *key)
{
    bool def = strcmp(key, "default") == 0;
    for (size_t i = 0; i < in->nresponses; i++) {
        const gh_integ_response *r = &in->responses[i];
        bool is_default = !r->pattern || !r->pattern[0];
        if (def ? is_default : (all_digits(key) && r->status == atoi(key)))
            return r;
    }
    return def ? NULL : gh_integ_response_select(in, key);
}

static int response_template(const gh_cli *cli, gh_invocation *inv, result *res)
{
    if (check_templated(inv, cli->method, cli->path) < 0)
        return -1;
    const gh_integ_response *r = find_response(inv->integration, cli->response);
    if (!r) {
        gh_log(GH_LOG_ERROR,
               "no integration response of the integration at %s matches '%s' and none is the "
               "default: the server would answer %s",
               position(inv->arena, inv->integration->mark), cli->response,
               answer(inv, GH_GW_API_CONFIGURATION_ERROR));
        return -1;
    }
    const char *what =
        r->pattern && r->pattern[0]
            ? gh_arena_printf(inv->arena, "integration response %d (selectionPattern '%s')",
                              r->status, r->pattern)
            : gh_arena_printf(inv->arena, "integration response %d (default)", r->status);
    json_object_set_new(res->info, "status", json_integer(r->status));
    const gh_template *t =
        gh_template_pick_response(r, gh_headers_get(&inv->req->headers, "Accept"), inv->arena);
    if (!t) {
        fprintf(stderr,
                "passthrough: %s at %s has no template; the integration's body passes "
                "through unchanged\n",
                what, position(inv->arena, r->mark));
        json_object_set_new(res->info, "passthrough", json_true());
        res->body = cli->integration_body;
        res->len = cli->integration_body_len;
        return 0;
    }
    describe(res, what, t, inv->arena);
    return render(inv, t, GH_MAPPING_RESPONSE, cli->integration_body, cli->integration_body_len,
                  res);
}

/* A gateway response renders through the server's own gh_gw_render, so status, headers
 * and body are what a client would get. */
static int gateway_template(const gh_cli *cli, gh_invocation *inv, result *res)
{
    gh_gw_type type;
    gh_gw_type_from_name(cli->gateway_response, &type);
    const gh_gw_override *ov = gh_gw_override_for(inv->api, type);
    const gh_kv *kv = gh_gw_template_for(ov);
    const char *what = gh_arena_printf(inv->arena, "gateway response %s", cli->gateway_response);
    if (ov && ov != &inv->api->gateway_responses[type])
        what = gh_arena_printf(inv->arena, "%s (from %s)", what,
                               gh_gw_type_name((gh_gw_type)(ov - inv->api->gateway_responses)));
    if (kv) {
        gh_template t = {.media_type = kv->key, .mark = kv->mark};
        describe(res, what, &t, inv->arena);
    } else {
        json_object_set_new(
            res->info, "template",
            json_string(gh_arena_printf(inv->arena, "%s (AWS's built-in default)", what)));
    }
    inv->fail_type = type;
    inv->fail_message = NULL;
    inv->fail_status = 0;
    gh_gw_render(inv);
    json_object_set_new(res->info, "status", json_integer(inv->resp->status));
    json_t *h = json_object();
    for (size_t i = 0; i < inv->resp->headers.n; i++)
        json_object_set_new(h, inv->resp->headers.items[i].name,
                            json_string(inv->resp->headers.items[i].value));
    json_object_set_new(res->info, "headers", h);
    res->body = inv->resp->body ? inv->resp->body : "";
    res->len = inv->resp->body_len;
    return 0;
}

/* --template FILE: an ad-hoc VTL file, as a request template, or as a response template
 * when an integration body is given. */
static int file_template(const gh_cli *cli, gh_invocation *inv, result *res)
{
    size_t len = 0;
    char *text = slurp(inv->arena, cli->template_file, "--template", &len);
    if (!text)
        return -1;
    gh_vtl_error err;
    memset(&err, 0, sizeof err);
    const gh_vtl *vtl = gh_vtl_compile(inv->arena, text, len, &err);
    if (!vtl) {
        fprintf(stderr, "%s:%u:%u: error: %s\n", cli->template_file, err.line, err.col,
                err.message);
        return -1;
    }
    gh_template t = {.text = text, .len = len, .mark = {cli->template_file, 1, 1}, .compiled = vtl};
    bool response = cli->integration_body != NULL;
    describe(res,
             response ? "template file, as a response template"
                      : "template file, as a request template",
             &t, inv->arena);
    if (response)
        return render(inv, &t, GH_MAPPING_RESPONSE, cli->integration_body,
                      cli->integration_body_len, res);
    return render(inv, &t, GH_MAPPING_REQUEST, inv->req->body, inv->req->body_len, res);
}

static void print_text(const result *res)
{
    const char *what = json_string_value(json_object_get(res->info, "template"));
    const char *pos = json_string_value(json_object_get(res->info, "position"));
    const json_t *mt = json_object_get(res->info, "mediaType");
    if (what)
        fprintf(stderr, "template: %s%s%s%s%s\n", what, json_is_string(mt) ? ", " : "",
                json_is_string(mt) ? json_string_value(mt) : "", pos ? ", " : "", pos ? pos : "");
    const json_t *headers = json_object_get(res->info, "headers");
    if (headers) {
        fprintf(stderr, "status: %lld\n",
                (long long)json_integer_value(json_object_get(res->info, "status")));
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)headers, k, v)
            fprintf(stderr, "header: %s: %s\n", k, json_string_value(v));
    }
    const char *k;
    const json_t *v;
    json_object_foreach(res->overrides, k, v)
    {
        if (json_is_integer(v))
            fprintf(stderr, "override: %s = %lld\n", k, (long long)json_integer_value(v));
        else
            fprintf(stderr, "override: %s = %s\n", k, json_string_value(v));
    }
    fflush(stderr);
    if (res->len)
        fwrite(res->body, 1, res->len, stdout);
}

static void print_json(const result *res, gh_arena *a)
{
    json_t *o = json_deep_copy(res->info);
    json_t *body = json_stringn(res->body ? res->body : "", res->len);
    if (body) {
        json_object_set_new(o, "body", body);
    } else {
        /* Not UTF-8 (a binary body): base64, as API Gateway hands binary to Lambda. */
        json_object_set_new(o, "body", json_string(gh_base64_encode(a, res->body, res->len)));
        json_object_set_new(o, "isBase64Encoded", json_true());
    }
    json_object_set(o, "overrides", res->overrides);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s ? s : "{}");
    free(s);
    json_decref(o);
}

int gh_cmd_render(const gh_cli *cli)
{
    gh_runtime *rt = gh_cli_runtime(cli, 1);
    if (!rt)
        return GH_EXIT_FAILURE;

    gh_arena *a = gh_arena_new(16 * 1024);
    gh_cli c = *cli;
    cli = &c;
    gh_request req = {.arena = a};
    gh_response resp = {0};
    gh_invocation inv = {.resp = &resp};
    result res = {.body = "", .overrides = json_object(), .info = json_object()};
    int rc = GH_EXIT_FAILURE;
    if (build_request(cli, rt->model, &req) < 0)
        goto done;
    if (c.integration_body) {
        c.integration_body_len = strlen(c.integration_body);
    } else if (c.integration_body_file) {
        c.integration_body =
            slurp(a, c.integration_body_file, "--integration-body-file", &c.integration_body_len);
        if (!c.integration_body)
            goto done;
    } else {
        c.integration_body = NULL;
    }
    if (gh_pipeline_resolve(rt, &req, &inv) != 0) {
        /* A gateway response exists for exactly these cases, and an ad-hoc template with
         * no request named renders for the stage's root whether it has a method or not.
         * Anything else gets the server's answer. */
        bool needs_route = !cli->gateway_response && cli->path;
        if (needs_route || !inv.api || !inv.stage) {
            gh_gw_type t = inv.fail_type;
            const char *why = inv.log_detail ? inv.log_detail : "";
            inv.resp = &resp;
            gh_gw_render(&inv);
            gh_log(GH_LOG_ERROR, "%s %s: %s; the server would answer %d %.*s (%s)", req.method,
                   cli->path ? cli->path : req.path, why, resp.status, (int)resp.body_len,
                   resp.body ? resp.body : "", gh_gw_type_name(t));
            goto done;
        }
        memset(&resp, 0, sizeof resp);
    }
    int r;
    if (cli->gateway_response)
        r = gateway_template(cli, &inv, &res);
    else if (cli->template_file)
        r = file_template(cli, &inv, &res);
    else if (cli->response)
        r = response_template(cli, &inv, &res);
    else
        r = request_template(cli, &inv, &res);
    if (r == 0) {
        if (cli->json)
            print_json(&res, a);
        else
            print_text(&res);
        rc = GH_EXIT_OK;
    }
done:
    json_decref(res.overrides);
    json_decref(res.info);
    gh_arena_free(a);
    gh_runtime_free(rt);
    return rc;
}
