/* JSONPath as API Gateway evaluates it (jsonpath.h): AWS runs Jayway JsonPath, so the
 * rules below are Jayway's (com.jayway.jsonpath 2.x, default options):
 *  - a path not starting with "$" is taken as "$." + path;
 *  - a definite path (only single names, single indexes and a trailing multi-name
 *    ['a','b'], which merges into one map) yields the value or nothing; any wildcard,
 *    slice, filter, deep scan, index union or non-trailing multi-name makes it
 *    indefinite, and the result is a list of every match (empty when none);
 *  - a name on a non-map, an index on a non-list, an index out of range: no match
 *    (Jayway throws PathNotFoundException on definite paths; AWS renders that as null);
 *  - a negative index counts from the end; slices [a:b] clamp to the list, negative
 *    bounds count from the end, no step;
 *  - ".." visits every node depth first, the node before its children, and applies the
 *    next step at each;
 *  - filters [?(...)] test each element of a list (or a map itself); == compares
 *    numbers by value and a number with a numeric string as equal, < <= > >= need two
 *    numbers or two strings, =~ is a whole-string Java regex match, a lone @.x tests
 *    existence. */
#include "template/jsonpath.h"

#include <stdlib.h>
#include <string.h>

#include "util/jregex.h"

typedef enum { T_NAMES, T_WILD, T_INDEXES, T_SLICE, T_SCAN, T_FILTER } tok_kind;

typedef struct fexpr fexpr;

typedef struct tok {
    tok_kind kind;
    const char **names; /* T_NAMES */
    size_t *nlens;
    size_t nnames;
    long *idx; /* T_INDEXES */
    size_t nidx;
    bool has_from, has_to; /* T_SLICE */
    long from, to;
    fexpr *filter; /* T_FILTER */
} tok;

typedef struct path {
    tok *t;
    size_t n, cap;
} path;

/* Filter expressions. */
typedef enum { F_OR, F_AND, F_NOT, F_REL, F_EXISTS } fkind;
typedef enum { O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_RE, O_IN, O_NIN } fop;
typedef enum { V_LIT, V_PATH, V_REGEX } okind;

typedef struct operand {
    okind kind;
    gh_vval lit;   /* V_LIT */
    bool at_root;  /* V_PATH: "$" (document) rather than "@" (current element) */
    path *p;       /* V_PATH */
    const char *re; /* V_REGEX, with flags already folded in as (?i) etc. */
    size_t relen;
} operand;

struct fexpr {
    fkind kind;
    fexpr *a, *b;
    fop op;
    operand l, r;
};

typedef struct parser {
    gh_arena *a;
    const char *s, *end;
    const char *err;
    int depth;
} parser;

static void skip_ws(parser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static bool fail(parser *p, const char *msg)
{
    if (!p->err)
        p->err = msg;
    return false;
}

static tok *push(parser *p, path *pa, tok_kind k)
{
    if (pa->n == pa->cap) {
        size_t ncap = pa->cap ? pa->cap * 2 : 8;
        tok *t = gh_arena_calloc(p->a, ncap * sizeof *t);
        if (pa->n)
            memcpy(t, pa->t, pa->n * sizeof *t);
        pa->t = t;
        pa->cap = ncap;
    }
    tok *t = &pa->t[pa->n++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    return t;
}

/* A quoted string ('..' or ".."), with backslash escapes of the quote and backslash. */
static bool quoted(parser *p, const char **out, size_t *len)
{
    char q = *p->s++;
    char *buf = gh_arena_alloc(p->a, (size_t)(p->end - p->s) + 1);
    size_t n = 0;
    while (p->s < p->end && *p->s != q) {
        if (*p->s == '\\' && p->s + 1 < p->end)
            p->s++;
        buf[n++] = *p->s++;
    }
    if (p->s >= p->end)
        return fail(p, "unterminated quoted name");
    p->s++;
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return true;
}

static bool number(parser *p, long *out)
{
    const char *start = p->s;
    if (p->s < p->end && *p->s == '-')
        p->s++;
    if (p->s >= p->end || *p->s < '0' || *p->s > '9')
        return fail(p, "expected a number");
    long v = 0;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        if (v < 100000000000L)
            v = v * 10 + (*p->s - '0');
        p->s++;
    }
    *out = *start == '-' ? -v : v;
    return true;
}

static bool parse_steps(parser *p, path *pa, bool in_filter);
static fexpr *parse_or(parser *p);

/* "[...]" after the '[': names, indexes, a slice, '*' or a filter. */
static bool bracket(parser *p, path *pa)
{
    skip_ws(p);
    if (p->s >= p->end)
        return fail(p, "unterminated '['");
    char c = *p->s;
    if (c == '*') {
        p->s++;
        push(p, pa, T_WILD);
    } else if (c == '?') {
        p->s++;
        skip_ws(p);
        if (p->s >= p->end || *p->s != '(')
            return fail(p, "expected '(' after '?'");
        p->s++;
        fexpr *f = parse_or(p);
        if (!f)
            return false;
        skip_ws(p);
        if (p->s >= p->end || *p->s != ')')
            return fail(p, "expected ')' to close the filter");
        p->s++;
        push(p, pa, T_FILTER)->filter = f;
    } else if (c == '\'' || c == '"') {
        const char *names[64];
        size_t lens[64], n = 0;
        for (;;) {
            skip_ws(p);
            if (p->s >= p->end || (*p->s != '\'' && *p->s != '"'))
                return fail(p, "expected a quoted name");
            if (n == 64)
                return fail(p, "too many names in brackets");
            if (!quoted(p, &names[n], &lens[n]))
                return false;
            n++;
            skip_ws(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            break;
        }
        tok *t = push(p, pa, T_NAMES);
        t->names = gh_arena_memdup(p->a, names, n * sizeof *names);
        t->nlens = gh_arena_memdup(p->a, lens, n * sizeof *lens);
        t->nnames = n;
    } else if (c == ':' || c == '-' || (c >= '0' && c <= '9')) {
        long v[64];
        size_t n = 0;
        bool slice = false, has_from = false, has_to = false;
        long from = 0, to = 0;
        if (c != ':') {
            if (!number(p, &from))
                return false;
            has_from = true;
        }
        skip_ws(p);
        if (p->s < p->end && *p->s == ':') {
            slice = true;
            p->s++;
            skip_ws(p);
            if (p->s < p->end && *p->s != ']') {
                if (!number(p, &to))
                    return false;
                has_to = true;
            }
        } else {
            v[n++] = from;
            while (p->s < p->end && *p->s == ',') {
                p->s++;
                skip_ws(p);
                if (n == 64)
                    return fail(p, "too many indexes in brackets");
                if (!number(p, &v[n++]))
                    return false;
                skip_ws(p);
            }
        }
        if (slice) {
            tok *t = push(p, pa, T_SLICE);
            t->has_from = has_from;
            t->has_to = has_to;
            t->from = from;
            t->to = to;
        } else {
            tok *t = push(p, pa, T_INDEXES);
            t->idx = gh_arena_memdup(p->a, v, n * sizeof *v);
            t->nidx = n;
        }
    } else {
        return fail(p, "unexpected character in brackets");
    }
    skip_ws(p);
    if (p->s >= p->end || *p->s != ']')
        return fail(p, "expected ']'");
    p->s++;
    return true;
}

/* A name after '.': up to the next '.', '[', space, or (in filters) an operator. */
static bool dot_name(parser *p, path *pa, bool in_filter)
{
    const char *start = p->s;
    while (p->s < p->end) {
        char c = *p->s;
        if (c == '.' || c == '[' || c == ' ' || c == '(')
            break;
        if (in_filter && strchr(")=!<>&|,]", c))
            break;
        p->s++;
    }
    if (p->s == start)
        return fail(p, "expected a name after '.'");
    if (p->s < p->end && *p->s == '(')
        return fail(p, "JSONPath functions are not supported");
    tok *t = push(p, pa, T_NAMES);
    t->names = gh_arena_alloc(p->a, sizeof *t->names);
    t->nlens = gh_arena_alloc(p->a, sizeof *t->nlens);
    t->names[0] = gh_arena_strndup(p->a, start, (size_t)(p->s - start));
    t->nlens[0] = (size_t)(p->s - start);
    t->nnames = 1;
    return true;
}

static bool parse_steps(parser *p, path *pa, bool in_filter)
{
    while (p->s < p->end) {
        char c = *p->s;
        if (c == '[') {
            p->s++;
            if (!bracket(p, pa))
                return false;
        } else if (c == '.') {
            p->s++;
            if (p->s < p->end && *p->s == '.') {
                p->s++;
                push(p, pa, T_SCAN);
                if (p->s < p->end && *p->s == '[')
                    continue;
            }
            if (p->s < p->end && *p->s == '*') {
                p->s++;
                push(p, pa, T_WILD);
            } else if (!dot_name(p, pa, in_filter)) {
                return false;
            }
        } else if (in_filter) {
            return true;
        } else {
            return fail(p, "unexpected character; expected '.' or '['");
        }
    }
    if (pa->n && pa->t[pa->n - 1].kind == T_SCAN)
        return fail(p, "a path cannot end with '..'");
    return true;
}

/* Operands of a filter comparison. */
static bool operand_parse(parser *p, operand *o)
{
    skip_ws(p);
    if (p->s >= p->end)
        return fail(p, "expected a value in the filter");
    char c = *p->s;
    memset(o, 0, sizeof *o);
    if (c == '@' || c == '$') {
        p->s++;
        o->kind = V_PATH;
        o->at_root = c == '$';
        o->p = gh_arena_calloc(p->a, sizeof *o->p);
        return parse_steps(p, o->p, true);
    }
    if (c == '\'' || c == '"') {
        const char *s;
        size_t n;
        if (!quoted(p, &s, &n))
            return false;
        o->kind = V_LIT;
        o->lit = gh_v_strn(s, n);
        return true;
    }
    if (c == '/') {
        const char *start = ++p->s;
        while (p->s < p->end && *p->s != '/') {
            if (*p->s == '\\' && p->s + 1 < p->end)
                p->s++;
            p->s++;
        }
        if (p->s >= p->end)
            return fail(p, "unterminated regular expression");
        size_t n = (size_t)(p->s - start);
        p->s++;
        char flags[8];
        size_t nf = 0;
        while (p->s < p->end && strchr("imsxu", *p->s) && nf < sizeof flags - 1)
            flags[nf++] = *p->s++;
        flags[nf] = '\0';
        o->kind = V_REGEX;
        o->re = nf ? gh_arena_printf(p->a, "(?%s)%.*s", flags, (int)n, start)
                   : gh_arena_strndup(p->a, start, n);
        o->relen = strlen(o->re);
        return true;
    }
    if (c == '[') {
        /* Lists may nest; bound it as parse_unary bounds expressions, so a path of a
         * hundred thousand '[' cannot overflow the stack. */
        if (p->depth + 1 > 32)
            return fail(p, "lists in the filter nest too deeply");
        p->s++;
        gh_vval l = gh_v_list(p->a, 4, true);
        skip_ws(p);
        while (p->s < p->end && *p->s != ']') {
            operand e;
            p->depth++;
            bool ok = operand_parse(p, &e);
            p->depth--;
            if (!ok)
                return false;
            if (e.kind != V_LIT)
                return fail(p, "a list in a filter holds only literals");
            gh_vlist_add(p->a, l.u.list, e.lit);
            skip_ws(p);
            if (p->s < p->end && *p->s == ',')
                p->s++;
            skip_ws(p);
        }
        if (p->s >= p->end)
            return fail(p, "unterminated list in the filter");
        p->s++;
        o->kind = V_LIT;
        o->lit = l;
        return true;
    }
    static const struct {
        const char *word;
        int v; /* 0 false, 1 true, 2 null */
    } words[] = {{"true", 1}, {"false", 0}, {"null", 2}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(p->end - p->s) >= n && memcmp(p->s, words[i].word, n) == 0) {
            p->s += n;
            o->kind = V_LIT;
            o->lit = words[i].v == 2 ? gh_v_null() : gh_v_bool(words[i].v);
            return true;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[64];
        size_t n = 0;
        while (p->s < p->end && n < sizeof buf - 1 && strchr("0123456789+-.eE", *p->s))
            buf[n++] = *p->s++;
        buf[n] = '\0';
        char *e;
        if (strpbrk(buf, ".eE")) {
            double d = strtod(buf, &e);
            o->lit = gh_v_double(d);
        } else {
            long long v = strtoll(buf, &e, 10);
            o->lit = gh_v_int(v);
        }
        if (*e)
            return fail(p, "malformed number in the filter");
        o->kind = V_LIT;
        return true;
    }
    return fail(p, "unexpected character in the filter");
}

static bool op_parse(parser *p, fop *op)
{
    static const struct {
        const char *s;
        fop op;
    } ops[] = {{"==", O_EQ}, {"!=", O_NE}, {"<=", O_LE}, {">=", O_GE}, {"=~", O_RE},
               {"<", O_LT},  {">", O_GT},  {"nin", O_NIN}, {"in", O_IN}};
    skip_ws(p);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        size_t n = strlen(ops[i].s);
        if ((size_t)(p->end - p->s) >= n && memcmp(p->s, ops[i].s, n) == 0) {
            p->s += n;
            *op = ops[i].op;
            return true;
        }
    }
    return false;
}

static fexpr *new_f(parser *p, fkind k)
{
    fexpr *f = gh_arena_calloc(p->a, sizeof *f);
    f->kind = k;
    return f;
}

static fexpr *parse_unary(parser *p)
{
    if (++p->depth > 32) {
        fail(p, "filter nested too deeply");
        return NULL;
    }
    skip_ws(p);
    fexpr *f = NULL;
    if (p->s < p->end && *p->s == '!' && (p->s + 1 >= p->end || p->s[1] != '=')) {
        p->s++;
        fexpr *inner = parse_unary(p);
        if (inner) {
            f = new_f(p, F_NOT);
            f->a = inner;
        }
    } else if (p->s < p->end && *p->s == '(') {
        p->s++;
        f = parse_or(p);
        skip_ws(p);
        if (f && (p->s >= p->end || *p->s != ')')) {
            fail(p, "expected ')' in the filter");
            f = NULL;
        } else if (f) {
            p->s++;
        }
    } else {
        f = new_f(p, F_REL);
        if (!operand_parse(p, &f->l)) {
            f = NULL;
        } else if (op_parse(p, &f->op)) {
            if (!operand_parse(p, &f->r))
                f = NULL;
            else if (f->op == O_RE && f->r.kind != V_REGEX)
                f = (fail(p, "=~ needs a /regex/ on its right"), NULL);
        } else if (f->l.kind == V_PATH) {
            f->kind = F_EXISTS;
        } else {
            fail(p, "expected a comparison in the filter");
            f = NULL;
        }
    }
    p->depth--;
    return f;
}

static fexpr *parse_and(parser *p)
{
    fexpr *f = parse_unary(p);
    for (;;) {
        skip_ws(p);
        if (!f || p->end - p->s < 2 || memcmp(p->s, "&&", 2) != 0)
            return f;
        p->s += 2;
        fexpr *g = new_f(p, F_AND);
        g->a = f;
        g->b = parse_unary(p);
        f = g->b ? g : NULL;
    }
}

static fexpr *parse_or(parser *p)
{
    fexpr *f = parse_and(p);
    for (;;) {
        skip_ws(p);
        if (!f || p->end - p->s < 2 || memcmp(p->s, "||", 2) != 0)
            return f;
        p->s += 2;
        fexpr *g = new_f(p, F_OR);
        g->a = f;
        g->b = parse_and(p);
        f = g->b ? g : NULL;
    }
}

static bool parse_path(parser *p, path *pa)
{
    skip_ws(p);
    while (p->end > p->s && (p->end[-1] == ' ' || p->end[-1] == '\t' || p->end[-1] == '\n'))
        p->end--;
    if (p->s < p->end && *p->s == '$') {
        p->s++;
    } else if (p->s < p->end && *p->s != '[' && *p->s != '.') {
        /* Jayway: a path without "$" means "$." + path. */
        if (!dot_name(p, pa, false))
            return false;
    }
    return parse_steps(p, pa, false);
}

/* ---- evaluation ---- */

typedef struct ev {
    gh_arena *a;
    gh_vval root;
    gh_vlist *out;
} ev;

static bool tok_definite(const tok *t, bool leaf)
{
    switch (t->kind) {
    case T_NAMES: return t->nnames == 1 || leaf;
    case T_INDEXES: return t->nidx == 1;
    default: return false;
    }
}

static bool path_definite(const path *pa)
{
    for (size_t i = 0; i < pa->n; i++)
        if (!tok_definite(&pa->t[i], i + 1 == pa->n))
            return false;
    return true;
}

static void walk(ev *e, const path *pa, size_t i, gh_vval v);

static bool filter_true(ev *e, const fexpr *f, gh_vval cur);

static void apply(ev *e, const path *pa, size_t i, gh_vval v)
{
    const tok *t = &pa->t[i];
    switch (t->kind) {
    case T_NAMES:
        if (v.kind != GH_V_MAP)
            return;
        if (t->nnames > 1 && i + 1 == pa->n) {
            /* Jayway merges a trailing ['a','b'] into one map of the names present. */
            gh_vval m = gh_v_map(e->a, t->nnames, true);
            for (size_t k = 0; k < t->nnames; k++) {
                gh_vmap_entry *en = gh_vmap_find(v.u.map, t->names[k], t->nlens[k]);
                if (en)
                    gh_vmap_put(e->a, m.u.map, en->key, en->klen, en->value);
            }
            gh_vlist_add(e->a, e->out, m);
            return;
        }
        for (size_t k = 0; k < t->nnames; k++) {
            gh_vmap_entry *en = gh_vmap_find(v.u.map, t->names[k], t->nlens[k]);
            if (en)
                walk(e, pa, i + 1, en->value);
        }
        return;
    case T_WILD:
        if (v.kind == GH_V_MAP)
            for (size_t k = 0; k < v.u.map->n; k++)
                walk(e, pa, i + 1, v.u.map->items[k].value);
        else if (v.kind == GH_V_LIST)
            for (size_t k = 0; k < v.u.list->n; k++)
                walk(e, pa, i + 1, v.u.list->items[k]);
        return;
    case T_INDEXES:
        if (v.kind != GH_V_LIST)
            return;
        for (size_t k = 0; k < t->nidx; k++) {
            long n = (long)v.u.list->n, ix = t->idx[k] < 0 ? n + t->idx[k] : t->idx[k];
            if (ix >= 0 && ix < n)
                walk(e, pa, i + 1, v.u.list->items[ix]);
        }
        return;
    case T_SLICE: {
        if (v.kind != GH_V_LIST)
            return;
        long n = (long)v.u.list->n;
        long from = t->has_from ? t->from : 0, to = t->has_to ? t->to : n;
        if (from < 0)
            from = n + from < 0 ? 0 : n + from;
        if (to < 0)
            to = n + to;
        if (to > n)
            to = n;
        for (long k = from; k < to; k++)
            walk(e, pa, i + 1, v.u.list->items[k]);
        return;
    }
    case T_FILTER:
        if (v.kind == GH_V_LIST) {
            for (size_t k = 0; k < v.u.list->n; k++)
                if (filter_true(e, t->filter, v.u.list->items[k]))
                    walk(e, pa, i + 1, v.u.list->items[k]);
        } else if (v.kind == GH_V_MAP && filter_true(e, t->filter, v)) {
            walk(e, pa, i + 1, v);
        }
        return;
    case T_SCAN: {
        /* The next step applies at this node, then at every descendant, depth first. */
        apply(e, pa, i + 1, v);
        if (v.kind == GH_V_MAP)
            for (size_t k = 0; k < v.u.map->n; k++)
                apply(e, pa, i, v.u.map->items[k].value);
        else if (v.kind == GH_V_LIST)
            for (size_t k = 0; k < v.u.list->n; k++)
                apply(e, pa, i, v.u.list->items[k]);
        return;
    }
    }
}

static void walk(ev *e, const path *pa, size_t i, gh_vval v)
{
    if (i == pa->n)
        gh_vlist_add(e->a, e->out, v);
    else
        apply(e, pa, i, v);
}

/* Evaluates an operand; false when a path finds nothing (Jayway's undefined). */
static bool operand_value(ev *e, const operand *o, gh_vval cur, gh_vval *out)
{
    if (o->kind != V_PATH) {
        *out = o->lit;
        return true;
    }
    ev sub = {e->a, e->root, gh_v_list(e->a, 2, true).u.list};
    walk(&sub, o->p, 0, o->at_root ? e->root : cur);
    if (sub.out->n == 0)
        return false;
    *out = path_definite(o->p) ? sub.out->items[0] : (gh_vval){.kind = GH_V_LIST, .u.list = sub.out};
    return true;
}

static bool is_num(gh_vval v)
{
    return v.kind == GH_V_INT || v.kind == GH_V_DOUBLE;
}

/* A string that reads wholly as a number, as Jayway's StringNode.asNumberNode. */
static bool str_number(gh_vval s, gh_vval *out)
{
    char buf[64];
    if (s.u.str.len == 0 || s.u.str.len >= sizeof buf)
        return false;
    memcpy(buf, s.u.str.s, s.u.str.len);
    buf[s.u.str.len] = '\0';
    char *e;
    double d = strtod(buf, &e);
    if (*e)
        return false;
    *out = gh_v_double(d);
    return true;
}

static bool values_equal(gh_vval l, gh_vval r)
{
    if (is_num(l) && r.kind == GH_V_STRING)
        return str_number(r, &r) && gh_v_equal(l, r);
    if (l.kind == GH_V_STRING && is_num(r))
        return str_number(l, &l) && gh_v_equal(l, r);
    if (l.kind == GH_V_NULL || r.kind == GH_V_NULL)
        return l.kind == r.kind; /* JSON null equals only null (no VTL "" quirk here) */
    if (l.kind != r.kind && !(is_num(l) && is_num(r)))
        return false;
    return gh_v_equal(l, r);
}

static bool filter_true(ev *e, const fexpr *f, gh_vval cur)
{
    switch (f->kind) {
    case F_OR: return filter_true(e, f->a, cur) || filter_true(e, f->b, cur);
    case F_AND: return filter_true(e, f->a, cur) && filter_true(e, f->b, cur);
    case F_NOT: return !filter_true(e, f->a, cur);
    case F_EXISTS: {
        gh_vval v;
        return operand_value(e, &f->l, cur, &v);
    }
    case F_REL: break;
    }
    gh_vval l, r = gh_v_null();
    bool hl = operand_value(e, &f->l, cur, &l);
    bool hr = f->r.kind == V_REGEX || operand_value(e, &f->r, cur, &r);
    if (!hl || !hr)
        return f->op == O_NE || f->op == O_NIN;
    int c;
    switch (f->op) {
    case O_EQ: return values_equal(l, r);
    case O_NE: return !values_equal(l, r);
    case O_LT:
    case O_LE:
    case O_GT:
    case O_GE:
        if (!((is_num(l) && is_num(r)) || (l.kind == GH_V_STRING && r.kind == GH_V_STRING)))
            return false;
        if (!gh_v_compare(l, r, &c))
            return false;
        return f->op == O_LT ? c < 0 : f->op == O_LE ? c <= 0 : f->op == O_GT ? c > 0 : c >= 0;
    case O_RE: {
        if (l.kind != GH_V_STRING)
            return false;
        const gh_jregex *re = gh_jregex_get(f->r.re, f->r.relen, NULL);
        return re && gh_jregex_matches(re, l.u.str.s, l.u.str.len);
    }
    case O_IN:
    case O_NIN: {
        bool found = false;
        if (r.kind == GH_V_LIST)
            for (size_t k = 0; k < r.u.list->n && !found; k++)
                found = values_equal(l, r.u.list->items[k]);
        return f->op == O_IN ? found : !found;
    }
    }
    return false;
}

static bool compile(gh_arena *a, const char *s, size_t len, path *pa, const char **error)
{
    parser p = {a, s, s + len, NULL, 0};
    memset(pa, 0, sizeof *pa);
    if (!parse_path(&p, pa) || p.err) {
        *error = p.err ? p.err : "invalid JSONPath";
        return false;
    }
    return true;
}

bool gh_jsonpath_eval(gh_arena *a, gh_vval root, const char *s, size_t len, gh_vval *out,
                      const char **error)
{
    path pa;
    const char *err = NULL;
    if (!compile(a, s, len, &pa, &err)) {
        if (error)
            *error = err;
        return false;
    }
    ev e = {a, root, gh_v_list(a, 4, true).u.list};
    walk(&e, &pa, 0, root);
    if (path_definite(&pa))
        *out = e.out->n ? e.out->items[0] : gh_v_null();
    else
        *out = (gh_vval){.kind = GH_V_LIST, .u.list = e.out};
    return true;
}

const char *gh_jsonpath_check(const char *s, size_t len)
{
    gh_arena *a = gh_arena_new(1024);
    path pa;
    const char *err = NULL;
    compile(a, s, len, &pa, &err);
    gh_arena_free(a);
    return err;
}
