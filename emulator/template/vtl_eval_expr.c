/* VTL evaluator, expressions and references. Semantics are Velocity 1.7's as AWS runs it:
 * a property is a map key, a host object's get callback, or a Java getter (getName, then
 * isName); anything unresolvable is null and prints as nothing (AWS, reference §5.1).
 * Integer arithmetic is 64-bit (Java Integer/Long) with truncating division; division or
 * modulo by zero gives null, as 1.7's ASTDivNode/ASTModNode do; '+' with a string on
 * either side concatenates the printed texts. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "template/vtl_ast.h"
#include "template/vtl_methods.h"

/* Above this a range literal outside #foreach is refused rather than built. */
#define VTL_MAX_RANGE (1 << 20)

bool vtl_fail_at(vtl_ev *ev, uint32_t pos, const char *fmt, ...)
{
    gh_vtl_rt *rt = ev->rt;
    if (rt->failed)
        return false;
    rt->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->error, sizeof rt->error, fmt, ap);
    va_end(ap);
    vtl_linecol(ev->t->text, pos, &rt->error_line, &rt->error_col);
    return false;
}

/* A callback failed through gh_vtl_fail, which knows no position: add ours. */
static bool callback_failed(vtl_ev *ev, uint32_t pos)
{
    if (!ev->rt->failed)
        return false;
    if (ev->rt->error_line == 0)
        vtl_linecol(ev->t->text, pos, &ev->rt->error_line, &ev->rt->error_col);
    return true;
}

gh_vval vtl_lookup(vtl_ev *ev, const char *name, size_t nlen)
{
    gh_vmap_entry *e;
    if (ev->locals && (e = gh_vmap_find(ev->locals, name, nlen)))
        return e->value;
    if (ev->loop) {
        if (nlen == 7 && memcmp(name, "foreach", 7) == 0)
            return gh_v_host(&vtl_foreach_class, ev->loop);
        if (nlen == 13 && memcmp(name, "velocityCount", 13) == 0)
            return gh_v_int(ev->loop->index + 1);
        if (nlen == 15 && memcmp(name, "velocityHasNext", 15) == 0)
            return gh_v_bool(ev->loop->has_next);
    }
    if (ev->rt->globals && (e = gh_vmap_find(ev->rt->globals, name, nlen)))
        return e->value;
    return gh_v_null();
}

gh_vval vtl_to_string(vtl_ev *ev, gh_vval v)
{
    if (v.kind == GH_V_STRING)
        return v;
    /* printed into the output buffer's tail and taken back, so no malloc per value */
    gh_buf *b = ev->out;
    size_t mark = b->len;
    gh_v_print(ev->rt, v, b);
    gh_vval s = gh_v_strdup(ev->rt->arena, b->data ? b->data + mark : "", b->len - mark);
    b->len = mark;
    if (b->data)
        b->data[mark] = 0;
    return s;
}

static bool get_prop(vtl_ev *ev, gh_vval v, const vtl_part *pt, gh_vval *out)
{
    *out = gh_v_null();
    switch (v.kind) {
    case GH_V_NULL:
        return true;
    case GH_V_MAP: {
        gh_vmap_entry *e = gh_vmap_find(v.u.map, pt->name, pt->nlen);
        if (e)
            *out = e->value;
        return true;
    }
    case GH_V_HOST:
        if (v.u.host.cls->get && !v.u.host.cls->get(ev->rt, v.u.host.self, pt->name, out))
            *out = gh_v_null();
        return !callback_failed(ev, pt->pos);
    default:
        if (!gh_vtl_method(ev->rt, v, pt->getter, NULL, 0, out) &&
            (callback_failed(ev, pt->pos) ||
             !gh_vtl_method(ev->rt, v, pt->is_getter, NULL, 0, out)))
            *out = gh_v_null();
        return !callback_failed(ev, pt->pos);
    }
}

static bool call_method(vtl_ev *ev, gh_vval v, const vtl_part *pt, gh_vval *out)
{
    *out = gh_v_null();
    if (v.kind == GH_V_NULL)
        return true;
    gh_vval *args = pt->nargs ? gh_arena_alloc(ev->rt->arena, pt->nargs * sizeof *args) : NULL;
    for (uint32_t i = 0; i < pt->nargs; i++)
        if (!vtl_eval(ev, pt->args[i], &args[i]))
            return false;
    bool ok;
    if (v.kind == GH_V_HOST)
        ok = v.u.host.cls->call &&
             v.u.host.cls->call(ev->rt, v.u.host.self, pt->name, args, pt->nargs, out);
    else
        ok = gh_vtl_method(ev->rt, v, pt->name, args, pt->nargs, out);
    if (!ok)
        *out = gh_v_null();
    if (callback_failed(ev, pt->pos) || !vtl_in_time(ev, pt->pos))
        return false;
    /* "$s.concat($s)" and friends double a string per call: cap every string a method
     * returns at the output limit, so loops cannot grow one without bound */
    if (out->kind == GH_V_STRING && out->u.str.len > ev->max)
        return vtl_fail_at(ev, pt->pos, "%s() returned a string longer than the %zu-byte "
                           "output limit", pt->name, ev->max);
    return true;
}

static bool get_index(vtl_ev *ev, gh_vval v, const vtl_part *pt, gh_vval *out)
{
    gh_vval ix;
    *out = gh_v_null();
    if (!vtl_eval(ev, pt->args[0], &ix))
        return false;
    if (v.kind == GH_V_LIST && ix.kind == GH_V_INT) {
        int64_t i = ix.u.i, n = (int64_t)v.u.list->n;
        if (i < 0) /* 1.7 counts a negative index from the end */
            i += n;
        if (i < 0 || i >= n)
            return vtl_fail_at(ev, pt->pos, "index %lld is out of range for a list of %lld",
                               (long long)ix.u.i, (long long)n);
        *out = v.u.list->items[i];
        return true;
    }
    if (v.kind == GH_V_MAP) {
        gh_vval k = vtl_to_string(ev, ix);
        gh_vmap_entry *e = gh_vmap_find(v.u.map, k.u.str.s, k.u.str.len);
        if (e)
            *out = e->value;
        return true;
    }
    if (v.kind == GH_V_HOST && ix.kind == GH_V_STRING && v.u.host.cls->get) {
        const char *k = gh_arena_strndup(ev->rt->arena, ix.u.str.s, ix.u.str.len);
        if (!v.u.host.cls->get(ev->rt, v.u.host.self, k, out))
            *out = gh_v_null();
        return !callback_failed(ev, pt->pos);
    }
    return true;
}

bool vtl_eval_ref(vtl_ev *ev, const vtl_ref *r, uint32_t nparts, gh_vval *out)
{
    gh_vval v = vtl_lookup(ev, r->name, r->nlen);
    for (uint32_t i = 0; i < nparts && v.kind != GH_V_NULL; i++) {
        const vtl_part *pt = &r->parts[i];
        bool ok = pt->kind == VP_PROP     ? get_prop(ev, v, pt, &v)
                  : pt->kind == VP_METHOD ? call_method(ev, v, pt, &v)
                                          : get_index(ev, v, pt, &v);
        if (!ok)
            return false;
    }
    *out = v;
    return true;
}

static bool is_num(gh_vval v)
{
    return v.kind == GH_V_INT || v.kind == GH_V_DOUBLE;
}

static double dbl(gh_vval v)
{
    return v.kind == GH_V_INT ? (double)v.u.i : v.u.d;
}

static gh_vval arith(vtl_ev *ev, const vtl_expr *e, gh_vval a, gh_vval b)
{
    vtl_ekind k = e->kind;
    if (k == VE_ADD && (a.kind == GH_V_STRING || b.kind == GH_V_STRING)) {
        gh_vval sa = vtl_to_string(ev, a), sb = vtl_to_string(ev, b);
        /* $s = $s + $s doubles a string per step: no string may outgrow the output */
        if (sa.u.str.len + sb.u.str.len > ev->max) {
            vtl_fail_at(ev, e->pos, "string concatenation exceeds the %zu-byte output limit",
                        ev->max);
            return gh_v_null();
        }
        char *s = gh_arena_alloc(ev->rt->arena, sa.u.str.len + sb.u.str.len + 1);
        memcpy(s, sa.u.str.s, sa.u.str.len);
        memcpy(s + sa.u.str.len, sb.u.str.s, sb.u.str.len);
        s[sa.u.str.len + sb.u.str.len] = 0;
        return gh_v_strn(s, sa.u.str.len + sb.u.str.len);
    }
    if (!is_num(a) || !is_num(b))
        return gh_v_null();
    if ((k == VE_DIV || k == VE_MOD) && dbl(b) == 0)
        return gh_v_null();
    if (a.kind == GH_V_INT && b.kind == GH_V_INT) {
        int64_t x = a.u.i, y = b.u.i, r;
        bool over = false;
        switch (k) {
        case VE_ADD: over = __builtin_add_overflow(x, y, &r); break;
        case VE_SUB: over = __builtin_sub_overflow(x, y, &r); break;
        case VE_MUL: over = __builtin_mul_overflow(x, y, &r); break;
        case VE_DIV:
            over = x == INT64_MIN && y == -1;
            r = over ? 0 : x / y;
            break;
        default:
            r = (x == INT64_MIN && y == -1) ? 0 : x % y;
            break;
        }
        if (!over)
            return gh_v_int(r);
    }
    double x = dbl(a), y = dbl(b);
    switch (k) {
    case VE_ADD: return gh_v_double(x + y);
    case VE_SUB: return gh_v_double(x - y);
    case VE_MUL: return gh_v_double(x * y);
    case VE_DIV: return gh_v_double(x / y);
    default: return gh_v_double(fmod(x, y));
    }
}

static bool eval_range(vtl_ev *ev, const vtl_expr *e, gh_vval *out)
{
    gh_vval a, b;
    *out = gh_v_null();
    if (!vtl_eval(ev, e->u.bin.a, &a) || !vtl_eval(ev, e->u.bin.b, &b))
        return false;
    if (a.kind != GH_V_INT || b.kind != GH_V_INT)
        return true; /* 1.7's ASTIntegerRange: null unless both ends are integers */
    int64_t step = a.u.i <= b.u.i ? 1 : -1;
    /* in unsigned arithmetic: the span of two int64 overflows int64 */
    uint64_t n = (step > 0 ? (uint64_t)b.u.i - (uint64_t)a.u.i
                           : (uint64_t)a.u.i - (uint64_t)b.u.i) + 1;
    if (n > VTL_MAX_RANGE || n == 0)
        return vtl_fail_at(ev, e->pos, "range has more than %d elements", VTL_MAX_RANGE);
    *out = gh_v_list(ev->rt->arena, n, false);
    for (uint64_t i = 0; i < n; i++)
        gh_vlist_add(ev->rt->arena, out->u.list, gh_v_int(a.u.i + step * (int64_t)i));
    return true;
}

bool vtl_eval(vtl_ev *ev, const vtl_expr *e, gh_vval *out)
{
    gh_vval a, b;
    switch (e->kind) {
    case VE_LIT:
        *out = e->u.lit;
        return true;
    case VE_REF:
        return vtl_eval_ref(ev, e->u.ref, e->u.ref->nparts, out);
    case VE_ISTR: {
        gh_buf *buf = ev->out;
        size_t mark = buf->len;
        if (vtl_render_nodes(ev, e->u.body) == VR_FAIL)
            return false;
        *out = gh_v_strdup(ev->rt->arena, buf->data ? buf->data + mark : "", buf->len - mark);
        buf->len = mark;
        if (buf->data)
            buf->data[mark] = 0;
        return true;
    }
    case VE_LIST:
        *out = gh_v_list(ev->rt->arena, e->u.list.n, false);
        for (uint32_t i = 0; i < e->u.list.n; i++) {
            if (!vtl_eval(ev, e->u.list.items[i], &a))
                return false;
            gh_vlist_add(ev->rt->arena, out->u.list, a);
        }
        return true;
    case VE_MAP:
        *out = gh_v_map(ev->rt->arena, e->u.list.n / 2, false);
        for (uint32_t i = 0; i + 1 < e->u.list.n; i += 2) {
            if (!vtl_eval(ev, e->u.list.items[i], &a) || !vtl_eval(ev, e->u.list.items[i + 1], &b))
                return false;
            a = vtl_to_string(ev, a);
            gh_vmap_put(ev->rt->arena, out->u.map, a.u.str.s, a.u.str.len, b);
        }
        return true;
    case VE_RANGE:
        return eval_range(ev, e, out);
    case VE_NOT:
        if (!vtl_eval(ev, e->u.bin.a, &a))
            return false;
        *out = gh_v_bool(!gh_v_truthy(a));
        return true;
    case VE_OR:
    case VE_AND:
        if (!vtl_eval(ev, e->u.bin.a, &a))
            return false;
        if (gh_v_truthy(a) == (e->kind == VE_OR)) {
            *out = gh_v_bool(e->kind == VE_OR);
            return true;
        }
        if (!vtl_eval(ev, e->u.bin.b, &b))
            return false;
        *out = gh_v_bool(gh_v_truthy(b));
        return true;
    default:
        break;
    }
    if (!vtl_eval(ev, e->u.bin.a, &a) || !vtl_eval(ev, e->u.bin.b, &b))
        return false;
    int cmp;
    switch (e->kind) {
    case VE_EQ: *out = gh_v_bool(gh_v_equal(a, b)); return true;
    case VE_NE: *out = gh_v_bool(!gh_v_equal(a, b)); return true;
    case VE_LT: *out = gh_v_bool(gh_v_compare(a, b, &cmp) && cmp < 0); return true;
    case VE_LE: *out = gh_v_bool(gh_v_compare(a, b, &cmp) && cmp <= 0); return true;
    case VE_GT: *out = gh_v_bool(gh_v_compare(a, b, &cmp) && cmp > 0); return true;
    case VE_GE: *out = gh_v_bool(gh_v_compare(a, b, &cmp) && cmp >= 0); return true;
    default: *out = arith(ev, e, a, b); return !ev->rt->failed;
    }
}
