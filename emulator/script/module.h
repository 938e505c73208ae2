/* The `gatehouse` Lua module user scripts get with require("gatehouse"): json, base64,
 * url, uuid, now, log, the simulated AWS: sqs, sns, lambda (module_sim.c), and the
 * WebSocket connections (module_connections.c). */
#ifndef GH_SCRIPT_MODULE_H
#define GH_SCRIPT_MODULE_H
#include <lua.h>

/* lua_CFunction: pushes a new gatehouse module table (require caches it per state). */
int gh_module_open(lua_State *L);
/* lua_CFunction behind gatehouse.log and print: the arguments, tab-separated, logged at
 * info level after the caller's "file:line". */
int gh_module_log(lua_State *L);

struct gh_sim;
/* The simulated AWS gatehouse.sqs / .sns / .lambda reach (sim/sim.h): one per process,
 * set by its owner (serve, `gatehouse test`, through server/sim_invoke.h); NULL: none,
 * and those functions raise. */
void gh_module_set_sim(struct gh_sim *sim);
/* Adds the sqs, sns and lambda tables to the module table on top of the stack. */
void gh_module_open_sim(lua_State *L);

struct gh_ws_hub;
/* The WebSocket connections gatehouse.connections.post / get / delete / list reach
 * (websocket/ws_hub.h): one per process, set by the server that owns them; NULL: none,
 * and those functions raise GoneException-style errors. */
void gh_module_set_ws(struct gh_ws_hub *hub);
/* Adds the connections table to the module table on top of the stack. */
void gh_module_open_connections(lua_State *L);

#endif
