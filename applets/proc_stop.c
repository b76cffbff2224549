/* proc-stop: end chosen processes politely, then firmly: a signal, a wait, then SIGKILL. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "applet.h"

/* after the usage line, its own options; targets_main adds the selection's */
static const char usage[] =
	"Send SIGTERM, wait, then SIGKILL (see proc-stop(1)).\n\n"
	"  -s, --signal SIG          the first signal (TERM)\n"
	"  -t, --timeout SECS        time before SIGKILL (10)\n"
	"      --no-kill             never send SIGKILL\n"
	"  -n, --dry-run             only show what would be signalled\n";

enum { OPT_NO_KILL = TARGETS_OPT_OWN };

static const char shortopts[] = "s:t:ne:u:d:f:qvh";
static const struct option longopts[] = {
	{"signal", required_argument, NULL, 's'},
	{"timeout", required_argument, NULL, 't'},
	{"no-kill", no_argument, NULL, OPT_NO_KILL},
	{"dry-run", no_argument, NULL, 'n'},
	TARGETS_LONGOPTS,
	{NULL, 0, NULL, 0},
};

/* SIGKILL is not instant for a process in uninterruptible sleep: how long to wait for it to land */
#define KILL_WAIT_MS 5000

static int write_json(struct targets *ts)
{
	struct pb_buf b;
	const char *sig = applet_signal_name(ts->sig);

	pb_buf_init(&b);
	pb_buf_adds(&b, PB_JSON_OPEN ",\"signal\":");
	pb_buf_json_str(&b, sig, strlen(sig));
	pb_buf_addf(&b, ",\"timeout\":%.3f,\"kill\":%s,\"tree\":%s,\"dry_run\":%s", (double)ts->timeout_ms / 1000,
		    ts->no_kill ? "false" : "true", ts->sel.tree ? "true" : "false", ts->dry_run ? "true" : "false");
	return targets_write_json(ts, &b, "gone", "left");
}

static int stop_run(struct targets *ts)
{
	size_t survived = 0;
	long r;

	if (ts->timeout_ms < 0)
		ts->timeout_ms = 10000;
	if (ts->dry_run) {
		targets_settle(ts, O_PENDING, O_DRY_RUN);
	} else {
		ts->start_ms = pb_now_ms();
		ts->signalled_with = ts->sig;
		targets_signal_all(ts, ts->sig);
		r = targets_wait(ts, O_TERMINATED, O_TERMINATED, ts->start_ms + ts->timeout_ms);
		if (r > 0 && !ts->no_kill && ts->sig != SIGKILL) {
			ts->signalled_with = SIGKILL;
			targets_signal_all(ts, SIGKILL);
			targets_wait(ts, O_KILLED, O_KILLED, pb_now_ms() + KILL_WAIT_MS);
		}
		survived = targets_settle(ts, O_PENDING, O_SURVIVED);
	}
	targets_sort(ts);
	if (ts->json)
		write_json(ts);
	else
		targets_print(ts);
	/* refusals and denials have had their own line */
	if (survived)
		applet_warn("%zu of %zu processes still running", survived, targets_found(ts));
	return targets_count(ts, 1u << O_REFUSED | 1u << O_DENIED) || survived ? EXIT_NO : 0;
}


/* a signal that leaves the process alive: waiting for it to end would make no sense */
static int stops_nothing(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGCONT;
}

/* -s and --no-kill; the rest are targets_main's */
static int stop_option(struct targets *ts, int c, const char *arg)
{
	if (c == OPT_NO_KILL) {
		ts->no_kill = 1;
		return 0;
	}
	if (c != 's')
		return -1;
	if (applet_parse_signal(arg, &ts->sig))
		return applet_usage_error("unknown signal '%s'", arg);
	if (stops_nothing(ts->sig))
		return applet_usage_error("%s does not end a process", applet_signal_name(ts->sig));
	return 0;
}

int proc_stop_main(int argc, char **argv)
{
	return targets_main(argc, argv, 1, "stop", shortopts, longopts, usage, stop_option, stop_run);
}
