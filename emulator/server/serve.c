/* `gatehouse serve`: load, start the server, answer until SIGINT/SIGTERM, and with
 * --watch swap in a new model whenever a file it was built from changes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integration/backend.h"
#include "script/pool.h"
#include "server/api_record.h"
#include "server/commands.h"
#include "server/runtime.h"
#include "server/server.h"
#include "server/watch.h"
#include "util/log.h"

/* How often --watch looks at file modification times (see server/watch.h). */
#define WATCH_INTERVAL_MS 300

static void watch_module(const gh_script_file *f, void *ud)
{
    gh_watch_add(ud, f->path, f->mtime, (off_t)f->size);
}

/* What --record and --replay change: the backend HTTP integrations use (live unless
 * they say otherwise) and, when recording, the observer writing the API's exchanges as
 * fixtures. Both outlive every runtime generation. */
typedef struct recording {
    gh_backend *backend;
    gh_api_recorder *api;
} recording;

/* NULL backend (after logging why) when the recordings folder does not load. A user's
 * --redact-header list adds to the secrets always hidden, so forgetting one never writes
 * an Authorization header. */
static recording start_recording(const gh_cli *cli)
{
    recording rec = {gh_backend_live(), NULL};
    size_t ndefault = 0;
    while (gh_backend_default_redact[ndefault])
        ndefault++;
    const char **redact = calloc(ndefault + cli->nredact + 1, sizeof *redact);
    if (!redact) {
        rec.backend = NULL;
        return rec;
    }
    for (size_t i = 0; i < ndefault; i++)
        redact[i] = gh_backend_default_redact[i];
    for (size_t i = 0; i < cli->nredact; i++)
        redact[ndefault + i] = cli->redact[i];
    gh_backend_options opt = {
        .dir = cli->record_dir ? cli->record_dir : cli->replay_dir,
        .redact = redact,
        .match_body = !cli->no_match_body,
        .match_headers = cli->nmatch_headers ? cli->match_headers : NULL,
    };
    const char *error = NULL;
    if (cli->record_dir) {
        rec.backend = gh_backend_record(&opt, &error);
        if (rec.backend)
            rec.api = gh_api_recorder_new(cli->record_dir, redact);
    } else if (cli->replay_dir) {
        rec.backend = gh_backend_replay(&opt, &error);
    }
    free(redact);
    if (!rec.backend)
        gh_log(GH_LOG_ERROR, "%s", error ? error : "out of memory");
    return rec;
}

static void stop_recording(recording *rec)
{
    gh_backend_free(rec->backend);
    gh_api_recorder_free(rec->api);
}

static void install(gh_runtime *rt, const recording *rec)
{
    rt->backend = rec->backend;
    if (rec->api) {
        rt->observe = gh_api_recorder_observe;
        rt->observe_ud = rec->api;
    }
}

static void reload(gh_live *live, const gh_cli *cli, gh_watch *w, unsigned *generation,
                   const recording *rec)
{
    gh_runtime *rt = gh_cli_runtime(cli, *generation + 1);
    if (!rt) {
        gh_log(GH_LOG_ERROR, "reload failed; still serving the previous definition");
        return;
    }
    install(rt, rec);
    ++*generation;
    gh_watch_set(w, rt->model->files, rt->model->nfiles);
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
    unsigned generation = 1;
    recording rec = start_recording(cli);
    if (!rec.backend)
        return GH_EXIT_FAILURE;
    gh_runtime *rt = gh_cli_runtime(cli, generation);
    if (!rt) {
        stop_recording(&rec);
        return GH_EXIT_FAILURE;
    }
    install(rt, &rec);

    const char *host = rt->model->host ? rt->model->host : "127.0.0.1";
    int port = rt->model->port >= 0 ? rt->model->port : 8080;
    gh_watch w = {0};
    if (cli->watch)
        gh_watch_set(&w, rt->model->files, rt->model->nfiles);

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
        if (strchr(host, ':'))
            /* Debian's civetweb is built without IPv6 (mg_check_feature(8) is 0). */
            gh_log(GH_LOG_ERROR, "%s; this build's HTTP server (civetweb) has no IPv6 "
                   "support: use an IPv4 address such as 127.0.0.1", err);
        else
            gh_log(GH_LOG_ERROR, "%s; pick another --port (0 picks a free one)", err);
        gh_live_free(live);
        gh_watch_free(&w);
        stop_recording(&rec);
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
        gh_script_pool_each_file(cur->scripts, watch_module, &w);
        gh_live_release(live, cur);
        if (gh_watch_changed(&w))
            reload(live, cli, &w, &generation, &rec);
    }
    gh_server_stop(srv);
    gh_live_free(live);
    gh_watch_free(&w);
    stop_recording(&rec); /* after every request using it has finished */
    fflush(stdout);
    return GH_EXIT_OK;
}
