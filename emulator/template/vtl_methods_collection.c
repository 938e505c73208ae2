/* java.util.List (ArrayList, json-smart's JSONArray) and java.util.Map (LinkedHashMap,
 * JSONObject) methods on VTL lists and maps, changing them in place as Java does, with
 * Java's exceptions for bad indices. Map keys are strings here (they come from JSON or
 * from template literals); a non-string key passed to put/get/remove/containsKey is
 * turned into its text first. */
#include <string.h>

#include "template/vtl_methods_impl.h"

static bool index_error(gh_vtl_rt *rt, int64_t i, size_t n)
{
    return gh_vtl_fail(rt,
                       "java.lang.IndexOutOfBoundsException: Index %lld out of bounds for "
                       "length %zu",
                       (long long)i, n);
}

static void list_insert(gh_arena *a, gh_vlist *l, size_t at, gh_vval v)
{
    gh_vlist_add(a, l, v); /* grows the array; then shift into place */
    memmove(l->items + at + 1, l->items + at, (l->n - 1 - at) * sizeof *l->items);
    l->items[at] = v;
}

static void list_remove_at(gh_vlist *l, size_t at)
{
    memmove(l->items + at, l->items + at + 1, (l->n - at - 1) * sizeof *l->items);
    l->n--;
}

static int64_t list_index(const gh_vlist *l, gh_vval v, bool last)
{
    for (size_t k = 0; k < l->n; k++) {
        size_t i = last ? l->n - 1 - k : k;
        if (gh_vtl_java_equals(l->items[i], v))
            return (int64_t)i;
    }
    return -1;
}

/* add/addAll/set/remove/subList: the methods taking an int index. */
static bool list_indexed(gh_vtl_rt *rt, gh_vlist *l, const char *name, const gh_vval *args,
                         size_t nargs, int32_t i, gh_vval *out)
{
    if (!strcmp(name, "get") && nargs == 1) {
        if (i < 0 || (size_t)i >= l->n)
            return index_error(rt, i, l->n);
        *out = l->items[i];
    } else if (!strcmp(name, "remove") && nargs == 1) {
        /* Java picks remove(int index) for an Integer argument, not remove(Object) */
        if (i < 0 || (size_t)i >= l->n)
            return index_error(rt, i, l->n);
        *out = l->items[i];
        list_remove_at(l, (size_t)i);
    } else if (!strcmp(name, "add") && nargs == 2) {
        if (i < 0 || (size_t)i > l->n)
            return index_error(rt, i, l->n);
        list_insert(rt->arena, l, (size_t)i, args[1]);
        *out = gh_v_null(); /* void */
    } else if (!strcmp(name, "set") && nargs == 2) {
        if (i < 0 || (size_t)i >= l->n)
            return index_error(rt, i, l->n);
        *out = l->items[i];
        l->items[i] = args[1];
    } else if (!strcmp(name, "addAll") && nargs == 2 && args[1].kind == GH_V_LIST) {
        if (i < 0 || (size_t)i > l->n)
            return index_error(rt, i, l->n);
        gh_vlist *src = args[1].u.list;
        size_t cnt = src->n;
        gh_vval *copy = gh_arena_alloc(rt->arena, (cnt ? cnt : 1) * sizeof *copy);
        memcpy(copy, src->items, cnt * sizeof *copy); /* src may be l itself */
        /* Grow once and move the tail once: inserting one by one is quadratic. */
        size_t tail = l->n - (size_t)i;
        for (size_t k = 0; k < cnt; k++)
            gh_vlist_add(rt->arena, l, gh_v_null());
        memmove(l->items + i + cnt, l->items + i, tail * sizeof *l->items);
        memcpy(l->items + i, copy, cnt * sizeof *copy);
        *out = gh_v_bool(cnt > 0);
    } else if (!strcmp(name, "subList") && nargs == 2) {
        int32_t e;
        if (!gh_vtl_arg_int(args[1], &e))
            return false;
        if (i < 0 || (size_t)e > l->n || i > e)
            return gh_vtl_fail(rt,
                               "java.lang.IndexOutOfBoundsException: fromIndex %d, toIndex "
                               "%d, size %zu",
                               (int)i, (int)e, l->n);
        /* a view in Java; a copy here (changes through it do not reach the list) */
        *out = gh_v_list(rt->arena, (size_t)(e - i), l->json);
        for (int32_t k = i; k < e; k++)
            gh_vlist_add(rt->arena, out->u.list, l->items[k]);
    } else {
        return false;
    }
    return true;
}

bool gh_vtl_list_method(gh_vtl_rt *rt, gh_vlist *l, const char *name, const gh_vval *args,
                        size_t nargs, gh_vval *out)
{
    int32_t i;
    if (nargs >= 1 && gh_vtl_arg_int(args[0], &i) && list_indexed(rt, l, name, args, nargs, i, out))
        return true;
    if (rt->failed)
        return false;
    if (nargs == 0) {
        if (!strcmp(name, "size"))
            *out = gh_v_int((int64_t)l->n);
        else if (!strcmp(name, "isEmpty"))
            *out = gh_v_bool(l->n == 0);
        else if (!strcmp(name, "clear")) {
            l->n = 0;
            *out = gh_v_null();
        } else if (!strcmp(name, "toString")) {
            size_t len;
            const char *t =
                gh_v_to_text(rt, rt->arena, (gh_vval){.kind = GH_V_LIST, .u.list = l}, &len);
            *out = gh_v_strn(t, len);
        } else
            return false;
        return true;
    }
    if (nargs != 1)
        return false;
    gh_vval v = args[0];
    if (!strcmp(name, "add")) {
        gh_vlist_add(rt->arena, l, v);
        *out = gh_v_bool(true);
    } else if (!strcmp(name, "contains")) {
        *out = gh_v_bool(list_index(l, v, false) >= 0);
    } else if (!strcmp(name, "indexOf") || !strcmp(name, "lastIndexOf")) {
        *out = gh_v_int(list_index(l, v, name[0] == 'l'));
    } else if (!strcmp(name, "remove")) {
        int64_t at = list_index(l, v, false);
        if (at >= 0)
            list_remove_at(l, (size_t)at);
        *out = gh_v_bool(at >= 0);
    } else if (!strcmp(name, "equals")) {
        *out = gh_v_bool(gh_vtl_java_equals((gh_vval){.kind = GH_V_LIST, .u.list = l}, v));
    } else if ((!strcmp(name, "addAll") || !strcmp(name, "containsAll")) && v.kind == GH_V_LIST) {
        gh_vlist *src = v.u.list;
        size_t cnt = src->n;
        bool all = true;
        for (size_t k = 0; k < cnt; k++) {
            if (name[0] == 'a')
                gh_vlist_add(rt->arena, l, src->items[k]);
            else if (list_index(l, src->items[k], false) < 0)
                all = false;
            /* containsAll is n x m comparisons: a call on big lists must not outlive the
             * render's time */
            if (name[0] == 'c' && (k & 255) == 255 && !gh_vtl_in_time(rt))
                return false;
        }
        *out = gh_v_bool(name[0] == 'a' ? cnt > 0 : all);
    } else if ((!strcmp(name, "addAll") || !strcmp(name, "containsAll")) && v.kind == GH_V_NULL) {
        return gh_vtl_fail_null(rt, name);
    } else {
        return false;
    }
    return true;
}

/* The key as text (maps hold string keys). */
static const char *key_text(gh_vtl_rt *rt, gh_vval k, size_t *len)
{
    if (k.kind == GH_V_STRING) {
        *len = k.u.str.len;
        return k.u.str.s;
    }
    if (k.kind == GH_V_NULL) {
        *len = 4;
        return "null";
    }
    return gh_v_to_text(rt, rt->arena, k, len);
}

/* A second write of key into a write_once map (an override set twice, §5.8). */
static bool once_failed(gh_vtl_rt *rt, const char *key, size_t klen)
{
    return gh_vtl_fail(rt,
                       "put('%.*s') on an override map where it is already set: AWS "
                       "fails a request (5XX) that overrides a parameter twice",
                       (int)(klen > 64 ? 64 : klen), key);
}

bool gh_vtl_map_method(gh_vtl_rt *rt, gh_vmap *m, const char *name, const gh_vval *args,
                       size_t nargs, gh_vval *out)
{
    gh_vval self = {.kind = GH_V_MAP, .u.map = m};
    /* A write_once map (an override map, vtl_value.h) keeps what was set: removing
     * would let a template set the same parameter twice. */
    if (m->write_once && (!strcmp(name, "clear") || !strcmp(name, "remove")))
        return gh_vtl_fail(rt,
                           "%s() on an override map: AWS applies an override once per "
                           "parameter and it cannot be taken back",
                           name);
    if (nargs == 0) {
        if (!strcmp(name, "size")) {
            *out = gh_v_int((int64_t)m->n);
        } else if (!strcmp(name, "isEmpty")) {
            *out = gh_v_bool(m->n == 0);
        } else if (!strcmp(name, "clear")) {
            gh_vmap_clear(m);
            *out = gh_v_null();
        } else if (!strcmp(name, "keySet") || !strcmp(name, "values") ||
                   !strcmp(name, "entrySet")) {
            /* copies, printed as Java prints these views: [a, b] */
            *out = gh_v_list(rt->arena, m->n, false);
            for (size_t k = 0; k < m->n; k++) {
                gh_vmap_entry *e = &m->items[k];
                gh_vval item = gh_v_strn(e->key, e->klen);
                if (name[0] == 'v') {
                    item = e->value;
                } else if (name[0] == 'e') {
                    /* $entry.key / $entry.value (getKey/getValue) work on a map */
                    item = gh_v_map(rt->arena, 2, false);
                    gh_vmap_put(rt->arena, item.u.map, "key", 3, gh_v_strn(e->key, e->klen));
                    gh_vmap_put(rt->arena, item.u.map, "value", 5, e->value);
                }
                gh_vlist_add(rt->arena, out->u.list, item);
            }
        } else if (!strcmp(name, "toString")) {
            size_t len;
            const char *t = gh_v_to_text(rt, rt->arena, self, &len);
            *out = gh_v_strn(t, len);
        } else {
            return false;
        }
        return true;
    }
    size_t klen;
    const char *key;
    if (nargs == 1) {
        gh_vval v = args[0];
        if (!strcmp(name, "equals")) {
            *out = gh_v_bool(gh_vtl_java_equals(self, v));
            return true;
        }
        if (!strcmp(name, "containsValue")) {
            bool found = false;
            for (size_t k = 0; k < m->n && !found; k++)
                found = gh_vtl_java_equals(m->items[k].value, v);
            *out = gh_v_bool(found);
            return true;
        }
        if (!strcmp(name, "putAll")) {
            if (v.kind == GH_V_NULL)
                return gh_vtl_fail_null(rt, name);
            if (v.kind != GH_V_MAP)
                return false;
            gh_vmap *src = v.u.map;
            size_t cnt = src->n;
            for (size_t k = 0; k < cnt; k++) {
                /* a failed render discards the map, so a partial putAll is harmless */
                if (gh_vmap_conflict(m, src->items[k].key, src->items[k].klen))
                    return once_failed(rt, src->items[k].key, src->items[k].klen);
                gh_vmap_put(rt->arena, m, src->items[k].key, src->items[k].klen,
                            src->items[k].value);
            }
            *out = gh_v_null();
            return true;
        }
        if (!strcmp(name, "get") || !strcmp(name, "containsKey") || !strcmp(name, "remove")) {
            key = key_text(rt, v, &klen);
            gh_vmap_entry *e = gh_vmap_find(m, key, klen);
            if (name[0] == 'c')
                *out = gh_v_bool(e != NULL);
            else if (name[0] == 'g')
                *out = e ? e->value : gh_v_null();
            else
                *out = gh_vmap_remove(m, key, klen);
            return true;
        }
        return false;
    }
    if (nargs != 2)
        return false;
    key = key_text(rt, args[0], &klen);
    gh_vmap_entry *e = gh_vmap_find(m, key, klen);
    if (!strcmp(name, "put")) {
        if (gh_vmap_conflict(m, key, klen))
            return once_failed(rt, key, klen);
        if (args[0].kind != GH_V_STRING)
            key = gh_arena_strndup(rt->arena, key, klen);
        *out = gh_vmap_put(rt->arena, m, key, klen, args[1]);
    } else if (!strcmp(name, "putIfAbsent")) {
        if (gh_vmap_conflict(m, key, klen))
            return once_failed(rt, key, klen);
        if (args[0].kind != GH_V_STRING)
            key = gh_arena_strndup(rt->arena, key, klen);
        *out = e ? e->value : gh_v_null();
        if (!e || e->value.kind == GH_V_NULL)
            gh_vmap_put(rt->arena, m, key, klen, args[1]);
    } else if (!strcmp(name, "getOrDefault")) {
        *out = e ? e->value : args[1];
    } else {
        return false;
    }
    return true;
}
