/* What `gatehouse test` tells people and CI: one line per fixture and a readable diff
 * (expected vs actual) per failed check, coloured on a terminal unless NO_COLOR is set;
 * a JUnit XML file (the testsuites/testsuite/testcase/failure shape Jenkins, GitLab and
 * GitHub read: one testsuite per file, one testcase per fixture, times in seconds); and
 * TAP version 13. */
#ifndef GH_REPORT_H
#define GH_REPORT_H
#include <stdbool.h>
#include <stdio.h>

#include "harness/runner.h"

/* Colour when out is a terminal and NO_COLOR is unset or empty (no-color.org). */
bool gh_report_use_color(FILE *out);

/* The lines and diffs of one file: "✓ NAME" / "✗ NAME" with colour, "ok   FILE: NAME" /
 * "FAIL FILE: NAME" without. */
void gh_report_file(FILE *out, const gh_fx_file_result *fr, bool color);
/* "N fixtures in F files: P passed, X failed". */
void gh_report_summary(FILE *out, const gh_fx_file_result *frs, size_t n, bool color);

/* Writes the JUnit XML report; -1 with errno when the file cannot be written. */
int gh_report_junit(const char *path, const gh_fx_file_result *frs, size_t n);
/* TAP 13 on out: a plan, one test point per fixture, a YAML block per failure. */
void gh_report_tap(FILE *out, const gh_fx_file_result *frs, size_t n);

#endif
