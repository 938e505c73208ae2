/* One sandboxed lua_State: the allocator that enforces the memory cap, the count hook
 * that enforces deadlines, the message handler that keeps a traceback, and building a
 * state with every model script compiled (text only) and its top level run once. */
#include "script/state.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "script/require.h"
#include "script/sandbox.h"
#include "util/clock.h"
#include "util/log.h"

/* The hook runs every HOOK_EVERY VM instructions: cheap enough (one clock read) and fine
 * enough that a tight loop stops within a millisecond of its deadline. */
#define HOOK_EVERY 1000
/* A script's top level (run once per state at load) gets this long. */
#define LOAD_BUDGET_MS 5000
/* Once the cap has tripped, error handling (message, traceback) may still use this much;
 * the hook stops the script within HOOK_EVERY instructions anyway. */
#define KILL_SLACK ((size_t)1 << 20)

/* Raised by the hook; scripts cannot forge it (they never see this address). */
static const char kill_marker;

gh_script_state *gh_script_state_of(lua_State *L)
{
    gh_script_state *st;
    memcpy(&st, lua_getextraspace(L), sizeof st);
    return st;
}

/* Each call builds an event and a result as hundreds of small Lua objects that the
 * generational collector frees soon after, so small blocks are recycled per state (a
 * state runs on one thread at a time): a list pop instead of malloc, a push instead of
 * free. A block in class c is always malloc'ed at the full class size, so any request
 * of that class fits it; larger blocks go straight to realloc/free. */
#define SMALL_MAX (GH_SMALL_STEP * GH_SMALL_CLASSES)
/* Blocks kept per class beyond this go back to malloc, so a burst does not pin memory. */
#define SMALL_KEEP 1024

static size_t small_class(size_t n)
{
    return (n - 1) / GH_SMALL_STEP;
}

static void release(gh_script_state *st, void *ptr, size_t osize)
{
    if (osize && osize <= SMALL_MAX) {
        size_t c = small_class(osize);
        if (st->small_count[c] < SMALL_KEEP) {
            memcpy(ptr, &st->small_free[c], sizeof(void *));
            st->small_free[c] = ptr;
            st->small_count[c]++;
            return;
        }
    }
    free(ptr);
}

static void *small_get(gh_script_state *st, size_t nsize)
{
    size_t c = small_class(nsize);
    void *p = st->small_free[c];
    if (p) {
        memcpy(&st->small_free[c], p, sizeof(void *));
        st->small_count[c]--;
        return p;
    }
    return malloc((c + 1) * GH_SMALL_STEP);
}

static void small_drain(gh_script_state *st)
{
    for (size_t c = 0; c < GH_SMALL_CLASSES; c++) {
        while (st->small_free[c]) {
            void *p = st->small_free[c];
            memcpy(&st->small_free[c], p, sizeof(void *));
            free(p);
        }
        st->small_count[c] = 0;
    }
}

static void *state_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    gh_script_state *st = ud;
    if (!ptr)
        osize = 0; /* osize then only tells the kind of object */
    if (nsize == 0) {
        if (ptr)
            release(st, ptr, osize);
        st->used -= osize;
        return NULL;
    }
    if (nsize > osize) {
        size_t limit = st->kill == GH_KILL_MEMORY ? st->cap + KILL_SLACK : st->cap;
        if (st->used + (nsize - osize) > limit) {
            if (st->kill == GH_KILL_NONE)
                st->kill = GH_KILL_MEMORY;
            return NULL;
        }
    }
    void *p;
    if (ptr && osize > SMALL_MAX && nsize > SMALL_MAX) {
        p = realloc(ptr, nsize);
    } else if (ptr && osize && nsize <= SMALL_MAX && small_class(osize) == small_class(nsize)) {
        p = ptr; /* the block already has its class's full size */
    } else {
        /* New block, or a move between classes or across SMALL_MAX; the old block stays
         * valid until the new one exists, as Lua requires on failure. */
        p = nsize <= SMALL_MAX ? small_get(st, nsize) : malloc(nsize);
        if (p && ptr) {
            memcpy(p, ptr, osize < nsize ? osize : nsize);
            release(st, ptr, osize);
        }
    }
    if (!p)
        return NULL;
    st->used = st->used - osize + nsize;
    return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    gh_script_state *st = gh_script_state_of(L);
    if (st->kill == GH_KILL_NONE && st->deadline_ms && gh_clock_mono_ms() >= st->deadline_ms)
        st->kill = GH_KILL_TIMEOUT;
    if (st->kill != GH_KILL_NONE) {
        /* From now on fire at every instruction: when the script's own pcall catches
         * this error, the very next instruction after it raises again, and so on until
         * the error leaves the script (Redis switches its hook the same way). */
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
        lua_pushlightuserdata(L, (void *)&kill_marker);
        lua_error(L);
    }
}

static int msgh(lua_State *L)
{
    gh_script_state *st = gh_script_state_of(L);
    const char *msg = NULL;
    if (lua_touserdata(L, 1) == &kill_marker)
        msg = st->kill == GH_KILL_MEMORY ? "not enough memory (the state's memory cap)"
                                         : "stopped: the function's timeout expired";
    else if (lua_type(L, 1) == LUA_TSTRING)
        msg = lua_tostring(L, 1);
    else if (lua_type(L, 1) == LUA_TNUMBER) {
        lua_pushvalue(L, 1); /* converted on a copy: the error value stays as raised */
        msg = lua_tostring(L, -1);
    } else if (lua_type(L, 1) == LUA_TTABLE) {
        lua_pushliteral(L, "errorMessage");
        if (lua_rawget(L, 1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
    }
    luaL_traceback(L, L, msg, 1);
    free(st->traceback);
    st->traceback = strdup(lua_tostring(L, -1));
    lua_settop(L, 1);
    return 1;
}

void gh_script_state_arm(gh_script_state *st, int64_t deadline_ms)
{
    st->kill = GH_KILL_NONE;
    st->deadline_ms = deadline_ms;
    lua_sethook(st->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    /* Every call builds an event and a result that die right after: the young
     * generation of the generational collector is made for that. */
    lua_gc(st->L, LUA_GCGEN, 0, 0);
}

void gh_script_state_push_msgh(lua_State *L)
{
    lua_pushcfunction(L, msgh);
}

static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    gh_log(GH_LOG_ERROR, "unprotected Lua error: %s", msg ? msg : "(not a string)");
    return 0;
}

/* ---- building a state ---- */

typedef struct build_args {
    gh_script_state *st;
    const gh_script *scripts;
    size_t nscripts;
    gh_diags *d;
    int failed;
} build_args;

/* Length of the "src:line" prefix when msg starts with Lua's position for src (which Lua
 * shortens to "...tail" for long paths), with *line set; 0 otherwise. */
static size_t position_prefix(const char *msg, const char *src, unsigned *line)
{
    size_t n = strlen(src);
    for (const char *c = strchr(msg, ':'); c; c = strchr(c + 1, ':')) {
        if (!isdigit((unsigned char)c[1]))
            continue;
        char *end;
        unsigned long l = strtoul(c + 1, &end, 10);
        if (*end != ':')
            continue;
        size_t k = (size_t)(c - msg);
        int same = k == n && strncmp(msg, src, n) == 0;
        int shortened = k > 3 && strncmp(msg, "...", 3) == 0 && k - 3 <= n &&
                        strncmp(msg + 3, src + n - (k - 3), k - 3) == 0;
        if (same || shortened) {
            *line = (unsigned)l;
            return (size_t)(end - msg);
        }
        return 0;
    }
    return 0;
}

/* Reports a Lua message "src:line: text" at src:line (the user's file), else at the file. */
static void script_diag(build_args *b, const gh_script *s, const char *msg, const char *fix)
{
    b->failed = 1;
    if (!b->d)
        return;
    const char *src = s->chunkname && s->chunkname[0] == '@' ? s->chunkname + 1 : s->path;
    gh_mark at = {s->path, 0, 0};
    if (!msg)
        msg = "error";
    size_t skip = src ? position_prefix(msg, src, &at.line) : 0;
    if (skip) {
        msg += skip + 1;
        while (*msg == ' ')
            msg++;
    }
    gh_diag_error(b->d, at, "%s; %s", msg, fix);
}

static void load_script(lua_State *L, build_args *b, size_t i)
{
    gh_script_state *st = b->st;
    const gh_script *s = &b->scripts[i];
    /* "@path" makes Lua print positions as path:line, so tracebacks name the file. */
    const char *name = s->chunkname ? s->chunkname : lua_pushfstring(L, "@%s", s->path);
    int loaded = luaL_loadbufferx(L, s->source, s->len, name, "t");
    if (!s->chunkname)
        lua_remove(L, -2);
    if (loaded != LUA_OK) {
        script_diag(b, s, lua_tostring(L, -1), "fix the Lua syntax");
        lua_pop(L, 1);
        return;
    }
    gh_script_state_push_msgh(L);
    lua_insert(L, -2);
    gh_script_state_arm(st, gh_clock_mono_ms() + LOAD_BUDGET_MS);
    int rc = lua_pcall(L, 0, 1, -2);
    if (rc != LUA_OK) {
        if (st->kill == GH_KILL_TIMEOUT)
            script_diag(b, s, "its top level did not finish within 5 seconds",
                        "move slow work into the handler");
        else if (st->kill == GH_KILL_MEMORY || rc == LUA_ERRMEM)
            script_diag(b, s, "its top level ran out of memory",
                        "allocate less at load time");
        else
            script_diag(b, s, lua_tostring(L, -1),
                        "the file's top level raised this error when it ran at load");
        lua_pop(L, 2);
        return;
    }
    /* Stack: msgh | returned value */
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_getfield(L, -1, "handler");
        lua_remove(L, -2);
    }
    if (lua_type(L, -1) != LUA_TFUNCTION) {
        script_diag(b, s, "handler must return a function",
                    "end the file with `return function(event, context) ... end` or return "
                    "a table with a `handler` function");
        lua_pop(L, 2);
        return;
    }
    st->handlers[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
}

static int build(lua_State *L)
{
    build_args *b = lua_touserdata(L, 1);
    lua_settop(L, 0);
    gh_sandbox_open(L);
    gh_require_open(L);
    for (size_t i = 0; i < b->nscripts; i++) {
        load_script(L, b, i);
        gh_script_state_arm(b->st, 0);
    }
    /* Start calls from a collected heap, so load-time garbage does not count against
     * the first request; finalizers it runs are bounded like a top level. */
    gh_script_state_arm(b->st, gh_clock_mono_ms() + LOAD_BUDGET_MS);
    lua_gc(L, LUA_GCCOLLECT);
    gh_script_state_arm(b->st, 0);
    return 0;
}

gh_script_state *gh_script_state_new(const gh_script *scripts, size_t nscripts,
                                     const char *const *dirs, size_t ndirs, size_t cap,
                                     const gh_script_file_hook *hook, gh_diags *d)
{
    gh_script_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (hook)
        st->file_hook = *hook;
    st->cap = cap;
    st->dirs = dirs;
    st->ndirs = ndirs;
    st->nhandlers = nscripts;
    st->handlers = calloc(nscripts ? nscripts : 1, sizeof *st->handlers);
    st->L = st->handlers ? lua_newstate(state_alloc, st) : NULL;
    if (!st->L) {
        if (d)
            gh_diag_error(d, (gh_mark){0}, "cannot create a Lua state within %zu bytes", cap);
        gh_script_state_free(st);
        return NULL;
    }
    for (size_t i = 0; i < nscripts; i++)
        st->handlers[i] = LUA_NOREF;
    memcpy(lua_getextraspace(st->L), &st, sizeof st);
    lua_atpanic(st->L, panic);
    lua_sethook(st->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);

    build_args b = {st, scripts, nscripts, d, 0};
    lua_pushcfunction(st->L, build);
    lua_pushlightuserdata(st->L, &b);
    int rc = lua_pcall(st->L, 1, 0, 0);
    if (rc != LUA_OK) {
        if (d)
        {
            const char *why = lua_tostring(st->L, -1);
            if (rc == LUA_ERRMEM || st->kill == GH_KILL_MEMORY || !why)
                why = "not enough memory";
            gh_diag_error(d, (gh_mark){0}, "cannot set up a Lua state: %s; raise the memory cap",
                          why);
        }
        b.failed = 1;
    }
    lua_settop(st->L, 0);
    gh_script_state_arm(st, 0);
    if (b.failed) {
        gh_script_state_free(st);
        return NULL;
    }
    free(st->traceback);
    st->traceback = NULL;
    return st;
}

void gh_script_state_free(gh_script_state *st)
{
    if (!st)
        return;
    if (st->L) {
        /* A finalizer (__gc) run by lua_close must not loop forever: trip the hook now. */
        st->kill = GH_KILL_TIMEOUT;
        lua_close(st->L);
    }
    small_drain(st);
    free(st->handlers);
    free(st->traceback);
    free(st);
}
