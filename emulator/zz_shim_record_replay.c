/* SHIM: drop at merge. A stand-in for gh_backend_live (integration/backend_live.c, written
 * by another helper) so the record backend links: every exchange is unreachable. */
#include "integration/backend_impl.h"

static gh_backend_status shim_exchange(gh_backend *self, gh_arena *a,
                                       const gh_backend_request *rq, gh_backend_response *rs,
                                       const char **detail)
{
    (void)self, (void)a, (void)rq, (void)rs;
    *detail = "no live backend in this build";
    return GH_BACKEND_UNREACHABLE;
}

gh_backend *gh_backend_live(void)
{
    static gh_backend live = {shim_exchange, NULL};
    return &live;
}
