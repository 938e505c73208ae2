/* Our own settings: the top-level `x-gatehouse` block (see the keys below). Runs before
 * the paths are compiled because integrations need the region, account and functions.
 * Stage names and variables are checked against AWS's rules (developer guide,
 * stage-variables.md and the CreateStage API), so what loads here would deploy there. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/compile.h"
#include "util/ids.h"

static const char *const known_keys[] = {
    "apiId", "region", "accountId", "defaultStage", "port", "host",
    "stages", "functions", "userPools", "credentials", "queues", "topics", "eventSources",
    "websocket",
};
#define KNOWN_KEYS                                                                             \
    "apiId, region, accountId, defaultStage, port, host, stages, functions, userPools, "      \
    "credentials, queues, topics, eventSources, websocket"

static bool all_of(const char *s, size_t max, const char *extra, bool lower_only)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        bool ok = lower_only ? (islower(c) || isdigit(c)) : (isalnum(c) || strchr(extra, c));
        if (!ok || c >= 0x80)
            return false;
    }
    return n > 0 && n <= max;
}

/* A scalar setting as text, or NULL with an error when it is a map or list. */
static const char *scalar(gh_cc *cc, const gh_node *n, const char *what)
{
    if (!n)
        return NULL;
    const char *s = gh_node_scalar(n);
    if (!s || n->kind == GH_NODE_NULL)
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s must be a string, not %s; write it as "
                      "a plain value",
                      what, gh_node_kind_name(n->kind));
    return s ? gh_arena_strdup(cc->a, s) : NULL;
}

static bool integer(gh_cc *cc, const gh_node *n, const char *what, long lo, long hi, int *out)
{
    const char *s = gh_node_scalar(n);
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v < lo || v > hi) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s must be a whole number from %ld to %ld; "
                      "got '%s'",
                      what, lo, hi, s ? s : gh_node_kind_name(n->kind));
        return false;
    }
    *out = (int)v;
    return true;
}

static gh_kvs string_map(gh_cc *cc, const gh_node *map, const char *what)
{
    gh_kvs kv = {0};
    if (!map)
        return kv;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "%s must be a map of names to values, not "
                      "%s",
                      what, gh_node_kind_name(map->kind));
        return kv;
    }
    kv.items = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *kv.items);
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        const char *v = scalar(cc, p->value, what);
        if (v)
            kv.items[kv.n++] = (gh_kv){gh_arena_strdup(cc->a, p->key->text), v,
                                       gh_cc_mark(cc, p->key)};
    }
    return kv;
}

/* Stage variables, AWS's rules: names [A-Za-z0-9_]{1,64}, values
 * [A-Za-z0-9-._~:/?#&=,]{1,512}, at most 100 per stage. */
static void check_variables(gh_cc *cc, const gh_stage *st, const gh_node *vars)
{
    if (st->variables.n > 100)
        gh_diag_error(cc->d, gh_cc_mark(cc, vars), "stage '%s' has %zu variables; AWS allows "
                      "at most 100 per stage",
                      st->name, st->variables.n);
    for (size_t i = 0; i < st->variables.n; i++) {
        const gh_kv *v = &st->variables.items[i];
        if (!all_of(v->key, 64, "_", false))
            gh_diag_error(cc->d, v->mark, "stage variable name '%s' is invalid; names may "
                          "hold only letters, digits and '_' (at most 64 characters)",
                          v->key);
        const gh_node *vn = gh_node_get(vars, v->key);
        if (!all_of(v->value, 512, "-._~:/?#&=,", false))
            gh_diag_error(cc->d, gh_cc_mark(cc, vn), "stage variable '%s' has an invalid value "
                          "'%s'; values must be 1 to 512 characters from "
                          "A-Za-z0-9-._~:/?#&=,",
                          v->key, v->value);
    }
}

static void stages(gh_cc *cc, const gh_node *xs, const gh_load_options *opt)
{
    gh_api *api = cc->api;
    const gh_node *map = gh_node_get(xs, "stages");
    if (map && map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "x-gatehouse.stages must be a map of stage "
                      "name to {variables, description}");
        map = NULL;
    }
    size_t n = map ? map->n : 0;
    api->stages = gh_arena_calloc(cc->a, (n + 1) * sizeof *api->stages);
    for (size_t i = 0; i < n; i++) {
        const gh_pair *p = &map->pairs[i];
        gh_stage *st = &api->stages[api->nstages++];
        st->name = gh_arena_strdup(cc->a, p->key->text);
        st->mark = gh_cc_mark(cc, p->key);
        if (!all_of(st->name, 128, "-_", false))
            gh_diag_error(cc->d, st->mark, "invalid stage name '%s'; stage names hold only "
                          "letters, digits, '-' and '_' (1 to 128 characters)",
                          st->name);
        if (p->value && p->value->kind != GH_NODE_MAP && p->value->kind != GH_NODE_NULL) {
            gh_diag_error(cc->d, gh_cc_mark(cc, p->value), "stage '%s' must be a map "
                          "{variables, description}",
                          st->name);
            continue;
        }
        st->description = scalar(cc, gh_node_get(p->value, "description"), "description");
        const gh_node *vars = gh_node_get(p->value, "variables");
        st->variables = string_map(cc, vars, "stage variables");
        check_variables(cc, st, vars);
        for (size_t k = 0; k < p->value->n; k++) {
            const char *key = p->value->pairs[k].key->text;
            if (strcmp(key, "variables") && strcmp(key, "description"))
                gh_diag_warn(cc->d, gh_cc_mark(cc, p->value->pairs[k].key),
                             "unknown stage setting '%s' is ignored; known: variables, "
                             "description",
                             key);
        }
    }
    if (api->nstages == 0) {
        gh_stage *st = &api->stages[api->nstages++];
        st->name = gh_arena_strdup(cc->a, opt->stage ? opt->stage : "default");
        st->mark = gh_cc_mark(cc, cc->doc->root);
        if (!all_of(st->name, 128, "-_", false))
            gh_diag_error(cc->d, (gh_mark){0}, "invalid stage name '%s' (--stage); stage names "
                          "hold only letters, digits, '-' and '_' (1 to 128 characters)",
                          st->name);
    }
}

/* --stage names the first definition's default stage (an error there when undeclared);
 * a further definition that does not declare it keeps its own default, so one flag
 * does not force every API served together to share stage names. */
static void default_stage(gh_cc *cc, const gh_node *xs, const gh_load_options *opt, bool first)
{
    gh_api *api = cc->api;
    const gh_node *ds = gh_node_get(xs, "defaultStage");
    const char *want = opt->stage ? opt->stage : gh_node_scalar(ds);
    if (!first && opt->stage && !gh_api_stage(api, opt->stage))
        want = gh_node_scalar(ds);
    api->default_stage = &api->stages[0];
    if (!want)
        return;
    const gh_stage *st = gh_api_stage(api, want);
    if (st) {
        api->default_stage = st;
        return;
    }
    char list[1024] = "";
    for (size_t i = 0; i < api->nstages; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", api->stages[i].name);
    }
    gh_diag_error(cc->d, opt->stage ? gh_cc_mark(cc, gh_node_get(xs, "stages")) : gh_cc_mark(cc, ds),
                  "stage '%s'%s is not declared in x-gatehouse.stages; declared: %s",
                  want, opt->stage ? " (--stage)" : "", list);
}

static int function_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_function *)a)->name, ((const gh_function *)b)->name);
}

static void functions(gh_cc *cc, const gh_node *xs)
{
    gh_api *api = cc->api;
    const gh_node *map = gh_node_get(xs, "functions");
    if (!map)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "x-gatehouse.functions must be a map of "
                      "function name to {handler: file.lua, timeout, memorySize, environment}");
        return;
    }
    api->functions = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *api->functions);
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        gh_function *f = &api->functions[api->nfunctions++];
        f->name = gh_arena_strdup(cc->a, p->key->text);
        f->mark = gh_cc_mark(cc, p->key);
        f->script = -1;
        f->timeout_ms = 3000; /* Lambda's default timeout */
        f->memory_mb = 128;
        const gh_node *fn = p->value;
        const gh_node *h = gh_node_get(fn, "handler");
        /* A bare string is the handler itself: `orders: handlers/orders.lua`. */
        if (fn && fn->kind == GH_NODE_STR)
            h = fn;
        if (!gh_node_str(h)) {
            gh_diag_error(cc->d, gh_cc_mark(cc, h ? h : p->key), "function '%s' needs "
                          "'handler: path/to/file.lua' (relative to the definition's folder)",
                          f->name);
            continue;
        }
        f->handler = gh_arena_strdup(cc->a, gh_node_str(h));
        f->script = gh_cc_script(cc, f->handler, h);
        if (fn->kind != GH_NODE_MAP)
            continue;
        int v;
        const gh_node *t = gh_node_get(fn, "timeout");
        if (t && integer(cc, t, "timeout (seconds)", 1, 900, &v))
            f->timeout_ms = v * 1000;
        const gh_node *mem = gh_node_get(fn, "memorySize");
        if (mem && integer(cc, mem, "memorySize (MB)", 128, 10240, &v))
            f->memory_mb = v;
        f->environment = string_map(cc, gh_node_get(fn, "environment"), "environment");
        for (size_t k = 0; k < fn->n; k++) {
            const char *key = fn->pairs[k].key->text;
            if (strcmp(key, "handler") && strcmp(key, "timeout") && strcmp(key, "memorySize") &&
                strcmp(key, "environment"))
                gh_diag_warn(cc->d, gh_cc_mark(cc, fn->pairs[k].key),
                             "unknown function setting '%s' is ignored; known: handler, "
                             "timeout, memorySize, environment",
                             key);
        }
    }
    if (api->nfunctions)
        qsort(api->functions, api->nfunctions, sizeof *api->functions, function_cmp);
}

void gh_cc_settings(gh_cc *cc, const gh_load_options *opt, bool first)
{
    gh_api *api = cc->api;
    const gh_node *xs = gh_node_get(cc->doc->root, "x-gatehouse");
    if (xs && xs->kind != GH_NODE_MAP && xs->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, xs), "x-gatehouse must be a map of settings (%s)",
                      KNOWN_KEYS);
        xs = NULL;
    }
    for (size_t i = 0; xs && i < xs->n; i++) {
        const char *key = xs->pairs[i].key->text;
        bool known = false;
        for (size_t k = 0; k < sizeof known_keys / sizeof *known_keys; k++)
            known = known || strcmp(key, known_keys[k]) == 0;
        if (!known)
            gh_diag_warn(cc->d, gh_cc_mark(cc, xs->pairs[i].key),
                         "unknown x-gatehouse setting '%s' is ignored; known settings: %s", key,
                         KNOWN_KEYS);
    }
    const gh_node *n;
    api->region = "us-east-1";
    if ((n = gh_node_get(xs, "region")) && (api->region = scalar(cc, n, "region")) &&
        !all_of(api->region, 32, "-", false))
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "region '%s' is not a region name like "
                      "'eu-west-1'",
                      api->region);
    if (!api->region)
        api->region = "us-east-1";
    api->account_id = "123456789012";
    if ((n = gh_node_get(xs, "accountId"))) {
        const char *acct = scalar(cc, n, "accountId");
        if (acct && (strlen(acct) != 12 || strspn(acct, "0123456789") != 12))
            gh_diag_error(cc->d, gh_cc_mark(cc, n), "accountId '%s' must be 12 digits, like "
                          "'123456789012' (quote it in YAML)",
                          acct);
        else if (acct)
            api->account_id = acct;
    }
    if ((n = gh_node_get(xs, "apiId"))) {
        const char *id = scalar(cc, n, "apiId");
        if (id && (strlen(id) != 10 || !all_of(id, 10, "", true)))
            gh_diag_error(cc->d, gh_cc_mark(cc, n), "apiId '%s' must be 10 lowercase letters "
                          "or digits, as AWS API ids are (e.g. 'k3x9q2w7ab')",
                          id);
        else if (id)
            api->id = id;
    }
    stages(cc, xs, opt);
    default_stage(cc, xs, opt, first);
    /* Deployment ids are stable so logs and $context.deploymentId do not churn. */
    for (size_t i = 0; i < api->nstages; i++) {
        char id[7];
        char *from = gh_arena_printf(cc->a, "%s/%s/%s", api->source, api->title,
                                     api->stages[i].name);
        gh_stable_id(from, 6, id);
        api->stages[i].deployment_id = gh_arena_strdup(cc->a, id);
    }
    functions(cc, xs);
    if (first) {
        int port;
        if ((n = gh_node_get(xs, "port")) && integer(cc, n, "port", 0, 65535, &port))
            cc->ld->m->port = port;
        const char *host;
        if ((n = gh_node_get(xs, "host")) && (host = scalar(cc, n, "host")))
            cc->ld->m->host = host;
    }
}
