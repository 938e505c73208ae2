/* The JSON SNS delivers: the notification envelope an SQS queue (and an HTTP endpoint)
 * receives, and the Lambda event record, byte for byte as AWS writes them.
 *
 * The envelope is SNS's own pretty-printed form: two-space indent, `"Key" : value`,
 * keys in SNS's order, each message attribute on one compact line
 * (`"n" : {"Type":"String","Value":"v"}`), no newline after the closing brace (real
 * deliveries, reference aws-api-gateway.md §10.4; the Developer Guide's
 * "Fanout to Amazon SQS queues" sample). Strings are escaped as Jackson does by default:
 * quote, backslash and control characters only; '/' and non-ASCII stay as they are.
 *
 * The signature: SNS signs with its private RSA key, which we do not have. We write a
 * deterministic stand-in of the same shape (base64 of 256 bytes, as an RSA-2048
 * signature is): the SHA-256 of the string SNS would sign (its documented
 * "Message\n...\nMessageId\n...\n[Subject\n...\n]Timestamp\n...\nTopicArn\n...\nType\n
 * Notification\n"), chained eight times. It verifies against no certificate; clients
 * that check signatures must skip that check locally. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim/sns_impl.h"
#include "util/arena.h"
#include "util/base64.h"
#include "util/buf.h"

void gh_sns_timestamp(int64_t epoch_ms, char out[32])
{
    time_t secs = (time_t)(epoch_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* The result is used so that GCC's -Wformat-truncation (plain Debug builds) trusts
     * the bound: gmtime's fields fit "YYYY-MM-DDTHH:MM:SS.mmmZ". */
    if (snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(epoch_ms % 1000)) < 0)
        out[0] = '\0';
}

static void put_string(gh_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    gh_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': gh_buf_puts(b, "\\\""); break;
        case '\\': gh_buf_puts(b, "\\\\"); break;
        case '\n': gh_buf_puts(b, "\\n"); break;
        case '\r': gh_buf_puts(b, "\\r"); break;
        case '\t': gh_buf_puts(b, "\\t"); break;
        case '\b': gh_buf_puts(b, "\\b"); break;
        case '\f': gh_buf_puts(b, "\\f"); break;
        default:
            if (*p < 0x20) {
                char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
                gh_buf_puts(b, u);
            } else
                gh_buf_putc(b, (char)*p);
        }
    }
    gh_buf_putc(b, '"');
}

/* A member of the pretty envelope: `,\n  "Key" : "value"` (no comma for the first). */
static void pretty_member(gh_buf *b, const char *key, const char *value)
{
    gh_buf_puts(b, b->len > 1 ? ",\n  " : "\n  ");
    put_string(b, key);
    gh_buf_puts(b, " : ");
    put_string(b, value);
}

/* One attribute's {"Type":..,"Value":..}: Binary values travel base64-encoded. */
static void attr_object(gh_buf *b, const gh_sqs_attr *a, gh_arena *ar)
{
    gh_buf_puts(b, "{\"Type\":");
    put_string(b, a->data_type ? a->data_type : "String");
    gh_buf_puts(b, ",\"Value\":");
    if (a->binary_value)
        put_string(b, gh_base64_encode(ar, a->binary_value, a->binary_len));
    else
        put_string(b, a->string_value ? a->string_value : "");
    gh_buf_putc(b, '}');
}

static void cert_url(const gh_sns *s, char *out, size_t n)
{
    /* SNS's certificate file name carries 32 hex digits; ours are fixed. */
    snprintf(out, n,
             "https://sns.%s.amazonaws.com/SimpleNotificationService-"
             "6761746568f075736573696d756c61ed.pem",
             s->region);
}

static char *unsubscribe_url(const gh_sns *s, const char *sub_arn)
{
    return gh_strprintf("https://sns.%s.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=%s",
                        s->region, sub_arn ? sub_arn : "");
}

static void fake_signature(const gh_sns_notification *n, gh_arena *ar, char **out)
{
    gh_buf tosign = GH_BUF_INIT;
    gh_buf_printf(&tosign, "Message\n%s\nMessageId\n%s\n", n->message, n->message_id);
    if (n->subject)
        gh_buf_printf(&tosign, "Subject\n%s\n", n->subject);
    gh_buf_printf(&tosign, "Timestamp\n%s\nTopicArn\n%s\nType\nNotification\n", n->timestamp,
                  n->topic_arn);
    unsigned char sig[256];
    unsigned char prev[32] = {0};
    for (int i = 0; i < 8; i++) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        EVP_DigestUpdate(ctx, prev, sizeof prev);
        EVP_DigestUpdate(ctx, tosign.data, tosign.len);
        EVP_DigestFinal_ex(ctx, prev, &len);
        EVP_MD_CTX_free(ctx);
        memcpy(sig + i * 32, prev, 32);
    }
    gh_buf_free(&tosign);
    *out = gh_base64_encode(ar, sig, sizeof sig);
}

char *gh_sns_envelope(const gh_sns *s, const gh_sns_notification *n)
{
    gh_arena *ar = gh_arena_new(1024);
    gh_buf b = GH_BUF_INIT;
    gh_buf_putc(&b, '{');
    pretty_member(&b, "Type", "Notification");
    pretty_member(&b, "MessageId", n->message_id);
    if (n->fifo && n->sequence_number && n->sequence_number[0])
        pretty_member(&b, "SequenceNumber", n->sequence_number);
    pretty_member(&b, "TopicArn", n->topic_arn);
    if (n->subject)
        pretty_member(&b, "Subject", n->subject);
    pretty_member(&b, "Message", n->message);
    pretty_member(&b, "Timestamp", n->timestamp);
    if (!n->fifo) {
        /* FIFO topics' notifications carry no signature fields [recorded]. */
        char *sig, cert[160];
        fake_signature(n, ar, &sig);
        cert_url(s, cert, sizeof cert);
        pretty_member(&b, "SignatureVersion", "1");
        pretty_member(&b, "Signature", sig);
        pretty_member(&b, "SigningCertURL", cert);
    }
    char *unsub = unsubscribe_url(s, n->subscription_arn);
    pretty_member(&b, "UnsubscribeURL", unsub);
    free(unsub);
    if (n->nattrs) {
        gh_buf_puts(&b, ",\n  \"MessageAttributes\" : {");
        for (size_t i = 0; i < n->nattrs; i++) {
            gh_buf_puts(&b, i ? ",\n    " : "\n    ");
            put_string(&b, n->attrs[i].name);
            gh_buf_puts(&b, " : ");
            attr_object(&b, &n->attrs[i], ar);
        }
        gh_buf_puts(&b, "\n  }");
    }
    gh_buf_puts(&b, "\n}");
    gh_arena_free(ar);
    return gh_buf_steal(&b, NULL);
}

static void compact_member(gh_buf *b, bool first, const char *key, const char *value)
{
    if (!first)
        gh_buf_putc(b, ',');
    put_string(b, key);
    gh_buf_putc(b, ':');
    if (value)
        put_string(b, value);
    else
        gh_buf_puts(b, "null");
}

/* Lambda's record (the Lambda Developer Guide's "Using Lambda with Amazon SNS" sample;
 * the corpus samples aws-lambda-go__sns-event.json, powertools-python__snsEvent.json): URL spelled
 * Url, Subject null when none, MessageAttributes {} when none. */
char *gh_sns_lambda_event(const gh_sns *s, const gh_sns_notification *n)
{
    gh_arena *ar = gh_arena_new(1024);
    gh_buf b = GH_BUF_INIT;
    gh_buf_puts(&b, "{\"Records\":[{");
    compact_member(&b, true, "EventSource", "aws:sns");
    compact_member(&b, false, "EventVersion", "1.0");
    compact_member(&b, false, "EventSubscriptionArn",
                   n->subscription_arn ? n->subscription_arn : "");
    gh_buf_puts(&b, ",\"Sns\":{");
    compact_member(&b, true, "Type", "Notification");
    compact_member(&b, false, "MessageId", n->message_id);
    compact_member(&b, false, "TopicArn", n->topic_arn);
    compact_member(&b, false, "Subject", n->subject);
    compact_member(&b, false, "Message", n->message);
    compact_member(&b, false, "Timestamp", n->timestamp);
    char *sig, cert[160];
    fake_signature(n, ar, &sig);
    cert_url(s, cert, sizeof cert);
    compact_member(&b, false, "SignatureVersion", "1");
    compact_member(&b, false, "Signature", sig);
    compact_member(&b, false, "SigningCertUrl", cert);
    char *unsub = unsubscribe_url(s, n->subscription_arn);
    compact_member(&b, false, "UnsubscribeUrl", unsub);
    free(unsub);
    gh_buf_puts(&b, ",\"MessageAttributes\":{");
    for (size_t i = 0; i < n->nattrs; i++) {
        if (i)
            gh_buf_putc(&b, ',');
        put_string(&b, n->attrs[i].name);
        gh_buf_putc(&b, ':');
        attr_object(&b, &n->attrs[i], ar);
    }
    gh_buf_puts(&b, "}}}]}");
    gh_arena_free(ar);
    return gh_buf_steal(&b, NULL);
}
