#include "util/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t fake_ms = -1;
static _Atomic int64_t wall_ms = -1; /* gh_clock_freeze_wall: the wall clock only */

int64_t gh_clock_now_ms(void)
{
    int64_t f = atomic_load(&fake_ms);
    if (f >= 0)
        return f;
    f = atomic_load(&wall_ms);
    if (f >= 0)
        return f;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t gh_clock_mono_ns(void)
{
    int64_t f = atomic_load(&fake_ms);
    if (f >= 0)
        return f * 1000000;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t gh_clock_mono_ms(void)
{
    return gh_clock_mono_ns() / 1000000;
}

void gh_clock_fake(int64_t epoch_ms)
{
    atomic_store(&fake_ms, epoch_ms);
}

void gh_clock_advance(int64_t ms)
{
    atomic_fetch_add(&fake_ms, ms);
}

void gh_clock_freeze_wall(int64_t epoch_ms)
{
    atomic_store(&wall_ms, epoch_ms);
}
