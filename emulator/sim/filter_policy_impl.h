/* The compiled form of an SNS filter policy, shared by its compiler (filter_policy.c)
 * and its matcher (filter_policy_match.c); nothing else includes it.
 *
 * A policy is a node: an AND of terms. A term is either a leaf (a key path and the
 * OR-ed conditions on the value found there) or a "$or" group (an OR of nodes). Body
 * scope flattens nested keys into paths ({"a":{"b":[...]}} is the leaf a.b), so a leaf
 * inside a nested "$or" carries its full path from the root. */
#ifndef GH_FILTER_POLICY_IMPL_H
#define GH_FILTER_POLICY_IMPL_H
#include <stdbool.h>
#include <stddef.h>

#include "sim/filter_policy.h"

typedef enum {
    FP_STRING,       /* "value": exact, case-sensitive */
    FP_NUMBER,       /* 301.5: numeric equality (five decimal digits) */
    FP_BOOL,         /* true / false (body scope) */
    FP_NULL,         /* null (body scope) */
    FP_PREFIX,       /* {"prefix": "x"} */
    FP_SUFFIX,       /* {"suffix": "x"} */
    FP_EQUALS_ICASE, /* {"equals-ignore-case": "x"} */
    FP_NUMERIC,      /* {"numeric": [">", 0, "<=", 5]} */
    FP_EXISTS,       /* {"exists": true|false} */
    FP_CIDR,         /* {"cidr": "10.0.0.0/24"} */
    FP_BUT_VALUES,   /* {"anything-but": ["a", 1]} or a single value */
    FP_BUT_PREFIX,   /* {"anything-but": {"prefix": "x"}} */
    FP_BUT_SUFFIX,   /* {"anything-but": {"suffix": "x"}} */
} fp_kind;

typedef enum { FP_OP_EQ, FP_OP_LT, FP_OP_LE, FP_OP_GT, FP_OP_GE } fp_op;

typedef struct fp_cond {
    fp_kind kind;
    char *s; /* string-valued kinds (malloc'd) */
    size_t slen;
    double num;   /* FP_NUMBER */
    bool b;       /* FP_BOOL, FP_EXISTS */
    fp_op ops[2]; /* FP_NUMERIC: one or two comparisons, all must hold */
    double vals[2];
    int nops;
    unsigned char net[16]; /* FP_CIDR: network bytes (4 or 16), prefix length */
    int net_len, bits;
    struct fp_cond *alts; /* FP_BUT_VALUES: the excluded strings and numbers */
    size_t nalts;
} fp_cond;

typedef struct fp_node fp_node;
typedef struct fp_term {
    bool is_or;
    char **path; /* leaf: key segments from the root */
    size_t depth;
    fp_cond *conds;
    size_t nconds;
    fp_node *alts; /* $or: nodes, any of which may hold */
    size_t nalts;
} fp_term;

struct fp_node {
    fp_term *terms;
    size_t n;
};

struct gh_filter_policy {
    fp_node root;
    bool nested; /* some key path is deeper than one (body scope only) */
};

/* Numbers compare at the five decimal digits AWS keeps. */
double gh_fp_quantize(double d);

#endif
