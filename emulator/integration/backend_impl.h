/* What a backend is inside: an exchange function and a destructor. The live, record and
 * replay backends (backend_live.c, backend_record.c, backend_replay.c) each embed this as
 * their first member; tests build a fake one the same way. Only backend implementations
 * and tests include this header: everyone else goes through integration/backend.h. */
#ifndef GH_BACKEND_IMPL_H
#define GH_BACKEND_IMPL_H
#include "integration/backend.h"

struct gh_backend {
    gh_backend_status (*exchange)(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                  gh_backend_response *rs, const char **detail);
    void (*free)(gh_backend *b); /* NULL: nothing to free (the shared live backend) */
};

/* gh_backend_record over any inner backend (gh_backend_record passes gh_backend_live();
 * tests pass a fake). Takes ownership of inner (freed with the result, or at once on
 * failure). NULL with *error (static text, valid until the next call on this thread)
 * when the folder cannot be created. */
gh_backend *gh_backend_record_wrap(gh_backend *inner, const gh_backend_options *opt,
                                   const char **error);

#endif
