/* Mapping templates at load: every AWS template (requestTemplates, integration
 * responses' and gateway responses' responseTemplates) is parsed once here with the VTL
 * engine into the model, so a syntax error fails `validate` at its real file:line:col
 * (inside the YAML or JSON string) and nothing is parsed per request. Lua templates
 * (x-gatehouse-requestTemplates / -responseTemplates) are registered as model scripts. */
#include <string.h>
#include <strings.h>

#include "spec/compile.h"
#include "spec/scalar_pos.h"
#include "template/vtl.h"

gh_mark gh_cc_text_mark(gh_cc *cc, const gh_node *n, const char *text, size_t offset)
{
    gh_mark at = gh_cc_mark(cc, n);
    if (!n || n->kind != GH_NODE_STR || !text || n->len != strlen(text) ||
        memcmp(n->text, text, n->len) != 0 || !n->mark.file)
        return at;
    for (size_t i = 0; i < cc->ld->ndocs; i++) {
        const gh_doc *doc = cc->ld->docs[i];
        if (doc && doc->path && strcmp(doc->path, n->mark.file) == 0) {
            gh_mark found;
            if (gh_scalar_pos(doc->source, doc->source_len, n, offset, &found))
                at = (gh_mark){at.file, found.line, found.col};
            break;
        }
    }
    return at;
}

gh_template *gh_cc_templates(gh_cc *cc, const gh_node *map, size_t *n, const char *what)
{
    *n = 0;
    if (!map || map->kind == GH_NODE_NULL)
        return NULL;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map),
                      "%s must be a map of media type to "
                      "template, like {application/json: '{\"id\": \"$input.params(''id'')\"}'}"
                      ", not %s",
                      what, gh_node_kind_name(map->kind));
        return NULL;
    }
    gh_template *t = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *t);
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        const char *text = gh_cc_string(cc, p->value);
        if (!text) {
            gh_diag_error(cc->d, gh_cc_mark(cc, p->value),
                          "%s '%s' must be a string, not %s "
                          "(write '' for an empty template)",
                          what, p->key->text, gh_node_kind_name(p->value->kind));
            continue;
        }
        gh_template *tt = &t[*n];
        *tt = (gh_template){.media_type = gh_arena_strdup(cc->a, p->key->text),
                            .text = text,
                            .len = strlen(text),
                            .mark = gh_cc_mark(cc, p->value),
                            .script = -1};
        gh_vtl_error err = {0};
        tt->compiled = gh_vtl_compile(cc->a, text, tt->len, &err);
        if (!tt->compiled) {
            size_t off =
                gh_text_offset(text, tt->len, err.line ? err.line : 1, err.col ? err.col : 1);
            gh_mark at = gh_cc_text_mark(cc, p->value, text, off);
            const char *why = err.message[0] ? err.message : "syntax error";
            /* AWS imports a template that does not parse and answers 500 to the requests
             * that use it; we warn and do the same, rather than refuse the whole API. */
            gh_diag_warn(cc->d, at,
                         "%s '%s' does not parse: %s; requests that use it will get 500 "
                         "Internal server error, as on AWS",
                         what, tt->media_type, why);
            char pos[512];
            gh_mark_format(at, pos, sizeof pos);
            tt->broken = gh_arena_printf(cc->a, "%s: %s '%s' does not parse: %s", pos, what,
                                         tt->media_type, why);
        }
        (*n)++;
    }
    return t;
}

/* A Lua file is named by a one-line value ending in .lua; anything else is the chunk. */
static bool names_file(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && strcmp(s + n - 4, ".lua") == 0 && !strchr(s, '\n');
}

void gh_cc_lua_templates(gh_cc *cc, const gh_node *map, gh_template **list, size_t *n,
                         const char *what, const char *aws_what)
{
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map),
                      "%s must be a map of media type to a Lua "
                      "file (templates/order.lua) or a Lua chunk returning the body, not %s",
                      what, gh_node_kind_name(map->kind));
        return;
    }
    gh_template *t = gh_arena_calloc(cc->a, (*n + map->n + 1) * sizeof *t);
    if (*n)
        memcpy(t, *list, *n * sizeof *t);
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        const char *text = gh_node_str(p->value);
        if (!text) {
            gh_diag_error(cc->d, gh_cc_mark(cc, p->value),
                          "%s '%s' must be a Lua file "
                          "(ending in .lua, relative to the definition's folder) or a Lua "
                          "chunk, not %s",
                          what, p->key->text, gh_node_kind_name(p->value->kind));
            continue;
        }
        const char *label = gh_arena_printf(cc->a, "%s '%s'", what, p->key->text);
        int script = names_file(text) ? gh_cc_script(cc, text, p->value)
                                      : gh_cc_inline_script(cc, text, p->value, label);
        if (script < 0)
            continue;
        gh_template lua = {.media_type = gh_arena_strdup(cc->a, p->key->text),
                           .text = gh_arena_strdup(cc->a, text),
                           .len = strlen(text),
                           .mark = gh_cc_mark(cc, p->value),
                           .lua = true,
                           .script = script};
        size_t k = 0;
        while (k < *n && strcasecmp(t[k].media_type, lua.media_type) != 0)
            k++;
        /* Lua wins: an overlay can then replace an export's VTL for local runs while the
         * export, deployed as is, keeps it. It takes the VTL one's place, so "the first
         * template" AWS falls back to (§5.5) stays the same one. */
        if (k < *n && !t[k].lua)
            gh_diag_warn(cc->d, lua.mark, "%s replaces %s '%s' (line %u) when served locally",
                         label, aws_what, t[k].media_type, t[k].mark.line);
        else if (k < *n)
            gh_diag_warn(cc->d, lua.mark,
                         "%s is given twice (the media type differs only in "
                         "case); the last one is used",
                         label);
        t[k] = lua;
        if (k == *n)
            (*n)++;
    }
    *list = t;
}
