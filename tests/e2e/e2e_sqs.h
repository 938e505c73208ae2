/* The simulated SQS through its JSON protocol (what CLI v2 and the current SDKs send),
 * for e2e files that check queues on a served gatehouse. Include after cmocka.h and
 * e2e.h. */
#ifndef GH_E2E_SQS_H
#define GH_E2E_SQS_H
#include <stdio.h>
#include <string.h>

/* One call; the answer parsed (caller decrefs). status NULL: the call must answer 200;
 * else *status gets the answer's status and the body must still be JSON. */
static json_t *sqs_call(e2e_server *s, const char *op, const char *payload, long *status)
{
    char target[96];
    snprintf(target, sizeof target, "X-Amz-Target: AmazonSQS.%s", op);
    const char *const headers[] = {target, "Content-Type: application/x-amz-json-1.0", NULL};
    e2e_response r;
    assert_int_equal(e2e_request(s, "POST", "/", headers, payload, strlen(payload), &r), 0);
    json_t *v = e2e_body_json(&r);
    if (status)
        *status = r.status;
    if (!v || (!status && r.status != 200))
        fail_msg("%s answered %ld: %s", op, r.status, r.body);
    e2e_response_free(&r);
    return v;
}

#endif
