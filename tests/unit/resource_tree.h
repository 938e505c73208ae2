/* Test helper (header-only, static): builds a gh_api resource tree by hand from lines
 * like {"/pets/{id}", "GET PUT"}, the way spec/ compiles one, so router and pipeline
 * tests do not depend on the loader. Everything lives in the given arena. */
#ifndef GH_TEST_RESOURCE_TREE_H
#define GH_TEST_RESOURCE_TREE_H
#include <stdlib.h>
#include <string.h>

#include "spec/model.h"
#include "util/arena.h"

typedef struct tree_line {
    const char *path;    /* "/", "/pets/{id}", "/{proxy+}" */
    const char *methods; /* space-separated verbs, "" for a method-less resource */
} tree_line;

static gh_integration tree_no_integration = {.type = GH_INTEG_NONE, .mock_script = -1};

static gh_resource *tree_node(gh_arena *a, gh_resource *parent, const char *seg, size_t len)
{
    gh_resource *r = gh_arena_calloc(a, sizeof *r);
    r->parent = parent;
    r->segment = gh_arena_strndup(a, seg, len);
    if (len >= 2 && seg[0] == '{' && seg[len - 1] == '}') {
        int greedy = seg[len - 2] == '+';
        r->kind = greedy ? GH_SEG_GREEDY : GH_SEG_PARAM;
        r->param = gh_arena_strndup(a, seg + 1, len - 2 - (size_t)greedy);
    } else {
        r->kind = parent ? GH_SEG_LITERAL : GH_SEG_ROOT;
    }
    if (!parent) {
        r->path = "/";
    } else if (strcmp(parent->path, "/") == 0) {
        r->path = gh_arena_printf(a, "/%s", r->segment);
    } else {
        r->path = gh_arena_printf(a, "%s/%s", parent->path, r->segment);
    }
    r->id = r->path;
    return r;
}

static gh_resource *tree_child(gh_arena *a, gh_resource *r, const char *seg, size_t len)
{
    gh_resource *tmp = tree_node(a, r, seg, len);
    if (tmp->kind == GH_SEG_PARAM) {
        if (!r->param_child)
            r->param_child = tmp;
        return r->param_child;
    }
    if (tmp->kind == GH_SEG_GREEDY) {
        if (!r->greedy_child)
            r->greedy_child = tmp;
        return r->greedy_child;
    }
    for (size_t i = 0; i < r->nliterals; i++)
        if (strcmp(r->literals[i]->segment, tmp->segment) == 0)
            return r->literals[i];
    gh_resource **lits = gh_arena_alloc(a, (r->nliterals + 1) * sizeof *lits);
    if (r->nliterals)
        memcpy(lits, r->literals, r->nliterals * sizeof *lits);
    lits[r->nliterals++] = tmp;
    r->literals = lits;
    return tmp;
}

static int tree_lit_cmp(const void *x, const void *y)
{
    return strcmp((*(gh_resource *const *)x)->segment, (*(gh_resource *const *)y)->segment);
}

static void tree_sort(gh_resource *r)
{
    if (!r)
        return;
    if (r->nliterals > 1)
        qsort(r->literals, r->nliterals, sizeof *r->literals, tree_lit_cmp);
    for (size_t i = 0; i < r->nliterals; i++)
        tree_sort(r->literals[i]);
    tree_sort(r->param_child);
    tree_sort(r->greedy_child);
}

static void tree_methods(gh_arena *a, gh_resource *r, const char *verbs,
                         const gh_integration *integ)
{
    for (const char *p = verbs; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        gh_method *m = gh_arena_alloc(a, (r->nmethods + 1) * sizeof *m);
        if (r->nmethods)
            memcpy(m, r->methods, r->nmethods * sizeof *m);
        memset(&m[r->nmethods], 0, sizeof *m);
        m[r->nmethods].verb = gh_arena_strndup(a, p, len);
        m[r->nmethods].integration = integ ? integ : &tree_no_integration;
        r->methods = m;
        r->nmethods++;
        p += len;
    }
}

/* Builds api->root from lines; every method gets integ (GH_INTEG_NONE when NULL). */
static void tree_build(gh_arena *a, gh_api *api, const tree_line *lines, size_t n,
                       const gh_integration *integ)
{
    api->root = tree_node(a, NULL, "", 0);
    for (size_t i = 0; i < n; i++) {
        gh_resource *r = api->root;
        const char *p = lines[i].path;
        while (*p == '/')
            p++;
        while (*p) {
            const char *e = strchr(p, '/');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            r = tree_child(a, r, p, len);
            p += len;
            while (*p == '/')
                p++;
        }
        tree_methods(a, r, lines[i].methods, integ);
    }
    tree_sort(api->root);
}

#endif
