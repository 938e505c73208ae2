/* Private to the VTL engine: the tree gh_vtl_compile builds (vtl_parse*.c, with the
 * scanner of vtl_lex.c) and gh_vtl_render walks (vtl_eval*.c). Everything lives in the
 * model's arena and is never written after compile, so threads share it freely. What the
 * renderer would otherwise recompute per request is done here once: identifier lengths,
 * getter names ("getName"/"isName"), literal values, text spans. */
#ifndef GH_VTL_AST_H
#define GH_VTL_AST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template/vtl.h"

typedef struct vtl_expr vtl_expr;
typedef struct vtl_node vtl_node;

typedef enum { VP_PROP, VP_METHOD, VP_INDEX } vtl_part_kind;

/* One step of a reference chain: .name, .name(args) or [index]. */
typedef struct vtl_part {
    vtl_part_kind kind;
    uint32_t pos;
    const char *name; /* NUL-terminated (PROP, METHOD) */
    size_t nlen;
    const char *getter, *is_getter; /* PROP: "getName", "isName" (Velocity's getter rules) */
    vtl_expr **args;                /* METHOD arguments; INDEX: args[0] */
    uint32_t nargs;
} vtl_part;

typedef struct vtl_ref {
    const char *name; /* root identifier, NUL-terminated */
    size_t nlen;
    vtl_part *parts;
    uint32_t nparts;
    uint32_t pos;     /* of the '$' */
    const char *src;  /* the reference's source text from '$' (for \$x escapes) */
    size_t src_len;
    uint32_t nbs;     /* backslashes right before the '$' */
} vtl_ref;

typedef enum {
    VE_LIT, /* precomputed value: int, double, single-quoted or plain string, boolean */
    VE_ISTR, /* double-quoted string with references/directives: rendered */
    VE_REF,
    VE_LIST,
    VE_MAP, /* items[2i] key, items[2i+1] value */
    VE_RANGE,
    VE_OR, VE_AND, VE_EQ, VE_NE, VE_LT, VE_LE, VE_GT, VE_GE,
    VE_ADD, VE_SUB, VE_MUL, VE_DIV, VE_MOD,
    VE_NOT,
} vtl_ekind;

struct vtl_expr {
    vtl_ekind kind;
    uint32_t pos;
    union {
        gh_vval lit;
        vtl_node *body;
        vtl_ref *ref;
        struct {
            vtl_expr **items;
            uint32_t n;
        } list;
        struct {
            vtl_expr *a, *b;
        } bin;
    } u;
};

typedef enum {
    VN_TEXT,
    VN_REF,
    VN_SET,
    VN_IF,
    VN_FOREACH,
    VN_BREAK,
    VN_STOP,
    VN_DEFINE,
    VN_CALL, /* #name(args): a macro, resolved by name at render */
} vtl_nkind;

struct vtl_node {
    vtl_nkind kind;
    uint32_t pos;
    vtl_node *next;
    union {
        struct {
            const char *s;
            size_t len;
        } text;
        vtl_ref *ref;
        struct {
            vtl_ref *lhs;
            vtl_expr *rhs;
        } set;
        struct {
            vtl_expr *cond;
            vtl_node *then, *els;
            bool elseif; /* els is the one VN_IF node of an #elseif */
        } cond;
        struct {
            const char *var;
            size_t vlen;
            vtl_expr *iter;
            vtl_node *body;
        } loop;
        struct {
            const char *var;
            size_t vlen;
            vtl_node *body;
        } define;
        struct {
            const char *name;
            size_t nlen;
            vtl_expr **args;
            uint32_t nargs;
            const char *src; /* its source, printed when no such macro exists */
            size_t src_len;
        } call;
    } u;
};

typedef struct vtl_macro {
    const char *name;
    size_t nlen;
    const char **params; /* without '$' */
    size_t *plens;
    uint32_t nparams;
    vtl_node *body;
    struct vtl_macro *next;
} vtl_macro;

struct gh_vtl {
    const char *text; /* the template, copied into the model's arena */
    size_t len;
    vtl_node *body;
    vtl_macro *macros;
};

/* ---- scanner (vtl_lex.c) ---- */
typedef struct vtl_parser {
    gh_arena *a;
    const char *s;
    size_t pos, end; /* end: bound of the current parse (a string literal's body) */
    size_t len;
    unsigned depth;
    bool failed;
    gh_vtl_error *err;
    vtl_macro *macros;
} vtl_parser;

/* 1-based line and column of byte offset pos in text. */
void vtl_linecol(const char *text, size_t pos, unsigned *line, unsigned *col);
/* Records a syntax error at pos (first one wins); returns NULL for `return vtl_err(...)`. */
void *vtl_err(vtl_parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool vtl_is_alpha(char c);
bool vtl_is_ident_start(char c);
bool vtl_is_ident_char(char c);   /* Velocity identifiers allow '-' */
bool vtl_is_word_char(char c);    /* directive names: letters, digits, _ and @ */
void vtl_skip_ws(vtl_parser *p);  /* spaces, tabs, newlines inside a directive */
/* Length of the identifier at pos (0 if none). */
size_t vtl_ident_len(const vtl_parser *p, size_t pos);
/* Matches the keyword kw at pos as a whole word; advances past it. */
bool vtl_keyword(vtl_parser *p, const char *kw);
/* After a directive's ')' / #else / #end: eats [ \t]* and one newline if that is all that
 * follows (Velocity 1.7's RPAREN, ELSE and END tokens). */
void vtl_gobble_newline(vtl_parser *p);
/* True when [ \t]* "#set" or "#{set}" then ' '* '(' starts at pos (1.7's SET_DIRECTIVE,
 * which swallows the blanks before it). */
bool vtl_at_set(const vtl_parser *p, size_t pos);
/* A number literal at pos: GH_V_INT or GH_V_DOUBLE; false if none. */
bool vtl_number(vtl_parser *p, gh_vval *out);
/* Finds the closing quote of the string literal opening at pos; returns its offset, or
 * (size_t)-1 when unterminated. */
size_t vtl_string_end(const vtl_parser *p, size_t pos);
char *vtl_strdup(vtl_parser *p, const char *s, size_t n);

/* ---- parser (vtl_parse.c, vtl_parse_expr.c) ---- */
vtl_expr *vtl_parse_expr(vtl_parser *p);
/* A reference at p->pos ('$'); in_text: a failed parse is not an error (the '$' is text).
 * Returns NULL without error when there is no reference there. */
vtl_ref *vtl_parse_ref(vtl_parser *p, bool in_text);
/* Statements up to p->end; for a string literal's interpolated body. */
vtl_node *vtl_parse_body(vtl_parser *p, size_t end);
vtl_expr *vtl_new_expr(vtl_parser *p, vtl_ekind k, size_t pos);
bool vtl_nest_enter(vtl_parser *p, size_t pos);

/* ---- evaluator (vtl_eval.c, vtl_eval_expr.c) ---- */
typedef enum { VR_OK, VR_BREAK, VR_STOP, VR_FAIL } vtl_status;

typedef struct vtl_loop {
    int64_t index;
    bool has_next;
    struct vtl_loop *outer;
} vtl_loop;

typedef struct vtl_ev {
    gh_vtl_rt *rt;
    const gh_vtl *t;
    gh_buf *out;
    size_t start, max;
    uint64_t steps, max_steps; /* statements run so far, and the render's budget */
    unsigned depth;
    gh_vmap *locals; /* the current macro's parameters */
    vtl_loop *loop;
} vtl_ev;

vtl_status vtl_render_nodes(vtl_ev *ev, const vtl_node *n);
bool vtl_eval(vtl_ev *ev, const vtl_expr *e, gh_vval *out);
bool vtl_eval_ref(vtl_ev *ev, const vtl_ref *r, uint32_t nparts, gh_vval *out);
/* False (and the render fails) once the render's time is up. */
bool vtl_in_time(vtl_ev *ev, uint32_t pos);
bool vtl_fail_at(vtl_ev *ev, uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The text of v as it would print, in the arena. */
gh_vval vtl_to_string(vtl_ev *ev, gh_vval v);
bool vtl_emit(vtl_ev *ev, uint32_t pos, const char *s, size_t n);
bool vtl_check_output(vtl_ev *ev, uint32_t pos);
gh_vval vtl_lookup(vtl_ev *ev, const char *name, size_t nlen);
extern const gh_vhost_class vtl_foreach_class;

#endif
