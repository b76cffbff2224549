/* proc-wait: wait until chosen processes have ended, whoever started them. */
#include <getopt.h>
#include <stdlib.h>

#include "applet.h"

/* after the usage line, its own options; targets_main adds the selection's */
static const char usage[] =
	"Wait until the chosen processes have ended (see proc-wait(1)).\n\n"
	"  -t, --timeout SECS        give up after SECS (exit 124)\n";

static const char shortopts[] = "t:e:u:d:f:qvh";
static const struct option longopts[] = {
	{"timeout", required_argument, NULL, 't'},
	TARGETS_LONGOPTS,
	{NULL, 0, NULL, 0},
};

static int write_json(struct targets *ts)
{
	struct pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, ts->timeout_ms >= 0 ? PB_JSON_OPEN ",\"timeout\":%.3f" : PB_JSON_OPEN ",\"timeout\":null",
		    (double)ts->timeout_ms / 1000);
	pb_buf_addf(&b, ",\"timed_out\":%s,\"seconds\":%.3f", ts->timed_out ? "true" : "false",
		    (double)(pb_now_ms() - ts->start_ms) / 1000);
	return targets_write_json(ts, &b, "ended", "running");
}

static int wait_run(struct targets *ts)
{
	struct pb_buf b;
	size_t running;
	long left;
	int r = 0;

	ts->start_ms = pb_now_ms();
	left = targets_wait(ts, O_ALREADY, O_ENDED, ts->timeout_ms < 0 ? -1 : ts->start_ms + ts->timeout_ms);
	if (left < 0)
		return EXIT_NO;
	running = targets_settle(ts, O_PENDING, O_RUNNING);
	ts->timed_out = running > 0;
	if (ts->json) {
		r = write_json(ts);
	} else if (running) {
		/* what still runs, one "PID NAME" a line, for the next command of the script */
		pb_buf_init(&b);
		targets_list(&b, ts, O_RUNNING, (size_t)-1, "%d ", "\n");
		r = targets_flush(&b);
	}
	if (running) {
		applet_warn("timed out after %.1f s: %zu of %zu processes still running", (double)ts->timeout_ms / 1000,
			    running, targets_found(ts));
		return EXIT_TIMEOUT;
	}
	return r ? EXIT_NO : 0;
}

int proc_wait_main(int argc, char **argv)
{
	return targets_main(argc, argv, 0, "wait for", shortopts, longopts, usage, NULL, wait_run);
}
