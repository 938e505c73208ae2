/* End to end: `gatehouse serve --watch` on a definition and Lua handlers written by the
 * test into a fresh temp directory. Edits the files the way a user would and checks what
 * the server answers: a changed handler, an added route, a broken definition (the error
 * with its file:line:col, the previous model kept serving), the fix, and requests in
 * flight across a reload finishing on the model they started on.
 *
 * A reload is driven by the file system (the server polls modification times), so each
 * step waits for its effect with a bounded poll (at most WAIT_MS, short pauses between
 * attempts) instead of assuming how long a reload takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

#define WAIT_MS 5000
/* The slow handlers run this long: several --watch polls (300 ms) plus a reload, so the
 * reload certainly lands while they run; the test checks that it did. */
#define BUSY_MS 1500

static char dir[64];
static char def_path[128];
static e2e_server *srv;

/* The definition, in pieces: tag is what the gateway-response override says ("old" or
 * "new"); with_bye adds the /bye route; broken appends a line libyaml rejects. */
static const char DEF_HEAD[] =
    "openapi: \"3.0.1\"\n"
    "info:\n"
    "  title: \"watch\"\n"
    "  version: \"1\"\n"
    "paths:\n"
    "  /hello:\n"
    "    get:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: \"aws_proxy\"\n"
    "        httpMethod: \"POST\"\n"
    "        uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:hello/invocations\"\n"
    "  /busy:\n"
    "    get:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: \"aws_proxy\"\n"
    "        httpMethod: \"POST\"\n"
    "        uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:busy/invocations\"\n"
    "  /busyfail:\n"
    "    get:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: \"aws_proxy\"\n"
    "        httpMethod: \"POST\"\n"
    "        uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:busyfail/invocations\"\n";

static const char DEF_BYE[] =
    "  /bye:\n"
    "    get:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: \"mock\"\n"
    "        requestTemplates:\n"
    "          application/json: \"{\\\"statusCode\\\": 200}\"\n"
    "        responses:\n"
    "          default:\n"
    "            statusCode: \"200\"\n"
    "            responseTemplates:\n"
    "              application/json: \"{\\\"bye\\\": true}\"\n";

/* %s: the tag, three times. The override's header value and template live in the
 * model: a response that used them must be sent before its model may be freed. */
static const char DEF_TAIL[] =
    "x-amazon-apigateway-gateway-responses:\n"
    "  DEFAULT_5XX:\n"
    "    responseParameters:\n"
    "      gatewayresponse.header.X-Watch: \"'%s'\"\n"
    "    responseTemplates:\n"
    "      application/json: \"{\\\"watch\\\": \\\"%s\\\"}\"\n"
    "x-gatehouse:\n"
    "  apiId: \"watchtest1\"\n"
    "  functions:\n"
    "    hello:\n"
    "      handler: \"hello.lua\"\n"
    "    busy:\n"
    "      handler: \"busy.lua\"\n"
    "      timeout: 10\n"
    "    busyfail:\n"
    "      handler: \"busyfail.lua\"\n"
    "      timeout: 10\n"
    "# tag %s\n";

/* libyaml: "mapping values are not allowed in this context" at the second ':'. */
static const char BROKEN_LINE[] = "x-broken: a: b\n";

static const char BUSY_LUA[] =
    "local gatehouse = require(\"gatehouse\")\n"
    "return function(event, context)\n"
    "  gatehouse.log(\"busy started\")\n"
    "  local t0 = gatehouse.now()\n"
    "  while gatehouse.now() - t0 < %d do end\n"
    "  return {statusCode = 200, body = \"busy done\"}\n"
    "end\n";

static const char BUSYFAIL_LUA[] =
    "local gatehouse = require(\"gatehouse\")\n"
    "return function(event, context)\n"
    "  gatehouse.log(\"busyfail started\")\n"
    "  local t0 = gatehouse.now()\n"
    "  while gatehouse.now() - t0 < %d do end\n"
    "  error(\"fails on purpose\")\n"
    "end\n";

static const char HELLO_LUA[] = "return function() return {statusCode = 200, body = \"%s\"} end\n";

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes text to dir/name in place (truncate + write), as most editors' "save" does. */
static void write_file(const char *name, const char *text)
{
    char path[192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* The definition text (caller frees); *broken_line gets the 1-based line of BROKEN_LINE. */
static char *definition(const char *tag, bool with_bye, bool broken, int *broken_line)
{
    char tail[sizeof DEF_TAIL + 64];
    snprintf(tail, sizeof tail, DEF_TAIL, tag, tag, tag);
    size_t n = strlen(DEF_HEAD) + strlen(DEF_BYE) + strlen(tail) + strlen(BROKEN_LINE) + 1;
    char *t = calloc(1, n);
    assert_non_null(t);
    strcat(t, DEF_HEAD);
    if (with_bye)
        strcat(t, DEF_BYE);
    strcat(t, tail);
    if (broken_line) {
        int lines = 0;
        for (const char *p = t; *p; p++)
            lines += *p == '\n';
        *broken_line = lines + 1;
    }
    if (broken)
        strcat(t, BROKEN_LINE);
    return t;
}

static void write_definition(const char *tag, bool with_bye, bool broken, int *broken_line)
{
    char *t = definition(tag, with_bye, broken, broken_line);
    write_file("api.yaml", t);
    free(t);
}

static void write_hello(const char *answer)
{
    char t[sizeof HELLO_LUA + 64];
    snprintf(t, sizeof t, HELLO_LUA, answer);
    write_file("hello.lua", t);
}

static int teardown(void **state);

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/gh-watch-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(def_path, sizeof def_path, "%s/api.yaml", dir);
    char t[512];
    write_definition("old", false, false, NULL);
    write_hello("v1");
    snprintf(t, sizeof t, BUSY_LUA, BUSY_MS);
    write_file("busy.lua", t);
    /* Longer than busy: it is the last request on the old model, whose release frees it. */
    snprintf(t, sizeof t, BUSYFAIL_LUA, BUSY_MS + 500);
    write_file("busyfail.lua", t);
    const char *const args[] = {def_path, "--watch", NULL};
    srv = e2e_start(args);
    if (!srv) {
        teardown(state); /* cmocka skips the group teardown when setup fails */
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    static const char *const names[] = {"api.yaml", "hello.lua", "busy.lua", "busyfail.lua",
                                        "greet.lua"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    return rmdir(dir) == 0 ? 0 : -1;
}

/* Polls GET path until it answers status with body, for at most WAIT_MS. */
static bool poll_answer(const char *path, long status, const char *body)
{
    int64_t deadline = now_ms() + WAIT_MS;
    do {
        e2e_response r;
        if (e2e_request(srv, "GET", path, NULL, NULL, 0, &r) == 0) {
            bool ok = r.status == status && strcmp(r.body, body) == 0;
            e2e_response_free(&r);
            if (ok)
                return true;
        }
        pause_ms(50);
    } while (now_ms() < deadline);
    return false;
}

static void assert_answer(const char *path, long status, const char *body)
{
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", path, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, status);
    assert_string_equal(r.body, body);
    e2e_response_free(&r);
}

static void assert_reloaded(unsigned generation)
{
    char line[64];
    snprintf(line, sizeof line, "reloaded (generation %u)", generation);
    if (!e2e_wait_stderr(srv, line, WAIT_MS)) {
        char *err = e2e_stderr(srv);
        fprintf(stderr, "no `%s` in stderr:\n%s\n", line, err);
        free(err);
        fail();
    }
}

static void test_starts_on_generation_one(void **state)
{
    (void)state;
    assert_answer("/default/hello", 200, "v1");
    /* AWS's answer for a route that does not exist (yet). */
    assert_answer("/default/bye", 403, "{\"message\":\"Missing Authentication Token\"}");
}

static void test_handler_edit_reloads(void **state)
{
    (void)state;
    write_hello("v2");
    assert_true(poll_answer("/default/hello", 200, "v2"));
    assert_reloaded(2);
}

static void test_definition_edit_adds_route(void **state)
{
    (void)state;
    write_definition("old", true, false, NULL);
    assert_true(poll_answer("/default/bye", 200, "{\"bye\": true}"));
    assert_reloaded(3);
    assert_answer("/default/hello", 200, "v2");
}

static void test_broken_definition_keeps_serving(void **state)
{
    (void)state;
    int line = 0;
    write_definition("old", true, true, &line);
    assert_true(e2e_wait_stderr(srv, "reload failed; still serving the previous definition",
                                WAIT_MS));
    char *err = e2e_stderr(srv);
    char bad[512] = "";
    size_t nlines = 0;
    assert_true(e2e_lines_have_positions(err, def_path, bad, sizeof bad, &nlines));
    assert_int_equal(nlines, 1);
    char at[160];
    snprintf(at, sizeof at, "%s:%d:", def_path, line);
    const char *const needles[] = {at, "syntax error", NULL};
    if (!e2e_line_with(err, needles))
        fprintf(stderr, "expected a line with `%s`, stderr:\n%s\n", at, err);
    assert_true(e2e_line_with(err, needles));
    assert_null(strstr(err, "generation 4"));
    free(err);
    /* Generation 3 still answers, routes and handlers alike. */
    assert_answer("/default/bye", 200, "{\"bye\": true}");
    assert_answer("/default/hello", 200, "v2");
    assert_false(e2e_exited(srv));
}

static void test_fixed_definition_serves_again(void **state)
{
    (void)state;
    write_definition("old", false, false, NULL);
    assert_true(poll_answer("/default/bye", 403, "{\"message\":\"Missing Authentication Token\"}"));
    assert_reloaded(4);
    assert_answer("/default/hello", 200, "v2");
}

typedef struct inflight {
    const char *path;
    const char *started;   /* the handler's log line once it runs */
    e2e_response resp;
    int rc;
    bool reloaded_before_answer; /* the reload was logged before the answer came back */
} inflight;

static void *inflight_main(void *arg)
{
    inflight *f = arg;
    f->rc = e2e_request(srv, "GET", f->path, NULL, NULL, 0, &f->resp);
    char *err = e2e_stderr(srv);
    f->reloaded_before_answer = strstr(err, "reloaded (generation 5)") != NULL;
    free(err);
    return NULL;
}

/* A reload while two slow requests run: both finish on the model they started on. The
 * failing one answers through the old model's gateway-response override, whose strings
 * live in the old model: it must not be freed before that answer is sent. */
static void test_inflight_requests_finish_on_old_model(void **state)
{
    (void)state;
    inflight ok = {.path = "/default/busy", .started = "busy started"};
    inflight bad = {.path = "/default/busyfail", .started = "busyfail started"};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, inflight_main, &ok), 0);
    assert_int_equal(pthread_create(&t2, NULL, inflight_main, &bad), 0);
    bool running = e2e_wait_stderr(srv, ok.started, WAIT_MS) &&
                   e2e_wait_stderr(srv, bad.started, WAIT_MS);
    if (running)
        write_definition("new", false, false, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_true(running);

    assert_int_equal(ok.rc, 0);
    assert_true(ok.reloaded_before_answer);
    assert_int_equal(ok.resp.status, 200);
    assert_string_equal(ok.resp.body, "busy done");

    assert_int_equal(bad.rc, 0);
    assert_true(bad.reloaded_before_answer);
    assert_int_equal(bad.resp.status, 502);
    assert_string_equal(e2e_header_get(&bad.resp, "X-Watch"), "old");
    assert_string_equal(bad.resp.body, "{\"watch\": \"old\"}");
    e2e_response_free(&ok.resp);
    e2e_response_free(&bad.resp);

    /* New requests see the new model. */
    assert_reloaded(5);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/default/nothing-here", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 403);
    e2e_response_free(&r);
    assert_answer("/default/hello", 200, "v2");
}

/* Modules a handler loads with require are watched too: they are found at run time, not
 * named by the definition. */
static void test_required_module_edit_reloads(void **state)
{
    (void)state;
    write_file("greet.lua", "return {word = \"v3\"}\n");
    write_file("hello.lua", "local greet = require(\"greet\")\n"
                            "return function() return {statusCode = 200, body = greet.word} end\n");
    assert_true(poll_answer("/default/hello", 200, "v3"));
    assert_reloaded(6);
    write_file("greet.lua", "return {word = \"v4\"}\n");
    assert_true(poll_answer("/default/hello", 200, "v4"));
    assert_reloaded(7);
}

static void test_stop_clean(void **state)
{
    (void)state;
    int code = e2e_stop(srv);
    char *err = e2e_stderr(srv);
    if (code != 0 || e2e_has_sanitizer_report(err))
        fprintf(stderr, "server stderr:\n%s\n", err);
    bool report = e2e_has_sanitizer_report(err);
    free(err);
    assert_false(report);
    assert_int_equal(code, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_on_generation_one),
        cmocka_unit_test(test_handler_edit_reloads),
        cmocka_unit_test(test_definition_edit_adds_route),
        cmocka_unit_test(test_broken_definition_keeps_serving),
        cmocka_unit_test(test_fixed_definition_serves_again),
        cmocka_unit_test(test_inflight_requests_finish_on_old_model),
        cmocka_unit_test(test_required_module_edit_reloads),
        cmocka_unit_test(test_stop_clean), /* last: stops the server */
    };
    return cmocka_run_group_tests_name("watch", tests, setup, teardown);
}
