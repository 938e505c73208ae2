/* `gatehouse serve`: load, start the server, answer until SIGINT/SIGTERM, and with
 * --watch swap in a new model whenever a file it was built from changes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "script/pool.h"
#include "server/commands.h"
#include "server/runtime.h"
#include "server/server.h"
#include "util/log.h"

/* How often --watch looks at file modification times. Polling (not inotify) because
 * editors replace files by renaming, and a stat of a few files is nothing. */
#define WATCH_INTERVAL_MS 300

typedef struct watched {
    char **paths;
    struct timespec *mtimes;
    off_t *sizes;
    size_t n;
} watched;

static void watch_free(watched *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->paths[i]);
    free(w->paths);
    free(w->mtimes);
    free(w->sizes);
    memset(w, 0, sizeof *w);
}

static void watch_snapshot(watched *w, const gh_model *m)
{
    watch_free(w);
    w->n = m->nfiles;
    w->paths = calloc(w->n ? w->n : 1, sizeof *w->paths);
    w->mtimes = calloc(w->n ? w->n : 1, sizeof *w->mtimes);
    w->sizes = calloc(w->n ? w->n : 1, sizeof *w->sizes);
    if (!w->paths || !w->mtimes || !w->sizes)
        abort();
    for (size_t i = 0; i < w->n; i++) {
        w->paths[i] = strdup(m->files[i]);
        struct stat st;
        if (stat(w->paths[i], &st) == 0) {
            w->mtimes[i] = st.st_mtim;
            w->sizes[i] = st.st_size;
        }
    }
}

/* Starts watching one more file (a module `require` loaded at run time), from its
 * current state. */
static void watch_add(const char *path, void *ud)
{
    watched *w = ud;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->paths[i], path) == 0)
            return;
    char **paths = realloc(w->paths, (w->n + 1) * sizeof *paths);
    struct timespec *mtimes = realloc(w->mtimes, (w->n + 1) * sizeof *mtimes);
    off_t *sizes = realloc(w->sizes, (w->n + 1) * sizeof *sizes);
    if (!paths || !mtimes || !sizes)
        abort();
    w->paths = paths;
    w->mtimes = mtimes;
    w->sizes = sizes;
    w->paths[w->n] = strdup(path);
    w->mtimes[w->n] = (struct timespec){0, 0};
    w->sizes[w->n] = -1;
    struct stat st;
    if (stat(path, &st) == 0) {
        w->mtimes[w->n] = st.st_mtim;
        w->sizes[w->n] = st.st_size;
    }
    w->n++;
}

static bool watch_changed(watched *w)
{
    bool changed = false;
    for (size_t i = 0; i < w->n; i++) {
        struct stat st;
        struct timespec mt = {0, 0};
        off_t size = -1;
        if (stat(w->paths[i], &st) == 0) {
            mt = st.st_mtim;
            size = st.st_size;
        }
        if (mt.tv_sec != w->mtimes[i].tv_sec || mt.tv_nsec != w->mtimes[i].tv_nsec ||
            size != w->sizes[i]) {
            w->mtimes[i] = mt;
            w->sizes[i] = size;
            changed = true;
        }
    }
    return changed;
}

static void load_options(const gh_cli *cli, gh_load_options *opt, unsigned generation)
{
    memset(opt, 0, sizeof *opt);
    opt->definitions = cli->defs;
    opt->ndefinitions = cli->ndefs;
    opt->overlays = cli->overlays;
    opt->noverlays = cli->noverlays;
    opt->stage = cli->stage;
    opt->host = cli->host;
    opt->port = cli->port;
    opt->generation = generation;
}

static void reload(gh_live *live, const gh_cli *cli, watched *w, unsigned *generation)
{
    gh_load_options opt;
    load_options(cli, &opt, *generation + 1);
    gh_diags d = GH_DIAGS_INIT;
    gh_runtime *rt = gh_runtime_build(&opt, &d);
    gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    if (!rt) {
        gh_log(GH_LOG_ERROR, "reload failed; still serving the previous definition");
        return;
    }
    ++*generation;
    watch_snapshot(w, rt->model);
    gh_live_swap(live, rt);
    gh_log(GH_LOG_INFO, "reloaded (generation %u)", *generation);
}

/* Where each API answers, on stderr (stdout's first line belongs to `listening on`): an
 * API id derived from the title is otherwise guesswork for Host addressing. */
static void announce(const gh_model *m, const char *host, int port)
{
    for (size_t i = 0; i < m->napis; i++) {
        const gh_api *api = &m->apis[i];
        /* Only the first API answers on the plain host; every API answers on its own
         * execute-api host name. */
        const char *base = i == 0 ? host : NULL;
        char alias[160];
        snprintf(alias, sizeof alias, "%s.execute-api.localhost", api->id);
        gh_log(GH_LOG_INFO, "api %s (%s), Host %s:%d%s", api->id, api->source, alias, port,
               i == 0 ? " or any other" : "");
        for (size_t k = 0; k < api->nstages; k++)
            gh_log(GH_LOG_INFO, "  http://%s:%d/%s/%s", base ? base : alias, port,
                   api->stages[k].name,
                   &api->stages[k] == api->default_stage ? " (default stage)" : "");
    }
}

int gh_cmd_serve(const gh_cli *cli)
{
    gh_load_options opt;
    unsigned generation = 1;
    load_options(cli, &opt, generation);
    gh_diags d = GH_DIAGS_INIT;
    gh_runtime *rt = gh_runtime_build(&opt, &d);
    gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    if (!rt)
        return GH_EXIT_FAILURE;

    const char *host = rt->model->host ? rt->model->host : "127.0.0.1";
    int port = rt->model->port >= 0 ? rt->model->port : 8080;
    watched w = {0};
    if (cli->watch)
        watch_snapshot(&w, rt->model);

    /* Block the stop signals before civetweb starts its threads (they inherit the
     * mask), so only this thread receives them, through sigtimedwait. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    gh_live *live = gh_live_new(rt);
    gh_server_options so = {.host = host, .port = port, .threads = cli->threads};
    char err[512];
    gh_server *srv = gh_server_start(live, &so, err, sizeof err);
    if (!srv) {
        gh_log(GH_LOG_ERROR, "%s; pick another --port (0 picks a free one)", err);
        gh_live_free(live);
        watch_free(&w);
        return GH_EXIT_RUNTIME;
    }
    printf("listening on http://%s:%d\n", host, gh_server_port(srv));
    fflush(stdout);
    announce(rt->model, host, gh_server_port(srv));

    for (;;) {
        struct timespec ts = {0, WATCH_INTERVAL_MS * 1000000L};
        int sig = cli->watch ? sigtimedwait(&stop, NULL, &ts) : sigwaitinfo(&stop, NULL);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig < 0 && errno != EAGAIN && errno != EINTR)
            break;
        if (!cli->watch)
            continue;
        const gh_runtime *cur = gh_live_acquire(live);
        gh_script_pool_each_file(cur->scripts, watch_add, &w);
        gh_live_release(live, cur);
        if (watch_changed(&w))
            reload(live, cli, &w, &generation);
    }
    gh_server_stop(srv);
    gh_live_free(live);
    watch_free(&w);
    fflush(stdout);
    return GH_EXIT_OK;
}
