/* Identifiers in AWS's formats: request ids (UUID v4), extended request ids, trace ids,
 * API and resource ids. Randomness is injectable so tests can predict ids. */
#ifndef GH_IDS_H
#define GH_IDS_H
#include <stddef.h>
#include <stdint.h>

#define GH_UUID_LEN 36
#define GH_EXT_ID_LEN 16
#define GH_TRACE_ID_LEN 40

void gh_ids_seed(uint64_t seed);      /* deterministic ids from now on (tests) */
void gh_random_bytes(void *out, size_t n);
void gh_uuid4(char out[GH_UUID_LEN + 1]);
/* API Gateway's extendedRequestId: 14 base64 characters ending in "=", e.g. "Xc9LmF2bDoEFq8w=". */
void gh_extended_request_id(char out[GH_EXT_ID_LEN + 1]);
/* X-Amzn-Trace-Id value: "Root=1-<8 hex epoch seconds>-<24 hex>". */
void gh_trace_id(char out[GH_TRACE_ID_LEN + 1], int64_t epoch_ms);
/* Lowercase alphanumeric id of n characters derived from a string (stable across runs),
 * as AWS's 10-char API ids and 6-char resource ids look. */
void gh_stable_id(const char *from, size_t n, char *out);

#endif
