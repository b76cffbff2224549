/* proc-stop: end chosen processes politely, then firmly: a signal, a wait, then SIGKILL. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "applet.h"

static const char usage[] =
	"Usage: proc-stop [OPTIONS] PID[@STARTTIME]... | -e NAME | -u USER | -d PID\n"
	"Send SIGTERM, wait, then SIGKILL (see proc-stop(1)).\n\n"
	"  -s, --signal SIG          the first signal (TERM)\n"
	"  -t, --timeout SECS        time before SIGKILL (10)\n"
	"      --no-kill             never send SIGKILL\n"
	"  -n, --dry-run             only show what would be signalled\n"
	"  -e, --exe-name NAME       executable called NAME\n"
	"  -u, --user USER           processes of USER\n"
	"  -d, --descendants-of PID  processes below PID\n"
	"      --tree                add their descendants\n"
	"      --strict              a PID not found or no match: exit 1\n"
	"  -f, --format text|json    output format\n"
	"  -q, --quiet               errors only\n"
	"  -v, --verbose             tell what happens\n"
	"  -h, --help                show this help\n";

enum { OPT_NO_KILL = TARGETS_OPT_STRICT + 1 };

static const char shortopts[] = "s:t:ne:u:d:f:qvh";
static const struct option longopts[] = {
	{"signal", required_argument, NULL, 's'},
	{"timeout", required_argument, NULL, 't'},
	{"no-kill", no_argument, NULL, OPT_NO_KILL},
	{"dry-run", no_argument, NULL, 'n'},
	{"exe-name", required_argument, NULL, 'e'},
	{"user", required_argument, NULL, 'u'},
	{"descendants-of", required_argument, NULL, 'd'},
	{"tree", no_argument, NULL, TARGETS_OPT_TREE},
	{"strict", no_argument, NULL, TARGETS_OPT_STRICT},
	{"format", required_argument, NULL, 'f'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
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

static void print_report(struct targets *ts)
{
	struct pb_buf b;
	size_t i;
	char name[96];

	pb_buf_init(&b);
	for (i = 0; i < ts->n; i++) {
		struct target *t = &ts->tg[i];
		double secs = t->end_ms >= 0 ? (double)(t->end_ms - ts->start_ms) / 1000 : 0;
		/* requests that found nothing and refusals have had their line on stderr */
		if (!t->state || t->outcome == O_REFUSED || t->outcome == O_DENIED)
			continue;
		pb_buf_adds(&b, targets_what(t, name, sizeof name));
		pb_buf_adds(&b, ": ");
		switch (t->outcome) {
		case O_TERMINATED:
		case O_KILLED: pb_buf_addf(&b, "%s after %.2f s", targets_outcome_name(ts, t->outcome), secs); break;
		case O_ALREADY:
			pb_buf_adds(&b, t->state == 'Z' ? "already gone (a zombie its parent has not collected)"
							: "already gone");
			break;
		case O_REUSED: pb_buf_adds(&b, "already gone (its pid belongs to another process now: not signalled)"); break;
		case O_SURVIVED:
			pb_buf_adds(&b, ts->no_kill || ts->sig == SIGKILL ? "still running" : "still running after SIGKILL");
			break;
		case O_DRY_RUN: pb_buf_addf(&b, "would get %s", applet_signal_name(ts->sig)); break;
		default: pb_buf_adds(&b, targets_outcome_name(ts, t->outcome)); break;
		}
		if (t->found_late)
			pb_buf_adds(&b, " (forked during the stop)");
		pb_buf_addc(&b, '\n');
	}
	targets_flush(&b);
}


static int stop_run(struct targets *ts)
{
	size_t survived = 0;
	long r;

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
	else if (applet_verbosity >= 1)
		print_report(ts);
	/* refusals and denials have had their own line */
	if (survived)
		applet_warn("%zu of %zu processes still running", survived, targets_found(ts));
	return targets_settle(ts, O_REFUSED, O_REFUSED) || targets_settle(ts, O_DENIED, O_DENIED) || survived ? EXIT_NO : 0;
}


/* a signal that leaves the process alive: waiting for it to end would make no sense */
static int stops_nothing(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGCONT;
}

int proc_stop_main(int argc, char **argv)
{
	struct targets ts;
	int c, r;

	if (targets_init(&ts, 1, argc))
		return EXIT_NO;
	ts.timeout_ms = 10000;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		r = 0;
		switch (c) {
		case 's':
			if (applet_parse_signal(optarg, &ts.sig))
				r = applet_usage_error("unknown signal '%s'", optarg);
			else if (stops_nothing(ts.sig))
				r = applet_usage_error("%s does not end a process", applet_signal_name(ts.sig));
			break;
		case 't':
			if (applet_parse_seconds(optarg, &ts.timeout_ms))
				r = applet_usage_error("bad timeout '%s' (seconds)", optarg);
			break;
		case OPT_NO_KILL: ts.no_kill = 1; break;
		case 'n': ts.dry_run = 1; break;
		case 'h': r = applet_help(usage); goto out;
		default:
			if ((r = targets_option(&ts, c, optarg)) < 0)
				r = applet_bad_option(argc, argv);
		}
		if (r)
			goto out;
	}
	if (!(r = targets_start(&ts, argc, argv, "stop")))
		r = stop_run(&ts);
out:
	targets_free(&ts);
	return r;
}
