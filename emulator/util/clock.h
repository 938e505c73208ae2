/* The one source of time. Tests install a fake clock so TTLs, quotas and timeouts are
 * tested without sleeping. */
#ifndef GH_CLOCK_H
#define GH_CLOCK_H
#include <stdint.h>

/* Wall-clock milliseconds since the Unix epoch. */
int64_t gh_clock_now_ms(void);
/* Monotonic milliseconds, for latencies and deadlines. */
int64_t gh_clock_mono_ms(void);
/* Monotonic nanoseconds, for latency figures in logs. */
int64_t gh_clock_mono_ns(void);

/* Pin both clocks to a fixed value (tests); gh_clock_advance moves them. A negative
 * value returns to the real clocks. */
void gh_clock_fake(int64_t epoch_ms);
void gh_clock_advance(int64_t ms);
/* Pins only the wall clock (what scripts and $context.requestTime read), leaving the
 * monotonic clock real so timeouts still fire: `serve/test --clock`. Negative: real. */
void gh_clock_freeze_wall(int64_t epoch_ms);

#endif
