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
/* A run time for people: [[D-]HH:]MM:SS in whole seconds; "-" when secs < 0 (unknown). */
void applet_add_duration(struct pb_buf *b, double secs);
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
/* The same with the program given by its path (NULL: argv[0] looked up on PATH). */
void applet_exec_file(const char *file, char **argv) __attribute__((noreturn));
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

/* ---- signals by name (applets/applet.c) ---- */
/* "SIGTERM", or "signal 42" for one without a name (a static buffer: use it before the next call) */
const char *applet_signal_name(int sig);
/* TERM, SIGTERM, term or 15 into *sig; 0, or -1 when it names no signal */
int applet_parse_signal(const char *s, int *sig);

/* ---- chosen processes (applets/targets.c): what proc-wait, proc-stop, proc-pause and proc-resume share ---- */
enum outcome {
	O_PENDING,     /* chosen and still running as far as we know */
	O_ENDED,       /* proc-wait: ended while we waited */
	O_ALREADY,     /* had ended (a zombie) or vanished before we acted */
	O_RUNNING,     /* proc-wait: still running when the time ran out */
	O_TERMINATED,  /* proc-stop: ended after the first signal */
	O_KILLED,      /* proc-stop: ended after SIGKILL */
	O_SURVIVED,    /* proc-stop: still running at the end */
	O_REFUSED,     /* never to be signalled (why says which rule) */
	O_DENIED,      /* the kernel refused the signal (err) */
	O_DRY_RUN,     /* -n: would be signalled */
	O_NO_PROCESS,  /* requested, but no process has the pid */
	O_REUSED,      /* requested or chosen, but the pid now belongs to another process */
	O_NOT_MATCHED, /* requested, but it fails a filter */
	O_PAUSED,      /* proc-pause: stopped (state T) by its SIGSTOP */
	O_WAS_STOPPED, /* proc-pause: stopped already: left as it is */
	O_STOP_PENDING, /* proc-pause: got SIGSTOP, not stopped yet (uninterruptible sleep) */
	O_RESUMED,     /* proc-resume: it was stopped and got SIGCONT */
	O_NOT_STOPPED, /* proc-resume: it was not stopped: left alone */
	O_COUNT
};

/* the outcomes counted as "left" (proc-stop) or "running" (proc-wait) */
#define STILL_THERE                                                                                            \
	(1u << O_PENDING | 1u << O_RUNNING | 1u << O_SURVIVED | 1u << O_REFUSED | 1u << O_DENIED | 1u << O_DRY_RUN | \
	 1u << O_STOP_PENDING)

struct target {
	struct pb_ident id;     /* starttime 0 for a requested pid that was never found */
	int ppid;
	char state;             /* at the scan; 0 when never found */
	int kthread, found_late, frozen, was_stopped, signalled, err;
	int asked_start;        /* a request not found: it named a start time (0 included) */
	char comm[PB_COMM_MAX];
	char *exe_name, *user;  /* NULL when never found */
	enum outcome outcome;
	const char *why;        /* the rule behind a refusal */
	long long end_ms;       /* when it was seen ended; -1 before */
};

struct targets {
	int signals;          /* the applet signals what it chose (the refusal rules apply), else it waits */
	struct pb_select sel; /* what to choose */
	int strict, json, no_kill, dry_run, sig;
	long long timeout_ms; /* -1: none */
	/* the selection's lists, room for every argument (one allocation, at pids) */
	struct pb_ident *pids, *below;
	unsigned char *pids_exact, *below_exact;
	const char **exe_names, **exe_paths;
	long *uids;
	/* what was chosen */
	struct pb_root root;
	int root_open;
	struct target *tg;
	size_t n, cap;
	long long start_ms; /* when the wait began (proc-stop: the first signal; 0 in a dry run) */
	int timed_out, signalled_with;
	const char *verb;
	char why_self[64], why_ancestor[64];
};

/* the long-only options of the selection, as getopt_long returns them; an applet's own start at TARGETS_OPT_OWN */
enum { TARGETS_OPT_TREE = 256, TARGETS_OPT_STRICT, TARGETS_OPT_EXE_PATH, TARGETS_OPT_DEPTH, TARGETS_OPT_LEVEL,
       TARGETS_OPT_OWN };
/* the selection's rows of every choosing applet's option table (its short letters: "e:u:d:f:qvh") */
#define TARGETS_LONGOPTS \
	{"exe-name", required_argument, NULL, 'e'}, \
	{"exe-path", required_argument, NULL, TARGETS_OPT_EXE_PATH}, \
	{"user", required_argument, NULL, 'u'}, \
	{"descendants-of", required_argument, NULL, 'd'}, \
	{"depth", required_argument, NULL, TARGETS_OPT_DEPTH}, \
	{"level", required_argument, NULL, TARGETS_OPT_LEVEL}, \
	{"tree", no_argument, NULL, TARGETS_OPT_TREE}, \
	{"strict", no_argument, NULL, TARGETS_OPT_STRICT}, \
	{"format", required_argument, NULL, 'f'}, \
	{"quiet", no_argument, NULL, 'q'}, \
	{"verbose", no_argument, NULL, 'v'}, \
	{"help", no_argument, NULL, 'h'}
/* rescans of a --tree for what it forked meanwhile; a fork bomb could outrun any number */
#define TARGETS_FREEZE_ROUNDS 10

/*
 * An applet of chosen processes from its start to its exit status: the options (own, when not NULL, takes the
 * applet's own ones first: 0, EXIT_USAGE after its line, -1 when c is none of them; the shared ones are -t into
 * timeout_ms, -n, the selection -e, --exe-path, -u, -d, --depth, --level, --tree, --strict, and -f, -q, -v, -h
 * with usage followed by the selection's lines), then the PID[@STARTTIME] operands, the checks, the root, one
 * scan and the choice (with a line for each request not found), then run(). signals: the refusal rules apply.
 * verb names the action in messages ("wait for", "stop").
 */
int targets_main(int argc, char **argv, int signals, const char *verb, const char *shortopts,
		 const struct option *longopts, const char *usage, int (*own)(struct targets *ts, int c, const char *arg),
		 int (*run)(struct targets *ts));
/* --exe-path PATH (absolute) into paths[sel->nexe_paths++], --depth N and --level N (1 or more) into sel, as
 * getopt_long returns them (TARGETS_OPT_*): 0, EXIT_USAGE after its usage line, -1 when c is none of them. */
int targets_select_option(struct pb_select *sel, const char **paths, int c, const char *arg);
/* Waits until every pending target has ended or the deadline (pb_now_ms() based, -1: none) passed: those
 * already ended when the wait starts become `already`, those that end while we wait `ended`. Returns how many
 * still run, or -1 after its line. */
long targets_wait(struct targets *ts, enum outcome already, enum outcome ended, long long deadline);
/* Sends sig to one target (pidfd); one that is gone or refuses gets its outcome. 0 when the signal was sent. */
int targets_send(struct targets *ts, struct target *t, int sig);
/* sig to every pending target (after freezing a --tree), then SIGCONT to those that were stopped. */
void targets_signal_all(struct targets *ts, int sig);
/* SIGSTOP to every pending target not frozen yet (each one stopped gets frozen set); with --tree, rescans for
 * what they forked meanwhile (found_late) and stops that too, until a rescan finds nothing new. before(ts, from)
 * (NULL: none) runs before the targets from index `from` on get their SIGSTOP, once per round; when it fails they
 * get none and the freeze returns -1. 0 otherwise. */
int targets_freeze(struct targets *ts, int (*before)(struct targets *ts, size_t from));
/* "PID (comm): result" for each process of the scan (refused and denied ones aside: they had their line on
 * stderr), with the time it took to end and the ones found late marked; on stdout, unless -q. */
void targets_print(struct targets *ts);
/* Targets with outcome `from` become `to` (the same: only counted); returns how many. */
size_t targets_settle(struct targets *ts, enum outcome from, enum outcome to);
/* Targets whose outcome is one of the bits (1u << O_...) of outcomes. */
size_t targets_count(const struct targets *ts, unsigned outcomes);
/* The state letter of a target now; 0 when it has ended or its pid went to another process (then its outcome
 * becomes O_ALREADY). */
char targets_state(struct targets *ts, struct target *t);
/* Targets that were processes of the scan (not requested pids that were never found). */
size_t targets_found(const struct targets *ts);
/* fmt (with the pid), the name, then end, for up to max targets with outcome o; returns how many. */
size_t targets_list(struct pb_buf *b, const struct targets *ts, enum outcome o, size_t max, const char *fmt,
		    const char *end);
/* "PID (comm)" of a target, into buf. */
const char *targets_what(const struct target *t, char *buf, size_t size);
const char *targets_outcome_name(const struct targets *ts, enum outcome o);
void targets_sort(struct targets *ts); /* by pid */
/* Writes b to stdout and frees it; 0, or 1 after a "write error" line. */
int targets_flush(struct pb_buf *b);
/* head holds '{' and the applet's own members; the targets and the counts named done and still close it. */
int targets_write_json(struct targets *ts, struct pb_buf *head, const char *done, const char *still);

/* ---- the desktop session (applets/desktop.c): what with-gui-environment and notify-send-headless share ---- */
struct desktop_opts {
	long uid;                /* --user, -1 for everyone */
	const char *user;        /* --user as given */
	const char *user_option; /* how the refusal names --user: -u, or --user where -u is notify-send's */
	int print_env;
};

/* --user ARG: 0, or EXIT_USAGE after its line */
int desktop_set_user(struct desktop_opts *o, const char *arg);
/* The one session: printed (--print-env), or cmd run inside it. Returns an exit status after its line (1 when
 * the sessions of two users pass), or execs. */
int desktop_run(const struct desktop_opts *o, char **cmd);

/* The vote, held for a caller that runs commands in several sessions. */
struct desktop {
	struct pb_root root;
	struct pb_table t;
	struct pb_session_search s;
};
/* Opens the root, scans and votes (every: pb_session_desktops too, see struct pb_session_search); -v explains
 * the vote. 0, or -1 after its line. d is to be freed either way. */
int desktop_find(struct desktop *d, long uid, int every);
void desktop_free(struct desktop *d);
/* The line saying why no session was found (of and name, when name is not NULL: " of user ", "alice"). */
void desktop_no_session(const struct desktop *d, const char *of, const char *name);
/* Runs cmd inside session x: as its user (root only) with a fresh environment, no descriptor above 2, a
 * session of its own, no new privileges and umask 022; in our own session with its variables set. Frees d
 * and execs, or returns an exit status (125) after its line. */
int desktop_exec(struct desktop *d, const struct pb_session *x, char **cmd);

#endif
