/* Fuzz target: WebSocket route selection (websocket/route_select.h). The input is an
 * expression, then optionally `\0` and a message; a second `\0` and what follows give a
 * connection id for the Forbidden frame. gh_route_expr_parse must explain a refusal;
 * an expression that parses is evaluated on the message, and a key it selects must be
 * a NUL-terminated string; the Forbidden frame must be the JSON object AWS sends. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "websocket/route_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *expr = text, *message = "{\"action\":\"join\"}", *id = "L0SM9cOFvHcCIhw=";
    size_t elen = strlen(text), mlen = strlen(message);
    if (elen < size) {
        message = text + elen + 1;
        const char *nul = memchr(message, '\0', size - elen - 1);
        mlen = nul ? (size_t)(nul - message) : size - elen - 1;
        if (nul)
            id = nul + 1;
    }
    gh_arena *a = gh_arena_new(4096);
    const char *error = NULL;
    gh_route_expr *e = gh_route_expr_parse(a, expr, &error);
    if (!e) {
        if (!error || !*error)
            __builtin_trap(); /* a refusal says why */
    } else {
        const char *key = gh_route_expr_eval(a, e, message, mlen);
        if (key && strlen(key) > size + 64 * 1024)
            __builtin_trap(); /* a key is made from the message and the expression */
    }
    const char *frame = gh_route_forbidden_frame(a, id, "abc-123");
    json_error_t je;
    json_t *j = frame ? json_loads(frame, 0, &je) : NULL;
    /* An id holding no NUL and valid UTF-8 must give a parseable frame; jansson
     * refuses invalid UTF-8, which AWS's ids never hold. */
    if (j) {
        json_t *c = json_object_get(j, "connectionId");
        if (!json_is_string(c) || strcmp(json_string_value(c), id) != 0)
            __builtin_trap();
        if (!json_is_string(json_object_get(j, "message")))
            __builtin_trap();
        json_decref(j);
    } else if (!frame) {
        __builtin_trap();
    }
    gh_arena_free(a);
    free(text);
    return 0;
}
