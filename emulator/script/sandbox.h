/* The globals a user script sees, built once per state as an allowlist: the safe base
 * functions, string, table, math, utf8, coroutine, a limited os and debug.traceback.
 * No io, no dofile/loadfile, `load` of text only, print -> the process log. */
#ifndef GH_SCRIPT_SANDBOX_H
#define GH_SCRIPT_SANDBOX_H
#include <lua.h>

/* Replaces the state's global table with the sandboxed one. Raises on memory errors:
 * call inside a protected call, before any user chunk is loaded. */
void gh_sandbox_open(lua_State *L);

#endif
