/* The one door to a backend (integration/backend.h): dispatches to the backend's own
 * exchange, the live network when the runtime chose none. */
#include "integration/backend_impl.h"

const char *const gh_backend_default_redact[] = {
    "Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Api-Key",
    "X-Amz-Security-Token", NULL,
};

gh_backend_status gh_backend_exchange(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                      gh_backend_response *rs, const char **detail)
{
    if (!b)
        b = gh_backend_live();
    *detail = NULL;
    rs->status = 0;
    rs->headers = (gh_headers){0};
    rs->body = NULL;
    rs->body_len = 0;
    return b->exchange(b, a, rq, rs, detail);
}

void gh_backend_free(gh_backend *b)
{
    if (b && b->free)
        b->free(b);
}
