/* The admin HTTP API under /_gatehouse/ on the server's own port (docs/sim.md, "Looking
 * inside"): JSON views of the simulated queues and topics, peeking, purging and sending
 * for demos, and a health check. The server hands it every request whose path starts
 * with /_gatehouse/ before the REST pipeline sees it: APIs answer under /{stage}/, so
 * the prefix is reserved and a stage named _gatehouse is shadowed. One table of routes
 * (admin.c); later issues add rows. */
#ifndef GH_ADMIN_H
#define GH_ADMIN_H
#include <stdbool.h>

#include "sim/sim.h"
#include "util/http.h"

#define GH_ADMIN_PREFIX "/_gatehouse"

/* True for /_gatehouse and every path under /_gatehouse/. */
bool gh_admin_claims(const gh_request *req);

/* Answers one claimed request into resp (JSON, memory from req->arena). sim may be NULL
 * (a runtime without a simulator): the queue and topic routes then answer 503. */
void gh_admin_handle(gh_sim *sim, const gh_request *req, gh_response *resp);

#endif
