/* The real AWS CLI against `gatehouse serve` (issue 7): /usr/bin/aws (Debian's awscli,
 * query protocol) and the `aws` on PATH when it is another one (newer botocore, JSON
 * protocol), each pointed at the server with --endpoint-url, dummy credentials and no
 * configuration: queues, messages, redrive to a dead-letter queue, SNS fan-out to a
 * queue through a filter policy. Skips when no CLI is installed, or when the server has
 * no simulator to answer with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

static e2e_server *srv;

/* Runs `CLI --endpoint-url ... ARGS` through the shell; stdout (malloc'd) or NULL. */
static char *aws(const char *cli, const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd,
             "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_CONFIG_FILE=/dev/null "
             "AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER= "
             "%s --endpoint-url http://127.0.0.1:%d --region us-east-1 --output json %s 2>&1",
             cli, e2e_port(srv), args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0)
        n += got;
    out[n] = '\0';
    pclose(p);
    return out;
}

static void expect(char *out, const char *needle)
{
    if (!out || !strstr(out, needle))
        fail_msg("expected '%s' in:\n%s", needle, out ? out : "(nothing)");
    free(out);
}

static void scenario(const char *cli, const char *tag)
{
    int port = e2e_port(srv);
    char url[256], dlq[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/123456789012/work-%s", port, tag);
    snprintf(dlq, sizeof dlq, "arn:aws:sqs:us-east-1:123456789012:dead-%s", tag);
    expect(aws(cli, "sqs create-queue --queue-name dead-%s", tag), "/123456789012/dead-");
    expect(aws(cli, "sqs create-queue --queue-name work-%s --attributes '{\"VisibilityTimeout\":\"0\","
                    "\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":\\\"1\\\"}\"}'",
               tag, dlq),
           url);
    expect(aws(cli, "sqs send-message --queue-url %s --message-body hello", url),
           "5d41402abc4b2a76b9719d911017c592");
    expect(aws(cli, "sqs get-queue-attributes --queue-url %s --attribute-names ApproximateNumberOfMessages",
               url),
           "\"ApproximateNumberOfMessages\": \"1\"");
    char *got = aws(cli, "sqs receive-message --queue-url %s --attribute-names All", url);
    assert_non_null(strstr(got, "\"Body\": \"hello\""));
    assert_non_null(strstr(got, "\"ApproximateReceiveCount\": \"1\""));
    free(got);
    /* Visible again at once (timeout 0), past maxReceiveCount: on to the dead letters. */
    expect(aws(cli, "sqs receive-message --queue-url %s", url), "");
    expect(aws(cli, "sqs receive-message --queue-url http://127.0.0.1:%d/123456789012/dead-%s", port, tag),
           "\"Body\": \"hello\"");
    char *rh = aws(cli, "sqs receive-message --queue-url http://127.0.0.1:%d/1/dead-%s "
                        "--visibility-timeout 0 --query 'Messages[0].ReceiptHandle' --output text",
                   port, tag);
    rh[strcspn(rh, "\r\n")] = '\0';
    expect(aws(cli, "sqs delete-message --queue-url http://127.0.0.1:%d/1/dead-%s --receipt-handle '%s'",
               port, tag, rh),
           "");
    free(rh);

    /* SNS -> SQS with a filter policy: only the red message arrives, in its envelope. */
    char topic[200];
    snprintf(topic, sizeof topic, "arn:aws:sns:us-east-1:123456789012:news-%s", tag);
    expect(aws(cli, "sns create-topic --name news-%s", tag), topic);
    expect(aws(cli, "sqs create-queue --queue-name inbox-%s", tag), "inbox-");
    expect(aws(cli, "sns subscribe --topic-arn %s --protocol sqs --notification-endpoint "
                    "arn:aws:sqs:us-east-1:123456789012:inbox-%s --attributes "
                    "'{\"FilterPolicy\":\"{\\\"color\\\":[\\\"red\\\"]}\"}'",
               topic, tag),
           "SubscriptionArn");
    expect(aws(cli, "sns publish --topic-arn %s --message blue-one --message-attributes "
                    "'{\"color\":{\"DataType\":\"String\",\"StringValue\":\"blue\"}}'", topic),
           "MessageId");
    expect(aws(cli, "sns publish --topic-arn %s --message red-one --message-attributes "
                    "'{\"color\":{\"DataType\":\"String\",\"StringValue\":\"red\"}}'", topic),
           "MessageId");
    got = aws(cli, "sqs receive-message --queue-url http://127.0.0.1:%d/1/inbox-%s --max-number-of-messages 10",
              port, tag);
    assert_non_null(strstr(got, "\\\"Type\\\" : \\\"Notification\\\"") ? got : strstr(got, "Notification"));
    assert_non_null(strstr(got, "red-one"));
    assert_null(strstr(got, "blue-one"));
    free(got);
}

static void aws_cli_end_to_end(void **state)
{
    (void)state;
    const char *clis[2] = {NULL, NULL};
    if (access("/usr/bin/aws", X_OK) == 0)
        clis[0] = "/usr/bin/aws";
    FILE *p = popen("command -v aws 2>/dev/null", "r");
    static char path_aws[512];
    if (p && fgets(path_aws, sizeof path_aws, p)) {
        path_aws[strcspn(path_aws, "\n")] = '\0';
        if (strcmp(path_aws, "/usr/bin/aws") != 0 && strcmp(path_aws, "/bin/aws") != 0)
            clis[1] = path_aws;
    }
    if (p)
        pclose(p);
    if (!clis[0] && !clis[1])
        skip();
    const char *args[] = {"specs/tests/echo.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);
    e2e_response r;
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    assert_int_equal(e2e_request(srv, "POST", "/", h, "Action=ListQueues", 17, &r), 0);
    long status = r.status;
    e2e_response_free(&r);
    if (status == 503) { /* a server built without the simulator wired in */
        fprintf(stderr, "test_aws_cli: the server has no simulated SQS/SNS yet; skipped\n");
        e2e_kill(srv);
        skip();
    }
    assert_int_equal(status, 200);
    if (clis[0])
        scenario(clis[0], "query");
    if (clis[1])
        scenario(clis[1], "json");
    e2e_stop(srv);
    e2e_kill(srv);
    srv = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(aws_cli_end_to_end)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
