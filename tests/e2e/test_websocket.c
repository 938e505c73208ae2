/* End to end: the WebSocket server side of the real binary (docs/websocket.md), driven
 * by real clients (e2e_ws.h: civetweb's client, and a raw-socket one for custom request
 * headers, fragments, dropped sockets and refused handshakes) on
 * tests/data/websocket-e2e/api.yaml: the $connect authorizer and function deciding the
 * handshake, subprotocols, route selection, two-way, one-way, failing and mock routes,
 * AWS's size limits and close codes, pings, $disconnect exactly once per connection
 * (read back from the simulated SQS queue it files on), and REST beside it on the same
 * stage. No sleeps: every wait is a bounded wait on a frame, a log line or a queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "e2e_ws.h"

#define WAIT_MS 10000

static e2e_server *srv;

static int setup(void **state)
{
    (void)state;
    const char *const args[] = {"tests/data/websocket-e2e/api.yaml", NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

/* Stops the server (if the test did not) with SIGTERM: it must exit 0 and its log must
 * hold no sanitizer report, leaks at exit included. */
static int teardown(void **state)
{
    (void)state;
    if (!srv)
        return 0;
    int code = e2e_exited(srv) ? 0 : e2e_stop(srv);
    char *err = e2e_stderr(srv);
    bool dirty = e2e_has_sanitizer_report(err);
    if (dirty || code != 0)
        fprintf(stderr, "server exited %d:\n%s\n", code, err);
    free(err);
    e2e_kill(srv);
    srv = NULL;
    return dirty || code != 0 ? -1 : 0;
}

static e2e_ws *open_ws(const char *path, const e2e_ws_options *o)
{
    e2e_ws_answer ans;
    e2e_ws *ws = e2e_ws_connect(e2e_port(srv), path, o, &ans);
    if (!ws)
        fail_msg("connecting to %s: %s (%s)", path, ans.error, ans.body ? ans.body : "");
    assert_int_equal(ans.status, 101);
    e2e_ws_answer_free(&ans);
    return ws;
}

/* The next frame, which must be text; caller frees. */
static char *next_text(e2e_ws *ws)
{
    e2e_ws_msg m;
    int rc = e2e_ws_recv(ws, WAIT_MS, &m);
    if (rc != 0)
        fail_msg("no frame (%s)", rc < 0 ? "timeout" : "connection ended");
    if (m.opcode != E2E_WS_TEXT)
        fail_msg("frame with opcode %d, not text: %s", m.opcode, m.data);
    return m.data;
}

/* Sends text and returns the answer (caller frees). */
static char *ask(e2e_ws *ws, const char *text)
{
    assert_int_equal(e2e_ws_send_text(ws, text), 0);
    return next_text(ws);
}

/* The connection's id, as the echo route reports it (its last field). */
static void conn_id(e2e_ws *ws, char id[32])
{
    char *a = ask(ws, "{\"action\":\"echo\"}");
    const char *bar = strrchr(a, '|');
    assert_non_null(bar);
    assert_true(strlen(bar + 1) < 32);
    strcpy(id, bar + 1);
    free(a);
}

/* AWS's connection and request ids: 16 characters of base64 ending in '='
 * (L0SM9cOFvHcCIhw=, VNRXVFJOywMF3-Q=). */
static void assert_aws_id(const char *id)
{
    assert_int_equal(strlen(id), 16);
    assert_int_equal(id[15], '=');
    for (int i = 0; i < 15; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", id[i]))
            fail_msg("id %s: '%c' is not URL-safe base64", id, id[i]);
}

/* The same check on the id that starts text. */
static void assert_aws_id_prefix(const char *text)
{
    char id[17];
    assert_true(strlen(text) >= 16);
    memcpy(id, text, 16);
    id[16] = '\0';
    assert_aws_id(id);
}

static void test_connect_accepted_and_routed(void **state)
{
    (void)state;
    e2e_ws *ws = open_ws("/default?token=alice", NULL); /* civetweb's client */
    char id[32];
    conn_id(ws, id);
    assert_aws_id(id);
    char want[512];
    /* A route by action, the authorizer's principal on every message. */
    static const struct {
        const char *send, *route;
    } cases[] = {
        {"{\"action\":\"echo\",\"n\":1}", "echo"},
        {"{\"action\":\"nosuchroute\"}", "$default"}, /* an unknown action */
        {"{\"n\":1}", "$default"},                     /* no action */
        {"plain words, not JSON", "$default"},
        {"{\"action\":{\"nested\":1}}", "$default"}, /* not a string */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *a = ask(ws, cases[i].send);
        snprintf(want, sizeof want, "%s|MESSAGE|%s|false|user-alice|%s", cases[i].route,
                 cases[i].send, id);
        assert_string_equal(a, want);
        free(a);
    }
    /* A binary frame goes to $default, base64-encoded ("\x01\x02\xff" -> AQL/). */
    assert_int_equal(e2e_ws_send(ws, E2E_WS_BINARY, "\x01\x02\xff", 3), 0);
    char *a = next_text(ws);
    snprintf(want, sizeof want, "$default|MESSAGE|AQL/|true|user-alice|%s", id);
    assert_string_equal(a, want);
    free(a);
    assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
    e2e_ws_free(ws);
}

static void test_connect_refused(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int status;
        const char *body, *why;
    } cases[] = {
        /* the identity source is missing: 401 without calling the authorizer */
        {"/default", 401, "{\"message\":\"Unauthorized\"}", NULL},
        {"/default?token=", 401, "{\"message\":\"Unauthorized\"}", NULL},
        /* the policy denies */
        {"/default?token=deny", 403, "{\"message\":\"Forbidden\"}", NULL},
        /* $connect's own status, headers and body */
        {"/default?token=bob&deny=1", 400, "denied by $connect", "denied"},
    };
    const e2e_ws_options raw = {.raw = true};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_ws_answer ans;
        e2e_ws *ws = e2e_ws_connect(e2e_port(srv), cases[i].path, &raw, &ans);
        assert_null(ws);
        assert_int_equal(ans.status, cases[i].status);
        assert_non_null(ans.body);
        assert_string_equal(ans.body, cases[i].body);
        char v[64];
        assert_false(e2e_ws_answer_header(&ans, "Sec-WebSocket-Accept", v, sizeof v));
        assert_false(e2e_ws_answer_header(&ans, "Upgrade", v, sizeof v));
        if (cases[i].why) {
            assert_true(e2e_ws_answer_header(&ans, "X-Why", v, sizeof v));
            assert_string_equal(v, cases[i].why);
        }
        e2e_ws_answer_free(&ans);
        /* civetweb's client is refused too (it cannot show the status). */
        ws = e2e_ws_connect(e2e_port(srv), cases[i].path, NULL, &ans);
        assert_null(ws);
        e2e_ws_answer_free(&ans);
    }
}

static void test_subprotocol(void **state)
{
    (void)state;
    static const struct {
        const char *path, *offer, *answer; /* answer NULL: no header in the 101 */
    } cases[] = {
        {"/default?token=a", "Sec-WebSocket-Protocol: chat, json", "json"},
        /* $connect answers none: none in the 101 (civetweb alone would echo "json") */
        {"/default?token=a&noproto=1", "Sec-WebSocket-Protocol: chat, json", NULL},
        {"/default?token=a", "Sec-WebSocket-Protocol: chat", NULL},
        {"/default?token=a", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const headers[] = {cases[i].offer ? cases[i].offer : "X-None: 1", NULL};
        const e2e_ws_options o = {.headers = headers};
        e2e_ws_answer ans;
        e2e_ws *ws = e2e_ws_connect(e2e_port(srv), cases[i].path, &o, &ans);
        if (!ws)
            fail_msg("case %zu: %s", i, ans.error);
        char v[64];
        bool has = e2e_ws_answer_header(&ans, "Sec-WebSocket-Protocol", v, sizeof v);
        if (cases[i].answer) {
            assert_true(has);
            assert_string_equal(v, cases[i].answer);
        } else if (has) {
            fail_msg("case %zu: unexpected Sec-WebSocket-Protocol: %s", i, v);
        }
        e2e_ws_answer_free(&ans);
        assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
        assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
        e2e_ws_free(ws);
    }
}

static void test_error_frame_and_oneway(void **state)
{
    (void)state;
    e2e_ws *ws = open_ws("/default?token=carol", NULL);
    char id[32];
    conn_id(ws, id);
    /* A one-way route answers nothing: the next frame is the two-way route's answer. */
    assert_int_equal(e2e_ws_send_text(ws, "{\"action\":\"oneway\",\"n\":1}"), 0);
    char *a = ask(ws, "{\"action\":\"echo\",\"n\":2}");
    char want[512];
    snprintf(want, sizeof want, "echo|MESSAGE|{\"action\":\"echo\",\"n\":2}|false|user-carol|%s",
             id);
    assert_string_equal(a, want);
    free(a);
    /* A route that raises: AWS's error frame, the detail only in the server's log. */
    a = ask(ws, "{\"action\":\"fail\"}");
    static const char head[] = "{\"message\": \"Internal server error\", \"connectionId\":\"";
    assert_memory_equal(a, head, sizeof head - 1);
    const char *p = a + sizeof head - 1;
    assert_memory_equal(p, id, 16);
    p += 16;
    static const char mid[] = "\", \"requestId\":\"";
    assert_memory_equal(p, mid, sizeof mid - 1);
    p += sizeof mid - 1;
    char rid[17];
    memcpy(rid, p, 16);
    rid[16] = '\0';
    assert_aws_id(rid);
    assert_string_equal(p + 16, "\"}");
    free(a);
    assert_true(e2e_wait_stderr(srv, "secret detail that must stay in the log", WAIT_MS));
    assert_true(e2e_wait_stderr(srv, "stack traceback", WAIT_MS));
    char needle[128];
    snprintf(needle, sizeof needle, "WS MESSAGE fail %s 502 ", id);
    assert_true(e2e_wait_stdout(srv, needle, WAIT_MS));
    assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
    e2e_ws_free(ws);
}

static void test_mock_route_context(void **state)
{
    (void)state;
    e2e_ws *ws = open_ws("/default?token=dan", NULL);
    char id[32];
    conn_id(ws, id);
    char *a = ask(ws, "{\"action\":\"ctx\",\"said\":\"hi\"}");
    char want[256];
    /* The $default request template chose 201, whose response template rendered. */
    snprintf(want, sizeof want,
             "{\"conn\": \"%s\", \"route\": \"ctx\", \"event\": \"MESSAGE\", \"stage\": \"default\"}",
             id);
    assert_string_equal(a, want);
    free(a);
    assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
    e2e_ws_free(ws);
}

static void test_ping_and_fragments(void **state)
{
    (void)state;
    const e2e_ws_options raw = {.raw = true};
    e2e_ws *ws = open_ws("/default?token=erin", &raw);
    char id[32];
    conn_id(ws, id);
    assert_int_equal(e2e_ws_send(ws, E2E_WS_PING, "are you there", 13), 0);
    e2e_ws_msg m;
    assert_int_equal(e2e_ws_recv(ws, WAIT_MS, &m), 0);
    assert_int_equal(m.opcode, E2E_WS_PONG);
    assert_int_equal(m.len, 13);
    assert_string_equal(m.data, "are you there");
    e2e_ws_msg_free(&m);
    /* One message in three fragments, a ping between two of them (control frames may
     * interleave, RFC 6455 §5.4). */
    assert_int_equal(e2e_ws_send_frame(ws, E2E_WS_TEXT, false, "{\"action\":", 10), 0);
    assert_int_equal(e2e_ws_send_frame(ws, E2E_WS_CONTINUATION, false, "\"echo\",", 7), 0);
    assert_int_equal(e2e_ws_send(ws, E2E_WS_PING, "", 0), 0);
    assert_int_equal(e2e_ws_send_frame(ws, E2E_WS_CONTINUATION, true, "\"part\":3}", 9), 0);
    assert_int_equal(e2e_ws_recv(ws, WAIT_MS, &m), 0);
    assert_int_equal(m.opcode, E2E_WS_PONG);
    assert_int_equal(m.len, 0);
    e2e_ws_msg_free(&m);
    char *a = next_text(ws);
    char want[256];
    snprintf(want, sizeof want, "echo|MESSAGE|{\"action\":\"echo\",\"part\":3}|false|user-erin|%s",
             id);
    assert_string_equal(a, want);
    free(a);
    assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
    e2e_ws_free(ws);
}

/* Counts the lines of text containing needle. */
static int count_lines(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Waits for the connection's $disconnect access-log line (written once the route ran,
 * so its message is on the queue by then). */
static void wait_disconnect(const char *id)
{
    char needle[96];
    snprintf(needle, sizeof needle, "WS DISCONNECT $disconnect %s 200 ", id);
    if (!e2e_wait_stdout(srv, needle, WAIT_MS))
        fail_msg("no $disconnect for %s", id);
}

/* The records $disconnect filed for this connection, peeked from the queue. */
static int disconnect_records(const char *id, char *first, size_t firstsz)
{
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/_gatehouse/queues/disconnects/messages?max=1000",
                                 NULL, NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    json_t *v = e2e_body_json(&r);
    assert_non_null(v);
    json_t *msgs = json_object_get(v, "messages");
    int n = 0;
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        const char *body = e2e_json_str(json_array_get(msgs, i), "body");
        if (body && strncmp(body, id, strlen(id)) == 0 && body[strlen(id)] == '|') {
            if (n++ == 0 && first)
                snprintf(first, firstsz, "%s", body);
        }
    }
    json_decref(v);
    e2e_response_free(&r);
    return n;
}

static void test_limits_close_1009(void **state)
{
    (void)state;
    /* A 40 KB frame: over AWS's 32 KB frame limit (civetweb's client sends one frame). */
    e2e_ws *ws = open_ws("/default?token=frank", NULL);
    char id1[32], id2[32];
    conn_id(ws, id1);
    size_t big = 40 * 1024;
    char *data = malloc(big);
    memset(data, 'x', big);
    assert_int_equal(e2e_ws_send(ws, E2E_WS_TEXT, data, big), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1009);
    e2e_ws_free(ws);
    /* A 129 KB message in 26 KB fragments, each under the frame limit: over 128 KB. */
    const e2e_ws_options raw = {.raw = true};
    ws = open_ws("/default?token=frank", &raw);
    conn_id(ws, id2);
    size_t frag = 26 * 1024 + 205, total = 129 * 1024; /* 5 fragments */
    for (size_t off = 0; off < total; off += frag) {
        size_t n = total - off < frag ? total - off : frag;
        int rc = e2e_ws_send_frame(ws, off ? E2E_WS_CONTINUATION : E2E_WS_TEXT,
                                   off + n == total, data, n);
        if (rc != 0)
            break; /* the server may have closed already */
    }
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1009);
    e2e_ws_free(ws);
    free(data);
    char rec[256], want[256];
    wait_disconnect(id1);
    assert_int_equal(disconnect_records(id1, rec, sizeof rec), 1);
    snprintf(want, sizeof want, "%s|DISCONNECT|$disconnect|1009|", id1);
    assert_string_equal(rec, want);
    wait_disconnect(id2);
    assert_int_equal(disconnect_records(id2, rec, sizeof rec), 1);
    snprintf(want, sizeof want, "%s|DISCONNECT|$disconnect|1009|", id2);
    assert_string_equal(rec, want);
}

static void test_disconnect_once_each(void **state)
{
    (void)state;
    static const struct {
        int code;             /* 0: dropped without a close frame */
        const char *reason;
        bool raw;
        const char *want;     /* after the id */
    } cases[] = {
        {1000, "", false, "|DISCONNECT|$disconnect|1000|"},
        {4000, "bye now", false, "|DISCONNECT|$disconnect|4000|bye now"},
        {4001, "raw bye", true, "|DISCONNECT|$disconnect|4001|raw bye"},
        {0, NULL, true, "|DISCONNECT|$disconnect|1006|"},
    };
    char ids[4][32];
    for (size_t i = 0; i < 4; i++) {
        const e2e_ws_options raw = {.raw = cases[i].raw};
        e2e_ws *ws = open_ws("/default?token=gina", &raw);
        conn_id(ws, ids[i]);
        if (cases[i].code) {
            assert_int_equal(e2e_ws_close(ws, cases[i].code, cases[i].reason), 0);
            /* The server echoes the code. */
            assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), cases[i].code);
            e2e_ws_free(ws);
        } else {
            e2e_ws_drop(ws);
        }
    }
    for (size_t i = 0; i < 4; i++) {
        wait_disconnect(ids[i]);
        char rec[256], want[256];
        assert_int_equal(disconnect_records(ids[i], rec, sizeof rec), 1);
        snprintf(want, sizeof want, "%s%s", ids[i], cases[i].want);
        assert_string_equal(rec, want);
    }
    /* A connection still open when the server stops: closed with 1001, its
     * $disconnect run before the server exits. */
    const e2e_ws_options raw = {.raw = true};
    e2e_ws *last = open_ws("/default?token=gina", &raw);
    char last_id[32];
    conn_id(last, last_id);
    assert_int_equal(e2e_stop(srv), 0);
    char reason[64];
    assert_int_equal(e2e_ws_recv_close(last, WAIT_MS, reason, sizeof reason), 1001);
    assert_string_equal(reason, "Going away");
    e2e_ws_free(last);
    /* Exactly once each, after the server stopped. */
    char *out = e2e_stdout(srv);
    char needle[96];
    snprintf(needle, sizeof needle, "WS DISCONNECT $disconnect %s 200 ", last_id);
    assert_int_equal(count_lines(out, needle), 1);
    for (size_t i = 0; i < 4; i++) {
        snprintf(needle, sizeof needle, "WS DISCONNECT $disconnect %s ", ids[i]);
        assert_int_equal(count_lines(out, needle), 1);
        snprintf(needle, sizeof needle, "WS CONNECT $connect %s 101 ", ids[i]);
        assert_int_equal(count_lines(out, needle), 1);
    }
    free(out);
}

static void test_rest_beside(void **state)
{
    (void)state;
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/default/health", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"rest\": \"health\"}");
    e2e_response_free(&r);
    /* A plain GET on the stage root is a REST request too. */
    assert_int_equal(e2e_request(srv, "GET", "/default", NULL, NULL, 0, &r), 0);
    long root_status = r.status;
    char *root_body = strdup(r.body);
    e2e_response_free(&r);
    /* An upgrade on a path no WebSocket API serves gets the REST answer. */
    const e2e_ws_options raw = {.raw = true};
    static const struct {
        const char *path;
        long status;
        const char *body;
    } cases[] = {
        {"/default/health", 200, "{\"rest\": \"health\"}"},
        {"/nosuchstage", 403, "{\"message\":\"Missing Authentication Token\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_ws_answer ans;
        assert_null(e2e_ws_connect(e2e_port(srv), cases[i].path, &raw, &ans));
        assert_int_equal(ans.status, cases[i].status);
        assert_string_equal(ans.body, cases[i].body);
        e2e_ws_answer_free(&ans);
    }
    assert_int_equal(root_status, 403);
    assert_string_equal(root_body, "{\"message\":\"Missing Authentication Token\"}");
    free(root_body);
}

/* A definition without $default: AWS's Forbidden frame, byte for byte apart from ids. */
static void test_forbidden_frame(void **state)
{
    (void)state;
    const char *const args[] = {"tests/data/websocket-e2e/nodefault.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_ws *ws = open_ws("/default", NULL); /* no $connect: accepted */
    char *a = ask(ws, "{\"action\":\"echo\"}");
    const char *bar = strrchr(a, '|');
    assert_non_null(bar);
    char id[32];
    snprintf(id, sizeof id, "%s", bar + 1);
    assert_aws_id(id);
    free(a);
    static const char *const unrouted[] = {"{\"action\":\"other\"}", "not json", "{}"};
    for (size_t i = 0; i < 3; i++) {
        a = ask(ws, unrouted[i]);
        static const char head[] = "{\"message\": \"Forbidden\", \"connectionId\":\"";
        assert_memory_equal(a, head, sizeof head - 1);
        const char *p = a + sizeof head - 1;
        assert_memory_equal(p, id, 16);
        p += 16;
        static const char mid[] = "\", \"requestId\":\"";
        assert_memory_equal(p, mid, sizeof mid - 1);
        p += sizeof mid - 1;
        char rid[17];
        memcpy(rid, p, 16);
        rid[16] = '\0';
        assert_aws_id(rid);
        assert_string_equal(p + 16, "\"}");
        free(a);
    }
    assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
    e2e_ws_free(ws);
}

/* Connections may take only the workers HTTP does not need: with --threads 8, four (the
 * other four kept for HTTP); the fifth upgrade is throttled with API Gateway's 429 and
 * a warning says to raise --threads, while HTTP requests are still answered. */
static void test_capacity_keeps_http_workers(void **state)
{
    (void)state;
    const char *const args[] = {"tests/data/websocket-e2e/nodefault.yaml", "--threads", "8",
                                NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_ws *open[4];
    for (size_t i = 0; i < 4; i++)
        open[i] = open_ws("/default", NULL);
    const e2e_ws_options raw = {.raw = true};
    e2e_ws_answer ans;
    assert_null(e2e_ws_connect(e2e_port(srv), "/default", &raw, &ans));
    assert_int_equal(ans.status, 429);
    assert_string_equal(ans.body, "{\"message\":\"Too Many Requests\"}");
    e2e_ws_answer_free(&ans);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/_gatehouse/health", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    e2e_response_free(&r);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(e2e_ws_close(open[i], 1000, ""), 0);
        assert_int_equal(e2e_ws_recv_close(open[i], WAIT_MS, NULL, 0), 1000);
        e2e_ws_free(open[i]);
    }
    assert_int_equal(e2e_stop(srv), 0);
    char *err = e2e_stderr(srv);
    assert_non_null(strstr(err, "websocket: 4 connections open"));
    assert_non_null(strstr(err, "raise --threads"));
    free(err);
}

/* An idle connection is closed by the server with 1001 once idleTimeout (1 s) passed. */
static void test_idle_timeout(void **state)
{
    (void)state;
    const char *const args[] = {"tests/data/websocket-e2e/idle.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_ws *ws = open_ws("/default", NULL);
    char reason[64];
    /* The sweeper checks about once a second: within three seconds at most. */
    assert_int_equal(e2e_ws_recv_close(ws, 5000, reason, sizeof reason), 1001);
    assert_string_equal(reason, "Going away");
    e2e_ws_free(ws);
    assert_true(e2e_wait_stdout(srv, "WS DISCONNECT $disconnect ", WAIT_MS));
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/_gatehouse/queues/disconnects/messages", NULL,
                                 NULL, 0, &r),
                     0);
    json_t *v = e2e_body_json(&r);
    assert_int_equal(json_array_size(json_object_get(v, "messages")), 1);
    const char *body = e2e_json_str(v, "messages.0.body");
    assert_non_null(body);
    assert_aws_id_prefix(body);
    assert_string_equal(body + 16, "|DISCONNECT|$disconnect|1001|Going away");
    json_decref(v);
    e2e_response_free(&r);
}

/* A client that ignores the idle close frame does not keep the connection: the server
 * drops the socket after its grace period (2 s), as API Gateway would not wait either,
 * and $disconnect still reports 1001. */
static void test_unanswered_close_dropped(void **state)
{
    (void)state;
    const char *const args[] = {"tests/data/websocket-e2e/idle.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    const e2e_ws_options raw = {.raw = true};
    e2e_ws *ws = open_ws("/default", &raw);
    e2e_ws_msg m;
    assert_int_equal(e2e_ws_recv(ws, 5000, &m), 0);
    assert_int_equal(m.opcode, E2E_WS_CLOSE);
    e2e_ws_msg_free(&m);
    /* No answer from us: the socket ends from the server's side. */
    assert_int_equal(e2e_ws_recv(ws, 6000, &m), 1);
    assert_true(e2e_wait_stdout(srv, "WS DISCONNECT $disconnect ", WAIT_MS));
    e2e_ws_free(ws);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/_gatehouse/queues/disconnects/messages", NULL,
                                 NULL, 0, &r),
                     0);
    json_t *v = e2e_body_json(&r);
    const char *body = e2e_json_str(v, "messages.0.body");
    assert_non_null(body);
    assert_string_equal(body + 16, "|DISCONNECT|$disconnect|1001|Going away");
    json_decref(v);
    e2e_response_free(&r);
}

/* --- serve --watch: a reload keeps open connections open --- */

static char watch_dir[64];

static void write_in(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", watch_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void write_answer_lua(const char *tag)
{
    char lua[256];
    snprintf(lua, sizeof lua,
             "return function(event) return {statusCode = 200, body = \"%s \" .. "
             "event.requestContext.routeKey} end\n",
             tag);
    write_in("answer.lua", lua);
}

static void test_watch_reload_keeps_connection(void **state)
{
    (void)state;
    snprintf(watch_dir, sizeof watch_dir, "/tmp/gh-ws-watch-XXXXXX");
    assert_non_null(mkdtemp(watch_dir));
    write_in("api.yaml", "x-gatehouse:\n"
                         "  functions: {answer: answer.lua}\n"
                         "  websocket:\n"
                         "    routes:\n"
                         "      $default: {function: answer, routeResponse: true}\n");
    write_answer_lua("v1");
    char def[128];
    snprintf(def, sizeof def, "%s/api.yaml", watch_dir);
    const char *const args[] = {def, "--watch", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_ws *ws = open_ws("/default", NULL);
    char *a = ask(ws, "hello");
    assert_string_equal(a, "v1 $default");
    free(a);
    write_answer_lua("v2");
    assert_true(e2e_wait_stderr(srv, "reloaded (generation 2)", WAIT_MS));
    /* The same connection, now served by the new model. */
    a = ask(ws, "hello again");
    assert_string_equal(a, "v2 $default");
    free(a);
    assert_int_equal(e2e_ws_close(ws, 1000, ""), 0);
    assert_int_equal(e2e_ws_recv_close(ws, WAIT_MS, NULL, 0), 1000);
    e2e_ws_free(ws);
}

static int watch_teardown(void **state)
{
    int rc = teardown(state);
    static const char *const names[] = {"api.yaml", "answer.lua"};
    for (size_t i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", watch_dir, names[i]);
        unlink(path);
    }
    return rmdir(watch_dir) == 0 ? rc : -1;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_connect_accepted_and_routed),
        T(test_connect_refused),
        T(test_subprotocol),
        T(test_error_frame_and_oneway),
        T(test_mock_route_context),
        T(test_ping_and_fragments),
        T(test_limits_close_1009),
        T(test_disconnect_once_each),
        T(test_rest_beside),
        cmocka_unit_test_teardown(test_forbidden_frame, teardown),
        cmocka_unit_test_teardown(test_idle_timeout, teardown),
        cmocka_unit_test_teardown(test_capacity_keeps_http_workers, teardown),
        cmocka_unit_test_teardown(test_unanswered_close_dropped, teardown),
        cmocka_unit_test_teardown(test_watch_reload_keeps_connection, watch_teardown),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
