/* Our `require`. Lua's own package library reads LUA_PATH and can load C libraries, so
 * it is not opened at all; this one resolves a module name to a file under the state's
 * folders only. Names are dot- or slash-separated segments of [A-Za-z0-9_-], so `..`,
 * absolute paths and hidden files cannot be expressed. */
#include "script/require.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "script/module.h"
#include "script/state.h"

/* A module bigger than this is surely not a Lua source file. */
#define MAX_MODULE_BYTES ((long)8 << 20)
#define MAX_NAME 200

/* Turns "lib.util" (or "lib/util") into "lib/util"; 0 if the name is not allowed. */
static int module_path(const char *name, size_t len, char *out)
{
    if (len == 0 || len > MAX_NAME)
        return 0;
    size_t seg = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.' || c == '/') {
            if (seg == 0)
                return 0;
            out[i] = '/';
            seg = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
        out[i] = c;
        seg++;
    }
    out[len] = '\0';
    return seg > 0;
}

/* Reads a regular file into a userdata pushed on the stack (freed by the GC even if a
 * later call raises). Returns 1 with *len set, 0 (nothing pushed) if it is not there. */
static int read_file(lua_State *L, const char *path, size_t *len, struct stat *stat_out)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    *stat_out = sb; /* before reading: an edit after this point is a change to watch */
    if (sb.st_size > MAX_MODULE_BYTES)
        luaL_error(L, "module file '%s' is larger than %d MiB", path,
                   (int)(MAX_MODULE_BYTES >> 20));
    size_t cap = (size_t)sb.st_size + 1;
    char *buf = lua_newuserdatauv(L, cap, 0); /* before fopen: a raise must not leak f */
    FILE *f = fopen(path, "rb");
    if (!f) {
        lua_pop(L, 1);
        return 0;
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    *len = n < cap ? n : cap - 1;
    return 1;
}

static int sandbox_require(lua_State *L)
{
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    lua_settop(L, 1);
    int loaded = lua_upvalueindex(1);
    if (lua_getfield(L, loaded, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);

    if (strcmp(name, "gatehouse") == 0) {
        lua_pushcfunction(L, gh_module_open);
        lua_call(L, 0, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, loaded, name);
        return 1;
    }

    char rel[MAX_NAME + 1];
    if (!module_path(name, len, rel))
        return luaL_error(L,
                          "module '%s' not found: module names are dot-separated words "
                          "(letters, digits, '_', '-') under the definition's folder or lua/",
                          name);

    const gh_script_state *st = gh_script_state_of(L);
    static const char *const patterns[] = {"%s/%s.lua", "%s/%s/init.lua"};
    for (size_t d = 0; d < st->ndirs; d++) {
        for (size_t p = 0; p < 2; p++) {
            /* Stack: name | path | source | chunkname | chunk */
            lua_settop(L, 1);
            const char *path = lua_pushfstring(L, patterns[p], st->dirs[d], rel);
            size_t srclen;
            struct stat sb;
            if (!read_file(L, path, &srclen, &sb))
                continue;
            const char *chunkname = lua_pushfstring(L, "@%s", path);
            if (luaL_loadbufferx(L, lua_touserdata(L, 3), srclen, chunkname, "t") != LUA_OK)
                return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name,
                                  path, lua_tostring(L, -1));
            if (st->file_hook.fn)
                st->file_hook.fn(st->file_hook.ud, path, &sb);
            lua_pushvalue(L, 1);
            lua_pushvalue(L, 2);
            lua_call(L, 2, 1);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                lua_pushboolean(L, 1);
            }
            lua_pushvalue(L, -1);
            lua_setfield(L, loaded, name);
            lua_pushvalue(L, 2);
            return 2;
        }
    }
    lua_settop(L, 1);
    lua_pushfstring(L, "module '%s' not found:", name);
    for (size_t d = 0; d < st->ndirs; d++)
        for (size_t p = 0; p < 2; p++) {
            lua_pushliteral(L, "\n\tno file '");
            lua_pushfstring(L, patterns[p], st->dirs[d], rel);
            lua_pushliteral(L, "'");
            lua_concat(L, 4);
        }
    return lua_error(L);
}

void gh_require_open(lua_State *L)
{
    static const char *const preloaded[] = {
        LUA_GNAME, LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME,
        LUA_COLIBNAME, LUA_OSLIBNAME, LUA_DBLIBNAME, NULL,
    };
    /* Stack: globals | package | loaded */
    lua_pushglobaltable(L);
    lua_newtable(L);
    lua_newtable(L);
    for (size_t i = 0; preloaded[i]; i++) {
        lua_getfield(L, -3, preloaded[i]);
        lua_setfield(L, -2, preloaded[i]);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "loaded");
    lua_pushcclosure(L, sandbox_require, 1);
    lua_setfield(L, -3, "require");
    lua_setfield(L, -2, "package");
    lua_pop(L, 1);
}
