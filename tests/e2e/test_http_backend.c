/* End to end: HTTP integrations in the real binary (specs/tests/http.yaml) against a
 * small backend this test runs itself on an ephemeral 127.0.0.1 port (civetweb): an echo
 * of method, path, query, headers and body as JSON, a status route, a chunked answer, a
 * redirect, and a route that answers after a second (the gateway's 200 ms timeout gives
 * up first: the sleep is the backend's, never the test's). The stage variables that
 * point the spec at it come from an --overlay written here. AWS behaviour: reference
 * §1.4 (headers), §5.6 (selection by status), setup-http-integrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static struct mg_context *backend;
static e2e_server *srv;
static char overlay[64];

static void send_json(struct mg_connection *c, int status, const char *extra, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    mg_printf(c, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%s"
                 "Content-Length: %zu\r\n\r\n%s",
              status, extra ? extra : "", strlen(text), text);
    free(text);
    json_decref(j);
}

static int on_request(struct mg_connection *c, void *data)
{
    (void)data;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *uri = ri->local_uri;
    if (strncmp(uri, "/echo/", 6) == 0) {
        json_t *h = json_object();
        for (int i = 0; i < ri->num_headers; i++) {
            char name[128];
            snprintf(name, sizeof name, "%s", ri->http_headers[i].name);
            for (char *p = name; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            json_object_set_new(h, name, json_string(ri->http_headers[i].value));
        }
        char body[4096];
        int n, len = 0;
        while (len < (int)sizeof body - 1 &&
               (n = mg_read(c, body + len, sizeof body - 1 - (size_t)len)) > 0)
            len += n;
        send_json(c, 200, "X-Backend: echo\r\nServer: tiny\r\n",
                  json_pack("{s:s, s:s, s:s, s:o, s:s#}", "method", ri->request_method, "path",
                            uri, "query", ri->query_string ? ri->query_string : "", "headers",
                            h, "body", body, (size_t)len));
        return 200;
    }
    if (strncmp(uri, "/status/", 8) == 0) {
        int code = atoi(uri + 8);
        send_json(c, code, "X-Reason: gone\r\n", json_pack("{s:s}", "message", "nope"));
        return code;
    }
    if (strcmp(uri, "/chunked") == 0) {
        mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n");
        mg_send_chunk(c, "one,", 4);
        mg_send_chunk(c, "two,", 4);
        mg_send_chunk(c, "three", 5);
        mg_send_chunk(c, "", 0);
        return 200;
    }
    if (strcmp(uri, "/redirect") == 0) {
        mg_printf(c, "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n");
        return 302;
    }
    if (strcmp(uri, "/slow") == 0) {
        struct timespec ts = {1, 0};
        nanosleep(&ts, NULL);
        send_json(c, 200, NULL, json_pack("{s:b}", "late", 1));
        return 200;
    }
    mg_printf(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    return 404;
}

/* A port nothing listens on: bound, then closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
        return 1;
    close(fd);
    return ntohs(sa.sin_port);
}

static int group_setup(void **state)
{
    (void)state;
    const char *opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", NULL};
    backend = mg_start(NULL, NULL, opts);
    if (!backend)
        return -1;
    mg_set_request_handler(backend, "/", on_request, NULL);
    struct mg_server_port ports[1];
    if (mg_get_server_ports(backend, 1, ports) < 1)
        return -1;
    snprintf(overlay, sizeof overlay, "/tmp/gh_http_overlay_%d.yaml", (int)getpid());
    FILE *f = fopen(overlay, "w");
    if (!f)
        return -1;
    fprintf(f, "x-gatehouse:\n  stages:\n    test:\n      variables:\n        backend: "
               "\"127.0.0.1:%d\"\n        dead: \"127.0.0.1:%d\"\n",
            ports[0].port, closed_port());
    fclose(f);
    const char *const args[] = {"specs/tests/http.yaml", "--overlay", overlay, NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    int bad = 0;
    if (srv) {
        /* a clean stop: every thread's backend handle freed, nothing reported */
        int code = e2e_stop(srv);
        char *err = e2e_stderr(srv);
        if (code != 0 || e2e_has_sanitizer_report(err)) {
            fprintf(stderr, "gatehouse exited %d:\n%s\n", code, err);
            bad = -1;
        }
        free(err);
    }
    e2e_kill(srv);
    srv = NULL;
    if (backend)
        mg_stop(backend);
    unlink(overlay);
    return bad;
}

static void req(const char *method, const char *path, const char *const headers[],
                const char *body, e2e_response *r)
{
    assert_non_null(srv);
    assert_int_equal(e2e_request(srv, method, path, headers, body, body ? strlen(body) : 0, r), 0);
}

/* Greedy proxy: {proxy} filled from the mapped path parameter, the query string and the
 * client's headers forwarded (hop-by-hop ones dropped, Host the backend's), the body as
 * sent; the backend's answer back as it is, Server renamed (§1.4). */
static void test_proxy_passthrough(void **state)
{
    (void)state;
    const char *const hdrs[] = {"X-Custom: abc", "Content-Type: text/plain", "TE: trailers",
                                "X-Forwarded-For: 203.0.113.9", NULL};
    e2e_response r;
    req("POST", "/test/proxy/a/b%20c?x=1&y=two", hdrs, "raw body", &r);
    assert_int_equal(r.status, 200);
    json_t *j = e2e_body_json(&r);
    assert_non_null(j);
    assert_string_equal(e2e_json_str(j, "method"), "POST");
    /* sent as /echo/a/b%20c (the unit tests check the raw URL); civetweb decodes it */
    assert_string_equal(e2e_json_str(j, "path"), "/echo/a/b c");
    assert_string_equal(e2e_json_str(j, "query"), "x=1&y=two");
    assert_string_equal(e2e_json_str(j, "body"), "raw body");
    assert_string_equal(e2e_json_str(j, "headers.x-custom"), "abc");
    assert_string_equal(e2e_json_str(j, "headers.content-type"), "text/plain");
    assert_string_equal(e2e_json_str(j, "headers.x-from"), "gatehouse");
    assert_string_equal(e2e_json_str(j, "headers.x-forwarded-for"), "203.0.113.9, 127.0.0.1");
    assert_string_equal(e2e_json_str(j, "headers.x-forwarded-proto"), "http");
    assert_non_null(e2e_json_str(j, "headers.x-amzn-apigateway-api-id"));
    assert_null(e2e_json_at(j, "headers.te"));
    const char *host = e2e_json_str(j, "headers.host");
    assert_non_null(host);
    assert_non_null(strstr(host, "127.0.0.1:"));
    json_decref(j);
    assert_string_equal(e2e_header_get(&r, "X-Backend"), "echo");
    assert_string_equal(e2e_header_get(&r, "x-amzn-Remapped-Server"), "tiny");
    assert_non_null(e2e_header_get(&r, "x-amzn-RequestId"));
    e2e_response_free(&r);
}

static void test_chunked_and_redirect_pass_through(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/test/chunked", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "one,two,three");
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "text/plain");
    e2e_response_free(&r);
    /* API Gateway does not follow a redirect: the client gets it. */
    req("GET", "/test/redirect", NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    assert_string_equal(e2e_header_get(&r, "Location"), "/elsewhere");
    e2e_response_free(&r);
}

/* Custom HTTP: the request template builds the body, only mapped query and headers go,
 * the integration's own method; the response template reads the backend's JSON. */
static void test_custom_with_templates(void **state)
{
    (void)state;
    const char *const hdrs[] = {"Content-Type: application/json", "x-tenant: green",
                                "X-Custom: not-sent", NULL};
    e2e_response r;
    req("POST", "/test/items/7?ignored=1", hdrs, "{\"name\": \"rex\", \"age\": 3}", &r);
    assert_int_equal(r.status, 200);
    json_t *j = e2e_body_json(&r);
    if (!j)
        fail_msg("not JSON: %s", r.body);
    assert_string_equal(e2e_json_str(j, "method"), "PUT");
    assert_string_equal(e2e_json_str(j, "query"), "src=gatehouse");
    json_t *sent = json_loads(e2e_json_str(j, "sent"), 0, NULL);
    assert_non_null(sent);
    assert_string_equal(e2e_json_str(sent, "name"), "rex");
    assert_string_equal(e2e_json_str(sent, "id"), "7");
    json_decref(sent);
    json_decref(j);
    e2e_response_free(&r);
}

/* Selection by the backend's status as text: 404 matches 4\d{2} and becomes 400 with a
 * mapped header; a 204 takes the default 200 (§5.6). */
static void test_status_selection(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/test/status/404", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"error\": \"nope\"}");
    assert_string_equal(e2e_header_get(&r, "X-Reason"), "gone");
    e2e_response_free(&r);
    req("GET", "/test/status/201", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"message\":\"nope\"}");
    e2e_response_free(&r);
}

static void test_timeout_is_504(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/test/slow", NULL, NULL, &r);
    assert_int_equal(r.status, 504);
    assert_string_equal(r.body, "{\"message\": \"Endpoint request timed out\"}");
    e2e_response_free(&r);
}

static void test_unreachable_is_500(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/test/dead", NULL, NULL, &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(r.body, "{\"message\": \"Internal server error\"}");
    e2e_response_free(&r);
    assert_true(e2e_wait_stderr(srv, "GET http://127.0.0.1:", 5000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxy_passthrough),
        cmocka_unit_test(test_chunked_and_redirect_pass_through),
        cmocka_unit_test(test_custom_with_templates),
        cmocka_unit_test(test_status_selection),
        cmocka_unit_test(test_timeout_is_504),
        cmocka_unit_test(test_unreachable_is_500),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
