/* `serve --record DIR` also writes the API's own exchanges (client request, gatehouse's
 * response) as a fixture file, DIR/api-YYYYMMDD-HHMMSS.yaml, in the format of
 * docs/fixtures.md: `gatehouse test DEF DIR/api-*.yaml --replay DIR` then checks the
 * API offline against what it answered while recording. Installed as the runtime's
 * observer (gateway/pipeline.h), so it sees every response the pipeline completes. */
#ifndef GH_API_RECORD_H
#define GH_API_RECORD_H
#include "util/http.h"

typedef struct gh_api_recorder gh_api_recorder;

/* redact: header names (NULL-terminated) whose values become ${env.REDACTED_NAME}
 * references. The file is created at the first exchange. NULL only when out of memory. */
gh_api_recorder *gh_api_recorder_new(const char *dir, const char *const *redact);
/* A gh_pipeline_observer: appends one fixture (thread-safe; ud is the recorder). */
void gh_api_recorder_observe(void *ud, const gh_request *req, const gh_response *resp);
void gh_api_recorder_free(gh_api_recorder *r);

#endif
