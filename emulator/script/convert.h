/* The one converter between JSON values (jansson) and Lua values. Objects become tables
 * with string keys, arrays become sequences (1-based); back again, a table whose keys are
 * exactly 1..n is an array, an empty table is an empty object, other tables are objects.
 * Lua strings may hold any bytes (json_stringn_nocheck keeps them). */
#ifndef GH_SCRIPT_CONVERT_H
#define GH_SCRIPT_CONVERT_H
#include <jansson.h>
#include <lua.h>

#include "util/value.h"

/* Pushes v onto L. Must run inside a protected call. NULL or a top-level JSON null
 * pushes nil. Inside a value, a null object member reads as nil (its key is kept in the
 * table's metatable, so it is written back as null) and a null array element is the
 * json.null sentinel of the gatehouse module. */
void gh_lua_push_json(lua_State *L, const json_t *v);
/* Pushes an arena value tree exactly as gh_lua_push_json pushes gh_value_to_json(v)
 * (nulls, array marker and all), without building the JSON. Must run inside a
 * protected call. */
void gh_lua_push_value(lua_State *L, const gh_value *v);
/* The json.null sentinel (a light userdata), and whether the value at idx is it. */
void gh_lua_push_null(lua_State *L);
int gh_lua_is_null(lua_State *L, int idx);
/* Converts the value at idx; new reference. Cycles and unsupported types (functions,
 * userdata other than json.null) raise a Lua error. */
json_t *gh_lua_to_json(lua_State *L, int idx);

#endif
