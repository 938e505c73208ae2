/* civetweb <-> gh_request/gh_response, shared by the HTTP handler (server/server.c) and
 * the WebSocket upgrade (websocket/ws_server.c), which must see an upgrade request
 * exactly as the REST pipeline sees any other. */
#ifndef GH_MG_REQUEST_H
#define GH_MG_REQUEST_H
#include <civetweb.h>

#include "gateway/pipeline.h"

/* Fills req (its arena set, stamped) from civetweb's request: method, raw path, query,
 * headers, Host, peer, and the body (*must_close set when it was too large to read). */
void gh_mg_build_request(struct mg_connection *conn, const struct mg_request_info *ri,
                         gh_request *req, int *must_close);
/* Writes resp as one HTTP/1.1 response (head and body in one write). */
void gh_mg_send_response(struct mg_connection *conn, const gh_request *req,
                         const gh_response *resp, int must_close);

#endif
