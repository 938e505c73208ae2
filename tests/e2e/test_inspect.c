/* End to end: looking inside a running server (docs/sim.md, docs/cli.md): the admin API
 * on the server's own port (JSON health, JSON 404 and 405, claimed before the REST
 * pipeline), and `gatehouse queues` / `topics` against it: usage errors, and a clear
 * error when nothing listens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static e2e_server *srv;

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

static int run(const char *const argv[], char **out, char **err)
{
    int code;
    assert_int_equal(e2e_run(argv, out, err, &code), 0);
    assert_false(e2e_has_sanitizer_report(*err));
    return code;
}

typedef struct usage_case {
    const char *args[6];
    const char *error;
} usage_case;

static const usage_case usage_cases[] = {
    {{"queues", "--peek", "3"}, "--peek and --purge act on one queue"},
    {{"queues", "orders", "--peek", "0"}, "--peek needs a number from 1 to 1000"},
    {{"queues", "orders", "--peek", "2", "--purge"}, "give --peek or --purge, not both"},
    {{"queues", "a", "b"}, "unexpected argument 'b'"},
    {{"queues", "--url", "ftp://x"}, "--url needs the server's http:// address"},
    {{"topics", "orders"}, "topics takes only definitions and options"},
    {{"topics", "--purge"}, "--purge does not apply to this command"},
};

static void test_usage(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof usage_cases / sizeof *usage_cases; i++) {
        const char *argv[8] = {0};
        for (size_t k = 0; k < 6 && usage_cases[i].args[k]; k++)
            argv[k] = usage_cases[i].args[k];
        char *out, *err;
        int code = run(argv, &out, &err);
        if (code != 2 || !strstr(err, usage_cases[i].error))
            fail_msg("%s %s: exit %d, stderr %s", argv[0], argv[1] ? argv[1] : "", code, err);
        free(out);
        free(err);
    }
}

static void test_nothing_listens(void **state)
{
    (void)state;
    const char *cmds[] = {"queues", "topics"};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {cmds[i], "--url", "http://127.0.0.1:1", NULL};
        char *out, *err;
        assert_int_equal(run(argv, &out, &err), 1);
        assert_non_null(strstr(err, "nothing listens at http://127.0.0.1:1; start `gatehouse "
                                    "serve` first"));
        assert_string_equal(out, "");
        free(out);
        free(err);
    }
}

static void test_admin_api(void **state)
{
    (void)state;
    char def[512];
    snprintf(def, sizeof def, "%s/specs/tests/echo.yaml", e2e_source_dir());
    const char *args[] = {def, "--quiet", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);

    e2e_response r;
    assert_int_equal(e2e_request(srv, "GET", "/_gatehouse/health", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
    json_t *j = e2e_body_json(&r);
    assert_string_equal(e2e_json_str(j, "status"), "ok");
    bool sim = json_is_true(json_object_get(j, "simulator"));
    json_decref(j);
    e2e_response_free(&r);

    /* Claimed before the pipeline: not API Gateway's 403 Missing Authentication Token. */
    assert_int_equal(e2e_request(srv, "GET", "/_gatehouse/nope", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 404);
    j = e2e_body_json(&r);
    assert_string_equal(e2e_json_str(j, "error"), "NotFound");
    json_decref(j);
    e2e_response_free(&r);

    assert_int_equal(e2e_request(srv, "PUT", "/_gatehouse/health", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 405);
    assert_string_equal(e2e_header_get(&r, "Allow"), "GET");
    e2e_response_free(&r);

    /* The API itself still answers beside it. */
    assert_int_equal(e2e_request(srv, "GET", "/default/", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    e2e_response_free(&r);

    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", e2e_port(srv));
    const char *argv[] = {"queues", "--url", url, NULL};
    char *out, *err;
    int code = run(argv, &out, &err);
    if (sim) {
        assert_int_equal(code, 0);
        assert_string_equal(out, "no queues (declare them in x-gatehouse.queues, or create "
                                 "them with the AWS CLI)\n");
    } else {
        assert_int_equal(code, 1);
        assert_string_equal(err, "gatehouse: this server runs no simulated SQS or SNS\n");
    }
    free(out);
    free(err);
    assert_int_equal(e2e_stop(srv), 0); /* teardown frees it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_nothing_listens),
        cmocka_unit_test_teardown(test_admin_api, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
