/* The simulated AWS of one server: SQS, SNS and the event sources feeding Lua Lambdas.
 * Unlike the model it outlives hot reloads (queues keep their messages when the
 * definition is edited); it is created once per `serve` / `test` process and reached by
 * the pipeline through gh_runtime.sim and gh_invocation.sim. */
#ifndef GH_SIM_H
#define GH_SIM_H
#include <stddef.h>

#include "sim/sns.h"
#include "sim/sqs.h"
#include "spec/model.h"
#include "util/diag.h"
#include "util/http.h"

struct gh_event_sources;
struct gh_store;

/* Runs the Lua function `function` (a name, or a Lambda ARN whose name part is used) of
 * the server's current runtime with event (JSON text). Returns 0 with *result the
 * function's result as JSON text (malloc'd, "null" for nil); 1 when the function
 * failed, *result then AWS's error payload {"errorMessage","errorType","stackTrace"};
 * -1 when there is no such function (*result NULL). */
typedef int (*gh_sim_invoke_fn)(void *ud, const char *function, const char *event_json,
                                char **result);

/* Checks an AWS-protocol call's SigV4 signature for service ("sqs", "sns", "lambda"):
 * 0 when it holds, else -1 with err set to AWS's answer (code, message, status). Set by
 * `serve --check-signatures`; unset, signatures are accepted unchecked. */
typedef int (*gh_sim_verify_fn)(void *ud, const gh_request *req, const char *service,
                                gh_sqs_error *err);

typedef struct gh_sim {
    gh_sqs *sqs;
    gh_sns *sns;
    struct gh_event_sources *sources;
    gh_sim_invoke_fn invoke; /* NULL until the owner sets it (gh_sim_set_invoker) */
    void *invoke_ud;
    struct gh_store *store; /* --state DIR; NULL: everything in memory */
    gh_sim_verify_fn verify; /* NULL: signatures not checked */
    void *verify_ud;
} gh_sim;

/* region and account: the first definition's (ARNs, SenderId). NULL when out of memory. */
gh_sim *gh_sim_new(const char *region, const char *account);
/* Stops the event-source pollers and the SNS delivery thread first. */
void gh_sim_free(gh_sim *sim);
void gh_sim_set_invoker(gh_sim *sim, gh_sim_invoke_fn fn, void *ud);

/* `--state DIR`: restores the queues, messages, topics and subscriptions kept in
 * DIR/gatehouse.db (created when absent) and from then on commits every change there
 * before the call that made it returns (docs/sim.md, Persistence). Call it once, after
 * gh_sim_new and before gh_sim_apply (declared queues then merge with the stored ones).
 * 0, or -1 with a message in err (the simulator is then unchanged or partly restored:
 * the caller should stop). */
int gh_sim_open_state(gh_sim *sim, const char *dir, char *err, size_t errlen);

/* Creates what the model declares and the simulator does not have yet
 * (x-gatehouse.queues, topics with their subscriptions, eventSources), dead-letter
 * queues before the queues that name them. Existing queues and topics keep their
 * messages and subscriptions; declared attributes are applied again. What the engine
 * refuses is a diagnostic at the declaration. Returns the number of errors. */
int gh_sim_apply(gh_sim *sim, const gh_model *m, gh_diags *d);

#endif
