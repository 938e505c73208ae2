/* sim/filter_policy: the SNS Developer Guide's filter-policy examples ("Amazon SNS
 * message filtering": string, numeric, anything-but, prefix, suffix,
 * equals-ignore-case, exists, cidr, $or, AND/OR logic, body-scope nesting), each with
 * messages it does and does not match; the constraints (5 keys, 150 combinations as
 * the "Filter policy constraints" page counts them) and SNS's error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/filter_policy.h"

/* Attributes written "name|Type|value;name|Type|value" (values hold no ';' or '|'). */
typedef struct attrset {
    gh_sqs_attr a[8];
    char buf[512];
    size_t n;
} attrset;

static void parse_attrs(const char *spec, attrset *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->buf, sizeof out->buf, "%s", spec);
    char *save = NULL;
    for (char *item = strtok_r(out->buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *t = strchr(item, '|');
        assert_non_null(t);
        *t++ = '\0';
        char *v = strchr(t, '|');
        assert_non_null(v);
        *v++ = '\0';
        out->a[out->n].name = item;
        out->a[out->n].data_type = t;
        if (!strcmp(t, "Binary")) {
            out->a[out->n].binary_value = (const unsigned char *)v;
            out->a[out->n].binary_len = strlen(v);
        } else
            out->a[out->n].string_value = v;
        out->n++;
    }
}

/* The Developer Guide's example message attributes. */
#define GUIDE_ATTRS                                                                                \
    "customer_interests|String.Array|[\"soccer\", \"rugby\", \"hockey\"];"                         \
    "store|String|example_corp;event|String|order_placed;price_usd|Number|210.75"

static const struct {
    const char *policy;
    const char *attrs;
    bool match;
} attr_cases[] = {
    /* The guide's full example policy against its example message. */
    {"{\"store\":[\"example_corp\"],\"event\":[{\"anything-but\":\"order_cancelled\"}],"
     "\"customer_interests\":[\"rugby\",\"football\",\"baseball\"],"
     "\"price_usd\":[{\"numeric\":[\">=\",100]}]}",
     GUIDE_ATTRS, true},
    {"{\"store\":[\"example_corp\"],\"price_usd\":[{\"numeric\":[\"<\",100]}]}", GUIDE_ATTRS,
     false},
    /* Exact string matching is case-sensitive. */
    {"{\"customer_interests\":[\"rugby\"]}", "customer_interests|String|rugby", true},
    {"{\"customer_interests\":[\"rugby\"]}", "customer_interests|String|Rugby", false},
    {"{\"customer_interests\":[\"rugby\",\"tennis\"]}", "customer_interests|String|tennis", true},
    /* String.Array: any element. */
    {"{\"customer_interests\":[\"rugby\"]}", GUIDE_ATTRS, true},
    {"{\"customer_interests\":[\"tennis\"]}", GUIDE_ATTRS, false},
    /* A missing attribute fails every condition but exists:false. */
    {"{\"customer_interests\":[\"rugby\"]}", "store|String|example_corp", false},
    {"{\"event\":[{\"anything-but\":\"order_cancelled\"}]}", "store|String|x", false},
    /* anything-but: values, numbers, prefix, suffix. */
    {"{\"customer_interests\":[{\"anything-but\":[\"rugby\",\"tennis\"]}]}",
     "customer_interests|String|baseball", true},
    {"{\"customer_interests\":[{\"anything-but\":[\"rugby\",\"tennis\"]}]}",
     "customer_interests|String|rugby", false},
    {"{\"price\":[{\"anything-but\":[100,500]}]}", "price|Number|101", true},
    {"{\"price\":[{\"anything-but\":[100,500]}]}", "price|Number|500", false},
    {"{\"event\":[{\"anything-but\":{\"prefix\":\"order-\"}}]}", "event|String|data-entry", true},
    {"{\"event\":[{\"anything-but\":{\"prefix\":\"order-\"}}]}", "event|String|order-cancelled",
     false},
    {"{\"event\":[{\"anything-but\":{\"suffix\":\"ed\"}}]}", "event|String|order_placing", true},
    {"{\"event\":[{\"anything-but\":{\"suffix\":\"ed\"}}]}", "event|String|order_placed", false},
    /* prefix, suffix, equals-ignore-case. */
    {"{\"customer_interests\":[{\"prefix\":\"bas\"}]}", "customer_interests|String|baseball", true},
    {"{\"customer_interests\":[{\"prefix\":\"bas\"}]}", "customer_interests|String|basketball",
     true},
    {"{\"customer_interests\":[{\"prefix\":\"bas\"}]}", "customer_interests|String|rugby", false},
    {"{\"customer_interests\":[{\"suffix\":\"ball\"}]}", "customer_interests|String|baseball",
     true},
    {"{\"customer_interests\":[{\"suffix\":\"ball\"}]}", "customer_interests|String|rugby", false},
    {"{\"customer_interests\":[{\"equals-ignore-case\":\"tennis\"}]}",
     "customer_interests|String|TENNIS", true},
    {"{\"customer_interests\":[{\"equals-ignore-case\":\"tennis\"}]}",
     "customer_interests|String|Tennis", true},
    {"{\"customer_interests\":[{\"equals-ignore-case\":\"tennis\"}]}",
     "customer_interests|String|rugby", false},
    /* exists. */
    {"{\"store\":[{\"exists\":true}]}", "store|String|example_corp", true},
    {"{\"store\":[{\"exists\":true}]}", "event|String|order_placed", false},
    {"{\"store\":[{\"exists\":false}]}", "event|String|order_placed", true},
    {"{\"store\":[{\"exists\":false}]}", "store|String|example_corp", false},
    /* Numeric matching: exact (five decimal digits), ranges; Number attributes only. */
    {"{\"price_usd\":[{\"numeric\":[\"=\",301.5]}]}", "price_usd|Number|301.5", true},
    {"{\"price_usd\":[{\"numeric\":[\"=\",301.5]}]}", "price_usd|Number|3.015e2", true},
    {"{\"price_usd\":[{\"numeric\":[\"=\",301.5]}]}", "price_usd|Number|301.50001", false},
    {"{\"price_usd\":[301.5]}", "price_usd|Number|301.500", true},
    {"{\"price_usd\":[{\"numeric\":[\">\",0,\"<=\",150]}]}", "price_usd|Number|0.1", true},
    {"{\"price_usd\":[{\"numeric\":[\">\",0,\"<=\",150]}]}", "price_usd|Number|150", true},
    {"{\"price_usd\":[{\"numeric\":[\">\",0,\"<=\",150]}]}", "price_usd|Number|0", false},
    {"{\"price_usd\":[{\"numeric\":[\">\",0,\"<=\",150]}]}", "price_usd|Number|150.1", false},
    {"{\"price_usd\":[{\"numeric\":[\"<\",0]}]}", "price_usd|Number|-1", true},
    {"{\"price_usd\":[{\"numeric\":[\">\",0]}]}", "price_usd|String|5", false},
    {"{\"price_usd\":[\"5\"]}", "price_usd|Number|5", false},
    /* Custom type suffixes keep their base type; Binary is never compared. */
    {"{\"store\":[\"example_corp\"]}", "store|String.shop|example_corp", true},
    {"{\"store\":[{\"exists\":true}]}", "store|Binary|example_corp", false},
    /* cidr (IPv4 and IPv6). */
    {"{\"source_ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "source_ip|String|10.0.0.0", true},
    {"{\"source_ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "source_ip|String|10.0.0.255", true},
    {"{\"source_ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "source_ip|String|10.1.1.0", false},
    {"{\"source_ip\":[{\"cidr\":\"2001:db8::/32\"}]}", "source_ip|String|2001:db8:1::1", true},
    {"{\"source_ip\":[{\"cidr\":\"2001:db8::/32\"}]}", "source_ip|String|2001:db9::1", false},
    /* AND across keys. */
    {"{\"customer_interests\":[\"rugby\"],\"price_usd\":[{\"numeric\":[\">\",100]}]}",
     "customer_interests|String|rugby;price_usd|Number|101", true},
    {"{\"customer_interests\":[\"rugby\"],\"price_usd\":[{\"numeric\":[\">\",100]}]}",
     "customer_interests|String|rugby;price_usd|Number|100", false},
    /* $or: the guide's CloudWatch example. */
    {"{\"source\":[\"aws.cloudwatch\"],\"$or\":[{\"metricName\":[\"CPUUtilization\","
     "\"ReadLatency\"]},"
     "{\"namespace\":[\"AWS/EC2\",\"AWS/ES\"]}]}",
     "source|String|aws.cloudwatch;namespace|String|AWS/EC2", true},
    {"{\"source\":[\"aws.cloudwatch\"],\"$or\":[{\"metricName\":[\"CPUUtilization\","
     "\"ReadLatency\"]},"
     "{\"namespace\":[\"AWS/EC2\",\"AWS/ES\"]}]}",
     "source|String|aws.cloudwatch;metricName|String|ReadLatency", true},
    {"{\"source\":[\"aws.cloudwatch\"],\"$or\":[{\"metricName\":[\"CPUUtilization\","
     "\"ReadLatency\"]},"
     "{\"namespace\":[\"AWS/EC2\",\"AWS/ES\"]}]}",
     "source|String|aws.cloudwatch;namespace|String|AWS/RDS", false},
};

static void attribute_scope_table(void **state)
{
    (void)state;
    char err[256];
    for (size_t i = 0; i < sizeof attr_cases / sizeof *attr_cases; i++) {
        gh_filter_policy *fp = gh_filter_policy_compile(attr_cases[i].policy, err, sizeof err);
        if (!fp)
            fail_msg("case %zu: %s: %s", i, attr_cases[i].policy, err);
        attrset as;
        parse_attrs(attr_cases[i].attrs, &as);
        bool got = gh_filter_policy_match_attributes(fp, as.a, as.n);
        if (got != attr_cases[i].match)
            fail_msg("case %zu: %s on %s: got %d", i, attr_cases[i].policy, attr_cases[i].attrs,
                     got);
        gh_filter_policy_free(fp);
    }
}

/* Body scope: the guide's payload-based examples (nested keys, arrays, booleans,
 * null). */
#define GUIDE_BODY                                                                                 \
    "{\"store\":\"example_corp\",\"event\":\"order_placed\",\"customer_interests\":"               \
    "[\"soccer\",\"rugby\",\"hockey\"],\"price_usd\":210.75,\"delivery\":{\"address\":"            \
    "{\"city\":\"Vancouver\",\"country\":\"Canada\"},\"express\":true,\"note\":null},"             \
    "\"lines\":[{\"sku\":\"A1\"},{\"sku\":\"B2\"}]}"

static const struct {
    const char *policy;
    const char *body;
    bool match;
} body_cases[] = {
    {"{\"store\":[\"example_corp\"],\"price_usd\":[{\"numeric\":[\">=\",100]}]}", GUIDE_BODY, true},
    {"{\"customer_interests\":[\"rugby\"]}", GUIDE_BODY, true},
    {"{\"customer_interests\":[\"tennis\"]}", GUIDE_BODY, false},
    {"{\"delivery\":{\"address\":{\"country\":[\"Canada\"]}}}", GUIDE_BODY, true},
    {"{\"delivery\":{\"address\":{\"country\":[\"Mexico\"]}}}", GUIDE_BODY, false},
    {"{\"delivery\":{\"express\":[true]}}", GUIDE_BODY, true},
    {"{\"delivery\":{\"express\":[false]}}", GUIDE_BODY, false},
    {"{\"delivery\":{\"note\":[null]}}", GUIDE_BODY, true},
    {"{\"lines\":{\"sku\":[\"B2\"]}}", GUIDE_BODY, true},
    {"{\"lines\":{\"sku\":[{\"prefix\":\"C\"}]}}", GUIDE_BODY, false},
    {"{\"delivery\":{\"address\":{\"zip\":[{\"exists\":false}]}}}", GUIDE_BODY, true},
    {"{\"delivery\":{\"address\":[{\"exists\":true}]}}", GUIDE_BODY, false},
    {"{\"store\":[\"example_corp\"],\"$or\":[{\"price_usd\":[{\"numeric\":[\"<\",10]}]},"
     "{\"delivery\":{\"express\":[true]}}]}",
     GUIDE_BODY, true},
    {"{\"store\":[\"example_corp\"]}", "[\"example_corp\"]", false},
    {"{\"store\":[\"example_corp\"]}", "not json", false},
};

static void body_scope_table(void **state)
{
    (void)state;
    char err[256];
    for (size_t i = 0; i < sizeof body_cases / sizeof *body_cases; i++) {
        gh_filter_policy *fp = gh_filter_policy_compile(body_cases[i].policy, err, sizeof err);
        if (!fp)
            fail_msg("case %zu: %s: %s", i, body_cases[i].policy, err);
        json_t *body = json_loads(body_cases[i].body, JSON_DECODE_ANY, NULL);
        bool got = gh_filter_policy_match_body(fp, body);
        if (got != body_cases[i].match)
            fail_msg("case %zu: %s: got %d", i, body_cases[i].policy, got);
        json_decref(body);
        gh_filter_policy_free(fp);
    }
}

/* The error each invalid policy earns, as SNS words it (NULL: it compiles). */
static const struct {
    const char *policy;
    const char *error;
} error_cases[] = {
    {"{not json", "Invalid parameter: FilterPolicy: failed to parse JSON."},
    {"{\"a\":[\"1\"],\"b\":[\"1\"],\"c\":[\"1\"],\"d\":[\"1\"],\"e\":[\"1\"]}", NULL},
    {"{\"a\":[\"1\"],\"b\":[\"1\"],\"c\":[\"1\"],\"d\":[\"1\"],\"e\":[\"1\"],\"f\":[\"1\"]}",
     "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"},
    {"{\"a\":[]}", "Invalid parameter: FilterPolicy: Empty arrays are not allowed"},
    {"{\"key_a\":\"x\"}",
     "Invalid parameter: FilterPolicy: \"key_a\" must be an object or an array"},
    {"{\"a\":[{\"prefix\":1}]}",
     "Invalid parameter: FilterPolicy: prefix match pattern must be a string"},
    {"{\"a\":[{\"suffix\":true}]}",
     "Invalid parameter: FilterPolicy: suffix match pattern must be a string"},
    {"{\"a\":[{\"exists\":\"yes\"}]}",
     "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."},
    {"{\"a\":[{\"wildcard\":\"x\"}]}",
     "Invalid parameter: FilterPolicy: Unrecognized match type wildcard"},
    {"{\"a\":[{\"prefix\":\"x\",\"suffix\":\"y\"}]}",
     "Invalid parameter: FilterPolicy: Only one key allowed in match expression"},
    {"{\"a\":[[\"x\"]]}",
     "Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null"},
    {"{\"a\":[{\"anything-but\":{\"equals\":\"x\"}}]}",
     "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: equals"},
    {"{\"a\":[{\"numeric\":[]}]}",
     "Invalid parameter: FilterPolicy: Invalid member in numeric match: ]"},
    {"{\"a\":[{\"numeric\":[\"!=\",1]}]}",
     "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: !="},
    {"{\"a\":[{\"numeric\":[\"=\",\"1\"]}]}",
     "Invalid parameter: FilterPolicy: Value of equals must be numeric"},
    {"{\"a\":[{\"numeric\":[\"<\",1,\">\",0]}]}",
     "Invalid parameter: FilterPolicy: Too many elements in numeric expression"},
    {"{\"a\":[{\"numeric\":[\">\",1,\">\",5]}]}",
     "Invalid parameter: FilterPolicy: Bad numeric range operator: >"},
    {"{\"a\":[{\"numeric\":[\">\",5,\"<\",1]}]}",
     "Invalid parameter: FilterPolicy: Bottom must be less than top"},
    {"{\"a\":[{\"cidr\":\"10.0.0.0\"}]}",
     "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required"},
    {"{\"a\":[{\"cidr\":\"10.0.0.0/x\"}]}",
     "Invalid parameter: FilterPolicy: Malformed CIDR, mask bits must be an integer"},
    {"{\"a\":[{\"cidr\":\"10.0.0.300/8\"}]}",
     "Invalid parameter: FilterPolicy: Nonstandard IP address: 10.0.0.300"},
    /* Complexity, as the constraints page counts it: 3 x 1 x 2 = 6 is fine ... */
    {"{\"key_a\":[\"value_one\",\"value_two\",\"value_three\"],\"key_b\":[\"value_one\"],"
     "\"key_c\":[\"value_one\",\"value_two\"]}",
     NULL},
    /* ... nested arrays count their depth: (4 x 3) x (3 x 2) = 72 ... */
    {"{\"key_a\":{\"key_b\":{\"key_c\":[\"1\",\"2\",\"3\",\"4\"]}},\"key_d\":{\"key_e\":[\"1\","
     "\"2\",\"3\"]}}",
     NULL},
    /* ... and 72 x 3 = 216 passes 150. */
    {"{\"key_a\":{\"key_b\":{\"key_c\":[\"1\",\"2\",\"3\",\"4\"]}},\"key_d\":{\"key_e\":[\"1\","
     "\"2\",\"3\"]},"
     "\"key_f\":[\"1\",\"2\",\"3\"]}",
     "Invalid parameter: FilterPolicy: Filter policy is too complex"},
    /* 151 values of one key. */
    {"{\"a\":["
     "\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\","
     "\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\",\"22\","
     "\"23\","
     "\"24\",\"25\",\"26\",\"27\",\"28\",\"29\",\"30\",\"31\",\"32\",\"33\",\"34\",\"35\",\"36\","
     "\"37\","
     "\"38\",\"39\",\"40\",\"41\",\"42\",\"43\",\"44\",\"45\",\"46\",\"47\",\"48\",\"49\",\"50\","
     "\"51\","
     "\"52\",\"53\",\"54\",\"55\",\"56\",\"57\",\"58\",\"59\",\"60\",\"61\",\"62\",\"63\",\"64\","
     "\"65\","
     "\"66\",\"67\",\"68\",\"69\",\"70\",\"71\",\"72\",\"73\",\"74\",\"75\",\"76\",\"77\",\"78\","
     "\"79\","
     "\"80\",\"81\",\"82\",\"83\",\"84\",\"85\",\"86\",\"87\",\"88\",\"89\",\"90\",\"91\",\"92\","
     "\"93\","
     "\"94\",\"95\",\"96\",\"97\",\"98\",\"99\",\"100\",\"101\",\"102\",\"103\",\"104\",\"105\","
     "\"106\","
     "\"107\",\"108\",\"109\",\"110\",\"111\",\"112\",\"113\",\"114\",\"115\",\"116\",\"117\","
     "\"118\","
     "\"119\",\"120\",\"121\",\"122\",\"123\",\"124\",\"125\",\"126\",\"127\",\"128\",\"129\","
     "\"130\","
     "\"131\",\"132\",\"133\",\"134\",\"135\",\"136\",\"137\",\"138\",\"139\",\"140\",\"141\","
     "\"142\","
     "\"143\",\"144\",\"145\",\"146\",\"147\",\"148\",\"149\",\"150\"]}",
     "Invalid parameter: FilterPolicy: Filter policy is too complex"},
    /* "$or" holding a single object is an ordinary key (the guide's "OR operator"
     * conditions), its object then a match expression. */
    {"{\"$or\":[{\"a\":[\"1\"]}]}", "Invalid parameter: FilterPolicy: Unrecognized match type a"},
    /* The shape is checked before the complexity, the conditions after it. */
    {"{\"a\":[{\"prefix\":1}],\"b\":[]}",
     "Invalid parameter: FilterPolicy: Empty arrays are not allowed"},
};

static void errors_and_limits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof error_cases / sizeof *error_cases; i++) {
        char err[256] = "unset";
        gh_filter_policy *fp = gh_filter_policy_compile(error_cases[i].policy, err, sizeof err);
        if (!error_cases[i].error) {
            if (!fp)
                fail_msg("case %zu: %s", i, err);
            gh_filter_policy_free(fp);
            continue;
        }
        assert_null(fp);
        if (strcmp(err, error_cases[i].error))
            fail_msg("case %zu: got '%s', want '%s'", i, err, error_cases[i].error);
    }
}

static void nesting_is_reported(void **state)
{
    (void)state;
    char err[128];
    gh_filter_policy *flat = gh_filter_policy_compile("{\"a\":[\"1\"]}", err, sizeof err);
    gh_filter_policy *deep = gh_filter_policy_compile("{\"a\":{\"b\":[\"1\"]}}", err, sizeof err);
    assert_false(gh_filter_policy_nested(flat));
    assert_true(gh_filter_policy_nested(deep));
    /* A nested key never matches attributes (they have no depth). */
    attrset as;
    parse_attrs("a|String|1", &as);
    assert_false(gh_filter_policy_match_attributes(deep, as.a, as.n));
    gh_filter_policy_free(flat);
    gh_filter_policy_free(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attribute_scope_table),
        cmocka_unit_test(body_scope_table),
        cmocka_unit_test(errors_and_limits),
        cmocka_unit_test(nesting_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
