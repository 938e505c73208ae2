/* HTTP integrations without a network: URL building, the header rules of reference
 * §1.4, and both runners against a fake backend that records the request it was given
 * and answers what the case says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "integration/backend_impl.h"
#include "integration/http_request.h"
#include "integration/integration.h"
#include "inv_fixture.h"

/* The fake backend: keeps what it was asked, answers canned. */
typedef struct fake_backend {
    gh_backend base;
    int calls;
    gh_backend_request seen;
    gh_backend_status status;
    int answer_status;
    gh_headers answer_headers;
    const char *answer_body;
} fake_backend;

static gh_backend_status fake_exchange(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                       gh_backend_response *rs, const char **detail)
{
    fake_backend *f = (fake_backend *)b;
    f->calls++;
    f->seen = *rq;
    if (f->status != GH_BACKEND_OK) {
        *detail = gh_arena_strdup(a, "canned failure");
        return f->status;
    }
    rs->status = f->answer_status;
    rs->headers = f->answer_headers;
    rs->body = f->answer_body;
    rs->body_len = f->answer_body ? strlen(f->answer_body) : 0;
    return GH_BACKEND_OK;
}

static void fake_init(fake_backend *fb, inv_fixture *f)
{
    memset(fb, 0, sizeof *fb);
    fb->base.exchange = fake_exchange;
    fb->answer_status = 200;
    f->inv.backend = &fb->base;
}

static const char *seen_header(const fake_backend *fb, const char *name)
{
    return gh_headers_get(&fb->seen.headers, name);
}

static void urls_are_built_from_the_uri(void **state)
{
    (void)state;
    static const struct {
        const char *uri;
        const char *map_name, *map_value; /* an integ_path entry, or NULL */
        const char *mapped_query;          /* "name=value" for integ_query, or NULL */
        bool proxy;
        const char *url;                   /* NULL: fails, why holds `why` */
        const char *why;
    } cases[] = {
        {"http://h/a", NULL, NULL, NULL, false, "http://h/a", NULL},
        /* the method request's query goes only to a proxy, raw as sent */
        {"http://h/a", NULL, NULL, NULL, true, "http://h/a?expand=items&tag=a&tag=b&q=a+b%2Bc",
         NULL},
        {"http://h/a?x=1", NULL, NULL, NULL, true,
         "http://h/a?x=1&expand=items&tag=a&tag=b&q=a+b%2Bc", NULL},
        {"http://h/a?x=1", NULL, NULL, "k=v w", false, "http://h/a?x=1&k=v+w", NULL},
        {"http://h/a", NULL, NULL, "k=&", false, "http://h/a?k=%26", NULL},
        {"http://${stageVariables.backend}.example/o", NULL, NULL, NULL, false,
         "http://orders-v2.example/o", NULL},
        {"http://h/${stageVariables.nope}", NULL, NULL, NULL, false, NULL,
         "${stageVariables.nope}, and stage prod does not set it"},
        {"http://h/orders/{id}", "id", "42", NULL, false, "http://h/orders/42", NULL},
        /* a greedy value keeps its slashes and its encoding as sent */
        {"http://h/s/{proxy}", "proxy", "a/b%20c/d", NULL, false, "http://h/s/a/b%20c/d", NULL},
        {"http://h/s/{proxy+}", "proxy", "x/y", NULL, false, "http://h/s/x/y", NULL},
        /* a mapped header value may hold what a path cannot */
        {"http://h/t/{t}", "t", "a b{c}", NULL, false, "http://h/t/a%20b%7Bc%7D", NULL},
        {"http://h/orders/{id}", NULL, NULL, NULL, false, NULL,
         "{id} has no value: map it with requestParameters integration.request.path.id"},
        {"ftp://h/a", NULL, NULL, NULL, false, NULL, "is not an http:// or https:// URL"},
        {"https://h:8443/{id}/x", "id", "7", NULL, true,
         "https://h:8443/7/x?expand=items&tag=a&tag=b&q=a+b%2Bc", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        f.integ.uri = cases[i].uri;
        if (cases[i].map_name) {
            gh_header *h = gh_arena_alloc(f.arena, sizeof *h);
            *h = (gh_header){cases[i].map_name, cases[i].map_value};
            f.inv.integ_path = h;
            f.inv.ninteg_path = 1;
        }
        if (cases[i].mapped_query) {
            const char *q = cases[i].mapped_query;
            const char *eq = strchr(q, '=');
            gh_headers_add(f.arena, &f.inv.integ_query,
                           gh_arena_strndup(f.arena, q, (size_t)(eq - q)), eq + 1);
        }
        const char *why = NULL;
        const char *url = gh_http_url(&f.inv, cases[i].proxy, &why);
        if (cases[i].url) {
            if (!url)
                fail_msg("case %zu: %s", i, why);
            assert_string_equal(url, cases[i].url);
        } else {
            assert_null(url);
            if (!strstr(why, cases[i].why))
                fail_msg("case %zu: why '%s' lacks '%s'", i, why, cases[i].why);
        }
        inv_fixture_free(&f);
    }
}

static void request_headers_dropped_as_aws_does(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        bool dropped;
    } cases[] = {
        {"Connection", true},    {"content-md5", true},   {"Expect", true},
        {"Max-Forwards", true},  {"Proxy-Authenticate", true}, {"Server", true},
        {"TE", true},            {"Transfer-Encoding", true}, {"Trailer", true},
        {"Upgrade", true},       {"WWW-Authenticate", true}, {"Host", true},
        {"Content-Length", true}, {"Keep-Alive", true},   {"Accept", false},
        {"Authorization", false}, {"X-Forwarded-For", false}, {"Cookie", false},
        {"User-Agent", false},   {"Content-Type", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (gh_http_request_header_dropped(cases[i].name) != cases[i].dropped)
            fail_msg("%s: dropped should be %d", cases[i].name, cases[i].dropped);
}

static void response_headers_remapped_as_aws_does(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* out NULL: dropped */
    } cases[] = {
        {"Content-Type", "Content-Type"},   {"Set-Cookie", "Set-Cookie"},
        {"X-Custom", "X-Custom"},           {"Date", "x-amzn-Remapped-Date"},
        {"Server", "x-amzn-Remapped-Server"}, {"Content-Length", "x-amzn-Remapped-Content-Length"},
        {"Connection", "x-amzn-Remapped-Connection"},
        {"WWW-Authenticate", "x-amzn-Remapped-WWW-Authenticate"},
        {"Authorization", "x-amzn-Remapped-Authorization"}, {"Transfer-Encoding", NULL},
        {"Keep-Alive", NULL},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_headers in = {0}, out = {0};
        gh_headers_add(a, &in, cases[i].in, "v");
        gh_http_response_headers(a, &in, &out);
        if (!cases[i].out) {
            assert_int_equal(out.n, 0);
            continue;
        }
        assert_int_equal(out.n, 1);
        assert_string_equal(out.items[0].name, cases[i].out);
        assert_string_equal(out.items[0].value, "v");
    }
    gh_arena_free(a);
}

static void proxy_passes_request_and_answer_through(void **state)
{
    (void)state;
    inv_fixture f;
    fake_backend fb;
    inv_fixture_init(&f);
    fake_init(&fb, &f);
    f.integ.type = GH_INTEG_HTTP_PROXY;
    f.integ.uri = "http://backend.local/orders/{id}";
    f.integ.http_method = "ANY";
    f.integ.timeout_ms = 1500;
    gh_kv params[] = {{.key = "integration.request.path.id", .value = "method.request.path.id"},
                      {.key = "integration.request.header.x-from", .value = "'gateway'"}};
    f.integ.request_parameters = (gh_kvs){params, 2};
    f.req.method = "POST";
    f.req.body = "{\"a\":1}";
    f.req.body_len = 7;
    gh_headers_add(f.arena, &f.req.headers, "X-Forwarded-For", "198.51.100.7");
    gh_headers_add(f.arena, &fb.answer_headers, "X-Backend", "yes");
    gh_headers_add(f.arena, &fb.answer_headers, "Date", "Mon, 01 Jan 2024 00:00:00 GMT");
    gh_headers_add(f.arena, &fb.answer_headers, "Transfer-Encoding", "chunked");
    fb.answer_status = 418;
    fb.answer_body = "teapot";

    assert_int_equal(gh_integration_run(&f.inv), 0);
    assert_int_equal(fb.calls, 1);
    assert_string_equal(fb.seen.method, "POST");
    assert_string_equal(fb.seen.url,
                        "http://backend.local/orders/42?expand=items&tag=a&tag=b&q=a+b%2Bc");
    assert_int_equal(fb.seen.timeout_ms, 1500);
    assert_int_equal(fb.seen.body_len, 7);
    assert_memory_equal(fb.seen.body, "{\"a\":1}", 7);
    assert_null(seen_header(&fb, "Host"));
    assert_null(seen_header(&fb, "Connection"));
    assert_string_equal(seen_header(&fb, "User-Agent"), "curl/8.5.0");
    assert_string_equal(seen_header(&fb, "X-Forwarded-For"), "198.51.100.7");
    assert_string_equal(seen_header(&fb, "x-from"), "gateway");
    assert_string_equal(seen_header(&fb, "X-Amzn-Apigateway-Api-Id"), "k3x9q2w7ab");
    /* both x-tenant values, in order */
    size_t tenants = 0;
    for (size_t i = 0; i < fb.seen.headers.n; i++)
        tenants += strcmp(fb.seen.headers.items[i].name, "x-tenant") == 0;
    assert_int_equal(tenants, 2);

    assert_int_equal(f.resp.status, 418);
    assert_string_equal(gh_headers_get(&f.resp.headers, "X-Backend"), "yes");
    assert_string_equal(gh_headers_get(&f.resp.headers, "x-amzn-Remapped-Date"),
                        "Mon, 01 Jan 2024 00:00:00 GMT");
    assert_null(gh_headers_get(&f.resp.headers, "Transfer-Encoding"));
    assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
    assert_int_equal(f.resp.body_len, 6);
    assert_memory_equal(f.resp.body, "teapot", 6);
    inv_fixture_free(&f);
}

static void backend_failures_render_as_aws(void **state)
{
    (void)state;
    static const struct {
        gh_integ_type type;
        gh_backend_status st;
        gh_gw_type fail_type;
        int fail_status;
        const char *message;
    } cases[] = {
        {GH_INTEG_HTTP_PROXY, GH_BACKEND_TIMEOUT, GH_GW_INTEGRATION_TIMEOUT, 504,
         "Endpoint request timed out"},
        {GH_INTEG_HTTP, GH_BACKEND_TIMEOUT, GH_GW_INTEGRATION_TIMEOUT, 504,
         "Endpoint request timed out"},
        {GH_INTEG_HTTP_PROXY, GH_BACKEND_UNREACHABLE, GH_GW_API_CONFIGURATION_ERROR, 500,
         "Internal server error"},
        {GH_INTEG_HTTP, GH_BACKEND_UNREACHABLE, GH_GW_API_CONFIGURATION_ERROR, 500,
         "Internal server error"},
        {GH_INTEG_HTTP_PROXY, GH_BACKEND_NO_RECORDING, GH_GW_API_CONFIGURATION_ERROR, 502,
         "Internal server error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        fake_backend fb;
        inv_fixture_init(&f);
        fake_init(&fb, &f);
        f.integ.type = cases[i].type;
        f.integ.uri = "http://backend.local/x";
        f.integ.http_method = "GET";
        fb.status = cases[i].st;
        assert_int_equal(gh_integration_run(&f.inv), -1);
        assert_int_equal(f.inv.fail_type, cases[i].fail_type);
        assert_int_equal(f.inv.fail_status, cases[i].fail_status);
        assert_string_equal(f.inv.fail_message, cases[i].message);
        assert_non_null(strstr(f.inv.log_detail, "canned failure"));
        inv_fixture_free(&f);
    }
}

static void custom_http_selects_by_status(void **state)
{
    (void)state;
    gh_kv p400[] = {{.key = "method.response.header.X-Why",
                     .value = "integration.response.header.X-Reason"}};
    gh_integ_response responses[] = {
        {.pattern = NULL, .status = 200},
        {.pattern = "4\\d{2}", .status = 400, .parameters = {p400, 1}},
        {.pattern = "5\\d{2}", .status = 502},
    };
    static const struct {
        int backend;
        int client;
        const char *why; /* X-Why expected, or NULL */
    } cases[] = {
        {200, 200, NULL}, {201, 200, NULL}, {404, 400, "missing"}, {503, 502, NULL},
        {302, 200, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        fake_backend fb;
        inv_fixture_init(&f);
        fake_init(&fb, &f);
        f.integ.type = GH_INTEG_HTTP;
        f.integ.uri = "http://backend.local/orders/{id}";
        f.integ.http_method = "get";
        f.integ.responses = responses;
        f.integ.nresponses = 3;
        gh_kv params[] = {{.key = "integration.request.path.id", .value = "method.request.path.id"},
                          {.key = "integration.request.querystring.t",
                           .value = "method.request.querystring.tag"}};
        f.integ.request_parameters = (gh_kvs){params, 2};
        fb.answer_status = cases[i].backend;
        fb.answer_body = "{\"ok\":true}";
        gh_headers_add(f.arena, &fb.answer_headers, "X-Reason", "missing");
        assert_int_equal(gh_integration_run(&f.inv), 0);
        /* only mapped values go out: no client query, no client headers */
        assert_string_equal(fb.seen.method, "GET");
        assert_string_equal(fb.seen.url, "http://backend.local/orders/42?t=b");
        assert_null(seen_header(&fb, "x-tenant"));
        assert_null(seen_header(&fb, "Accept"));
        assert_string_equal(seen_header(&fb, "User-Agent"), "AmazonAPIGateway_k3x9q2w7ab");
        assert_int_equal(f.resp.status, cases[i].client);
        const char *why = gh_headers_get(&f.resp.headers, "X-Why");
        if (cases[i].why)
            assert_string_equal(why, cases[i].why);
        else
            assert_null(why);
        assert_int_equal(f.resp.body_len, 11);
        assert_memory_equal(f.resp.body, "{\"ok\":true}", 11);
        inv_fixture_free(&f);
    }
}

static void custom_http_without_default_is_a_500(void **state)
{
    (void)state;
    inv_fixture f;
    fake_backend fb;
    inv_fixture_init(&f);
    fake_init(&fb, &f);
    gh_integ_response only[] = {{.pattern = "2\\d{2}", .status = 200}};
    f.integ.type = GH_INTEG_HTTP;
    f.integ.uri = "http://backend.local/x";
    f.integ.http_method = "GET";
    f.integ.responses = only;
    f.integ.nresponses = 1;
    fb.answer_status = 500;
    assert_int_equal(gh_integration_run(&f.inv), -1);
    assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
    assert_non_null(strstr(f.inv.log_detail, "the backend answered 500"));
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urls_are_built_from_the_uri),
        cmocka_unit_test(request_headers_dropped_as_aws_does),
        cmocka_unit_test(response_headers_remapped_as_aws_does),
        cmocka_unit_test(proxy_passes_request_and_answer_through),
        cmocka_unit_test(backend_failures_render_as_aws),
        cmocka_unit_test(custom_http_selects_by_status),
        cmocka_unit_test(custom_http_without_default_is_a_500),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
