/* A WebSocket client for the end-to-end tests. Two transports behind one handle:
 *  - civetweb's own client (mg_connect_websocket_client, Debian's 1.15), the default: a
 *    real, independent client implementation;
 *  - a minimal raw-socket client (handshake over a plain socket, frames encoded and
 *    masked here), for what civetweb's client cannot do: send request headers of our own
 *    (Sec-WebSocket-Protocol, ...), send fragmented frames, drop the socket without a
 *    close frame, or show a refused handshake's status, headers and body (civetweb's
 *    client only says "Unexpected server reply"), or the 101's headers.
 * Either way a reader thread queues every frame the server sends; e2e_ws_recv waits on a
 * condition variable with a deadline, never sleeps. Test code only. */
#ifndef GH_E2E_WS_H
#define GH_E2E_WS_H
#include <stdbool.h>
#include <stddef.h>

#define E2E_WS_TEXT 0x1
#define E2E_WS_BINARY 0x2
#define E2E_WS_CONTINUATION 0x0
#define E2E_WS_CLOSE 0x8
#define E2E_WS_PING 0x9
#define E2E_WS_PONG 0xa

typedef struct e2e_ws e2e_ws;

typedef struct e2e_ws_options {
    bool raw;                  /* the raw-socket client even without headers */
    const char *const *headers; /* NULL or NULL-terminated "Name: value" (raw client) */
} e2e_ws_options;

/* What the server answered to the upgrade. */
typedef struct e2e_ws_answer {
    int status;     /* 101 when connected; the refusal's status (raw client), else 0 */
    char *head;     /* the raw client: the answer's status line and headers */
    char *body;     /* the raw client: a refusal's body (NUL-terminated) */
    char error[256];
} e2e_ws_answer;

/* Connects to ws://127.0.0.1:port{path}. NULL when refused or on error (see *ans). */
e2e_ws *e2e_ws_connect(int port, const char *path, const e2e_ws_options *o, e2e_ws_answer *ans);
void e2e_ws_answer_free(e2e_ws_answer *ans);
/* A header of the answer's head (raw client), copied into out; false when absent. */
bool e2e_ws_answer_header(const e2e_ws_answer *ans, const char *name, char *out, size_t outsz);

/* One frame with FIN set (civetweb or raw). 0 when written. */
int e2e_ws_send(e2e_ws *ws, int opcode, const void *data, size_t len);
int e2e_ws_send_text(e2e_ws *ws, const char *text);
/* One frame as given (raw client only): fragments are sent with fin false, then
 * E2E_WS_CONTINUATION frames. */
int e2e_ws_send_frame(e2e_ws *ws, int opcode, bool fin, const void *data, size_t len);

typedef struct e2e_ws_msg {
    int opcode;
    char *data; /* NUL-terminated; free with e2e_ws_msg_free */
    size_t len;
} e2e_ws_msg;

/* The next frame the server sent (text, binary, pong or close), waiting up to
 * timeout_ms. 0 when one came, -1 on timeout, 1 when the connection ended without more. */
int e2e_ws_recv(e2e_ws *ws, int timeout_ms, e2e_ws_msg *out);
void e2e_ws_msg_free(e2e_ws_msg *m);
/* Frames until a close frame: its code (1005 when it had none) and reason (may be NULL);
 * -1 when the connection ended or timed out first, or a data frame came before it. */
int e2e_ws_recv_close(e2e_ws *ws, int timeout_ms, char *reason, size_t reasonsz);

/* Sends a close frame with code and reason (the server answers with its own). */
int e2e_ws_close(e2e_ws *ws, int code, const char *reason);
/* Frees the client. drop: the socket is shut without a close frame (the server sees it
 * drop); else the connection simply ends (send e2e_ws_close first for a clean close). */
void e2e_ws_free(e2e_ws *ws);
void e2e_ws_drop(e2e_ws *ws);

#endif
