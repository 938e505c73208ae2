/* Lua files a definition names (function handlers, x-gatehouse-mock, Lua templates) and
 * inline Lua templates: read once, kept in model->scripts and syntax-checked at load, so a typo fails `validate` with the line in
 * the .lua file instead of failing the first request. The runtime (script/) compiles the
 * same source into each of its states. */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/compile.h"
#include "spec/scalar_pos.h"
#include "util/buf.h"


/* Lua reports "chunk:LINE: message"; splits it so the diagnostic can point into the
 * .lua file itself. Returns the line, 0 when the message has none. */
static unsigned lua_error_line(const char *msg, const char **rest)
{
    *rest = msg;
    for (const char *p = strchr(msg, ':'); p; p = strchr(p + 1, ':')) {
        const char *q = p + 1;
        unsigned line = 0;
        while (*q >= '0' && *q <= '9')
            line = line * 10 + (unsigned)(*q++ - '0');
        if (q > p + 1 && q[0] == ':' && q[1] == ' ') {
            *rest = q + 2;
            return line;
        }
    }
    return 0;
}

static bool syntax_ok(gh_cc *cc, const gh_script *s, gh_mark named_at)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return true; /* out of memory: the runtime will report it when it compiles */
    bool ok = luaL_loadbufferx(L, s->source, s->len, s->chunkname, "t") == LUA_OK;
    if (!ok) {
        const char *rest;
        const char *msg = lua_tostring(L, -1);
        unsigned line = lua_error_line(msg ? msg : "?", &rest);
        char where[512];
        gh_mark_format(named_at, where, sizeof where);
        gh_diag_error(cc->d, ((gh_mark){.file = s->path, .line = line, .col = 0}),
                      "%s; fix the Lua syntax (the file is named at %s)", rest, where);
    }
    lua_close(L);
    return ok;
}

static void add_script(gh_loader *ld, const gh_script *s)
{
    if (ld->nscripts == ld->capscripts) {
        ld->capscripts = ld->capscripts ? ld->capscripts * 2 : 8;
        gh_script *p = realloc(ld->scripts, ld->capscripts * sizeof *p);
        if (!p)
            abort(); /* out of memory, not user input */
        ld->scripts = p;
    }
    ld->scripts[ld->nscripts++] = *s;
}

/* The chunk becomes the body of the template function. It is compiled after as many
 * blank lines as put its first line on its own line number in the definition, with the
 * definition as chunk name: Lua's messages and tracebacks then name the definition's
 * lines (exactly for block scalars, the usual way to write several lines). */
int gh_cc_inline_script(gh_cc *cc, const char *text, const gh_node *node, const char *what)
{
    gh_mark start = gh_cc_text_mark(cc, node, text, 0);
    unsigned pad = start.line > 1 ? start.line - 1 : 0;
    gh_buf b = GH_BUF_INIT;
    for (unsigned i = 0; i < pad; i++)
        gh_buf_putc(&b, '\n');
    gh_buf_puts(&b, "return function(input, context, stageVariables, util) ");
    gh_buf_puts(&b, text);
    gh_buf_puts(&b, "\nend\n");
    const char *file = start.file ? start.file : cc->api->source;
    gh_script s = {
        .path = gh_cc_file(cc->ld, file),
        .chunkname = gh_arena_printf(cc->a, "@%s", file),
        .source = gh_arena_strndup(cc->a, b.data, b.len),
        .len = b.len,
        .mark = gh_cc_mark(cc, node),
    };
    gh_buf_free(&b);
    lua_State *L = luaL_newstate();
    if (L && luaL_loadbufferx(L, s.source, s.len, s.chunkname, "t") != LUA_OK) {
        const char *rest;
        const char *msg = lua_tostring(L, -1);
        unsigned line = lua_error_line(msg ? msg : "?", &rest);
        /* Back from the padded chunk's line to a line of the text, then to the file. */
        size_t len = strlen(text);
        unsigned text_line = line > pad ? line - pad : 1;
        size_t off = gh_text_offset(text, len, text_line, 1);
        gh_diag_error(cc->d, gh_cc_text_mark(cc, node, text, off),
                      "%s does not compile: %s; fix the Lua syntax (the chunk is the body of "
                      "function(input, context, stageVariables, util) and returns the body "
                      "string)",
                      what, rest);
        lua_close(L);
        return -1;
    }
    if (L)
        lua_close(L);
    add_script(cc->ld, &s);
    return (int)cc->ld->nscripts - 1;
}

int gh_cc_script(gh_cc *cc, const char *path, const gh_node *at)
{
    gh_loader *ld = cc->ld;
    gh_mark named_at = gh_cc_mark(cc, at);
    const char *full = path[0] == '/' ? gh_arena_strdup(cc->a, path)
                                      : gh_arena_printf(cc->a, "%s/%s", cc->api->dir, path);
    for (size_t i = 0; i < ld->nscripts; i++)
        if (strcmp(ld->scripts[i].path, full) == 0)
            return (int)i;
    size_t len = 0;
    char *src = gh_read_file(full, &len);
    if (!src) {
        gh_diag_error(cc->d, named_at,
                      "cannot read Lua file '%s' (%s); the path is relative to the "
                      "definition's folder %s",
                      full, strerror(errno), cc->api->dir);
        return -1;
    }
    gh_script s = {
        .path = gh_cc_file(ld, full),
        .chunkname = gh_arena_printf(cc->a, "@%s", full),
        .source = gh_arena_memdup(cc->a, src, len + 1),
        .len = len,
        .mark = named_at,
    };
    free(src);
    if (!syntax_ok(cc, &s, named_at))
        return -1;
    add_script(ld, &s);
    return (int)ld->nscripts - 1;
}
