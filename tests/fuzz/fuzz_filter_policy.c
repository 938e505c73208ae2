/* Fuzz target: SNS filter policies (sim/filter_policy.h). The input is a policy (JSON
 * text), optionally followed by "\0" and a message body (JSON; a fixed one when absent
 * or invalid). A policy that compiles is matched against the body (MessageBody scope)
 * and against message attributes made from the body's top-level strings, numbers and
 * arrays (MessageAttributes scope); a refused policy must say why. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sim/filter_policy.h"
#include "util/log.h"

static const char fixed_body[] =
    "{\"store\":\"example_corp\",\"event\":\"order_placed\",\"price_usd\":210.75,"
    "\"customer_interests\":[\"soccer\",\"rugby\"],\"source_ip\":\"10.0.0.72\","
    "\"nested\":{\"a\":{\"b\":[1,\"x\",null,true]}},\"empty\":\"\",\"n\":-0.5e3}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_log_set_level(GH_LOG_ERROR);
    const char *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - (const char *)data) : size;
    char *policy = strndup((const char *)data, plen);
    json_t *body = NULL;
    if (nul)
        body = json_loadb(nul + 1, size - plen - 1, JSON_DECODE_ANY, NULL);
    if (!body)
        body = json_loads(fixed_body, 0, NULL);

    char err[512] = "";
    gh_filter_policy *fp = gh_filter_policy_compile(policy, err, sizeof err);
    if (!fp && !err[0])
        __builtin_trap(); /* a refusal must say why */
    if (fp) {
        (void)gh_filter_policy_nested(fp);
        (void)gh_filter_policy_match_body(fp, body);
        gh_sqs_attr attrs[16];
        char numbuf[16][40];
        char *texts[16] = {0};
        size_t n = 0;
        const char *key;
        json_t *v;
        if (json_is_object(body))
            json_object_foreach(body, key, v)
            {
                if (n == 16)
                    break;
                gh_sqs_attr *at = &attrs[n];
                memset(at, 0, sizeof *at);
                at->name = key;
                if (json_is_string(v)) {
                    at->data_type = "String";
                    at->string_value = json_string_value(v);
                } else if (json_is_number(v)) {
                    at->data_type = "Number";
                    snprintf(numbuf[n], sizeof numbuf[n], "%.17g", json_number_value(v));
                    at->string_value = numbuf[n];
                } else if (json_is_array(v)) {
                    at->data_type = "String.Array";
                    texts[n] = json_dumps(v, JSON_COMPACT);
                    at->string_value = texts[n];
                } else {
                    at->data_type = "Binary";
                    at->binary_value = (const unsigned char *)"\x00\x01\x02";
                    at->binary_len = 3;
                }
                n++;
            }
        (void)gh_filter_policy_match_attributes(fp, attrs, n);
        for (size_t i = 0; i < n; i++)
            free(texts[i]);
        gh_filter_policy_free(fp);
    }
    free(policy);
    json_decref(body);
    return 0;
}
