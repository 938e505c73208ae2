/* `require` for user scripts: the built-in `gatehouse` module, and Lua text files from
 * the state's folders (each definition's folder, then the shipped lua/ folder). No C
 * modules, no paths outside those folders. Results are cached in package.loaded. */
#ifndef GH_SCRIPT_REQUIRE_H
#define GH_SCRIPT_REQUIRE_H
#include <lua.h>

/* Installs `require` and `package` (holding only `loaded`) into the sandboxed globals.
 * Raises on memory errors: call inside a protected call, after gh_sandbox_open. */
void gh_require_open(lua_State *L);

#endif
