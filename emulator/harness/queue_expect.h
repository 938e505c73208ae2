/* expect.queues (docs/fixtures.md): "messages matching X arrived on queue Q within T".
 * Each queue's entry says how long to wait (within), how many messages must arrive
 * (count) and what some of them hold (messages: json subset, exact body, attributes),
 * matched with the harness's own matchers (harness/match.h). Waiting ends as soon as
 * the verdict is known, and never later than T after the request was sent. */
#ifndef GH_QUEUE_EXPECT_H
#define GH_QUEUE_EXPECT_H
#include <stdint.h>

#include "harness/match.h"
#include "harness/queue_watch.h"

/* How long a queue expectation waits when it gives no `within`, and the most it may. */
#define GH_FX_QUEUE_WITHIN_MS 1000
#define GH_FX_QUEUE_WITHIN_MAX_MS 60000

/* A duration: a number of seconds (2, 0.5) or text with a unit ("2s", "500ms"). Returns
 * the milliseconds, or -1 when n is none of those or is negative. */
long gh_fx_duration_ms(const gh_node *n);

/* Checks f->exp_queues against the arrivals since mark; sent_ms is when the request went
 * out (gh_fx_queues_now_ms). Failures go to r. w NULL: every queue expectation fails,
 * saying the harness watches only the in-process emulator. */
void gh_fx_expect_queues(gh_arena *a, const gh_vars *v, const gh_fixture *f, gh_fx_queues *w,
                         uint64_t mark, int64_t sent_ms, gh_fx_result *r);

#endif
