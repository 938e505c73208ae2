/* End to end: `gatehouse routes` and `gatehouse validate` on definitions with a
 * WebSocket API (x-gatehouse.websocket; docs/websocket.md): the exact WebSocket table
 * after the REST one, the selection line, the route count in validate's summary, and a
 * WebSocket-only definition shown without an empty REST table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static char *run(const char *const argv[], int *code)
{
    char *out = NULL, *err = NULL;
    assert_int_equal(e2e_run(argv, &out, &err, code), 0);
    if (*err)
        fprintf(stderr, "%s\n", err);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
    return out;
}

static void test_routes_table(void **state)
{
    (void)state;
    const char *const argv[] = {"routes", "tests/data/websocket/chat.yaml", NULL};
    int code = -1;
    char *out = run(argv, &code);
    assert_int_equal(code, 0);
#define H "tests/data/websocket/handlers/chat.lua"
    static const char want[] =
        "STAGE    METHOD  PATH     INTEGRATION  TARGET  AUTHORIZATION\n"
        "default  GET     /health  mock         static  NONE\n"
        "\n"
        "STAGE    ROUTE        INTEGRATION  TARGET                                                "
        "    RESPONSE  AUTHORIZATION\n"
        "default  $connect     aws_proxy    chat (" H ")             one-way   CUSTOM request "
        "'byHeader' -> auth + API key\n"
        "default  $default     aws_proxy    chat (" H ")             two-way   NONE\n"
        "default  $disconnect  aws_proxy    chat (" H ")             one-way   NONE\n"
        "default  echo         aws_proxy    chat (" H ")             two-way   NONE\n"
        "default  queue        aws          arn:aws:apigateway:us-east-1:sqs:path/123456789012/"
        "inbox  one-way   NONE\n"
        "default  sendmessage  aws_proxy    chat (" H ")             one-way   NONE\n"
        "default  static       mock         static                                            "
        "        one-way   NONE\n"
        "websocket: route selection ${request.body.service}/${request.body.action}, idle "
        "timeout 30 s (x-gatehouse.websocket at tests/data/websocket/chat.yaml:18:5)\n";
#undef H
    if (strcmp(out, want) != 0)
        fprintf(stderr, "got:\n%s", out);
    assert_string_equal(out, want);
    free(out);
}

static void test_websocket_only(void **state)
{
    (void)state;
    const char *const routes[] = {"routes", "tests/data/websocket/only.yaml", NULL};
    int code = -1;
    char *out = run(routes, &code);
    assert_int_equal(code, 0);
    assert_string_equal(out,
                        "STAGE    ROUTE     INTEGRATION  TARGET                                 "
                        "        RESPONSE  AUTHORIZATION\n"
                        "default  $default  aws_proxy    chat (tests/data/websocket/handlers/"
                        "chat.lua)  one-way   NONE\n"
                        "websocket: route selection $request.body.action, idle timeout 600 s "
                        "(x-gatehouse.websocket at tests/data/websocket/only.yaml:7:5)\n");
    free(out);
    const char *const validate[] = {"validate", "tests/data/websocket/only.yaml",
                                    "tests/data/websocket/chat.yaml", NULL};
    out = run(validate, &code);
    assert_int_equal(code, 0);
    assert_string_equal(out, "tests/data/websocket/only.yaml: ok: 1 resource, 0 methods, 1 "
                             "WebSocket route, 1 stage, 0 warnings\n"
                             "tests/data/websocket/chat.yaml: ok: 2 resources, 1 method, 7 "
                             "WebSocket routes, 1 stage, 0 warnings\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_table),
        cmocka_unit_test(test_websocket_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
