/* End to end: `serve --check-signatures` makes the simulated SQS (and SNS, Lambda) accept
 * only calls SigV4-signed by a key of x-gatehouse.credentials, signed here as the AWS
 * CLI signs (botocore, tests/e2e/sigv4_sign.py with SIGV4_SERVICE=sqs); unsigned and
 * badly signed calls get AWS's common errors (docs/sim.md). Without the flag the same
 * unsigned call is served (test_aws_cli, test_event_chain). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_suite.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define BODY "{\"QueueName\":\"signed-q\"}"

/* The JSON-protocol CreateQueue, signed with secret (NULL: unsigned). */
static void create_queue(const char *secret, e2e_response *r)
{
    const char *h[12] = {"Content-Type: application/x-amz-json-1.0",
                         "X-Amz-Target: AmazonSQS.CreateQueue"};
    size_t n = 2;
    char *lines[8] = {0};
    if (secret) {
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "SIGV4_SERVICE=sqs python3 tests/e2e/sigv4_sign.py POST "
                 "'http://127.0.0.1:%d/' us-east-1 AKIDEXAMPLE '%s' '%s'",
                 e2e_port(srv), secret, BODY);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char line[2048];
        for (size_t i = 0; i < 7 && fgets(line, sizeof line, p); i++) {
            line[strcspn(line, "\r\n")] = '\0';
            lines[i] = strdup(line);
            h[n++] = lines[i];
        }
        assert_int_equal(pclose(p), 0);
    }
    h[n] = NULL;
    req("POST", "/", h, BODY, r);
    for (size_t i = 0; i < 8; i++)
        free(lines[i]);
}

static void unsigned_is_refused(void **state)
{
    (void)state;
    e2e_response r;
    create_queue(NULL, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(e2e_header_get(&r, "x-amzn-query-error"), "MissingAuthenticationToken"));
    e2e_response_free(&r);
}

static void signed_is_served(void **state)
{
    (void)state;
    e2e_response r;
    create_queue(SECRET, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "/signed-q"));
    e2e_response_free(&r);
}

static void wrong_secret_is_refused(void **state)
{
    (void)state;
    e2e_response r;
    create_queue("not-the-secret", &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(e2e_header_get(&r, "x-amzn-query-error"), "SignatureDoesNotMatch"));
    assert_non_null(strstr(r.body, "The request signature we calculated does not match"));
    e2e_response_free(&r);
}

int main(void)
{
    static const char *const args[] = {"examples/auth/api.yaml", "--check-signatures", NULL};
    suite_args = args;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unsigned_is_refused),
        cmocka_unit_test(signed_is_served),
        cmocka_unit_test(wrong_secret_is_refused),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
