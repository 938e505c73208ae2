/* AWS Signature Version 4 verification, independent of API Gateway: IAM-authorized
 * methods use it, and so do the simulated AWS endpoints (SQS, SNS, @connections) that
 * AWS clients sign for. It reads a request as it arrived (method, raw path and query,
 * headers, body), finds the signature in the Authorization header or in the presigned
 * X-Amz-* query parameters, rebuilds the canonical request and string to sign exactly as
 * AWS specifies for services other than S3 (IAM User Guide, "Create a signed AWS API
 * request"; botocore's SigV4Auth signs the same way), and compares signatures in
 * constant time. HMAC-SHA256 and SHA-256 come from OpenSSL.
 *
 * Order of the checks: a signature present at all (else MISSING), its parts well formed
 * (MALFORMED), the credential scope's date, region and service (SCOPE), the request time
 * within the allowed skew or a presigned URL within X-Amz-Expires (EXPIRED), the access
 * key known (UNKNOWN_KEY), then the signature itself (MISMATCH).
 *
 * Session tokens: X-Amz-Security-Token is accepted and returned, never checked against
 * anything (declared credentials are long-term keys; a client holding temporary
 * credentials still signs with an access key that must be declared). */
#ifndef GH_SIGV4_H
#define GH_SIGV4_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/http.h"

/* The request as received; strings borrowed. */
typedef struct gh_sigv4_request {
    const char *method;        /* "GET" */
    const char *path;          /* percent-encoded as sent: "/prod/orders/42" */
    const char *query;         /* raw, without '?'; NULL or "" for none */
    const gh_headers *headers; /* as sent, any case */
    const char *body;          /* may hold NULs; NULL when empty */
    size_t body_len;
} gh_sigv4_request;

/* Returns the secret access key of access_key, NULL when unknown. *credential may be
 * set to the caller's own record of it (returned in gh_sigv4_result.credential). */
typedef const char *(*gh_sigv4_lookup_fn)(void *ctx, const char *access_key,
                                          const void **credential);

typedef struct gh_sigv4_expect {
    const char *region;  /* the only region the credential scope may name */
    const char *service; /* "execute-api", "sqs", ... */
    int skew_seconds;    /* allowed clock difference; API Gateway answers 5 min */
} gh_sigv4_expect;

typedef enum {
    GH_SIGV4_OK,
    GH_SIGV4_MISSING,     /* no Authorization header and no X-Amz-Algorithm parameter */
    GH_SIGV4_MALFORMED,   /* message: AWS's IncompleteSignature text */
    GH_SIGV4_SCOPE,       /* message: "Credential should be scoped to ..." */
    GH_SIGV4_EXPIRED,     /* message: "Signature expired: ..." / "... not yet current ..." */
    GH_SIGV4_UNKNOWN_KEY, /* the lookup returned NULL */
    GH_SIGV4_MISMATCH,    /* canonical_request and string_to_sign are what AWS prints */
} gh_sigv4_status;

typedef struct gh_sigv4_result {
    gh_sigv4_status status;
    bool presigned;             /* found in the query string */
    const char *access_key;     /* from the credential, when parsed */
    const char *region, *service;
    const char *amz_date;       /* 20150830T123600Z (from X-Amz-Date or Date) */
    const char *signed_headers; /* "host;x-amz-date" */
    const char *security_token; /* X-Amz-Security-Token; NULL if none */
    const void *credential;     /* what the lookup set */
    /* Computed for OK and MISMATCH: the canonical request and the string to sign. */
    const char *canonical_request;
    const char *string_to_sign;
    const char *message;        /* the failure in AWS's words; NULL for OK, MISSING and
                                 * MISMATCH (gh_sigv4_mismatch_message builds that one) */
} gh_sigv4_result;

/* Verifies req at now_ms (wall clock, epoch milliseconds). Every string in *out comes
 * from a or from req. Returns out->status. */
gh_sigv4_status gh_sigv4_verify(gh_arena *a, const gh_sigv4_request *req,
                                const gh_sigv4_expect *expect, gh_sigv4_lookup_fn lookup,
                                void *ctx, int64_t now_ms, gh_sigv4_result *out);

/* AWS's text for a mismatch: the fixed sentence, then the canonical request and the
 * string to sign it expected ("\n\nThe Canonical String for this request should have
 * been\n'...'\n\nThe String-to-Sign should have been\n'...'\n"). */
const char *gh_sigv4_mismatch_message(gh_arena *a, const gh_sigv4_result *r);

/* The fixed first sentence of that text. */
#define GH_SIGV4_MISMATCH_TEXT                                                             \
    "The request signature we calculated does not match the signature you provided. "   \
    "Check your AWS Secret Access Key and signing method. Consult the service "           \
    "documentation for details."

/* The lowercase hex signature for a string to sign (exposed for tests and for clients
 * gatehouse signs as, e.g. SNS deliveries to HTTP endpoints). date8 is YYYYMMDD. */
const char *gh_sigv4_signature(gh_arena *a, const char *secret, const char *date8,
                               const char *region, const char *service,
                               const char *string_to_sign);

#endif
