/* gatehouse: argument parsing and dispatch to the commands, nothing else. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/backend.h"
#include "server/commands.h"
#include "spec/model.h"
#include "util/jregex.h"
#include "util/log.h"

static const char usage_main[] =
    "usage: gatehouse COMMAND [ARGS...]\n"
    "\n"
    "Run AWS API Gateway definitions on your machine.\n"
    "\n"
    "commands:\n"
    "  serve DEF...              serve the APIs on 127.0.0.1\n"
    "  validate DEF...           load the definitions and list every problem\n"
    "  routes DEF...             print the routing table of the default stage\n"
    "  invoke FUNCTION DEF...    run one Lua Lambda function with an event\n"
    "  render DEF... METHOD PATH render a mapping template for a request\n"
    "  test DEF... FIXTURES...   run contract-test fixtures against the APIs\n"
    "  token DEF... --pool ID    print a Cognito token of a simulated user pool\n"
    "  queues [NAME]             list, peek at or purge a running server's queues\n"
    "  topics                    list a running server's topics and subscriptions\n"
    "\n"
    "`gatehouse COMMAND --help` describes a command; `gatehouse --version` prints the\n"
    "version. Exit codes: 0 ok, 1 the definition, the function or a fixture failed, 2 usage\n"
    "error, 3 the server could not start.\n";

static const char usage_serve[] =
    "usage: gatehouse serve DEF... [options]\n"
    "\n"
    "Serves every stage of each definition under http://HOST:PORT/{stage}/. The first\n"
    "stdout line is `listening on http://HOST:PORT`; then one access-log line per request.\n"
    "\n"
    "  --overlay FILE   merge FILE onto the first definition (JSON Merge Patch); repeatable\n"
    "  --stage NAME     stage used when the definition declares none (default `default`)\n"
    "  --port N         port to listen on; 0 picks a free one (default x-gatehouse.port or 8080)\n"
    "  --host H         address to listen on (default x-gatehouse.host or 127.0.0.1)\n"
    "  --threads N      connection threads; one per open connection (512; 1024 for WebSocket APIs)\n"
    "  --watch          reload when the definition, an overlay or a Lua file changes\n"
    "  --quiet          no access log\n"
    "  --record DIR     send HTTP integrations to their backends and write every exchange\n"
    "                   into DIR (and the API's own exchanges as fixtures, DIR/api-*.yaml)\n"
    "  --redact-header NAME  with --record: also write NAME's value as <redacted>\n"
    "                   (always redacted: Authorization, Cookie, Set-Cookie,\n"
    "                   Proxy-Authorization, X-Api-Key, X-Amz-Security-Token); repeatable\n"
    "  --replay DIR     answer HTTP integrations from DIR's recordings and HAR files; never\n"
    "                   reaches the network (a request nothing matches gets a 502)\n"
    "  --match-header NAME  with --replay: NAME's value must match too; repeatable\n"
    "  --no-match-body  with --replay: match on method, URL and headers only\n"
    "  --no-auth-cache  call Lambda authorizers on every request, whatever their TTL\n"
    "  --check-signatures  the simulated SQS, SNS and Lambda endpoints accept only calls\n"
    "                   SigV4-signed by a key of x-gatehouse.credentials\n"
    "  --seed N         repeatable request ids and other generated values\n"
    "  --clock EPOCH_MS freeze the clock at that time (ms since 1970), for demos and\n"
    "                   date-dependent answers\n"
    "  --state DIR      keep the simulated queues, messages and topics in DIR/gatehouse.db\n"
    "                   across restarts (created when absent; default: in memory)\n";

static const char usage_validate[] =
    "usage: gatehouse validate DEF... [--overlay FILE]... [--stage NAME]\n"
    "\n"
    "Loads each definition as serve would and prints every error and warning as\n"
    "file:line:col: severity: message. Exit 0 when all load (warnings allowed), else 1.\n";

static const char usage_routes[] =
    "usage: gatehouse routes DEF... [--overlay FILE]... [--stage NAME]\n"
    "\n"
    "Prints a table of stage, method, path, integration and target for the default stage\n"
    "(x-gatehouse.defaultStage, or --stage).\n";

static const char usage_invoke[] =
    "usage: gatehouse invoke FUNCTION DEF... [--event FILE] [--overlay FILE]... [--stage NAME]\n"
    "\n"
    "Runs the Lua handler of FUNCTION (a key of x-gatehouse.functions) with the JSON event\n"
    "in FILE (`-` reads stdin; default {}) and prints its result as JSON. A failing\n"
    "function prints Lambda's error object and exits 1.\n";

static const char usage_render[] =
    "usage: gatehouse render DEF... [METHOD PATH] [options]\n"
    "\n"
    "Routes the request METHOD PATH (as sent to serve: /STAGE/path?query) as the server\n"
    "would, renders the mapping template it chooses and prints the result on stdout, byte\n"
    "for byte; stderr says which template (file:line:col, media type) and any\n"
    "$context.requestOverride / responseOverride it set. By default: the integration\n"
    "request template chosen by the request's Content-Type (or the passthrough).\n"
    "\n"
    "  -H, --header 'N: V'          a request header; repeatable\n"
    "  -d, --data BODY              the request body\n"
    "  --data-file FILE             the request body from FILE (`-` reads stdin)\n"
    "  --content-type T             the request's Content-Type (picks the template)\n"
    "  --response KEY               the integration response template instead: KEY is\n"
    "                               `default`, a status, or a Lambda error message / backend\n"
    "                               status matched by selectionPattern; chosen by Accept\n"
    "  --integration-body B         $input.body of a response template (default empty)\n"
    "  --integration-body-file F    the same from a file (`-` reads stdin)\n"
    "  --gateway-response TYPE      that gateway response (MISSING_AUTHENTICATION_TOKEN, ...)\n"
    "  --template FILE              a VTL file of yours instead, against the request\n"
    "  --json                       print {template, position, mediaType, body, overrides}\n"
    "  --overlay FILE, --stage NAME as for serve\n"
    "\n"
    "METHOD PATH may be left out with --gateway-response or --template: the request is\n"
    "then GET /{default stage}/. Exit 0 rendered, 1 the definition does not load, the\n"
    "request does not route, or the template fails, 2 usage error.\n";

static const char usage_test[] =
    "usage: gatehouse test DEF... FIXTURES... [options]\n"
    "       gatehouse test --target URL FIXTURES... [options]\n"
    "\n"
    "Serves the definitions in-process on a free 127.0.0.1 port (or uses the API at URL)\n"
    "and runs every fixture file (docs/fixtures.md): a .yaml/.yml/.json file with a\n"
    "top-level fixtures list, or a folder of them. Prints one line per fixture and what\n"
    "differed. Exit 0 when every fixture passed, 1 when one failed, 2 usage error.\n"
    "\n"
    "  --fixtures PATH   a fixture file or folder (as a positional one); repeatable\n"
    "  --target URL      run against a running API (no definitions)\n"
    "  --junit FILE      write a JUnit XML report\n"
    "  --tap             TAP version 13 on stdout (the readable report moves to stderr)\n"
    "  --jobs N          run N files at once (1-256; default 1)\n"
    "  --shard I/N       run only shard I of N (by a hash of each file's path)\n"
    "  --update NAME     rewrite the failed expected values of fixture NAME from the\n"
    "                    actual answer, in place; repeatable\n"
    "  --update-all      the same for every failing fixture\n"
    "  --seed N          repeatable request ids and other generated values\n"
    "  --clock EPOCH_MS  freeze the emulator's clock at that time (ms since 1970)\n"
    "  --record DIR      HTTP integrations reach their backends; every exchange is\n"
    "                    written to DIR (and the API's own exchanges as fixtures)\n"
    "  --replay DIR      HTTP integrations are answered from DIR's recordings, offline\n"
    "  --overlay FILE, --stage NAME, --redact-header, --match-header, --no-match-body,\n"
    "  --state DIR       keep the simulated queues, messages and topics in DIR, as serve\n"
    "  --no-auth-cache   as for serve\n";

static const char usage_token[] =
    "usage: gatehouse token DEF... --pool ID --user NAME [--access [--scope S]...] [options]\n"
    "       gatehouse token DEF... --pool ID --jwks\n"
    "\n"
    "Prints a JWT that the user pool ID (x-gatehouse.userPools) issues to its user NAME,\n"
    "signed with the pool's key, as Cognito would: send it as the whole Authorization\n"
    "header value. An ID token unless --access. With --jwks, prints the pool's public\n"
    "JWKS instead. Exit 0 printed, 1 the definition does not load or the pool or user is\n"
    "unknown (the known ones are listed), 2 usage error.\n"
    "\n"
    "  --pool ID         the user pool id (us-east-1_AbC123)\n"
    "  --user NAME       a user of that pool\n"
    "  --access          an access token (client_id, scope) rather than an ID token\n"
    "  --scope S         with --access: a scope of the token's `scope` claim; repeatable\n"
    "                    (default aws.cognito.signin.user.admin)\n"
    "  --ttl SECONDS     lifetime, 1-86400 (default 3600, Cognito's)\n"
    "  --jwks            print the pool's JWKS ({\"keys\": [...]}) and no token\n"
    "  --clock EPOCH_MS  issue the token at that time (ms since 1970)\n"
    "  --overlay FILE, --stage NAME as for serve\n";

static const char usage_queues[] =
    "usage: gatehouse queues [DEF...] [NAME] [--url URL] [--peek N | --purge] [--json]\n"
    "\n"
    "Asks a running server (gatehouse serve) through its admin API, /_gatehouse/ on its\n"
    "port: without NAME, a table of its queues with their visible, in-flight and delayed\n"
    "message counts; with NAME, that queue's counts, URL, ARN and attributes. Exit 0\n"
    "answered, 1 nothing listens or no such queue, 2 usage error.\n"
    "\n"
    "  --url URL   the server, http://127.0.0.1:PORT (default: the port of the\n"
    "              definitions DEF, x-gatehouse.port, else http://127.0.0.1:8080)\n"
    "  --peek N    print up to N (1-1000) of NAME's messages, in flight or not, without\n"
    "              receiving them (no visibility or receive-count change)\n"
    "  --purge     delete every message of NAME now (no PurgeQueue 60-second limit)\n"
    "  --json      print the admin API's JSON instead of a table\n";

static const char usage_topics[] =
    "usage: gatehouse topics [DEF...] [--url URL] [--json]\n"
    "\n"
    "Lists a running server's topics, each with its subscriptions (protocol, endpoint,\n"
    "raw delivery, filter policy), through its admin API. --url and --json as for queues.\n";

enum { OPT_OVERLAY = 256, OPT_STAGE, OPT_PORT, OPT_HOST, OPT_WATCH, OPT_QUIET, OPT_EVENT,
       OPT_THREADS, OPT_HELP, OPT_VERSION, OPT_DATA_FILE, OPT_CONTENT_TYPE, OPT_RESPONSE,
       OPT_INTEGRATION_BODY, OPT_INTEGRATION_BODY_FILE, OPT_GATEWAY_RESPONSE, OPT_TEMPLATE,
       OPT_JSON, OPT_FIXTURES, OPT_TARGET, OPT_JUNIT, OPT_TAP, OPT_JOBS, OPT_SHARD,
       OPT_UPDATE, OPT_UPDATE_ALL, OPT_SEED, OPT_CLOCK, OPT_RECORD, OPT_REPLAY,
       OPT_REDACT_HEADER, OPT_MATCH_HEADER, OPT_NO_MATCH_BODY, OPT_POOL, OPT_USER,
       OPT_ACCESS, OPT_SCOPE, OPT_TTL, OPT_JWKS, OPT_NO_AUTH_CACHE, OPT_CHECK_SIGNATURES, OPT_STATE, OPT_URL, OPT_PEEK,
       OPT_PURGE };

static const struct option long_options[] = {
    {"overlay", required_argument, NULL, OPT_OVERLAY},
    {"stage", required_argument, NULL, OPT_STAGE},
    {"port", required_argument, NULL, OPT_PORT},
    {"host", required_argument, NULL, OPT_HOST},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"watch", no_argument, NULL, OPT_WATCH},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"event", required_argument, NULL, OPT_EVENT},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"header", required_argument, NULL, 'H'},
    {"data", required_argument, NULL, 'd'},
    {"data-file", required_argument, NULL, OPT_DATA_FILE},
    {"content-type", required_argument, NULL, OPT_CONTENT_TYPE},
    {"response", required_argument, NULL, OPT_RESPONSE},
    {"integration-body", required_argument, NULL, OPT_INTEGRATION_BODY},
    {"integration-body-file", required_argument, NULL, OPT_INTEGRATION_BODY_FILE},
    {"gateway-response", required_argument, NULL, OPT_GATEWAY_RESPONSE},
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {"json", no_argument, NULL, OPT_JSON},
    {"fixtures", required_argument, NULL, OPT_FIXTURES},
    {"target", required_argument, NULL, OPT_TARGET},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"tap", no_argument, NULL, OPT_TAP},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"update", required_argument, NULL, OPT_UPDATE},
    {"update-all", no_argument, NULL, OPT_UPDATE_ALL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"record", required_argument, NULL, OPT_RECORD},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"redact-header", required_argument, NULL, OPT_REDACT_HEADER},
    {"match-header", required_argument, NULL, OPT_MATCH_HEADER},
    {"no-match-body", no_argument, NULL, OPT_NO_MATCH_BODY},
    {"no-auth-cache", no_argument, NULL, OPT_NO_AUTH_CACHE},
    {"check-signatures", no_argument, NULL, OPT_CHECK_SIGNATURES},
    {"state", required_argument, NULL, OPT_STATE},
    {"pool", required_argument, NULL, OPT_POOL},
    {"user", required_argument, NULL, OPT_USER},
    {"access", no_argument, NULL, OPT_ACCESS},
    {"scope", required_argument, NULL, OPT_SCOPE},
    {"ttl", required_argument, NULL, OPT_TTL},
    {"jwks", no_argument, NULL, OPT_JWKS},
    {"url", required_argument, NULL, OPT_URL},
    {"peek", required_argument, NULL, OPT_PEEK},
    {"purge", no_argument, NULL, OPT_PURGE},
    {NULL, 0, NULL, 0},
};

typedef struct command {
    const char *name;
    const char *usage;
    int (*run)(const gh_cli *);
    const char *allowed; /* options this command takes, by name, space separated */
} command;

static const command commands[] = {
    {"serve", usage_serve, gh_cmd_serve, "overlay stage port host threads watch quiet record replay redact-header match-header "
     "no-match-body seed clock no-auth-cache check-signatures state"},
    {"validate", usage_validate, gh_cmd_validate, "overlay stage"},
    {"routes", usage_routes, gh_cmd_routes, "overlay stage"},
    {"invoke", usage_invoke, gh_cmd_invoke, "overlay stage event"},
    {"render", usage_render, gh_cmd_render,
     "overlay stage header data data-file content-type response integration-body "
     "integration-body-file gateway-response template json"},
    {"test", usage_test, gh_cmd_test,
     "overlay stage fixtures target junit tap jobs shard update update-all seed clock record "
     "replay redact-header match-header no-match-body no-auth-cache state"},
    {"token", usage_token, gh_cmd_token, "overlay stage pool user access scope ttl jwks clock"},
    {"queues", usage_queues, gh_cmd_queues, "overlay stage url peek purge json"},
    {"topics", usage_topics, gh_cmd_topics, "overlay stage url json"},
};

static int usage_error(const command *c, const char *fmt, const char *arg)
{
    fprintf(stderr, "gatehouse: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", c ? c->usage : usage_main);
    return GH_EXIT_USAGE;
}

static bool allowed(const command *c, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = c->allowed; (p = strstr(p, opt)); p += n)
        if ((p == c->allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static bool is_method(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < 'A' || *s > 'Z')
            return false;
    return true;
}

/* render: METHOD PATH are the last two arguments when they look like a request line
 * (an upper-case verb, a path from the root), and the flags must make one choice. */
static int render_args(const command *cmd, gh_cli *cli, const char **pos, size_t *npos)
{
    if (*npos >= 2 && is_method(pos[*npos - 2]) && pos[*npos - 1][0] == '/') {
        cli->method = pos[*npos - 2];
        cli->path = pos[*npos - 1];
        *npos -= 2;
    }
    int modes = !!cli->response + !!cli->gateway_response + !!cli->template_file;
    if (modes > 1)
        return usage_error(cmd, "%s", "--response, --gateway-response and --template each "
                                      "name a template: give one");
    if (cli->data && cli->data_file)
        return usage_error(cmd, "%s", "give the body with -d or --data-file, not both");
    if (cli->integration_body && cli->integration_body_file)
        return usage_error(cmd, "%s", "give --integration-body or --integration-body-file, "
                                      "not both");
    if ((cli->integration_body || cli->integration_body_file) && !cli->response &&
        !cli->template_file)
        return usage_error(cmd, "%s", "--integration-body is the input of a response "
                                      "template: add --response (or --template)");
    if (!cli->path && !cli->gateway_response && !cli->template_file)
        return usage_error(cmd, "%s", "name the request: METHOD PATH, e.g. GET /dev/pets/1");
    return -1;
}

/* token: a pool, and a user unless --jwks; scopes only on access tokens. */
static int token_args(const command *cmd, const gh_cli *cli)
{
    if (!cli->pool)
        return usage_error(cmd, "%s", "name the user pool: --pool ID");
    if (cli->jwks && (cli->pool_user || cli->access_token || cli->nscopes || cli->ttl_s))
        return usage_error(cmd, "%s", "--jwks prints the pool's keys: it takes no --user, "
                                      "--access, --scope or --ttl");
    if (!cli->jwks && !cli->pool_user)
        return usage_error(cmd, "%s", "name the user: --user NAME (or --jwks for the keys)");
    if (cli->nscopes && !cli->access_token)
        return usage_error(cmd, "%s", "--scope goes in access tokens: add --access");
    return -1;
}

/* serve: --record and --replay exclude each other, and their companions need them. */
static int backend_args(const command *cmd, const gh_cli *cli)
{
    if (cli->record_dir && cli->replay_dir)
        return usage_error(cmd, "%s", "--record and --replay exclude each other: record "
                                      "once, then replay");
    if (cli->nredact && !cli->record_dir)
        return usage_error(cmd, "%s", "--redact-header applies to --record");
    if ((cli->nmatch_headers || cli->no_match_body) && !cli->replay_dir)
        return usage_error(cmd, "%s", "--match-header and --no-match-body apply to --replay");
    return -1;
}

int main(int argc, char **argv)
{
    /* The main thread renders templates too (render, invoke, the harness): free its
     * compiled regexes at exit so leak checkers see a clean process. */
    atexit(gh_jregex_thread_cleanup);
    /* libcurl's globals before any thread starts; its handles and globals go at exit. */
    gh_backend_live_init();
    atexit(gh_backend_live_shutdown);
    if (argc < 2)
        return usage_error(NULL, "%s", "a command is needed");
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("gatehouse %s\n", GH_VERSION);
        return GH_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_main, stdout);
        return GH_EXIT_OK;
    }
    const command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            cmd = &commands[i];
    if (!cmd)
        return usage_error(NULL, "unknown command '%s'", argv[1]);

    gh_cli cli = {.port = -1};
    const char **positional = calloc((size_t)argc, sizeof *positional);
    const char **overlays = calloc((size_t)argc, sizeof *overlays);
    const char **headers = calloc((size_t)argc, sizeof *headers);
    const char **fixtures = calloc((size_t)argc, sizeof *fixtures);
    const char **updates = calloc((size_t)argc, sizeof *updates);
    /* NULL-terminated: gh_backend_options takes them as they are. */
    const char **redact = calloc((size_t)argc, sizeof *redact);
    const char **match_headers = calloc((size_t)argc, sizeof *match_headers);
    const char **scopes = calloc((size_t)argc, sizeof *scopes);
    size_t npos = 0;
    int rc = -1;
    optind = 2;
    opterr = 0;
    int c;
    /* Leading '-' keeps positionals in order among options (serve api.yaml --port 0). */
    while (rc < 0 && (c = getopt_long(argc, argv, "-H:d:", long_options, NULL)) != -1) {
        long v;
        if (c == 1) {
            positional[npos++] = optarg;
            continue;
        }
        if (c == '?' || c == ':') {
            rc = usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
            break;
        }
        if (c == OPT_HELP) {
            fputs(cmd->usage, stdout);
            rc = GH_EXIT_OK;
            break;
        }
        if (c == OPT_VERSION) {
            printf("gatehouse %s\n", GH_VERSION);
            rc = GH_EXIT_OK;
            break;
        }
        const char *name = NULL;
        for (const struct option *o = long_options; o->name; o++)
            if (o->val == c)
                name = o->name;
        if (!allowed(cmd, name)) {
            rc = usage_error(cmd, "--%s does not apply to this command", name);
            break;
        }
        switch (c) {
        case OPT_OVERLAY: overlays[cli.noverlays++] = optarg; break;
        case OPT_STAGE: cli.stage = optarg; break;
        case OPT_HOST: cli.host = optarg; break;
        case OPT_WATCH: cli.watch = true; break;
        case OPT_QUIET: cli.quiet = true; break;
        case OPT_EVENT: cli.event_file = optarg; break;
        case 'H':
            if (!strchr(optarg, ':') || optarg[0] == ':')
                rc = usage_error(cmd, "-H needs 'Name: value', not '%s'", optarg);
            headers[cli.nheaders++] = optarg;
            break;
        case 'd': cli.data = optarg; break;
        case OPT_DATA_FILE: cli.data_file = optarg; break;
        case OPT_CONTENT_TYPE: cli.content_type = optarg; break;
        case OPT_RESPONSE: cli.response = optarg; break;
        case OPT_INTEGRATION_BODY: cli.integration_body = optarg; break;
        case OPT_INTEGRATION_BODY_FILE: cli.integration_body_file = optarg; break;
        case OPT_GATEWAY_RESPONSE: {
            gh_gw_type t;
            if (!gh_gw_type_from_name(optarg, &t))
                rc = usage_error(cmd,
                                 "unknown gateway response type '%s'; expected one of "
                                 "AWS's, such as MISSING_AUTHENTICATION_TOKEN or DEFAULT_4XX",
                                 optarg);
            cli.gateway_response = optarg;
            break;
        }
        case OPT_TEMPLATE: cli.template_file = optarg; break;
        case OPT_JSON: cli.json = true; break;
        case OPT_FIXTURES: fixtures[cli.nfixtures++] = optarg; break;
        case OPT_TARGET:
            if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
                rc = usage_error(cmd, "--target needs an http:// or https:// URL, not '%s'", optarg);
            cli.target = optarg;
            break;
        case OPT_JUNIT: cli.junit = optarg; break;
        case OPT_TAP: cli.tap = true; break;
        case OPT_JOBS:
            if (parse_int(optarg, 1, 256, &v) < 0)
                rc = usage_error(cmd, "--jobs needs a number from 1 to 256, not '%s'", optarg);
            cli.jobs = (size_t)v;
            break;
        case OPT_SHARD: {
            unsigned i, n;
            char end;
            if (sscanf(optarg, "%u/%u%c", &i, &n, &end) != 2 || n < 1 || i < 1 || i > n)
                rc = usage_error(cmd, "--shard needs I/N with 1 <= I <= N (1/4, 2/4, ...), "
                                 "not '%s'", optarg);
            else
                cli.shard_index = i, cli.shard_count = n;
            break;
        }
        case OPT_UPDATE: updates[cli.nupdate++] = optarg; break;
        case OPT_UPDATE_ALL: cli.update_all = true; break;
        case OPT_SEED: {
            char *end;
            cli.seed = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-')
                rc = usage_error(cmd, "--seed needs a whole number, not '%s'", optarg);
            cli.has_seed = true;
            break;
        }
        case OPT_CLOCK: {
            char *end;
            cli.clock_ms = strtoll(optarg, &end, 10);
            if (!*optarg || *end || cli.clock_ms < 0)
                rc = usage_error(cmd, "--clock needs milliseconds since 1970 (1700000000000), "
                                 "not '%s'", optarg);
            cli.has_clock = true;
            break;
        }
        case OPT_RECORD: cli.record_dir = optarg; break;
        case OPT_REPLAY: cli.replay_dir = optarg; break;
        case OPT_REDACT_HEADER: redact[cli.nredact++] = optarg; break;
        case OPT_MATCH_HEADER: match_headers[cli.nmatch_headers++] = optarg; break;
        case OPT_NO_MATCH_BODY: cli.no_match_body = true; break;
        case OPT_NO_AUTH_CACHE: cli.no_auth_cache = true; break;
        case OPT_CHECK_SIGNATURES: cli.check_signatures = true; break;
        case OPT_STATE:
            if (!*optarg)
                rc = usage_error(cmd, "--state needs a directory, not '%s'", optarg);
            cli.state_dir = optarg;
            break;
        case OPT_POOL: cli.pool = optarg; break;
        case OPT_USER: cli.pool_user = optarg; break;
        case OPT_ACCESS: cli.access_token = true; break;
        case OPT_SCOPE: scopes[cli.nscopes++] = optarg; break;
        case OPT_JWKS: cli.jwks = true; break;
        case OPT_URL:
            if (strncmp(optarg, "http://", 7))
                rc = usage_error(cmd, "--url needs the server's http:// address "
                                 "(http://127.0.0.1:8080), not '%s'", optarg);
            cli.admin_url = optarg;
            break;
        case OPT_PEEK:
            if (parse_int(optarg, 1, 1000, &v) < 0)
                rc = usage_error(cmd, "--peek needs a number from 1 to 1000, not '%s'", optarg);
            cli.peek = (int)v;
            break;
        case OPT_PURGE: cli.purge = true; break;
        case OPT_TTL:
            if (parse_int(optarg, 1, 86400, &v) < 0)
                rc = usage_error(cmd, "--ttl needs seconds from 1 to 86400, not '%s'", optarg);
            cli.ttl_s = (int)v;
            break;
        case OPT_PORT:
            if (parse_int(optarg, 0, 65535, &v) < 0)
                rc = usage_error(cmd, "--port needs a number from 0 to 65535, not '%s'", optarg);
            cli.port = (int)v;
            break;
        case OPT_THREADS:
            if (parse_int(optarg, 4, 100000, &v) < 0)
                rc = usage_error(cmd, "--threads needs a number from 4 to 100000, not '%s'", optarg);
            cli.threads = (size_t)v;
            break;
        }
    }
    if (rc < 0) {
        size_t first_def = 0;
        if (cmd->run == gh_cmd_invoke) {
            if (npos < 1)
                rc = usage_error(cmd, "%s", "name the function to invoke");
            else
                cli.function = positional[first_def++];
        }
        if (cmd->run == gh_cmd_render)
            rc = render_args(cmd, &cli, positional, &npos);
        if (cmd->run == gh_cmd_token)
            rc = token_args(cmd, &cli);
        if (rc < 0)
            rc = backend_args(cmd, &cli);
        /* queues and topics talk to a running server: definitions are optional. */
        bool defs_optional = cmd->run == gh_cmd_test || cmd->run == gh_cmd_queues ||
                             cmd->run == gh_cmd_topics;
        if (rc < 0 && npos <= first_def && !defs_optional)
            rc = usage_error(cmd, "%s", "name at least one definition file");
        if (rc < 0) {
            cli.defs = positional + first_def;
            cli.ndefs = npos - first_def;
            cli.overlays = overlays;
            cli.headers = headers;
            cli.fixtures = fixtures;
            cli.update_names = updates;
            cli.redact = redact;
            cli.match_headers = match_headers;
            cli.scopes = scopes;
            if (cli.quiet)
                gh_log_set_quiet(1);
            rc = cmd->run(&cli);
        }
    }
    free(positional);
    free(overlays);
    free(headers);
    free(fixtures);
    free(updates);
    free(redact);
    free(match_headers);
    free(scopes);
    return rc;
}
