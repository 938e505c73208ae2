/* Record, then replay offline (issue 5): `gatehouse test --record DIR` runs a suite
 * against HTTP integrations whose backend (a civetweb server in this process) is up;
 * the backend is then stopped, and the same suite passes with `--replay DIR`, as do the
 * fixtures recording wrote for the API itself. A request nothing was recorded for fails
 * loudly (502) and never reaches the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <civetweb.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

static char dir[64], overlay[96], suite[96], extra[96];

static int on_request(struct mg_connection *c, void *data)
{
    (void)data;
    const struct mg_request_info *ri = mg_get_request_info(c);
    char body[256];
    int n = snprintf(body, sizeof body, "{\"method\":\"%s\",\"path\":\"%s\",\"query\":\"%s\"}",
                     ri->request_method, ri->local_uri, ri->query_string ? ri->query_string : "");
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Backend: tiny\r\n"
                 "Content-Length: %d\r\n\r\n%s",
              n, body);
    return 200;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* `gatehouse test specs/tests/http.yaml --overlay OVERLAY ARGS...`: exit code and output. */
static int gatehouse_test(const char *const args[], char **out)
{
    const char *argv[24] = {"test", "specs/tests/http.yaml", "--overlay", overlay};
    size_t n = 4;
    for (size_t i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *err = NULL;
    int code = -1;
    assert_int_equal(e2e_run(argv, out, &err, &code), 0);
    if (e2e_has_sanitizer_report(err) || code != 0) {
        fprintf(stderr, "gatehouse test exited %d; stderr:\n%s\n", code, err);
        if (e2e_has_sanitizer_report(err))
            fail_msg("%s", "sanitizer report");
    }
    free(err);
    return code;
}

/* The api-*.yaml file recording wrote, or NULL. */
static char *api_fixtures(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *found = NULL;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "api-", 4) && strstr(e->d_name, ".yaml") && !found) {
            found = malloc(strlen(dir) + strlen(e->d_name) + 2);
            sprintf(found, "%s/%s", dir, e->d_name);
        }
    if (d)
        closedir(d);
    return found;
}

static void record_then_replay_offline(void **state)
{
    (void)state;
    const char *opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", NULL};
    struct mg_context *backend = mg_start(NULL, NULL, opts);
    assert_non_null(backend);
    mg_set_request_handler(backend, "/", on_request, NULL);
    struct mg_server_port port[1];
    assert_int_equal(mg_get_server_ports(backend, 1, port), 1);

    snprintf(dir, sizeof dir, "/tmp/gh_rr_%d", (int)getpid());
    snprintf(overlay, sizeof overlay, "%s-overlay.yaml", dir);
    snprintf(suite, sizeof suite, "%s-suite.yaml", dir);
    snprintf(extra, sizeof extra, "%s-extra.yaml", dir);
    char text[512];
    snprintf(text, sizeof text,
             "x-gatehouse:\n  stages:\n    test:\n      variables:\n        backend: "
             "\"127.0.0.1:%d\"\n        dead: \"127.0.0.1:1\"\n",
             port[0].port);
    write_file(overlay, text);
    write_file(suite,
               "fixtures:\n"
               "  - name: greedy proxy\n"
               "    request: {path: /test/proxy/a/b, query: {x: '1', y: '2'}}\n"
               "    expect:\n"
               "      status: 200\n"
               "      headers: {X-Backend: tiny}\n"
               "      json: {method: GET, path: /echo/a/b}\n"
               "  - name: custom http with templates\n"
               "    request:\n"
               "      method: POST\n"
               "      path: /test/items/42\n"
               "      json: {name: rex}\n"
               "    expect:\n"
               "      status: 200\n"
               "      jsonpath: {$.method: PUT}\n");
    write_file(extra, "fixtures:\n"
                      "  - name: never recorded\n"
                      "    request: {path: /test/proxy/other}\n"
                      "    expect: {status: 502}\n");

    char *out = NULL;
    const char *record[] = {suite, "--record", dir, NULL};
    int code = gatehouse_test(record, &out);
    if (code != 0)
        fail_msg("recording run exited %d:\n%s", code, out);
    free(out);
    mg_stop(backend); /* from here on, only the recordings answer */

    const char *replay[] = {suite, "--replay", dir, NULL};
    code = gatehouse_test(replay, &out);
    if (code != 0)
        fail_msg("replay run exited %d:\n%s", code, out);
    assert_non_null(strstr(out, "2 passed, 0 failed"));
    free(out);

    /* What recording wrote of the API's own exchanges is a suite too. */
    char *api = api_fixtures();
    assert_non_null(api);
    const char *again[] = {api, "--replay", dir, NULL};
    code = gatehouse_test(again, &out);
    if (code != 0)
        fail_msg("the recorded API fixtures failed (%d):\n%s", code, out);
    free(out);
    free(api);

    const char *missing[] = {extra, "--replay", dir, NULL};
    code = gatehouse_test(missing, &out);
    if (code != 0)
        fail_msg("an unrecorded request should answer 502 (%d):\n%s", code, out);
    free(out);

    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s %s", dir, overlay, suite, extra);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_then_replay_offline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
