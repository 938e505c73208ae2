/* AWS's dialect of Apache Velocity (VTL): templates compile once, at load, into an
 * immutable tree that any number of threads render at once, each render allocating only
 * from its own arena. What the language accepts and how it prints follows API Gateway
 * (reference §5), not stock Velocity, where the two differ: an undefined reference
 * renders as nothing, not as its own source text.
 *
 * Limits keep a hostile or buggy template from taking the process down: nesting depth
 * at parse time, and recursion depth, #foreach iterations (AWS: 1000 per loop), steps
 * per render and output size (any string a template builds included) at render time; crossing one is a runtime error with a clear message. */
#ifndef GH_VTL_H
#define GH_VTL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template/vtl_value.h"
#include "util/arena.h"
#include "util/buf.h"

#define GH_VTL_MAX_TEMPLATE_BYTES (300 * 1024) /* AWS's mapping template quota */
#define GH_VTL_MAX_NESTING 64                  /* directive/expression nesting at parse */
#define GH_VTL_MAX_CALL_DEPTH 64               /* macro / #define recursion at render */
#define GH_VTL_MAX_FOREACH 1000                /* iterations per #foreach, as AWS */
#define GH_VTL_MAX_OUTPUT (10 * 1024 * 1024)   /* API Gateway's payload limit */
/* Statements (and #foreach iterations) one render may run: nested loops multiply AWS's
 * 1000 per loop (four deep: 10^12), so a render stops with an error past this. */
#define GH_VTL_MAX_STEPS (10 * 1000 * 1000)
/* Wall time a render may take. Steps bound loops, but one step can be a slow regex (up
 * to PCRE2's match limit), so time is checked too: after each method call and every 256
 * steps. AWS publishes no figure; a template is no backend, and the Lua templates' own
 * cap is the same. */
#define GH_VTL_MAX_RENDER_MS 5000

typedef struct gh_vtl gh_vtl;

/* A syntax error: 1-based line and column inside the template text, and what is wrong
 * (with how to fix it when we can tell). */
typedef struct gh_vtl_error {
    unsigned line, col;
    char message[256];
} gh_vtl_error;

/* Parses text (len bytes, need not be NUL-terminated) into a template allocated from a
 * (the model's arena; nothing else is kept). NULL with *err filled on a syntax error or a
 * text over GH_VTL_MAX_TEMPLATE_BYTES. */
gh_vtl *gh_vtl_compile(gh_arena *a, const char *text, size_t len, gh_vtl_error *err);

/* The state of one render, shared with host objects and methods. */
struct gh_vtl_rt {
    gh_arena *arena;       /* every value a render creates */
    gh_vmap *globals;      /* the context: $input, $util, ... and what #set assigns */
    void *user;            /* for host objects: the invocation being rendered */
    size_t max_output;     /* 0: GH_VTL_MAX_OUTPUT */
    size_t max_steps;      /* 0: GH_VTL_MAX_STEPS */
    int64_t max_ms;        /* 0: GH_VTL_MAX_RENDER_MS (util/clock.h's monotonic clock) */
    int64_t deadline_ms;   /* set by gh_vtl_render: gh_clock_mono_ms() past which it fails */
    bool failed;           /* a runtime error happened; rendering stopped */
    char error[256];       /* its message */
    unsigned error_line, error_col; /* where in the template (0 if unknown) */
};

/* Renders t appending to out. Returns 0, or -1 on a runtime error (rt->failed, message in
 * rt->error; out then holds what was produced so far). #stop ends a render normally. */
int gh_vtl_render(const gh_vtl *t, gh_vtl_rt *rt, gh_buf *out);

/* False, with the render's time-out error recorded, once rt's deadline has passed: for
 * methods whose one call can take long (containsAll on big lists, ...). True outside a
 * render (deadline 0). */
bool gh_vtl_in_time(gh_vtl_rt *rt);

/* Records a runtime error (first one wins) and returns false, so callbacks can write
 * `return gh_vtl_fail(rt, "...")`. */
bool gh_vtl_fail(gh_vtl_rt *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
