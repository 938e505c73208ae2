/* integration/integration (dispatch), lambda_proxy and lua_mock, run against a fake Lua
 * runtime: this file defines gh_script_call, gh_script_call_value and
 * gh_script_result_free itself, so the
 * linker takes these instead of script/pool.o (nothing else of the pool is referenced by
 * the integration layer). The fake replays a scripted outcome and records its inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "integration/integration.h"
#include "inv_fixture.h"
#include "util/clock.h"

static struct {
    gh_script_status status;
    const char *value; /* JSON text returned on OK */
    int64_t runs_ms;   /* how long the call "takes" on the fake clock */
    /* recorded */
    int calls, script, timeout_ms;
    json_t *event;
    gh_lambda_context ctx;
    int had_ctx;
} fake;

gh_script_status gh_script_call(gh_script_pool *p, int script, json_t *event,
                                const gh_lambda_context *ctx, int timeout_ms,
                                gh_script_result *out)
{
    (void)p;
    fake.calls++;
    fake.script = script;
    fake.timeout_ms = timeout_ms;
    json_decref(fake.event);
    fake.event = json_deep_copy(event);
    fake.had_ctx = ctx != NULL;
    if (ctx)
        fake.ctx = *ctx;
    gh_clock_advance(fake.runs_ms);
    memset(out, 0, sizeof *out);
    out->status = fake.status;
    if (fake.status == GH_SCRIPT_OK)
        out->value = json_loads(fake.value, JSON_DECODE_ANY, NULL);
    else {
        out->error_message = strdup("handler.lua:3: boom");
        out->traceback = strdup("stack traceback:\n\thandler.lua:3: in function <handler.lua:1>");
    }
    return out->status;
}

/* The proxy paths pass the event as a value tree; recorded as its JSON form. */
gh_script_status gh_script_call_value(gh_script_pool *p, int script, const gh_value *event,
                                      const gh_lambda_context *ctx, int timeout_ms,
                                      gh_script_result *out)
{
    json_t *json = gh_value_to_json(event);
    gh_script_status s = gh_script_call(p, script, json, ctx, timeout_ms, out);
    json_decref(json);
    return s;
}

/* Lua templates are not exercised here; answering an error keeps pool.c out of the link. */
gh_script_status gh_script_call_custom(gh_script_pool *p, int script, const gh_script_custom *c,
                                       int timeout_ms, gh_script_result *out)
{
    (void)p, (void)script, (void)c, (void)timeout_ms;
    memset(out, 0, sizeof *out);
    out->status = GH_SCRIPT_ERROR;
    return out->status;
}

void gh_script_result_free(gh_script_result *r)
{
    json_decref(r->value);
    free(r->error_message);
    free(r->error_type);
    free(r->traceback);
    memset(r, 0, sizeof *r);
}

static int setup(void **state)
{
    (void)state;
    json_decref(fake.event);
    memset(&fake, 0, sizeof fake);
    gh_clock_fake(1781013791000LL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(fake.event);
    fake.event = NULL;
    gh_clock_fake(-1);
    return 0;
}

/* The fixture as a Lambda proxy call of function "orders" (timeout 3 s). */
typedef struct {
    inv_fixture f;
    gh_function fns[2];
    gh_kv env[1];
} lambda_fixture;

static void lambda_init(lambda_fixture *l, int integ_timeout_ms)
{
    inv_fixture_init(&l->f);
    l->env[0] = (gh_kv){.key = "TABLE", .value = "orders"};
    l->fns[0] = (gh_function){.name = "audit", .handler = "audit.lua", .script = 0, .timeout_ms = 3000};
    l->fns[1] = (gh_function){.name = "orders", .handler = "orders.lua", .script = 1,
                              .timeout_ms = 3000, .memory_mb = 512, .environment = {l->env, 1}};
    l->f.api.functions = l->fns;
    l->f.api.nfunctions = 2;
    l->f.integ.type = GH_INTEG_AWS_PROXY;
    l->f.integ.lambda_function = "arn:aws:lambda:eu-west-1:111122223333:function:orders";
    l->f.integ.timeout_ms = integ_timeout_ms;
    l->f.inv.scripts = (gh_script_pool *)&l->fns; /* opaque to the fake */
}

static void lambda_proxy_success(void **state)
{
    (void)state;
    lambda_fixture l;
    lambda_init(&l, 29000);
    fake.status = GH_SCRIPT_OK;
    fake.value = "{\"statusCode\":201,\"headers\":{\"X-A\":\"1\"},\"body\":\"made\"}";
    fake.runs_ms = 25;
    assert_int_equal(gh_integration_run(&l.f.inv), 0);
    assert_int_equal(fake.calls, 1);
    assert_int_equal(fake.script, 1);
    assert_int_equal(fake.timeout_ms, 3000); /* the function's own timeout */
    assert_int_equal(l.f.inv.integration_latency_ms, 25);
    assert_int_equal(l.f.resp.status, 201);
    assert_string_equal(l.f.resp.body, "made");
    assert_string_equal(gh_headers_get(&l.f.resp.headers, "X-A"), "1");
    assert_string_equal(gh_headers_get(&l.f.resp.headers, "Content-Type"), "application/json");
    /* The trace id the backend request carried comes back on the response. */
    const char *trace = gh_headers_get(&l.f.resp.headers, "X-Amzn-Trace-Id");
    assert_non_null(trace);
    assert_int_equal(strncmp(trace, "Root=1-", 7), 0);
    json_t *h = json_object_get(fake.event, "headers");
    assert_string_equal(json_string_value(json_object_get(h, "X-Amzn-Trace-Id")), trace);
    assert_string_equal(json_string_value(json_object_get(fake.event, "resource")), "/orders/{id}");
    /* The context object. */
    assert_true(fake.had_ctx);
    assert_string_equal(fake.ctx.function_name, "orders");
    assert_string_equal(fake.ctx.invoked_function_arn,
                        "arn:aws:lambda:eu-west-1:111122223333:function:orders");
    assert_int_equal(fake.ctx.memory_limit_mb, 512);
    assert_string_equal(gh_kvs_get(fake.ctx.environment, "TABLE"), "orders");
    inv_fixture_free(&l.f);
}

static void lambda_proxy_failures(void **state)
{
    (void)state;
    static const struct {
        const char *function;
        int integ_timeout;
        gh_script_status outcome;
        const char *value;
        int calls, timeout_passed;
        gh_gw_type type;
        int status;
        const char *message;
    } cases[] = {
        /* Lambda rejects the invoke: 500 (services-apigateway-errors) */
        {"nosuch", 29000, GH_SCRIPT_OK, NULL, 0, 0, GH_GW_API_CONFIGURATION_ERROR, 500,
         "Internal server error"},
        /* the function raised: 502 */
        {"orders", 29000, GH_SCRIPT_ERROR, NULL, 1, 3000, GH_GW_API_CONFIGURATION_ERROR, 502,
         "Internal server error"},
        /* Lambda's own timeout (3 s) is shorter than the integration's: 502 */
        {"orders", 29000, GH_SCRIPT_TIMEOUT, NULL, 1, 3000, GH_GW_API_CONFIGURATION_ERROR, 502,
         "Internal server error"},
        /* timeoutInMillis 1000 < 3 s: API Gateway gives up first, 504 */
        {"orders", 1000, GH_SCRIPT_TIMEOUT, NULL, 1, 1000, GH_GW_INTEGRATION_TIMEOUT, 504,
         "Endpoint request timed out"},
        {"orders", 29000, GH_SCRIPT_MEMORY, NULL, 1, 3000, GH_GW_API_CONFIGURATION_ERROR, 502,
         "Internal server error"},
        /* a Lambda error object is not a proxy response: 502 */
        {"orders", 29000, GH_SCRIPT_OK, "{\"errorMessage\":\"x\",\"errorType\":\"Error\"}", 1, 3000,
         GH_GW_API_CONFIGURATION_ERROR, 502, "Internal server error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        setup(NULL);
        lambda_fixture l;
        lambda_init(&l, cases[i].integ_timeout);
        l.f.integ.lambda_function = cases[i].function;
        fake.status = cases[i].outcome;
        fake.value = cases[i].value;
        if (gh_integration_run(&l.f.inv) != -1)
            fail_msg("case %zu should fail", i);
        assert_int_equal(fake.calls, cases[i].calls);
        if (cases[i].calls)
            assert_int_equal(fake.timeout_ms, cases[i].timeout_passed);
        assert_int_equal(l.f.inv.fail_type, cases[i].type);
        assert_int_equal(l.f.inv.fail_status, cases[i].status);
        assert_string_equal(l.f.inv.fail_message, cases[i].message);
        /* the reason is for the log, never the body */
        assert_non_null(l.f.inv.log_detail);
        assert_int_equal(l.f.resp.body_len, 0);
        assert_null(gh_headers_get(&l.f.resp.headers, "X-Amzn-Trace-Id"));
        inv_fixture_free(&l.f);
        teardown(NULL);
    }
}

static void unserved_integrations(void **state)
{
    (void)state;
    static const struct {
        gh_integ_type type;
        const char *broken;
        int status; /* 0: the type's own 500 */
    } cases[] = {
        {GH_INTEG_NONE, NULL, 0},
        {GH_INTEG_HTTP, "integration through a VPC link (connectionType VPC_LINK)", 0},
        /* non-proxy Lambda naming no function: the 500 of an Invoke Lambda rejects */
        {GH_INTEG_AWS, "names no Lambda function", 500},
        {GH_INTEG_MOCK, "unresolved placeholder ${foo}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        f.integ.type = cases[i].type;
        f.integ.broken = cases[i].type == GH_INTEG_AWS ? NULL : cases[i].broken;
        assert_int_equal(gh_integration_run(&f.inv), -1);
        assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
        assert_int_equal(f.inv.fail_status, cases[i].status);
        assert_string_equal(f.inv.fail_message, "Internal server error");
        if (cases[i].broken)
            assert_non_null(strstr(f.inv.log_detail, cases[i].broken));
        assert_int_equal(fake.calls, 0);
        inv_fixture_free(&f);
    }
}

static void lua_mock_wins_over_the_declared_type(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    f.integ.type = GH_INTEG_HTTP_PROXY;
    f.integ.broken = "http_proxy integration through a VPC link";
    f.integ.mock_script = 4;
    f.integ.timeout_ms = 5000;
    f.inv.scripts = (gh_script_pool *)&f;
    fake.status = GH_SCRIPT_OK;
    fake.value = "{\"statusCode\":202,\"body\":{\"id\":\"42\"}}";
    assert_int_equal(gh_integration_run(&f.inv), 0);
    assert_int_equal(fake.script, 4);
    assert_int_equal(fake.timeout_ms, 5000);
    assert_false(fake.had_ctx);
    assert_string_equal(json_string_value(json_object_get(fake.event, "path")), "/orders/42");
    assert_int_equal(f.resp.status, 202);
    assert_string_equal(f.resp.body, "{\"id\":\"42\"}");
    assert_null(gh_headers_get(&f.resp.headers, "X-Amzn-Trace-Id"));
    inv_fixture_free(&f);

    inv_fixture_init(&f);
    f.integ.mock_script = 0;
    f.integ.timeout_ms = 100;
    f.inv.scripts = (gh_script_pool *)&f;
    fake.status = GH_SCRIPT_TIMEOUT;
    assert_int_equal(gh_integration_run(&f.inv), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_INTEGRATION_TIMEOUT);
    fake.status = GH_SCRIPT_ERROR;
    assert_int_equal(gh_integration_run(&f.inv), -1);
    assert_int_equal(f.inv.fail_status, 502);
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lambda_proxy_success, setup, teardown),
        cmocka_unit_test(lambda_proxy_failures),
        cmocka_unit_test_setup_teardown(unserved_integrations, setup, teardown),
        cmocka_unit_test_setup_teardown(lua_mock_wins_over_the_declared_type, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
