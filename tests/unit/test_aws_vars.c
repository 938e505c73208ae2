/* template/aws_*: the variables AWS gives mapping templates, called the way the VTL
 * evaluator calls them (the host classes' get/call), on the reference's example request
 * (inv_fixture.h: GET /prod/orders/42?expand=items&tag=a&tag=b&q=a+b%2Bc). Expected
 * texts are AWS's; the source of each rule is in the module's header comment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "inv_fixture.h"
#include "template/aws_vars.h"
#include "template/mapping.h"

static gh_vtl_rt rt_for(inv_fixture *f)
{
    gh_vtl_rt rt = {.arena = f->arena, .user = &f->inv};
    return rt;
}

static const char *text(gh_vtl_rt *rt, gh_vval v)
{
    size_t len;
    return gh_v_to_text(rt, rt->arena, v, &len);
}

/* Calls $obj.name(arg) (arg NULL: no argument) and returns the printed result, or
 * "<none>" when there is no such method, "<fail: msg>" after a runtime error. */
static const char *call1(gh_vtl_rt *rt, gh_vval obj, const char *name, const char *arg)
{
    gh_vval args[1] = {arg ? gh_v_str(arg) : gh_v_null()}, out;
    rt->failed = false;
    rt->error[0] = '\0';
    if (!obj.u.host.cls->call(rt, obj.u.host.self, name, args, arg ? 1 : 0, &out))
        return rt->failed ? gh_arena_printf(rt->arena, "<fail: %s>", rt->error) : "<none>";
    return text(rt, out);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *get(gh_vtl_rt *rt, gh_vval obj, const char *name)
{
    gh_vval out;
    if (obj.kind != GH_V_HOST)
        return "<not host>";
    if (!obj.u.host.cls->get(rt, obj.u.host.self, name, &out))
        return "<null>";
    return text(rt, out);
}

static const char order_body[] =
    "{\"id\":42,\"name\":\"Widget \\\"Pro\\\"\",\"price\":19.5,\"big\":1e21,\"tags\":[\"a\",\"b\"],"
    "\"items\":[{\"sku\":\"x1\",\"qty\":2},{\"sku\":\"x2\",\"qty\":1}],"
    "\"owner\":{\"name\":\"Ann\",\"roles\":[\"admin\"]},\"none\":null,\"ok\":true,\"e\":{}}";

static void input_json_and_path(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_vtl_rt rt = rt_for(&f);
    gh_vval in = gh_aws_input_new(&f.inv, order_body, strlen(order_body), false);
    struct {
        const char *method, *path, *want;
    } table[] = {
        /* $input.json: compact JSON of the match */
        {"json", "$.id", "42"},
        {"json", "$.name", "\"Widget \\\"Pro\\\"\""},
        {"json", "$.price", "19.5"},
        {"json", "$.big", "1.0E21"},
        {"json", "$.tags", "[\"a\",\"b\"]"},
        {"json", "$.owner", "{\"name\":\"Ann\",\"roles\":[\"admin\"]}"},
        {"json", "$.items[0]", "{\"sku\":\"x1\",\"qty\":2}"},
        {"json", "$.items[*].sku", "[\"x1\",\"x2\"]"},
        {"json", "$.none", "null"},
        {"json", "$.missing", "null"},
        {"json", "$.ok", "true"},
        {"json", "$.e", "{}"},
        {"json", "$.nothing[*]", "[]"},
        /* $input.path: a value; printing follows Java (maps {k=v}, JSON lists as JSON) */
        {"path", "$.id", "42"},
        {"path", "$.name", "Widget \"Pro\""},
        {"path", "$.tags", "[\"a\",\"b\"]"},
        {"path", "$.owner", "{name=Ann, roles=[\"admin\"]}"},
        {"path", "$.items", "[{\"sku\":\"x1\",\"qty\":2},{\"sku\":\"x2\",\"qty\":1}]"},
        {"path", "$.missing", ""},
        {"path", "$.none", ""},
        {"path", "$.e", "{}"},
        {"path", "$.items[?(@.qty > 1)].sku", "[\"x1\"]"},
        /* errors: a bad path or a non-string path fails the template */
        {"json", "$[", "<fail: $input.json('$['): invalid JSONPath: unterminated '['>"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const char *got = call1(&rt, in, table[i].method, table[i].path);
        if (strcmp(got, table[i].want) != 0)
            fail_msg("case %zu: $input.%s('%s') gave %s, want %s", i, table[i].method,
                     table[i].path, got, table[i].want);
    }
    assert_string_equal(get(&rt, in, "body"), order_body);
    assert_string_equal(get(&rt, in, "nope"), "<null>");
    assert_string_equal(call1(&rt, in, "nope", "x"), "<none>");
    /* $input.path returns the live value: one parse per render, shared by every call. */
    gh_vval a[1] = {gh_v_str("$.owner")}, o1, o2;
    assert_true(gh_aws_input_class.call(&rt, in.u.host.self, "path", a, 1, &o1));
    assert_true(gh_aws_input_class.call(&rt, in.u.host.self, "path", a, 1, &o2));
    assert_ptr_equal(o1.u.map, o2.u.map);
    inv_fixture_free(&f);
}

static void input_empty_and_non_json_bodies(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_vtl_rt rt = rt_for(&f);
    /* An empty body is "{}" for $input.body and for JSONPath (reference §5.1). */
    gh_vval in = gh_aws_input_new(&f.inv, NULL, 0, false);
    assert_string_equal(get(&rt, in, "body"), "{}");
    assert_string_equal(call1(&rt, in, "json", "$"), "{}");
    assert_string_equal(call1(&rt, in, "path", "$"), "{}");
    assert_string_equal(call1(&rt, in, "json", "$.a"), "null");
    /* A body that is not JSON reads as json-smart's permissive mode reads it (aws_input.c):
     * text that does not open a JSON value is one trimmed string; text that opens one and
     * breaks fails the template. $input.body is the text either way. */
    static const struct {
        const char *body, *method, *path, *want; /* want "<fail": the render fails */
        bool response;
    } odd[] = {
        {"name=ann&x=1", "path", "$", "name=ann&x=1", false}, /* the form-to-JSON template */
        {"name=ann&x=1", "json", "$", "\"name=ann&x=1\"", false},
        {"name=ann&x=1", "path", "$.name", "", false},
        {"name=ann&x=1", "json", "$.name", "null", false},
        {" \r\na b\t\n", "json", "$", "\"a b\"", false}, /* String.trim() */
        {"12abc", "json", "$", "\"12abc\"", false},
        {"<xml/>", "json", "$", "\"<xml/>\"", true},
        {"  \n", "json", "$", "null", false},
        {"{\"a\":", "json", "$", "<fail: the request body is not JSON", false},
        {"[1,", "path", "$[0]", "<fail: the request body is not JSON", false},
        {"\"open", "json", "$", "<fail: the request body is not JSON", false},
        {"{bad}", "json", "$", "<fail: the integration response body is not JSON", true},
    };
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        gh_vval in2 = gh_aws_input_new(&f.inv, odd[i].body, strlen(odd[i].body), odd[i].response);
        assert_string_equal(get(&rt, in2, "body"), odd[i].body);
        const char *got = call1(&rt, in2, odd[i].method, odd[i].path);
        if (starts(odd[i].want, "<fail")) {
            if (!starts(got, odd[i].want))
                fail_msg("case %zu: got %s", i, got);
        } else if (strcmp(got, odd[i].want) != 0) {
            fail_msg("case %zu: got %s, want %s", i, got, odd[i].want);
        }
    }
    /* A JSON scalar body is fine. */
    gh_vval s = gh_aws_input_new(&f.inv, "\"hi\"", 4, false);
    assert_string_equal(call1(&rt, s, "json", "$"), "\"hi\"");
    assert_string_equal(call1(&rt, s, "path", "$"), "hi");
    inv_fixture_free(&f);
}

static void input_params(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    /* A path parameter and a query parameter of the same name: path wins. */
    gh_header pp[2] = {{"id", "42"}, {"expand", "from-path"}};
    f.inv.path_params = pp;
    gh_vtl_rt rt = rt_for(&f);
    gh_vval in = gh_aws_input_new(&f.inv, "", 0, false);
    struct {
        const char *name, *want;
    } table[] = {
        {"id", "42"},
        {"expand", "42"}, /* replaced below */
        {"tag", "b"},     /* repeated query name: the last value */
        {"q", "a b+c"},   /* query values decoded, '+' a space */
        {"x-tenant", "blue"},
        {"X-Tenant", "blue"},   /* header names match whatever their case */
        {"User-Agent", "curl/8.5.0"},
        {"absent", ""},   /* absent: empty string */
    };
    f.inv.npath_params = 1;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const char *want = i == 1 ? "items" : table[i].want;
        const char *got = call1(&rt, in, "params", table[i].name);
        if (strcmp(got, want) != 0)
            fail_msg("$input.params('%s') gave %s, want %s", table[i].name, got, want);
    }
    /* With the path parameter present it shadows the query string. */
    gh_vval in2 = gh_aws_input_new(&f.inv, "", 0, false);
    f.inv.npath_params = 2;
    assert_string_equal(call1(&rt, in2, "params", "expand"), "from-path");

    gh_vval all;
    assert_true(gh_aws_input_class.call(&rt, in2.u.host.self, "params", NULL, 0, &all));
    assert_int_equal(all.kind, GH_V_MAP);
    assert_string_equal(text(&rt, all),
                        "{path={id=42, expand=from-path}, querystring={expand=items, tag=b, q=a b+c}, "
                        "header={Host=k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com, "
                        "User-Agent=curl/8.5.0, Accept=application/json, x-tenant=blue, "
                        "Connection=keep-alive}}");
    /* .header is a Java map: get() is exact about case. */
    gh_vmap_entry *h = gh_vmap_find(all.u.map, "header", 6);
    assert_non_null(gh_vmap_find(h->value.u.map, "x-tenant", 8));
    assert_null(gh_vmap_find(h->value.u.map, "X-Tenant", 8));
    inv_fixture_free(&f);
}

static void util_functions(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_vtl_rt rt = rt_for(&f);
    gh_vval u = gh_aws_util();
    struct {
        const char *fn, *arg, *want;
    } table[] = {
        /* commons-lang 2.6 StringEscapeUtils.escapeJavaScript */
        {"escapeJavaScript", "He didn't say, \"Stop!\"", "He didn\\'t say, \\\"Stop!\\\""},
        {"escapeJavaScript", "a/b\\c", "a\\/b\\\\c"},
        {"escapeJavaScript", "</script>", "<\\/script>"},
        {"escapeJavaScript", "t\tn\nr\rb\bf\f", "t\\tn\\nr\\rb\\bf\\f"},
        {"escapeJavaScript", "\x01\x1f\x0b", "\\u0001\\u001F\\u000B"},
        {"escapeJavaScript", "\x7f", "\x7f"},            /* DEL is not escaped */
        {"escapeJavaScript", "caf\xc3\xa9", "caf\\u00E9"}, /* U+00E9 */
        {"escapeJavaScript", "\xe2\x82\xac", "\\u20AC"},   /* euro sign */
        {"escapeJavaScript", "\xe0\xa4\x85", "\\u0905"},   /* 0x100-0xfff: zero-padded */
        {"escapeJavaScript", "\xf0\x9f\x98\x80", "\\uD83D\\uDE00"}, /* surrogate pair */
        {"escapeJavaScript", "bad\xff", "bad\\uFFFD"},      /* malformed UTF-8 */
        {"escapeJavaScript", "", ""},
        {"escapeJavaScript", "{\"a\": 'b'}", "{\\\"a\\\": \\'b\\'}"},
        /* java.net.URLEncoder / URLDecoder, UTF-8 */
        {"urlEncode", "a b&c=d/e?f", "a+b%26c%3Dd%2Fe%3Ff"},
        {"urlEncode", "*-._~!'()", "*-._%7E%21%27%28%29"},
        {"urlEncode", "{\"k\":1}", "%7B%22k%22%3A1%7D"},
        {"urlEncode", "caf\xc3\xa9", "caf%C3%A9"},
        {"urlEncode", "x=a+b", "x%3Da%2Bb"},
        {"urlDecode", "a+b%26c%3dd", "a b&c=d"},
        {"urlDecode", "caf%C3%A9", "caf\xc3\xa9"},
        {"urlDecode", "%+7A", "\x07" "A"}, /* parseInt("+7", 16): a leading + is accepted */
        {"urlDecode", "100%", "<fail: $util.urlDecode: URLDecoder: Incomplete trailing escape (%) pattern>"},
        {"urlDecode", "%4", "<fail: $util.urlDecode: URLDecoder: Incomplete trailing escape (%) pattern>"},
        {"urlDecode", "%zz", "<fail: $util.urlDecode: URLDecoder: Illegal hex characters in escape (%) pattern>"},
        {"urlDecode", "%-1", "<fail: $util.urlDecode: URLDecoder: Illegal hex characters in escape (%) pattern>"},
        {"urlDecode", "%FF", "\xef\xbf\xbd"},  /* a lone 0xFF byte: U+FFFD */
        /* base64 of the UTF-8 bytes */
        {"base64Encode", "hello world", "aGVsbG8gd29ybGQ="},
        {"base64Encode", "caf\xc3\xa9", "Y2Fmw6k="},
        {"base64Encode", "", ""},
        {"base64Decode", "aGVsbG8gd29ybGQ=", "hello world"},
        {"base64Decode", "!!", "<fail: $util.base64Decode: the argument is not valid base64>"},
        /* parseJson: a value; maps print as Map.toString, lists as JSON */
        {"parseJson", "{\"a\":1,\"b\":[1,\"x\"],\"c\":{\"d\":null}}", "{a=1, b=[1,\"x\"], c={d=null}}"},
        {"parseJson", "[1,2]", "[1,2]"},
        {"parseJson", "\"s\"", "s"},
        {"parseJson", "2.50", "2.5"},
        {"nope", "x", "<none>"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const char *got = call1(&rt, u, table[i].fn, table[i].arg);
        if (strcmp(got, table[i].want) != 0)
            fail_msg("case %zu: $util.%s(%s) gave [%s], want [%s]", i, table[i].fn,
                     table[i].arg, got, table[i].want);
    }
    assert_true(starts(call1(&rt, u, "parseJson", "{bad"), "<fail: $util.parseJson: invalid JSON: "));
    /* null in, null out (renders as nothing). */
    assert_string_equal(call1(&rt, u, "escapeJavaScript", NULL), "<none>");
    gh_vval nul[1] = {gh_v_null()}, out;
    assert_true(gh_aws_util_class.call(&rt, NULL, "urlEncode", nul, 1, &out));
    assert_int_equal(out.kind, GH_V_NULL);
    /* A number is escaped as its text. */
    gh_vval num[1] = {gh_v_int(12)};
    assert_true(gh_aws_util_class.call(&rt, NULL, "escapeJavaScript", num, 1, &out));
    assert_string_equal(text(&rt, out), "12");
    inv_fixture_free(&f);
}

static void context_values_and_objects(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_vtl_rt rt = rt_for(&f);
    gh_aws_context *ctx;
    gh_vval c = gh_aws_context_new(&f.inv, &ctx);
    struct {
        const char *name, *want;
    } leaves[] = {
        {"requestId", "5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b"},
        {"extendedRequestId", "Xc9LmF2bDoEFq8w="},
        {"apiId", "k3x9q2w7ab"},
        {"accountId", "111122223333"},
        {"stage", "prod"},
        {"httpMethod", "GET"},
        {"resourcePath", "/orders/{id}"},
        {"resourceId", "r8k2p1"},
        {"path", "/prod/orders/42"},
        {"domainPrefix", "k3x9q2w7ab"},
        {"protocol", "HTTP/1.1"},
        {"requestTimeEpoch", "1781013791000"},
        {"nonsense", "<null>"},
    };
    for (size_t i = 0; i < sizeof leaves / sizeof *leaves; i++)
        assert_string_equal(get(&rt, c, leaves[i].name), leaves[i].want);

    gh_vval identity;
    assert_true(gh_aws_context_class.get(&rt, c.u.host.self, "identity", &identity));
    assert_int_equal(identity.kind, GH_V_HOST);
    assert_string_equal(get(&rt, identity, "sourceIp"), "198.51.100.7");
    assert_string_equal(get(&rt, identity, "userAgent"), "curl/8.5.0");
    assert_string_equal(get(&rt, identity, "apiKey"), "<null>");
    assert_string_equal(call1(&rt, identity, "get", "sourceIp"), "198.51.100.7");
    assert_string_equal(call1(&rt, identity, "keySet", NULL), "[sourceIp, userAgent]");
    gh_vval cert, validity;
    assert_true(gh_aws_context_class.get(&rt, identity.u.host.self, "clientCert", &cert));
    assert_true(gh_aws_context_class.get(&rt, cert.u.host.self, "validity", &validity));
    assert_string_equal(get(&rt, validity, "notBefore"), "<null>");
    gh_vval err;
    assert_true(gh_aws_context_class.get(&rt, c.u.host.self, "error", &err));
    assert_string_equal(get(&rt, err, "message"), "<null>");
    f.inv.fail_type = GH_GW_THROTTLED;
    f.inv.fail_message = "Too Many Requests";
    assert_string_equal(get(&rt, err, "message"), "Too Many Requests");
    assert_string_equal(get(&rt, err, "messageString"), "\"Too Many Requests\"");
    assert_string_equal(get(&rt, err, "responseType"), "THROTTLED");

    gh_vval sv = gh_aws_stage_variables(&f.inv);
    assert_string_equal(text(&rt, sv), "{backend=orders-v2}");
    inv_fixture_free(&f);
}

/* #set($context.requestOverride.header.X = ...) is the evaluator putting into these maps;
 * here the test puts what a template would, then reads the overrides back. */
static void context_overrides(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_vtl_rt rt = rt_for(&f);
    gh_arena *a = f.arena;
    gh_aws_context *ctx;
    gh_vval c = gh_aws_context_new(&f.inv, &ctx);
    gh_vval ro, rso;
    assert_true(gh_aws_context_class.get(&rt, c.u.host.self, "requestOverride", &ro));
    assert_true(gh_aws_context_class.get(&rt, c.u.host.self, "responseOverride", &rso));
    assert_ptr_equal(ro.u.map, ctx->request_override);
    assert_string_equal(text(&rt, ro), "{header={}, querystring={}, path={}}");
    gh_vmap *hdr = gh_vmap_find(ro.u.map, "header", 6)->value.u.map;
    gh_vmap_put(a, hdr, "oHeader", 7, gh_v_str("1header"));
    gh_vval multi = gh_v_list(a, 2, false);
    gh_vlist_add(a, multi.u.list, gh_v_str("1header"));
    gh_vlist_add(a, multi.u.list, gh_v_str("2header"));
    gh_vmap_put(a, hdr, "multivalue", 10, multi);
    gh_vmap_put(a, gh_vmap_find(ro.u.map, "querystring", 11)->value.u.map, "query", 5,
                gh_v_str("query"));
    gh_vmap_put(a, gh_vmap_find(ro.u.map, "path", 4)->value.u.map, "proxy", 5, gh_v_str("p"));
    gh_vmap_put(a, gh_vmap_find(rso.u.map, "header", 6)->value.u.map, "X-Out", 5, gh_v_int(7));
    gh_vmap_put(a, rso.u.map, "status", 6, gh_v_int(418));
    /* Reading back through $context shows what was set. */
    gh_vval again;
    assert_true(gh_aws_context_class.get(&rt, c.u.host.self, "responseOverride", &again));
    assert_string_equal(text(&rt, again), "{header={X-Out=7}, status=418}");

    gh_mapping_out out;
    memset(&out, 0, sizeof out);
    gh_aws_context_overrides(&rt, ctx, &out);
    assert_int_equal(out.request_header_overrides.n, 3);
    assert_string_equal(out.request_header_overrides.items[0].name, "oHeader");
    assert_string_equal(out.request_header_overrides.items[1].value, "1header");
    assert_string_equal(out.request_header_overrides.items[2].name, "multivalue");
    assert_string_equal(out.request_header_overrides.items[2].value, "2header");
    assert_string_equal(out.request_query_overrides.items[0].value, "query");
    assert_string_equal(out.request_path_overrides.items[0].name, "proxy");
    assert_string_equal(out.response_header_overrides.items[0].value, "7");
    assert_int_equal(out.status_override, 418);

    struct {
        gh_vval v;
        int want;
    } statuses[] = {{gh_v_int(99), 0},      {gh_v_int(600), 0},   {gh_v_int(100), 100},
                    {gh_v_str("404"), 404}, {gh_v_str("4x"), 0},  {gh_v_str(""), 0},
                    {gh_v_double(200), 0},  {gh_v_int(599), 599}};
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        gh_vmap_put(a, rso.u.map, "status", 6, statuses[i].v);
        memset(&out, 0, sizeof out);
        gh_aws_context_overrides(&rt, ctx, &out);
        assert_int_equal(out.status_override, statuses[i].want);
    }
    inv_fixture_free(&f);
}

/* gh_mapping_render's plumbing (the VTL engine is a shim on this branch: it copies the
 * template text through). */
static void mapping_render_plumbing(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_template t = {.media_type = "application/json", .text = "{\"a\":1}", .len = 7};
    gh_arena *model = gh_arena_new(1024);
    gh_vtl_error err;
    t.compiled = gh_vtl_compile(model, t.text, t.len, &err);
    gh_mapping_out out;
    assert_int_equal(gh_mapping_render(&f.inv, &t, GH_MAPPING_REQUEST, NULL, 0, &out), 0);
    assert_string_equal(out.body, "{\"a\":1}");
    assert_int_equal(out.len, 7);
    assert_int_equal(out.status_override, 0);
    assert_int_equal(out.request_header_overrides.n, 0);
    assert_null(out.error);
    gh_arena_free(model);
    inv_fixture_free(&f);
}

/* Overrides and $context reads through gh_mapping_render, the way a template meets them:
 * "Overrides are final. An override may only be applied to each parameter once"
 * (apigateway-override-request-response-parameters), reading back what was set, the
 * status before any set, and error.messageString as a JSON literal (reference §2). A want
 * of "fail:<text>" means the render fails with an error containing <text>; hdr / qs /
 * status are what the caller then applies. */
static void overrides_through_templates(void **state)
{
    (void)state;
    static const struct {
        gh_mapping_kind kind;
        const char *tpl, *want, *hdr, *qs; /* hdr/qs: "name=value;..." in the order set */
        int status;
    } cases[] = {
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.header.X = 'a')"
                             "#set($context.requestOverride.header.X = 'b')",
         "fail:$context.requestOverride.header.X is already set", "", "", 0},
        /* one HTTP header whatever the case of its name */
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.header.X-Id = 'a')"
                             "#set($context.requestOverride.header['x-id'] = 'b')",
         "fail:is already set", "", "", 0},
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.querystring.q = 'a')"
                             "#set($context.requestOverride.querystring.Q = 'b')",
         "", "", "q=a;Q=b;", 0},
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.path.p = 'a')"
                             "#set($context.requestOverride.path.p = 'b')",
         "fail:is already set", "", "", 0},
        /* AWS's advice: keep the value in a variable, override once at the end */
        {GH_MAPPING_REQUEST, "#set($v = 'a')#set($v = \"$v,b\")"
                             "#set($context.requestOverride.header.X = $v)",
         "", "X=a,b;", "", 0},
        /* reading back in the same template */
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.header.X = 'a')"
                             "[$context.requestOverride.header.X]"
                             "[$context.requestOverride.header.Y]",
         "[a][]", "X=a;", "", 0},
        /* Map methods count as setting */
        {GH_MAPPING_REQUEST, "$context.requestOverride.header.put('X', 'a')"
                             "$context.requestOverride.header.put('X', 'b')",
         "fail:already set", "", "", 0},
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.header.X = 'a')"
                             "$context.requestOverride.header.putAll({'Y': 'y', 'x': 'b'})",
         "fail:already set", "", "", 0},
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.header.X = 'a')"
                             "$context.requestOverride.header.remove('X')",
         "fail:cannot be taken back", "", "", 0},
        {GH_MAPPING_REQUEST, "#set($context.requestOverride.header = {})",
         "fail:already set", "", "", 0},
        /* status: nothing before a set, the value after; set twice fails */
        {GH_MAPPING_RESPONSE, "[$context.responseOverride.status]"
                              "#set($context.responseOverride.status = 418)"
                              "[$context.responseOverride.status]",
         "[][418]", "", "", 418},
        {GH_MAPPING_RESPONSE, "#set($context.responseOverride.status = 400)"
                              "#set($context.responseOverride.status = 400)",
         "fail:$context.responseOverride.status is already set", "", "", 0},
        {GH_MAPPING_RESPONSE, "#set($context.responseOverride.header.Retry-After = 5)"
                              "#set($context.responseOverride.header['retry-after'] = 6)",
         "fail:is already set", "", "", 0},
        /* $context.error.*: messageString is a JSON literal, null when unset; no request
         * validation ran, so validationErrorString is empty */
        {GH_MAPPING_RESPONSE, "{\"message\":$context.error.messageString}", "{\"message\":null}",
         "", "", 0},
        {GH_MAPPING_RESPONSE, "[$context.error.validationErrorString]", "[]", "", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        gh_arena *model = gh_arena_new(1024);
        gh_vtl_error err;
        gh_template t = {.media_type = "application/json", .text = cases[i].tpl,
                         .len = strlen(cases[i].tpl)};
        t.compiled = gh_vtl_compile(model, t.text, t.len, &err);
        if (!t.compiled)
            fail_msg("case %zu: %s", i, err.message);
        gh_mapping_out out;
        int rc = gh_mapping_render(&f.inv, &t, cases[i].kind, NULL, 0, &out);
        const char *want = cases[i].want;
        if (strncmp(want, "fail:", 5) == 0) {
            if (rc != -1 || !out.error || !strstr(out.error, want + 5))
                fail_msg("case %zu: rc %d error [%s]", i, rc, out.error ? out.error : "");
        } else {
            if (rc != 0)
                fail_msg("case %zu: %s", i, out.error);
            assert_string_equal(out.body, want);
            const gh_headers *hs[2] = {cases[i].kind == GH_MAPPING_REQUEST
                                           ? &out.request_header_overrides
                                           : &out.response_header_overrides,
                                       &out.request_query_overrides};
            const char *wants[2] = {cases[i].hdr, cases[i].qs};
            for (int k = 0; k < 2; k++) {
                gh_buf b = GH_BUF_INIT;
                gh_buf_append(&b, "", 0);
                for (size_t j = 0; j < hs[k]->n; j++)
                    gh_buf_printf(&b, "%s=%s;", hs[k]->items[j].name, hs[k]->items[j].value);
                if (strcmp(b.data, wants[k]) != 0)
                    fail_msg("case %zu: overrides [%s] want [%s]", i, b.data, wants[k]);
                gh_buf_free(&b);
            }
            assert_int_equal(out.status_override, cases[i].status);
        }
        gh_arena_free(model);
        inv_fixture_free(&f);
    }

    /* A message renders quoted and escaped. */
    inv_fixture f;
    inv_fixture_init(&f);
    f.inv.fail_message = "Missing \"Authentication\" Token";
    gh_arena *model = gh_arena_new(1024);
    gh_vtl_error err;
    const char *src = "{\"message\":$context.error.messageString}";
    gh_template t = {.media_type = "application/json", .text = src, .len = strlen(src)};
    t.compiled = gh_vtl_compile(model, src, strlen(src), &err);
    gh_mapping_out out;
    assert_int_equal(gh_mapping_render(&f.inv, &t, GH_MAPPING_RESPONSE, NULL, 0, &out), 0);
    assert_string_equal(out.body, "{\"message\":\"Missing \\\"Authentication\\\" Token\"}");
    gh_arena_free(model);
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(input_json_and_path),
        cmocka_unit_test(input_empty_and_non_json_bodies),
        cmocka_unit_test(input_params),
        cmocka_unit_test(util_functions),
        cmocka_unit_test(context_values_and_objects),
        cmocka_unit_test(context_overrides),
        cmocka_unit_test(mapping_render_plumbing),
        cmocka_unit_test(overrides_through_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
