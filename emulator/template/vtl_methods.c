/* The Java methods templates call (vtl_methods.h): dispatch by receiver kind, plus the
 * small Integer/Long, Double and Boolean surfaces. Strings live in vtl_methods_string.c,
 * lists and maps in vtl_methods_collection.c. A method Java does not have for that
 * receiver, or not with those argument kinds, returns false: Velocity then renders the
 * reference as null, which AWS prints as nothing. */
#include "template/vtl_methods.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "template/vtl_methods_impl.h"

bool gh_vtl_arg_int(gh_vval v, int32_t *out)
{
    if (v.kind != GH_V_INT || v.u.i < INT32_MIN || v.u.i > INT32_MAX)
        return false;
    *out = (int32_t)v.u.i;
    return true;
}

bool gh_vtl_fail_null(gh_vtl_rt *rt, const char *method)
{
    return gh_vtl_fail(rt, "java.lang.NullPointerException: null argument to %s()", method);
}

/* Double.equals compares the bits: NaN equals NaN, 0.0 does not equal -0.0. */
static bool same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* Bounds on one comparison of template-built values, as in vtl_value.c: a list that
 * holds itself through another one, or a tree of shared lists doubling at each level,
 * counts as different rather than overflowing the stack or running for hours. */
#define JAVA_EQUALS_MAX_DEPTH 2100
#define JAVA_EQUALS_MAX_VISITS (1u << 20)

static bool java_equals_rec(gh_vval a, gh_vval b, unsigned depth, size_t *visits)
{
    if (a.kind != b.kind || depth > JAVA_EQUALS_MAX_DEPTH || ++*visits > JAVA_EQUALS_MAX_VISITS)
        return false;
    switch (a.kind) {
    case GH_V_NULL: return true;
    case GH_V_BOOL: return a.u.b == b.u.b;
    case GH_V_INT: return a.u.i == b.u.i;
    case GH_V_DOUBLE: return same_double(a.u.d, b.u.d);
    case GH_V_STRING:
        return a.u.str.len == b.u.str.len && !memcmp(a.u.str.s, b.u.str.s, a.u.str.len);
    case GH_V_LIST:
        if (a.u.list == b.u.list) /* ArrayList.equals: o == this */
            return true;
        if (a.u.list->n != b.u.list->n)
            return false;
        for (size_t k = 0; k < a.u.list->n; k++)
            if (!java_equals_rec(a.u.list->items[k], b.u.list->items[k], depth + 1, visits))
                return false;
        return true;
    case GH_V_MAP:
        /* AbstractMap.equals: same size, every key maps to an equal value (any order) */
        if (a.u.map == b.u.map)
            return true;
        if (a.u.map->n != b.u.map->n)
            return false;
        for (size_t k = 0; k < a.u.map->n; k++) {
            const gh_vmap_entry *e = &a.u.map->items[k];
            const gh_vmap_entry *f = gh_vmap_find(b.u.map, e->key, e->klen);
            if (!f || !java_equals_rec(e->value, f->value, depth + 1, visits))
                return false;
        }
        return true;
    case GH_V_HOST: return a.u.host.self == b.u.host.self && a.u.host.cls == b.u.host.cls;
    }
    return false;
}

bool gh_vtl_java_equals(gh_vval a, gh_vval b)
{
    size_t visits = 0;
    return java_equals_rec(a, b, 0, &visits);
}

static int cmp3(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Integer/Long (one kind here) and Double. */
static bool number_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                          size_t nargs, gh_vval *out)
{
    bool is_int = self.kind == GH_V_INT;
    double d = is_int ? (double)self.u.i : self.u.d;
    if (nargs == 0) {
        if (!strcmp(name, "intValue")) {
            if (is_int)
                *out = gh_v_int((int32_t)(uint32_t)self.u.i); /* Java narrows by wrapping */
            else
                *out = gh_v_int(isnan(d)             ? 0
                                : d >= 2147483647.0  ? INT32_MAX
                                : d <= -2147483648.0 ? INT32_MIN
                                                     : (int32_t)d);
        } else if (!strcmp(name, "longValue")) {
            if (is_int)
                *out = self;
            else
                *out = gh_v_int(isnan(d)                      ? 0
                                : d >= 9223372036854775807.0  ? INT64_MAX
                                : d <= -9223372036854775808.0 ? INT64_MIN
                                                              : (int64_t)d);
        } else if (!strcmp(name, "doubleValue")) {
            *out = gh_v_double(d);
        } else if (!strcmp(name, "toString")) {
            size_t len;
            const char *t = gh_v_to_text(rt, rt->arena, self, &len);
            *out = gh_v_strn(t, len);
        } else if (!strcmp(name, "hashCode")) {
            if (is_int) {
                uint64_t u = (uint64_t)self.u.i;
                /* Integer: the value; Long: value ^ (value >>> 32) */
                *out = gh_v_int(self.u.i >= INT32_MIN && self.u.i <= INT32_MAX
                                    ? self.u.i
                                    : (int32_t)(uint32_t)(u ^ (u >> 32)));
            } else {
                uint64_t bits;
                double c = isnan(d) ? NAN : d; /* doubleToLongBits: one NaN */
                memcpy(&bits, &c, sizeof bits);
                *out = gh_v_int((int32_t)(uint32_t)(bits ^ (bits >> 32)));
            }
        } else if (!is_int && !strcmp(name, "isNaN")) {
            *out = gh_v_bool(isnan(d));
        } else if (!is_int && !strcmp(name, "isInfinite")) {
            *out = gh_v_bool(isinf(d));
        } else {
            return false;
        }
        return true;
    }
    if (nargs != 1)
        return false;
    if (!strcmp(name, "equals")) {
        *out = gh_v_bool(gh_vtl_java_equals(self, args[0]));
        return true;
    }
    if (!strcmp(name, "compareTo")) {
        /* Integer.compareTo(Integer), Double.compareTo(Double): no mixing */
        if (args[0].kind == GH_V_NULL)
            return gh_vtl_fail_null(rt, name);
        if (args[0].kind != self.kind)
            return false;
        if (is_int)
            *out = gh_v_int(self.u.i < args[0].u.i ? -1 : self.u.i > args[0].u.i);
        else if (isnan(d) || isnan(args[0].u.d))
            *out = gh_v_int(isnan(d) ? !isnan(args[0].u.d) : -1); /* NaN sorts last */
        else
            *out = gh_v_int(d == args[0].u.d && d == 0 ? cmp3(!signbit(d), !signbit(args[0].u.d))
                                                       : cmp3(d, args[0].u.d));
        return true;
    }
    return false;
}

static bool bool_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                        size_t nargs, gh_vval *out)
{
    if (nargs == 0 && !strcmp(name, "booleanValue"))
        *out = self;
    else if (nargs == 0 && !strcmp(name, "toString"))
        *out = gh_v_str(self.u.b ? "true" : "false");
    else if (nargs == 0 && !strcmp(name, "hashCode"))
        *out = gh_v_int(self.u.b ? 1231 : 1237);
    else if (nargs == 1 && !strcmp(name, "equals"))
        *out = gh_v_bool(gh_vtl_java_equals(self, args[0]));
    else if (nargs == 1 && !strcmp(name, "compareTo") && args[0].kind == GH_V_BOOL)
        *out = gh_v_int((int)self.u.b - (int)args[0].u.b);
    else if (nargs == 1 && !strcmp(name, "compareTo") && args[0].kind == GH_V_NULL)
        return gh_vtl_fail_null(rt, name);
    else
        return false;
    return true;
}

bool gh_vtl_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args, size_t nargs,
                   gh_vval *out)
{
    switch (self.kind) {
    case GH_V_STRING: return gh_vtl_string_method(rt, self, name, args, nargs, out);
    case GH_V_LIST: return gh_vtl_list_method(rt, self.u.list, name, args, nargs, out);
    case GH_V_MAP: return gh_vtl_map_method(rt, self.u.map, name, args, nargs, out);
    case GH_V_INT:
    case GH_V_DOUBLE: return number_method(rt, self, name, args, nargs, out);
    case GH_V_BOOL: return bool_method(rt, self, name, args, nargs, out);
    case GH_V_NULL:
    case GH_V_HOST: break;
    }
    return false;
}
