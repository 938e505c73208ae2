/* `paths` -> the resource tree and its methods, with the path rules AWS's importer
 * enforces: every intermediate segment is a resource (method-less when undeclared), a
 * path parameter is a whole segment, a greedy {name+} is last and has no children, and a
 * resource has one variable child name (developer guide, api-gateway-known-issues and
 * the CreateResource errors). Children are sorted so the router and `routes` output do
 * not depend on document order. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec/compile.h"
#include "util/buf.h"
#include "util/ids.h"

static const char *const verbs[] = {"get", "put", "post", "delete", "options", "head", "patch"};

/* Arena arrays grow to the next power of two; old blocks stay in the arena (small). */
static void *push(gh_arena *a, void *items, size_t n, size_t size)
{
    if (n >= 4 && (n & (n - 1)) != 0)
        return items;
    if (n > 0 && n < 4)
        return items;
    void *grown = gh_arena_calloc(a, (n ? n * 2 : 4) * size);
    if (n)
        memcpy(grown, items, n * size);
    return grown;
}

static gh_resource *new_resource(gh_cc *cc, gh_resource *parent, const char *seg, size_t seglen,
                                 gh_seg_kind kind, gh_mark mark)
{
    gh_resource *r = gh_arena_calloc(cc->a, sizeof *r);
    r->parent = parent;
    r->kind = kind;
    r->mark = mark;
    r->segment = gh_arena_strndup(cc->a, seg, seglen);
    r->path = parent ? gh_arena_printf(cc->a, "%s%s%s", parent->path,
                                       parent->parent ? "/" : "", r->segment)
                     : "/";
    if (kind == GH_SEG_PARAM)
        r->param = gh_arena_strndup(cc->a, seg + 1, seglen - 2);
    else if (kind == GH_SEG_GREEDY)
        r->param = gh_arena_strndup(cc->a, seg + 1, seglen - 3);
    char id[7];
    char *from = gh_arena_printf(cc->a, "%s%s", cc->api->id, r->path);
    gh_stable_id(from, 6, id);
    r->id = gh_arena_strdup(cc->a, id);
    cc->api->nresources++;
    return r;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("_-.", s[i])))
            return false;
    return true;
}

/* Classifies one segment; false (after an error) when it breaks AWS's rules. */
static bool classify(gh_cc *cc, const char *path, const char *seg, size_t n, gh_mark at,
                     gh_seg_kind *kind)
{
    bool braces = memchr(seg, '{', n) || memchr(seg, '}', n);
    if (!braces) {
        for (size_t i = 0; i < n; i++)
            if (!((seg[i] >= 'a' && seg[i] <= 'z') || (seg[i] >= 'A' && seg[i] <= 'Z') ||
                  (seg[i] >= '0' && seg[i] <= '9') || strchr("_-.,:", seg[i]))) {
                gh_diag_error(cc->d, at, "path '%s' has the character '%c' in a segment; API "
                              "Gateway resource paths hold letters, digits and _ - . , : only",
                              path, seg[i]);
                return false;
            }
        *kind = GH_SEG_LITERAL;
        return true;
    }
    bool greedy = n >= 4 && seg[n - 2] == '+';
    if (seg[0] == '{' && seg[n - 1] == '}' && name_ok(seg + 1, n - (greedy ? 3 : 2))) {
        *kind = greedy ? GH_SEG_GREEDY : GH_SEG_PARAM;
        return true;
    }
    gh_diag_error(cc->d, at, "path '%s': segment '%.*s' is not a valid path parameter; a "
                  "parameter must be a whole segment like '{id}' (or '{proxy+}' last)",
                  path, (int)n, seg);
    return false;
}

static gh_resource *child(gh_cc *cc, gh_resource *parent, const char *path, const char *seg,
                          size_t n, gh_seg_kind kind, gh_mark at)
{
    if (kind == GH_SEG_LITERAL) {
        for (size_t i = 0; i < parent->nliterals; i++)
            if (strlen(parent->literals[i]->segment) == n &&
                memcmp(parent->literals[i]->segment, seg, n) == 0)
                return parent->literals[i];
        parent->literals = push(cc->a, parent->literals, parent->nliterals, sizeof(gh_resource *));
        return parent->literals[parent->nliterals++] =
                   new_resource(cc, parent, seg, n, kind, at);
    }
    gh_resource **slot = kind == GH_SEG_PARAM ? &parent->param_child : &parent->greedy_child;
    if (*slot) {
        if (strlen((*slot)->segment) == n && memcmp((*slot)->segment, seg, n) == 0)
            return *slot;
        gh_diag_error(cc->d, at, "path '%s': %.*s: a sibling (%s) of this resource already has "
                      "a variable path part; only one is allowed (use the same name in every "
                      "path under %s)",
                      path, (int)n, seg, (*slot)->segment, parent->path);
        return NULL;
    }
    return *slot = new_resource(cc, parent, seg, n, kind, at);
}

/* The resource for one `paths` key, creating the intermediate ones. */
static gh_resource *resource_for(gh_cc *cc, const char *path, gh_mark at)
{
    if (path[0] != '/') {
        gh_diag_error(cc->d, at, "path '%s' must start with '/'", path);
        return NULL;
    }
    gh_resource *r = cc->api->root;
    const char *s = path + 1;
    size_t len = strlen(s);
    if (len && s[len - 1] == '/')
        len--; /* AWS matches /pets/ as /pets; the resource is the same */
    const char *end = s + len;
    while (s < end) {
        const char *slash = memchr(s, '/', (size_t)(end - s));
        size_t n = slash ? (size_t)(slash - s) : (size_t)(end - s);
        if (n == 0) {
            gh_diag_error(cc->d, at, "path '%s' has an empty segment ('//'); remove the extra "
                          "'/'",
                          path);
            return NULL;
        }
        gh_seg_kind kind;
        if (!classify(cc, path, s, n, at, &kind))
            return NULL;
        if (r->kind == GH_SEG_GREEDY) {
            gh_diag_error(cc->d, at, "path '%s': Cannot create a child of a resource with a "
                          "greedy path variable: %s; a {name+} segment must be the last one",
                          path, r->segment);
            return NULL;
        }
        r = child(cc, r, path, s, n, kind, at);
        if (!r)
            return NULL;
        s += n + 1;
    }
    return r;
}

static void add_param(gh_cc *cc, gh_kvs *kv, const gh_node *p)
{
    p = gh_cc_deref(cc, p);
    const char *in = gh_node_str(gh_node_get(p, "in"));
    const char *name = gh_node_str(gh_node_get(p, "name"));
    if (!in || !name)
        return;
    const char *where = strcmp(in, "query") == 0    ? "querystring"
                        : strcmp(in, "header") == 0 ? "header"
                        : strcmp(in, "path") == 0   ? "path"
                                                    : NULL;
    if (!where)
        return; /* body, formData, cookie: not method request parameters */
    bool required = strcmp(in, "path") == 0 || gh_node_truthy(gh_node_get(p, "required"));
    const char *key = gh_arena_printf(cc->a, "method.request.%s.%s", where, name);
    for (size_t i = 0; i < kv->n; i++)
        if (strcmp(kv->items[i].key, key) == 0) { /* the operation's own wins */
            kv->items[i].value = required ? "true" : "false";
            return;
        }
    kv->items = push(cc->a, kv->items, kv->n, sizeof *kv->items);
    kv->items[kv->n++] = (gh_kv){key, required ? "true" : "false", gh_cc_mark(cc, p)};
}

static void add_method(gh_cc *cc, gh_resource *r, const char *verb, const gh_node *key,
                       const gh_node *op, const gh_node *item)
{
    for (size_t i = 0; i < r->nmethods; i++)
        if (strcmp(r->methods[i].verb, verb) == 0) {
            gh_diag_error(cc->d, gh_cc_mark(cc, key), "%s %s is declared twice (paths that "
                          "differ only by a trailing '/' are the same resource); keep one",
                          verb, r->path);
            return;
        }
    op = gh_cc_deref(cc, op);
    if (!op || op->kind != GH_NODE_MAP) {
        if (op)
            gh_diag_error(cc->d, gh_cc_mark(cc, op), "operation %s %s must be a map, not %s",
                          verb, r->path, gh_node_kind_name(op->kind));
        return;
    }
    r->methods = push(cc->a, r->methods, r->nmethods, sizeof *r->methods);
    gh_method *m = &r->methods[r->nmethods++];
    m->verb = verb;
    m->mark = gh_cc_mark(cc, key);
    const char *opid = gh_node_str(gh_node_get(op, "operationId"));
    m->operation_id = opid ? gh_arena_strdup(cc->a, opid) : NULL;
    const gh_node *lists[2] = {gh_node_get(item, "parameters"), gh_node_get(op, "parameters")};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; lists[l] && lists[l]->kind == GH_NODE_SEQ && i < lists[l]->n; i++)
            add_param(cc, &m->request_parameters, lists[l]->items[i]);
    /* AWS's importer ignores a root-level `security`; only the operation's counts
     * (compile_auth.c says where that is documented, and warns about it). */
    gh_cc_method_security(cc, m, gh_node_get(op, "security"));
    m->integration = gh_cc_integration(cc, gh_node_get(op, "x-amazon-apigateway-integration"), op);
    cc->api->nmethods++;
}

static int literal_cmp(const void *a, const void *b)
{
    return strcmp((*(gh_resource *const *)a)->segment, (*(gh_resource *const *)b)->segment);
}

static int method_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_method *)a)->verb, ((const gh_method *)b)->verb);
}

static void sort_tree(gh_resource *r)
{
    if (r->nliterals)
        qsort(r->literals, r->nliterals, sizeof *r->literals, literal_cmp);
    if (r->nmethods)
        qsort(r->methods, r->nmethods, sizeof *r->methods, method_cmp);
    for (size_t i = 0; i < r->nliterals; i++)
        sort_tree(r->literals[i]);
    if (r->param_child)
        sort_tree(r->param_child);
    if (r->greedy_child)
        sort_tree(r->greedy_child);
}

void gh_cc_paths(gh_cc *cc)
{
    const gh_node *root = cc->doc->root;
    cc->api->root = new_resource(cc, NULL, "", 0, GH_SEG_ROOT, gh_cc_mark(cc, root));
    const gh_node *paths = gh_node_get(root, "paths");
    if (paths && paths->kind != GH_NODE_MAP && paths->kind != GH_NODE_NULL)
        gh_diag_error(cc->d, gh_cc_mark(cc, paths), "paths must be a map of '/path' to "
                      "operations");
    for (size_t i = 0; paths && paths->kind == GH_NODE_MAP && i < paths->n; i++) {
        const gh_pair *p = &paths->pairs[i];
        if (strncmp(p->key->text, "x-", 2) == 0)
            continue;
        gh_resource *r = resource_for(cc, p->key->text, gh_cc_mark(cc, p->key));
        const gh_node *item = gh_cc_deref(cc, p->value);
        if (!r || !item || item->kind != GH_NODE_MAP)
            continue;
        for (size_t k = 0; k < item->n; k++) {
            const gh_pair *op = &item->pairs[k];
            const char *key = op->key->text;
            if (strcmp(key, "x-amazon-apigateway-any-method") == 0) {
                add_method(cc, r, "ANY", op->key, op->value, item);
                continue;
            }
            if (strcasecmp(key, "trace") == 0) {
                gh_diag_warn(cc->d, gh_cc_mark(cc, op->key), "API Gateway has no TRACE "
                             "method; this operation is skipped");
                continue;
            }
            for (size_t v = 0; v < sizeof verbs / sizeof *verbs; v++)
                if (strcmp(key, verbs[v]) == 0) {
                    char *up = gh_arena_strdup(cc->a, key);
                    for (char *c = up; *c; c++)
                        *c = (char)(*c - 'a' + 'A');
                    add_method(cc, r, up, op->key, op->value, item);
                }
        }
    }
    sort_tree(cc->api->root);
}
