/* Event source mappings (x-gatehouse.eventSources): a queue feeding a Lua Lambda as
 * Lambda's SQS poller does (the Lambda Developer Guide, "Using Lambda with Amazon SQS"):
 * batches of up to BatchSize messages gathered for up to MaximumBatchingWindowInSeconds,
 * the SQS event exactly as AWS shapes it (Records[] with messageId, receiptHandle, body,
 * attributes, messageAttributes, md5OfBody, eventSource "aws:sqs", eventSourceARN,
 * awsRegion), the batch deleted when the function succeeds, left to come back after the
 * visibility timeout (and reach the dead-letter queue by redrive) when it fails, and with
 * ReportBatchItemFailures only the batchItemFailures' itemIdentifiers kept. */
#ifndef GH_EVENT_SOURCE_H
#define GH_EVENT_SOURCE_H
#include <stddef.h>

#include "sim/sim.h"

typedef struct gh_event_sources gh_event_sources;

gh_event_sources *gh_event_sources_new(gh_sim *sim);
/* Stops the poller thread if running. */
void gh_event_sources_free(gh_event_sources *es);

/* Adds the mappings of the model that are not there yet (queue + function), updates
 * the settings of those that are. Returns the number of errors put in d (unknown queue
 * or function). */
int gh_event_sources_apply(gh_event_sources *es, const gh_model *m, gh_diags *d);

/* One synchronous round over every enabled mapping: each receives what is visible now
 * (no long poll, batching window ignored) and invokes its function once per batch.
 * Returns the number of invocations. For tests on a fake clock and for `gatehouse test`,
 * which pumps until quiet before checking side effects. */
size_t gh_event_sources_pump(gh_event_sources *es);

/* A background thread that long-polls every mapping (serve). Idempotent. */
void gh_event_sources_start(gh_event_sources *es);
void gh_event_sources_stop(gh_event_sources *es);

#endif
