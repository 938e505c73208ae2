/* Render rate of one mapping template (issue 4): compiles TEMPLATE once, then renders it
 * through gh_mapping_render as a request template over BODY for about SECONDS, on one
 * thread, resetting the request arena between renders as the server's worker threads
 * do. Prints templates per second per core (renders per second of this thread's CPU
 * time, so a busy machine lowers the figure less than wall time would) and the time to
 * compile the template once.
 *
 *   gh_bench_render TEMPLATE BODY [SECONDS]
 * Output: one line "RENDERS_PER_CPU_S COMPILE_US OUTPUT_BYTES", then, on stderr, the
 * detail. The first render is checked to be JSON, so a template the engine gets wrong
 * fails the benchmark rather than timing an error path.
 *
 * The invocation is the unit tests' fixture (tests/unit/inv_fixture.h, the reference's
 * GET /prod/orders/42 with its headers, query string and path parameter), given a body.
 *
 * GH_BENCH_COUNT=N renders exactly N times and skips the compile timing, for
 * instruction counts per render under callgrind (repeatable, unlike wall time). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inv_fixture.h"
#include "template/mapping.h"
#include "template/vtl.h"

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL &&
        fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s) {
        s[n] = '\0';
        *len = (size_t)n;
    }
    return s;
}

/* Compiles text into a fresh arena over and over for about `budget` seconds: the mean
 * time of one compile, in microseconds. */
static double time_compile(const char *text, size_t len, double budget)
{
    gh_arena *a = gh_arena_new(64 * 1024);
    gh_vtl_error err;
    long n = 0;
    double start = seconds(CLOCK_THREAD_CPUTIME_ID), now;
    do {
        for (int i = 0; i < 100; i++, n++) {
            gh_arena_reset(a);
            if (!gh_vtl_compile(a, text, len, &err)) {
                fprintf(stderr, "gh_bench_render: compile failed at %u:%u: %s\n", err.line,
                        err.col, err.message);
                exit(1);
            }
        }
        now = seconds(CLOCK_THREAD_CPUTIME_ID);
    } while (now - start < budget);
    gh_arena_free(a);
    return (now - start) / (double)n * 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gh_bench_render TEMPLATE BODY [SECONDS]\n");
        return 2;
    }
    double budget = argc > 3 ? atof(argv[3]) : 2.0;
    size_t tlen, blen;
    char *text = slurp(argv[1], &tlen), *body = slurp(argv[2], &blen);
    if (!text || !body) {
        fprintf(stderr, "gh_bench_render: cannot read %s\n", text ? argv[2] : argv[1]);
        return 2;
    }

    const char *count_env = getenv("GH_BENCH_COUNT");
    long count = count_env ? atol(count_env) : 0;
    double compile_us = count ? 0 : time_compile(text, tlen, budget / 4);

    gh_arena *model = gh_arena_new(64 * 1024);
    gh_vtl_error err;
    gh_template t = {.media_type = "application/json", .text = text, .len = tlen,
                     .compiled = gh_vtl_compile(model, text, tlen, &err)};

    /* The fixture's headers live in its own arena; renders use a second one, reset per
     * render like the server's per-thread request arena (server.c). */
    inv_fixture f;
    inv_fixture_init(&f);
    gh_headers_add(f.arena, &f.req.headers, "Content-Type", "application/json");
    f.req.body = body;
    f.req.body_len = blen;
    gh_arena *req_arena = gh_arena_new(16 * 1024);
    f.req.arena = f.inv.arena = req_arena;

    gh_mapping_out out;
    if (gh_mapping_render(&f.inv, &t, GH_MAPPING_REQUEST, body, blen, &out) < 0) {
        fprintf(stderr, "gh_bench_render: render failed: %s\n", out.error);
        return 1;
    }
    json_error_t jerr;
    json_t *j = json_loadb(out.body, out.len, 0, &jerr);
    if (!j) {
        fprintf(stderr, "gh_bench_render: the output is not JSON (%s, line %d):\n%s\n",
                jerr.text, jerr.line, out.body);
        return 1;
    }
    json_decref(j);
    size_t out_len = out.len;
    if (getenv("GH_BENCH_SHOW"))
        fprintf(stderr, "%s\n", out.body);

    long n = 0;
    double cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC), cpu;
    do {
        for (int i = 0; i < 100; i++, n++) {
            gh_arena_reset(req_arena);
            if (gh_mapping_render(&f.inv, &t, GH_MAPPING_REQUEST, body, blen, &out) < 0 ||
                out.len != out_len) {
                fprintf(stderr, "gh_bench_render: render %ld differs from the first\n", n);
                return 1;
            }
        }
        cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    } while (count ? n < count : seconds(CLOCK_MONOTONIC) - wall0 < budget);
    double rate = (double)n / cpu;
    fprintf(stderr,
            "render: %ld renders in %.2f s CPU (%.2f s wall): %.0f templates/s/core, %.2f us "
            "each; output %zu bytes from a %zu-byte body; compile %.1f us\n",
            n, cpu, seconds(CLOCK_MONOTONIC) - wall0, rate, 1e6 / rate, out_len, blen,
            compile_us);
    printf("%.0f %.2f %zu\n", rate, compile_us, out_len);

    f.req.arena = f.inv.arena = f.arena;
    gh_arena_free(req_arena);
    inv_fixture_free(&f);
    gh_arena_free(model);
    free(text);
    free(body);
    return 0;
}
