/* The `gatehouse` Lua module user scripts get with require("gatehouse"): json, base64,
 * url, uuid, now, log. */
#ifndef GH_SCRIPT_MODULE_H
#define GH_SCRIPT_MODULE_H
#include <lua.h>

/* lua_CFunction: pushes a new gatehouse module table (require caches it per state). */
int gh_module_open(lua_State *L);
/* lua_CFunction behind gatehouse.log and print: the arguments, tab-separated, logged at
 * info level after the caller's "file:line". */
int gh_module_log(lua_State *L);

#endif
