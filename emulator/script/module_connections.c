/* gatehouse.connections: the @connections API (websocket/ws_mgmt.h) for user scripts, so
 * a Lua route handler can answer, broadcast and hang up without an HTTP round trip:
 *   post(id, data [, {binary = true}])  PostToConnection, returns true
 *   get(id)     GetConnection: {connectedAt=, lastActiveAt= (ISO-8601, as the API
 *               answers), identity = {sourceIp=, userAgent=}}
 *   delete(id)  DeleteConnection (the client gets a close frame, $disconnect runs)
 *   list([stage])  the ids of the open connections (of that stage): what a chat room
 *               broadcasts to. AWS has no such call (a real backend keeps ids in a
 *               table); here the hub is the one store every Lua state shares.
 * The hub is process-wide (one per server, gh_module_set_ws), like the simulator of
 * module_sim.c. Failures raise Lua errors whose message starts with AWS's exception
 * name, as the SDK's error names them: "GoneException: ...", so a script can test
 * err:find("^GoneException"). C memory taken here is freed before anything may raise. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "script/module.h"
#include "websocket/ws_hub.h"
#include "websocket/ws_mgmt.h"

static _Atomic(gh_ws_hub *) process_hub;

/* Raises without luaL_error's "chunk:line:" prefix, so the message starts with the
 * exception's name whatever called us (the traceback still says where). */
static int raise(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

void gh_module_set_ws(struct gh_ws_hub *hub)
{
    atomic_store(&process_hub, hub);
}

static gh_ws_hub *hub_of(lua_State *L, const char *id)
{
    gh_ws_hub *h = atomic_load(&process_hub);
    if (!h)
        raise(L,
              "GoneException: no WebSocket connection '%s': this process serves no "
              "WebSocket API",
              id);
    return h;
}

/* A connection id argument; one longer than any id AWS issues names no connection. */
static const char *check_id(lua_State *L, int arg)
{
    size_t len;
    const char *id = luaL_checklstring(L, arg, &len);
    if (len >= sizeof((gh_ws_conn_info *)0)->id || strlen(id) != len)
        raise(L, "GoneException: connection '%s' is not open", id);
    return id;
}

static int raise_status(lua_State *L, gh_ws_status st, const char *id)
{
    switch (st) {
    case GH_WS_GONE: return raise(L, "GoneException: connection '%s' is not open", id);
    case GH_WS_FULL:
        return raise(L,
                     "LimitExceededException: the client of connection '%s' is not "
                     "reading: its send queue is full",
                     id);
    case GH_WS_TOO_LARGE:
        return raise(L, "PayloadTooLargeException: Message too long (over %d bytes)",
                     GH_WS_MAX_MESSAGE_BYTES);
    case GH_WS_OK: break;
    }
    return 0;
}

static int conn_post(lua_State *L)
{
    const char *id = check_id(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    bool binary = false;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_getfield(L, 3, "binary");
        binary = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    gh_ws_status st = len > GH_WS_MAX_MESSAGE_BYTES
                          ? GH_WS_TOO_LARGE
                          : gh_ws_hub_post(hub_of(L, id), id, data, len, binary);
    raise_status(L, st, id);
    lua_pushboolean(L, 1);
    return 1;
}

/* What get pushes, copied out of the hub so the C memory can be freed whatever the
 * pushing does. */
typedef struct conn_view {
    char connected[GH_WS_MGMT_TIME_LEN], active[GH_WS_MGMT_TIME_LEN];
    const char *source_ip, *user_agent;
} conn_view;

/* Pushes the view (a light userdata at 1) as get's table; run in a protected call. */
static int push_view(lua_State *L)
{
    const conn_view *v = lua_touserdata(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, v->connected);
    lua_setfield(L, -2, "connectedAt");
    lua_pushstring(L, v->active);
    lua_setfield(L, -2, "lastActiveAt");
    lua_createtable(L, 0, 2);
    lua_pushstring(L, v->source_ip);
    lua_setfield(L, -2, "sourceIp");
    lua_pushstring(L, v->user_agent);
    lua_setfield(L, -2, "userAgent");
    lua_setfield(L, -2, "identity");
    return 1;
}

static int conn_get(lua_State *L)
{
    const char *id = check_id(L, 1);
    gh_ws_hub *h = hub_of(L, id);
    gh_arena *a = gh_arena_new(512);
    if (!a)
        return luaL_error(L, "connections.get: out of memory");
    gh_ws_conn_info info;
    gh_ws_status st = gh_ws_hub_get(h, id, a, &info);
    if (st != GH_WS_OK) {
        gh_arena_free(a);
        return raise_status(L, st, id);
    }
    conn_view v = {.source_ip = info.source_ip ? info.source_ip : "",
                   .user_agent = info.user_agent ? info.user_agent : ""};
    gh_ws_mgmt_time(info.connected_at_ms, v.connected);
    gh_ws_mgmt_time(info.last_active_at_ms, v.active);
    lua_pushcfunction(L, push_view);
    lua_pushlightuserdata(L, &v);
    int rc = lua_pcall(L, 1, 1, 0);
    gh_arena_free(a);
    return rc == LUA_OK ? 1 : lua_error(L);
}

static int conn_delete(lua_State *L)
{
    const char *id = check_id(L, 1);
    raise_status(L, gh_ws_hub_delete(hub_of(L, id), id), id);
    lua_pushboolean(L, 1);
    return 1;
}

static int conn_list(lua_State *L)
{
    const char *stage = luaL_optstring(L, 1, NULL);
    gh_ws_hub *h = atomic_load(&process_hub);
    lua_settop(L, 1);
    lua_newtable(L); /* 2: the result */
    if (!h)
        return 1;
    /* Connections come and go meanwhile: ask again while the buffer was too small. */
    size_t cap = 64, n;
    char(*ids)[24];
    for (;;) {
        ids = lua_newuserdatauv(L, cap * sizeof *ids, 0);
        n = gh_ws_hub_list(h, ids, cap);
        if (n <= cap)
            break;
        lua_pop(L, 1);
        cap = n + 64;
    }
    bool *keep = lua_newuserdatauv(L, n ? n : 1, 0);
    if (stage) {
        gh_arena *a = gh_arena_new(256);
        if (!a)
            return luaL_error(L, "connections.list: out of memory");
        for (size_t i = 0; i < n; i++) {
            gh_ws_conn_info info;
            keep[i] = gh_ws_hub_get(h, ids[i], a, &info) == GH_WS_OK && info.stage &&
                      strcmp(info.stage, stage) == 0;
            gh_arena_reset(a);
        }
        gh_arena_free(a);
    } else {
        memset(keep, 1, n ? n : 1);
    }
    lua_Integer k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        lua_pushstring(L, ids[i]);
        lua_rawseti(L, 2, ++k);
    }
    lua_settop(L, 2);
    return 1;
}

void gh_module_open_connections(lua_State *L)
{
    static const luaL_Reg fns[] = {{"post", conn_post},
                                   {"get", conn_get},
                                   {"delete", conn_delete},
                                   {"list", conn_list},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "connections");
}
