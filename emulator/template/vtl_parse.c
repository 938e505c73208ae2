/* VTL parser, statements: text, references, directives and comments, into the tree of
 * vtl_ast.h. Whitespace follows Velocity 1.7's lexer exactly (Parser.jjt of 1.7):
 *  - the ')' closing #set/#if/#elseif/#foreach/#define/#macro or a macro call, and the
 *    words #else and #end, swallow trailing blanks plus ONE newline when only blanks
 *    stand between them and the line end; nothing else;
 *  - the indentation before a directive is printed, except before #set: its token is
 *    [ \t]*#set *( , so blanks that begin a fresh token are swallowed. Blanks that end a
 *    run of text ("{\n  #set(...)") belong to the text and are printed;
 *  - ## comments swallow their newline; #* *# comments do not;
 *  - #stop and #break swallow nothing.
 * A '$' or '#' that starts no reference or directive is text ("$ 5", "#1", "a#b"). */
#include <stdio.h>
#include <string.h>

#include "template/vtl_ast.h"

typedef enum { T_EOF, T_END, T_ELSE, T_ELSEIF } term;

typedef struct {
    vtl_node *head, *tail;
} list;

static vtl_node *new_node(vtl_parser *p, vtl_nkind k, size_t pos)
{
    vtl_node *n = gh_arena_calloc(p->a, sizeof *n);
    n->kind = k;
    n->pos = (uint32_t)pos;
    return n;
}

static void append(list *l, vtl_node *n)
{
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

/* Text: joined with the previous text node when the bytes are adjacent in the source. */
static void add_text(vtl_parser *p, list *l, const char *s, size_t n, size_t pos)
{
    if (n == 0)
        return;
    vtl_node *t = l->tail;
    if (t && t->kind == VN_TEXT && t->u.text.s + t->u.text.len == s) {
        t->u.text.len += n;
        return;
    }
    t = new_node(p, VN_TEXT, pos);
    t->u.text.s = s;
    t->u.text.len = n;
    append(l, t);
}

static const char *const CONTROL[] = {"set", "if", "elseif", "else", "end", "foreach",
                                      "break", "stop", "define", "macro", NULL};

static bool is_directive_name(vtl_parser *p, const char *w, size_t n)
{
    for (const char *const *d = CONTROL; *d; d++)
        if (strlen(*d) == n && memcmp(*d, w, n) == 0)
            return true;
    for (const vtl_macro *m = p->macros; m; m = m->next)
        if (m->nlen == n && memcmp(m->name, w, n) == 0)
            return true;
    return false;
}

/* The directive word after '#' at pos: "#name" or "#{name}". Sets *w, *n and returns the
 * offset just past it, or 0 when there is none. */
static size_t directive_word(const vtl_parser *p, size_t pos, const char **w, size_t *n)
{
    size_t q = pos + 1;
    bool braced = q < p->end && p->s[q] == '{';
    if (braced)
        q++;
    if (q >= p->end || !(vtl_is_alpha(p->s[q]) || p->s[q] == '_' || p->s[q] == '@'))
        return 0;
    size_t s = q;
    while (q < p->end && vtl_is_word_char(p->s[q]))
        q++;
    *w = p->s + s;
    *n = q - s;
    if (braced) {
        if (q >= p->end || p->s[q] != '}')
            return 0;
        q++;
    }
    return q;
}

static bool word_is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && memcmp(w, kw, n) == 0;
}

static vtl_node *parse_block(vtl_parser *p, term *t, size_t *tpos);

/* Expects '(' (after optional whitespace) for the directive named at pos. */
static bool open_paren(vtl_parser *p, size_t pos, const char *name, const char *example)
{
    vtl_skip_ws(p);
    if (p->pos >= p->end || p->s[p->pos] != '(') {
        vtl_err(p, pos, "#%s needs its arguments in parentheses, e.g. %s", name, example);
        return false;
    }
    p->pos++;
    return true;
}

static bool close_paren(vtl_parser *p, size_t pos, const char *name)
{
    vtl_skip_ws(p);
    if (p->pos >= p->end) {
        vtl_err(p, pos, "#%s( is never closed; add ')'", name);
        return false;
    }
    if (p->s[p->pos] != ')') {
        vtl_err(p, p->pos, "unexpected '%c' in #%s; expected ')'", p->s[p->pos], name);
        return false;
    }
    p->pos++;
    vtl_gobble_newline(p);
    return true;
}

/* The body of a block directive up to its #end. */
static vtl_node *block_to_end(vtl_parser *p, size_t pos, const char *name)
{
    term t;
    size_t tpos;
    vtl_node *body = parse_block(p, &t, &tpos);
    if (p->failed)
        return NULL;
    if (t == T_EOF) {
        unsigned l, c;
        vtl_linecol(p->s, pos, &l, &c);
        return vtl_err(p, pos, "#%s at %u:%u is never closed; add #end", name, l, c);
    }
    if (t != T_END)
        return vtl_err(p, tpos, "#%s is only allowed inside #if; close #%s with #end first",
                       t == T_ELSE ? "else" : "elseif", name);
    return body;
}

/* #if and its #elseif chain, built in a loop: each #elseif is the else branch of the one
 * before (rendering walks it iteratively too), so a chain of 20,000 #elseif, which fits
 * in AWS's 300 KB, costs no stack. */
static vtl_node *parse_if(vtl_parser *p, size_t pos, const char *name)
{
    vtl_node *first = NULL, **link = &first;
    for (;;) {
        if (!open_paren(p, pos, name, "#if($x == 1)"))
            return NULL;
        vtl_expr *cond = vtl_parse_expr(p);
        if (!cond || !close_paren(p, pos, name))
            return NULL;
        vtl_node *n = new_node(p, VN_IF, pos);
        n->u.cond.cond = cond;
        *link = n;
        term t;
        size_t tpos;
        n->u.cond.then = parse_block(p, &t, &tpos);
        if (p->failed)
            return NULL;
        if (t == T_EOF) {
            unsigned l, c;
            vtl_linecol(p->s, pos, &l, &c);
            return vtl_err(p, pos, "#%s at %u:%u is never closed; add #end", name, l, c);
        }
        if (t == T_ELSEIF) {
            /* p->pos is past the word "elseif"; the chain closes with this #if's #end */
            n->u.cond.elseif = true;
            link = &n->u.cond.els;
            pos = tpos;
            name = "elseif";
            continue;
        }
        if (t == T_ELSE)
            n->u.cond.els = block_to_end(p, pos, name);
        return p->failed ? NULL : first;
    }
}

static vtl_node *parse_set(vtl_parser *p, size_t pos)
{
    vtl_skip_ws(p); /* the '(' is guaranteed by vtl_at_set */
    p->pos++;
    vtl_skip_ws(p);
    if (p->pos >= p->end || p->s[p->pos] != '$')
        return vtl_err(p, p->pos, "#set needs a reference to assign, e.g. #set($x = 1)");
    vtl_ref *lhs = vtl_parse_ref(p, false);
    if (!lhs)
        return NULL;
    if (lhs->nparts && lhs->parts[lhs->nparts - 1].kind == VP_METHOD)
        return vtl_err(p, lhs->parts[lhs->nparts - 1].pos,
                       "cannot assign to a method call; #set a variable or a property");
    vtl_skip_ws(p);
    if (p->pos >= p->end || p->s[p->pos] != '=')
        return vtl_err(p, p->pos, "#set needs '=' after the reference, e.g. #set($x = 1)");
    p->pos++;
    vtl_expr *rhs = vtl_parse_expr(p);
    if (!rhs || !close_paren(p, pos, "set"))
        return NULL;
    vtl_node *n = new_node(p, VN_SET, pos);
    n->u.set.lhs = lhs;
    n->u.set.rhs = rhs;
    return n;
}

/* "$name" inside a directive's parentheses. */
static bool var_name(vtl_parser *p, const char *dir, const char **name, size_t *nlen)
{
    vtl_skip_ws(p);
    size_t q = p->pos;
    if (q < p->end && p->s[q] == '$') {
        q++;
        if (q < p->end && p->s[q] == '{')
            q++;
        size_t n = vtl_ident_len(p, q);
        if (n) {
            *name = vtl_strdup(p, p->s + q, n);
            *nlen = n;
            p->pos = q + n;
            if (p->pos < p->end && p->s[p->pos] == '}' && p->s[q - 1] == '{')
                p->pos++;
            return true;
        }
    }
    vtl_err(p, p->pos, "#%s needs a variable such as $item here", dir);
    return false;
}

static vtl_node *parse_foreach(vtl_parser *p, size_t pos)
{
    if (!open_paren(p, pos, "foreach", "#foreach($item in $list)"))
        return NULL;
    vtl_node *n = new_node(p, VN_FOREACH, pos);
    if (!var_name(p, "foreach", &n->u.loop.var, &n->u.loop.vlen))
        return NULL;
    vtl_skip_ws(p);
    if (!vtl_keyword(p, "in"))
        return vtl_err(p, p->pos, "#foreach needs 'in', e.g. #foreach($item in $list)");
    if (!(n->u.loop.iter = vtl_parse_expr(p)) || !close_paren(p, pos, "foreach"))
        return NULL;
    n->u.loop.body = block_to_end(p, pos, "foreach");
    return p->failed ? NULL : n;
}

static vtl_node *parse_define(vtl_parser *p, size_t pos)
{
    if (!open_paren(p, pos, "define", "#define($block)"))
        return NULL;
    vtl_node *n = new_node(p, VN_DEFINE, pos);
    if (!var_name(p, "define", &n->u.define.var, &n->u.define.vlen) ||
        !close_paren(p, pos, "define"))
        return NULL;
    n->u.define.body = block_to_end(p, pos, "define");
    return p->failed ? NULL : n;
}

static bool parse_macro(vtl_parser *p, size_t pos)
{
    if (!open_paren(p, pos, "macro", "#macro(name $arg)"))
        return false;
    vtl_skip_ws(p);
    size_t n = 0;
    while (p->pos + n < p->end && vtl_is_word_char(p->s[p->pos + n]))
        n++;
    if (n == 0 || !vtl_is_ident_start(p->s[p->pos])) {
        vtl_err(p, p->pos, "#macro needs a name first, e.g. #macro(greet $who)");
        return false;
    }
    vtl_macro *m = gh_arena_calloc(p->a, sizeof *m);
    m->name = vtl_strdup(p, p->s + p->pos, n);
    m->nlen = n;
    p->pos += n;
    const char *names[64];
    size_t lens[64];
    for (;;) {
        vtl_skip_ws(p);
        if (p->pos < p->end && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->end && p->s[p->pos] == ')')
            break;
        if (m->nparams == 64) {
            vtl_err(p, p->pos, "#macro takes at most 64 parameters");
            return false;
        }
        if (!var_name(p, "macro", &names[m->nparams], &lens[m->nparams]))
            return false;
        m->nparams++;
    }
    if (!close_paren(p, pos, "macro"))
        return false;
    m->params = gh_arena_memdup(p->a, names, m->nparams * sizeof *names);
    m->plens = gh_arena_memdup(p->a, lens, m->nparams * sizeof *lens);
    /* registered before its body parses, so it may call itself (and 1.7 registers
     * macros at parse time too, so a call before the definition works) */
    m->next = p->macros;
    p->macros = m;
    m->body = block_to_end(p, pos, "macro");
    return !p->failed;
}

/* "#name(args)": a macro call, or text when the arguments do not parse. */
static vtl_node *parse_call(vtl_parser *p, size_t pos, const char *w, size_t wn)
{
    size_t save = p->pos;
    vtl_skip_ws(p);
    if (p->pos >= p->end || p->s[p->pos] != '(') {
        p->pos = save;
        return NULL;
    }
    p->pos++;
    vtl_expr *args[64];
    uint32_t n = 0;
    gh_vtl_error scratch;
    gh_vtl_error *keep = p->err;
    unsigned depth = p->depth; /* a failed parse returns early, without unwinding it */
    p->err = &scratch;
    for (;;) {
        vtl_skip_ws(p);
        if (p->pos < p->end && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->end && p->s[p->pos] == ')')
            break;
        vtl_expr *e = n < 64 ? vtl_parse_expr(p) : NULL;
        if (!e) {
            /* not a call after all: "#foo(" in plain text prints as it is */
            p->err = keep;
            p->failed = false;
            p->depth = depth;
            p->pos = save;
            return NULL;
        }
        args[n++] = e;
    }
    p->err = keep;
    p->pos++;
    vtl_node *c = new_node(p, VN_CALL, pos);
    c->u.call.name = vtl_strdup(p, w, wn);
    c->u.call.nlen = wn;
    c->u.call.args = gh_arena_memdup(p->a, args, n * sizeof *args);
    c->u.call.nargs = n;
    c->u.call.src = p->s + pos;
    c->u.call.src_len = p->pos - pos;
    vtl_gobble_newline(p);
    return c;
}

/* '#' at p->pos. Returns true when it ended a block (*t set). */
static bool parse_hash(vtl_parser *p, list *l, term *t, size_t *tpos)
{
    size_t pos = p->pos;
    const char *s = p->s;
    if (pos + 1 < p->end && s[pos + 1] == '#') { /* ## comment, newline included */
        const char *nl = memchr(s + pos, '\n', p->end - pos);
        p->pos = nl ? (size_t)(nl - s) + 1 : p->end;
        return false;
    }
    if (pos + 1 < p->end && s[pos + 1] == '*') {
        for (size_t q = pos + 2; q + 1 < p->end; q++)
            if (s[q] == '*' && s[q + 1] == '#') {
                p->pos = q + 2;
                return false;
            }
        vtl_err(p, pos, "comment #* is never closed; add *#");
        return false;
    }
    if (pos + 2 < p->end && s[pos + 1] == '[' && s[pos + 2] == '[') {
        for (size_t q = pos + 3; q + 2 < p->end; q++)
            if (s[q] == ']' && s[q + 1] == ']' && s[q + 2] == '#') {
                add_text(p, l, s + pos + 3, q - pos - 3, pos);
                p->pos = q + 3;
                return false;
            }
        vtl_err(p, pos, "unparsed block #[[ is never closed; add ]]#");
        return false;
    }
    const char *w;
    size_t wn, after = directive_word(p, pos, &w, &wn);
    if (!after) {
        add_text(p, l, s + pos, 1, pos);
        p->pos++;
        return false;
    }
    p->pos = after;
    if (word_is(w, wn, "end") || word_is(w, wn, "else")) {
        vtl_gobble_newline(p);
        *t = word_is(w, wn, "end") ? T_END : T_ELSE;
        *tpos = pos;
        return true;
    }
    if (word_is(w, wn, "elseif")) {
        *t = T_ELSEIF;
        *tpos = pos;
        return true;
    }
    vtl_node *n = NULL;
    if (!vtl_nest_enter(p, pos))
        return false;
    if (word_is(w, wn, "set") && vtl_at_set(p, pos)) {
        n = parse_set(p, pos);
    } else if (word_is(w, wn, "if")) {
        n = parse_if(p, pos, "if");
    } else if (word_is(w, wn, "foreach")) {
        n = parse_foreach(p, pos);
    } else if (word_is(w, wn, "define")) {
        n = parse_define(p, pos);
    } else if (word_is(w, wn, "macro")) {
        parse_macro(p, pos);
    } else if (word_is(w, wn, "break")) {
        n = new_node(p, VN_BREAK, pos);
    } else if (word_is(w, wn, "stop")) {
        n = new_node(p, VN_STOP, pos);
    } else if (!(n = parse_call(p, pos, w, wn)) && !p->failed) {
        add_text(p, l, s + pos, after - pos, pos); /* "#foo", "#set" without '(' */
        p->pos = after;
    }
    p->depth--;
    if (n)
        append(l, n);
    return false;
}

/* Backslashes at p->pos: Velocity 1.7's escapes. Before a reference, an odd count prints
 * the reference's source (see vtl_eval.c); before a directive, "\#if" prints "#if" and
 * pairs halve ("\\#if" prints "\" and runs the #if). Elsewhere they are text. */
static void parse_backslashes(vtl_parser *p, list *l)
{
    size_t pos = p->pos, q = pos;
    while (q < p->end && p->s[q] == '\\')
        q++;
    size_t n = q - pos;
    if (q < p->end && p->s[q] == '$') {
        p->pos = q;
        vtl_ref *r = vtl_parse_ref(p, true);
        if (r) {
            r->nbs = (uint32_t)n;
            vtl_node *rn = new_node(p, VN_REF, pos);
            rn->u.ref = r;
            append(l, rn);
            return;
        }
        p->pos = pos;
    }
    const char *w;
    size_t wn, after = q < p->end && p->s[q] == '#' ? directive_word(p, q, &w, &wn) : 0;
    if (after && is_directive_name(p, w, wn)) {
        char *half = gh_arena_alloc(p->a, n / 2 + 1);
        memset(half, '\\', n / 2);
        add_text(p, l, half, n / 2, pos);
        if (n % 2) { /* escaped: the directive's word is text */
            add_text(p, l, p->s + q, after - q, q);
            p->pos = after;
        } else {
            p->pos = q; /* the directive runs */
        }
        return;
    }
    add_text(p, l, p->s + pos, n, pos);
    p->pos = q;
}

static vtl_node *parse_block(vtl_parser *p, term *t, size_t *tpos)
{
    list l = {0};
    *t = T_EOF;
    while (p->pos < p->end && !p->failed) {
        size_t pos = p->pos;
        char c = p->s[pos];
        if ((c == ' ' || c == '\t') && vtl_at_set(p, pos)) {
            while (p->s[p->pos] != '#') /* 1.7's SET_DIRECTIVE eats these blanks */
                p->pos++;
            c = '#';
        }
        if (c == '$') {
            vtl_ref *r = vtl_parse_ref(p, true);
            if (r) {
                vtl_node *n = new_node(p, VN_REF, pos);
                n->u.ref = r;
                append(&l, n);
            } else if (!p->failed) {
                add_text(p, &l, p->s + pos, 1, pos);
                p->pos = pos + 1;
            }
        } else if (c == '#') {
            if (parse_hash(p, &l, t, tpos))
                return l.head;
        } else if (c == '\\') {
            parse_backslashes(p, &l);
        } else {
            size_t q = pos + 1;
            while (q < p->end && p->s[q] != '$' && p->s[q] != '#' && p->s[q] != '\\')
                q++;
            add_text(p, &l, p->s + pos, q - pos, pos);
            p->pos = q;
        }
    }
    return l.head;
}

vtl_node *vtl_parse_body(vtl_parser *p, size_t end)
{
    p->end = end;
    term t;
    size_t tpos;
    vtl_node *n = parse_block(p, &t, &tpos);
    if (!p->failed && t != T_EOF)
        vtl_err(p, tpos, "unexpected #%s; there is no open #if, #foreach, #define or #macro here",
                t == T_END ? "end" : t == T_ELSE ? "else" : "elseif");
    return n;
}

gh_vtl *gh_vtl_compile(gh_arena *a, const char *text, size_t len, gh_vtl_error *err)
{
    memset(err, 0, sizeof *err);
    if (len > GH_VTL_MAX_TEMPLATE_BYTES) {
        err->line = err->col = 1;
        snprintf(err->message, sizeof err->message,
                 "template is %zu bytes; API Gateway allows at most %d (300 KB)", len,
                 GH_VTL_MAX_TEMPLATE_BYTES);
        return NULL;
    }
    gh_vtl *t = gh_arena_calloc(a, sizeof *t);
    t->text = gh_arena_strndup(a, text ? text : "", len);
    t->len = len;
    vtl_parser p = {.a = a, .s = t->text, .len = len, .err = err};
    t->body = vtl_parse_body(&p, len);
    if (p.failed)
        return NULL;
    t->macros = p.macros;
    return t;
}
