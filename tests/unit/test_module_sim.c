/* gatehouse.sqs, gatehouse.sns and gatehouse.lambda (script/module_sim.c) as user
 * scripts call them, run through the simulator's invoker (server/sim_invoke): the
 * function `client` performs event.op and returns what it saw; the test checks both
 * that and the simulator's state. Errors carry AWS's codes in their messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_build.h"
#include "scratch.h"
#include "script/module.h"
#include "server/runtime.h"
#include "server/sim_invoke.h"
#include "sim/sim.h"
#include "util/clock.h"

static const char DEFINITION[] =
    "openapi: \"3.0.1\"\n"
    "info: {title: \"module\", version: \"1\"}\n"
    "paths: {}\n"
    "x-gatehouse:\n"
    "  region: \"eu-west-1\"\n"
    "  accountId: \"111122223333\"\n"
    "  functions:\n"
    "    client: {handler: \"client.lua\"}\n"
    "    echo: {handler: \"echo.lua\"}\n"
    "    boom: {handler: \"boom.lua\"}\n";

static const char CLIENT[] =
    "local gh = require('gatehouse')\n"
    "local ops = {}\n"
    "function ops.roundtrip()\n"
    "  local id = gh.sqs.send('inbox', 'hello', {attributes = {kind = 'x', n = 5,\n"
    "    raw = {dataType = 'Binary', binaryValue = 'AB'}}})\n"
    "  local got = gh.sqs.receive('http://127.0.0.1:1/111122223333/inbox', {max = 10})\n"
    "  local m = got[1]\n"
    "  local deleted = gh.sqs.delete('inbox', m.receiptHandle)\n"
    "  return {same = (id == m.messageId), n = #got, body = m.body, deleted = deleted,\n"
    "          count = m.attributes.ApproximateReceiveCount,\n"
    "          kind = m.messageAttributes.kind.stringValue,\n"
    "          num = m.messageAttributes.n.stringValue,\n"
    "          numType = m.messageAttributes.n.dataType,\n"
    "          source = m.eventSourceARN}\n"
    "end\n"
    "function ops.empty() return #gh.sqs.receive('inbox') end\n"
    "function ops.fifo()\n"
    "  gh.sqs.send('q.fifo', 'one', {groupId = 'g', dedupId = 'd1'})\n"
    "  local m = gh.sqs.receive('q.fifo')[1]\n"
    "  return {group = m.attributes.MessageGroupId, dedup = m.attributes.MessageDeduplicationId}\n"
    "end\n"
    "function ops.missing()\n"
    "  local ok, err = pcall(gh.sqs.send, 'nope', 'x')\n"
    "  return err\n"
    "end\n"
    "function ops.publish()\n"
    "  return gh.sns.publish('events', 'news', {subject = 'hi'})\n"
    "end\n"
    "function ops.publish_missing()\n"
    "  local ok, err = pcall(gh.sns.publish, 'arn:aws:sns:eu-west-1:111122223333:ghost', 'x')\n"
    "  return err\n"
    "end\n"
    "function ops.invoke() return gh.lambda.invoke('echo', {a = 1, list = {1, 2}}) end\n"
    "function ops.invoke_arn()\n"
    "  return gh.lambda.invoke('arn:aws:lambda:eu-west-1:111122223333:function:echo', 'text')\n"
    "end\n"
    "function ops.invoke_fails()\n"
    "  local ok, err = pcall(gh.lambda.invoke, 'boom', {})\n"
    "  return err\n"
    "end\n"
    "function ops.invoke_ghost()\n"
    "  local ok, err = pcall(gh.lambda.invoke, 'ghost', {})\n"
    "  return err\n"
    "end\n"
    "function ops.invoke_self()\n"
    "  return gh.lambda.invoke('client', {op = 'invoke'})\n"
    "end\n"
    "function ops.bad_args()\n"
    "  local ok, err = pcall(gh.sqs.send, 'inbox', 'x', {attributes = {k = true}})\n"
    "  return err\n"
    "end\n"
    "return function(event, context)\n"
    "  return ops[event.op]()\n"
    "end\n";

static const char ECHO[] =
    "return function(event, context)\n"
    "  return {event = event, arn = context.invokedFunctionArn}\n"
    "end\n";
static const char BOOM[] =
    "return function(event, context)\n"
    "  error({errorType = 'OrderError', errorMessage = 'no stock'})\n"
    "end\n";

typedef struct fixture {
    scratch files;
    gh_runtime *rt;
    gh_sim *sim;
    gh_sim_invoker *inv;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gh_clock_fake(1700000000000LL);
    const char *def = put(&f->files, "api.yaml", DEFINITION);
    put(&f->files, "client.lua", CLIENT);
    put(&f->files, "echo.lua", ECHO);
    put(&f->files, "boom.lua", BOOM);
    f->rt = build_runtime(def, 1);
    f->sim = gh_sim_new("eu-west-1", "111122223333");
    f->inv = gh_sim_invoker_install(f->sim, NULL, f->rt, true);
    gh_sqs_create_queue(f->sim->sqs, "inbox", NULL, 0, NULL);
    gh_kv fifo = {"FifoQueue", "true", {0}};
    gh_sqs_create_queue(f->sim->sqs, "q.fifo", &fifo, 1, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gh_sim_invoker_free(f->inv);
    gh_sim_free(f->sim);
    gh_runtime_free(f->rt);
    scratch_free(&f->files);
    free(f);
    gh_clock_fake(-1);
    return 0;
}

/* Runs client with {"op": op}; returns its result, decoded. */
static json_t *run(fixture *f, const char *op, int want_rc)
{
    char event[128], *result = NULL;
    snprintf(event, sizeof event, "{\"op\":\"%s\"}", op);
    int rc = gh_sim_invoker_call(f->inv, "client", event, &result);
    if (rc != want_rc)
        fail_msg("%s: rc %d (%s)", op, rc, result ? result : "");
    json_t *v = json_loads(result, JSON_DECODE_ANY, NULL);
    free(result);
    assert_non_null(v);
    return v;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("no string %s", key);
    return s;
}

static void test_sqs_roundtrip(void **state)
{
    fixture *f = *state;
    json_t *v = run(f, "roundtrip", 0);
    assert_true(json_is_true(json_object_get(v, "same")));
    assert_int_equal(json_integer_value(json_object_get(v, "n")), 1);
    assert_string_equal(str(v, "body"), "hello");
    assert_true(json_is_true(json_object_get(v, "deleted")));
    assert_string_equal(str(v, "count"), "1");
    assert_string_equal(str(v, "kind"), "x");
    assert_string_equal(str(v, "num"), "5");
    assert_string_equal(str(v, "numType"), "Number");
    assert_string_equal(str(v, "source"), "arn:aws:sqs:eu-west-1:111122223333:inbox");
    json_decref(v);
    gh_sqs_counts c;
    gh_sqs_counts_of(f->sim->sqs, "inbox", &c);
    assert_int_equal(c.visible + c.in_flight, 0);
    v = run(f, "empty", 0);
    assert_int_equal(json_integer_value(v), 0);
    json_decref(v);
}

static void test_sqs_fifo_options(void **state)
{
    fixture *f = *state;
    json_t *v = run(f, "fifo", 0);
    assert_string_equal(str(v, "group"), "g");
    assert_string_equal(str(v, "dedup"), "d1");
    json_decref(v);
}

/* The messages of errors as scripts see them, AWS's code after the function's name. */
static void test_errors_carry_aws_codes(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *op;
        const char *contains;
    } cases[] = {
        {"missing", "sqs.send: AWS.SimpleQueueService.NonExistentQueue: "},
        {"publish_missing", "sns.publish: "},
        {"invoke_fails", "lambda.invoke: OrderError: no stock"},
        {"invoke_ghost", "lambda.invoke: ResourceNotFoundException: Function not found: ghost"},
        {"bad_args", "sqs.send: attribute 'k' must be a string, a number or a table"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *v = run(f, cases[i].op, 0);
        const char *msg = json_string_value(v);
        if (!msg || !strstr(msg, cases[i].contains))
            fail_msg("%s: got '%s', want '%s'", cases[i].op, msg ? msg : "(not a string)",
                     cases[i].contains);
        json_decref(v);
    }
}

static void test_sns_publish_reaches_subscribed_queue(void **state)
{
    fixture *f = *state;
    char *arn = NULL, *sub = NULL;
    gh_sqs_create_queue(f->sim->sqs, "fanout", NULL, 0, NULL);
    assert_int_equal(gh_sns_create_topic(f->sim->sns, "events", NULL, 0, &arn, NULL), 0);
    assert_int_equal(gh_sns_subscribe(f->sim->sns, arn, "sqs",
                                      "arn:aws:sqs:eu-west-1:111122223333:fanout", NULL, 0, &sub,
                                      NULL),
                     0);
    free(sub);
    free(arn);
    json_t *v = run(f, "publish", 0);
    assert_int_equal(strlen(json_string_value(v)), 36);
    gh_sqs_message *m;
    size_t n;
    gh_sqs_peek(f->sim->sqs, "fanout", 10, &m, &n);
    assert_int_equal(n, 1);
    json_t *env = json_loads(m[0].body, 0, NULL);
    assert_string_equal(str(env, "Type"), "Notification");
    assert_string_equal(str(env, "MessageId"), json_string_value(v));
    assert_string_equal(str(env, "Message"), "news");
    assert_string_equal(str(env, "Subject"), "hi");
    json_decref(env);
    gh_sqs_messages_free(m, n);
    json_decref(v);
}

static void test_lambda_invoke(void **state)
{
    fixture *f = *state;
    json_t *v = run(f, "invoke", 0);
    json_t *want = json_loads("{\"a\":1,\"list\":[1,2]}", 0, NULL);
    assert_true(json_equal(json_object_get(v, "event"), want));
    assert_string_equal(str(v, "arn"), "arn:aws:lambda:eu-west-1:111122223333:function:echo");
    json_decref(want);
    json_decref(v);
    v = run(f, "invoke_arn", 0);
    assert_string_equal(str(v, "event"), "text");
    json_decref(v);
    /* client -> client -> echo: the second level is refused, and the error fails the
     * outer call with Lambda's payload. */
    v = run(f, "invoke_self", 1);
    assert_string_equal(str(v, "errorType"), "Error");
    assert_non_null(strstr(str(v, "errorMessage"), "TooManyRequestsException"));
    json_decref(v);
}

/* The invoker itself: unknown functions, bad event text, errors in Lambda's shape. */
static void test_invoker(void **state)
{
    fixture *f = *state;
    char *result = NULL;
    assert_int_equal(gh_sim_invoker_call(f->inv, "ghost", "{}", &result), -1);
    assert_null(result);
    assert_int_equal(gh_sim_invoker_call(f->inv, "echo", "{not json", &result), 1);
    json_t *v = json_loads(result, 0, NULL);
    assert_string_equal(str(v, "errorType"), "InvalidRequestContentException");
    json_decref(v);
    free(result);
    assert_int_equal(f->sim->invoke(f->sim->invoke_ud, "boom", "{}", &result), 1);
    v = json_loads(result, 0, NULL);
    free(result);
    assert_string_equal(str(v, "errorMessage"), "no stock");
    assert_string_equal(str(v, "errorType"), "OrderError");
    assert_true(json_is_array(json_object_get(v, "stackTrace")));
    json_decref(v);
    assert_int_equal(gh_sim_invoker_call(f->inv, "function:echo", "null", &result), 0);
    v = json_loads(result, 0, NULL);
    assert_true(json_is_null(json_object_get(v, "event")) || !json_object_get(v, "event"));
    json_decref(v);
    free(result);
}

static void test_no_simulator(void **state)
{
    fixture *f = *state;
    gh_module_set_sim(NULL);
    json_t *v = run(f, "publish", 1);
    assert_non_null(strstr(str(v, "errorMessage"), "sns.publish: no simulated AWS runs in this process"));
    json_decref(v);
    gh_module_set_sim(f->sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqs_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqs_fifo_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_carry_aws_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sns_publish_reaches_subscribed_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lambda_invoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invoker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_simulator, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
