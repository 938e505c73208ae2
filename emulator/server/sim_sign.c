/* Signature checks for the simulated services (sim_sign.h). The codes and statuses are
 * AWS's common errors (SQS and SNS API references, "Common Errors"): MissingAuthenticationToken
 * 403, IncompleteSignature 400, InvalidClientTokenId 403, SignatureDoesNotMatch 403 (the
 * canonical request and string to sign it expected are logged), the "Signature expired"
 * text under SignatureDoesNotMatch. The verification is auth/sigv4.c's, shared
 * with API Gateway's IAM authorization. */
#include "server/sim_sign.h"

#include <stdio.h>
#include <string.h>

#include "auth/sigv4.h"
#include "util/clock.h"
#include "util/log.h"

/* AWS accepts a signing date up to 5 minutes off (as for API Gateway, auth/iam.c). */
#define SKEW_SECONDS 300

/* The secret of access_key in any loaded definition. */
static const char *lookup(void *ctx, const char *access_key, const void **credential)
{
    const gh_model *m = ctx;
    for (size_t i = 0; i < m->napis; i++) {
        const gh_credential *c = gh_api_credential(&m->apis[i], access_key);
        if (c) {
            *credential = c;
            return c->secret_key;
        }
    }
    *credential = NULL;
    return NULL;
}

static int deny(gh_sqs_error *err, const char *code, int status, const char *message)
{
    err->code = code;
    err->status = status;
    err->sender = true;
    snprintf(err->message, sizeof err->message, "%s", message ? message : "");
    return -1;
}

int gh_sim_check_signature(void *ud, const gh_request *req, const char *service,
                           gh_sqs_error *err)
{
    gh_live *live = ud;
    const gh_runtime *rt = gh_live_acquire(live);
    const gh_model *m = rt->model;
    const char *region = m->napis ? m->apis[0].region : "us-east-1";
    gh_sigv4_request sr = {req->method, req->path, req->query, &req->headers, req->body,
                           req->body_len};
    gh_sigv4_expect ex = {region, service, SKEW_SECONDS};
    gh_sigv4_result r;
    gh_sigv4_status st = gh_sigv4_verify(req->arena, &sr, &ex, lookup, (void *)m,
                                         gh_clock_now_ms(), &r);
    int rc = 0;
    switch (st) {
    case GH_SIGV4_OK: break;
    case GH_SIGV4_MISSING:
        rc = deny(err, "MissingAuthenticationToken", 403, "Request is missing Authentication Token");
        break;
    case GH_SIGV4_MALFORMED: rc = deny(err, "IncompleteSignature", 400, r.message); break;
    case GH_SIGV4_UNKNOWN_KEY:
        rc = deny(err, "InvalidClientTokenId", 403,
                  "The security token included in the request is invalid.");
        break;
    case GH_SIGV4_SCOPE:
    case GH_SIGV4_EXPIRED: rc = deny(err, "SignatureDoesNotMatch", 403, r.message); break;
    case GH_SIGV4_MISMATCH:
        /* The canonical request goes to the log: it would not fit the error's text. */
        gh_log(GH_LOG_INFO, "%s: signature does not match; %s", service,
               gh_sigv4_mismatch_message(req->arena, &r));
        rc = deny(err, "SignatureDoesNotMatch", 403, GH_SIGV4_MISMATCH_TEXT);
        break;
    }
    gh_live_release(live, rt);
    return rc;
}
