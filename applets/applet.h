/* What every applet shares with the dispatcher: its own name, error lines, usage errors, exit codes. */
#ifndef APPLET_H
#define APPLET_H

#include <getopt.h>

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
extern int applet_verbosity; /* 0 with -q, 1 by default, 2 with -v */

/* "applet: message" on stderr (and syslog once applet_syslog(1) found /dev/log) */
void applet_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void applet_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* unless -q */
void applet_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* only with -v */
/* Also log to syslog when on and /dev/log exists; returns whether it does. */
int applet_syslog(int on);
/* Progress of a long wait: on a terminal one self-updating line (call it about once a second); otherwise a
 * log line when changed is set, and at most once a minute when not. applet_progress_done() clears the line. */
void applet_progress(const char *line, int changed);
void applet_progress_done(void);
/* "applet: message" plus a hint at --help on stderr; returns EXIT_USAGE */
int applet_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage error for what getopt_long rejected with '?' (the dispatcher sets opterr to 0: the C library
 * prints nothing itself, the applet gives one line). */
int applet_bad_option(int argc, char **argv);
/* Writes text to fd whole; 0, or 1 after a "write error" line. */
int applet_print(int fd, const char *text);
/* Writes the usage text to stdout and returns 0 (for -h/--help), 1 when it could not. */
int applet_help(const char *usage);
/* Digits making a number in [min, max] (0 <= min <= max); -1 when they do not. */
int applet_parse_int(const char *s, long min, long max, long *out);
/* PID or PID@STARTTIME from the command line (pb_parse_ident); *exact says whether a start time was given.
 * 0, or EXIT_USAGE after its usage error line. */
int applet_parse_ident(const char *arg, struct pb_ident *id, unsigned char *exact);
/* Every start time given (exact[i]) lies at or before now by the root's clock: 0; EXIT_USAGE after one line for
 * the first that lies after it (a date, another unit); EXIT_NO after one line when the clock cannot be read.
 * Call it once the root is open, before the identities are looked up. */
int applet_check_idents(const struct pb_root *root, const struct pb_ident *ids, const unsigned char *exact,
			size_t n);
/* Seconds, with an optional fraction ("2.5"), to milliseconds; -1 when it is not a number. */
int applet_parse_seconds(const char *s, long long *ms);
/* "export NAME='value'" with the value quoted for any POSIX shell. */
void applet_print_export(struct pb_buf *b, const char *name, const char *value, size_t len);
/* execvp, or exit: 127 when the command is not found, 126 when it cannot be run (after one error line). */
void applet_exec(char **argv) __attribute__((noreturn));
/* Opens the proc root ($PROCBOX_PROC or /proc), reporting a failure; 0 or -1. */
int applet_open_root(struct pb_root *root);
/* Why processes may be missing from a scan, for one warning line: other users' processes hidden (hidepid=) or
 * N processes whose stat could not be read; NULL when every process was visible. Applets that report "no such
 * process" add it, so that a hidden process is never claimed not to run. */
const char *applet_visibility_note(const struct pb_table *t, char *buf, size_t size);
/* The dispatcher's safety net: when the root applet_open_root opened hides other users' processes and the
 * applet never gave applet_visibility_note's line, that line (the dispatcher prints it after the applet);
 * NULL otherwise. */
const char *applet_visibility_unsaid(void);

#endif
