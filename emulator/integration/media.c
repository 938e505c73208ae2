/* Media-type normalisation and binaryMediaTypes matching (see media.h). */
#include "integration/media.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *normalise(gh_arena *a, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return NULL;
    char *out = gh_arena_strndup(a, s, len);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

const char *gh_media_type(gh_arena *a, const char *v)
{
    if (!v)
        return NULL;
    return normalise(a, v, strcspn(v, ";"));
}

const char *gh_media_first_accept(gh_arena *a, const char *accept)
{
    if (!accept)
        return NULL;
    return normalise(a, accept, strcspn(accept, ",;"));
}

/* Compares pattern[0..plen) with type[0..tlen), reading "~1" in the pattern as '/'. */
static bool part_equal(const char *p, size_t plen, const char *t, size_t tlen)
{
    size_t i = 0, j = 0;
    while (i < plen && j < tlen) {
        char pc = p[i];
        if (pc == '~' && i + 1 < plen && p[i + 1] == '1') {
            pc = '/';
            i++;
        }
        if (tolower((unsigned char)pc) != tolower((unsigned char)t[j]))
            return false;
        i++;
        j++;
    }
    return i == plen && j == tlen;
}

bool gh_media_matches(const char *pattern, const char *type)
{
    if (!pattern || !type)
        return false;
    /* Split both at the slash ("~1" in exports). */
    const char *ps = strchr(pattern, '/');
    size_t pskip = 1;
    const char *tilde = strstr(pattern, "~1");
    if (!ps || (tilde && tilde < ps)) {
        ps = tilde;
        pskip = 2;
    }
    const char *ts = strchr(type, '/');
    if (!ps || !ts)
        return part_equal(pattern, strlen(pattern), type, strlen(type));
    size_t pmain = (size_t)(ps - pattern), tmain = (size_t)(ts - type);
    const char *psub = ps + pskip, *tsub = ts + 1;
    bool main_ok = (pmain == 1 && pattern[0] == '*') || part_equal(pattern, pmain, type, tmain);
    bool sub_ok = strcmp(psub, "*") == 0 || part_equal(psub, strlen(psub), tsub, strlen(tsub));
    return main_ok && sub_ok;
}

bool gh_media_is_binary(const gh_api *api, const char *type)
{
    if (!api || !type)
        return false;
    for (size_t i = 0; i < api->nbinary_media_types; i++)
        if (gh_media_matches(api->binary_media_types[i], type))
            return true;
    return false;
}
