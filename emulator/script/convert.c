/* JSON (jansson) <-> Lua values, the one place values cross the C/Lua boundary; the
 * arena value trees of util/value.h (the proxy event) go in the same way as JSON would.
 *
 * JSON null needs care: a nil cannot sit in a Lua table. In arrays a null becomes the
 * light userdata json.null (a nil would cut the sequence). In objects a null member reads
 * as nil, as handler code expects (`event.body or ""`, `if event.queryStringParameters`),
 * and its key is remembered in the table's metatable so the member is written back as
 * null: a proxy event survives json.decode -> json.encode unchanged. Decoded arrays carry
 * a shared marker metatable so that an empty JSON array stays `[]` on the way back. */
#include "script/convert.h"

#include <lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Deeper nesting than any real event; also what stops a table that contains itself. */
#define MAX_DEPTH 200

static const char null_sentinel;    /* address is json.null */
static const char array_marker;     /* registry key of the array metatable */
static const char key_cache_key;    /* registry key of the value-tree key cache */
static const char box_type[] = "gatehouse.json.box";

void gh_lua_push_null(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&null_sentinel);
}

int gh_lua_is_null(lua_State *L, int idx)
{
    return lua_touserdata(L, idx) == &null_sentinel && lua_type(L, idx) == LUA_TLIGHTUSERDATA;
}

/* Pushes the shared metatable that marks a table as a JSON array. */
static void push_array_meta(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &array_marker) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 1);
        lua_pushboolean(L, 1);
        lua_rawsetp(L, -2, &array_marker);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &array_marker);
    }
}

/* ---- JSON or value tree -> Lua ----
 * Two walkers, one per source tree, over the same helpers, so both give the same Lua
 * values: nesting limit, array marker, null-member metatable. */

/* Checked on entering each level. Three slots per level: a table, a key and a value
 * (plus the null metatables). */
static void enter_level(lua_State *L, int depth)
{
    if (depth > MAX_DEPTH)
        luaL_error(L, "JSON nested deeper than %d levels", MAX_DEPTH);
    luaL_checkstack(L, 4, "JSON nested too deeply");
}

/* The array table on top gets the shared marker metatable. */
static void mark_array(lua_State *L)
{
    push_array_meta(L);
    lua_setmetatable(L, -2);
}

/* A size hint for lua_createtable, which takes an int. */
static int size_hint(size_t n)
{
    return n > (size_t)0x7fffffff ? 0 : (int)n;
}

/* The object table on top gets a metatable listing its null members: open it with
 * nulls_begin, add each key with null_key, attach with nulls_end.
 * Stack: obj | meta | nullkeys */
static void nulls_begin(lua_State *L, int nulls)
{
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, nulls);
}

static void null_key(lua_State *L, const char *key, size_t klen)
{
    lua_pushlstring(L, key, klen);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
}

static void nulls_end(lua_State *L)
{
    lua_rawsetp(L, -2, &null_sentinel);
    lua_setmetatable(L, -2);
}

static void push_json(lua_State *L, const json_t *v, int depth);

static void push_json_object(lua_State *L, const json_t *v, int depth)
{
    const char *key;
    size_t klen;
    json_t *member;
    int nulls = 0;
    lua_createtable(L, 0, (int)json_object_size(v));
    json_object_keylen_foreach((json_t *)v, key, klen, member) {
        if (json_is_null(member)) {
            nulls++;
            continue;
        }
        lua_pushlstring(L, key, klen);
        push_json(L, member, depth + 1);
        lua_rawset(L, -3);
    }
    if (!nulls)
        return;
    nulls_begin(L, nulls);
    json_object_keylen_foreach((json_t *)v, key, klen, member) {
        if (json_is_null(member))
            null_key(L, key, klen);
    }
    nulls_end(L);
}

static void push_json(lua_State *L, const json_t *v, int depth)
{
    enter_level(L, depth);
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        push_json_object(L, v, depth);
        break;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        lua_createtable(L, size_hint(n), 0);
        for (size_t i = 0; i < n; i++) {
            push_json(L, json_array_get(v, i), depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        mark_array(L);
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(v));
        break;
    case JSON_REAL:
        lua_pushnumber(L, (lua_Number)json_real_value(v));
        break;
    case JSON_TRUE:
        lua_pushboolean(L, 1);
        break;
    case JSON_FALSE:
        lua_pushboolean(L, 0);
        break;
    case JSON_NULL:
        gh_lua_push_null(L);
        break;
    }
}

void gh_lua_push_json(lua_State *L, const json_t *v)
{
    if (!v || json_is_null(v)) {
        lua_pushnil(L);
        return;
    }
    push_json(L, v, 0);
}

/* Member names of value trees, interned once per state. lua_pushlstring hashes every
 * byte and looks the string up in the state's table (~250 instructions under callgrind);
 * an event's keys are mostly the same literals call after call, so a slot chosen by the
 * key's address keeps the Lua string, and a hit costs a table read and a compare. The
 * compare makes it exact: an address the arena reused for other text simply misses.
 * Short keys only (Lua interns those anyway), so at most KEY_SLOTS small strings stay
 * alive per state. */
#define KEY_SLOTS 256
#define KEY_MAX_LEN 40

typedef struct key_cache {
    const char *key[KEY_SLOTS];
    size_t len[KEY_SLOTS];
    int strings; /* absolute stack index of the table of cached strings, slot + 1 */
} key_cache;

/* Pushes the cache (a userdata whose user value holds the strings) and that table. */
static key_cache *open_key_cache(lua_State *L)
{
    key_cache *kc;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_cache_key) == LUA_TUSERDATA &&
        lua_rawlen(L, -1) == sizeof *kc) {
        kc = lua_touserdata(L, -1);
        lua_getiuservalue(L, -1, 1);
    } else {
        lua_pop(L, 1);
        kc = lua_newuserdatauv(L, sizeof *kc, 1);
        memset(kc, 0, sizeof *kc);
        lua_createtable(L, KEY_SLOTS, 0);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, -3, 1);
        lua_pushvalue(L, -2);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &key_cache_key);
    }
    kc->strings = lua_absindex(L, -1);
    return kc;
}

static void push_key(lua_State *L, key_cache *kc, const char *key, size_t len)
{
    if (!kc || len > KEY_MAX_LEN) {
        lua_pushlstring(L, key, len);
        return;
    }
    size_t slot = (size_t)(((uintptr_t)key >> 3 ^ len) % KEY_SLOTS);
    if (kc->key[slot] == key && kc->len[slot] == len) {
        size_t n;
        const char *s = lua_rawgeti(L, kc->strings, (lua_Integer)slot + 1) == LUA_TSTRING
                            ? lua_tolstring(L, -1, &n)
                            : NULL;
        if (s && n == len && memcmp(s, key, len) == 0)
            return;
        lua_pop(L, 1);
    }
    lua_pushlstring(L, key, len);
    lua_pushvalue(L, -1);
    lua_rawseti(L, kc->strings, (lua_Integer)slot + 1);
    kc->key[slot] = key;
    kc->len[slot] = len;
}

static void push_tree(lua_State *L, key_cache *kc, const gh_value *v, int depth);

static void push_tree_object(lua_State *L, key_cache *kc, const gh_value *v, int depth)
{
    size_t n = v->u.obj.n;
    const gh_value_member *m = v->u.obj.members;
    int nulls = 0;
    lua_createtable(L, 0, size_hint(n));
    for (size_t i = 0; i < n; i++) {
        if (m[i].value->kind == GH_VALUE_NULL) {
            nulls++;
            continue;
        }
        push_key(L, kc, m[i].key, m[i].klen);
        push_tree(L, kc, m[i].value, depth + 1);
        lua_rawset(L, -3);
    }
    if (!nulls)
        return;
    nulls_begin(L, nulls);
    for (size_t i = 0; i < n; i++)
        if (m[i].value->kind == GH_VALUE_NULL)
            null_key(L, m[i].key, m[i].klen);
    nulls_end(L);
}

static void push_tree(lua_State *L, key_cache *kc, const gh_value *v, int depth)
{
    enter_level(L, depth);
    switch (v->kind) {
    case GH_VALUE_OBJECT:
        push_tree_object(L, kc, v, depth);
        break;
    case GH_VALUE_ARRAY:
        lua_createtable(L, size_hint(v->u.arr.n), 0);
        for (size_t i = 0; i < v->u.arr.n; i++) {
            push_tree(L, kc, v->u.arr.items[i], depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        mark_array(L);
        break;
    case GH_VALUE_STRING:
        lua_pushlstring(L, v->u.str.s, v->u.str.len);
        break;
    case GH_VALUE_INT:
        lua_pushinteger(L, (lua_Integer)v->u.i);
        break;
    case GH_VALUE_BOOL:
        lua_pushboolean(L, v->u.b);
        break;
    case GH_VALUE_NULL:
        gh_lua_push_null(L);
        break;
    }
}

void gh_lua_push_value(lua_State *L, const gh_value *v)
{
    if (!v || v->kind == GH_VALUE_NULL) {
        lua_pushnil(L);
        return;
    }
    luaL_checkstack(L, 2, "no room for the key cache");
    key_cache *kc = open_key_cache(L);
    push_tree(L, kc, v, 0);
    /* Stack: cache | strings | value: keep the value only. */
    lua_replace(L, -3);
    lua_pop(L, 1);
}

/* ---- Lua -> JSON ----
 * The result is built in place under a userdata "box" whose __gc drops it, so a Lua
 * error half-way (a function value, a cycle, out of memory) leaks nothing: every new
 * JSON value is attached to its parent the moment it is created. */

typedef struct {
    json_t *root;
} box;

static int box_gc(lua_State *L)
{
    box *b = luaL_checkudata(L, 1, box_type);
    json_decref(b->root);
    b->root = NULL;
    return 0;
}

static json_t *scalar_to_json(lua_State *L, int idx);

static int is_array_marked(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    int marked = lua_rawgetp(L, -1, &array_marker) == LUA_TBOOLEAN;
    lua_pop(L, 2);
    return marked;
}

static int is_empty(lua_State *L, int idx)
{
    lua_pushnil(L);
    if (!lua_next(L, idx))
        return 1;
    lua_pop(L, 2);
    return 0;
}

/* Length n when the table's keys are exactly 1..n (n > 0), else 0. */
static size_t sequence_length(lua_State *L, int idx)
{
    size_t count = 0;
    lua_Integer max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return 0;
        }
        lua_Integer k = lua_tointeger(L, -1);
        if (k > max)
            max = k;
        count++;
    }
    return (lua_Integer)count == max ? count : 0;
}

/* Creates the JSON value for the Lua value at idx. A table gives an empty array (*seq set
 * to its length) or object, which fill_node() completes once the caller has attached it. */
static json_t *make_node(lua_State *L, int idx, size_t *seq)
{
    idx = lua_absindex(L, idx);
    *seq = 0;
    if (lua_type(L, idx) != LUA_TTABLE)
        return scalar_to_json(L, idx);
    *seq = sequence_length(L, idx);
    if (*seq > 0 || (is_array_marked(L, idx) && is_empty(L, idx)))
        return json_array();
    return json_object();
}

static void fill_node(lua_State *L, int idx, json_t *node, size_t seq, int depth);

static void fill_array(lua_State *L, int idx, json_t *arr, size_t n, int depth)
{
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);
        size_t seq;
        json_t *v = make_node(L, -1, &seq);
        json_array_append_new(arr, v);
        fill_node(L, lua_gettop(L), v, seq, depth + 1);
        lua_pop(L, 1);
    }
}

static void fill_object(lua_State *L, int idx, json_t *obj, int depth)
{
    char num[32];
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        /* Stack: ... key value */
        const char *k;
        size_t klen;
        if (lua_type(L, -2) == LUA_TSTRING) {
            k = lua_tolstring(L, -2, &klen);
        } else if (lua_isinteger(L, -2)) {
            /* Formatted by hand: lua_tolstring would turn the key into a string in place
             * and break lua_next. */
            klen = (size_t)snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, -2));
            k = num;
        } else {
            luaL_error(L, "cannot convert a table with a %s key to JSON",
                       luaL_typename(L, -2));
            return;
        }
        size_t seq;
        json_t *v = make_node(L, -1, &seq);
        json_object_setn_new_nocheck(obj, k, klen, v);
        fill_node(L, lua_gettop(L), v, seq, depth + 1);
        lua_pop(L, 1);
    }
    /* Members that were null when decoded and have not been set since. */
    if (lua_getmetatable(L, idx)) {
        if (lua_rawgetp(L, -1, &null_sentinel) == LUA_TTABLE) {
            int nk = lua_gettop(L);
            lua_pushnil(L);
            while (lua_next(L, nk)) {
                lua_pop(L, 1);
                if (lua_type(L, -1) == LUA_TSTRING) {
                    size_t klen;
                    const char *k = lua_tolstring(L, -1, &klen);
                    if (!json_object_getn(obj, k, klen))
                        json_object_setn_new_nocheck(obj, k, klen, json_null());
                }
            }
        }
        lua_pop(L, 2);
    }
}

static void fill_node(lua_State *L, int idx, json_t *node, size_t seq, int depth)
{
    if (!json_is_array(node) && !json_is_object(node))
        return;
    if (depth >= MAX_DEPTH)
        luaL_error(L, "cannot convert to JSON: nested deeper than %d levels (a cycle?)",
                   MAX_DEPTH);
    /* A level holds a key, a value and a metatable at most. */
    luaL_checkstack(L, 6, "cannot convert to JSON: nested too deeply");
    if (json_is_array(node))
        fill_array(L, idx, node, seq, depth);
    else
        fill_object(L, idx, node, depth);
}

json_t *gh_lua_to_json(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "cannot convert to JSON");
    box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->root = NULL;
    if (luaL_newmetatable(L, box_type)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    size_t seq;
    json_t *root = make_node(L, idx, &seq);
    b->root = root;
    fill_node(L, idx, root, seq, 0);
    b->root = NULL;
    lua_pop(L, 1);
    return root;
}

/* Converts scalars; never allocates Lua memory, raises only on unsupported values. */
static json_t *scalar_to_json(lua_State *L, int idx)
{
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        if (lua_isinteger(L, idx))
            return json_integer((json_int_t)lua_tointeger(L, idx));
        lua_Number f = lua_tonumber(L, idx);
        if (isnan(f) || isinf(f))
            luaL_error(L, "cannot convert %s to JSON", isnan(f) ? "NaN" : "infinity");
        /* statusCode = 200.0 must still be the integer 200, as JSON.stringify writes it. */
        lua_Integer i;
        if (floor(f) == f && lua_numbertointeger(f, &i))
            return json_integer((json_int_t)i);
        return json_real(f);
    }
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return json_stringn_nocheck(s, len);
    }
    case LUA_TLIGHTUSERDATA:
        if (gh_lua_is_null(L, idx))
            return json_null();
        break;
    default:
        break;
    }
    luaL_error(L, "cannot convert a %s value to JSON", luaL_typename(L, idx));
    return NULL;
}
