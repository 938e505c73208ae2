/* server/sim_invoke's SNS HTTP delivery against a civetweb endpoint on 127.0.0.1: the
 * POST carries SNS's headers and the body; a 2xx is a delivery, anything else or no
 * answer is a failure; with loopback_only, another host is refused before any
 * connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <civetweb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/sim_invoke.h"
#include "sim/sim.h"

static struct mg_context *endpoint;
static int port;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen[2048];

static int on_request(struct mg_connection *c, void *ud)
{
    (void)ud;
    const struct mg_request_info *ri = mg_get_request_info(c);
    char body[1024];
    int n = 0, k;
    while (n < (int)sizeof body - 1 && (k = mg_read(c, body + n, sizeof body - 1 - (size_t)n)) > 0)
        n += k;
    body[n] = '\0';
    const char *type = mg_get_header(c, "x-amz-sns-message-type");
    const char *ct = mg_get_header(c, "Content-Type");
    pthread_mutex_lock(&seen_lock);
    snprintf(seen, sizeof seen, "%s %s|%s|%s|%s", ri->request_method, ri->local_uri,
             type ? type : "-", ct ? ct : "-", body);
    pthread_mutex_unlock(&seen_lock);
    int status = strcmp(ri->local_uri, "/fail") == 0 ? 500 : 200;
    mg_printf(c, "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    return status;
}

static int setup(void **state)
{
    (void)state;
    const char *opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", NULL};
    endpoint = mg_start(NULL, NULL, opts);
    if (!endpoint)
        return -1;
    mg_set_request_handler(endpoint, "/", on_request, NULL);
    struct mg_server_port ports[1];
    if (mg_get_server_ports(endpoint, 1, ports) < 1)
        return -1;
    port = ports[0].port;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mg_stop(endpoint);
    return 0;
}

static void test_http_delivery(void **state)
{
    (void)state;
    gh_sim *sim = gh_sim_new("us-east-1", "123456789012");
    gh_sim_invoker *inv = gh_sim_invoker_install(sim, NULL, NULL, true);
    const char *const headers[] = {"x-amz-sns-message-type: Notification",
                                   "Content-Type: text/plain; charset=UTF-8", NULL};
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    assert_int_equal(gh_sim_invoker_http(inv, url, "{\"Type\":\"Notification\"}", headers), 0);
    pthread_mutex_lock(&seen_lock);
    assert_string_equal(seen, "POST /hook|Notification|text/plain; charset=UTF-8|"
                              "{\"Type\":\"Notification\"}");
    pthread_mutex_unlock(&seen_lock);
    /* Not a 2xx: failed. */
    snprintf(url, sizeof url, "http://localhost:%d/fail", port);
    assert_int_equal(gh_sim_invoker_http(inv, url, "x", headers), -1);
    /* Only loopback endpoints in tests: refused before any connection is tried. */
    assert_int_equal(gh_sim_invoker_http(inv, "http://example.com/hook", "x", headers), -1);
    assert_int_equal(gh_sim_invoker_http(inv, "not a url", "x", headers), -1);
    /* No runtime behind this invoker: no function exists. */
    char *result = NULL;
    assert_int_equal(gh_sim_invoker_call(inv, "worker", "{}", &result), -1);
    assert_null(result);
    gh_sim_invoker_free(inv);
    gh_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_delivery),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
