/* SHIM: drop at merge. The real gh_vtl_fail lives in template/vtl_eval.c. */
#include <stdarg.h>
#include <stdio.h>

#include "template/vtl.h"

bool gh_vtl_fail(gh_vtl_rt *rt, const char *fmt, ...)
{
    if (rt->failed)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->error, sizeof rt->error, fmt, ap);
    va_end(ap);
    rt->failed = true;
    return false;
}
