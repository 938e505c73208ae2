/* How the simulated AWS (sim/sim.h) reaches the Lua Lambdas of the runtime the server
 * currently answers from: gh_sim.invoke (event sources, the Lambda Invoke endpoint,
 * gatehouse.lambda.invoke) and the SNS deliveries to Lambda and HTTP subscribers. The
 * simulator outlives hot reloads; each call takes a reference to the runtime of the
 * moment (gh_live_acquire), so a reload in between is safe. */
#ifndef GH_SIM_INVOKE_H
#define GH_SIM_INVOKE_H
#include <stdbool.h>

#include "server/runtime.h"
#include "sim/sim.h"

typedef struct gh_sim_invoker gh_sim_invoker;

/* Installs the invoker on sim (gh_sim_set_invoker), the SNS Lambda and HTTP deliveries
 * (gh_sns_set_delivery) and sim as the simulator of the `gatehouse` Lua module
 * (gh_module_set_sim). Calls run on live's current runtime (serve, `gatehouse test`);
 * or, when live is NULL, on rt, which must outlive the invoker (unit tests, one-shot
 * commands). loopback_only: HTTP deliveries go to 127.0.0.1/localhost/[::1] only
 * (tests). */
gh_sim_invoker *gh_sim_invoker_install(gh_sim *sim, gh_live *live, const gh_runtime *rt,
                                       bool loopback_only);
/* Stops the event-source poller, drains SNS deliveries, clears what install set on sim
 * and the Lua module, then frees. Call after the server stopped, before gh_sim_free. */
void gh_sim_invoker_free(gh_sim_invoker *inv);

/* The invoker itself (a gh_sim_invoke_fn), for callers that hold a gh_sim_invoker. */
int gh_sim_invoker_call(void *invoker, const char *function, const char *event_json, char **result);

/* The SNS HTTP delivery (gh_sns_delivery.http): POSTs body to url with the headers
 * ("Name: value", NULL-terminated), 15 s at most; 0 on a 2xx answer. */
int gh_sim_invoker_http(void *invoker, const char *url, const char *body,
                        const char *const *headers);

#endif
