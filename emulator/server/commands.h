/* The CLI's commands. main.c parses arguments into a gh_cli and calls one of these;
 * each returns the process exit code (see docs/cli.md). */
#ifndef GH_COMMANDS_H
#define GH_COMMANDS_H
#include <stdbool.h>
#include <stddef.h>

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
} gh_cli;

int gh_cmd_serve(const gh_cli *cli);
int gh_cmd_validate(const gh_cli *cli);
int gh_cmd_routes(const gh_cli *cli);
int gh_cmd_invoke(const gh_cli *cli);

#endif
