/* The arena value tree of value.h: a tagged union per node, arrays and objects as
 * arena vectors that double when full (the old block is left to the arena). */
#include "util/value.h"

#include <string.h>

static const gh_value null_value = {.kind = GH_VALUE_NULL};
static const gh_value true_value = {.kind = GH_VALUE_BOOL, .u.b = true};
static const gh_value false_value = {.kind = GH_VALUE_BOOL, .u.b = false};

const gh_value *gh_value_null(void)
{
    return &null_value;
}

const gh_value *gh_value_bool(bool b)
{
    return b ? &true_value : &false_value;
}

static gh_value *node(gh_arena *a, gh_value_kind kind)
{
    gh_value *v = gh_arena_alloc(a, sizeof *v);
    v->kind = kind;
    return v;
}

const gh_value *gh_value_int(gh_arena *a, int64_t i)
{
    gh_value *v = node(a, GH_VALUE_INT);
    v->u.i = i;
    return v;
}

const gh_value *gh_value_strn(gh_arena *a, const char *s, size_t len)
{
    gh_value *v = node(a, GH_VALUE_STRING);
    v->u.str.s = s ? s : "";
    v->u.str.len = s ? len : 0;
    return v;
}

const gh_value *gh_value_str(gh_arena *a, const char *s)
{
    return s ? gh_value_strn(a, s, strlen(s)) : &null_value;
}

/* Makes room for one more element of size `size` in the vector *items (n used, *cap
 * allocated). */
static void grow(gh_arena *a, void **items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return;
    size_t ncap = *cap ? 2 * *cap : 4;
    void *bigger = gh_arena_alloc(a, ncap * size);
    if (n)
        memcpy(bigger, *items, n * size);
    *items = bigger;
    *cap = ncap;
}

gh_value *gh_value_array(gh_arena *a, size_t hint)
{
    gh_value *v = node(a, GH_VALUE_ARRAY);
    v->u.arr.n = 0;
    v->u.arr.cap = hint;
    v->u.arr.items = hint ? gh_arena_alloc(a, hint * sizeof *v->u.arr.items) : NULL;
    return v;
}

void gh_value_append(gh_arena *a, gh_value *arr, const gh_value *v)
{
    void *items = arr->u.arr.items;
    grow(a, &items, arr->u.arr.n, &arr->u.arr.cap, sizeof *arr->u.arr.items);
    arr->u.arr.items = items;
    arr->u.arr.items[arr->u.arr.n++] = v;
}

gh_value *gh_value_object(gh_arena *a, size_t hint)
{
    gh_value *v = node(a, GH_VALUE_OBJECT);
    v->u.obj.n = 0;
    v->u.obj.cap = hint;
    v->u.obj.members = hint ? gh_arena_alloc(a, hint * sizeof *v->u.obj.members) : NULL;
    return v;
}

void gh_value_setn(gh_arena *a, gh_value *obj, const char *key, size_t klen, const gh_value *v)
{
    void *members = obj->u.obj.members;
    grow(a, &members, obj->u.obj.n, &obj->u.obj.cap, sizeof *obj->u.obj.members);
    obj->u.obj.members = members;
    obj->u.obj.members[obj->u.obj.n++] = (gh_value_member){key, klen, v};
}

void gh_value_set(gh_arena *a, gh_value *obj, const char *key, const gh_value *v)
{
    gh_value_setn(a, obj, key, strlen(key), v);
}

const gh_value *gh_value_get(const gh_value *obj, const char *key)
{
    if (!obj || obj->kind != GH_VALUE_OBJECT)
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const gh_value_member *m = &obj->u.obj.members[i];
        if (m->klen == klen && memcmp(m->key, key, klen) == 0)
            return m->value;
    }
    return NULL;
}

json_t *gh_value_to_json(const gh_value *v)
{
    if (!v)
        return json_null();
    switch (v->kind) {
    case GH_VALUE_BOOL:
        return json_boolean(v->u.b);
    case GH_VALUE_INT:
        return json_integer((json_int_t)v->u.i);
    case GH_VALUE_STRING:
        return json_stringn_nocheck(v->u.str.s, v->u.str.len);
    case GH_VALUE_ARRAY: {
        json_t *arr = json_array();
        for (size_t i = 0; i < v->u.arr.n; i++)
            json_array_append_new(arr, gh_value_to_json(v->u.arr.items[i]));
        return arr;
    }
    case GH_VALUE_OBJECT: {
        json_t *obj = json_object();
        for (size_t i = 0; i < v->u.obj.n; i++) {
            const gh_value_member *m = &v->u.obj.members[i];
            json_object_setn_new_nocheck(obj, m->key, m->klen, gh_value_to_json(m->value));
        }
        return obj;
    }
    case GH_VALUE_NULL:
        break;
    }
    return json_null();
}
