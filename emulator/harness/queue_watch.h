/* The messages that arrive on the simulated queues while fixtures run, for the
 * expectation "a message matching X arrived on queue Q within T" (docs/fixtures.md). It
 * is the SQS observer (gh_sqs_set_observer): every stored message is copied into a log
 * the moment it is sent, so a message an event source consumes at once still counts.
 * A fixture takes a mark before its request and waits for arrivals after the mark,
 * woken by each one, never past its deadline. Thread-safe (files run in parallel). */
#ifndef GH_QUEUE_WATCH_H
#define GH_QUEUE_WATCH_H
#include <stdbool.h>
#include <stdint.h>

#include "sim/sqs.h"

typedef struct gh_fx_queues gh_fx_queues;

/* Installs itself as sqs's observer (there is one; this replaces any other). */
gh_fx_queues *gh_fx_queues_new(gh_sqs *sqs);
/* Removes the observer first. */
void gh_fx_queues_free(gh_fx_queues *w);

/* Arrivals so far: the mark a fixture takes before sending its request. */
uint64_t gh_fx_queues_mark(gh_fx_queues *w);

/* Real milliseconds (CLOCK_MONOTONIC) for deadlines: T is time the user waits, which a
 * frozen or fake emulator clock (--clock) must not stretch. */
int64_t gh_fx_queues_now_ms(void);

/* Calls check with the messages that arrived on queue since mark (arrival order), at
 * once and again after each new arrival, until it returns true (its verdict is final)
 * or deadline_ms passes; returns whether check ended the wait. check keeps its verdict
 * in ud, and runs under the log's lock: keep it short. */
typedef bool (*gh_fx_arrivals_check)(void *ud, const gh_sqs_message *const *msgs, size_t n);
bool gh_fx_queues_wait(gh_fx_queues *w, const char *queue, uint64_t mark, int64_t deadline_ms,
                       gh_fx_arrivals_check check, void *ud);

#endif
