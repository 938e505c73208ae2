/* One AWS-protocol call as the operations of sim/aws_sqs_api.c and sim/aws_sns_api.c see
 * it, once sim/aws_protocol.c has told the service and wire form apart. Internal. */
#ifndef GH_AWS_OPS_H
#define GH_AWS_OPS_H
#include <jansson.h>
#include <stdbool.h>

#include "sim/aws_wire.h"
#include "sim/sim.h"
#include "util/http.h"

typedef struct gh_aws_call {
    gh_sim *sim;
    const gh_request *req;
    gh_response *resp;
    gh_arena *arena;
    gh_aws_service svc;
    gh_wire_format fmt;
    const char *action;
    gh_aws_args args;
    const char *path_queue; /* query protocol on POST /ACCOUNT/QUEUE: QUEUE, else NULL */
    const char *request_id;
} gh_aws_call;

/* True when the service has an operation of that name (whether we serve it or not). */
bool gh_aws_sqs_knows(const char *action);
bool gh_aws_sns_knows(const char *action);

/* Runs the call's operation and fills c->resp. */
void gh_aws_sqs_call(gh_aws_call *c);
void gh_aws_sns_call(gh_aws_call *c);

/* Answers with result (owned: released here; NULL: no result element). */
void gh_aws_ok(gh_aws_call *c, json_t *result);
/* Answers with an error of the caller's making (Sender). */
void gh_aws_fail(gh_aws_call *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gh_aws_fail_with(gh_aws_call *c, const gh_sqs_error *e);

#endif
