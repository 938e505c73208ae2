/* What a backend is inside: the two operations every kind (live, record, replay)
 * implements. An implementation embeds struct gh_backend as its first member, so a
 * gh_backend * converts to and from a pointer to the implementation. Private to
 * integration/: callers use integration/backend.h. */
#ifndef GH_BACKEND_IMPL_H
#define GH_BACKEND_IMPL_H
#include "integration/backend.h"

struct gh_backend {
    gh_backend_status (*exchange)(gh_backend *self, gh_arena *a, const gh_backend_request *rq,
                                  gh_backend_response *rs, const char **detail);
    void (*free)(gh_backend *self);
};

/* gh_backend_record over any inner backend (gh_backend_record passes gh_backend_live();
 * tests pass a fake). Takes ownership of inner (freed with the result, or at once on
 * failure). NULL with *error (static text, valid until the next call on this thread)
 * when the folder cannot be created. */
gh_backend *gh_backend_record_wrap(gh_backend *inner, const gh_backend_options *opt,
                                   const char **error);

#endif
