/* proc-pause: stop chosen processes with SIGSTOP, until proc-resume or (-t) for a time a guardian keeps to. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "applet.h"

/* after the usage line, its own options; targets_main adds the selection's */
static const char usage[] =
	"Stop processes (SIGSTOP) until proc-resume; see proc-pause(1).\n\n"
	"  -t, --timeout SECS        hold: resume after SECS or when ended\n"
	"  -n, --dry-run             only show what would be paused\n";

static const char shortopts[] = "t:ne:u:d:f:qvh";
static const struct option longopts[] = {
	{"timeout", required_argument, NULL, 't'},
	{"dry-run", no_argument, NULL, 'n'},
	TARGETS_LONGOPTS,
	{NULL, 0, NULL, 0},
};

/* a stop lands when the process next leaves the kernel: one in uninterruptible sleep takes it only then */
#define STOP_WAIT_MS 5000

/* -t: one guardian per round of the freeze that found processes to stop, all with the deadline of -t */
static struct pb_guardian guards[TARGETS_FREEZE_ROUNDS];
static size_t nguards;

static int stopped(char s)
{
	return s == 'T' || s == 't';
}

/*
 * Before the targets from `from` on get SIGSTOP: one stopped already (by job control, a debugger, an earlier
 * proc-pause) is left as it is, since -t resumes only what this pause stopped; with -t, a guardian for the rest,
 * ready before the first of them stops, so that no process is ever stopped with nothing to resume it.
 */
static int before_stop(struct targets *ts, size_t from)
{
	struct pb_ident *ids;
	size_t i, k = 0;
	long long left;
	int r = 0;

	for (i = from; i < ts->n; i++)
		if (ts->tg[i].outcome == O_PENDING && stopped(ts->tg[i].state))
			ts->tg[i].outcome = O_WAS_STOPPED;
	if (ts->timeout_ms < 0 || ts->dry_run)
		return 0;
	if (!(ids = malloc((ts->n - from + 1) * sizeof *ids))) {
		applet_warn("out of memory");
		return -1;
	}
	for (i = from; i < ts->n; i++)
		if (ts->tg[i].outcome == O_PENDING)
			ids[k++] = ts->tg[i].id;
	left = ts->start_ms + ts->timeout_ms - pb_now_ms();
	if (k && (r = pb_guardian_start(&guards[nguards], &ts->root, ids, k, left > 0 ? left : 0)))
		applet_warn("cannot start a guardian: %s", strerror(errno));
	else if (k)
		nguards++;
	free(ids);
	return r;
}

/* SIGSTOP sent: paused once /proc shows the process stopped, gone when it ended meanwhile */
static void confirm(struct targets *ts)
{
	long long end = pb_now_ms() + STOP_WAIT_MS;
	size_t i, left;
	char s;

	for (;;) {
		for (i = 0, left = 0; i < ts->n; i++) {
			struct target *t = &ts->tg[i];
			if (t->outcome != O_PENDING)
				continue;
			if (stopped(s = targets_state(ts, t)))
				t->outcome = O_PAUSED;
			else if (s)
				left++;
		}
		if (!left || pb_now_ms() >= end)
			break;
		poll(NULL, 0, 10);
	}
	targets_settle(ts, O_PENDING, O_STOP_PENDING);
}

/*
 * -t: the pause lasts while proc-pause runs, SECS at most. At the deadline it resumes them itself, then lets the
 * guardians go. Ended any earlier way (an interrupt, kill, even SIGKILL), it leaves that to the guardians: each
 * resumes its processes the moment its caller is gone.
 */
static void hold(struct targets *ts)
{
	size_t i, n = 0;

	/* pending while they wait: targets_wait shows them on a terminal and notices those that end meanwhile */
	targets_settle(ts, O_PAUSED, O_PENDING);
	targets_settle(ts, O_STOP_PENDING, O_PENDING);
	targets_wait(ts, O_ALREADY, O_ALREADY, ts->start_ms + ts->timeout_ms);
	for (i = 0; i < ts->n; i++)
		if (ts->tg[i].outcome == O_PENDING && targets_send(ts, &ts->tg[i], SIGCONT) == 0)
			n++;
	for (i = 0; i < nguards; i++)
		pb_guardian_done(&guards[i]);
	applet_info("resumed %zu", n);
}

static int write_json(struct targets *ts)
{
	struct pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, PB_JSON_OPEN ",\"tree\":%s,\"dry_run\":%s", ts->sel.tree ? "true" : "false",
		    ts->dry_run ? "true" : "false");
	pb_buf_addf(&b, ts->timeout_ms >= 0 ? ",\"timeout\":%.3f" : ",\"timeout\":null", (double)ts->timeout_ms / 1000);
	return targets_write_json(ts, &b, "paused", "left");
}

static int pause_run(struct targets *ts)
{
	size_t pending;
	int r = 0;

	ts->sig = SIGSTOP;
	if (ts->dry_run) {
		before_stop(ts, 0);
		targets_settle(ts, O_PENDING, O_DRY_RUN);
	} else {
		ts->start_ms = pb_now_ms();
		/* the guardians started so far resume what they hold as we exit */
		if (targets_freeze(ts, before_stop))
			return EXIT_NO;
		confirm(ts);
	}
	targets_sort(ts);
	if (ts->json)
		r = write_json(ts);
	else
		targets_print(ts);
	if ((pending = targets_count(ts, 1u << O_STOP_PENDING)))
		applet_warn("%zu not stopped yet (uninterruptible sleep)", pending);
	if (nguards)
		hold(ts);
	return r || pending || targets_count(ts, 1u << O_REFUSED | 1u << O_DENIED) ? EXIT_NO : 0;
}

int proc_pause_main(int argc, char **argv)
{
	return targets_main(argc, argv, 1, "pause", shortopts, longopts, usage, NULL, pause_run);
}
