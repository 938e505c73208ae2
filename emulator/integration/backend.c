/* The dispatch every backend kind shares (integration/backend_impl.h): one exchange goes
 * to whichever implementation the process chose. */
#include "integration/backend_impl.h"

const char *const gh_backend_default_redact[] = {
    "Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Api-Key",
    "X-Amz-Security-Token", NULL,
};

gh_backend_status gh_backend_exchange(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                      gh_backend_response *rs, const char **detail)
{
    *detail = NULL;
    return b->exchange(b, a, rq, rs, detail);
}

void gh_backend_free(gh_backend *b)
{
    if (b && b->free)
        b->free(b);
}
