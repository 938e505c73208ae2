/* Restoring the simulated SQS and SNS from a store (sim/store.h) at start, before
 * anything else uses them: queues with their attributes, messages (ids, bodies,
 * attributes, timestamps, receive counts, visibility deadlines, FIFO groups, sequence
 * numbers and deduplication ids), topics with their subscriptions. Afterwards the
 * engine writes every change to the store. Deadlines are kept in wall-clock time and
 * become monotonic ones here, so a message in flight when the process stopped is in
 * flight until its deadline, whenever the process starts again. */
#ifndef GH_PERSIST_H
#define GH_PERSIST_H
#include <stddef.h>

#include "sim/sns.h"
#include "sim/sqs.h"
#include "sim/store.h"

/* Queues first (SNS subscriptions name them). 0, or -1 with a message in err; the
 * engine then keeps writing to st (which must outlive it). */
int gh_sqs_restore(gh_sqs *q, gh_store *st, char *err, size_t errlen);
int gh_sns_restore(gh_sns *s, gh_store *st, char *err, size_t errlen);

#endif
