/* Java regex syntax -> PCRE2 syntax, for util/jregex. java.util.regex and PCRE2 agree on
 * most of the language; this pass rewrites what Java spells differently (POSIX and
 * java* property names, nested classes and && intersections, \uXXXX, \0ooo) and rejects
 * what Java rejects but PCRE2 would quietly accept ("a{", "(?#", "(*VERB)", \K), so a
 * template fails here exactly where it throws a PatternSyntaxException on AWS. The full
 * list is in docs/templates.md, "Regular expressions". */
#ifndef GH_JREGEX_SYNTAX_H
#define GH_JREGEX_SYNTAX_H
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends the PCRE2 form of the Java pattern p[0..n) to out. False when p is not a Java
 * pattern we can run; err then holds the reason and the 0-based offset in p. */
bool gh_jregex_translate(const char *p, size_t n, gh_buf *out, char *err, size_t errlen);

#endif
