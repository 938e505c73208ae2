/* Queue attributes of the simulated SQS: their names, AWS's ranges and texts (SQS API
 * Reference, CreateQueue and SetQueueAttributes), the RedrivePolicy checks, and how a
 * value lands in a queue. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs_internal.h"

const char *const gh_sqsi_attr_names[SQA_COUNT] = {
    [SQA_VISIBILITY] = "VisibilityTimeout",
    [SQA_MAX_SIZE] = "MaximumMessageSize",
    [SQA_RETENTION] = "MessageRetentionPeriod",
    [SQA_DELAY] = "DelaySeconds",
    [SQA_POLICY] = "Policy",
    [SQA_REDRIVE] = "RedrivePolicy",
    [SQA_REDRIVE_ALLOW] = "RedriveAllowPolicy",
    [SQA_WAIT] = "ReceiveMessageWaitTimeSeconds",
    [SQA_KMS_KEY] = "KmsMasterKeyId",
    [SQA_KMS_REUSE] = "KmsDataKeyReusePeriodSeconds",
    [SQA_SSE] = "SqsManagedSseEnabled",
    [SQA_FIFO] = "FifoQueue",
    [SQA_DEDUP_SCOPE] = "DeduplicationScope",
    [SQA_THROUGHPUT] = "FifoThroughputLimit",
    [SQA_CBD] = "ContentBasedDeduplication",
};

/* Integer ranges (SQS API Reference, SetQueueAttributes). */
static const struct {
    int attr;
    long lo, hi;
} int_ranges[] = {
    {SQA_VISIBILITY, 0, 43200},
    {SQA_MAX_SIZE, 1024, 1048576},
    {SQA_RETENTION, 60, 1209600},
    {SQA_DELAY, 0, 900},
    {SQA_WAIT, 0, 20},
    {SQA_KMS_REUSE, 60, 86400},
};

bool gh_sqsi_fifo_only(int a)
{
    return a == SQA_FIFO || a == SQA_DEDUP_SCOPE || a == SQA_THROUGHPUT || a == SQA_CBD;
}

int gh_sqsi_attr_index(const char *name)
{
    for (int i = 0; i < SQA_COUNT; i++)
        if (strcmp(gh_sqsi_attr_names[i], name) == 0)
            return i;
    return -1;
}

static bool parse_long(const char *s, long *out)
{
    if (!*s || strlen(s) > 10)
        return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    *out = strtol(s, NULL, 10);
    return true;
}

static int bad_value(gh_sqs_error *err, int a)
{
    return gh_sqsi_fail(err, "InvalidAttributeValue", "Invalid value for the parameter %s.",
                        gh_sqsi_attr_names[a]);
}

/* The queue name of an SQS ARN (any region and account: queues are found by name). */
static const char *arn_queue_name(const char *arn)
{
    if (strncmp(arn, "arn:", 4) != 0)
        return NULL;
    int colons = 0;
    const char *last = NULL;
    for (const char *p = arn; *p; p++)
        if (*p == ':') {
            colons++;
            last = p;
        }
    return colons == 5 && last[1] ? last + 1 : NULL;
}

static int redrive_fail(gh_sqs_error *err, const char *value, const char *reason)
{
    return gh_sqsi_fail(err, "InvalidParameterValue",
                        "Value %s for parameter RedrivePolicy is invalid. Reason: %s.", value,
                        reason);
}

/* RedrivePolicy: {"deadLetterTargetArn": ARN, "maxReceiveCount": 1..1000 (number or
 * numeric string)}; the dead-letter queue must exist and be of the same type. AWS
 * reports it back normalised, maxReceiveCount as a number. */
static int check_redrive(gh_sqs *q, bool fifo, const char *value, char **norm, gh_sqs_error *err)
{
    if (!*value) {
        *norm = NULL; /* "" removes the policy */
        return 0;
    }
    json_t *j = json_loads(value, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return redrive_fail(err, value, "Redrive policy is not a valid JSON map");
    }
    json_t *arn = json_object_get(j, "deadLetterTargetArn");
    json_t *mrc = json_object_get(j, "maxReceiveCount");
    int rc = 0;
    long n = 0;
    char reason[160];
    if (!json_is_string(arn) || (!json_is_string(mrc) && !json_is_integer(mrc))) {
        snprintf(reason, sizeof reason, "Redrive policy does not contain mandatory attribute: %s",
                 !json_is_string(arn) ? "deadLetterTargetArn" : "maxReceiveCount");
        rc = redrive_fail(err, value, reason);
        goto out;
    }
    if (json_is_integer(mrc))
        n = (long)json_integer_value(mrc);
    else if (!parse_long(json_string_value(mrc), &n))
        n = -1;
    if (n < 1 || n > 1000) {
        snprintf(reason, sizeof reason,
                 "Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both "
                 "inclusive",
                 json_is_string(mrc) ? json_string_value(mrc) : "");
        if (json_is_integer(mrc))
            snprintf(reason, sizeof reason,
                     "Invalid value for maxReceiveCount: %ld, valid values are from 1 to 1000 "
                     "both inclusive",
                     n);
        rc = redrive_fail(err, value, reason);
        goto out;
    }
    const char *dlq = arn_queue_name(json_string_value(arn));
    pthread_mutex_lock(&q->mu);
    sqs_queue *d = dlq ? gh_sqsi_find_locked(q, dlq, NULL) : NULL;
    bool dfifo = d && d->fifo;
    pthread_mutex_unlock(&q->mu);
    if (!d) {
        rc = redrive_fail(err, value, "Dead-letter target does not exist");
        goto out;
    }
    if (dfifo != fifo) {
        rc = redrive_fail(err, value, "Dead-letter queue must be same type of queue as the source");
        goto out;
    }
    json_t *o = json_pack("{s:s,s:I}", "deadLetterTargetArn", json_string_value(arn),
                          "maxReceiveCount", (json_int_t)n);
    *norm = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
out:
    json_decref(j);
    return rc;
}

/* Validates one attribute for a queue of the given type; *norm is the malloc'd value as
 * AWS reports it afterwards (NULL: unset). */
int gh_sqsi_check_attr(gh_sqs *q, bool fifo, bool creating, const char *name, const char *value,
                       int *which, char **norm, gh_sqs_error *err)
{
    int a = gh_sqsi_attr_index(name);
    *norm = NULL;
    /* Standard queues do not know the FIFO attributes at all (AWS: "Unknown Attribute
     * ContentBasedDeduplication."), except FifoQueue=false on CreateQueue. */
    if (a < 0 || (!fifo && gh_sqsi_fifo_only(a) && !(a == SQA_FIFO && creating)))
        return gh_sqsi_fail(err, "InvalidAttributeName", "Unknown Attribute %s.", name);
    *which = a;
    if (!value)
        value = "";
    for (size_t i = 0; i < sizeof int_ranges / sizeof int_ranges[0]; i++)
        if (int_ranges[i].attr == a) {
            long v;
            if (!parse_long(value, &v) || v < int_ranges[i].lo || v > int_ranges[i].hi)
                return bad_value(err, a);
            *norm = malloc(16);
            if (*norm)
                snprintf(*norm, 16, "%ld", v);
            return 0;
        }
    switch (a) {
    case SQA_FIFO:
        if (!creating)
            return gh_sqsi_fail(err, "InvalidAttributeValue",
                                "Invalid value for the parameter FifoQueue. Reason: Modifying "
                                "queue type is not supported.");
        /* fall through */
    case SQA_SSE:
    case SQA_CBD:
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return bad_value(err, a);
        break;
    case SQA_DEDUP_SCOPE:
        if (strcmp(value, "messageGroup") != 0 && strcmp(value, "queue") != 0)
            return bad_value(err, a);
        break;
    case SQA_THROUGHPUT:
        if (strcmp(value, "perQueue") != 0 && strcmp(value, "perMessageGroupId") != 0)
            return bad_value(err, a);
        break;
    case SQA_REDRIVE: return check_redrive(q, fifo, value, norm, err);
    case SQA_POLICY:
    case SQA_REDRIVE_ALLOW:
        if (*value) {
            json_t *j = json_loads(value, 0, NULL);
            bool ok = json_is_object(j);
            json_decref(j);
            if (!ok)
                return bad_value(err, a);
        }
        break;
    default: break;
    }
    if (*value)
        *norm = strdup(value);
    return 0;
}

/* Queue lock held (or the queue not yet shared). Takes ownership of norm. */
void gh_sqsi_apply_attr(sqs_queue *qu, int a, char *norm)
{
    free(qu->val[a]);
    qu->val[a] = norm;
    long v = norm ? strtol(norm, NULL, 10) : 0;
    switch (a) {
    case SQA_VISIBILITY: qu->visibility = (int)v; break;
    case SQA_RETENTION: qu->retention = (int)v; break;
    case SQA_DELAY: qu->delay = (int)v; break;
    case SQA_WAIT: qu->wait = (int)v; break;
    case SQA_MAX_SIZE: qu->max_size = (int)v; break;
    case SQA_CBD: qu->cbd = norm && strcmp(norm, "true") == 0; break;
    case SQA_DEDUP_SCOPE: qu->scope_group = norm && strcmp(norm, "messageGroup") == 0; break;
    case SQA_REDRIVE: {
        free(qu->dlq_name);
        qu->dlq_name = NULL;
        qu->max_receive = 0;
        json_t *j = norm ? json_loads(norm, 0, NULL) : NULL;
        const char *arn = json_string_value(json_object_get(j, "deadLetterTargetArn"));
        const char *n = arn ? arn_queue_name(arn) : NULL;
        if (n) {
            qu->dlq_name = strdup(n);
            qu->max_receive = (int)json_integer_value(json_object_get(j, "maxReceiveCount"));
        }
        json_decref(j);
        break;
    }
    default: break;
    }
}

const char *gh_sqsi_default_of(bool fifo, int a)
{
    switch (a) {
    case SQA_VISIBILITY: return "30";
    case SQA_MAX_SIZE: return "1048576";
    case SQA_RETENTION: return "345600";
    case SQA_DELAY: return "0";
    case SQA_WAIT: return "0";
    case SQA_SSE: return "true"; /* SSE-SQS is on for queues created since 2022 */
    case SQA_FIFO: return fifo ? "true" : NULL;
    case SQA_DEDUP_SCOPE: return fifo ? "queue" : NULL;
    case SQA_THROUGHPUT: return fifo ? "perQueue" : NULL;
    case SQA_CBD: return fifo ? "false" : NULL;
    default: return NULL;
    }
}
