/* SHIM: drop at merge. A throwaway gh_pool_key_load_or_create (auth/pool_key.h, which
 * another helper implements): reads the file, never creates one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/pool_key.h"

char *gh_pool_key_load_or_create(const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        size_t n = strlen(path) + 64;
        *err = malloc(n);
        if (*err)
            snprintf(*err, n, "cannot read %s", path);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            char *g = realloc(text, cap);
            if (!g) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = g;
        }
        text[len++] = (char)c;
    }
    fclose(f);
    if (!text || !strstr(text, "PRIVATE KEY-----")) {
        free(text);
        size_t n = strlen(path) + 64;
        *err = malloc(n);
        if (*err)
            snprintf(*err, n, "%s: not an RSA private key", path);
        return NULL;
    }
    text[len] = '\0';
    return text;
}
