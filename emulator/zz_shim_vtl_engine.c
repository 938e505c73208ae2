/* SHIM: drop at merge. Throwaway stand-in for template/vtl_methods.c, which another helper
 * writes in parallel; it knows no method, so every Java method call renders as null. */
#include "template/vtl_methods.h"

bool gh_vtl_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                   size_t nargs, gh_vval *out)
{
    (void)rt, (void)self, (void)name, (void)args, (void)nargs, (void)out;
    return false;
}
