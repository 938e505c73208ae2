/* WebSocket route selection expressions (aws-api-gateway.md §9.1; API Gateway developer
 * guide, "WebSocket selection expressions" and "Route selection expressions"): a
 * `$`-variable, `${...}` to delimit one, several of them mixed with literal text, `\$` for
 * a literal dollar (so `\$default` selects $default). Route selection reads only the
 * message body, so the one variable family is request.body.<path>. */
#include "websocket/route_select.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "template/vtl_json.h"
#include "util/buf.h"
#include "util/json_text.h"

/* One step of a body path: a member name or an array index ("items[0]"). */
typedef struct step {
    const char *name; /* NULL for an index */
    long index;
} step;

/* A part of the expression: literal text, or a body path. */
typedef struct part {
    const char *text; /* literal when non-NULL */
    step *steps;
    size_t nsteps;
} part;

struct gh_route_expr {
    part *parts;
    size_t nparts, cap;
    size_t nvars;
};

static void add_part(gh_arena *a, gh_route_expr *e, part p)
{
    if (e->nparts == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 4;
        part *grown = gh_arena_alloc(a, cap * sizeof *grown);
        if (e->nparts)
            memcpy(grown, e->parts, e->nparts * sizeof *grown);
        e->parts = grown;
        e->cap = cap;
    }
    e->parts[e->nparts++] = p;
    if (!p.text)
        e->nvars++;
}

/* Unbraced variables end at the first character that cannot be in a plain name, as
 * "$request.body.action-x" is the variable followed by "-x"; braces lift that limit. */
static int plain_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Parses the path after "request.body" from s (pointing at '.' or '['), up to end when
 * braced (end is the '}'), else as far as plain names go. Returns the end, or NULL. */
static const char *parse_path(gh_arena *a, const char *s, const char *end, part *p,
                              const char **error)
{
    size_t cap = 4;
    p->steps = gh_arena_alloc(a, cap * sizeof *p->steps);
    p->nsteps = 0;
    for (;;) {
        step st = {0};
        if (end ? s >= end : (*s != '.' && *s != '['))
            break;
        if (*s == '.') {
            const char *n = ++s;
            while (end ? (s < end && *s != '.' && *s != '[') : plain_name_char(*s))
                s++;
            if (s == n) {
                *error = "empty name in the body path";
                return NULL;
            }
            st.name = gh_arena_strndup(a, n, (size_t)(s - n));
        } else if (*s == '[') {
            const char *d = ++s;
            long idx = 0;
            while (*s >= '0' && *s <= '9' && idx < 1000000)
                idx = idx * 10 + (*s++ - '0');
            if (s == d || *s != ']') {
                *error = "an index in the body path must be [digits]";
                return NULL;
            }
            s++;
            st.index = idx;
        } else {
            *error = "unexpected character in the body path";
            return NULL;
        }
        if (p->nsteps == cap) {
            step *grown = gh_arena_alloc(a, 2 * cap * sizeof *grown);
            memcpy(grown, p->steps, cap * sizeof *grown);
            p->steps = grown;
            cap *= 2;
        }
        p->steps[p->nsteps++] = st;
    }
    if (p->nsteps == 0) {
        *error = "a route selection expression must name a body path: $request.body.<path>";
        return NULL;
    }
    return s;
}

gh_route_expr *gh_route_expr_parse(gh_arena *a, const char *text, const char **error)
{
    static const char prefix[] = "request.body";
    const size_t plen = sizeof prefix - 1;
    const char *dummy;
    if (!error)
        error = &dummy;
    *error = NULL;
    if (!text || !*text) {
        *error = "the route selection expression is empty";
        return NULL;
    }
    gh_route_expr *e = gh_arena_calloc(a, sizeof *e);
    gh_buf lit = GH_BUF_INIT;
    const char *s = text;
    while (*s) {
        if (s[0] == '\\' && s[1] == '$') { /* \$ is a literal dollar */
            gh_buf_putc(&lit, '$');
            s += 2;
            continue;
        }
        if (*s != '$') {
            gh_buf_putc(&lit, *s++);
            continue;
        }
        int braced = s[1] == '{';
        const char *v = s + 1 + braced, *close = NULL;
        if (braced) {
            close = strchr(v, '}');
            if (!close) {
                *error = "'${' without a closing '}'";
                goto fail;
            }
        }
        if (strncmp(v, prefix, plen) != 0 || plain_name_char(v[plen])) {
            *error = "route selection expressions may only use $request.body.<path> variables";
            goto fail;
        }
        if (v[plen] != '.' && v[plen] != '[') {
            *error = "a route selection expression must name a body path: $request.body.<path>";
            goto fail;
        }
        part p = {0};
        const char *after = parse_path(a, v + plen, close, &p, error);
        if (!after)
            goto fail;
        if (lit.len) {
            add_part(a, e, (part){.text = gh_arena_strndup(a, lit.data, lit.len)});
            lit.len = 0;
        }
        add_part(a, e, p);
        s = braced ? close + 1 : after;
    }
    if (lit.len || e->nparts == 0)
        add_part(a, e, (part){.text = gh_arena_strndup(a, lit.data ? lit.data : "", lit.len)});
    gh_buf_free(&lit);
    return e;
fail:
    gh_buf_free(&lit);
    *error = gh_arena_printf(a, "invalid route selection expression \"%s\": %s", text, *error);
    return NULL;
}

/* The body is read with the template layer's JSON reader (template/vtl_json.h) rather
 * than jansson: it builds the very values jansson would (a repeated key keeps its last
 * value, integers beyond int64 and other corners are jansson's verdict), but straight
 * into the message's arena, and every message of a route-selected API is parsed here:
 * jansson's tree of malloc'ed nodes was 6k of the 57k instructions a message cost
 * (bench/README.md, issue 8). */
static const gh_vval *walk(const gh_vval *v, const part *p)
{
    for (size_t i = 0; v && i < p->nsteps; i++) {
        const step *st = &p->steps[i];
        if (st->name) {
            const gh_vmap_entry *e =
                v->kind == GH_V_MAP ? gh_vmap_find(v->u.map, st->name, strlen(st->name)) : NULL;
            v = e ? &e->value : NULL;
        } else {
            v = v->kind == GH_V_LIST && (size_t)st->index < v->u.list->n
                    ? &v->u.list->items[st->index]
                    : NULL;
        }
    }
    return v;
}

/* Appends a scalar as text: strings as they are, numbers as JSON writes them (1, 1.5),
 * booleans as true/false. 0 for anything else (null, objects, arrays). */
static int scalar_text(const gh_vval *v, gh_buf *out)
{
    switch (v->kind) {
    case GH_V_STRING:
        gh_buf_append(out, v->u.str.s, v->u.str.len);
        return 1;
    case GH_V_INT: {
        char n[32];
        int len = snprintf(n, sizeof n, "%" PRId64, v->u.i);
        gh_buf_append(out, n, (size_t)len);
        return 1;
    }
    case GH_V_DOUBLE:
        gh_json_number(v->u.d, out);
        return 1;
    case GH_V_BOOL:
        gh_buf_puts(out, v->u.b ? "true" : "false");
        return 1;
    default:
        return 0;
    }
}

const char *gh_route_expr_eval(gh_arena *a, const gh_route_expr *e, const char *message,
                               size_t len)
{
    if (!e)
        return NULL;
    /* A static expression needs no body at all. */
    if (e->nvars == 0)
        return e->parts[0].text;
    if (!message)
        return NULL;
    /* Non-JSON messages go to $default (websocket-api-develop-routes). */
    gh_vval body;
    if (gh_vjson_parse(a, message, len, &body) != NULL || body.kind != GH_V_MAP)
        return NULL;
    gh_buf out = GH_BUF_INIT;
    const char *result = NULL;
    for (size_t i = 0; i < e->nparts; i++) {
        const part *p = &e->parts[i];
        if (p->text) {
            gh_buf_puts(&out, p->text);
            continue;
        }
        const gh_vval *v = walk(&body, p);
        if (!v) {
            /* A lone variable that is missing cannot be evaluated: $default. Inside a
             * template the missing part reads as empty, as the developer guide's table
             * shows (${request.body.action}-${request.body.invalidPath} gives "join-"). */
            if (e->nparts == 1)
                goto done;
            continue;
        }
        if (!scalar_text(v, &out))
            goto done;
    }
    result = gh_arena_strndup(a, out.data ? out.data : "", out.len);
done:
    gh_buf_free(&out);
    return result;
}

/* JSON string contents of an id; ours are base64-like, but the frame must stay JSON. */
static void add_escaped(gh_buf *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            gh_buf_putc(out, '\\');
            gh_buf_putc(out, (char)c);
        } else if (c < 0x20) {
            char u[8];
            snprintf(u, sizeof u, "\\u%04x", c);
            gh_buf_puts(out, u);
        } else {
            gh_buf_putc(out, (char)c);
        }
    }
}

const char *gh_route_forbidden_frame(gh_arena *a, const char *connection_id,
                                     const char *request_id)
{
    /* AWS's spacing exactly: a space after the first colon and comma only. */
    gh_buf out = GH_BUF_INIT;
    gh_buf_puts(&out, "{\"message\": \"Forbidden\", \"connectionId\":\"");
    add_escaped(&out, connection_id);
    gh_buf_puts(&out, "\", \"requestId\":\"");
    add_escaped(&out, request_id);
    gh_buf_puts(&out, "\"}");
    const char *frame = gh_arena_strndup(a, out.data, out.len);
    gh_buf_free(&out);
    return frame;
}
