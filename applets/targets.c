/* The chosen processes of proc-wait, proc-stop, proc-pause and proc-resume: the selection options they share,
 * choosing from one scan, reporting what was asked for and not found, waiting, signalling through pidfds (the
 * freeze of a tree), and the report and JSON of the result. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"

/* the names in --format json (proc-wait says "already ended" where proc-stop says "already gone") */
static const char *const outcome_names[O_COUNT] = {
	[O_PENDING] = "running", [O_ENDED] = "ended", [O_ALREADY] = "already gone", [O_RUNNING] = "running",
	[O_TERMINATED] = "terminated", [O_KILLED] = "killed", [O_SURVIVED] = "survived", [O_REFUSED] = "refused",
	[O_DENIED] = "not permitted", [O_DRY_RUN] = "would signal", [O_NO_PROCESS] = "no such process",
	[O_REUSED] = "pid reused", [O_NOT_MATCHED] = "not matched", [O_PAUSED] = "paused",
	[O_WAS_STOPPED] = "already stopped", [O_STOP_PENDING] = "stop pending", [O_RESUMED] = "resumed",
	[O_NOT_STOPPED] = "not stopped",
};

const char *targets_outcome_name(const struct targets *ts, enum outcome o)
{
	return !ts->signals && o == O_ALREADY ? "already ended" : outcome_names[o];
}


/* ---- choosing ---- */

static struct target *new_target(struct targets *ts)
{
	struct target *t;

	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 16;
		t = realloc(ts->tg, cap * sizeof *t);
		if (!t)
			return NULL;
		ts->tg = t;
		ts->cap = cap;
	}
	t = &ts->tg[ts->n++];
	memset(t, 0, sizeof *t);
	t->end_ms = -1;
	return t;
}

static int add_found(struct targets *ts, struct pb_table *tab, struct pb_ident id, int found_late)
{
	struct pb_proc *p = pb_find_pid(tab, id.pid);
	struct target *t;

	if (!p || !(t = new_target(ts)))
		return p ? -1 : 0;
	t->id = id;
	t->ppid = p->st.ppid;
	t->state = p->st.state;
	t->kthread = (p->st.flags & PB_PF_KTHREAD) != 0;
	t->found_late = found_late;
	memcpy(t->comm, p->st.comm, sizeof t->comm);
	t->exe_name = strdup(pb_exe_name(tab, p));
	t->user = strdup(pb_user(tab, p));
	if (!t->exe_name || !t->user)
		return -1;
	/* a zombie has ended: its parent just has not collected it */
	if (p->st.state == 'Z' || p->st.state == 'X' || p->st.state == 'x')
		t->outcome = O_ALREADY, t->end_ms = pb_now_ms();
	return 0;
}

/* the why of a missed -d PID, as --format json gives it */
static const char below_reason[] = "a --descendants-of process";

static int add_missed(struct targets *ts, const struct pb_select_miss *m)
{
	struct target *t = new_target(ts);

	if (!t)
		return -1;
	t->id = m->id;
	t->asked_start = m->why == PB_SELECT_REUSED || m->id.starttime;
	t->outcome = m->why == PB_SELECT_NO_PROCESS ? O_NO_PROCESS : m->why == PB_SELECT_REUSED ? O_REUSED
												  : O_NOT_MATCHED;
	t->why = m->below ? below_reason : NULL;
	return 0;
}

/* Rules for the applets that signal: processes that must never be signalled, whoever asks. */
static void refuse(struct targets *ts, struct pb_table *tab)
{
	int self = ts->sel.self;
	struct pb_proc *me = self ? pb_find_pid(tab, self) : NULL, *p;
	size_t i;

	snprintf(ts->why_self, sizeof ts->why_self, "it is %s itself", applet_name);
	snprintf(ts->why_ancestor, sizeof ts->why_ancestor, "it is an ancestor of %s", applet_name);
	for (i = 0; i < ts->n; i++) {
		struct target *t = &ts->tg[i];
		if (t->outcome != O_PENDING)
			continue;
		if (t->id.pid == 1)
			t->why = "it is pid 1, the init of its pid namespace";
		else if (t->id.pid == self)
			t->why = ts->why_self;
		else if (t->kthread)
			t->why = "it is a kernel thread";
		else if (me && (p = pb_find_pid(tab, t->id.pid)) && pb_is_ancestor(tab, p, me))
			t->why = ts->why_ancestor;
		if (t->why)
			t->outcome = O_REFUSED;
	}
}

/* One scan: the chosen processes become targets, the requested ones not found too (with their reason). */
static int choose(struct targets *ts)
{
	struct pb_selection got;
	struct pb_table tab;
	size_t i;
	int r = -1;

	if (pb_scan(&ts->root, &tab)) {
		applet_warn("cannot scan %s: %s", ts->root.path, strerror(errno));
		return -1;
	}
	if (pb_select(&tab, &ts->sel, &got)) {
		applet_warn("out of memory");
		pb_table_free(&tab);
		return -1;
	}
	for (i = 0; i < got.n; i++)
		if (add_found(ts, &tab, got.ids[i], 0))
			goto out;
	for (i = 0; i < got.nmissed; i++)
		if (add_missed(ts, &got.missed[i]))
			goto out;
	if (ts->signals)
		refuse(ts, &tab);
	r = 0;
out:
	if (r)
		applet_warn("out of memory");
	pb_selection_free(&got);
	pb_table_free(&tab);
	return r;
}

const char *targets_what(const struct target *t, char *buf, size_t size)
{
	struct pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, "%d", t->id.pid);
	if (t->state) {
		pb_buf_adds(&b, " (");
		pb_buf_text_str(&b, t->comm, strlen(t->comm));
		pb_buf_adds(&b, ")");
	}
	snprintf(buf, size, "%s", b.failed || !b.data ? "?" : b.data);
	pb_buf_free(&b);
	return buf;
}

/* Notes on what was asked for and not found; 1 when --strict makes that (or choosing nothing) an error. */
static int report_choice(struct targets *ts)
{
	size_t i, found = 0, missing = 0;
	char name[96], asked[48], note[160];

	for (i = 0; i < ts->n; i++) {
		struct target *t = &ts->tg[i];
		const char *as = t->why == below_reason ? " (of --descendants-of)" : "";
		const char *then = ts->signals ? "counted as gone" : "counted as ended";
		snprintf(asked, sizeof asked, t->asked_start ? "%d@%llu" : "%d", t->id.pid, t->id.starttime);
		switch (t->outcome) {
		case O_NO_PROCESS: snprintf(note, sizeof note, "no process %s%s", asked, as); break;
		case O_REUSED:
			snprintf(note, sizeof note, "process %s%s has ended%s the pid belongs to another process now", asked,
				 as, ts->strict ? ":" : ",");
			if (ts->signals)
				then = "counted as gone, not signalled";
			break;
		case O_NOT_MATCHED:
			snprintf(note, sizeof note, "process %d does not match the filters", t->id.pid);
			then = "left alone";
			break;
		case O_REFUSED:
			applet_warn("refusing to signal %s: %s", targets_what(t, name, sizeof name), t->why);
			/* fall through */
		default: found++; continue;
		}
		/* --strict: the note is the error; otherwise it tells what becomes of the process */
		missing++;
		if (ts->strict)
			applet_warn("%s", note);
		else
			applet_info("%s: %s", note, then);
	}
	if (!found && !missing) {
		if (ts->strict) {
			applet_warn("no process matched");
			return 1;
		}
		applet_info("no process matched");
	}
	return ts->strict && missing;
}

/* Targets with outcome `from` become `to` (the same: only counted); returns how many. */
size_t targets_settle(struct targets *ts, enum outcome from, enum outcome to)
{
	size_t i, n = 0;

	for (i = 0; i < ts->n; i++)
		if (ts->tg[i].outcome == from) {
			ts->tg[i].outcome = to;
			n++;
		}
	return n;
}

size_t targets_count(const struct targets *ts, unsigned outcomes)
{
	size_t i, n = 0;

	for (i = 0; i < ts->n; i++)
		n += (outcomes >> ts->tg[i].outcome) & 1;
	return n;
}

char targets_state(struct targets *ts, struct target *t)
{
	char s = pb_state(&ts->root, t->id);

	if (s && s != 'Z' && s != 'X' && s != 'x')
		return s;
	t->outcome = O_ALREADY;
	return 0;
}

/* fmt (with the pid), the name, then end, for up to max targets with outcome o; returns how many */
size_t targets_list(struct pb_buf *b, const struct targets *ts, enum outcome o, size_t max, const char *fmt,
		   const char *end)
{
	size_t i, n = 0;

	for (i = 0; i < ts->n && n < max; i++) {
		const struct target *t = &ts->tg[i];
		if (t->outcome != o)
			continue;
		pb_buf_addf(b, fmt, t->id.pid);
		pb_buf_text_str(b, t->comm, strlen(t->comm));
		pb_buf_adds(b, end);
		n++;
	}
	return n;
}

/* writes b to stdout and frees it */
int targets_flush(struct pb_buf *b)
{
	int r = pb_buf_write_fd(b, 1);

	if (r)
		applet_warn("write error: %s", strerror(errno));
	pb_buf_free(b);
	return r;
}

void targets_print(struct targets *ts)
{
	struct pb_buf b;
	size_t i;
	char name[96];

	if (applet_verbosity < 1)
		return;
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
			pb_buf_addf(&b, " (forked during the %s)", ts->verb);
		pb_buf_addc(&b, '\n');
	}
	targets_flush(&b);
}

/* ---- waiting ---- */

static void progress(struct targets *ts, long long deadline, int changed)
{
	struct pb_buf b;
	size_t left = targets_settle(ts, O_PENDING, O_PENDING);
	long long now = pb_now_ms();

	pb_buf_init(&b);
	if (ts->sig == SIGSTOP)
		pb_buf_addf(&b, "%zu %s paused", left, left == 1 ? "process" : "processes");
	else if (ts->signals)
		pb_buf_addf(&b, "%zu %s still running after %s", left, left == 1 ? "process" : "processes",
			    applet_signal_name(ts->signalled_with));
	else
		pb_buf_addf(&b, "waiting for %zu %s", left, left == 1 ? "process" : "processes");
	if (deadline >= 0)
		pb_buf_addf(&b, ", %lld s left:", (deadline - now + 999) / 1000);
	else
		pb_buf_addf(&b, ", %lld s:", (now - ts->start_ms) / 1000);
	if (targets_list(&b, ts, O_PENDING, 8, " %d ", "") < left)
		pb_buf_adds(&b, " ...");
	if (!b.failed && b.data)
		applet_progress(b.data, changed);
	pb_buf_free(&b);
}

/*
 * Waits until every pending target has ended or the deadline (-1: none) passed. Those already ended when the
 * wait starts become `already`, those that end while we wait `ended`. Returns how many still run, or -1.
 * pidfds and poll: no busy loop; the core polls /proc where the kernel has no pidfds.
 */
long targets_wait(struct targets *ts, enum outcome already, enum outcome ended, long long deadline)
{
	struct pb_waitset ws;
	struct pb_ident *ids;
	size_t *map, i, k = 0;
	long long now, chunk;
	char name[96];
	long left = -1;
	long long from = ts->start_ms;
	int tty = applet_verbosity >= 1 && isatty(2), changed = 1, first = 1;

	/* the pending ids, and after them which target each one is */
	ids = malloc((ts->n + 1) * (sizeof *ids + sizeof *map));
	if (!ids)
		goto nomem;
	map = (size_t *)(ids + ts->n + 1);
	for (i = 0; i < ts->n; i++)
		if (ts->tg[i].outcome == O_PENDING) {
			ids[k] = ts->tg[i].id;
			map[k++] = i;
		}
	if (pb_waitset_init(&ws, &ts->root, ids, k))
		goto nomem;
	for (;;) {
		now = pb_now_ms();
		for (i = 0; i < ws.n; i++) {
			struct target *t = &ts->tg[map[i]];
			if (!ws.ended[i] || t->outcome != O_PENDING)
				continue;
			t->outcome = first ? already : ended;
			t->end_ms = now;
			applet_debug("%s %s after %.2f s", targets_what(t, name, sizeof name),
				     targets_outcome_name(ts, t->outcome), (double)(now - from) / 1000);
			changed = 1;
		}
		first = 0;
		left = (long)ws.left;
		if (!left || (deadline >= 0 && now >= deadline))
			break;
		chunk = deadline < 0 ? -1 : deadline - now;
		if (tty) {
			/* only on a terminal: a log or a pipe stays quiet; -v tells each ending instead */
			progress(ts, deadline, changed);
			/* the line counts seconds */
			if (chunk < 0 || chunk > 1000)
				chunk = 1000;
		}
		changed = 0;
		if (chunk > 3600000)
			chunk = 3600000;
		if (pb_waitset_wait(&ws, (int)chunk) < 0 && errno != EINTR) {
			applet_warn("cannot wait: %s", strerror(errno));
			left = -1;
			break;
		}
	}
	if (tty)
		applet_progress_done();
	pb_waitset_free(&ws);
	free(ids);
	return left;
nomem:
	applet_warn("out of memory");
	free(ids);
	return -1;
}

/* ---- output ---- */

/* ,"key":"string" or ,"key":null */
static void json_str(struct pb_buf *b, const char *key, const char *s)
{
	pb_buf_addf(b, ",\"%s\":", key);
	if (s)
		pb_buf_json_str(b, s, strlen(s));
	else
		pb_buf_adds(b, "null");
}

static const char *json_bool(int v)
{
	return v ? "true" : "false";
}

/* btime: the boot time for "started", -1 when unknown */
static void json_target(struct pb_buf *b, const struct targets *ts, const struct target *t, long long btime, int first)
{
	long long from = ts->start_ms;
	const char *reason = t->why;

	/* the identity every applet prints; a requested pid never found has no start time unless one was asked */
	pb_buf_adds(b, first ? "\n{" : ",\n{");
	pb_json_ident(b, &ts->root, btime, t->id, t->state != 0 || t->asked_start);
	pb_buf_addf(b, t->state ? ",\"ppid\":%d" : ",\"ppid\":null", t->ppid);
	json_str(b, "comm", t->state ? t->comm : NULL);
	json_str(b, "exe_name", t->exe_name);
	json_str(b, "user", t->user);
	json_str(b, "result", targets_outcome_name(ts, t->outcome));
	pb_buf_addf(b, t->end_ms >= 0 && from > 0 && t->end_ms >= from ? ",\"seconds\":%.3f" : ",\"seconds\":null",
		    (double)(t->end_ms - from) / 1000);
	if (t->outcome == O_DENIED)
		reason = strerror(t->err);
	else if (t->outcome != O_REFUSED && t->outcome != O_NO_PROCESS && t->outcome != O_REUSED)
		reason = NULL;
	json_str(b, "reason", reason);
	if (ts->signals)
		pb_buf_addf(b, ",\"found_late\":%s", json_bool(t->found_late));
	pb_buf_addc(b, '}');
}

static int by_pid(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return (x->id.pid > y->id.pid) - (x->id.pid < y->id.pid);
}

/* head holds the applet's own members, '{' included; the targets and the two counts close the document */
int targets_write_json(struct targets *ts, struct pb_buf *head, const char *done, const char *still)
{
	size_t i, left = 0;
	long long btime = -1;

	if (ts->n)
		pb_root_btime(&ts->root, &btime);
	pb_buf_adds(head, ",\"processes\":[");
	for (i = 0; i < ts->n; i++) {
		json_target(head, ts, &ts->tg[i], btime, i == 0);
		left += (STILL_THERE >> ts->tg[i].outcome) & 1;
	}
	pb_buf_addf(head, "\n],\n\"%s\":%zu,\"%s\":%zu}\n", done, ts->n - left, still, left);
	return targets_flush(head);
}

void targets_sort(struct targets *ts)
{
	qsort(ts->tg, ts->n, sizeof *ts->tg, by_pid);
}

/* targets that were processes of the scan (not requested pids that were never found) */
size_t targets_found(const struct targets *ts)
{
	size_t i, n = 0;

	for (i = 0; i < ts->n; i++)
		n += ts->tg[i].state != 0;
	return n;
}


/* After "no such process": ended, or ended and the pid went to another process (which we leave alone). */
static void gone(struct targets *ts, struct target *t)
{
	struct pb_pin pin;

	t->end_ms = pb_now_ms();
	/* after our first signal arrived, ending is what we asked for, even past the deadline */
	if (t->signalled) {
		t->outcome = O_TERMINATED;
		return;
	}
	t->outcome = O_ALREADY;
	if (pb_pin_open(&ts->root, t->id.pid, 0, &pin) == 0) {
		if (pin.starttime != t->id.starttime)
			t->outcome = O_REUSED;
		pb_pin_close(&pin);
	}
}

/* pb_signal to a target; what cannot be reached gets its outcome. Returns 0 when the signal was sent. */
int targets_send(struct targets *ts, struct target *t, int sig)
{
	char name[96];

	if (pb_signal(&ts->root, t->id, sig) == 0) {
		applet_debug("sent %s to %s", applet_signal_name(sig), targets_what(t, name, sizeof name));
		return 0;
	}
	if (errno == ESRCH) {
		gone(ts, t);
		applet_debug("%s is gone", targets_what(t, name, sizeof name));
	} else {
		t->err = errno;
		t->outcome = O_DENIED;
		applet_warn("cannot signal %s: %s", targets_what(t, name, sizeof name), strerror(t->err));
	}
	return -1;
}

/*
 * SIGSTOP to every pending target not frozen yet; with --tree, then a rescan for what they forked meanwhile, which
 * is stopped too, until a rescan finds nothing new. A frozen tree cannot fork or respawn workers while we signal
 * it. before(ts, from), when given, runs before the targets from index `from` on get their SIGSTOP; when it
 * fails, they get none and the freeze ends (-1).
 */
int targets_freeze(struct targets *ts, int (*before)(struct targets *ts, size_t from))
{
	struct pb_ident *ids, *found = NULL;
	struct pb_table tab;
	size_t i, k, from = 0;
	long n = 0;
	int round;

	for (round = 0; round < TARGETS_FREEZE_ROUNDS; round++) {
		if (before && before(ts, from))
			return -1;
		for (i = from; i < ts->n; i++)
			if (ts->tg[i].outcome == O_PENDING && !ts->tg[i].frozen && targets_send(ts, &ts->tg[i], SIGSTOP) == 0)
				ts->tg[i].frozen = 1;
		from = ts->n;
		if (!ts->sel.tree || !(ids = malloc((ts->n + 1) * sizeof *ids)))
			return 0;
		for (i = 0, k = 0; i < ts->n; i++)
			if (ts->tg[i].outcome == O_PENDING)
				ids[k++] = ts->tg[i].id;
		if (pb_scan(&ts->root, &tab)) {
			free(ids);
			return 0;
		}
		n = pb_select_new_descendants(&tab, ids, k, ts->sel.self, &found);
		for (i = 0; i < (size_t)(n > 0 ? n : 0); i++) {
			applet_debug("found %d, forked since the scan", found[i].pid);
			if (add_found(ts, &tab, found[i], 1))
				break;
		}
		free(found);
		free(ids);
		pb_table_free(&tab);
		if (n <= 0)
			return 0;
	}
	applet_warn("the tree kept forking through %d rescans; stopping what was found", TARGETS_FREEZE_ROUNDS);
	return 0;
}

/* the first signal (or SIGKILL) to every pending target, with SIGCONT for those that are stopped */
void targets_signal_all(struct targets *ts, int sig)
{
	static const unsigned char held[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
	sigset_t block, old;
	size_t i;

	/* an interrupt now would leave a frozen tree behind: take it after the SIGCONTs */
	sigemptyset(&block);
	for (i = 0; i < sizeof held; i++)
		sigaddset(&block, held[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (ts->sel.tree)
		targets_freeze(ts, NULL);
	for (i = 0; i < ts->n; i++) {
		struct target *t = &ts->tg[i];
		char s;
		if (t->outcome != O_PENDING)
			continue;
		if (!t->frozen) {
			s = pb_state(&ts->root, t->id);
			t->was_stopped = s == 'T' || s == 't';
		}
		if (targets_send(ts, t, sig) == 0 && sig == ts->sig)
			t->signalled = 1;
	}
	/* a stopped process cannot act on the signal until it runs again; SIGKILL needs no help */
	if (sig != SIGKILL)
		for (i = 0; i < ts->n; i++) {
			struct target *t = &ts->tg[i];
			if (t->outcome == O_PENDING && (t->frozen || t->was_stopped))
				targets_send(ts, t, SIGCONT);
		}
	for (i = 0; i < ts->n; i++)
		ts->tg[i].frozen = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}


/* ---- the options and operands every such applet takes ---- */

/* the selection's lines of every such applet's usage, after its own */
static const char selection_usage[] =
	"  -e, --exe-name NAME       executable called NAME\n"
	"      --exe-path PATH       executable at PATH\n"
	"  -u, --user USER           processes of USER\n"
	"  -d, --descendants-of PID  processes below PID\n"
	"      --depth|--level N     down to / just N levels below it\n"
	"      --tree                add their descendants\n"
	"      --strict              a PID not found or no match: exit 1\n"
	"  -f, --format text|json    output format\n"
	"  -q, --quiet               errors only\n"
	"  -v, --verbose             tell what happens\n"
	"  -h, --help                show this help\n";

static int init(struct targets *ts, int signals, int argc)
{
	size_t room = (size_t)argc + 1;

	memset(ts, 0, sizeof *ts);
	ts->signals = signals;
	ts->sig = SIGTERM;
	ts->timeout_ms = -1;
	/* room for every argument in each list, in one allocation (the flags last: of 8-byte alignment before) */
	ts->pids = calloc(room, 2 * sizeof *ts->pids + 2 * sizeof *ts->exe_names + sizeof *ts->uids + 2);
	if (!ts->pids) {
		applet_warn("out of memory");
		return -1;
	}
	ts->below = ts->pids + room;
	ts->exe_names = (const char **)(ts->below + room);
	ts->exe_paths = ts->exe_names + room;
	ts->uids = (long *)(ts->exe_paths + room);
	ts->pids_exact = (unsigned char *)(ts->uids + room);
	ts->below_exact = ts->pids_exact + room;
	ts->sel.pids = ts->pids;
	ts->sel.below = ts->below;
	ts->sel.exe_names = ts->exe_names;
	ts->sel.exe_paths = ts->exe_paths;
	ts->sel.uids = ts->uids;
	ts->sel.pids_exact = ts->pids_exact;
	ts->sel.below_exact = ts->below_exact;
	return 0;
}

int targets_select_option(struct pb_select *sel, const char **paths, int c, const char *arg)
{
	if (c == TARGETS_OPT_EXE_PATH) {
		/* the kernel's exe link is absolute: anything else would match nothing */
		if (*arg != '/')
			return applet_usage_error("--exe-path needs an absolute path: '%s'", arg);
		paths[sel->nexe_paths++] = arg;
		return 0;
	}
	if (c != TARGETS_OPT_DEPTH && c != TARGETS_OPT_LEVEL)
		return -1;
	if (applet_parse_int(arg, 1, 1000000000, c == TARGETS_OPT_DEPTH ? &sel->depth : &sel->level))
		return applet_usage_error("bad number of levels '%s' (1 or more)", arg);
	return 0;
}

/* the options every such applet shares: 0, EXIT_USAGE after its line, -1 when c is none of them */
static int option(struct targets *ts, int c, const char *arg)
{
	switch (c) {
	case 't':
		if (applet_parse_seconds(arg, &ts->timeout_ms))
			return applet_usage_error("bad timeout '%s' (seconds)", arg);
		return 0;
	case 'n': ts->dry_run = 1; return 0;
	case 'e': ts->exe_names[ts->sel.nexe++] = arg; return 0;
	case 'u':
		if ((ts->uids[ts->sel.nuids++] = pb_user_lookup(arg)) < 0)
			return applet_usage_error("unknown user '%s'", arg);
		return 0;
	case 'd':
		if (applet_parse_ident(arg, &ts->below[ts->sel.nbelow], &ts->below_exact[ts->sel.nbelow]))
			return EXIT_USAGE;
		ts->sel.nbelow++;
		return 0;
	case TARGETS_OPT_TREE: ts->sel.tree = 1; return 0;
	case TARGETS_OPT_STRICT: ts->strict = 1; return 0;
	case 'f':
		if (!strcmp(arg, "json"))
			ts->json = 1;
		else if (strcmp(arg, "text"))
			return applet_usage_error("unknown format '%s' (text or json)", arg);
		return 0;
	case 'q': applet_verbosity = 0; return 0;
	case 'v': applet_verbosity = 2; return 0;
	}
	return targets_select_option(&ts->sel, ts->exe_paths, c, arg);
}

/* After the options: the PID[@STARTTIME] operands from optind, the checks, the root, one scan and the choice,
 * with a line for each request not found. 0 to go on, else the exit status (after its line). */
static int start(struct targets *ts, int argc, char **argv)
{
	const char *verb = ts->verb;
	size_t i;
	int r;

	for (; optind < argc; optind++, ts->sel.npids++)
		if (applet_parse_ident(argv[optind], &ts->pids[ts->sel.npids], &ts->pids_exact[ts->sel.npids]))
			return EXIT_USAGE;
	if (!ts->sel.npids && !ts->sel.nexe && !ts->sel.nexe_paths && !ts->sel.nuids && !ts->sel.nbelow)
		return applet_usage_error("nothing to %s: give PIDs, -e, --exe-path, -u or -d", verb);
	if ((ts->sel.depth || ts->sel.level) && !ts->sel.nbelow)
		return applet_usage_error("--depth and --level need -d PID");
	/* the tree of init is every process on the machine */
	for (i = 0; ts->signals && i < ts->sel.npids + ts->sel.nbelow; i++) {
		int pid = i < ts->sel.npids ? ts->pids[i].pid : ts->below[i - ts->sel.npids].pid;
		if (pid == 1 && (ts->sel.tree || i >= ts->sel.npids))
			return applet_usage_error("refusing to %s every process: %s 1", verb,
						  i < ts->sel.npids ? "--tree" : "-d");
	}
	if (applet_open_root(&ts->root))
		return EXIT_NO;
	ts->root_open = 1;
	/* a start time after now names no process: a usage error, not one that ended */
	if ((r = applet_check_idents(&ts->root, ts->pids, ts->pids_exact, ts->sel.npids)) ||
	    (r = applet_check_idents(&ts->root, ts->below, ts->below_exact, ts->sel.nbelow)))
		return r;
	if (ts->signals && !ts->root.is_live && !ts->dry_run) {
		applet_warn("%s is not the live /proc: refusing to signal its processes (see -n)", ts->root.path);
		return EXIT_NO;
	}
	/* a saved tree holds other processes under our pid */
	ts->sel.self = ts->root.is_live ? (int)getpid() : 0;
	if (choose(ts) || report_choice(ts))
		return EXIT_NO;
	return 0;
}

static void targets_free(struct targets *ts)
{
	size_t i;

	if (ts->root_open)
		pb_root_close(&ts->root);
	for (i = 0; i < ts->n; i++) {
		free(ts->tg[i].exe_name);
		free(ts->tg[i].user);
	}
	free(ts->tg);
	free(ts->pids);
}

int targets_main(int argc, char **argv, int signals, const char *verb, const char *shortopts,
		 const struct option *longopts, const char *usage, int (*own)(struct targets *, int, const char *),
		 int (*run)(struct targets *))
{
	struct targets ts;
	struct pb_buf b;
	int c, r = EXIT_NO;

	if (init(&ts, signals, argc))
		return EXIT_NO;
	ts.verb = verb;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			pb_buf_init(&b);
			pb_buf_addf(&b, "Usage: %s [OPTIONS] PID[@STARTTIME]... | -e NAME | --exe-path PATH | -u USER | -d PID\n",
				    applet_name);
			pb_buf_adds(&b, usage);
			pb_buf_adds(&b, selection_usage);
			r = targets_flush(&b);
			goto out;
		}
		if ((!own || (r = own(&ts, c, optarg)) < 0) && (r = option(&ts, c, optarg)) < 0)
			r = applet_bad_option(argc, argv);
		if (r)
			goto out;
	}
	if (!(r = start(&ts, argc, argv)))
		r = run(&ts);
out:
	targets_free(&ts);
	return r;
}
