/* --record and --replay (recording.h). */
#include "server/recording.h"

#include <stdlib.h>

#include "integration/backend.h"
#include "util/log.h"

/* NULL backend (after logging why) when the recordings folder does not load. A user's
 * --redact-header list adds to the secrets always hidden, so forgetting one never writes
 * an Authorization header. */
gh_recording gh_recording_start(const gh_cli *cli)
{
    gh_recording rec = {gh_backend_live(), NULL};
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

void gh_recording_stop(gh_recording *rec)
{
    gh_backend_free(rec->backend);
    gh_api_recorder_free(rec->api);
}

void gh_recording_install(gh_runtime *rt, const gh_recording *rec)
{
    rt->backend = rec->backend;
    if (rec->api) {
        rt->observe = gh_api_recorder_observe;
        rt->observe_ud = rec->api;
    }
}

