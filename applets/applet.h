/* What every applet shares with the dispatcher: its own name, error lines, usage errors, exit codes. */
#ifndef APPLET_H
#define APPLET_H

#include "../core/procbox.h"

#define EXIT_NO 1         /* the applet's own "no" or "failed" */
#define EXIT_USAGE 2
#define EXIT_TIMEOUT 124
#define EXIT_OWN_FAILURE 125 /* a wrapper failed before running its command */
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

#define APPLET(name, fn, summary) int fn(int argc, char **argv);
#include "applets.h"
#undef APPLET

extern const char *applet_name;
/* "applet: message" on stderr */
void applet_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "applet: message" plus a hint at --help on stderr; returns EXIT_USAGE */
int applet_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage error for what getopt_long rejected (the dispatcher turns getopt's own messages off). */
int applet_bad_option(int argc, char **argv);
/* Writes the usage text to stdout and returns 0 (for -h/--help). */
int applet_help(const char *usage);
/* A decimal number in [min, max]; -1 and a usage error message when it is not. */
int applet_parse_int(const char *s, long min, long max, long *out);
/* Opens the proc root ($PROCBOX_PROC or /proc), reporting a failure; 0 or -1. */
int applet_open_root(struct pb_root *root);

#endif
