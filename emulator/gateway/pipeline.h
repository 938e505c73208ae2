/* The REST pipeline: a table of phases run in AWS's order, each either continuing or
 * ending the request with a named gateway response. */
#ifndef GH_PIPELINE_H
#define GH_PIPELINE_H
#include "script/pool.h"
#include "spec/model.h"
#include "util/http.h"

/* What one generation of the server runs on: a model and the Lua states built for it. */
typedef struct gh_runtime {
    gh_model *model;
    gh_script_pool *scripts;
} gh_runtime;

/* Handles one request completely: resp is always filled (status, headers, body), with
 * x-amzn-RequestId and friends. All memory from req->arena. */
void gh_pipeline_handle(const gh_runtime *rt, gh_request *req, gh_response *resp);

#endif
