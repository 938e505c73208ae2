/* The one converter between JSON values (jansson) and Lua values. Objects become tables
 * with string keys, arrays become sequences (1-based); back again, a table whose keys are
 * exactly 1..n is an array, an empty table is an empty object, other tables are objects.
 * Lua strings may hold any bytes (json_stringn_nocheck keeps them). */
#ifndef GH_SCRIPT_CONVERT_H
#define GH_SCRIPT_CONVERT_H
#include <jansson.h>
#include <lua.h>

/* Pushes v (NULL or JSON null -> a sentinel that reads as nil in tables: see json.null
 * in the gatehouse module) onto L. Must run inside a protected call. */
void gh_lua_push_json(lua_State *L, const json_t *v);
/* Converts the value at idx; new reference. Cycles and unsupported types (functions,
 * userdata other than json.null) raise a Lua error. */
json_t *gh_lua_to_json(lua_State *L, int idx);

#endif
