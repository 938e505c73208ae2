/* What most e2e files share: one gatehouse served for the whole cmocka group, and
 * requests to it that assert the transport worked. Include after cmocka.h and e2e.h; the
 * file sets suite_args before cmocka_run_group_tests(tests, suite_setup, suite_teardown). */
#ifndef GH_E2E_SUITE_H
#define GH_E2E_SUITE_H
#include <string.h>

static e2e_server *srv;
static const char *const *suite_args; /* `serve` arguments, NULL-terminated */

static int suite_setup(void **state)
{
    (void)state;
    srv = e2e_start(suite_args);
    return srv ? 0 : -1;
}

static int suite_teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

/* Sends a request (body NUL-terminated, or NULL) and asserts the transport worked. */
static void req(const char *method, const char *path, const char *const headers[],
                const char *body, e2e_response *r)
{
    assert_non_null(srv);
    assert_int_equal(e2e_request(srv, method, path, headers, body, body ? strlen(body) : 0, r), 0);
}

#endif
