/* The pipeline's one door into integrations: a table indexed by gh_integ_type. A Lua
 * mock (x-gatehouse-mock) takes precedence over whatever type the integration declares,
 * so a real export can be served locally by adding one line to an overlay. */
#include "integration/integration.h"

#include "integration/runners.h"
#include "util/clock.h"

static int run_unserved(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    if (in && in->broken)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                   GH_INTERNAL_ERROR_MESSAGE, "integration cannot be served: %s",
                                   in->broken);
    return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                               "%s", "integration type not supported yet");
}

static int run_none(gh_invocation *inv)
{
    /* AWS refuses to deploy a method without an integration ("No integration defined for
     * method"); a definition that has one anyway is a configuration error. */
    return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                               "%s", "the method declares no x-amazon-apigateway-integration");
}

/* type aws: a service URI (in->service.service set at load) goes to the simulated AWS,
 * a Lambda URI to the function. */
static int run_aws(gh_invocation *inv)
{
    if (inv->integration->service.service)
        return gh_aws_service_run(inv);
    return gh_lambda_aws_run(inv);
}

typedef int (*runner)(gh_invocation *inv);

static const runner runners[] = {
    [GH_INTEG_NONE] = run_none,
    [GH_INTEG_MOCK] = gh_mock_run,
    [GH_INTEG_AWS_PROXY] = gh_lambda_proxy_run,
    [GH_INTEG_AWS] = run_aws, /* Lambda URIs, SQS and SNS; other services are `broken` */
    [GH_INTEG_HTTP] = gh_http_run,
    [GH_INTEG_HTTP_PROXY] = gh_http_proxy_run,
};

int gh_integration_run(gh_invocation *inv)
{
    int64_t start = gh_clock_mono_ms();
    const gh_integration *in = inv->integration;
    int rc;
    if (!in)
        rc = run_none(inv);
    else if (in->mock_script >= 0)
        rc = gh_lua_mock_run(inv);
    else if (in->broken)
        rc = run_unserved(inv);
    else if ((unsigned)in->type < sizeof runners / sizeof *runners && runners[in->type])
        rc = runners[in->type](inv);
    else
        rc = run_unserved(inv);
    inv->integration_latency_ms = gh_clock_mono_ms() - start;
    return rc;
}
