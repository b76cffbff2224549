/* proc-resume: let chosen processes that are stopped run again (SIGCONT), leaving the others alone. */
#include <getopt.h>
#include <signal.h>

#include "applet.h"

/* after the usage line, its own options; targets_main adds the selection's */
static const char usage[] =
	"Send SIGCONT to those that are stopped; see proc-resume(1).\n\n"
	"  -n, --dry-run             only show what would be resumed\n";

static const char shortopts[] = "ne:u:d:f:qvh";
static const struct option longopts[] = {
	{"dry-run", no_argument, NULL, 'n'},
	TARGETS_LONGOPTS,
	{NULL, 0, NULL, 0},
};

static int resume_run(struct targets *ts)
{
	struct pb_buf b;
	size_t i;
	char s;
	int r = 0;

	ts->sig = SIGCONT;
	for (i = 0; i < ts->n; i++) {
		struct target *t = &ts->tg[i];
		if (t->outcome != O_PENDING)
			continue;
		/* the state now, not at the scan: SIGCONT goes only to a process that is stopped (T) */
		if (!(s = targets_state(ts, t)))
			continue;
		if (s != 'T')
			t->outcome = O_NOT_STOPPED;
		else if (ts->dry_run)
			t->outcome = O_DRY_RUN;
		else if (targets_send(ts, t, SIGCONT) == 0)
			t->outcome = O_RESUMED;
	}
	targets_sort(ts);
	if (ts->json) {
		pb_buf_init(&b);
		pb_buf_addf(&b, PB_JSON_OPEN ",\"tree\":%s,\"dry_run\":%s", ts->sel.tree ? "true" : "false",
			    ts->dry_run ? "true" : "false");
		r = targets_write_json(ts, &b, "resumed", "left");
	} else {
		targets_print(ts);
	}
	return r || targets_count(ts, 1u << O_REFUSED | 1u << O_DENIED) ? EXIT_NO : 0;
}

int proc_resume_main(int argc, char **argv)
{
	return targets_main(argc, argv, 1, "resume", shortopts, longopts, usage, NULL, resume_run);
}
