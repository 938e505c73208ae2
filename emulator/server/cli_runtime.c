/* What every command that runs a definition does first: load it with the command line's
 * definitions, overlays, stage, host and port, and say what loading found. */
#include <stdio.h>
#include <string.h>

#include "auth/cache.h"
#include "server/commands.h"
#include "server/runtime.h"
#include "sim/sim.h"
#include "util/log.h"

void gh_cli_load_options(const gh_cli *cli, gh_load_options *opt, unsigned generation)
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

gh_runtime *gh_cli_runtime(const gh_cli *cli, unsigned generation)
{
    gh_load_options opt;
    gh_cli_load_options(cli, &opt, generation);
    gh_diags d = GH_DIAGS_INIT;
    gh_runtime *rt = gh_runtime_build(&opt, &d);
    gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    /* Lambda authorizer results are cached as on AWS unless --no-auth-cache; one cache
     * per generation, freed with it (gh_runtime_free). */
    if (rt && !cli->no_auth_cache) {
        rt->auth_cache = gh_auth_cache_new(0);
        if (!rt->auth_cache)
            fprintf(stderr, "gatehouse: no memory for the authorizer cache; results are not "
                            "cached\n");
    }
    return rt;
}

int gh_cli_sim_attach(gh_sim *sim, gh_runtime *rt)
{
    rt->sim = sim;
    gh_diags d = GH_DIAGS_INIT;
    int errors = gh_sim_apply(sim, rt->model, &d);
    gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    return errors;
}

gh_sim *gh_cli_sim(const gh_cli *cli, gh_runtime *rt)
{
    /* One simulated account per process, the first definition's: its queue and topic
     * ARNs are the ones integrations and clients name. */
    const gh_api *api = rt->model->napis ? &rt->model->apis[0] : NULL;
    gh_sim *sim = gh_sim_new(api ? api->region : "us-east-1",
                             api ? api->account_id : "123456789012");
    if (!sim) {
        gh_log(GH_LOG_ERROR, "no memory for the simulated SQS and SNS");
        return NULL;
    }
    /* --state: what the last run kept comes back before the declarations apply, so a
     * declared queue merges with its stored self (messages kept, attributes declared). */
    char err[512];
    if (cli->state_dir && gh_sim_open_state(sim, cli->state_dir, err, sizeof err) != 0) {
        fprintf(stderr, "gatehouse: --state %s: %s\n", cli->state_dir, err);
        gh_sim_free(sim);
        return NULL;
    }
    if (gh_cli_sim_attach(sim, rt) > 0) {
        rt->sim = NULL;
        gh_sim_free(sim);
        return NULL;
    }
    return sim;
}
