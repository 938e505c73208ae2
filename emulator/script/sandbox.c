/* The sandboxed global table. It is an allowlist: libraries are opened into a scratch
 * table and only the names below are copied into the table chunks get as _ENV, so a
 * function we forgot is absent rather than present. */
#include "script/sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

#include "script/module.h"
#include "script/state.h"

static const char *const base_allowed[] = {
    "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
    "rawget", "rawlen", "rawset", "select", "tonumber", "tostring", "type", "_VERSION", NULL,
};

/* Options of collectgarbage that only observe or help; "stop" (and the tuning options)
 * would let one script change how every later call on this state collects. */
static const char *const gc_allowed[] = {"collect", "count", "step", "isrunning", NULL};

/* load(chunk [, chunkname [, mode [, env]]]) with mode forced to "t": binary chunks can
 * crash the VM, so they are refused whatever the caller asked for. */
static int sandbox_load(lua_State *L)
{
    int n = lua_gettop(L);
    if (n < 1)
        return luaL_error(L, "bad argument #1 to 'load' (value expected)");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    if (n >= 2)
        lua_pushvalue(L, 2);
    else
        lua_pushnil(L);
    lua_pushliteral(L, "t");
    if (n >= 4) {
        lua_pushvalue(L, 4);
        lua_call(L, 4, LUA_MULTRET);
    } else {
        lua_call(L, 3, LUA_MULTRET);
    }
    return lua_gettop(L) - n;
}

static int sandbox_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    for (size_t i = 0; gc_allowed[i]; i++) {
        if (strcmp(opt, gc_allowed[i]) == 0) {
            int n = lua_gettop(L);
            lua_pushvalue(L, lua_upvalueindex(1));
            lua_insert(L, 1);
            lua_call(L, n, LUA_MULTRET);
            return lua_gettop(L);
        }
    }
    return luaL_error(L, "collectgarbage('%s') is not available to gatehouse scripts", opt);
}

/* os.getenv reads the function's `environment` from the definition for the current
 * call, as Lambda exposes only the function's own variables, never the host's. */
static int sandbox_getenv(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const gh_script_state *st = gh_script_state_of(L);
    const char *v = st->env ? gh_kvs_get(st->env, name) : NULL;
    if (v)
        lua_pushstring(L, v);
    else
        lua_pushnil(L);
    return 1;
}

/* Lua runs a finalizer with hooks off (lgc.c GCTM), so a looping __gc could never be
 * stopped: metatables with __gc are refused. (A __gc added later has no effect in 5.4.) */
static int sandbox_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not available to gatehouse scripts");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* The message handler of a user's xpcall. An error raised by our count hook runs the
 * handler inside the hook, where hooks are off: after a kill the user's handler is
 * skipped (the error passes through unchanged) so it cannot loop unstoppably. */
static int guarded_handler(lua_State *L)
{
    if (gh_script_state_of(L)->kill != GH_KILL_NONE)
        return lua_gettop(L) ? 1 : 0;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sandbox_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* Opens a standard library without making it global; leaves its table on the stack. */
static void open_lib(lua_State *L, const char *name, lua_CFunction open)
{
    luaL_requiref(L, name, open, 0);
}

/* Copies the listed fields of the table at `from` into the table at the top. */
static void copy_fields(lua_State *L, int from, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        lua_getfield(L, from, names[i]);
        lua_setfield(L, -2, names[i]);
    }
}

void gh_sandbox_open(lua_State *L)
{
    static const char *const os_allowed[] = {"time", "clock", "date", "difftime", NULL};
    static const char *const debug_allowed[] = {"traceback", NULL};
    static const struct {
        const char *name;
        lua_CFunction open;
    } whole_libs[] = {
        {LUA_STRLIBNAME, luaopen_string},   {LUA_TABLIBNAME, luaopen_table},
        {LUA_MATHLIBNAME, luaopen_math},    {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_COLIBNAME, luaopen_coroutine},
    };

    /* Stack: full | env */
    open_lib(L, LUA_GNAME, luaopen_base);
    int full = lua_gettop(L);
    lua_newtable(L);
    int env = lua_gettop(L);
    copy_fields(L, full, base_allowed);

    lua_getfield(L, full, "load");
    lua_pushcclosure(L, sandbox_load, 1);
    lua_setfield(L, env, "load");
    lua_getfield(L, full, "setmetatable");
    lua_pushcclosure(L, sandbox_setmetatable, 1);
    lua_setfield(L, env, "setmetatable");
    lua_getfield(L, full, "xpcall");
    lua_pushcclosure(L, sandbox_xpcall, 1);
    lua_setfield(L, env, "xpcall");
    lua_getfield(L, full, "collectgarbage");
    lua_pushcclosure(L, sandbox_collectgarbage, 1);
    lua_setfield(L, env, "collectgarbage");
    lua_pushcfunction(L, gh_module_log);
    lua_setfield(L, env, "print");
    lua_pushvalue(L, env);
    lua_setfield(L, env, LUA_GNAME);

    for (size_t i = 0; i < sizeof whole_libs / sizeof *whole_libs; i++) {
        open_lib(L, whole_libs[i].name, whole_libs[i].open);
        lua_setfield(L, env, whole_libs[i].name);
    }

    open_lib(L, LUA_OSLIBNAME, luaopen_os);
    lua_newtable(L);
    copy_fields(L, lua_gettop(L) - 1, os_allowed);
    lua_pushcfunction(L, sandbox_getenv);
    lua_setfield(L, -2, "getenv");
    lua_setfield(L, env, LUA_OSLIBNAME);
    lua_pop(L, 1);

    open_lib(L, LUA_DBLIBNAME, luaopen_debug);
    lua_newtable(L);
    copy_fields(L, lua_gettop(L) - 1, debug_allowed);
    lua_setfield(L, env, LUA_DBLIBNAME);
    lua_pop(L, 1);

    /* From now on every chunk loaded gets `env` as its _ENV. */
    lua_pushvalue(L, env);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_settop(L, full - 1);
}
