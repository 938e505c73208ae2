/* `gatehouse test`: contract tests. Starts the emulator in-process on an ephemeral
 * 127.0.0.1 port (or uses --target URL), runs every fixture file (harness/runner.h),
 * files in parallel with --jobs, prints one line per fixture and the diffs, writes the
 * JUnit and TAP reports, and with --update rewrites expected values in place. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/files.h"
#include "harness/fixture.h"
#include "harness/queue_watch.h"
#include "harness/report.h"
#include "harness/runner.h"
#include "harness/update.h"
#include "server/commands.h"
#include "server/recording.h"
#include "server/runtime.h"
#include "server/server.h"
#include "server/sim_invoke.h"
#include "sim/event_source.h"
#include "sim/sim.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/jregex.h"
#include "util/log.h"

/* The runtime the in-process emulator answers from. Backends that change how HTTP
 * integrations reach the network (--record DIR, --replay DIR) are installed here, from
 * the command line, before the server starts. */
static gh_runtime *test_runtime(const gh_cli *cli, const gh_recording *rec)
{
    gh_runtime *rt = gh_cli_runtime(cli, 1);
    if (rt)
        gh_recording_install(rt, rec);
    return rt;
}

typedef struct run {
    const char *base;
    gh_fx_queues *queues; /* the in-process simulator's arrivals; NULL with --target */
    gh_fx_files *files;
    gh_fx_file_result *results;
    bool *done;
    size_t next, printed;
    pthread_mutex_t lock;
    FILE *out;
    bool color;
} run;

/* Prints the files finished so far in list order, so output is the same whatever
 * --jobs is. Called with the lock held. */
static void print_ready(run *r)
{
    while (r->printed < r->files->n && r->done[r->printed])
        gh_report_file(r->out, &r->results[r->printed++], r->color);
    fflush(r->out);
}

static void *worker(void *ud)
{
    run *r = ud;
    gh_runner *rn = gh_runner_new();
    if (rn)
        gh_runner_set_queues(rn, r->queues);
    for (;;) {
        pthread_mutex_lock(&r->lock);
        size_t i = r->next++;
        pthread_mutex_unlock(&r->lock);
        if (i >= r->files->n)
            break;
        if (rn)
            gh_runner_run_file(rn, r->base, r->files->paths[i], &r->results[i]);
        pthread_mutex_lock(&r->lock);
        r->done[i] = true;
        print_ready(r);
        pthread_mutex_unlock(&r->lock);
    }
    gh_runner_free(rn);
    return NULL;
}

static void *worker_thread(void *ud)
{
    worker(ud);
    /* Each thread has its own compiled-regex cache. */
    gh_jregex_thread_cleanup();
    return NULL;
}

typedef struct stopper {
    gh_server *srv;
    volatile int done;
} stopper;

static void *stop_thread(void *ud)
{
    stopper *st = ud;
    gh_server_stop(st->srv);
    __atomic_store_n(&st->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* civetweb's mg_stop waits for its listening thread, which polls the socket for up to
 * two seconds (SOCKET_TIMEOUT_QUANTUM) before it looks at the stop flag: a test run would
 * end two seconds after its last fixture. A connection wakes the poll at once, so while
 * the server stops on another thread, this one knocks on the port. */
static void stop_server(gh_server *srv, int port)
{
    stopper st = {srv, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, stop_thread, &st) != 0) {
        gh_server_stop(srv);
        return;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (!__atomic_load_n(&st.done, __ATOMIC_ACQUIRE)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            connect(fd, (struct sockaddr *)&addr, sizeof addr);
            close(fd);
        }
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_join(t, NULL);
}

static int usage(const char *msg)
{
    fprintf(stderr, "gatehouse: %s\n(see gatehouse test --help)\n", msg);
    return GH_EXIT_USAGE;
}

/* Splits the positional arguments: fixture files and folders vs definitions. */
static int collect(const gh_cli *cli, gh_fx_files *files, const char ***defs, size_t *ndefs)
{
    *defs = calloc(cli->ndefs + 1, sizeof **defs);
    *ndefs = 0;
    for (size_t i = 0; i < cli->ndefs; i++) {
        const char *p = cli->defs[i];
        struct stat st;
        /* A name that does not exist is left to the definition loader to report. */
        if (gh_fixture_is_file(p) || (stat(p, &st) == 0 && S_ISDIR(st.st_mode)))
            gh_fx_files_add(files, p);
        else
            (*defs)[(*ndefs)++] = p;
    }
    for (size_t i = 0; i < cli->nfixtures; i++)
        if (gh_fx_files_add(files, cli->fixtures[i]) < 0) {
            fprintf(stderr, "%s: error: cannot open: no such file or folder\n", cli->fixtures[i]);
            return GH_EXIT_FAILURE;
        }
    return -1;
}

static int run_all(const gh_cli *cli, const char *base, gh_fx_queues *queues,
                   gh_fx_files *files)
{
    FILE *out = cli->tap ? stderr : stdout;
    run r = {.base = base, .queues = queues, .files = files, .out = out,
             .color = gh_report_use_color(out)};
    r.results = calloc(files->n + 1, sizeof *r.results);
    r.done = calloc(files->n + 1, sizeof *r.done);
    pthread_mutex_init(&r.lock, NULL);
    size_t jobs = cli->jobs ? cli->jobs : 1;
    if (jobs > files->n)
        jobs = files->n ? files->n : 1;
    if (jobs == 1) {
        worker(&r);
    } else {
        pthread_t *t = calloc(jobs, sizeof *t);
        for (size_t i = 0; i < jobs; i++)
            pthread_create(&t[i], NULL, worker_thread, &r);
        for (size_t i = 0; i < jobs; i++)
            pthread_join(t[i], NULL);
        free(t);
    }
    pthread_mutex_destroy(&r.lock);

    size_t failed = 0;
    for (size_t i = 0; i < files->n; i++)
        failed += r.results[i].failed;
    gh_report_summary(out, r.results, files->n, r.color);
    fflush(out);
    int rc = GH_EXIT_OK;
    if (cli->update_all || cli->nupdate) {
        failed = 0;
        for (size_t i = 0; i < files->n; i++) {
            long still = gh_fx_update_file(&r.results[i], cli->update_names, cli->nupdate,
                                           cli->update_all, out);
            failed += still < 0 ? 1 : (size_t)still;
        }
        for (size_t k = 0; k < cli->nupdate; k++) {
            bool found = false;
            for (size_t i = 0; i < files->n && !found; i++)
                for (size_t j = 0; r.results[i].file && j < r.results[i].n && !found; j++)
                    found = !strcmp(r.results[i].results[j].fixture->name, cli->update_names[k]);
            if (!found)
                fprintf(out, "warning: --update %s: no fixture has that name\n",
                        cli->update_names[k]);
        }
    }
    if (cli->junit && gh_report_junit(cli->junit, r.results, files->n) < 0) {
        fprintf(stderr, "error: cannot write the JUnit report to %s\n", cli->junit);
        rc = GH_EXIT_FAILURE;
    }
    if (cli->tap) {
        gh_report_tap(stdout, r.results, files->n);
        fflush(stdout);
    }
    for (size_t i = 0; i < files->n; i++)
        gh_fx_file_result_free(&r.results[i]);
    free(r.results);
    free(r.done);
    return failed ? GH_EXIT_FAILURE : rc;
}

int gh_cmd_test(const gh_cli *cli)
{
    gh_fx_files files = {0};
    const char **defs = NULL;
    size_t ndefs = 0;
    int rc = collect(cli, &files, &defs, &ndefs);
    if (rc < 0 && cli->target && ndefs)
        rc = usage("--target runs against a running API: leave out the definitions");
    if (rc < 0 && !cli->target && !ndefs)
        rc = usage("name at least one definition file (or --target URL)");
    if (rc < 0 && !files.n)
        rc = usage("name at least one fixture file or folder (FILE.yaml with a fixtures "
                   "list, or --fixtures DIR)");
    if (rc < 0 && cli->target && (cli->record_dir || cli->replay_dir))
        rc = usage("--record and --replay set the in-process emulator's backends; a --target "
                   "API uses its own");
    if (rc < 0 && cli->target && cli->state_dir)
        rc = usage("--state keeps the in-process emulator's queues; a --target API keeps its "
                   "own");
    if (rc < 0 && cli->target && (cli->has_seed || cli->has_clock))
        rc = usage("--seed and --clock set the in-process emulator; a --target API keeps "
                   "its own ids and clock");
    if (rc >= 0) {
        gh_fx_files_free(&files);
        free(defs);
        return rc;
    }
    gh_fx_files_sort(&files);
    if (cli->shard_count)
        gh_fx_files_shard(&files, cli->shard_index, cli->shard_count);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    if (cli->target) {
        rc = run_all(cli, cli->target, NULL, &files);
    } else {
        if (cli->has_seed)
            gh_ids_seed(cli->seed);
        if (cli->has_clock)
            gh_clock_freeze_wall(cli->clock_ms);
        gh_cli own = *cli;
        own.defs = defs;
        own.ndefs = ndefs;
        /* --record DIR: HTTP integrations reach their real backends and every exchange
         * is written down; --replay DIR: they are answered from such recordings, so the
         * suite runs offline (docs/fixtures.md). */
        gh_recording rec = gh_recording_start(&own);
        gh_runtime *rt = rec.backend ? test_runtime(&own, &rec) : NULL;
        gh_sim *sim = rt ? gh_cli_sim(&own, rt) : NULL;
        if (!sim) {
            gh_runtime_free(rt);
            rc = GH_EXIT_FAILURE;
        } else {
            /* The access log would drown the report. */
            gh_log_set_quiet(1);
            gh_live *live = gh_live_new(rt);
            /* Event sources deliver while fixtures run, as under serve: a fixture waits
             * for their side effects (expect.queues) within its own bound. */
            gh_sim_invoker *invoker = gh_sim_invoker_install(sim, live, NULL, false);
            gh_event_sources_start(sim->sources);
            /* One civetweb thread per open connection, and the runner opens one per job:
             * a few spare, not serve's 512 (which also exceeds valgrind's thread limit). */
            size_t threads = cli->threads ? cli->threads : (cli->jobs ? cli->jobs : 1) + 8;
            gh_server_options so = {.host = "127.0.0.1", .port = 0, .threads = threads};
            char err[512];
            gh_server *srv = gh_server_start(live, &so, err, sizeof err);
            /* expect.queues: every message the simulator stores is logged; the log goes
             * after the server, so no request still sends into it. */
            gh_fx_queues *queues = srv && rt->sim ? gh_fx_queues_new(rt->sim->sqs) : NULL;
            if (!srv) {
                gh_log(GH_LOG_ERROR, "%s", err);
                rc = GH_EXIT_RUNTIME;
            } else {
                char base[64];
                snprintf(base, sizeof base, "http://127.0.0.1:%d", gh_server_port(srv));
                rc = run_all(cli, base, queues, &files);
                stop_server(srv, gh_server_port(srv));
            }
            gh_sim_invoker_free(invoker); /* pollers stopped before the queue log goes */
            gh_fx_queues_free(queues);
            gh_live_free(live);
            gh_sim_free(sim); /* after the runtime pointing at it */
        }
        gh_recording_stop(&rec); /* after the server: no request uses it any more */
    }
    curl_global_cleanup();
    gh_fx_files_free(&files);
    free(defs);
    return rc;
}
