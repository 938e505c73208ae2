/* VTL parser, expressions and references: $a.b('x', 1)[0], ${a}, $!a, literals, list /
 * map / range literals and the operator ladder of Velocity 1.7's grammar (or < and <
 * equality < relational < additive < multiplicative < unary). Every recursion goes
 * through vtl_nest_enter, so 100k '(' give a syntax error, not a stack overflow. */
#include <string.h>

#include "template/vtl_ast.h"

vtl_expr *vtl_new_expr(vtl_parser *p, vtl_ekind k, size_t pos)
{
    vtl_expr *e = gh_arena_calloc(p->a, sizeof *e);
    e->kind = k;
    e->pos = (uint32_t)pos;
    return e;
}

bool vtl_nest_enter(vtl_parser *p, size_t pos)
{
    if (++p->depth > GH_VTL_MAX_NESTING) {
        vtl_err(p, pos, "nesting deeper than %d levels; simplify the template",
                GH_VTL_MAX_NESTING);
        return false;
    }
    return true;
}

/* A growable array of expression pointers during parsing (arena-backed). */
typedef struct {
    vtl_expr **v;
    uint32_t n, cap;
} exprs;

static void push(vtl_parser *p, exprs *x, vtl_expr *e)
{
    if (x->n == x->cap) {
        uint32_t cap = x->cap ? x->cap * 2 : 4;
        vtl_expr **v = gh_arena_alloc(p->a, cap * sizeof *v);
        if (x->n)
            memcpy(v, x->v, x->n * sizeof *v);
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = e;
}

/* Comma-separated expressions up to `close`; the opener is already consumed. */
static bool parse_args(vtl_parser *p, char close, size_t open_pos, exprs *out)
{
    vtl_skip_ws(p);
    if (p->pos < p->end && p->s[p->pos] == close) {
        p->pos++;
        return true;
    }
    for (;;) {
        vtl_expr *e = vtl_parse_expr(p);
        if (!e)
            return false;
        push(p, out, e);
        vtl_skip_ws(p);
        if (p->pos >= p->end) {
            vtl_err(p, open_pos, "'%c' is never closed; add '%c'", close == ')' ? '(' : '[',
                    close);
            return false;
        }
        char c = p->s[p->pos];
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == close) {
            p->pos++;
            return true;
        }
        vtl_err(p, p->pos, "unexpected '%c'; expected ',' or '%c'", c, close);
        return false;
    }
}

static const char *getter_name(vtl_parser *p, const char *prefix, const char *name, size_t n)
{
    size_t pl = strlen(prefix);
    char *g = gh_arena_alloc(p->a, pl + n + 1);
    memcpy(g, prefix, pl);
    memcpy(g + pl, name, n);
    if (g[pl] >= 'a' && g[pl] <= 'z')
        g[pl] = (char)(g[pl] - 'a' + 'A');
    g[pl + n] = 0;
    return g;
}

vtl_ref *vtl_parse_ref(vtl_parser *p, bool in_text)
{
    size_t start = p->pos, q = p->pos + 1;
    bool braced = false;
    if (q < p->end && p->s[q] == '!')
        q++;
    if (q < p->end && p->s[q] == '{') {
        braced = true;
        q++;
    }
    size_t n = vtl_ident_len(p, q);
    if (n == 0) {
        if (!in_text)
            return vtl_err(p, start, "expected a reference name after '$'");
        return NULL;
    }
    vtl_ref *r = gh_arena_calloc(p->a, sizeof *r);
    r->pos = (uint32_t)start;
    r->name = vtl_strdup(p, p->s + q, n);
    r->nlen = n;
    p->pos = q + n;
    vtl_part parts[64];
    uint32_t np = 0;
    for (;;) {
        if (np == sizeof parts / sizeof *parts)
            return vtl_err(p, p->pos, "reference chain longer than 64 steps");
        size_t at = p->pos;
        if (at < p->end && p->s[at] == '[') {
            if (!vtl_nest_enter(p, at))
                return NULL;
            p->pos++;
            vtl_skip_ws(p);
            vtl_expr *ix = vtl_parse_expr(p);
            if (!ix)
                return NULL;
            vtl_skip_ws(p);
            if (p->pos >= p->end || p->s[p->pos] != ']')
                return vtl_err(p, at, "'[' is never closed; add ']'");
            p->pos++;
            p->depth--;
            vtl_part *pt = &parts[np++];
            memset(pt, 0, sizeof *pt);
            pt->kind = VP_INDEX;
            pt->pos = (uint32_t)at;
            pt->args = gh_arena_alloc(p->a, sizeof *pt->args);
            pt->args[0] = ix;
            pt->nargs = 1;
            continue;
        }
        /* 1.7's DOT token is '.' followed by a letter; "$a." or "$a.1" end the reference */
        if (at + 1 < p->end && p->s[at] == '.' && vtl_is_alpha(p->s[at + 1])) {
            size_t in = vtl_ident_len(p, at + 1);
            vtl_part *pt = &parts[np++];
            memset(pt, 0, sizeof *pt);
            pt->pos = (uint32_t)at;
            pt->name = vtl_strdup(p, p->s + at + 1, in);
            pt->nlen = in;
            p->pos = at + 1 + in;
            if (p->pos < p->end && p->s[p->pos] == '(') {
                size_t open = p->pos++;
                if (!vtl_nest_enter(p, open))
                    return NULL;
                exprs args = {0};
                if (!parse_args(p, ')', open, &args))
                    return NULL;
                p->depth--;
                pt->kind = VP_METHOD;
                pt->args = args.v;
                pt->nargs = args.n;
            } else {
                pt->kind = VP_PROP;
                pt->getter = getter_name(p, "get", pt->name, in);
                pt->is_getter = getter_name(p, "is", pt->name, in);
            }
            continue;
        }
        break;
    }
    if (braced) {
        if (p->pos >= p->end || p->s[p->pos] != '}') {
            if (in_text) { /* "${a" is text, as in 1.7 */
                p->pos = start;
                return NULL;
            }
            return vtl_err(p, start, "'${' is never closed; add '}'");
        }
        p->pos++;
    }
    r->nparts = np;
    if (np) {
        r->parts = gh_arena_alloc(p->a, np * sizeof *r->parts);
        memcpy(r->parts, parts, np * sizeof *parts);
    }
    r->src = p->s + start;
    r->src_len = p->pos - start;
    return r;
}

static vtl_expr *parse_unary(vtl_parser *p);

/* '[' at p->pos: a range [a..b] or a list [a, b]. */
static vtl_expr *parse_bracket(vtl_parser *p)
{
    size_t open = p->pos++;
    vtl_skip_ws(p);
    if (p->pos < p->end && p->s[p->pos] == ']') {
        p->pos++;
        return vtl_new_expr(p, VE_LIST, open);
    }
    vtl_expr *first = vtl_parse_expr(p);
    if (!first)
        return NULL;
    vtl_skip_ws(p);
    if (p->pos + 1 < p->end && p->s[p->pos] == '.' && p->s[p->pos + 1] == '.') {
        p->pos += 2;
        vtl_expr *last = vtl_parse_expr(p);
        if (!last)
            return NULL;
        vtl_skip_ws(p);
        if (p->pos >= p->end || p->s[p->pos] != ']')
            return vtl_err(p, open, "range '[' is never closed; add ']'");
        p->pos++;
        vtl_expr *e = vtl_new_expr(p, VE_RANGE, open);
        e->u.bin.a = first;
        e->u.bin.b = last;
        return e;
    }
    exprs items = {0};
    push(p, &items, first);
    if (p->pos < p->end && p->s[p->pos] == ',') {
        p->pos++;
        if (!parse_args(p, ']', open, &items))
            return NULL;
    } else if (p->pos < p->end && p->s[p->pos] == ']') {
        p->pos++;
    } else {
        return p->pos < p->end ? vtl_err(p, p->pos, "unexpected '%c' in a list; expected ',' or ']'",
                                         p->s[p->pos])
                               : vtl_err(p, open, "'[' is never closed; add ']'");
    }
    vtl_expr *e = vtl_new_expr(p, VE_LIST, open);
    e->u.list.items = items.v;
    e->u.list.n = items.n;
    return e;
}

static vtl_expr *parse_map(vtl_parser *p)
{
    size_t open = p->pos++;
    exprs items = {0};
    vtl_skip_ws(p);
    if (p->pos < p->end && p->s[p->pos] == '}') {
        p->pos++;
    } else {
        for (;;) {
            vtl_expr *k = vtl_parse_expr(p);
            if (!k)
                return NULL;
            vtl_skip_ws(p);
            if (p->pos >= p->end || p->s[p->pos] != ':')
                return vtl_err(p, p->pos, "expected ':' after a map key");
            p->pos++;
            vtl_expr *v = vtl_parse_expr(p);
            if (!v)
                return NULL;
            push(p, &items, k);
            push(p, &items, v);
            vtl_skip_ws(p);
            if (p->pos >= p->end)
                return vtl_err(p, open, "'{' is never closed; add '}'");
            if (p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->s[p->pos] == '}') {
                p->pos++;
                break;
            }
            return vtl_err(p, p->pos, "unexpected '%c' in a map; expected ',' or '}'",
                           p->s[p->pos]);
        }
    }
    vtl_expr *e = vtl_new_expr(p, VE_MAP, open);
    e->u.list.items = items.v;
    e->u.list.n = items.n;
    return e;
}

static vtl_expr *parse_string(vtl_parser *p)
{
    size_t open = p->pos, close = vtl_string_end(p, open);
    if (close == (size_t)-1)
        return vtl_err(p, open, "unterminated string literal; add the closing %c", p->s[open]);
    const char *body = p->s + open + 1;
    size_t n = close - open - 1;
    vtl_expr *e;
    /* Double quotes interpolate references and directives (1.7 renders the literal as a
     * small template); single quotes are verbatim. */
    if (p->s[open] == '"' && (memchr(body, '$', n) || memchr(body, '#', n))) {
        e = vtl_new_expr(p, VE_ISTR, open);
        size_t save_end = p->end;
        p->pos = open + 1;
        e->u.body = vtl_parse_body(p, close);
        p->end = save_end;
        if (p->failed)
            return NULL;
    } else {
        e = vtl_new_expr(p, VE_LIT, open);
        e->u.lit = gh_v_strn(body, n);
    }
    p->pos = close + 1;
    return e;
}

static vtl_expr *parse_primary(vtl_parser *p)
{
    vtl_skip_ws(p);
    if (p->pos >= p->end)
        return vtl_err(p, p->pos, "expression ends too early; complete it");
    size_t at = p->pos;
    char c = p->s[at];
    vtl_expr *e = NULL;
    if (!vtl_nest_enter(p, at))
        return NULL;
    if (c == '"' || c == '\'') {
        e = parse_string(p);
    } else if (c == '$') {
        vtl_ref *r = vtl_parse_ref(p, false);
        if (r) {
            e = vtl_new_expr(p, VE_REF, at);
            e->u.ref = r;
        }
    } else if (c == '[') {
        e = parse_bracket(p);
    } else if (c == '{') {
        e = parse_map(p);
    } else if (c == '(') {
        p->pos++;
        e = vtl_parse_expr(p);
        vtl_skip_ws(p);
        if (e && (p->pos >= p->end || p->s[p->pos] != ')'))
            e = vtl_err(p, at, "'(' is never closed; add ')'");
        else if (e)
            p->pos++;
    } else if (vtl_keyword(p, "true") || vtl_keyword(p, "false")) {
        e = vtl_new_expr(p, VE_LIT, at);
        e->u.lit = gh_v_bool(c == 't');
    } else {
        gh_vval num;
        if (vtl_number(p, &num)) {
            e = vtl_new_expr(p, VE_LIT, at);
            e->u.lit = num;
        } else if (c == ')' || c == ']' || c == '}' || c == ',') {
            e = vtl_err(p, at, "unexpected '%c'; an expression is missing", c);
        } else {
            e = vtl_err(p, at, "unexpected '%c' in an expression", c);
        }
    }
    p->depth--;
    return e;
}

static vtl_expr *parse_unary(vtl_parser *p)
{
    vtl_skip_ws(p);
    size_t at = p->pos;
    bool bang = at < p->end && p->s[at] == '!' && !(at + 1 < p->end && p->s[at + 1] == '=');
    if (bang || vtl_keyword(p, "not")) {
        if (bang)
            p->pos++;
        if (!vtl_nest_enter(p, at))
            return NULL;
        vtl_expr *a = parse_unary(p);
        p->depth--;
        if (!a)
            return NULL;
        vtl_expr *e = vtl_new_expr(p, VE_NOT, at);
        e->u.bin.a = a;
        return e;
    }
    return parse_primary(p);
}

/* Operators of one precedence level: symbol, word form, node kind. */
typedef struct {
    const char *sym, *word;
    vtl_ekind kind;
} op;

static const op OR_OPS[] = {{"||", "or", VE_OR}, {0}};
static const op AND_OPS[] = {{"&&", "and", VE_AND}, {0}};
static const op EQ_OPS[] = {{"==", "eq", VE_EQ}, {"!=", "ne", VE_NE}, {0}};
static const op REL_OPS[] = {{"<=", "le", VE_LE}, {">=", "ge", VE_GE}, {"<", "lt", VE_LT},
                             {">", "gt", VE_GT}, {0}};
static const op ADD_OPS[] = {{"+", NULL, VE_ADD}, {"-", NULL, VE_SUB}, {0}};
static const op MUL_OPS[] = {{"*", NULL, VE_MUL}, {"/", NULL, VE_DIV}, {"%", NULL, VE_MOD}, {0}};
static const op *const LEVELS[] = {OR_OPS, AND_OPS, EQ_OPS, REL_OPS, ADD_OPS, MUL_OPS};

static const op *match_op(vtl_parser *p, const op *ops)
{
    vtl_skip_ws(p);
    for (const op *o = ops; o->sym; o++) {
        size_t n = strlen(o->sym);
        if (p->pos + n <= p->end && memcmp(p->s + p->pos, o->sym, n) == 0) {
            /* "==" is not "=" twice, and "<" must not eat the "<" of "<=" (ordered above) */
            p->pos += n;
            return o;
        }
        if (o->word && vtl_keyword(p, o->word))
            return o;
    }
    return NULL;
}

static vtl_expr *parse_level(vtl_parser *p, unsigned level)
{
    if (level == sizeof LEVELS / sizeof *LEVELS)
        return parse_unary(p);
    vtl_expr *a = parse_level(p, level + 1);
    while (a) {
        size_t at = p->pos;
        const op *o = match_op(p, LEVELS[level]);
        if (!o) {
            p->pos = at;
            break;
        }
        vtl_expr *b = parse_level(p, level + 1);
        if (!b)
            return NULL;
        vtl_expr *e = vtl_new_expr(p, o->kind, at);
        e->u.bin.a = a;
        e->u.bin.b = b;
        a = e;
    }
    return a;
}

vtl_expr *vtl_parse_expr(vtl_parser *p)
{
    if (!vtl_nest_enter(p, p->pos))
        return NULL;
    vtl_expr *e = parse_level(p, 0);
    p->depth--;
    return e;
}
