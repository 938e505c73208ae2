/* The CLI's commands. main.c parses arguments into a gh_cli and calls one of these;
 * each returns the process exit code (see docs/cli.md). */
#ifndef GH_COMMANDS_H
#define GH_COMMANDS_H
#include <stdbool.h>
#include <stddef.h>

#include "gateway/pipeline.h"
#include "spec/load.h"

enum {
    GH_EXIT_OK = 0,
    GH_EXIT_FAILURE = 1, /* the definition does not load, a function failed, a test failed */
    GH_EXIT_USAGE = 2,   /* bad command line */
    GH_EXIT_RUNTIME = 3, /* the server could not start (port taken, ...) */
};

typedef struct gh_cli {
    const char **defs;
    size_t ndefs;
    const char **overlays;
    size_t noverlays;
    const char *stage;
    const char *host;
    int port;           /* -1: not given */
    size_t threads;     /* 0: default */
    bool watch;
    bool quiet;
    const char *function;   /* invoke */
    const char *event_file; /* invoke; "-" is stdin */

    /* render: the request (METHOD PATH; NULL when not named), its -H "Name: value"
     * headers in order, its body (-d, or --data-file, "-" is stdin), and what to render. */
    const char *method;
    const char *path;             /* as sent to serve: "/dev/pets/1?x=1" */
    const char **headers;
    size_t nheaders;
    const char *data;
    const char *data_file;
    const char *content_type;     /* replaces the request's Content-Type */
    const char *response;         /* --response: "default", a status, or a text to select by */
    const char *integration_body; /* --integration-body (or the file's content) */
    size_t integration_body_len;
    const char *integration_body_file;
    const char *gateway_response; /* a gateway response type name */
    const char *template_file;    /* --template: an ad-hoc VTL file */
    bool json;

    /* test: fixture files or folders (positional ones ending .yaml/.yml/.json that hold
     * a fixtures key, folders, and every --fixtures), the API to run against (NULL: an
     * in-process emulator of defs), reports, parallelism, the CI shard (0/0: all), the
     * snapshot update and deterministic runs (see docs/cli.md). */
    const char **fixtures;
    size_t nfixtures;
    const char *target;
    const char *junit;
    bool tap;
    size_t jobs;                /* 0: 1 */
    unsigned shard_index, shard_count;
    const char **update_names;
    size_t nupdate;
    bool update_all;
    bool has_seed;
    unsigned long long seed;
    bool has_clock;
    long long clock_ms;

    /* serve: --record DIR (with --redact-header NAMEs added to the default list) or
     * --replay DIR (with --match-header NAMEs, and --no-match-body). */
    const char *record_dir;
    const char *replay_dir;
    const char **redact;
    size_t nredact;
    const char **match_headers;
    size_t nmatch_headers;
    bool no_match_body;
    /* serve, test: --no-auth-cache, Lambda authorizer results never cached. */
    bool no_auth_cache;
    /* serve: --check-signatures, AWS-protocol calls must be SigV4-signed (sim_sign.h). */
    bool check_signatures;
    const char *state_dir; /* serve, test: --state DIR (sim/sim.h gh_sim_open_state) */

    /* token: the user pool and user (--pool, --user), an access token (--access) with its
     * --scope values, the lifetime (--ttl; 0: Cognito's 3600 s), or the pool's JWKS. */
    const char *pool;
    const char *pool_user;
    bool access_token;
    const char **scopes;
    size_t nscopes;
    int ttl_s;
    bool jwks;

    /* queues, topics: the running server's base URL (--url; NULL: the definitions' port
     * or http://127.0.0.1:8080), --peek N messages (0: none), --purge. */
    const char *admin_url;
    int peek;
    bool purge;
} gh_cli;

/* Load options from the command line (server/cli_runtime.c). */
void gh_cli_load_options(const gh_cli *cli, gh_load_options *opt, unsigned generation);
/* Loads the command line's definitions and builds their Lua states, printing every
 * diagnostic to stderr; NULL when they do not load. The runtime gets an authorizer
 * result cache (freed by gh_runtime_free) unless cli->no_auth_cache. */
gh_runtime *gh_cli_runtime(const gh_cli *cli, unsigned generation);

struct gh_sim;
/* The process's simulated SQS/SNS (server/cli_runtime.c), made from rt's first API's
 * region and account with rt's declared queues, topics and event sources created, and
 * set as rt->sim; NULL (diagnostics printed) when the simulator refuses a declaration.
 * The caller frees it with gh_sim_free after the runtimes using it are gone. */
struct gh_sim *gh_cli_sim(const gh_cli *cli, gh_runtime *rt);
/* A new runtime generation (hot reload) on the same simulator: rt->sim = sim and rt's
 * declarations applied (existing queues keep their messages). Returns the errors
 * printed. */
int gh_cli_sim_attach(struct gh_sim *sim, gh_runtime *rt);

int gh_cmd_serve(const gh_cli *cli);
int gh_cmd_validate(const gh_cli *cli);
int gh_cmd_routes(const gh_cli *cli);
int gh_cmd_invoke(const gh_cli *cli);
int gh_cmd_render(const gh_cli *cli);
int gh_cmd_test(const gh_cli *cli);
int gh_cmd_token(const gh_cli *cli);
int gh_cmd_queues(const gh_cli *cli);
int gh_cmd_topics(const gh_cli *cli);

#endif
