/* proc-wait and proc-stop: wait until chosen processes end, or end them politely then firmly (shared selectors). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "applet.h"

static const char wait_usage[] =
	"Usage: proc-wait [OPTIONS] PID[@STARTTIME]... | -e NAME | -u USER | -d PID\n"
	"Wait until the chosen processes have ended (see proc-wait(1)).\n\n"
	"  -t, --timeout SECS        give up after SECS (exit 124)\n";

static const char stop_usage[] =
	"Usage: proc-stop [OPTIONS] PID[@STARTTIME]... | -e NAME | -u USER | -d PID\n"
	"Send SIGTERM, wait, then SIGKILL (see proc-stop(1)).\n\n"
	"  -s, --signal SIG          the first signal (TERM)\n"
	"  -t, --timeout SECS        time before SIGKILL (10)\n"
	"      --no-kill             never send SIGKILL\n"
	"  -n, --dry-run             only show what would be signalled\n";

/* the options both take, after the usage of each */
static const char common_usage[] =
	"  -e, --exe-name NAME       executable called NAME\n"
	"  -u, --user USER           processes of USER\n"
	"  -d, --descendants-of PID  processes below PID\n"
	"      --tree                add their descendants\n"
	"      --strict              a PID not found or no match: exit 1\n"
	"  -f, --format text|json    output format\n"
	"  -q, --quiet               errors only\n"
	"  -v, --verbose             tell what happens\n"
	"  -h, --help                show this help\n";

/* SIGKILL is not instant for a process in uninterruptible sleep: how long to wait for it to land */
#define KILL_WAIT_MS 5000
/* rescans of a --tree for what it forked meanwhile; a fork bomb could outrun any number */
#define FREEZE_ROUNDS 10

enum outcome {
	O_PENDING,     /* chosen and still running as far as we know */
	O_ENDED,       /* proc-wait: ended while we waited */
	O_ALREADY,     /* had ended (a zombie) or vanished before we acted */
	O_RUNNING,     /* proc-wait: still running when the time ran out */
	O_TERMINATED,  /* proc-stop: ended after the first signal */
	O_KILLED,      /* proc-stop: ended after SIGKILL */
	O_SURVIVED,    /* proc-stop: still running at the end */
	O_REFUSED,     /* proc-stop: never to be signalled (why says which rule) */
	O_DENIED,      /* proc-stop: the kernel refused the signal (err) */
	O_DRY_RUN,     /* proc-stop -n: would be signalled */
	O_NO_PROCESS,  /* requested, but no process has the pid */
	O_REUSED,      /* requested or chosen, but the pid now belongs to another process */
	O_NOT_MATCHED, /* requested, but it fails a filter */
	O_COUNT
};

/* the outcomes counted as "left" (proc-stop) or "running" (proc-wait) */
#define STILL_THERE                                                                                            \
	(1u << O_PENDING | 1u << O_RUNNING | 1u << O_SURVIVED | 1u << O_REFUSED | 1u << O_DENIED | 1u << O_DRY_RUN)

/* the names in --format json (proc-wait says "already ended" where proc-stop says "already gone") */
static const char *const outcome_names[O_COUNT] = {
	[O_PENDING] = "running", [O_ENDED] = "ended", [O_ALREADY] = "already gone", [O_RUNNING] = "running",
	[O_TERMINATED] = "terminated", [O_KILLED] = "killed", [O_SURVIVED] = "survived", [O_REFUSED] = "refused",
	[O_DENIED] = "not permitted", [O_DRY_RUN] = "would signal", [O_NO_PROCESS] = "no such process",
	[O_REUSED] = "pid reused", [O_NOT_MATCHED] = "not matched",
};

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

struct job {
	int stop; /* proc-stop, else proc-wait */
	struct pb_select sel; /* what to choose */
	int strict, json, no_kill, dry_run, sig;
	long long timeout_ms; /* -1: none */
	/* what was chosen */
	struct pb_root root;
	struct target *tg;
	size_t n, cap;
	long long start_ms; /* when the wait began (proc-stop: the first signal; 0 in a dry run) */
	int timed_out, signalled_with;
};

static const char *outcome_name(const struct job *j, enum outcome o)
{
	return !j->stop && o == O_ALREADY ? "already ended" : outcome_names[o];
}

/* ---- signals by name ---- */

/* names in place, not pointers: 8 bytes an entry and no relocations */
static const struct {
	char name[7];
	unsigned char sig;
} signal_table[] = {
	{"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},   {"TRAP", SIGTRAP},
	{"ABRT", SIGABRT},   {"IOT", SIGIOT},       {"BUS", SIGBUS},     {"FPE", SIGFPE},   {"KILL", SIGKILL},
	{"USR1", SIGUSR1},   {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
	{"TERM", SIGTERM},   {"CHLD", SIGCHLD},     {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},     {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
	{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
	{"PWR", SIGPWR},     {"SYS", SIGSYS},
#ifdef SIGSTKFLT
	{"STKFLT", SIGSTKFLT},
#endif
};
#define NSIGNALS (sizeof signal_table / sizeof signal_table[0])

static const char *signal_name(int sig)
{
	static char other[16];
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		if (signal_table[i].sig == sig) {
			snprintf(other, sizeof other, "SIG%s", signal_table[i].name);
			return other;
		}
	snprintf(other, sizeof other, "signal %d", sig);
	return other;
}

/* TERM, SIGTERM, term or 15; 0 and -1 when it is none */
static int parse_signal(const char *s, int *sig)
{
	long v;
	size_t i;

	if (applet_parse_int(s, 1, NSIG - 1, &v) == 0) {
		*sig = (int)v;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < NSIGNALS; i++)
		if (!strcasecmp(s, signal_table[i].name)) {
			*sig = signal_table[i].sig;
			return 0;
		}
	return -1;
}

/* ---- choosing ---- */

static struct target *new_target(struct job *j)
{
	struct target *t;

	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;
		t = realloc(j->tg, cap * sizeof *t);
		if (!t)
			return NULL;
		j->tg = t;
		j->cap = cap;
	}
	t = &j->tg[j->n++];
	memset(t, 0, sizeof *t);
	t->end_ms = -1;
	return t;
}

static int add_found(struct job *j, struct pb_table *tab, struct pb_ident id, int found_late)
{
	struct pb_proc *p = pb_find_pid(tab, id.pid);
	struct target *t;

	if (!p || !(t = new_target(j)))
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

static int add_missed(struct job *j, const struct pb_select_miss *m)
{
	struct target *t = new_target(j);

	if (!t)
		return -1;
	t->id = m->id;
	t->asked_start = m->why == PB_SELECT_REUSED || m->id.starttime;
	t->outcome = m->why == PB_SELECT_NO_PROCESS ? O_NO_PROCESS : m->why == PB_SELECT_REUSED ? O_REUSED
												  : O_NOT_MATCHED;
	t->why = m->below ? below_reason : NULL;
	return 0;
}

/* Rules for proc-stop: processes that must never be signalled, whoever asks. */
static void refuse(struct job *j, struct pb_table *tab)
{
	int self = j->sel.self;
	struct pb_proc *me = self ? pb_find_pid(tab, self) : NULL, *p;
	size_t i;

	for (i = 0; i < j->n; i++) {
		struct target *t = &j->tg[i];
		if (t->outcome != O_PENDING)
			continue;
		if (t->id.pid == 1)
			t->why = "it is pid 1, the init of its pid namespace";
		else if (t->id.pid == self)
			t->why = "it is proc-stop itself";
		else if (t->kthread)
			t->why = "it is a kernel thread";
		else if (me && (p = pb_find_pid(tab, t->id.pid)) && pb_is_ancestor(tab, p, me))
			t->why = "it is an ancestor of proc-stop";
		if (t->why)
			t->outcome = O_REFUSED;
	}
}

/* One scan: the chosen processes become targets, the requested ones not found too (with their reason). */
static int choose(struct job *j)
{
	struct pb_selection got;
	struct pb_table tab;
	size_t i;
	int r = -1;

	if (pb_scan(&j->root, &tab)) {
		applet_warn("cannot scan %s: %s", j->root.path, strerror(errno));
		return -1;
	}
	if (pb_select(&tab, &j->sel, &got)) {
		applet_warn("out of memory");
		pb_table_free(&tab);
		return -1;
	}
	for (i = 0; i < got.n; i++)
		if (add_found(j, &tab, got.ids[i], 0))
			goto out;
	for (i = 0; i < got.nmissed; i++)
		if (add_missed(j, &got.missed[i]))
			goto out;
	if (j->stop)
		refuse(j, &tab);
	r = 0;
out:
	if (r)
		applet_warn("out of memory");
	pb_selection_free(&got);
	pb_table_free(&tab);
	return r;
}

static const char *what(const struct target *t, char *buf, size_t size)
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
static int report_choice(struct job *j)
{
	size_t i, found = 0, missing = 0;
	char name[96], asked[48], note[160];

	for (i = 0; i < j->n; i++) {
		struct target *t = &j->tg[i];
		const char *as = t->why == below_reason ? " (of --descendants-of)" : "";
		const char *then = j->stop ? "counted as gone" : "counted as ended";
		snprintf(asked, sizeof asked, t->asked_start ? "%d@%llu" : "%d", t->id.pid, t->id.starttime);
		switch (t->outcome) {
		case O_NO_PROCESS: snprintf(note, sizeof note, "no process %s%s", asked, as); break;
		case O_REUSED:
			snprintf(note, sizeof note, "process %s%s has ended%s the pid belongs to another process now", asked,
				 as, j->strict ? ":" : ",");
			if (j->stop)
				then = "counted as gone, not signalled";
			break;
		case O_NOT_MATCHED:
			snprintf(note, sizeof note, "process %d does not match the filters", t->id.pid);
			then = "left alone";
			break;
		case O_REFUSED:
			applet_warn("refusing to signal %s: %s", what(t, name, sizeof name), t->why);
			/* fall through */
		default: found++; continue;
		}
		/* --strict: the note is the error; otherwise it tells what becomes of the process */
		missing++;
		if (j->strict)
			applet_warn("%s", note);
		else
			applet_info("%s: %s", note, then);
	}
	if (!found && !missing) {
		if (j->strict) {
			applet_warn("no process matched");
			return 1;
		}
		applet_info("no process matched");
	}
	return j->strict && missing;
}

/* Targets with outcome `from` become `to` (the same: only counted); returns how many. */
static size_t settle(struct job *j, enum outcome from, enum outcome to)
{
	size_t i, n = 0;

	for (i = 0; i < j->n; i++)
		if (j->tg[i].outcome == from) {
			j->tg[i].outcome = to;
			n++;
		}
	return n;
}

/* fmt (with the pid), the name, then end, for up to max targets with outcome o; returns how many */
static size_t list(struct pb_buf *b, const struct job *j, enum outcome o, size_t max, const char *fmt,
		   const char *end)
{
	size_t i, n = 0;

	for (i = 0; i < j->n && n < max; i++) {
		const struct target *t = &j->tg[i];
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
static int flush(struct pb_buf *b)
{
	int r = pb_buf_write_fd(b, 1);

	if (r)
		applet_warn("write error: %s", strerror(errno));
	pb_buf_free(b);
	return r;
}

/* ---- waiting ---- */

static void progress(struct job *j, long long deadline, int changed)
{
	struct pb_buf b;
	size_t left = settle(j, O_PENDING, O_PENDING);
	long long now = pb_now_ms();

	pb_buf_init(&b);
	if (j->stop)
		pb_buf_addf(&b, "%zu %s still running after %s", left, left == 1 ? "process" : "processes",
			    signal_name(j->signalled_with));
	else
		pb_buf_addf(&b, "waiting for %zu %s", left, left == 1 ? "process" : "processes");
	if (deadline >= 0)
		pb_buf_addf(&b, ", %lld s left:", (deadline - now + 999) / 1000);
	else
		pb_buf_addf(&b, ", %lld s:", (now - j->start_ms) / 1000);
	if (list(&b, j, O_PENDING, 8, " %d ", "") < left)
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
static long wait_targets(struct job *j, enum outcome already, enum outcome ended, long long deadline)
{
	struct pb_waitset ws;
	struct pb_ident *ids;
	size_t *map, i, k = 0;
	long long now, chunk;
	char name[96];
	long left = -1;
	long long from = j->start_ms;
	int tty = applet_verbosity >= 1 && isatty(2), changed = 1, first = 1;

	/* the pending ids, and after them which target each one is */
	ids = malloc((j->n + 1) * (sizeof *ids + sizeof *map));
	if (!ids)
		goto nomem;
	map = (size_t *)(ids + j->n + 1);
	for (i = 0; i < j->n; i++)
		if (j->tg[i].outcome == O_PENDING) {
			ids[k] = j->tg[i].id;
			map[k++] = i;
		}
	if (pb_waitset_init(&ws, &j->root, ids, k))
		goto nomem;
	for (;;) {
		now = pb_now_ms();
		for (i = 0; i < ws.n; i++) {
			struct target *t = &j->tg[map[i]];
			if (!ws.ended[i] || t->outcome != O_PENDING)
				continue;
			t->outcome = first ? already : ended;
			t->end_ms = now;
			applet_debug("%s %s after %.2f s", what(t, name, sizeof name),
				     outcome_name(j, t->outcome), (double)(now - from) / 1000);
			changed = 1;
		}
		first = 0;
		left = (long)ws.left;
		if (!left || (deadline >= 0 && now >= deadline))
			break;
		chunk = deadline < 0 ? -1 : deadline - now;
		if (tty) {
			/* only on a terminal: a log or a pipe stays quiet; -v tells each ending instead */
			progress(j, deadline, changed);
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

/* ,"key":number or ,"key":null */
static void json_uint(struct pb_buf *b, const char *key, int known, unsigned long long v)
{
	pb_buf_addf(b, known ? ",\"%s\":%llu" : ",\"%s\":null", key, v);
}

static const char *json_bool(int v)
{
	return v ? "true" : "false";
}

static void json_target(struct pb_buf *b, const struct job *j, const struct target *t, int first)
{
	long long from = j->start_ms;
	const char *reason = t->why;

	pb_buf_addf(b, "%s{\"pid\":%d", first ? "\n" : ",\n", t->id.pid);
	json_uint(b, "starttime", t->state != 0 || t->asked_start, t->id.starttime);
	json_uint(b, "ppid", t->state != 0, (unsigned long long)t->ppid);
	json_str(b, "comm", t->state ? t->comm : NULL);
	json_str(b, "exe_name", t->exe_name);
	json_str(b, "user", t->user);
	json_str(b, "result", outcome_name(j, t->outcome));
	pb_buf_addf(b, t->end_ms >= 0 && from > 0 && t->end_ms >= from ? ",\"seconds\":%.3f" : ",\"seconds\":null",
		    (double)(t->end_ms - from) / 1000);
	if (t->outcome == O_DENIED)
		reason = strerror(t->err);
	else if (t->outcome != O_REFUSED && t->outcome != O_NO_PROCESS && t->outcome != O_REUSED)
		reason = NULL;
	json_str(b, "reason", reason);
	if (j->stop)
		pb_buf_addf(b, ",\"found_late\":%s", json_bool(t->found_late));
	pb_buf_addc(b, '}');
}

static int by_pid(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return (x->id.pid > y->id.pid) - (x->id.pid < y->id.pid);
}

static int write_json(struct job *j)
{
	struct pb_buf b;
	size_t i, left = 0;

	pb_buf_init(&b);
	if (j->stop) {
		pb_buf_adds(&b, "{\"signal\":");
		pb_buf_json_str(&b, signal_name(j->sig), strlen(signal_name(j->sig)));
		pb_buf_addf(&b, ",\"timeout\":%.3f,\"kill\":%s,\"tree\":%s,\"dry_run\":%s", (double)j->timeout_ms / 1000,
			    json_bool(!j->no_kill), json_bool(j->sel.tree), json_bool(j->dry_run));
	} else {
		pb_buf_addf(&b, j->timeout_ms >= 0 ? "{\"timeout\":%.3f" : "{\"timeout\":null",
			    (double)j->timeout_ms / 1000);
		pb_buf_addf(&b, ",\"timed_out\":%s,\"seconds\":%.3f", json_bool(j->timed_out),
			    (double)(pb_now_ms() - j->start_ms) / 1000);
	}
	pb_buf_adds(&b, ",\"processes\":[");
	for (i = 0; i < j->n; i++) {
		json_target(&b, j, &j->tg[i], i == 0);
		left += (STILL_THERE >> j->tg[i].outcome) & 1;
	}
	pb_buf_addf(&b, "\n],\n\"%s\":%zu,\"%s\":%zu}\n", j->stop ? "gone" : "ended", j->n - left,
		    j->stop ? "left" : "running", left);
	return flush(&b);
}

/* ---- proc-wait ---- */

/* targets that were processes of the scan (not requested pids that were never found) */
static size_t found(const struct job *j)
{
	size_t i, n = 0;

	for (i = 0; i < j->n; i++)
		n += j->tg[i].state != 0;
	return n;
}

static int wait_run(struct job *j)
{
	struct pb_buf b;
	size_t running;
	long left;
	int r = 0;

	j->start_ms = pb_now_ms();
	left = wait_targets(j, O_ALREADY, O_ENDED, j->timeout_ms < 0 ? -1 : j->start_ms + j->timeout_ms);
	if (left < 0)
		return EXIT_NO;
	running = settle(j, O_PENDING, O_RUNNING);
	j->timed_out = running > 0;
	if (j->json) {
		r = write_json(j);
	} else if (running) {
		/* what still runs, one "PID NAME" a line, for the next command of the script */
		pb_buf_init(&b);
		list(&b, j, O_RUNNING, (size_t)-1, "%d ", "\n");
		r = flush(&b);
	}
	if (running) {
		applet_warn("timed out after %.1f s: %zu of %zu processes still running", (double)j->timeout_ms / 1000,
			    running, found(j));
		return EXIT_TIMEOUT;
	}
	return r ? EXIT_NO : 0;
}

/* ---- proc-stop ---- */

/* After "no such process": ended, or ended and the pid went to another process (which we leave alone). */
static void gone(struct job *j, struct target *t)
{
	struct pb_pin pin;

	t->end_ms = pb_now_ms();
	/* after our first signal arrived, ending is what we asked for, even past the deadline */
	if (t->signalled) {
		t->outcome = O_TERMINATED;
		return;
	}
	t->outcome = O_ALREADY;
	if (pb_pin_open(&j->root, t->id.pid, 0, &pin) == 0) {
		if (pin.starttime != t->id.starttime)
			t->outcome = O_REUSED;
		pb_pin_close(&pin);
	}
}

/* pb_signal to a target; what cannot be reached gets its outcome. Returns 0 when the signal was sent. */
static int send(struct job *j, struct target *t, int sig)
{
	char name[96];

	if (pb_signal(&j->root, t->id, sig) == 0) {
		applet_debug("sent %s to %s", signal_name(sig), what(t, name, sizeof name));
		return 0;
	}
	if (errno == ESRCH) {
		gone(j, t);
		applet_debug("%s is gone", what(t, name, sizeof name));
	} else {
		t->err = errno;
		t->outcome = O_DENIED;
		applet_warn("cannot signal %s: %s", what(t, name, sizeof name), strerror(t->err));
	}
	return -1;
}

/*
 * --tree: SIGSTOP every pending target, then rescan for what they forked meanwhile and stop that too, until a
 * rescan finds nothing new. A frozen tree cannot fork or respawn workers while we signal it.
 */
static void freeze(struct job *j)
{
	struct pb_ident *ids, *found = NULL;
	struct pb_table tab;
	size_t i, k;
	long n = 0;
	int round;

	for (round = 0; round < FREEZE_ROUNDS; round++) {
		for (i = 0; i < j->n; i++)
			if (j->tg[i].outcome == O_PENDING && !j->tg[i].frozen && send(j, &j->tg[i], SIGSTOP) == 0)
				j->tg[i].frozen = 1;
		if (!(ids = malloc((j->n + 1) * sizeof *ids)))
			return;
		for (i = 0, k = 0; i < j->n; i++)
			if (j->tg[i].outcome == O_PENDING)
				ids[k++] = j->tg[i].id;
		if (pb_scan(&j->root, &tab)) {
			free(ids);
			return;
		}
		n = pb_select_new_descendants(&tab, ids, k, j->sel.self, &found);
		for (i = 0; i < (size_t)(n > 0 ? n : 0); i++) {
			applet_debug("found %d, forked since the scan", found[i].pid);
			if (add_found(j, &tab, found[i], 1))
				break;
		}
		free(found);
		free(ids);
		pb_table_free(&tab);
		if (n <= 0)
			return;
	}
	applet_warn("the tree kept forking through %d rescans; stopping what was found", FREEZE_ROUNDS);
}

/* the first signal (or SIGKILL) to every pending target, with SIGCONT for those that are stopped */
static void signal_all(struct job *j, int sig)
{
	static const unsigned char held[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
	sigset_t block, old;
	size_t i;

	/* an interrupt now would leave a frozen tree behind: take it after the SIGCONTs */
	sigemptyset(&block);
	for (i = 0; i < sizeof held; i++)
		sigaddset(&block, held[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (j->sel.tree)
		freeze(j);
	for (i = 0; i < j->n; i++) {
		struct target *t = &j->tg[i];
		char s;
		if (t->outcome != O_PENDING)
			continue;
		if (!t->frozen) {
			s = pb_state(&j->root, t->id);
			t->was_stopped = s == 'T' || s == 't';
		}
		if (send(j, t, sig) == 0 && sig == j->sig)
			t->signalled = 1;
	}
	/* a stopped process cannot act on the signal until it runs again; SIGKILL needs no help */
	if (sig != SIGKILL)
		for (i = 0; i < j->n; i++) {
			struct target *t = &j->tg[i];
			if (t->outcome == O_PENDING && (t->frozen || t->was_stopped))
				send(j, t, SIGCONT);
		}
	for (i = 0; i < j->n; i++)
		j->tg[i].frozen = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void print_report(struct job *j)
{
	struct pb_buf b;
	size_t i;
	char name[96];

	pb_buf_init(&b);
	for (i = 0; i < j->n; i++) {
		struct target *t = &j->tg[i];
		double secs = t->end_ms >= 0 ? (double)(t->end_ms - j->start_ms) / 1000 : 0;
		/* requests that found nothing and refusals have had their line on stderr */
		if (!t->state || t->outcome == O_REFUSED || t->outcome == O_DENIED)
			continue;
		pb_buf_adds(&b, what(t, name, sizeof name));
		pb_buf_adds(&b, ": ");
		switch (t->outcome) {
		case O_TERMINATED:
		case O_KILLED: pb_buf_addf(&b, "%s after %.2f s", outcome_names[t->outcome], secs); break;
		case O_ALREADY:
			pb_buf_adds(&b, t->state == 'Z' ? "already gone (a zombie its parent has not collected)"
							: "already gone");
			break;
		case O_REUSED: pb_buf_adds(&b, "already gone (its pid belongs to another process now: not signalled)"); break;
		case O_SURVIVED:
			pb_buf_adds(&b, j->no_kill || j->sig == SIGKILL ? "still running" : "still running after SIGKILL");
			break;
		case O_DRY_RUN: pb_buf_addf(&b, "would get %s", signal_name(j->sig)); break;
		default: pb_buf_adds(&b, outcome_names[t->outcome]); break;
		}
		if (t->found_late)
			pb_buf_adds(&b, " (forked during the stop)");
		pb_buf_addc(&b, '\n');
	}
	flush(&b);
}

static int stop_run(struct job *j)
{
	size_t survived = 0;
	long r;

	if (j->dry_run) {
		settle(j, O_PENDING, O_DRY_RUN);
	} else {
		j->start_ms = pb_now_ms();
		j->signalled_with = j->sig;
		signal_all(j, j->sig);
		r = wait_targets(j, O_TERMINATED, O_TERMINATED, j->start_ms + j->timeout_ms);
		if (r > 0 && !j->no_kill && j->sig != SIGKILL) {
			j->signalled_with = SIGKILL;
			signal_all(j, SIGKILL);
			wait_targets(j, O_KILLED, O_KILLED, pb_now_ms() + KILL_WAIT_MS);
		}
		survived = settle(j, O_PENDING, O_SURVIVED);
	}
	qsort(j->tg, j->n, sizeof *j->tg, by_pid);
	if (j->json)
		write_json(j);
	else if (applet_verbosity >= 1)
		print_report(j);
	/* refusals and denials have had their own line */
	if (survived)
		applet_warn("%zu of %zu processes still running", survived, found(j));
	return settle(j, O_REFUSED, O_REFUSED) || settle(j, O_DENIED, O_DENIED) || survived ? EXIT_NO : 0;
}

/* ---- options ---- */

enum { OPT_TREE = 'g', OPT_NO_KILL = 'k', OPT_STRICT = 'r' };

static int run(int stop, int argc, char **argv)
{
	/* proc-stop's own options first: proc-wait takes the table from the shared ones. The long-only options
	 * have letters no short option uses, inside the range of the short ones: the switch is a small table. */
	static const struct option longopts[] = {
		{"signal", required_argument, NULL, 's'},
		{"no-kill", no_argument, NULL, OPT_NO_KILL},
		{"dry-run", no_argument, NULL, 'n'},
		{"exe-name", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'},
		{"descendants-of", required_argument, NULL, 'd'},
		{"tree", no_argument, NULL, OPT_TREE},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"timeout", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct job j = {0};
	struct pb_ident *pids, *below;
	unsigned char *pids_exact, *below_exact;
	const char **exe_names;
	long *uids;
	const char *bad = NULL, *arg; /* a usage error, its format and argument */
	size_t i;
	int c, r = EXIT_USAGE, root_open = 0;

	j.stop = stop;
	j.sig = SIGTERM;
	j.timeout_ms = stop ? 10000 : -1;
	/* room for every argument in each list, in one allocation (the flags last: of 8-byte alignment before) */
	pids = calloc((size_t)argc + 1, 2 * sizeof *pids + sizeof *exe_names + sizeof *uids + 2);
	if (!pids) {
		applet_warn("out of memory");
		r = EXIT_NO;
		goto out;
	}
	below = pids + argc + 1;
	exe_names = (const char **)(below + argc + 1);
	uids = (long *)(exe_names + argc + 1);
	pids_exact = (unsigned char *)(uids + argc + 1);
	below_exact = pids_exact + argc + 1;
	j.sel.pids = pids;
	j.sel.below = below;
	j.sel.exe_names = exe_names;
	j.sel.uids = uids;
	j.sel.pids_exact = pids_exact;
	j.sel.below_exact = below_exact;
	while ((c = getopt_long(argc, argv, "s:ne:u:d:t:f:qvh" + (stop ? 0 : 3), longopts + (stop ? 0 : 3), NULL)) != -1) {
		arg = optarg;
		switch (c) {
		case 'e': exe_names[j.sel.nexe++] = optarg; break;
		case 'u':
			if ((uids[j.sel.nuids++] = pb_user_lookup(optarg)) < 0)
				bad = "unknown user '%s'";
			break;
		case 'd':
			if (applet_parse_ident(optarg, &below[j.sel.nbelow], &below_exact[j.sel.nbelow]))
				goto out;
			j.sel.nbelow++;
			break;
		case OPT_TREE: j.sel.tree = 1; break;
		case OPT_STRICT: j.strict = 1; break;
		case 't':
			if (applet_parse_seconds(optarg, &j.timeout_ms))
				bad = "bad timeout '%s' (seconds)";
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				j.json = 1;
			else if (strcmp(optarg, "text"))
				bad = "unknown format '%s' (text or json)";
			break;
		case 'q': applet_verbosity = 0; break;
		case 'v': applet_verbosity = 2; break;
		case 'h': r = applet_help(stop ? stop_usage : wait_usage) | applet_help(common_usage); goto out;
		case 's':
			if (parse_signal(optarg, &j.sig)) {
				bad = "unknown signal '%s'";
			} else if (j.sig == SIGSTOP || j.sig == SIGTSTP || j.sig == SIGTTIN || j.sig == SIGTTOU ||
				   j.sig == SIGCONT) {
				/* waiting for a process to end after these makes no sense */
				arg = signal_name(j.sig);
				bad = "%s does not end a process";
			}
			break;
		case OPT_NO_KILL: j.no_kill = 1; break;
		case 'n': j.dry_run = 1; break;
		default: applet_bad_option(argc, argv); goto out;
		}
		if (bad)
			goto usage;
	}
	for (; optind < argc; optind++, j.sel.npids++)
		if (applet_parse_ident(argv[optind], &pids[j.sel.npids], &pids_exact[j.sel.npids]))
			goto out;
	if (!j.sel.npids && !j.sel.nexe && !j.sel.nuids && !j.sel.nbelow) {
		arg = stop ? "stop" : "wait for";
		bad = "nothing to %s: give PIDs, -e NAME, -u USER or -d PID";
		goto usage;
	}
	/* the tree of init is every process on the machine */
	for (i = 0; stop && i < j.sel.npids + j.sel.nbelow; i++) {
		int pid = i < j.sel.npids ? pids[i].pid : below[i - j.sel.npids].pid;
		if (pid == 1 && (j.sel.tree || i >= j.sel.npids)) {
			arg = i < j.sel.npids ? "--tree" : "-d";
			bad = "refusing to stop every process: %s 1";
			goto usage;
		}
	}
	r = EXIT_NO;
	if (applet_open_root(&j.root))
		goto out;
	root_open = 1;
	/* a start time after now names no process: a usage error, not one that ended */
	if ((r = applet_check_idents(&j.root, pids, pids_exact, j.sel.npids)) ||
	    (r = applet_check_idents(&j.root, below, below_exact, j.sel.nbelow)))
		goto out;
	r = EXIT_NO;
	if (stop && !j.root.is_live && !j.dry_run) {
		applet_warn("%s is not the live /proc: refusing to signal its processes (see -n)",
			    j.root.path);
		goto out;
	}
	/* a saved tree holds other processes under our pid */
	j.sel.self = j.root.is_live ? (int)getpid() : 0;
	if (choose(&j))
		goto out;
	if (report_choice(&j))
		goto out;
	r = stop ? stop_run(&j) : wait_run(&j);
out:
	if (root_open)
		pb_root_close(&j.root);
	for (i = 0; i < j.n; i++) {
		free(j.tg[i].exe_name);
		free(j.tg[i].user);
	}
	free(j.tg);
	free(pids);
	return r;
usage:
	r = applet_usage_error(bad, arg);
	goto out;
}

int proc_wait_main(int argc, char **argv)
{
	return run(0, argc, argv);
}

int proc_stop_main(int argc, char **argv)
{
	return run(1, argc, argv);
}
