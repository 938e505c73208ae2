/* The one interface between the pipeline and integrations: a table indexed by
 * gh_integ_type. Adding an integration touches this folder and that table. */
#ifndef GH_INTEGRATION_H
#define GH_INTEGRATION_H
#include "integration/invocation.h"

/* Runs inv->integration. Returns 0 when inv->resp holds the answer, -1 when the request
 * failed with inv->fail_type (and optionally fail_status/fail_message) set. */
int gh_integration_run(gh_invocation *inv);

#endif
