/* End to end: API Gateway -> SQS service integrations in the real binary
 * (specs/tests/orders.yaml, reference §10.1): POST /orders queues the exact body on the
 * declared queue and answers SQS's JSON SendMessageResponse (its MD5OfMessageBody is
 * the MD5 of the bytes queued), an empty body is queued as {}, a mapped Accept:
 * application/xml gives the XML answer, and a DynamoDB integration is a load warning and
 * a 500 without x-gatehouse-mock, the mock's answer with one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static e2e_server *srv;

static int setup(void **state)
{
    (void)state;
    char spec[512];
    snprintf(spec, sizeof spec, "%s/specs/tests/orders.yaml", e2e_source_dir());
    const char *args[] = {spec, NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    return 0;
}

static const char *const json_headers[] = {"Content-Type: application/json", NULL};

static void sends_the_exact_body(void **state)
{
    (void)state;
    static const struct {
        const char *body, *md5;
    } cases[] = {
        {"{\"orderId\":\"o-1\",\"items\":[1,2]}", "7578ff7f8f6137707209535932a1f4a9"},
        {"", "99914b932bd37a50b983c5e7c90ae93b"}, /* $input.body of an empty body is {} */
        {"x=1&y=caf\xc3\xa9 +", "4cb21b7a9dda1c72e262537a1a845277"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        e2e_response r;
        assert_int_equal(e2e_request(srv, "POST", "/dev/orders", json_headers, cases[i].body,
                                     strlen(cases[i].body), &r),
                         0);
        assert_int_equal(r.status, 200);
        assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
        json_t *j = json_loads(r.body, 0, NULL);
        assert_non_null(j);
        json_t *res =
            json_object_get(json_object_get(j, "SendMessageResponse"), "SendMessageResult");
        assert_string_equal(json_string_value(json_object_get(res, "MD5OfMessageBody")),
                            cases[i].md5);
        assert_true(json_is_null(json_object_get(res, "SequenceNumber")));
        assert_int_equal(strlen(json_string_value(json_object_get(res, "MessageId"))), 36);
        assert_non_null(json_string_value(json_object_get(
            json_object_get(json_object_get(j, "SendMessageResponse"), "ResponseMetadata"),
            "RequestId")));
        json_decref(j);
        e2e_response_free(&r);
    }
}

static void xml_when_accept_is_mapped(void **state)
{
    (void)state;
    e2e_response r;
    const char *body = "{\"orderId\":\"o-2\"}";
    assert_int_equal(
        e2e_request(srv, "POST", "/dev/orders-xml", json_headers, body, strlen(body), &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/xml");
    assert_non_null(strstr(r.body, "<SendMessageResponse xmlns=\"http://queue.amazonaws.com/"
                                   "doc/2012-11-05/\">"));
    assert_non_null(strstr(r.body, "<MD5OfMessageBody>"));
    e2e_response_free(&r);
}

static void unsimulated_service(void **state)
{
    (void)state;
    char *err = e2e_stderr(srv);
    assert_non_null(strstr(err, "AWS service integration to dynamodb is not simulated: add "
                                "x-gatehouse-mock: file.lua to the operation to answer it "
                                "locally"));
    free(err);
    e2e_response r;
    assert_int_equal(e2e_request(srv, "PUT", "/dev/items", json_headers, "{}", 2, &r), 0);
    assert_int_equal(r.status, 500);
    assert_string_equal(r.body, "{\"message\": \"Internal server error\"}");
    e2e_response_free(&r);
    assert_int_equal(e2e_request(srv, "PUT", "/dev/items-mocked", json_headers, "{}", 2, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{}");
    e2e_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sends_the_exact_body),
        cmocka_unit_test(xml_when_accept_is_mapped),
        cmocka_unit_test(unsimulated_service),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
