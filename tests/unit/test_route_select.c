/* websocket/route_select: expressions parsed and evaluated against messages, one case
 * per line (aws-api-gateway.md §9.1, the developer guide's table for the message
 * {"service":"chat","action":"join","data":{"room":"room1234"}}), parse errors, and the
 * Forbidden frame byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "websocket/route_select.h"

#define GUIDE "{\"service\":\"chat\",\"action\":\"join\",\"data\":{\"room\":\"room1234\"}}"

static const struct {
    const char *expr, *message, *want; /* want NULL: no key, the caller uses $default */
} evals[] = {
    /* The developer guide's examples. */
    {"$request.body.action", GUIDE, "join"},
    {"${request.body.action}", GUIDE, "join"},
    {"${request.body.service}/${request.body.action}", GUIDE, "chat/join"},
    {"${request.body.action}-${request.body.invalidPath}", GUIDE, "join-"},
    {"action", GUIDE, "action"},
    {"\\$default", GUIDE, "$default"},
    /* Dotted paths and indexes. */
    {"$request.body.data.room", GUIDE, "room1234"},
    {"${request.body.data.room}", GUIDE, "room1234"},
    {"$request.body.items[1]", "{\"items\":[\"a\",\"b\"]}", "b"},
    {"$request.body.items[0].op", "{\"items\":[{\"op\":\"x\"}]}", "x"},
    {"${request.body.my-key}", "{\"my-key\":\"dash\"}", "dash"},
    /* An unbraced variable ends where plain names end. */
    {"$request.body.action-v2", GUIDE, "join-v2"},
    {"v1.$request.body.action", GUIDE, "v1.join"},
    {"${request.body.action}-beta", GUIDE, "join-beta"},
    /* Scalars printed as text. */
    {"$request.body.n", "{\"n\":42}", "42"},
    {"$request.body.n", "{\"n\":-7}", "-7"},
    {"$request.body.n", "{\"n\":1.5}", "1.5"},
    {"$request.body.b", "{\"b\":true}", "true"},
    {"$request.body.b", "{\"b\":false}", "false"},
    {"$request.body.s", "{\"s\":\"\"}", ""},
    {"$request.body.s", "{\"s\":\"caf\\u00e9\"}", "caf\xc3\xa9"},
    /* Nothing to select: the caller falls back to $default. */
    {"$request.body.action", "{\"other\":1}", NULL},
    {"$request.body.data.nope", GUIDE, NULL},
    {"$request.body.action", "not json", NULL},
    {"$request.body.action", "", NULL},
    {"$request.body.action", "[\"join\"]", NULL},
    {"$request.body.action", "\"join\"", NULL},
    {"$request.body.action", "{\"action\":null}", NULL},
    {"$request.body.data", GUIDE, NULL},
    {"$request.body.items", "{\"items\":[1]}", NULL},
    {"$request.body.items[5]", "{\"items\":[1]}", NULL},
    {"$request.body.action.x", GUIDE, NULL},
    {"$request.body.action", "{\"action\":\"join\"", NULL},
    /* jansson's reading stands (the body is parsed without it, template/vtl_json.h):
     * a repeated key keeps its last value, numbers it cannot hold fail the message. */
    {"$request.body.action", "{\"action\":\"a\",\"action\":\"b\"}", "b"},
    {"$request.body.n", "{\"n\":99999999999999999999}", NULL},
    {"$request.body.n", "{\"n\":1e400}", NULL},
    {"$request.body.n", "{\"n\":-0.0}", "0"},
    {"$request.body.a", "{\"a\":\"x\",}", NULL},
    {"$request.body.a", "{\"a\":\"\xff\"}", NULL},
    /* A static key needs no JSON. */
    {"static", "not json", "static"},
    {"a\\$b", "x", "a$b"},
};

static void evaluates(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    for (size_t i = 0; i < sizeof evals / sizeof *evals; i++) {
        const char *err = "unset";
        gh_route_expr *e = gh_route_expr_parse(a, evals[i].expr, &err);
        if (!e)
            fail_msg("%s: %s", evals[i].expr, err);
        assert_null(err);
        const char *got = gh_route_expr_eval(a, e, evals[i].message, strlen(evals[i].message));
        if (!evals[i].want && got)
            fail_msg("%s on %s: want NULL, got \"%s\"", evals[i].expr, evals[i].message, got);
        if (evals[i].want && (!got || strcmp(got, evals[i].want) != 0))
            fail_msg("%s on %s: want \"%s\", got %s%s%s", evals[i].expr, evals[i].message,
                     evals[i].want, got ? "\"" : "", got ? got : "NULL", got ? "\"" : "");
    }
    gh_arena_free(a);
}

static void message_with_nul(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    gh_route_expr *e = gh_route_expr_parse(a, "$request.body.a", NULL);
    static const char msg[] = "{\"a\":\"x\\u0000y\",\"b\":1}";
    assert_non_null(e);
    const char *got = gh_route_expr_eval(a, e, msg, sizeof msg - 1);
    assert_non_null(got);
    assert_memory_equal(got, "x\0y", 3);
    assert_null(gh_route_expr_eval(a, e, NULL, 0));
    assert_null(gh_route_expr_eval(a, NULL, msg, sizeof msg - 1));
    gh_arena_free(a);
}

static const struct {
    const char *expr, *error_part;
} bad[] = {
    {"", "empty"},
    {"$request.header.x", "only use $request.body"},
    {"$context.routeKey", "only use $request.body"},
    {"$request.body", "must name a body path"},
    {"$request.body.", "empty name"},
    {"${request.body.action", "without a closing"},
    {"${request.body.}", "empty name"},
    {"$request.body.items[x]", "[digits]"},
    {"$request.bodyx", "only use $request.body"},
    {"$", "only use $request.body"},
};

static void rejects(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *err = NULL;
        if (gh_route_expr_parse(a, bad[i].expr, &err))
            fail_msg("%s: parsed, want an error", bad[i].expr);
        if (!err || !strstr(err, bad[i].error_part))
            fail_msg("%s: error %s lacks \"%s\"", bad[i].expr, err ? err : "NULL", bad[i].error_part);
    }
    assert_null(gh_route_expr_parse(a, NULL, NULL));
    gh_arena_free(a);
}

static void forbidden_frame(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    /* Spacing as AWS writes it (aws-api-gateway.md §9.1). */
    assert_string_equal(gh_route_forbidden_frame(a, "Zk2oYc1vLPECIqA=", "Zk2pQH9tLPEFa1Q="),
                        "{\"message\": \"Forbidden\", \"connectionId\":\"Zk2oYc1vLPECIqA=\", "
                        "\"requestId\":\"Zk2pQH9tLPEFa1Q=\"}");
    assert_string_equal(gh_route_forbidden_frame(a, "a\"b", "c\\d"),
                        "{\"message\": \"Forbidden\", \"connectionId\":\"a\\\"b\", "
                        "\"requestId\":\"c\\\\d\"}");
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(evaluates),
        cmocka_unit_test(message_with_nul),
        cmocka_unit_test(rejects),
        cmocka_unit_test(forbidden_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
