/* The pool: a fixed set of states shared by every civetweb thread. A call takes a free
 * state (waiting on a condition variable while all are busy), runs, and gives it back.
 * The pool keeps its own copy of the scripts and folders, not the model, so that a state
 * spoiled by a timeout or a memory kill can be rebuilt from scratch. */
#include "script/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script/state.h"
#include "util/log.h"

static _Atomic size_t memory_cap = (size_t)64 << 20;

void gh_script_set_memory_cap(size_t bytes)
{
    atomic_store(&memory_cap, bytes);
}

struct gh_script_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    gh_script_state **states;
    size_t nstates;
    size_t *free_list; /* indices of idle states; a stack */
    size_t nfree;
    size_t cap;
    gh_script *scripts; /* private copies for rebuilding */
    size_t nscripts;
    char **dirs;
    size_t ndirs;
    /* Files `require` has loaded in any state, for --watch (own lock: recorded from
     * inside script runs, read by the serve loop). */
    pthread_mutex_t files_mu;
    gh_script_file *files; /* paths malloc'ed */
    size_t nfiles, capfiles;
};

static void record_file(void *ud, const char *path, const struct stat *st)
{
    gh_script_pool *p = ud;
    pthread_mutex_lock(&p->files_mu);
    bool known = false;
    for (size_t i = 0; i < p->nfiles && !known; i++)
        known = strcmp(p->files[i].path, path) == 0;
    if (!known && p->nfiles == p->capfiles) {
        size_t cap = p->capfiles ? p->capfiles * 2 : 8;
        gh_script_file *files = realloc(p->files, cap * sizeof *files);
        if (files) {
            p->files = files;
            p->capfiles = cap;
        }
    }
    if (!known && p->nfiles < p->capfiles) {
        char *copy = strdup(path);
        if (copy)
            p->files[p->nfiles++] = (gh_script_file){copy, st->st_mtim, (long long)st->st_size};
    }
    pthread_mutex_unlock(&p->files_mu);
}

void gh_script_pool_each_file(gh_script_pool *p, void (*fn)(const gh_script_file *f, void *ud),
                              void *ud)
{
    pthread_mutex_lock(&p->files_mu);
    for (size_t i = 0; i < p->nfiles; i++)
        fn(&p->files[i], ud);
    pthread_mutex_unlock(&p->files_mu);
}

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void add_dir(gh_script_pool *p, const char *dir)
{
    if (!dir || !*dir)
        return;
    for (size_t i = 0; i < p->ndirs; i++)
        if (strcmp(p->dirs[i], dir) == 0)
            return;
    p->dirs[p->ndirs++] = xstrdup(dir);
}

/* require looks in each definition's folder first (the user's own modules), then in the
 * shipped lua/ folders: GATEHOUSE_LUA_PATH (colon-separated) or the build's lua/. */
static int collect_dirs(gh_script_pool *p, const gh_model *m)
{
    const char *env = getenv("GATEHOUSE_LUA_PATH");
    const char *lua = env && *env ? env : GH_LUA_DIR;
    size_t n = m->napis + 1;
    for (const char *c = lua; *c; c++)
        n += *c == ':';
    p->dirs = calloc(n, sizeof *p->dirs);
    if (!p->dirs)
        return -1;
    for (size_t i = 0; i < m->napis; i++)
        add_dir(p, m->apis[i].dir);
    char *copy = strdup(lua);
    if (!copy)
        return -1;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
        add_dir(p, tok);
    free(copy);
    return 0;
}

static int copy_scripts(gh_script_pool *p, const gh_model *m)
{
    p->scripts = calloc(m->nscripts ? m->nscripts : 1, sizeof *p->scripts);
    if (!p->scripts)
        return -1;
    p->nscripts = m->nscripts;
    for (size_t i = 0; i < m->nscripts; i++) {
        const gh_script *s = &m->scripts[i];
        gh_script *c = &p->scripts[i];
        c->path = xstrdup(s->path);
        c->chunkname = xstrdup(s->chunkname);
        c->len = s->len;
        char *src = malloc(s->len + 1);
        if (src) {
            memcpy(src, s->source, s->len);
            src[s->len] = '\0';
        }
        c->source = src;
        c->mark = s->mark;
        c->mark.file = c->path; /* the model's strings are not ours to keep */
        if (!c->source || (s->path && !c->path))
            return -1;
    }
    return 0;
}

static size_t default_states(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus > 0 ? (size_t)cpus * 2 : 2;
    return n < 2 ? 2 : n;
}

gh_script_pool *gh_script_pool_new(const gh_model *m, size_t nstates, gh_diags *d)
{
    gh_script_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->files_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->freed, &ca);
    pthread_condattr_destroy(&ca);
    p->cap = atomic_load(&memory_cap);
    if (nstates == 0)
        nstates = default_states();
    p->states = calloc(nstates, sizeof *p->states);
    p->free_list = calloc(nstates, sizeof *p->free_list);
    if (!p->states || !p->free_list || copy_scripts(p, m) != 0 || collect_dirs(p, m) != 0) {
        gh_diag_error(d, (gh_mark){0}, "out of memory creating the Lua runtime");
        gh_script_pool_free(p);
        return NULL;
    }
    for (size_t i = 0; i < nstates; i++) {
        /* Only the first state reports: the others would repeat the same diagnostics. */
        gh_script_file_hook hook = {record_file, p};
        p->states[i] = gh_script_state_new(p->scripts, p->nscripts, (const char *const *)p->dirs,
                                           p->ndirs, p->cap, &hook, i == 0 ? d : NULL);
        if (!p->states[i]) {
            if (i > 0)
                gh_diag_error(d, (gh_mark){0}, "cannot create Lua state %zu of %zu", i + 1,
                              nstates);
            gh_script_pool_free(p);
            return NULL;
        }
        p->nstates++;
        p->free_list[p->nfree++] = i;
    }
    return p;
}

void gh_script_pool_free(gh_script_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nstates; i++)
        gh_script_state_free(p->states[i]);
    for (size_t i = 0; i < p->nscripts; i++) {
        free((char *)p->scripts[i].path);
        free((char *)p->scripts[i].chunkname);
        free((char *)p->scripts[i].source);
    }
    for (size_t i = 0; i < p->ndirs; i++)
        free(p->dirs[i]);
    free(p->scripts);
    free(p->dirs);
    free(p->states);
    free(p->free_list);
    for (size_t i = 0; i < p->nfiles; i++)
        free((char *)p->files[i].path);
    free(p->files);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->files_mu);
    free(p);
}

/* Takes a free state, waiting at most timeout_ms (real monotonic time: this bounds a
 * wait on other threads, not script time). Returns -1 when none came free in time, so a
 * burst of runaway scripts holding every state cannot hang other requests forever. */
static long checkout(gh_script_pool *p, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        if (pthread_cond_timedwait(&p->freed, &p->mu, &until) == ETIMEDOUT && p->nfree == 0) {
            pthread_mutex_unlock(&p->mu);
            return -1;
        }
    size_t i = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return (long)i;
}

static void checkin(gh_script_pool *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    p->free_list[p->nfree++] = i;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
}

/* After a timeout or memory kill the script may have left its globals, upvalues or
 * package.loaded half-updated: start that state over. The slot is checked out, so no
 * lock is needed to swap it. */
static void rebuild(gh_script_pool *p, size_t i)
{
    gh_script_file_hook hook = {record_file, p};
    gh_script_state *fresh = gh_script_state_new(p->scripts, p->nscripts,
                                                 (const char *const *)p->dirs, p->ndirs,
                                                 p->cap, &hook, NULL);
    if (!fresh) {
        gh_log(GH_LOG_WARN, "cannot rebuild a Lua state after a killed script; reusing it");
        gh_script_state_arm(p->states[i], 0);
        return;
    }
    gh_script_state_free(p->states[i]);
    p->states[i] = fresh;
}

/* Every public call: the event is JSON or, when tree is set, a value tree, or custom
 * arguments when custom is set. */
static gh_script_status call(gh_script_pool *p, int script, const json_t *event,
                             const gh_value *tree, const gh_lambda_context *ctx,
                             const gh_script_custom *custom, int timeout_ms,
                             gh_script_result *out)
{
    if (timeout_ms <= 0)
        timeout_ms = 3000; /* Lambda's default, as gh_script_state_call uses */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long slot = checkout(p, timeout_ms);
    if (slot < 0) {
        /* From the caller's side the invocation simply never finished in time. */
        memset(out, 0, sizeof *out);
        char msg[64];
        snprintf(msg, sizeof msg, "Task timed out after %.2f seconds", timeout_ms / 1000.0);
        out->status = GH_SCRIPT_TIMEOUT;
        out->error_message = strdup(msg);
        out->error_type = strdup("Sandbox.Timedout");
        out->traceback = strdup("no Lua state came free in time: every state was busy "
                                "(long-running scripts?)");
        out->duration_ms = timeout_ms;
        return out->status;
    }
    size_t i = (size_t)slot;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    int left = timeout_ms - (int)waited;
    gh_script_status s =
        custom ? gh_script_state_call_custom(p->states[i], script, custom, left > 1 ? left : 1,
                                             out)
               : gh_script_state_call(p->states[i], script, event, tree, ctx,
                                      left > 1 ? left : 1, out);
    if (p->states[i]->kill != GH_KILL_NONE)
        rebuild(p, i);
    checkin(p, i);
    return s;
}

gh_script_status gh_script_call(gh_script_pool *p, int script, json_t *event,
                                const gh_lambda_context *ctx, int timeout_ms,
                                gh_script_result *out)
{
    return call(p, script, event, NULL, ctx, NULL, timeout_ms, out);
}

gh_script_status gh_script_call_value(gh_script_pool *p, int script, const gh_value *event,
                                      const gh_lambda_context *ctx, int timeout_ms,
                                      gh_script_result *out)
{
    return call(p, script, NULL, event, ctx, NULL, timeout_ms, out);
}

gh_script_status gh_script_call_custom(gh_script_pool *p, int script, const gh_script_custom *c,
                                       int timeout_ms, gh_script_result *out)
{
    return call(p, script, NULL, NULL, NULL, c, timeout_ms, out);
}

void gh_script_result_free(gh_script_result *r)
{
    if (!r)
        return;
    json_decref(r->value);
    free(r->error_message);
    free(r->error_type);
    free(r->traceback);
    memset(r, 0, sizeof *r);
}
