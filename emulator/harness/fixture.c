/* Loading fixture files: the YAML/JSON goes through spec/node.h so every value keeps its
 * file:line:col; this module checks the shape docs/fixtures.md specifies and collects
 * every problem (not only the first), each saying what is wrong and what to write. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/fixture.h"
#include "harness/queue_expect.h"
#include "template/jsonpath.h"
#include "util/jregex.h"

typedef struct loader {
    gh_diags *d;
    gh_doc *doc;
} loader;

/* Checks that every key of map is one of the space-separated names in allowed. */
static void only_keys(loader *l, const gh_node *map, const char *what, const char *allowed)
{
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->pairs[i].key->text;
        size_t n = strlen(k);
        bool ok = false;
        for (const char *p = allowed; !ok && (p = strstr(p, k)); p += n)
            ok = (p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0');
        if (!ok)
            gh_diag_error(l->d, map->pairs[i].key->mark,
                          "unknown key '%s' in %s; expected one of: %s", k, what, allowed);
    }
}

static bool want_kind(loader *l, const gh_node *n, gh_node_kind k, const char *what,
                      const char *example)
{
    if (!n || n->kind == k)
        return true;
    gh_diag_error(l->d, n->mark, "%s must be %s, not %s; write it as %s", what,
                  gh_node_kind_name(k), gh_node_kind_name(n->kind), example);
    return false;
}

static bool is_scalar(const gh_node *n)
{
    return n->kind != GH_NODE_MAP && n->kind != GH_NODE_SEQ;
}

static bool has_var(const gh_node *n)
{
    return n->text && strstr(n->text, "${");
}

const char *gh_fixture_matcher(const gh_node *n)
{
    if (!n || n->kind != GH_NODE_MAP || n->n != 1)
        return NULL;
    const char *k = n->pairs[0].key->text;
    if (!strcmp(k, "regex"))
        return "regex";
    if (!strcmp(k, "absent"))
        return "absent";
    return NULL;
}

static void check_regex(loader *l, const gh_node *n, const char *what)
{
    if (!want_kind(l, n, GH_NODE_STR, what, "a quoted string: '^[0-9]+$'") || has_var(n))
        return;
    const char *err = NULL;
    if (!gh_jregex_get(n->text, n->len, &err))
        gh_diag_error(l->d, n->mark, "%s is not a valid Java regex: %s; fix the pattern "
                      "(backslashes need no doubling in single quotes)", what,
                      err ? err : "syntax error");
}

/* A value of expect.headers or expect.jsonpath: a plain value or a matcher. */
static void check_matcher(loader *l, const gh_node *v, const char *what, bool any_value)
{
    const char *m = gh_fixture_matcher(v);
    if (m && !strcmp(m, "regex")) {
        check_regex(l, v->pairs[0].value, what);
    } else if (m) {
        const gh_node *a = v->pairs[0].value;
        if (a->kind != GH_NODE_BOOL || !a->v.b)
            gh_diag_error(l->d, a->mark, "%s: absent takes only true; to require the value, "
                          "give it instead of {absent: ...}", what);
    } else if (!any_value && !is_scalar(v)) {
        gh_diag_error(l->d, v->mark, "%s must be a value, {regex: R} or {absent: true}, not "
                      "%s", what, gh_node_kind_name(v->kind));
    }
}

static void load_request(loader *l, gh_fixture *f, const gh_node *r)
{
    if (!want_kind(l, r, GH_NODE_MAP, "request", "a map: {method: GET, path: /dev/pets}"))
        return;
    only_keys(l, r, "request", "method path stage query headers body json bodyFile apiKey");
    f->method = gh_node_get(r, "method");
    f->path = gh_node_get(r, "path");
    f->stage = gh_node_get(r, "stage");
    f->query = gh_node_get(r, "query");
    f->headers = gh_node_get(r, "headers");
    f->body = gh_node_get(r, "body");
    f->json = gh_node_get(r, "json");
    f->body_file = gh_node_get(r, "bodyFile");
    f->api_key = gh_node_get(r, "apiKey");
    if (want_kind(l, f->method, GH_NODE_STR, "request.method", "GET, POST, ...") && f->method &&
        !has_var(f->method))
        for (const char *p = f->method->text; *p; p++)
            if (!isupper((unsigned char)*p)) {
                gh_diag_error(l->d, f->method->mark, "request.method '%s' is not an HTTP "
                              "method; write it in capitals (GET, POST, ...)", f->method->text);
                break;
            }
    if (!f->path)
        gh_diag_error(l->d, r->mark, "request has no path; add path: /STAGE/resource (or "
                      "stage: S and path: /resource)");
    else if (want_kind(l, f->path, GH_NODE_STR, "request.path", "/dev/pets") &&
             f->path->text[0] != '/' && f->path->text[0] != '$')
        gh_diag_error(l->d, f->path->mark, "request.path '%s' must start with '/'; write "
                      "/%s", f->path->text, f->path->text);
    if (f->stage && !is_scalar(f->stage))
        gh_diag_error(l->d, f->stage->mark, "request.stage must be a name such as dev");
    if (want_kind(l, f->query, GH_NODE_MAP, "request.query", "{limit: \"2\", tag: [a, b]}") &&
        f->query)
        for (size_t i = 0; i < f->query->n; i++) {
            const gh_node *v = f->query->pairs[i].value;
            bool ok = is_scalar(v);
            if (v->kind == GH_NODE_SEQ) {
                ok = true;
                for (size_t k = 0; k < v->n; k++)
                    ok = ok && is_scalar(v->items[k]);
            }
            if (!ok)
                gh_diag_error(l->d, v->mark, "query parameter '%s' must be a value or a list "
                              "of values (a repeated parameter)", f->query->pairs[i].key->text);
        }
    if (want_kind(l, f->headers, GH_NODE_MAP, "request.headers",
                  "{Content-Type: application/json}") && f->headers)
        for (size_t i = 0; i < f->headers->n; i++)
            if (!is_scalar(f->headers->pairs[i].value))
                gh_diag_error(l->d, f->headers->pairs[i].value->mark, "header '%s' must be "
                              "one value (text)", f->headers->pairs[i].key->text);
    int bodies = !!f->body + !!f->json + !!f->body_file;
    if (bodies > 1)
        gh_diag_error(l->d, r->mark, "request gives %d bodies; keep one of body, json and "
                      "bodyFile", bodies);
    want_kind(l, f->body, GH_NODE_STR, "request.body", "a quoted string, or use json:");
    want_kind(l, f->body_file, GH_NODE_STR, "request.bodyFile", "a path relative to this file");
    if (f->api_key && !is_scalar(f->api_key))
        gh_diag_error(l->d, f->api_key->mark, "request.apiKey must be the key's text");
}

/* One entry of expect.queues.QUEUE.messages: at least one of json, body, attributes. */
static void load_queue_message(loader *l, const gh_node *m, const char *queue, size_t k)
{
    if (!want_kind(l, m, GH_NODE_MAP, "a queues message", "{json: {id: 1}}, {body: text} or "
                   "{attributes: {kind: order}}"))
        return;
    only_keys(l, m, "a queues message", "json body attributes");
    if (!m->n)
        gh_diag_error(l->d, m->mark, "queue '%s' messages[%zu] says nothing about the message; "
                      "give json, body or attributes", queue, k);
    want_kind(l, gh_node_get(m, "body"), GH_NODE_STR, "a queues message's body",
              "a quoted string, or use json:");
    const gh_node *at = gh_node_get(m, "attributes");
    if (want_kind(l, at, GH_NODE_MAP, "a queues message's attributes", "{kind: order}") && at)
        for (size_t i = 0; i < at->n; i++)
            if (!is_scalar(at->pairs[i].value))
                gh_diag_error(l->d, at->pairs[i].value->mark, "attribute '%s' must be a value "
                              "(text or a number)", at->pairs[i].key->text);
}

/* expect.queues: {QUEUE: {within: 2s, count: 1, messages: [...]}}. */
static void load_queues(loader *l, const gh_node *q)
{
    if (!want_kind(l, q, GH_NODE_MAP, "expect.queues", "{orders: {within: 2s, count: 1}}") ||
        !q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        const char *name = q->pairs[i].key->text;
        const gh_node *spec = q->pairs[i].value;
        if (!want_kind(l, spec, GH_NODE_MAP, "an expect.queues entry",
                       "{within: 2s, count: 1, messages: [{json: {id: 1}}]}"))
            continue;
        only_keys(l, spec, "an expect.queues entry", "within count messages");
        const gh_node *within = gh_node_get(spec, "within");
        long ms = gh_fx_duration_ms(within);
        if (within && (ms < 0 || ms > GH_FX_QUEUE_WITHIN_MAX_MS))
            gh_diag_error(l->d, within->mark, "queue '%s': within must be a time from 0 to "
                          "60s, written 2s, 500ms or 2 (seconds), not '%s'", name,
                          within->text ? within->text : gh_node_kind_name(within->kind));
        const gh_node *count = gh_node_get(spec, "count");
        const gh_node *msgs = gh_node_get(spec, "messages");
        if (count && (count->kind != GH_NODE_INT || count->v.i < 0 || count->v.i > 100000))
            gh_diag_error(l->d, count->mark, "queue '%s': count must be a whole number of "
                          "messages (0 for none), not '%s'", name,
                          count->text ? count->text : gh_node_kind_name(count->kind));
        else if (count && msgs && msgs->kind == GH_NODE_SEQ && (size_t)count->v.i < msgs->n)
            gh_diag_error(l->d, count->mark, "queue '%s': count %lld is less than the %zu "
                          "messages described; raise count or drop a message", name,
                          (long long)count->v.i, msgs->n);
        if (want_kind(l, msgs, GH_NODE_SEQ, "an expect.queues entry's messages",
                      "a list: - json: {id: 1}") && msgs)
            for (size_t k = 0; k < msgs->n; k++)
                load_queue_message(l, msgs->items[k], name, k);
    }
}

static void load_expect(loader *l, gh_fixture *f, const gh_node *e)
{
    if (!want_kind(l, e, GH_NODE_MAP, "expect", "a map: {status: 200}"))
        return;
    only_keys(l, e, "expect", "status headers body json jsonpath bodyRegex bodyFile invoked queues");
    f->status = gh_node_get(e, "status");
    f->exp_headers = gh_node_get(e, "headers");
    f->exp_body = gh_node_get(e, "body");
    f->exp_json = gh_node_get(e, "json");
    f->exp_jsonpath = gh_node_get(e, "jsonpath");
    f->exp_body_regex = gh_node_get(e, "bodyRegex");
    f->exp_body_file = gh_node_get(e, "bodyFile");
    f->unsupported = gh_node_get(e, "invoked");
    f->exp_queues = gh_node_get(e, "queues");
    load_queues(l, f->exp_queues);
    if (f->status && (f->status->kind != GH_NODE_INT || f->status->v.i < 100 ||
                      f->status->v.i > 599))
        gh_diag_error(l->d, f->status->mark, "expect.status must be an HTTP status from 100 "
                      "to 599, written as a number (200), not '%s'",
                      f->status->text ? f->status->text : gh_node_kind_name(f->status->kind));
    if (want_kind(l, f->exp_headers, GH_NODE_MAP, "expect.headers",
                  "{Content-Type: application/json}") && f->exp_headers)
        for (size_t i = 0; i < f->exp_headers->n; i++)
            check_matcher(l, f->exp_headers->pairs[i].value, "expect.headers value", false);
    want_kind(l, f->exp_body, GH_NODE_STR, "expect.body", "a quoted string, or use json:");
    want_kind(l, f->exp_body_file, GH_NODE_STR, "expect.bodyFile", "a path relative to this file");
    if (f->exp_body_regex)
        check_regex(l, f->exp_body_regex, "expect.bodyRegex");
    if (want_kind(l, f->exp_jsonpath, GH_NODE_MAP, "expect.jsonpath", "{$.id: 7}") &&
        f->exp_jsonpath)
        for (size_t i = 0; i < f->exp_jsonpath->n; i++) {
            const gh_node *k = f->exp_jsonpath->pairs[i].key;
            const char *err = has_var(k) ? NULL : gh_jsonpath_check(k->text, k->len);
            if (err)
                gh_diag_error(l->d, k->mark, "'%s' is not a JSONPath: %s; write it as "
                              "$.a.b or $.list[0]", k->text, err);
            check_matcher(l, f->exp_jsonpath->pairs[i].value, "expect.jsonpath value", true);
        }
}

static void load_capture(loader *l, gh_fixture *f, const gh_node *c)
{
    if (!want_kind(l, c, GH_NODE_MAP, "capture", "{petId: {jsonpath: $.id}}"))
        return;
    f->capture = c;
    for (size_t i = 0; i < c->n; i++) {
        const gh_node *v = c->pairs[i].value;
        const char *name = c->pairs[i].key->text;
        if (v->kind != GH_NODE_MAP || v->n != 1 ||
            (!gh_node_get(v, "jsonpath") && !gh_node_get(v, "header")) ||
            v->pairs[0].value->kind != GH_NODE_STR) {
            gh_diag_error(l->d, v->mark, "capture '%s' must be {jsonpath: $.path} or "
                          "{header: Name}", name);
            continue;
        }
        const gh_node *p = gh_node_get(v, "jsonpath");
        const char *err = p ? gh_jsonpath_check(p->text, p->len) : NULL;
        if (err)
            gh_diag_error(l->d, p->mark, "'%s' is not a JSONPath: %s; write it as $.a.b",
                          p->text, err);
        if (!strncmp(name, "env.", 4))
            gh_diag_error(l->d, c->pairs[i].key->mark, "capture '%s': names starting with "
                          "env. are the environment's; pick another name", name);
    }
}

static void load_fixture(loader *l, gh_fixture_file *file, const gh_node *n)
{
    if (!want_kind(l, n, GH_NODE_MAP, "a fixture", "a map with name, request and expect"))
        return;
    only_keys(l, n, "a fixture", "name request expect capture");
    gh_fixture *f = &file->items[file->n++];
    f->mark = n->mark;
    const gh_node *name = gh_node_get(n, "name");
    if (!name || !gh_node_scalar(name)) {
        gh_diag_error(l->d, name ? name->mark : n->mark, "a fixture needs a name (unique in "
                      "the file); add name: ...");
        f->name = "";
    } else {
        f->name = gh_node_scalar(name);
        for (size_t i = 0; i + 1 < file->n; i++)
            if (!strcmp(file->items[i].name, f->name))
                gh_diag_error(l->d, name->mark, "fixture name '%s' is used twice (first at "
                              "line %u); give each fixture its own name", f->name,
                              file->items[i].mark.line);
    }
    const gh_node *req = gh_node_get(n, "request");
    if (!req)
        gh_diag_error(l->d, n->mark, "fixture '%s' has no request; add request: {path: "
                      "/STAGE/...}", f->name);
    else
        load_request(l, f, req);
    const gh_node *exp = gh_node_get(n, "expect");
    if (exp)
        load_expect(l, f, exp);
    const gh_node *cap = gh_node_get(n, "capture");
    if (cap)
        load_capture(l, f, cap);
}

static int load_doc(const char *path, gh_doc *doc, gh_fixture_file **out, gh_diags *d);

int gh_fixture_file_load(const char *path, gh_fixture_file **out, gh_diags *d)
{
    *out = NULL;
    gh_doc *doc = NULL;
    if (gh_doc_load_file(path, &doc, d) < 0)
        return -1;
    return load_doc(path, doc, out, d);
}

int gh_fixture_file_load_buffer(const char *name, const char *text, size_t len,
                                gh_fixture_file **out, gh_diags *d)
{
    *out = NULL;
    gh_doc *doc = NULL;
    if (gh_doc_load_buffer(name, text, len, &doc, d) < 0)
        return -1;
    return load_doc(name, doc, out, d);
}

static int load_doc(const char *path, gh_doc *doc, gh_fixture_file **out, gh_diags *d)
{
    size_t errors = d->errors;
    loader l = {d, doc};
    gh_fixture_file *f = calloc(1, sizeof *f);
    f->doc = doc;
    f->path = doc->path;
    const char *base = strrchr(path, '/');
    f->name = base ? base + 1 : path;
    const gh_node *root = doc->root;
    gh_mark top = {doc->path, 1, 1};
    if (!root || root->kind != GH_NODE_MAP) {
        gh_diag_error(d, root ? root->mark : top, "a fixture file is a map with a fixtures "
                      "list; see docs/fixtures.md");
        gh_fixture_file_free(f);
        return -1;
    }
    only_keys(&l, root, "a fixture file", "name vars fixtures");
    const gh_node *name = gh_node_get(root, "name");
    if (name && gh_node_scalar(name))
        f->name = gh_node_scalar(name);
    f->vars = gh_node_get(root, "vars");
    if (want_kind(&l, f->vars, GH_NODE_MAP, "vars", "{petName: rex}") && f->vars)
        for (size_t i = 0; i < f->vars->n; i++)
            if (!is_scalar(f->vars->pairs[i].value))
                gh_diag_error(d, f->vars->pairs[i].value->mark, "variable '%s' must be one "
                              "value (text or a number)", f->vars->pairs[i].key->text);
    const gh_node *list = gh_node_get(root, "fixtures");
    if (!list)
        gh_diag_error(d, root->mark, "no fixtures list; add fixtures: [...] (docs/fixtures.md)");
    else if (want_kind(&l, list, GH_NODE_SEQ, "fixtures", "a list: - name: ...")) {
        f->items = gh_arena_calloc(doc->arena, (list->n ? list->n : 1) * sizeof *f->items);
        for (size_t i = 0; i < list->n; i++)
            load_fixture(&l, f, list->items[i]);
    }
    if (d->errors > errors) {
        gh_fixture_file_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

void gh_fixture_file_free(gh_fixture_file *f)
{
    if (!f)
        return;
    gh_doc_free(f->doc);
    free(f);
}

bool gh_fixture_is_file(const char *path)
{
    size_t n = strlen(path);
    bool ext = (n > 5 && !strcmp(path + n - 5, ".yaml")) ||
               (n > 4 && !strcmp(path + n - 4, ".yml")) ||
               (n > 5 && !strcmp(path + n - 5, ".json"));
    if (!ext)
        return false;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    /* A top-level key: "fixtures:" at the start of a line (YAML), or "fixtures" quoted
     * (JSON, where any depth would do; definitions have no such key). */
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, fp))
        found = !strncmp(line, "fixtures:", 9) || strstr(line, "\"fixtures\"");
    fclose(fp);
    return found;
}
