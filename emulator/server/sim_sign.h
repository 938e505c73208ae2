/* `serve --check-signatures`: the AWS-protocol endpoints (SQS, SNS, Lambda Invoke) then
 * accept only calls SigV4-signed by a key of x-gatehouse.credentials, for the service
 * they address and the simulator's region, answering AWS's common errors otherwise. */
#ifndef GH_SIM_SIGN_H
#define GH_SIM_SIGN_H
#include "server/runtime.h"
#include "sim/sim.h"

/* A gh_sim_verify_fn; ud is the server's gh_live (the credentials of the runtime of the
 * moment, so a reload that adds a key takes effect at once). */
int gh_sim_check_signature(void *ud, const gh_request *req, const char *service,
                           gh_sqs_error *err);

#endif
