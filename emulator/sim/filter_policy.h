/* SNS subscription filter policies (the SNS Developer Guide, "Amazon SNS message
 * filtering"): keys AND-ed, a key's array of conditions OR-ed; exact strings and
 * numbers, prefix, suffix, anything-but (values, prefix, suffix), equals-ignore-case,
 * numeric ranges, exists, cidr, and $or; nested keys for MessageBody scope. Compiled
 * once when a subscription gets its policy, matched per published message. */
#ifndef GH_FILTER_POLICY_H
#define GH_FILTER_POLICY_H
#include <jansson.h>
#include <stdbool.h>

#include "sim/sqs.h"

typedef struct gh_filter_policy gh_filter_policy;

/* Compiles policy JSON text; NULL with err (AWS's InvalidParameter texts, e.g.
 * "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys" or
 * "... exceeds ... combinations", 150 as AWS counts them) when it is not valid. */
gh_filter_policy *gh_filter_policy_compile(const char *json_text, char *err, size_t errlen);
void gh_filter_policy_free(gh_filter_policy *fp);
/* True when the policy nests keys ({"a":{"b":[...]}}): allowed in the MessageBody scope
 * only, so the subscription refuses it in the MessageAttributes scope. */
bool gh_filter_policy_nested(const gh_filter_policy *fp);

/* Scope MessageAttributes: matched against the message's attributes (String, Number,
 * String.Array as AWS compares them; a Binary attribute never matches). */
bool gh_filter_policy_match_attributes(const gh_filter_policy *fp, const gh_sqs_attr *attrs,
                                       size_t n);
/* Scope MessageBody: matched against the message parsed as JSON (a body that is not a
 * JSON object never matches). */
bool gh_filter_policy_match_body(const gh_filter_policy *fp, const json_t *body);

#endif
