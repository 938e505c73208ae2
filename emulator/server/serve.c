/* `gatehouse serve`: load, start the server, answer until SIGINT/SIGTERM, and with
 * --watch swap in a new model whenever a file it was built from changes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "script/pool.h"
#include "server/commands.h"
#include "server/recording.h"
#include "server/runtime.h"
#include "server/server.h"
#include "server/sim_invoke.h"
#include "server/sim_sign.h"
#include "server/watch.h"
#include "sim/event_source.h"
#include "sim/sim.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/log.h"

/* How often --watch looks at file modification times (see server/watch.h). */
#define WATCH_INTERVAL_MS 300

static void watch_module(const gh_script_file *f, void *ud)
{
    gh_watch_add(ud, f->path, f->mtime, (off_t)f->size);
}

static void reload(gh_live *live, const gh_cli *cli, gh_watch *w, unsigned *generation,
                   const gh_recording *rec, gh_sim *sim)
{
    gh_runtime *rt = gh_cli_runtime(cli, *generation + 1);
    if (!rt) {
        gh_log(GH_LOG_ERROR, "reload failed; still serving the previous definition");
        return;
    }
    gh_recording_install(rt, rec);
    /* The simulator outlives generations: queues keep their messages, new declarations
     * are created (what it refuses is printed; the rest of the reload goes on). */
    gh_cli_sim_attach(sim, rt);
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
    /* Block the stop signals before any thread starts (civetweb's, and the simulator's
     * SNS delivery thread and event-source poller, which loading starts): threads inherit
     * the mask, so only this thread receives them, through sigtimedwait. A thread started
     * earlier could take a SIGTERM and end the process without its clean stop. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* --seed / --clock: a demo or a test against `serve` that must answer the same ids and
     * times every run (docs/cli.md). */
    if (cli->has_seed)
        gh_ids_seed(cli->seed);
    if (cli->has_clock)
        gh_clock_freeze_wall(cli->clock_ms);
    unsigned generation = 1;
    gh_recording rec = gh_recording_start(cli);
    if (!rec.backend)
        return GH_EXIT_FAILURE;
    gh_runtime *rt = gh_cli_runtime(cli, generation);
    if (!rt) {
        gh_recording_stop(&rec);
        return GH_EXIT_FAILURE;
    }
    gh_recording_install(rt, &rec);
    gh_sim *sim = gh_cli_sim(cli, rt);
    if (!sim) {
        gh_runtime_free(rt);
        gh_recording_stop(&rec);
        return GH_EXIT_FAILURE;
    }

    const char *host = rt->model->host ? rt->model->host : "127.0.0.1";
    int port = rt->model->port >= 0 ? rt->model->port : 8080;
    gh_watch w = {0};
    if (cli->watch)
        gh_watch_set(&w, rt->model->files, rt->model->nfiles);


    gh_live *live = gh_live_new(rt);
    /* The simulator's functions (event sources, SNS subscriptions, Lambda Invoke,
     * gatehouse.lambda) run on whichever generation is current at each call. */
    gh_sim_invoker *invoker = gh_sim_invoker_install(sim, live, NULL, false);
    if (cli->check_signatures) {
        sim->verify = gh_sim_check_signature;
        sim->verify_ud = live;
    }
    gh_server_options so = {.host = host, .port = port, .threads = cli->threads,
                          .check_signatures = cli->check_signatures};
    char err[512];
    gh_server *srv = gh_server_start(live, &so, err, sizeof err);
    if (!srv) {
        if (strchr(host, ':'))
            /* Debian's civetweb is built without IPv6 (mg_check_feature(8) is 0). */
            gh_log(GH_LOG_ERROR, "%s; this build's HTTP server (civetweb) has no IPv6 "
                   "support: use an IPv4 address such as 127.0.0.1", err);
        else
            gh_log(GH_LOG_ERROR, "%s; pick another --port (0 picks a free one)", err);
        gh_sim_invoker_free(invoker);
        gh_live_free(live);
        gh_sim_free(sim);
        gh_watch_free(&w);
        gh_recording_stop(&rec);
        return GH_EXIT_RUNTIME;
    }
    /* Queues declared as event sources feed their functions while the server runs. */
    gh_event_sources_start(sim->sources);
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
            reload(live, cli, &w, &generation, &rec, sim);
    }
    gh_server_stop(srv);
    gh_sim_invoker_free(invoker); /* stops the pollers, drains SNS deliveries */
    gh_live_free(live);
    gh_sim_free(sim); /* after every runtime pointing at it */
    gh_watch_free(&w);
    gh_recording_stop(&rec); /* after every request using it has finished */
    fflush(stdout);
    return GH_EXIT_OK;
}
