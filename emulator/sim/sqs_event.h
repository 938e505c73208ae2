/* The SQS event Lambda's SQS poller hands a function, and how it reads the function's
 * answer with ReportBatchItemFailures (the Lambda Developer Guide, "Using Lambda with
 * Amazon SQS" and "Handling errors for an SQS event source"). Pure: no queue, no Lua,
 * so the event's shape is tested field by field against AWS's samples. */
#ifndef GH_SQS_EVENT_H
#define GH_SQS_EVENT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/sqs.h"

/* {"Records": [...]} for messages m[0..n) received from the queue queue_arn
 * (arn:aws:sqs:REGION:ACCOUNT:NAME). New reference; NULL when out of memory. */
json_t *gh_sqs_event_build(const gh_sqs_message *m, size_t n, const char *queue_arn,
                           const char *region);

/* Reads a ReportBatchItemFailures answer (JSON text) for the batch m[0..n): sets
 * failed[i] for each message the function reported. Returns 0, or -1 when the answer
 * makes Lambda fail the whole batch (an itemIdentifier that is empty, null, not a
 * string, under another key, or not a message of the batch; an answer that is not
 * JSON or not an object); then every failed[i] is set. */
int gh_sqs_event_failures(const char *answer, const gh_sqs_message *m, size_t n, bool *failed);

#endif
