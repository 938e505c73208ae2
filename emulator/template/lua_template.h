/* Mapping templates written in Lua (x-gatehouse-requestTemplates /
 * x-gatehouse-responseTemplates): the template's script returns a function called as
 * f(input, context, stageVariables, util) that returns the body string. The four objects
 * mean what $input, $context, $stageVariables and $util mean in VTL. */
#ifndef GH_LUA_TEMPLATE_H
#define GH_LUA_TEMPLATE_H
#include "template/mapping.h"

/* Renders t (t->lua) exactly as gh_mapping_render would a VTL template: same out, same
 * overrides (context.requestOverride / context.responseOverride tables), a Lua error or
 * a non-string result failing with out->error (traceback in the log). */
int gh_lua_template_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                           const char *body, size_t body_len, gh_mapping_out *out);

#endif
