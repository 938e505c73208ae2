/* examples/chat on the real binary (issue 8): the chat room driven by real clients.
 *   node      tests/e2e/sdk/chat.mjs: three `ws` clients (broadcast reaches all three),
 *             the AWS SDK v3's ApiGatewayManagementApi client (PostToConnection,
 *             GetConnection, DeleteConnection at endpoint http://127.0.0.1:PORT/dev) and
 *             its GoneException class after a close. Skips without node or the SDK
 *             (`npm ci` in tests/e2e/sdk).
 *   aws cli   `aws apigatewaymanagementapi post-to-connection / get-connection /
 *             delete-connection --endpoint-url http://127.0.0.1:PORT/dev` against a
 *             civetweb WebSocket client (mg_connect_websocket_client) that receives what
 *             the CLI posted and is closed by the delete; then 410 GoneException, from
 *             the CLI and on the wire. Every CLI found runs (Debian's v2 in /usr/bin and
 *             the one on PATH); skips when there is none.
 * Waits are bounded condition waits, never sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <civetweb.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

#define WAIT_MS 5000

static e2e_server *srv;

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

static void start_chat(void)
{
    const char *const args[] = {"examples/chat/api.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
}

/* ---- a civetweb WebSocket client that keeps what it receives ---- */

typedef struct ws_client {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char msgs[8][512];
    int nmsgs, taken;
    bool closed;
    struct mg_connection *conn;
} ws_client;

static int on_data(struct mg_connection *c, int flags, char *data, size_t len, void *ud)
{
    (void)c;
    ws_client *w = ud;
    int op = flags & 0xf;
    if (op != MG_WEBSOCKET_OPCODE_TEXT && op != MG_WEBSOCKET_OPCODE_BINARY)
        return 1; /* pings, pongs; a close frame ends the connection via on_close */
    pthread_mutex_lock(&w->mu);
    if (w->nmsgs < 8) {
        size_t n = len < 511 ? len : 511;
        memcpy(w->msgs[w->nmsgs], data, n);
        w->msgs[w->nmsgs][n] = '\0';
        w->nmsgs++;
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 1;
}

static void on_close(const struct mg_connection *c, void *ud)
{
    (void)c;
    ws_client *w = ud;
    pthread_mutex_lock(&w->mu);
    w->closed = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static struct timespec deadline(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += WAIT_MS / 1000;
    return ts;
}

/* The next message (copied into out), or fails after WAIT_MS. */
static void next_message(ws_client *w, char *out, size_t cap)
{
    struct timespec ts = deadline();
    pthread_mutex_lock(&w->mu);
    while (w->taken >= w->nmsgs)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT)
            break;
    bool got = w->taken < w->nmsgs;
    if (got)
        snprintf(out, cap, "%s", w->msgs[w->taken++]);
    pthread_mutex_unlock(&w->mu);
    if (!got)
        fail_msg("no WebSocket message within %d ms", WAIT_MS);
}

static bool wait_closed(ws_client *w)
{
    struct timespec ts = deadline();
    pthread_mutex_lock(&w->mu);
    while (!w->closed)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT)
            break;
    bool closed = w->closed;
    pthread_mutex_unlock(&w->mu);
    return closed;
}

/* Connects with ?token=...; false (client untouched) when the server does not upgrade. */
static bool ws_open(ws_client *w, const char *token)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "/dev?token=%s", token);
    w->conn = mg_connect_websocket_client("127.0.0.1", e2e_port(srv), 0, err, sizeof err, path,
                                          NULL, on_data, on_close, w);
    if (!w->conn)
        fprintf(stderr, "test_chat_example: WebSocket connect: %s\n", err);
    return w->conn != NULL;
}

static void ws_send(ws_client *w, const char *text)
{
    assert_true(mg_websocket_client_write(w->conn, MG_WEBSOCKET_OPCODE_TEXT, text, strlen(text)) >
                0);
}

static void ws_free(ws_client *w)
{
    if (w->conn)
        mg_close_connection(w->conn);
    w->conn = NULL;
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

/* The connection id of w, from the whoami route. */
static void whoami_id(ws_client *w, char *id, size_t cap)
{
    char msg[512];
    ws_send(w, "{\"action\":\"whoami\"}");
    next_message(w, msg, sizeof msg);
    const char *k = strstr(msg, "\"connectionId\":\"");
    assert_non_null(k);
    k += strlen("\"connectionId\":\"");
    size_t n = strcspn(k, "\"");
    assert_true(n > 0 && n < cap);
    memcpy(id, k, n);
    id[n] = '\0';
}

/* ---- node: ws + the AWS SDK ---- */

static void node_chat(void **state)
{
    (void)state;
    static const char *const packages[] = {"@aws-sdk/client-apigatewaymanagementapi", "ws", NULL};
    if (!e2e_node_ready("test_chat_example", packages))
        skip();
    start_chat();
    static const char *const steps[] = {
        "ok - $connect refuses a missing token (401) and an unknown one (403)\n",
        "ok - three members connect; whoami answers each with its name and id\n",
        "ok - sendmessage reaches all three\n",
        "ok - $default answers the help text\n",
        "ok - PostToConnection reaches bob\n",
        "ok - GetConnection gives connectedAt, lastActiveAt and the identity\n",
        "ok - DeleteConnection closes carol (1000); she is then GoneException\n",
        "ok - after alice closes, posting to her raises GoneException\n",
        "all steps passed\n",
    };
    char *why = e2e_node_script("chat.mjs", e2e_port(srv), steps, sizeof steps / sizeof steps[0]);
    if (why)
        fail_msg("%s", why);
}

/* ---- the AWS CLI ---- */

/* Runs `CLI apigatewaymanagementapi ARGS --endpoint-url http://127.0.0.1:PORT/dev`;
 * stdout and stderr (malloc'd). */
static char *mgmt(const char *cli, const char *fmt, ...)
{
    char args[1024], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd,
             "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_CONFIG_FILE=/dev/null "
             "AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER= "
             "timeout 60 %s apigatewaymanagementapi --endpoint-url http://127.0.0.1:%d/dev "
             "--region us-east-1 --output json %s 2>&1",
             cli, e2e_port(srv), args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);
    assert_non_null(out);
    while (n < cap - 1 && (got = fread(out + n, 1, cap - n - 1, p)) > 0)
        n += got;
    out[n] = '\0';
    pclose(p);
    return out;
}

static void expect(char *out, const char *needle)
{
    if (!strstr(out, needle))
        fail_msg("expected '%s' in:\n%s", needle, out);
    free(out);
}

/* One CLI: post to a civetweb client, read its info, delete it, then 410. v2 reads blob
 * arguments as base64 unless told otherwise; v1 takes them as text. */
static void cli_scenario(const char *cli, bool v2)
{
    ws_client w;
    assert_true(ws_open(&w, "bob-token"));
    char id[32], msg[512];
    whoami_id(&w, id, sizeof id);

    expect(mgmt(cli, "post-to-connection --connection-id '%s' --data 'from the cli' %s", id,
                v2 ? "--cli-binary-format raw-in-base64-out" : ""),
           "");
    next_message(&w, msg, sizeof msg);
    assert_string_equal(msg, "from the cli");

    char *info = mgmt(cli, "get-connection --connection-id '%s'", id);
    assert_non_null(strstr(info, "\"ConnectedAt\": \""));
    assert_non_null(strstr(info, "\"LastActiveAt\": \""));
    assert_non_null(strstr(info, "\"SourceIp\": \"127.0.0.1\""));
    free(info);

    expect(mgmt(cli, "delete-connection --connection-id '%s'", id), "");
    assert_true(wait_closed(&w));

    expect(mgmt(cli, "post-to-connection --connection-id '%s' --data 'too late' %s", id,
                v2 ? "--cli-binary-format raw-in-base64-out" : ""),
           "An error occurred (GoneException) when calling the PostToConnection operation");
    expect(mgmt(cli, "get-connection --connection-id '%s'", id),
           "An error occurred (GoneException) when calling the GetConnection operation");

    /* On the wire: 410, the type in x-amzn-ErrorType, an empty body. */
    char path[128];
    snprintf(path, sizeof path, "/dev/@connections/%s", id);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", path, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 410);
    assert_string_equal(e2e_header_get(&r, "x-amzn-ErrorType"), "GoneException");
    assert_int_equal(r.body_len, 0);
    e2e_response_free(&r);
    ws_free(&w);
}

static bool cli_is_v2(const char *cli)
{
    char cmd[600], ver[256] = "";
    snprintf(cmd, sizeof cmd, "%s --version 2>&1", cli);
    FILE *p = popen(cmd, "r");
    if (p) {
        if (!fgets(ver, sizeof ver, p))
            ver[0] = '\0';
        pclose(p);
    }
    return strstr(ver, "aws-cli/2.") != NULL;
}

static void aws_cli_chat(void **state)
{
    (void)state;
    const char *v2 = access("/usr/bin/aws", X_OK) == 0 ? "/usr/bin/aws" : NULL;
    static char path_aws[512];
    const char *other = NULL;
    FILE *p = popen("command -v aws 2>/dev/null", "r");
    if (p && fgets(path_aws, sizeof path_aws, p)) {
        path_aws[strcspn(path_aws, "\n")] = '\0';
        if (strcmp(path_aws, "/usr/bin/aws") != 0 && strcmp(path_aws, "/bin/aws") != 0)
            other = path_aws;
    }
    if (p)
        pclose(p);
    if (!v2 && !other) {
        fprintf(stderr, "test_chat_example: no AWS CLI; skipped\n");
        skip();
    }
    start_chat();
    if (v2)
        cli_scenario(v2, cli_is_v2(v2));
    if (other)
        cli_scenario(other, cli_is_v2(other));
}

int main(void)
{
    mg_init_library(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(node_chat, teardown),
        cmocka_unit_test_teardown(aws_cli_chat, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mg_exit_library();
    return rc;
}
