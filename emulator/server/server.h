/* civetweb glue: turns each HTTP request into a gh_request, runs the pipeline on the
 * live runtime, writes the response in one send and logs one access line. */
#ifndef GH_SERVER_H
#define GH_SERVER_H
#include <stdbool.h>
#include <stddef.h>

#include "server/runtime.h"

typedef struct gh_server gh_server;

typedef struct gh_server_options {
    const char *host;   /* "127.0.0.1" */
    int port;           /* 0: any free port */
    size_t threads;     /* 0: default (enough for hundreds of keep-alive clients) */
    /* serve --check-signatures: the @connections API verifies SigV4 (websocket/ws_mgmt.h) */
    bool check_signatures;
} gh_server_options;

/* NULL with a message in err when the port cannot be bound. */
gh_server *gh_server_start(gh_live *live, const gh_server_options *opt, char *err, size_t errlen);
int gh_server_port(const gh_server *s);
void gh_server_stop(gh_server *s);

#endif
