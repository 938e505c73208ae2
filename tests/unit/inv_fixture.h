/* A hand-built invocation for the integration unit tests: the reference's example
 * request (aws-api-gateway.md §3.1), GET /prod/orders/42 on API k3x9q2w7ab, with the
 * model pieces it needs. Each test file includes this once. */
#ifndef GH_TEST_INV_FIXTURE_H
#define GH_TEST_INV_FIXTURE_H
#include <string.h>

#include "integration/invocation.h"

typedef struct inv_fixture {
    gh_arena *arena;
    gh_request req;
    gh_response resp;
    gh_api api;
    gh_stage stage;
    gh_kv stage_vars[1];
    gh_resource resource;
    gh_method method;
    gh_integration integ;
    gh_header path_params[1];
    gh_invocation inv;
} inv_fixture;

static inline void inv_fixture_init(inv_fixture *f)
{
    memset(f, 0, sizeof *f);
    f->arena = gh_arena_new(4096);
    gh_request *r = &f->req;
    r->arena = f->arena;
    r->method = "GET";
    r->path = "/prod/orders/42";
    r->query = "expand=items&tag=a&tag=b&q=a+b%2Bc";
    gh_headers_add(f->arena, &r->headers, "Host", "k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com");
    gh_headers_add(f->arena, &r->headers, "User-Agent", "curl/8.5.0");
    gh_headers_add(f->arena, &r->headers, "Accept", "application/json");
    gh_headers_add(f->arena, &r->headers, "x-tenant", "green");
    gh_headers_add(f->arena, &r->headers, "x-tenant", "blue");
    gh_headers_add(f->arena, &r->headers, "Connection", "keep-alive");
    r->source_ip = "198.51.100.7";
    r->protocol = "HTTP/1.1";
    r->host = "k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com";
    r->time_ms = 1781013791000LL;
    strcpy(r->request_id, "5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b");
    strcpy(r->extended_id, "Xc9LmF2bDoEFq8w=");

    f->api.id = "k3x9q2w7ab";
    f->api.region = "eu-west-1";
    f->api.account_id = "111122223333";
    f->stage.name = "prod";
    f->stage.deployment_id = "d7q1zz";
    f->stage_vars[0] = (gh_kv){.key = "backend", .value = "orders-v2"};
    f->stage.variables = (gh_kvs){f->stage_vars, 1};
    f->api.stages = &f->stage;
    f->api.nstages = 1;
    f->api.default_stage = &f->stage;
    f->resource.path = "/orders/{id}";
    f->resource.segment = "{id}";
    f->resource.kind = GH_SEG_PARAM;
    f->resource.param = "id";
    f->resource.id = "r8k2p1";
    f->integ.type = GH_INTEG_MOCK;
    f->integ.timeout_ms = 29000;
    f->integ.mock_script = -1;
    f->method.verb = "GET";
    f->method.integration = &f->integ;
    f->path_params[0] = (gh_header){"id", "42"};

    gh_invocation *inv = &f->inv;
    inv->req = r;
    inv->resp = &f->resp;
    inv->arena = f->arena;
    inv->api = &f->api;
    inv->stage = &f->stage;
    inv->resource = &f->resource;
    inv->method = &f->method;
    inv->integration = &f->integ;
    inv->path_params = f->path_params;
    inv->npath_params = 1;
    inv->path = "/orders/42";
    inv->stage_path = "/prod/orders/42";
    inv->domain_name = "k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com";
}

static inline void inv_fixture_free(inv_fixture *f)
{
    gh_arena_free(f->arena);
}

#endif
