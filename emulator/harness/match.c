/* Matching a response against a fixture's expectations (docs/fixtures.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/match.h"
#include "template/jsonpath.h"
#include "template/vtl_json.h"
#include "util/buf.h"
#include "util/jregex.h"

void gh_fx_fail(gh_arena *a, gh_fx_result *r, gh_fx_check check, const char *what,
                const char *expected, const char *actual, const char *message)
{
    if (r->nfails == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        gh_fx_failure *f = gh_arena_alloc(a, cap * sizeof *f);
        if (r->nfails)
            memcpy(f, r->fails, r->nfails * sizeof *f);
        r->fails = f;
        r->cap = cap;
    }
    r->fails[r->nfails++] = (gh_fx_failure){check, gh_arena_strdup(a, what),
                                            gh_arena_strdup(a, expected),
                                            gh_arena_strdup(a, actual),
                                            gh_arena_strdup(a, message)};
    r->passed = false;
}

static const char *subst(gh_arena *a, const gh_vars *v, const gh_node *n, size_t *len,
                         bool *changed, const char **error)
{
    return gh_vars_subst(v, a, n->text, n->len, len, changed, error);
}

json_t *gh_fx_node_json(gh_arena *a, const gh_vars *v, const gh_node *n, const char **error)
{
    switch (n->kind) {
    case GH_NODE_NULL: return json_null();
    case GH_NODE_BOOL: return json_boolean(n->v.b);
    case GH_NODE_INT: return json_integer(n->v.i);
    case GH_NODE_REAL: return json_real(n->v.r);
    case GH_NODE_STR: {
        size_t len;
        const char *s = subst(a, v, n, &len, NULL, error);
        return s ? json_stringn(s, len) : NULL;
    }
    case GH_NODE_SEQ: {
        json_t *arr = json_array();
        for (size_t i = 0; i < n->n; i++) {
            json_t *item = gh_fx_node_json(a, v, n->items[i], error);
            if (!item) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, item);
        }
        return arr;
    }
    case GH_NODE_MAP: {
        json_t *obj = json_object();
        for (size_t i = 0; i < n->n; i++) {
            json_t *item = gh_fx_node_json(a, v, n->pairs[i].value, error);
            if (!item) {
                json_decref(obj);
                return NULL;
            }
            json_object_set_new(obj, n->pairs[i].key->text, item);
        }
        return obj;
    }
    }
    return json_null();
}

static const char *node_text(gh_arena *a, const gh_vars *v, const gh_node *n)
{
    const char *err = NULL;
    json_t *j = gh_fx_node_json(a, v, n, &err);
    if (!j)
        return err;
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    const char *out = gh_arena_strdup(a, s ? s : "");
    free(s);
    json_decref(j);
    return out;
}

static const char *value_json(gh_arena *a, gh_vval v)
{
    gh_buf b = GH_BUF_INIT;
    gh_v_print_json(v, &b);
    const char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

/* A scalar's text as a capture or regex sees it: strings without quotes. */
static const char *value_text(gh_arena *a, gh_vval v, size_t *len)
{
    if (v.kind == GH_V_STRING) {
        *len = v.u.str.len;
        return gh_arena_strndup(a, v.u.str.s, v.u.str.len);
    }
    const char *s = value_json(a, v);
    *len = strlen(s);
    return s;
}

typedef struct walk {
    gh_arena *a;
    const gh_vars *v;
    bool subset;
    gh_fx_check check;
    gh_fx_result *r;
    gh_buf path;
} walk;

static bool mismatch(walk *w, const char *expected, gh_vval actual, const char *message)
{
    const char *what = gh_arena_printf(w->a, "%s", w->path.data);
    gh_fx_fail(w->a, w->r, w->check, what, expected, value_json(w->a, actual), message);
    return false;
}

static bool num_equal(const gh_node *e, gh_vval a)
{
    if (a.kind != GH_V_INT && a.kind != GH_V_DOUBLE)
        return false;
    if (e->kind == GH_NODE_INT && a.kind == GH_V_INT)
        return e->v.i == a.u.i;
    double x = e->kind == GH_NODE_INT ? (double)e->v.i : e->v.r;
    double y = a.kind == GH_V_INT ? (double)a.u.i : a.u.d;
    return x == y;
}

static bool walk_node(walk *w, const gh_node *e, gh_vval a)
{
    switch (e->kind) {
    case GH_NODE_NULL:
        return a.kind == GH_V_NULL || mismatch(w, "null", a, NULL);
    case GH_NODE_BOOL:
        return (a.kind == GH_V_BOOL && a.u.b == e->v.b) ||
               mismatch(w, e->v.b ? "true" : "false", a, NULL);
    case GH_NODE_INT:
    case GH_NODE_REAL:
        return num_equal(e, a) || mismatch(w, e->text, a, NULL);
    case GH_NODE_STR: {
        const char *err = NULL;
        size_t len;
        bool changed;
        const char *s = subst(w->a, w->v, e, &len, &changed, &err);
        if (!s)
            return mismatch(w, e->text, a, err);
        if (a.kind == GH_V_STRING && a.u.str.len == len && !memcmp(a.u.str.s, s, len))
            return true;
        /* "${petId}" is text, the id in the body a number: compare their text. */
        if (changed && (a.kind == GH_V_INT || a.kind == GH_V_DOUBLE || a.kind == GH_V_BOOL) &&
            !strcmp(value_json(w->a, a), s))
            return true;
        json_t *j = json_stringn(s, len);
        char *q = json_dumps(j, JSON_ENCODE_ANY);
        bool ok = mismatch(w, q, a, NULL);
        free(q);
        json_decref(j);
        return ok;
    }
    case GH_NODE_SEQ: {
        if (a.kind != GH_V_LIST)
            return mismatch(w, node_text(w->a, w->v, e), a, "expected a list");
        if (a.u.list->n != e->n)
            return mismatch(w, node_text(w->a, w->v, e), a,
                            gh_arena_printf(w->a, "expected %zu item%s, got %zu", e->n, e->n == 1 ? "" : "s",
                                            a.u.list->n));
        bool ok = true;
        for (size_t i = 0; i < e->n; i++) {
            size_t mark = w->path.len;
            gh_buf_printf(&w->path, "[%zu]", i);
            ok = walk_node(w, e->items[i], a.u.list->items[i]) && ok;
            w->path.len = mark;
            w->path.data[mark] = '\0';
        }
        return ok;
    }
    case GH_NODE_MAP: {
        if (a.kind != GH_V_MAP)
            return mismatch(w, node_text(w->a, w->v, e), a, "expected an object");
        if (!w->subset && a.u.map->n != e->n)
            return mismatch(w, node_text(w->a, w->v, e), a,
                            gh_arena_printf(w->a, "expected %zu members, got %zu", e->n,
                                            a.u.map->n));
        bool ok = true;
        for (size_t i = 0; i < e->n; i++) {
            const gh_node *k = e->pairs[i].key;
            size_t mark = w->path.len;
            gh_buf_printf(&w->path, ".%s", k->text);
            gh_vmap_entry *got = gh_vmap_find(a.u.map, k->text, k->len);
            if (!got) {
                gh_fx_fail(w->a, w->r, w->check, w->path.data,
                           node_text(w->a, w->v, e->pairs[i].value), "(missing)",
                           "the member is not in the body");
                ok = false;
            } else {
                ok = walk_node(w, e->pairs[i].value, got->value) && ok;
            }
            w->path.len = mark;
            w->path.data[mark] = '\0';
        }
        return ok;
    }
    }
    return false;
}

bool gh_fx_match_json(gh_arena *a, const gh_vars *v, const gh_node *expected, gh_vval actual,
                      bool subset, gh_fx_check check, const char *what, gh_fx_result *r)
{
    walk w = {a, v, subset, check, r, GH_BUF_INIT};
    gh_buf_puts(&w.path, what);
    bool ok = walk_node(&w, expected, actual);
    gh_buf_free(&w.path);
    return ok;
}

const char *gh_fx_header_get(gh_arena *a, const gh_fx_response *resp, const char *name)
{
    gh_buf b = GH_BUF_INIT;
    bool found = false;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (!strcasecmp(resp->headers[i].name, name)) {
            if (found)
                gh_buf_puts(&b, ", ");
            gh_buf_puts(&b, resp->headers[i].value);
            found = true;
        }
    const char *out = found ? gh_arena_strndup(a, b.data ? b.data : "", b.len) : NULL;
    gh_buf_free(&b);
    return out;
}

/* A Java regex over s: whole (String.matches) or found anywhere (Matcher.find, by
 * letting the pattern be surrounded by anything). NULL when it holds, else why not. */
static const char *regex_check(gh_arena *a, const char *pat, size_t plen, const char *s,
                               size_t len, bool whole)
{
    const char *p = pat;
    if (!whole) {
        p = gh_arena_printf(a, "[\\s\\S]*?(?:%.*s)[\\s\\S]*", (int)plen, pat);
        plen = strlen(p);
    }
    const char *err = NULL;
    const gh_jregex *re = gh_jregex_get(p, plen, &err);
    if (!re)
        return gh_arena_printf(a, "not a valid Java regex: %s", err ? err : "syntax error");
    if (gh_jregex_matches(re, s, len))
        return NULL;
    if (gh_jregex_gave_up())
        return "the regex backtracked past the match limit; simplify it";
    return whole ? "the whole value does not match the regex" : "the regex is found nowhere";
}

static void check_headers(gh_arena *a, const gh_vars *v, const gh_fixture *f, gh_fx_result *r)
{
    const gh_node *h = f->exp_headers;
    for (size_t i = 0; h && i < h->n; i++) {
        const char *name = h->pairs[i].key->text;
        const gh_node *e = h->pairs[i].value;
        const char *what = gh_arena_printf(a, "header %s", name);
        const char *got = gh_fx_header_get(a, &r->resp, name);
        const char *m = gh_fixture_matcher(e);
        if (m && !strcmp(m, "absent")) {
            if (got)
                gh_fx_fail(a, r, GH_FX_HEADER, what, "(absent)", got, NULL);
            continue;
        }
        const gh_node *pn = m ? e->pairs[0].value : e;
        const char *err = NULL;
        size_t len;
        const char *want = pn->kind == GH_NODE_STR ? subst(a, v, pn, &len, NULL, &err)
                                                   : gh_node_scalar(pn);
        if (!want) {
            gh_fx_fail(a, r, GH_FX_HEADER, what, pn->text, got, err ? err : "no value");
            continue;
        }
        len = strlen(want);
        if (!got) {
            gh_fx_fail(a, r, GH_FX_HEADER, what, m ? gh_arena_printf(a, "/%s/", want) : want,
                       "(absent)", NULL);
        } else if (m) {
            const char *why = regex_check(a, want, len, got, strlen(got), true);
            if (why)
                gh_fx_fail(a, r, GH_FX_HEADER, what, gh_arena_printf(a, "/%s/", want), got, why);
        } else if (strcmp(want, got)) {
            gh_fx_fail(a, r, GH_FX_HEADER, what, want, got, NULL);
        }
    }
}

/* JSONPath results that mean "nothing there": null (a definite path that matched
 * nothing, or a null value), or an empty list from an indefinite path. */
static bool path_indefinite(const char *p)
{
    return strpbrk(p, "*?:,") || strstr(p, "..");
}

static void check_jsonpath(gh_arena *a, const gh_vars *v, const gh_fixture *f, gh_vval body,
                           gh_fx_result *r)
{
    const gh_node *jp = f->exp_jsonpath;
    for (size_t i = 0; i < jp->n; i++) {
        const gh_node *k = jp->pairs[i].key, *e = jp->pairs[i].value;
        const char *err = NULL;
        size_t plen;
        const char *path = subst(a, v, k, &plen, NULL, &err);
        const char *what = gh_arena_printf(a, "jsonpath %s", path ? path : k->text);
        gh_vval got;
        if (!path || !gh_jsonpath_eval(a, body, path, plen, &got, &err)) {
            gh_fx_fail(a, r, GH_FX_JSONPATH, what, NULL, NULL, err);
            continue;
        }
        bool none = got.kind == GH_V_NULL ||
                    (path_indefinite(path) && got.kind == GH_V_LIST && got.u.list->n == 0);
        const char *m = gh_fixture_matcher(e);
        if (m && !strcmp(m, "absent")) {
            if (!none)
                gh_fx_fail(a, r, GH_FX_JSONPATH, what, "(absent)", value_json(a, got), NULL);
        } else if (m) {
            size_t rlen, tlen;
            const char *pat = subst(a, v, e->pairs[0].value, &rlen, NULL, &err);
            const char *text = value_text(a, got, &tlen);
            const char *why = pat ? regex_check(a, pat, rlen, text, tlen, true) : err;
            if (why)
                gh_fx_fail(a, r, GH_FX_JSONPATH, what,
                           gh_arena_printf(a, "/%s/", pat ? pat : e->pairs[0].value->text),
                           none ? "(absent)" : value_json(a, got), why);
        } else {
            gh_fx_match_json(a, v, e, got, false, GH_FX_JSONPATH, what, r);
        }
    }
}

static char *read_rel(gh_arena *a, const char *dir, const char *name, size_t *len)
{
    const char *path = name[0] == '/' || !dir || !*dir ? name
                                                       : gh_arena_printf(a, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    gh_buf b = GH_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        gh_buf_append(&b, chunk, n);
    fclose(fp);
    char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    *len = b.len;
    gh_buf_free(&b);
    return out;
}

static void check_body(gh_arena *a, const gh_vars *v, const gh_fixture *f, const char *dir,
                       gh_fx_result *r)
{
    const gh_fx_response *resp = &r->resp;
    const char *err = NULL;
    size_t len;
    if (f->exp_body) {
        const char *want = subst(a, v, f->exp_body, &len, NULL, &err);
        if (!want)
            gh_fx_fail(a, r, GH_FX_BODY, "body", f->exp_body->text, resp->body, err);
        else if (len != resp->body_len || memcmp(want, resp->body, len))
            gh_fx_fail(a, r, GH_FX_BODY, "body", want, resp->body, NULL);
    }
    if (f->exp_body_file) {
        const char *name = subst(a, v, f->exp_body_file, &len, NULL, &err);
        const char *want = name ? read_rel(a, dir, name, &len) : NULL;
        if (!want)
            gh_fx_fail(a, r, GH_FX_BODY_FILE, "bodyFile", NULL, NULL,
                       name ? gh_arena_printf(a, "cannot read %s relative to %s", name,
                                              dir && *dir ? dir : ".") : err);
        else if (len != resp->body_len || memcmp(want, resp->body, len))
            gh_fx_fail(a, r, GH_FX_BODY_FILE, gh_arena_printf(a, "bodyFile %s", name), want,
                       resp->body, NULL);
    }
    if (f->exp_body_regex) {
        const char *pat = subst(a, v, f->exp_body_regex, &len, NULL, &err);
        const char *why = pat ? regex_check(a, pat, len, resp->body, resp->body_len, false) : err;
        if (why)
            gh_fx_fail(a, r, GH_FX_BODY_REGEX, "bodyRegex",
                       gh_arena_printf(a, "/%s/", pat ? pat : f->exp_body_regex->text),
                       resp->body, why);
    }
    if (f->exp_json || f->exp_jsonpath) {
        gh_vval body;
        const char *perr = gh_vjson_parse(a, resp->body, resp->body_len, &body);
        if (perr) {
            gh_fx_fail(a, r, f->exp_json ? GH_FX_JSON : GH_FX_JSONPATH, "json",
                       f->exp_json ? node_text(a, v, f->exp_json) : NULL, resp->body,
                       gh_arena_printf(a, "the body is not JSON: %s", perr));
            return;
        }
        if (f->exp_json)
            gh_fx_match_json(a, v, f->exp_json, body, true, GH_FX_JSON, "json $", r);
        if (f->exp_jsonpath)
            check_jsonpath(a, v, f, body, r);
    }
}

void gh_fx_match(gh_arena *a, const gh_vars *v, const gh_fixture *f, const char *dir,
                 gh_fx_result *r)
{
    if (f->unsupported)
        gh_fx_fail(a, r, GH_FX_OTHER, "side effects",
                   NULL, NULL, "expect.invoked is not supported yet; remove it to run "
                   "this fixture");
    if (f->status && r->resp.status != f->status->v.i)
        gh_fx_fail(a, r, GH_FX_STATUS, "status", f->status->text,
                   gh_arena_printf(a, "%ld", r->resp.status), NULL);
    check_headers(a, v, f, r);
    check_body(a, v, f, dir, r);
}

bool gh_fx_capture(gh_arena *a, gh_vars *v, const gh_fixture *f, gh_fx_result *r)
{
    const gh_node *c = f->capture;
    bool ok = true;
    gh_vval body;
    bool parsed = false;
    for (size_t i = 0; c && i < c->n; i++) {
        const char *name = c->pairs[i].key->text;
        const gh_node *jp = gh_node_get(c->pairs[i].value, "jsonpath");
        const gh_node *hd = gh_node_get(c->pairs[i].value, "header");
        const char *what = gh_arena_printf(a, "capture %s", name);
        if (hd) {
            const char *got = gh_fx_header_get(a, &r->resp, hd->text);
            if (got)
                gh_vars_set(v, name, got, strlen(got));
            else
                gh_fx_fail(a, r, GH_FX_OTHER, what, NULL, NULL,
                           gh_arena_printf(a, "the response has no header %s", hd->text));
            ok = ok && got;
            continue;
        }
        const char *err = NULL;
        if (!parsed && (err = gh_vjson_parse(a, r->resp.body, r->resp.body_len, &body))) {
            gh_fx_fail(a, r, GH_FX_OTHER, what, NULL, NULL,
                       gh_arena_printf(a, "the body is not JSON: %s", err));
            return false;
        }
        parsed = true;
        gh_vval got;
        if (!gh_jsonpath_eval(a, body, jp->text, jp->len, &got, &err) || got.kind == GH_V_NULL) {
            gh_fx_fail(a, r, GH_FX_OTHER, what, NULL, NULL,
                       err ? err : gh_arena_printf(a, "%s matches nothing in the body", jp->text));
            ok = false;
            continue;
        }
        size_t len;
        const char *text = value_text(a, got, &len);
        gh_vars_set(v, name, text, len);
    }
    return ok;
}
