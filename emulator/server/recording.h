/* What --record and --replay change for a command that serves a definition (serve,
 * test): the backend HTTP integrations use (live unless they say otherwise) and, when
 * recording, the observer writing the API's own exchanges as fixtures. Both outlive every
 * runtime generation, so the command stops them after its server has stopped. */
#ifndef GH_RECORDING_H
#define GH_RECORDING_H
#include "gateway/pipeline.h"
#include "server/api_record.h"
#include "server/commands.h"

typedef struct gh_recording {
    gh_backend *backend;    /* NULL when the recordings folder did not load (logged) */
    gh_api_recorder *api;   /* NULL unless recording */
} gh_recording;

gh_recording gh_recording_start(const gh_cli *cli);
void gh_recording_stop(gh_recording *rec);
/* Points a runtime at the recording's backend and observer. */
void gh_recording_install(gh_runtime *rt, const gh_recording *rec);

#endif
