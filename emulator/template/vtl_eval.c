/* VTL evaluator, statements: text, references, #set, #if, #foreach, #define, macros,
 * #break and #stop, writing into the caller's buffer and allocating only from the
 * render's arena. Choices where AWS and stock Velocity 1.7 could differ:
 *  - a null reference prints nothing (AWS, reference §5.1), escapes aside: "\$x" prints
 *    "$x" when $x has a value and "\$x" when not, as 1.7's ASTReference does;
 *  - #set into a write_once map (AWS's $context.requestOverride / responseOverride)
 *    fails on a key already set: "Overrides are final ... trying to override the same
 *    parameter multiple times will result in 5XX responses"
 *    (apigateway-override-request-response-parameters);
 *  - #set with a null right-hand side leaves the left side unchanged: 1.7's default
 *    directive.set.null.allowed=false ("If the RHS evaluates to null, it is not assigned
 *    to the LHS", Velocity user guide, #set);
 *  - #foreach stops silently after GH_VTL_MAX_FOREACH iterations, the way Velocity's
 *    directive.foreach.maxloops cuts a loop (AWS documents the 1000 limit, not an error);
 *  - the loop variable, $velocityCount and $foreach are restored after the loop, as 1.7's
 *    Foreach does;
 *  - macro arguments are evaluated once at the call (1.7 passes them by name; it only
 *    differs for arguments with side effects). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "template/vtl_ast.h"
#include "util/clock.h"

bool gh_vtl_fail(gh_vtl_rt *rt, const char *fmt, ...)
{
    if (rt->failed)
        return false;
    rt->failed = true;
    rt->error_line = rt->error_col = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->error, sizeof rt->error, fmt, ap);
    va_end(ap);
    return false;
}

bool vtl_check_output(vtl_ev *ev, uint32_t pos)
{
    if (ev->out->len - ev->start <= ev->max)
        return true;
    /* out never holds more than the limit, even after a failure (vtl.h) */
    ev->out->len = ev->start + ev->max;
    ev->out->data[ev->out->len] = 0;
    return vtl_fail_at(ev, pos, "template output exceeds %zu bytes", ev->max);
}

bool vtl_emit(vtl_ev *ev, uint32_t pos, const char *s, size_t n)
{
    if (ev->out->len - ev->start + n > ev->max)
        return vtl_fail_at(ev, pos, "template output exceeds %zu bytes", ev->max);
    gh_buf_append(ev->out, s, n);
    return true;
}

/* One more statement or loop iteration: false (and the render fails) past the budget. */
static bool vtl_step(vtl_ev *ev, uint32_t pos)
{
    if (++ev->steps > ev->max_steps)
        return vtl_fail_at(ev, pos, "template runs more than %llu steps (nested #foreach loops?)",
                           (unsigned long long)ev->max_steps);
    return (ev->steps & 255) || vtl_in_time(ev, pos);
}

bool vtl_in_time(vtl_ev *ev, uint32_t pos)
{
    if (gh_clock_mono_ms() <= ev->rt->deadline_ms)
        return true;
    return vtl_fail_at(ev, pos, "template ran longer than %lld ms (a slow regular expression "
                       "in a loop?)",
                       (long long)(ev->rt->max_ms ? ev->rt->max_ms : GH_VTL_MAX_RENDER_MS));
}

bool gh_vtl_in_time(gh_vtl_rt *rt)
{
    if (!rt->deadline_ms || gh_clock_mono_ms() <= rt->deadline_ms)
        return true;
    return gh_vtl_fail(rt, "template ran longer than %lld ms (a method on very large values?)",
                       (long long)(rt->max_ms ? rt->max_ms : GH_VTL_MAX_RENDER_MS));
}

/* ---- $foreach: the loop's state as a host object ---- */

static bool foreach_get(gh_vtl_rt *rt, void *self, const char *name, gh_vval *out)
{
    (void)rt;
    const vtl_loop *l = self;
    if (!strcmp(name, "index") || !strcmp(name, "getIndex"))
        *out = gh_v_int(l->index);
    else if (!strcmp(name, "count") || !strcmp(name, "getCount"))
        *out = gh_v_int(l->index + 1);
    else if (!strcmp(name, "hasNext") || !strcmp(name, "getHasNext"))
        *out = gh_v_bool(l->has_next);
    else if (!strcmp(name, "first") || !strcmp(name, "isFirst"))
        *out = gh_v_bool(l->index == 0);
    else if (!strcmp(name, "last") || !strcmp(name, "isLast"))
        *out = gh_v_bool(!l->has_next);
    else if (!strcmp(name, "parent") || !strcmp(name, "getParent"))
        *out = l->outer ? gh_v_host(&vtl_foreach_class, l->outer) : gh_v_null();
    else
        return false;
    return true;
}

static bool foreach_call(gh_vtl_rt *rt, void *self, const char *name, const gh_vval *args,
                         size_t nargs, gh_vval *out)
{
    (void)args;
    return nargs == 0 && foreach_get(rt, self, name, out);
}

const gh_vhost_class vtl_foreach_class = {"foreach", foreach_get, foreach_call, NULL};

/* ---- #define: a block that renders where it is printed ---- */

typedef struct {
    vtl_ev *ev;
    const vtl_node *node;
} vtl_block;

static void block_print(gh_vtl_rt *rt, void *self, gh_buf *out)
{
    (void)rt;
    vtl_block *b = self;
    vtl_ev *ev = b->ev;
    if (ev->depth >= GH_VTL_MAX_CALL_DEPTH) {
        vtl_fail_at(ev, b->node->pos, "#define $%s refers to itself more than %d deep",
                    b->node->u.define.var, GH_VTL_MAX_CALL_DEPTH);
        return;
    }
    gh_buf *keep_out = ev->out;
    size_t keep_start = ev->start;
    if (out != ev->out) {
        ev->out = out;
        ev->start = out->len;
    }
    ev->depth++;
    vtl_render_nodes(ev, b->node->u.define.body);
    ev->depth--;
    ev->out = keep_out;
    ev->start = keep_start;
}

static const gh_vhost_class vtl_block_class = {"define", NULL, NULL, block_print};

/* ---- statements ---- */

static gh_vmap *globals(vtl_ev *ev)
{
    if (!ev->rt->globals)
        ev->rt->globals = gh_v_map(ev->rt->arena, 8, false).u.map;
    return ev->rt->globals;
}

static bool print_value(vtl_ev *ev, uint32_t pos, gh_vval v)
{
    if (v.kind == GH_V_STRING)
        return vtl_emit(ev, pos, v.u.str.s, v.u.str.len);
    if (v.kind == GH_V_NULL)
        return true;
    gh_v_print(ev->rt, v, ev->out);
    bool ok = vtl_check_output(ev, pos);
    if (ev->rt->failed) {
        if (ev->rt->error_line == 0)
            vtl_linecol(ev->t->text, pos, &ev->rt->error_line, &ev->rt->error_col);
        return false;
    }
    return ok;
}

static bool render_ref(vtl_ev *ev, const vtl_node *n)
{
    const vtl_ref *r = n->u.ref;
    for (uint32_t i = 0; i < r->nbs / 2; i++)
        if (!vtl_emit(ev, n->pos, "\\", 1))
            return false;
    gh_vval v;
    if (!vtl_eval_ref(ev, r, r->nparts, &v))
        return false;
    if (r->nbs % 2) {
        if (v.kind == GH_V_NULL && !vtl_emit(ev, n->pos, "\\", 1))
            return false;
        return vtl_emit(ev, n->pos, r->src, r->src_len);
    }
    return print_value(ev, n->pos, v);
}

static bool do_set(vtl_ev *ev, const vtl_node *n)
{
    const vtl_ref *lhs = n->u.set.lhs;
    gh_vval v, obj;
    gh_arena *a = ev->rt->arena;
    if (!vtl_eval(ev, n->u.set.rhs, &v))
        return false;
    if (v.kind == GH_V_NULL)
        return true;
    if (lhs->nparts == 0) {
        gh_vmap_entry *e;
        if (ev->locals && (e = gh_vmap_find(ev->locals, lhs->name, lhs->nlen)))
            e->value = v;
        else
            gh_vmap_put(a, globals(ev), lhs->name, lhs->nlen, v);
        return true;
    }
    /* #set($a.b.c = v): evaluate $a.b, then put c into it */
    if (!vtl_eval_ref(ev, lhs, lhs->nparts - 1, &obj))
        return false;
    const vtl_part *last = &lhs->parts[lhs->nparts - 1];
    const char *key = last->name;
    size_t klen = last->nlen;
    if (last->kind == VP_INDEX) {
        gh_vval ix;
        if (!vtl_eval(ev, last->args[0], &ix))
            return false;
        if (obj.kind == GH_V_LIST && ix.kind == GH_V_INT) {
            int64_t i = ix.u.i, len = (int64_t)obj.u.list->n;
            if (i < 0)
                i += len;
            if (i < 0 || i >= len)
                return vtl_fail_at(ev, last->pos, "index %lld is out of range for a list of %lld",
                                   (long long)ix.u.i, (long long)len);
            obj.u.list->items[i] = v;
            return true;
        }
        ix = vtl_to_string(ev, ix);
        key = ix.u.str.s;
        klen = ix.u.str.len;
    }
    if (obj.kind == GH_V_MAP) {
        if (gh_vmap_conflict(obj.u.map, key, klen))
            return vtl_fail_at(ev, last->pos,
                               "%.*s is already set: AWS fails a request (5XX) that overrides "
                               "a parameter twice; set a variable, override once at the end",
                               (int)lhs->src_len, lhs->src);
        gh_vmap_put(a, obj.u.map, key, klen, v);
        return true;
    }
    if (obj.kind == GH_V_HOST)
        return vtl_fail_at(ev, last->pos, "cannot #set '%.*s' on $%s: it is read-only",
                           (int)klen, key, lhs->name);
    return true; /* null or a value without setters: 1.7 logs and goes on */
}

static vtl_status do_foreach(vtl_ev *ev, const vtl_node *n)
{
    const vtl_expr *it = n->u.loop.iter;
    gh_vval src = gh_v_null(), lo, hi;
    int64_t first = 0, step = 0;
    uint64_t count = 0;
    bool range = it->kind == VE_RANGE;
    if (range) { /* iterated without building the list */
        if (!vtl_eval(ev, it->u.bin.a, &lo) || !vtl_eval(ev, it->u.bin.b, &hi))
            return VR_FAIL;
        if (lo.kind == GH_V_INT && hi.kind == GH_V_INT) {
            first = lo.u.i;
            step = lo.u.i <= hi.u.i ? 1 : -1;
            /* in unsigned arithmetic: the span of two int64 overflows int64 */
            count = (step > 0 ? (uint64_t)hi.u.i - (uint64_t)lo.u.i
                              : (uint64_t)lo.u.i - (uint64_t)hi.u.i) + 1;
            if (count == 0) /* the whole int64 range: more than any loop will run */
                count = UINT64_MAX;
        }
    } else if (!vtl_eval(ev, it, &src)) {
        return VR_FAIL;
    }
    gh_vmap *g = globals(ev);
    gh_vmap_entry *old = gh_vmap_find(g, n->u.loop.var, n->u.loop.vlen);
    gh_vval saved = old ? old->value : gh_v_null();
    bool had = old != NULL;
    vtl_loop loop = {.outer = ev->loop};
    ev->loop = &loop;
    vtl_status st = VR_OK;
    for (uint64_t i = 0; i < GH_VTL_MAX_FOREACH; i++) {
        gh_vval item;
        uint64_t total = range                    ? count
                         : src.kind == GH_V_LIST ? src.u.list->n
                         : src.kind == GH_V_MAP  ? src.u.map->n
                                                 : 0;
        if (i >= total)
            break;
        if (range)
            item = gh_v_int(first + step * (int64_t)i);
        else if (src.kind == GH_V_LIST)
            item = src.u.list->items[i];
        else /* a map iterates over its values, as Velocity does */
            item = src.u.map->items[i].value;
        if (!vtl_step(ev, n->pos)) {
            st = VR_FAIL;
            break;
        }
        loop.index = (int64_t)i;
        loop.has_next = i + 1 < total;
        gh_vmap_put(ev->rt->arena, g, n->u.loop.var, n->u.loop.vlen, item);
        st = vtl_render_nodes(ev, n->u.loop.body);
        if (st != VR_OK)
            break;
    }
    ev->loop = loop.outer;
    if (had)
        gh_vmap_put(ev->rt->arena, g, n->u.loop.var, n->u.loop.vlen, saved);
    else
        gh_vmap_remove(g, n->u.loop.var, n->u.loop.vlen);
    return st == VR_BREAK ? VR_OK : st;
}

static vtl_status do_call(vtl_ev *ev, const vtl_node *n)
{
    const vtl_macro *m = ev->t->macros;
    while (m && !(m->nlen == n->u.call.nlen && !memcmp(m->name, n->u.call.name, m->nlen)))
        m = m->next;
    if (!m) /* not a macro: 1.7 prints an unknown #name(...) as it is written */
        return vtl_emit(ev, n->pos, n->u.call.src, n->u.call.src_len) ? VR_OK : VR_FAIL;
    if (ev->depth >= GH_VTL_MAX_CALL_DEPTH) {
        vtl_fail_at(ev, n->pos, "macro #%s nests more than %d calls deep (runaway recursion?)",
                    m->name, GH_VTL_MAX_CALL_DEPTH);
        return VR_FAIL;
    }
    gh_vmap *locals = gh_v_map(ev->rt->arena, m->nparams, false).u.map;
    for (uint32_t i = 0; i < m->nparams; i++) {
        gh_vval v = gh_v_null();
        if (i < n->u.call.nargs && !vtl_eval(ev, n->u.call.args[i], &v))
            return VR_FAIL;
        gh_vmap_put(ev->rt->arena, locals, m->params[i], m->plens[i], v);
    }
    gh_vmap *keep = ev->locals;
    ev->locals = locals;
    ev->depth++;
    vtl_status st = vtl_render_nodes(ev, m->body);
    ev->depth--;
    ev->locals = keep;
    return st == VR_BREAK ? VR_OK : st;
}

vtl_status vtl_render_nodes(vtl_ev *ev, const vtl_node *n)
{
    for (; n; n = n->next) {
        vtl_status st = VR_OK;
        if (!vtl_step(ev, n->pos))
            return VR_FAIL;
        switch (n->kind) {
        case VN_TEXT:
            st = vtl_emit(ev, n->pos, n->u.text.s, n->u.text.len) ? VR_OK : VR_FAIL;
            break;
        case VN_REF:
            st = render_ref(ev, n) ? VR_OK : VR_FAIL;
            break;
        case VN_SET:
            st = do_set(ev, n) ? VR_OK : VR_FAIL;
            break;
        case VN_IF: {
            const vtl_node *c = n;
            for (;;) {
                gh_vval v;
                if (!vtl_eval(ev, c->u.cond.cond, &v))
                    return VR_FAIL;
                if (gh_v_truthy(v)) {
                    st = vtl_render_nodes(ev, c->u.cond.then);
                    break;
                }
                if (!c->u.cond.elseif) {
                    st = vtl_render_nodes(ev, c->u.cond.els);
                    break;
                }
                c = c->u.cond.els;
            }
            break;
        }
        case VN_FOREACH:
            st = do_foreach(ev, n);
            break;
        case VN_BREAK:
            return VR_BREAK;
        case VN_STOP:
            return VR_STOP;
        case VN_DEFINE: {
            vtl_block *b = gh_arena_alloc(ev->rt->arena, sizeof *b);
            b->ev = ev;
            b->node = n;
            gh_vmap_put(ev->rt->arena, globals(ev), n->u.define.var, n->u.define.vlen,
                        gh_v_host(&vtl_block_class, b));
            break;
        }
        case VN_CALL:
            st = do_call(ev, n);
            break;
        }
        if (st != VR_OK)
            return st;
        if (ev->rt->failed)
            return VR_FAIL;
    }
    return VR_OK;
}

int gh_vtl_render(const gh_vtl *t, gh_vtl_rt *rt, gh_buf *out)
{
    /* in the arena, not on the stack: a #define block value keeps a pointer to it */
    vtl_ev *ev = gh_arena_calloc(rt->arena, sizeof *ev);
    ev->rt = rt;
    ev->t = t;
    ev->out = out;
    ev->start = out->len;
    ev->max = rt->max_output ? rt->max_output : GH_VTL_MAX_OUTPUT;
    ev->max_steps = rt->max_steps ? rt->max_steps : GH_VTL_MAX_STEPS;
    rt->deadline_ms = gh_clock_mono_ms() + (rt->max_ms ? rt->max_ms : GH_VTL_MAX_RENDER_MS);
    if (!out->data)
        gh_buf_append(out, "", 0); /* so the text is a string even when nothing prints */
    vtl_status st = vtl_render_nodes(ev, t->body);
    return st == VR_FAIL || rt->failed ? -1 : 0;
}
