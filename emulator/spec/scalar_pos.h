/* Positions inside a scalar's value. The node tree keeps where each scalar starts; a
 * mapping template's syntax error is reported by the VTL parser at a line and column of
 * the template text (after YAML/JSON unescaping), and the user needs it in the file:
 * this module walks the scalar's source again (literal and folded blocks, double-quoted
 * escapes and line folding, single-quoted '' escapes, plain scalars) to find the file
 * position of one byte of the text. */
#ifndef GH_SCALAR_POS_H
#define GH_SCALAR_POS_H
#include <stdbool.h>
#include <stddef.h>

#include "spec/node.h"

/* The file position (columns counted in characters, as libyaml counts them) of byte
 * `offset` of n->text, reading the scalar's source in src (the text of the file n was
 * read from: n->mark.file). An offset at or past the end maps after the last character.
 * Returns false, with *out = n->mark, when src does not hold n's text where its mark
 * says (an alias, a value built by an intrinsic, a changed file): positions are then
 * only as good as the scalar's start. */
bool gh_scalar_pos(const char *src, size_t src_len, const gh_node *n, size_t offset, gh_mark *out);

/* The same, reading doc->source; false when doc has none or n came from another file. */
bool gh_scalar_pos_doc(const gh_doc *doc, const gh_node *n, size_t offset, gh_mark *out);

/* The byte offset of a 1-based line and column (column counted in bytes) inside text,
 * clamped to the end of its line and of the text. */
size_t gh_text_offset(const char *text, size_t len, unsigned line, unsigned col);

#endif
