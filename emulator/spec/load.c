/* Loading, top level: reads every definition and overlay into documents, merges the
 * overlays onto the first definition (RFC 7386), compiles each document into one gh_api
 * and hands back one immutable model living in one arena. The steps themselves live in
 * settings.c, settings_auth.c, settings_sim.c, settings_ws.c, extensions.c, compile_auth.c, compile_paths.c,
 * compile_integration.c, compile_policy.c, intrinsics.c and scripts.c; this file only orders them and owns the bookkeeping they share. */
#include <stdlib.h>
#include <string.h>

#include "spec/compile.h"
#include "util/ids.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 8;
    void *q = realloc(p, *cap * size);
    if (!q)
        abort(); /* out of memory, not user input */
    return q;
}

const char *gh_cc_file(gh_loader *ld, const char *path)
{
    if (!path)
        return NULL;
    for (size_t i = 0; i < ld->nfiles; i++)
        if (strcmp(ld->files[i], path) == 0)
            return ld->files[i];
    ld->files = grow(ld->files, &ld->capfiles, ld->nfiles, sizeof *ld->files);
    ld->files[ld->nfiles] = gh_arena_strdup(ld->m->arena, path);
    return ld->files[ld->nfiles++];
}

gh_mark gh_cc_mark(gh_cc *cc, const gh_node *n)
{
    gh_mark at = n ? n->mark : (gh_mark){0};
    at.file = gh_cc_file(cc->ld, at.file ? at.file : cc->doc->path);
    return at;
}

bool gh_cc_first(gh_cc *cc, const char *key)
{
    for (size_t i = 0; i < cc->nwarned; i++)
        if (strcmp(cc->warned[i], key) == 0)
            return false;
    cc->warned = grow(cc->warned, &cc->capwarned, cc->nwarned, sizeof *cc->warned);
    cc->warned[cc->nwarned++] = strdup(key);
    return true;
}

void gh_cc_group(gh_cc *cc, gh_mark at, const char *noun, const char *reason)
{
    for (size_t i = 0; i < cc->ngroups; i++)
        if (strcmp(cc->groups[i].reason, reason) == 0) {
            cc->groups[i].count++;
            return;
        }
    cc->groups = grow(cc->groups, &cc->capgroups, cc->ngroups, sizeof *cc->groups);
    cc->groups[cc->ngroups++] = (struct gh_cc_group){strdup(reason), noun, at, 1};
}

static void flush_groups(gh_cc *cc)
{
    for (size_t i = 0; i < cc->ngroups; i++) {
        const struct gh_cc_group *g = &cc->groups[i];
        if (g->count == 1)
            gh_diag_warn(cc->d, g->mark, "%s", g->reason);
        else
            gh_diag_warn(cc->d, g->mark, "%s; the same goes for %zu more %s%s", g->reason,
                         g->count - 1, g->noun, g->count > 2 ? "s" : "");
        free(g->reason);
    }
    free(cc->groups);
}

/* Dangling and remote refs are reported once by the document scan (extensions.c); here
 * a ref that names nothing just yields NULL. */
const gh_node *gh_cc_deref(gh_cc *cc, const gh_node *n)
{
    for (int depth = 0; depth < 16; depth++) {
        const char *ref = gh_node_str(gh_node_get(n, "$ref"));
        if (!ref)
            return n;
        if (ref[0] != '#')
            return NULL;
        n = gh_doc_resolve_ref(cc->doc, ref);
        if (!n)
            return NULL;
    }
    return NULL; /* a cycle of refs that only point at each other */
}

static const char *file_stem(gh_arena *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return gh_arena_strndup(a, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/* Which dialect the document speaks; false after an error. */
static bool check_version(gh_cc *cc)
{
    const gh_node *root = cc->doc->root;
    const gh_node *oa = gh_node_get(root, "openapi"), *sw = gh_node_get(root, "swagger");
    const char *v;
    if ((v = gh_node_scalar(oa)) != NULL) {
        if (strncmp(v, "3.0", 3) == 0 && (v[3] == '\0' || v[3] == '.'))
            return true;
        if (strncmp(v, "3.", 2) == 0) {
            gh_diag_warn(cc->d, gh_cc_mark(cc, oa),
                         "openapi %s is loaded as 3.0; API Gateway imports OpenAPI 2.0 and "
                         "3.0 only, so features new in %s may not mean what you expect",
                         v, v);
            return true;
        }
        gh_diag_error(cc->d, gh_cc_mark(cc, oa),
                      "unsupported openapi version '%s'; use 'openapi: 3.0.1' (or "
                      "'swagger: \"2.0\"')",
                      v);
        return false;
    }
    if ((v = gh_node_scalar(sw)) != NULL) {
        if (strcmp(v, "2.0") == 0 || strcmp(v, "2") == 0) {
            cc->swagger2 = true;
            return true;
        }
        gh_diag_error(cc->d, gh_cc_mark(cc, sw),
                      "unsupported swagger version '%s'; Swagger definitions must say "
                      "'swagger: \"2.0\"'",
                      v);
        return false;
    }
    /* AWS has no OpenAPI form for WebSocket APIs: a definition declaring only
     * x-gatehouse (functions, websocket) and no paths needs no openapi line. */
    if (gh_node_get(gh_node_get(root, "x-gatehouse"), "websocket") && !gh_node_get(root, "paths"))
        return true;
    gh_diag_error(cc->d, gh_cc_mark(cc, root),
                  "not an OpenAPI 3.0 or Swagger 2.0 definition (no 'openapi' or 'swagger' "
                  "key at the top level); add 'openapi: 3.0.1' or 'swagger: \"2.0\"'");
    return false;
}

static void compile_api(gh_loader *ld, const gh_load_options *opt, const gh_doc *doc,
                        gh_api *api, bool first)
{
    gh_cc cc = {.ld = ld, .a = ld->m->arena, .d = ld->d, .doc = doc, .api = api};
    api->source = gh_cc_file(ld, doc->path);
    api->dir = gh_arena_strdup(cc.a, doc->dir ? doc->dir : ".");
    if (!doc->root || doc->root->kind != GH_NODE_MAP) {
        gh_diag_error(cc.d, gh_cc_mark(&cc, doc->root),
                      "the definition is %s, not a map; an OpenAPI document starts with "
                      "'openapi: 3.0.1'",
                      doc->root ? gh_node_kind_name(doc->root->kind) : "empty");
        return;
    }
    if (!check_version(&cc))
        return;
    /* AWS::StackName stands for the API's title; while the title itself is being
     * resolved (it may be {Ref: AWS::StackName}) the file's stem stands in. */
    const gh_node *title = gh_node_get(gh_node_get(doc->root, "info"), "title");
    api->title = gh_node_str(title) ? gh_arena_strdup(cc.a, gh_node_str(title))
                                    : file_stem(cc.a, doc->path);
    gh_cc_settings(&cc, opt, first);
    if (title && !gh_node_str(title)) {
        const char *t = gh_cc_string(&cc, title);
        if (t)
            api->title = t;
    }
    if (!api->id) {
        char id[11];
        gh_stable_id(api->title, 10, id);
        api->id = gh_arena_strdup(cc.a, id);
    }
    /* After the id: identity policies expand execute-api:/ shorthand with it. */
    const gh_node *xs = gh_node_get(doc->root, "x-gatehouse");
    if (xs && xs->kind == GH_NODE_MAP) {
        gh_cc_user_pools(&cc, xs);
        gh_cc_credentials(&cc, xs);
        gh_cc_sim_settings(&cc, xs);
    }
    gh_cc_extensions(&cc);
    gh_cc_authorizers(&cc);
    gh_cc_paths(&cc);
    if (xs && xs->kind == GH_NODE_MAP)
        gh_cc_websocket(&cc, xs);
    gh_cc_resource_policy(&cc);
    flush_groups(&cc);
    for (size_t i = 0; i < cc.nwarned; i++)
        free(cc.warned[i]);
    free(cc.warned);
}

gh_model *gh_model_load(const gh_load_options *opt, gh_diags *d)
{
    gh_arena *a = gh_arena_new(64 * 1024);
    if (!a)
        return NULL;
    gh_model *m = gh_arena_calloc(a, sizeof *m);
    m->arena = a;
    atomic_init(&m->refs, 1);
    m->generation = opt->generation;
    m->host = "127.0.0.1";
    m->port = -1;
    gh_loader ld = {.m = m, .d = d};
    size_t errors = d->errors;

    if (opt->ndefinitions == 0)
        gh_diag_error(d, (gh_mark){0},
                      "no definition given; name an OpenAPI 3.0 or Swagger 2.0 file");
    gh_doc **docs = calloc(opt->ndefinitions + opt->noverlays + 1, sizeof *docs);
    gh_doc **overlays = docs + opt->ndefinitions;
    for (size_t i = 0; i < opt->ndefinitions; i++) {
        gh_cc_file(&ld, opt->definitions[i]);
        gh_doc_load_file(opt->definitions[i], &docs[i], d);
    }
    for (size_t i = 0; i < opt->noverlays; i++) {
        gh_cc_file(&ld, opt->overlays[i]);
        if (gh_doc_load_file(opt->overlays[i], &overlays[i], d) == 0 && docs[0] &&
            overlays[i]->root)
            gh_merge_patch(docs[0], overlays[i]->root);
    }

    ld.docs = docs;
    ld.ndocs = opt->ndefinitions + opt->noverlays;
    m->apis = gh_arena_calloc(a, (opt->ndefinitions + 1) * sizeof *m->apis);
    for (size_t i = 0; i < opt->ndefinitions; i++) {
        if (!docs[i])
            continue;
        gh_api *api = &m->apis[m->napis++];
        compile_api(&ld, opt, docs[i], api, i == 0);
        for (size_t j = 0; api->id && j + 1 < m->napis; j++)
            if (m->apis[j].id && strcmp(m->apis[j].id, api->id) == 0)
                gh_diag_error(d, ((gh_mark){.file = api->source, .line = 1, .col = 1}),
                              "API id '%s' is already used by %s; give one of them another "
                              "x-gatehouse.apiId",
                              api->id, m->apis[j].source);
    }
    if (opt->host)
        m->host = gh_arena_strdup(a, opt->host);
    if (opt->port >= 0)
        m->port = opt->port;

    m->scripts = gh_arena_memdup(a, ld.scripts, ld.nscripts * sizeof *ld.scripts);
    m->nscripts = ld.nscripts;
    m->files = gh_arena_memdup(a, ld.files, ld.nfiles * sizeof *ld.files);
    m->nfiles = ld.nfiles;
    free(ld.scripts);
    free(ld.files);
    for (size_t i = 0; i < opt->ndefinitions + opt->noverlays; i++)
        if (docs[i])
            gh_doc_free(docs[i]);
    free(docs);
    if (d->errors > errors) {
        gh_model_unref(m); /* also drops the JSON documents the APIs hold */
        return NULL;
    }
    return m;
}
