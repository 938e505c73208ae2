/* The `gatehouse` module. Every function here validates its arguments like Lua's own
 * libraries do (luaL_check*) and raises a Lua error on bad input; C resources taken
 * while Lua may raise are anchored to a userdata so an error frees them. */
#include "script/module.h"

#include <jansson.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "script/convert.h"
#include "util/arena.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/log.h"
#include "util/url.h"

/* ---- scratch arenas: freed when the function returns, or by the GC if it raises ---- */

static const char arena_type[] = "gatehouse.arena";

typedef struct {
    gh_arena *a;
} arena_box;

static int arena_gc(lua_State *L)
{
    arena_box *b = luaL_checkudata(L, 1, arena_type);
    gh_arena_free(b->a);
    b->a = NULL;
    return 0;
}

/* Pushes the box; returns its arena. */
static gh_arena *scratch_arena(lua_State *L, size_t hint, arena_box **box)
{
    arena_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->a = NULL;
    if (luaL_newmetatable(L, arena_type)) {
        lua_pushcfunction(L, arena_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    b->a = gh_arena_new(hint + 64);
    if (!b->a)
        luaL_error(L, "not enough memory");
    *box = b;
    return b->a;
}

static void scratch_done(arena_box *b)
{
    gh_arena_free(b->a);
    b->a = NULL;
}

/* ---- log ---- */

int gh_module_log(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
        gh_log(GH_LOG_INFO, "%s:%d: %s", ar.short_src, ar.currentline, lua_tostring(L, -1));
    else
        gh_log(GH_LOG_INFO, "lua: %s", lua_tostring(L, -1));
    return 0;
}

/* ---- json ---- */

static int push_cstring(lua_State *L)
{
    lua_pushstring(L, lua_touserdata(L, 1));
    return 1;
}

static int json_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    json_t *v = gh_lua_to_json(L, 1);
    /* Sorted keys: a Lua table has no order, and the same table must always give the
     * same text (fixtures compare bodies byte for byte). Compact, as JSON.stringify.
     * 16 significant digits print 9.99 as 9.99 (17 would print 9.9900000000000002);
     * JSON.stringify's shortest form agrees except for the rare 17-digit value. */
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS |
                                   JSON_REAL_PRECISION(16));
    json_decref(v);
    if (!text)
        return luaL_error(L, "json.encode: a string is not valid UTF-8");
    /* Pushed in a protected call so that text is freed even if pushing raises. */
    lua_pushcfunction(L, push_cstring);
    lua_pushlightuserdata(L, text);
    int rc = lua_pcall(L, 1, 1, 0);
    free(text);
    if (rc != LUA_OK)
        return lua_error(L);
    return 1;
}

static int push_decoded(lua_State *L)
{
    gh_lua_push_json(L, lua_touserdata(L, 1));
    return 1;
}

static int json_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    json_error_t err;
    json_t *v = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v)
        return luaL_error(L, "json.decode: %s at line %d column %d", err.text, err.line,
                          err.column);
    /* Converted in a protected call so that v is released even if pushing raises. */
    lua_pushcfunction(L, push_decoded);
    lua_pushlightuserdata(L, v);
    int rc = lua_pcall(L, 1, 1, 0);
    json_decref(v);
    if (rc != LUA_OK)
        return lua_error(L);
    return 1;
}

/* ---- base64 ---- */

static int b64_encode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    arena_box *box;
    gh_arena *a = scratch_arena(L, len / 3 * 4 + 8, &box);
    const char *out = gh_base64_encode(a, s, len);
    lua_pushstring(L, out);
    scratch_done(box);
    return 1;
}

static int b64_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    arena_box *box;
    gh_arena *a = scratch_arena(L, len, &box);
    char *out;
    size_t outlen;
    if (gh_base64_decode(a, s, len, &out, &outlen) != 0) {
        scratch_done(box);
        return luaL_error(L, "base64.decode: invalid base64 input");
    }
    lua_pushlstring(L, out, outlen);
    scratch_done(box);
    return 1;
}

/* ---- url (application/x-www-form-urlencoded, as query strings carry it) ---- */

static int url_encode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    arena_box *box;
    gh_arena *a = scratch_arena(L, len * 3, &box);
    lua_pushstring(L, gh_url_encode(a, s, len));
    scratch_done(box);
    return 1;
}

/* "%00" must give a NUL byte inside the Lua string, hence the length-keeping variant. */
static int url_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    arena_box *box;
    gh_arena *a = scratch_arena(L, len, &box);
    size_t outlen;
    const char *out = gh_url_decode_n(a, s, len, 1, &outlen);
    lua_pushlstring(L, out, outlen);
    scratch_done(box);
    return 1;
}

/* ---- uuid, now ---- */

static int uuid(lua_State *L)
{
    char id[GH_UUID_LEN + 1];
    gh_uuid4(id);
    lua_pushstring(L, id);
    return 1;
}

static int now(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)gh_clock_now_ms());
    return 1;
}

int gh_module_open(lua_State *L)
{
    static const luaL_Reg json_fns[] = {{"encode", json_encode}, {"decode", json_decode},
                                        {NULL, NULL}};
    static const luaL_Reg b64_fns[] = {{"encode", b64_encode}, {"decode", b64_decode},
                                       {NULL, NULL}};
    static const luaL_Reg url_fns[] = {{"encode", url_encode}, {"decode", url_decode},
                                       {NULL, NULL}};
    static const luaL_Reg top[] = {{"uuid", uuid}, {"now", now}, {"log", gh_module_log},
                                   {NULL, NULL}};
    luaL_newlib(L, top);
    luaL_newlib(L, json_fns);
    gh_lua_push_null(L);
    lua_setfield(L, -2, "null");
    lua_setfield(L, -2, "json");
    luaL_newlib(L, b64_fns);
    lua_setfield(L, -2, "base64");
    luaL_newlib(L, url_fns);
    lua_setfield(L, -2, "url");
    gh_module_open_sim(L);
    gh_module_open_connections(L);
    return 1;
}
