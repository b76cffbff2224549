/* cron-graceful: pause cron, wait until every running job has ended, then stop cron the way its manager would. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "applet.h"

static const char usage[] =
	"Usage: cron-graceful [OPTIONS]\n"
	"Pause cron, run the hook, wait for its running jobs, then stop it. Needs root.\n"
	"  -n, --dry-run        show what would be done\n"
	"  -w, --wait-only      only wait for the jobs running now; cron keeps running\n"
	"      --list           print the running jobs\n"
	"      --format FMT     with --list: text or json\n"
	"  -t, --timeout SECS   resume cron and exit 124 after SECS (3600; 0: none)\n"
	"      --exe-name NAME  the daemon is NAME, not cron or crond\n"
	"      --pid PID        the daemon is PID (or PID@STARTTIME)\n"
	"      --pidfile FILE   the daemon's PID is in FILE\n"
	"      --hook PATH      run PATH, not cron-graceful-additions\n"
	"      --hook-timeout SECS  end the hook after SECS (300)\n"
	"      --resume         only resume a stopped cron\n"
	"  -v, --verbose        log more\n"
	"  -q, --quiet          log warnings only\n"
	"      --[no-]syslog    log to syslog (default: not with -n, --list)\n"
	"  -h, --help           show this help\n";

#define HOOK_NAME "cron-graceful-additions"
#define PAUSE_CONFIRM_MS 2000    /* SIGSTOP takes effect when the daemon is next scheduled */
#define STOP_GRACE_MS 5000       /* SIGTERM to SIGKILL, as Debian's killproc --retry 5 */
#define STOP_COMMAND_MS 90000    /* systemd's default stop timeout */
#define CHILD_GRACE_MS 2000      /* a hook or command we terminate gets this long before SIGKILL */
#define SCAN_INTERVAL_MS 1000    /* rescan at least this often: jobs fork new processes while we wait */
#define MAX_LISTED 8             /* jobs named in the progress line and the timeout message */
#define TIMEOUT_MS 3600000       /* the default --timeout: a job that never ends must not keep cron paused */
/* bytes of a job's command line read and shown: it is the user's to fill (megabytes of it), root keeps none */
#define CMDLINE_SHOWN 4096

struct opts {
	int dry_run, list, json, resume, wait_only, use_syslog; /* use_syslog: -1 until chosen */
	long long timeout_ms, hook_timeout_ms;                 /* timeout_ms -1: none (--timeout 0) */
	const char *exe_name, *pidfile, *hook;
	struct pb_ident pid;  /* --pid; pid 0: not given */
	unsigned char exact;  /* --pid PID@STARTTIME */
};

/* ---- signals: a flag, so every path after the pause can resume cron before it exits ---- */

static volatile sig_atomic_t got_signal;
static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
static const char signal_names[][5] = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "ALRM"};
#define NSIGNALS (sizeof handled_signals / sizeof handled_signals[0])

static void on_signal(int sig)
{
	if (!got_signal)
		got_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* an empty sa_mask */
	size_t i;

	/* no SA_RESTART: poll() and waitpid() return EINTR and the loops look at the flag. The handlers go in
	 * even where a shell started us with SIGINT ignored (a background job): an interrupt must resume cron. */
	for (i = 0; i < NSIGNALS; i++)
		sigaction(handled_signals[i], &sa, NULL);
	/* a closed stderr pipe must not kill us while cron is paused */
	signal(SIGPIPE, SIG_IGN);
}

/* ---- small helpers ---- */

/* The first size-1 bytes (at most) of a file below dirfd, NUL-terminated; its length, 0 when unreadable. */
static size_t read_start(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	size_t len = 0;
	ssize_t n;

	if (fd >= 0) {
		while (len < size - 1 && ((n = read(fd, buf + len, size - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				len += (size_t)n;
		close(fd);
	}
	buf[len] = 0;
	return len;
}

/* The start of a process's command line: CMDLINE_SHOWN bytes at most, whatever its size. */
struct cmdline {
	char text[CMDLINE_SHOWN + 2];
	size_t len;
	int cut; /* there was more */
};

static void read_cmdline(const struct pb_root *root, const struct pb_proc *p, struct cmdline *c)
{
	char path[32];

	/* a kernel thread has no command line */
	c->len = 0;
	c->cut = 0;
	c->text[0] = 0;
	if (p->st.flags & PB_PF_KTHREAD)
		return;
	snprintf(path, sizeof path, "%d/cmdline", p->st.pid);
	c->len = read_start(root->fd, path, c->text, sizeof c->text);
	if (c->len > CMDLINE_SHOWN) {
		c->len = CMDLINE_SHOWN;
		c->cut = 1;
	} else {
		c->len = pb_cmdline_trim(c->text, c->len);
	}
}

/* The command line as text (at most max bytes of it), or as a JSON array; *cut tells whether it was longer
 * than what was read. */
static void add_command(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, int json, size_t max, int *cut)
{
	static struct cmdline c; /* 4 KiB: not on the stack of every caller */
	struct pb_vec_iter it;
	const char *item;
	size_t n, start = b->len;
	int first = 1;

	read_cmdline(t->root, p, &c);
	if (cut)
		*cut = c.cut;
	if (json)
		pb_buf_addc(b, '[');
	if (!c.len && !json) {
		pb_buf_addc(b, '[');
		pb_buf_text_str(b, p->st.comm, p->st.comm_len);
		pb_buf_addc(b, ']');
	}
	pb_vec_iter_init(&it, c.text, c.len);
	while (pb_vec_next(&it, &item, &n)) {
		if (!first)
			pb_buf_addc(b, json ? ',' : ' ');
		first = 0;
		if (json) {
			pb_buf_json_str(b, item, n);
		} else {
			pb_buf_text_str(b, item, n);
			if (b->len - start > max) {
				b->len = start + max;
				pb_buf_adds(b, "...");
				break;
			}
		}
	}
	if (!json && c.cut && b->len - start <= max)
		pb_buf_adds(b, "...");
	if (json)
		pb_buf_addc(b, ']');
}

/* the text in b as a C string, or fallback when an allocation failed */
static const char *buf_text(struct pb_buf *b, const char *fallback)
{
	pb_buf_addc(b, 0);
	return b->failed ? fallback : b->data;
}

/* the user of p, control characters made safe for a terminal */
static void add_user(struct pb_buf *b, struct pb_table *t, struct pb_proc *p)
{
	const char *user = pb_user(t, p);

	pb_buf_text_str(b, user, strlen(user));
}

/* whole seconds since start (ms), rounded */
static long long seconds_since(long long start)
{
	return (pb_now_ms() - start + 500) / 1000;
}

static int is_executable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void sleep_ms(int ms)
{
	/* poll sleeps and returns early (EINTR) when a signal arrives */
	poll(NULL, 0, ms);
}

/* ---- finding the daemon ---- */

static int is_live_process(const struct pb_proc *p)
{
	return !(p->st.flags & PB_PF_KTHREAD) && p->st.state != 'Z' && p->st.state != 'X' && p->st.state != 'x';
}

/* The daemon as the first scan found it; the strings live in that scan's table, kept for the whole run. */
struct daemon {
	struct pb_ident id;
	struct pb_proc *p;
	int ppid, sid, pgrp;
	const char *name;   /* what it answered to: cron, crond or the --exe-name */
	const char *exe;    /* its executable, "" when unreadable */
	const char *cgroup; /* its cgroup path, "" when unknown */
	char unit[256];     /* its own systemd service, "" when it has none */
	char state;         /* when found */
};

static const char *wanted_name(const char *name, const char *want)
{
	if (want)
		return strcmp(name, want) ? NULL : want;
	if (!strcmp(name, "cron"))
		return "cron";
	if (!strcmp(name, "crond"))
		return "crond";
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The name a live process answers to as the cron daemon, NULL when it is not one. Its executable decides
 * wherever the exe link can be read (a run as root reads them all): comm and the command line are whatever the
 * process's owner made them (exec -a, a copy of sleep called cron). The command line still has its say among
 * that executable's processes: Debian's per-job children (argv[0] CRON) are not the daemon, and busybox is
 * crond when argv[0], or the argument after "busybox", says so. Only where the link is closed to us (a run
 * without root, hidepid) do comm and argv[0] stand in. Whatever the names say, find_daemon takes a daemon run
 * by root only. */
static const char *cron_match(struct pb_table *t, struct pb_proc *p, const char *want)
{
	char cmd[4096], path[32];
	const char *exe, *exe_base = NULL, *a0, *arg1 = NULL, *m = NULL;
	size_t len, n0;

	if (!is_live_process(p))
		return NULL;
	exe = pb_exe(t, p);
	if (*exe) {
		exe_base = base_name(exe);
		if (!(m = wanted_name(exe_base, want)) && strcmp(exe_base, "busybox"))
			return NULL;
	}
	/* argv[0] and argv[1]: the start of the command line is enough, however long the user made it */
	snprintf(path, sizeof path, "%d/cmdline", p->st.pid);
	len = read_start(t->root->fd, path, cmd, sizeof cmd);
	n0 = strlen(cmd);
	a0 = base_name(cmd);
	if (n0 + 1 < len)
		arg1 = cmd + n0 + 1;
	/* Debian's cron renames each per-job child "CRON": one left behind by a stopped daemon is not the daemon */
	if (!strcmp(a0, "CRON"))
		return NULL;
	if (exe_base)
		return m ? m : wanted_name(strcmp(a0, "busybox") ? a0 : arg1 ? arg1 : "", want);
	if ((m = wanted_name(p->st.comm, want)) || (m = wanted_name(a0, want)))
		return m;
	return !strcmp(a0, "busybox") && arg1 ? wanted_name(arg1, want) : NULL;
}

/* Is p run by root (real and effective uid), and still the program the scan saw? Anyone can start a program
 * called cron; only root can start one as root. Read through p's own directory with its starttime confirmed,
 * so the answer is about the process the scan found and not a later one with its pid; an exec since the scan
 * (same pid, same starttime) is another program. */
static int run_by_root(struct pb_table *t, struct pb_proc *p)
{
	const char *exe = pb_exe(t, p);
	size_t n = strlen(exe);
	struct pb_status st;
	struct pb_pin pin;
	struct pb_buf b;
	char link[4096];
	int ok = 0;

	if (pb_pin_open(t->root, p->st.pid, p->st.starttime, &pin))
		return 0;
	pb_buf_init(&b);
	if (pb_pin_read(&pin, "status", &b) == 0 && pb_parse_status(b.data, b.len, &st) == 0 && st.have_uid &&
	    st.uid.real == 0 && st.uid.effective == 0)
		ok = !n || (pb_readlink_at(pin.dirfd, "exe", link, sizeof link) >= 0 && !strncmp(link, exe, n) &&
			    (!link[n] || !strcmp(link + n, " (deleted)")));
	pb_buf_free(&b);
	pb_pin_close(&pin);
	return ok;
}

/* A process in another PID namespace (a container's cron, seen from the host) is not ours to stop. */
static int other_pid_namespace(const struct pb_root *root, int pid)
{
	char mine[64], theirs[64], path[40];

	if (!root->is_live || pb_readlink_at(root->fd, "self/ns/pid", mine, sizeof mine) < 0)
		return 0;
	snprintf(path, sizeof path, "%d/ns/pid", pid);
	if (pb_readlink_at(root->fd, path, theirs, sizeof theirs) < 0)
		return 0; /* not readable without root: it may well be ours */
	return strcmp(mine, theirs) != 0;
}

static void fill_daemon(struct pb_table *t, struct pb_proc *p, const char *name, struct daemon *d)
{
	const char *cg = pb_cgroup(t, p);

	d->id.pid = p->st.pid;
	d->id.starttime = p->st.starttime;
	d->p = p;
	d->ppid = p->st.ppid;
	d->sid = p->st.session;
	d->pgrp = p->st.pgrp;
	d->state = p->st.state;
	d->name = name;
	d->exe = pb_exe(t, p);
	d->cgroup = strlen(cg) < 1024 ? cg : "";
	/* only a service of its own: cron run by a supervisor shares the supervisor's service with other
	 * programs, which are not jobs, and stopping that service would stop them all */
	if (pb_cgroup_unit(d->cgroup, strlen(d->cgroup), d->unit, sizeof d->unit) < 0 || !strstr(d->unit, ".service") ||
	    (!strstr(d->unit, "cron") && !strstr(d->unit, d->name)) || strstr(d->cgroup, "/user@"))
		d->unit[0] = 0;
}

/* reads a pid file; 0 with *pid, 1 when there is none, -1 when it is unusable (reported) */
static int read_pidfile(const char *path, long *pid)
{
	char buf[64], *start, *end;
	unsigned long long v;
	struct stat sb;
	ssize_t n = -1;
	/* not blocking: a FIFO someone put in the pid file's place would hold the run forever */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd >= 0 && fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		close(fd);
		applet_warn("%s is not a regular file", path);
		return -1;
	}
	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	if (n < 0) {
		applet_warn("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = 0;
	/* the number, white space around it allowed (a trailing newline is the rule) */
	start = buf + strspn(buf, " \t\n\r");
	end = start + strspn(start, "0123456789");
	if (end[strspn(end, " \t\n\r")])
		end = start; /* something else follows: no pid file of a daemon */
	*end = 0;
	if (pb_parse_ull(start, 10, INT_MAX, &v) || v == 0) {
		applet_warn("%s holds no process ID", path);
		return -1;
	}
	*pid = (long)v;
	return 0;
}

/* The daemon --pid or --pidfile names. 0: found (d filled); 1: not running (said so); -1: failed (said so) */
static int find_named_daemon(struct pb_table *t, const struct opts *o, struct daemon *d)
{
	const char *name, *what = o->exe_name ? o->exe_name : "cron";
	struct pb_proc *p;
	long pid = o->pid.pid;
	int r;

	if (o->pidfile && (r = read_pidfile(o->pidfile, &pid)) != 0) {
		if (r > 0)
			applet_info("cron is not running (no %s)", o->pidfile);
		return r;
	}
	p = pb_find_pid(t, (int)pid);
	if (!p || p->st.state == 'Z' || p->st.state == 'X' || (o->exact && p->st.starttime != o->pid.starttime)) {
		applet_info("cron is not running (no process %ld%s%s%s)", pid, o->exact ? " with that start time" : "",
			    o->pidfile ? " from " : "", o->pidfile ? o->pidfile : "");
		return 1;
	}
	name = cron_match(t, p, o->exe_name);
	/* a stale pid file may name an unrelated process that got the number since; the file names
	 * a process, the process must still be a daemon by its executable and run by root */
	if (o->pidfile && !name) {
		applet_info("cron is not running: %s names process %ld, which is '%s', not %s", o->pidfile, pid,
			    p->st.comm, what);
		return 1;
	}
	if (o->pidfile && !run_by_root(t, p)) {
		applet_info("cron is not running: %s names process %ld, which runs as %s, not root", o->pidfile,
			    pid, pb_user(t, p));
		return 1;
	}
	/* --pid names it, whoever runs it: then it is called after its executable (comm is its owner's) */
	fill_daemon(t, p, name ? name : *pb_exe(t, p) ? base_name(pb_exe(t, p)) : p->st.comm, d);
	return 0;
}

/* Per entry of the table, the name it answers to when it is a cron daemon run by root in our PID namespace,
 * else NULL (one array, to be freed); NULL after its line when out of memory. */
static const char **daemon_names(struct pb_table *t, const struct opts *o)
{
	const char **names = calloc(t->n + 1, sizeof *names);
	struct pb_proc *p;
	size_t i;

	if (!names) {
		applet_warn("out of memory");
		return NULL;
	}
	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		if (!(names[i] = cron_match(t, p, o->exe_name)))
			continue;
		if (other_pid_namespace(t->root, p->st.pid)) {
			applet_debug("not %d: in another PID namespace", p->st.pid);
			names[i] = NULL;
		} else if (!run_by_root(t, p)) {
			applet_debug("not %d: runs as %s, not root", p->st.pid, pb_user(t, p));
			names[i] = NULL;
		}
	}
	return names;
}

/* 0: found (d filled); 1: not running (said so); -1: failed (said so) */
static int find_daemon(struct pb_table *t, const struct opts *o, struct daemon *d)
{
	const char *name = NULL, **names, *what = o->exe_name ? o->exe_name : "cron";
	struct pb_proc *p, *a, *found = NULL;
	struct pb_buf list;
	size_t i, ntop = 0;
	int r;

	if (o->pid.pid || o->pidfile)
		return find_named_daemon(t, o, d);
	if (!(names = daemon_names(t, o)))
		return -1;
	pb_buf_init(&list);
	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		if (!names[i])
			continue;
		/* the topmost: Debian's per-job children are called cron too */
		for (a = pb_parent(t, p); a && !names[pb_index(t, a)]; a = pb_parent(t, a))
			;
		if (a)
			continue;
		if (!found) {
			found = p;
			name = names[i];
		}
		pb_buf_addf(&list, "%s%d (", ntop++ ? ", " : "", p->st.pid);
		pb_buf_text_str(&list, p->st.comm, p->st.comm_len);
		pb_buf_addc(&list, ')');
	}
	r = 0;
	if (!found) {
		applet_info("%s is not running", what);
		r = 1;
	} else if (ntop > 1) {
		applet_warn("%zu cron daemons run: %s; choose one with --pid", ntop, buf_text(&list, "?"));
		r = -1;
	} else {
		fill_daemon(t, found, name, d);
	}
	pb_buf_free(&list);
	free(names);
	return r;
}

/* ---- finding the running jobs ---- */

enum found_by { BY_DESCENDANT, BY_SESSION, BY_PGRP, BY_CGROUP, BY_EARLIER };
static const char *const found_by_names[] = {"descendant", "session", "process_group", "cgroup", "earlier"};

/* A session or process group a job ran in, and the start time of its leader then (0: already gone). The kernel
 * keeps such an ID from being reused while a member lives, so it stays a job's until a new process takes the
 * number: a leader with another start time. */
struct group_id {
	int id;
	unsigned long long leader_start;
};

struct group_list {
	struct group_id *ids;
	size_t n;
};

struct job {
	struct pb_proc *p;
	enum found_by by;
};

struct finder {
	struct daemon *d;
	int self_pid;               /* this process in the proc root, 0 when it is not in it */
	struct pb_ident own_job;    /* the daemon's child we run below (run from a cron job), pid 0 when none */
	int own_pgrp;               /* our process group when it is not the daemon's, else 0 */
	int own_known;              /* own_job and own_pgrp were worked out */
	int guardian_pid;           /* our guardian (real run), 0 when none */
	struct group_list sessions, pgrps;
	struct pb_ident *known;     /* jobs of the last scan */
	size_t nknown;
	/* results of the last find_jobs */
	struct job *jobs;
	size_t njobs;
	int daemon_alive;
	int wait_only;              /* --wait-only: after the first scan, only what the jobs found then lead to */
	int frozen;                 /* that first scan is done */
};

static struct group_id *group_find(const struct group_list *g, int id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->ids[i].id == id)
			return &g->ids[i];
	return NULL;
}

static int group_add(struct group_list *g, const struct pb_table *t, int id)
{
	struct group_id *grown;
	struct pb_proc *leader;

	if (id <= 0 || group_find(g, id))
		return 0;
	/* a handful of groups: grown one at a time */
	grown = realloc(g->ids, (g->n + 1) * sizeof *grown);
	if (!grown)
		return -1;
	g->ids = grown;
	leader = pb_find_pid(t, id);
	g->ids[g->n++] = (struct group_id){id, leader ? leader->st.starttime : 0};
	return 0;
}

static int group_has(const struct group_list *g, const struct pb_table *t, int id)
{
	struct group_id *gi = group_find(g, id);
	struct pb_proc *leader;

	if (!gi)
		return 0;
	leader = pb_find_pid(t, id);
	return !leader || leader->st.starttime == gi->leader_start;
}

/* remember the session and process group of a job: jobs that background a child and exit leave the tree,
 * not their session or group. The daemon's own session or group counts only when it leads it (a daemon
 * started from a shell shares the shell's). */
static int note_groups(struct finder *f, const struct pb_table *t, const struct pb_proc *p)
{
	/* frozen: the daemon's own session and group are where its next jobs start (busybox crond) */
	int lead_counts = !f->frozen, r = 0;

	if (p->st.session != f->d->sid || (lead_counts && f->d->sid == f->d->id.pid))
		r |= group_add(&f->sessions, t, p->st.session);
	if ((p->st.pgrp != f->d->pgrp || (lead_counts && f->d->pgrp == f->d->id.pid)) && p->st.pgrp != f->own_pgrp)
		r |= group_add(&f->pgrps, t, p->st.pgrp);
	return r;
}

/* frozen: p descends from a job of an earlier scan; a job cron started since descends from cron alone */
static int from_known_job(const struct finder *f, struct pb_table *t, struct pb_proc *daemon, struct pb_proc *p)
{
	size_t i;

	for (; p && p != daemon; p = pb_parent(t, p))
		for (i = 0; i < f->nknown; i++)
			if (f->known[i].pid == p->st.pid && f->known[i].starttime == p->st.starttime)
				return 1;
	return 0;
}

/* --wait-only, after the first scan: the jobs found then are the ones waited for. The sessions and groups
 * that lead to more are from then on only theirs, never the daemon's own. */
static int freeze(struct finder *f, const struct pb_table *t)
{
	size_t i;
	int r = 0;

	f->frozen = 1;
	f->sessions.n = f->pgrps.n = 0;
	for (i = 0; i < f->njobs; i++)
		r |= note_groups(f, t, f->jobs[i].p);
	return r;
}

static int in_cgroup(struct pb_table *t, struct pb_proc *p, const char *cg)
{
	const char *mine = pb_cgroup(t, p);
	size_t n = strlen(cg);

	return !strncmp(mine, cg, n) && (mine[n] == 0 || mine[n] == '/');
}

static struct pb_proc *find_ident(const struct pb_table *t, struct pb_ident id)
{
	struct pb_proc *p = pb_find_pid(t, id.pid);

	return p && p->st.starttime == id.starttime ? p : NULL;
}

/* Works out, once, the job this process itself runs in (when a cron job started it): waiting for that
 * job would wait for ourselves, and pipeline partners may wait for us. */
static void find_own_job(struct finder *f, struct pb_table *t, struct pb_proc *daemon, struct pb_proc *self)
{
	struct pb_proc *a;

	f->own_known = 1;
	if (!self)
		return;
	if (self->st.pgrp != f->d->pgrp)
		f->own_pgrp = self->st.pgrp;
	if (!daemon || !pb_is_ancestor(t, daemon, self))
		return;
	for (a = self; pb_parent(t, a) != daemon; a = pb_parent(t, a))
		;
	f->own_job.pid = a->st.pid;
	f->own_job.starttime = a->st.starttime;
}

enum mark { M_NONE, M_JOB, M_EXCLUDED };

/* p is a job, found by `by`: its session and group lead to more */
static int take_job(struct finder *f, struct pb_table *t, unsigned char *mark, struct pb_proc *p, enum found_by by)
{
	mark[pb_index(t, p)] = M_JOB;
	f->jobs[f->njobs++] = (struct job){p, by};
	return note_groups(f, t, p);
}

/* One pass over a fresh table: fills f->jobs. 0, or -1 when out of memory. */
static int find_jobs(struct finder *f, struct pb_table *t)
{
	struct pb_proc *daemon = find_ident(t, f->d->id), *self, *p, *own;
	unsigned char *mark = calloc(t->n + 1, 1);
	size_t i;
	int changed, err;
	enum found_by by;

	free(f->jobs);
	f->njobs = 0;
	f->daemon_alive = daemon && is_live_process(daemon);
	f->jobs = calloc(t->n + 1, sizeof *f->jobs);
	if (!mark || !f->jobs) {
		free(mark);
		return -1;
	}
	self = f->self_pid ? pb_find_pid(t, f->self_pid) : NULL;
	if (!f->own_known)
		find_own_job(f, t, daemon, self);
	own = f->own_job.pid ? find_ident(t, f->own_job) : NULL;
	/* never the daemon, ourselves, our guardian, our ancestors, or the rest of the job we run in */
	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		if (p == daemon || p == self || p == own || p->st.pid == f->guardian_pid ||
		    (self && pb_is_ancestor(t, p, self)) || (own && pb_is_ancestor(t, own, p)) ||
		    (f->own_pgrp && p->st.pgrp == f->own_pgrp))
			mark[i] = M_EXCLUDED;
	}
	/* the daemon's own session and group, when it leads them */
	err = f->frozen ? 0 : note_groups(f, t, f->d->p);

	/* everything below the daemon; zombies have ended, but still tell which groups were jobs' */
	for (p = daemon; p && (p = pb_next_descendant(t, daemon, p));)
		if (!mark[pb_index(t, p)] && (!f->frozen || from_known_job(f, t, daemon, p)))
			err |= is_live_process(p) ? take_job(f, t, mark, p, BY_DESCENDANT) : note_groups(f, t, p);
	/* jobs of earlier scans that still run, wherever they went (the daemon may be gone) */
	for (i = 0; i < f->nknown; i++)
		if ((p = find_ident(t, f->known[i])) && !mark[pb_index(t, p)] && is_live_process(p))
			err |= take_job(f, t, mark, p, BY_EARLIER);
	/* members of their sessions and groups, and of the daemon's own service cgroup, until nothing changes */
	do {
		changed = 0;
		for (i = 0; i < t->n; i++) {
			p = &t->procs[i];
			if (mark[i] || !is_live_process(p))
				continue;
			if (group_has(&f->sessions, t, p->st.session))
				by = BY_SESSION;
			else if (group_has(&f->pgrps, t, p->st.pgrp))
				by = BY_PGRP;
			else if (!f->frozen && f->d->unit[0] && in_cgroup(t, p, f->d->cgroup))
				by = BY_CGROUP;
			else
				continue;
			err |= take_job(f, t, mark, p, by);
			changed = 1;
		}
	} while (changed);
	free(mark);
	if (f->wait_only && !f->frozen)
		err |= freeze(f, t);
	return err ? -1 : 0;
}

/* a finder of d's jobs that has found nothing yet */
static void init_finder(struct finder *f, struct daemon *d, int self_pid)
{
	memset(f, 0, sizeof *f);
	f->d = d;
	f->self_pid = self_pid;
}

static void free_finder(struct finder *f)
{
	free(f->sessions.ids);
	free(f->pgrps.ids);
	free(f->known);
	free(f->jobs);
}

static int self_pid_in(const struct pb_root *root)
{
	char link[32];
	long v;

	/* the proc root's own idea of us: it may belong to another PID namespace than getpid() */
	if (!root->is_live || pb_readlink_at(root->fd, "self", link, sizeof link) < 0 ||
	    applet_parse_int(link, 1, INT_MAX, &v))
		return 0;
	return (int)v;
}

/* ---- output ---- */

static int output_failed; /* a write to stdout failed */

/* Writes out what the list holds once it is large: a list of thousands of jobs is not kept whole. */
static void flush_output(struct pb_buf *b)
{
	if (b->len >= 65536 && pb_buf_write_fd(b, 1))
		output_failed = 1;
}

static void print_jobs_text(struct pb_buf *b, struct pb_table *t, const struct job *jobs, size_t n, const char *indent)
{
	size_t i;

	if (!n)
		return;
	pb_buf_addf(b, "%s%7s %7s %-10s %8s %-13s %s\n", indent, "PID", "PPID", "USER", "TIME", "FOUND_BY", "COMMAND");
	for (i = 0; i < n; i++) {
		struct pb_buf cell;
		struct pb_proc *p = jobs[i].p;

		pb_buf_init(&cell);
		add_user(&cell, t, p);
		pb_buf_addc(&cell, 0);
		pb_buf_addf(b, "%s%7d %7d %-10s ", indent, p->st.pid, p->st.ppid, cell.failed ? "?" : cell.data);
		cell.len = 0;
		applet_add_duration(&cell, pb_runtime(t, p));
		pb_buf_addc(&cell, 0);
		pb_buf_addf(b, "%8s %-13s ", cell.failed ? "?" : cell.data, found_by_names[jobs[i].by]);
		pb_buf_free(&cell);
		add_command(b, t, p, 0, 300, NULL);
		pb_buf_addc(b, '\n');
		flush_output(b);
	}
}

/* d NULL: cron is not running (and no job runs) */
static void print_jobs_json(struct pb_buf *b, struct pb_table *t, const struct daemon *d, const struct job *jobs,
			    size_t n)
{
	size_t i;
	double secs;
	int cut;

	pb_buf_adds(b, PB_JSON_OPEN ",\"daemon\":");
	if (d) {
		pb_buf_addc(b, '{');
		pb_json_proc_ident(b, t, d->p);
		pb_buf_addc(b, '}');
	} else {
		pb_buf_adds(b, "null");
	}
	pb_buf_adds(b, ",\"jobs\":[");
	for (i = 0; i < n; i++) {
		struct pb_proc *p = jobs[i].p;

		pb_buf_adds(b, i ? ",\n{" : "\n{");
		pb_json_proc_ident(b, t, p);
		pb_buf_addf(b, ",\"ppid\":%d,\"user\":", p->st.ppid);
		pb_buf_json_str(b, pb_user(t, p), strlen(pb_user(t, p)));
		secs = pb_runtime(t, p);
		if (secs < 0)
			pb_buf_adds(b, ",\"runtime\":null");
		else
			pb_buf_addf(b, ",\"runtime\":%.2f", secs);
		pb_buf_addf(b, ",\"found_by\":\"%s\",\"cmdline\":", found_by_names[jobs[i].by]);
		add_command(b, t, p, 1, 0, &cut);
		pb_buf_adds(b, cut ? ",\"cmdline_truncated\":true}" : ",\"cmdline_truncated\":false}");
		flush_output(b);
	}
	pb_buf_adds(b, n ? "\n]}\n" : "]}\n");
}

/* ---- running a hook or a stop command ---- */

/* Everything a real run must undo or report on the way out. */
struct run {
	const struct opts *o;
	struct pb_root *root;
	struct daemon *d;
	long long start, deadline; /* deadline -1: no --timeout */
	int paused;
};

/* a run on d that starts now: its deadline is --timeout from now */
static struct run start_run(const struct opts *o, struct pb_root *root, struct daemon *d)
{
	struct run r = {o, root, d, pb_now_ms(), -1, 0};

	if (o->timeout_ms >= 0)
		r.deadline = r.start + o->timeout_ms;
	return r;
}

/* A signal is pending for the paused daemon that it can act on only once it runs again (a service
 * manager's SIGTERM, when cron handles SIGTERM itself). */
static int stop_signal_pending(const struct pb_root *root, const struct daemon *d)
{
	static const char *const fields[] = {"ShdPnd", "SigPnd"};
	unsigned long long mask = 1ULL << (SIGTERM - 1) | 1ULL << (SIGINT - 1) | 1ULL << (SIGQUIT - 1);
	char path[40];
	struct pb_buf b;
	const char *v;
	char hex[17];
	unsigned long long bits;
	size_t i, vlen;
	int pending = 0;

	snprintf(path, sizeof path, "%d/status", d->id.pid);
	pb_buf_init(&b);
	if (pb_read_at(root->fd, path, &b) == 0)
		for (i = 0; i < 2; i++)
			if ((v = pb_status_field(b.data, b.len, fields[i], &vlen)) && vlen < sizeof hex) {
				memcpy(hex, v, vlen);
				hex[vlen] = 0;
				if (pb_parse_ull(hex, 16, ~0ULL, &bits) == 0 && bits & mask)
					pending = 1;
			}
	pb_buf_free(&b);
	return pending;
}

static void end_child(pid_t pid)
{
	long long until = pb_now_ms() + CHILD_GRACE_MS;
	int status;

	kill(-pid, SIGTERM);
	kill(-pid, SIGCONT);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (pb_now_ms() >= until) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		sleep_ms(20);
	}
}

enum child_end { CHILD_EXITED, CHILD_TIMED_OUT, CHILD_INTERRUPTED, CHILD_DEADLINE, CHILD_NOT_STARTED };

/* Runs argv in its own process group (so that it can be ended as a whole); hooks get CRON_PID and keep our
 * stdout, stop commands write to stderr. While a stop command runs, a paused daemon that got a stop signal
 * is resumed so it can act on it. */
static enum child_end run_child(struct run *r, char *const argv[], int is_hook, long long limit_ms, int *status)
{
	long long until = pb_now_ms() + limit_ms;
	char pid_text[24];
	size_t i;
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0) {
		applet_warn("cannot run %s: %s", argv[0], strerror(errno));
		return CHILD_NOT_STARTED;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		for (i = 0; i < NSIGNALS; i++)
			signal(handled_signals[i], SIG_DFL);
		if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		if (is_hook) {
			snprintf(pid_text, sizeof pid_text, "%d", r->d->id.pid);
			setenv("CRON_PID", pid_text, 1);
		} else {
			dup2(2, 1);
		}
		execvp(argv[0], argv);
		_exit(errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
	}
	setpgid(pid, pid); /* also here: no window in which a signal to the group misses it */
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		long long now = pb_now_ms();
		enum child_end e;

		if (w == pid)
			return CHILD_EXITED;
		if (w < 0 && errno != EINTR) {
			applet_warn("waiting for %s: %s", argv[0], strerror(errno));
			return CHILD_NOT_STARTED;
		}
		e = got_signal ? CHILD_INTERRUPTED : is_hook && r->deadline >= 0 && now >= r->deadline ? CHILD_DEADLINE :
		    now >= until ? CHILD_TIMED_OUT : CHILD_EXITED;
		if (e != CHILD_EXITED) {
			end_child(pid);
			return e;
		}
		if (!is_hook && pb_state(r->root, r->d->id) == 'T' && stop_signal_pending(r->root, r->d)) {
			applet_debug("cron (pid %d) has a stop signal pending: resuming it", r->d->id.pid);
			pb_resume(r->root, r->d->id);
		}
		sleep_ms(20);
	}
}

/* The warning for a child that failed or ran too long: "[PREFIX]NAME failed (exit 3)[SUFFIX]" */
static void warn_child_end(const char *prefix, const char *name, enum child_end e, int status, long long limit_ms,
			   const char *suffix)
{
	char how[32];

	if (e == CHILD_TIMED_OUT) {
		applet_warn("%s%s still ran after %lld s: ended it%s", prefix, name, limit_ms / 1000, suffix);
		return;
	}
	if (e != CHILD_EXITED || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return;
	if (WIFEXITED(status))
		snprintf(how, sizeof how, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof how, "status %d", status);
	applet_warn("%s%s failed (%s)%s", prefix, name, how, suffix);
}

/* ---- leaving: cron is never left paused ---- */

static int resume_daemon(struct run *r, const char *why)
{
	char state;

	if (!r->paused)
		return 0;
	r->paused = 0;
	if (pb_resume(r->root, r->d->id) == 0) {
		state = pb_state(r->root, r->d->id);
		applet_warn("%s: resumed cron (pid %d, state %c)", why, r->d->id.pid, state ? state : '?');
		return 0;
	}
	if (errno == ESRCH) {
		applet_warn("%s: cron (pid %d) is gone, nothing to resume", why, r->d->id.pid);
		return 0;
	}
	applet_warn("%s: cannot resume cron (pid %d): %s; run: kill -CONT %d", why, r->d->id.pid, strerror(errno),
		    r->d->id.pid);
	return -1;
}

static int leave_interrupted(struct run *r)
{
	char why[32];
	int sig = got_signal;
	size_t i;

	/* only the handled signals set the flag */
	for (i = 0; handled_signals[i] != sig; i++)
		;
	snprintf(why, sizeof why, "interrupted by SIG%s", signal_names[i]);
	resume_daemon(r, why);
	return 128 + sig;
}

static int leave_failed(struct run *r, const char *what)
{
	resume_daemon(r, what);
	return EXIT_NO;
}

/* ---- the steps of a real run ---- */

static int pause_daemon(struct run *r)
{
	long long until = pb_now_ms() + PAUSE_CONFIRM_MS;
	char state = 0;

	if (r->d->state == 'T' || r->d->state == 't')
		applet_warn("cron (pid %d) was stopped already; it is resumed if this run ends early", r->d->id.pid);
	if (pb_suspend(r->root, r->d->id) == 0) {
		r->paused = 1;
		/* SIGSTOP is acted on when the daemon next runs; a PID namespace's init ignores it from inside */
		while ((state = pb_state(r->root, r->d->id)) != 'T' && state != 't' && state) {
			if (got_signal)
				return 0; /* the caller sees the flag */
			if (pb_now_ms() >= until) {
				applet_warn("cron (pid %d) did not stop on SIGSTOP (state %c)%s", r->d->id.pid, state,
					    r->d->id.pid == 1 ? ": a PID namespace's init ignores it" : "");
				return -1;
			}
			sleep_ms(10);
		}
	} else if (errno != ESRCH) {
		applet_warn("cannot pause cron (pid %d): %s", r->d->id.pid, strerror(errno));
		return -1;
	}
	if (!state) {
		r->paused = 0;
		applet_info("cron (pid %d) ended before it could be paused", r->d->id.pid);
		return 1;
	}
	applet_info("paused cron (pid %d, %s): it starts no new jobs", r->d->id.pid, r->d->exe[0] ? r->d->exe : r->d->name);
	return 0;
}

/* resolves the hook: 1 with path filled, 0 when there is none, -1 when --hook names nothing runnable */
static int hook_path(const struct opts *o, char *path, size_t size)
{
	if (o->hook) {
		if (!is_executable(o->hook)) {
			applet_warn("hook %s: %s", o->hook, access(o->hook, F_OK) ? strerror(errno) : "not an executable file");
			return -1;
		}
		/* execvp would look a bare name up on PATH; the file checked is the one in this directory */
		snprintf(path, size, "%s%s", strchr(o->hook, '/') ? "" : "./", o->hook);
		return 1;
	}
	return pb_find_program(HOOK_NAME, path, size) == 0;
}

/* 0 to go on, else the exit status */
static int run_hook(struct run *r)
{
	char path[4096];
	char *argv[2] = {path, NULL};
	enum child_end e;
	int status = 0;

	switch (hook_path(r->o, path, sizeof path)) {
	case 0:
		applet_debug("no hook (%s is not on PATH)", HOOK_NAME);
		return 0;
	case -1:
		return leave_failed(r, "no hook to run");
	}
	applet_info("running the hook %s (CRON_PID=%d)", path, r->d->id.pid);
	e = run_child(r, argv, 1, r->o->hook_timeout_ms, &status);
	if (e == CHILD_INTERRUPTED)
		return leave_interrupted(r);
	if (e == CHILD_DEADLINE) {
		applet_warn("timed out after %lld s while the hook %s ran: ended it", r->o->timeout_ms / 1000, path);
		resume_daemon(r, "timed out");
		return EXIT_TIMEOUT;
	}
	warn_child_end("the hook ", path, e, status, r->o->hook_timeout_ms, "; going on");
	return 0;
}

/* "PID command, ..." of the first MAX_LISTED jobs; the progress line adds each one's run time */
static void add_job_list(struct pb_buf *b, struct pb_table *t, const struct job *jobs, size_t n, int progress)
{
	size_t i;

	for (i = 0; i < n && i < MAX_LISTED; i++) {
		pb_buf_addf(b, "%s%d ", i ? ", " : "", jobs[i].p->st.pid);
		add_command(b, t, jobs[i].p, 0, progress ? 30 : 60, NULL);
		if (progress) {
			pb_buf_adds(b, " (");
			applet_add_duration(b, pb_runtime(t, jobs[i].p));
			pb_buf_addc(b, ')');
		}
	}
	if (n > MAX_LISTED)
		pb_buf_adds(b, ", ...");
}

/* Logs each job the first time it is seen and keeps the jobs' identities in f->known (ids: room for f->njobs,
 * now f's). Returns whether the list, or its order, changed since the last look: that is news. */
static int note_jobs(struct finder *f, struct pb_table *t, struct pb_ident *ids, struct pb_buf *line)
{
	struct pb_proc *p;
	size_t i, k, n = f->njobs;
	int changed = n != f->nknown;

	for (i = 0; i < n; i++) {
		p = f->jobs[i].p;
		ids[i] = (struct pb_ident){p->st.pid, p->st.starttime};
		for (k = 0; k < f->nknown && (f->known[k].pid != p->st.pid || f->known[k].starttime != p->st.starttime); k++)
			;
		if (k != i)
			changed = 1;
		if (k < f->nknown)
			continue;
		line->len = 0;
		pb_buf_addf(line, "job %d (", p->st.pid);
		add_user(line, t, p);
		pb_buf_adds(line, ", running ");
		applet_add_duration(line, pb_runtime(t, p));
		if (applet_verbosity > 1)
			pb_buf_addf(line, ", found by %s", found_by_names[f->jobs[i].by]);
		pb_buf_adds(line, "): ");
		add_command(line, t, p, 0, 200, NULL);
		applet_info("%s", buf_text(line, "job (out of memory)"));
	}
	free(f->known);
	f->known = ids;
	f->nknown = n;
	return changed;
}

/* What one look at the jobs found, at now: 0 when none is left; past the deadline, cron resumed and
 * EXIT_TIMEOUT; else the progress line, and -1 to wait on. */
static int report_wait(struct run *r, const struct finder *f, struct pb_table *t, long long now, int changed,
		       struct pb_buf *line)
{
	size_t n = f->njobs;

	line->len = 0;
	if (!n)
		return 0;
	if (r->deadline >= 0 && now >= r->deadline) {
		add_job_list(line, t, f->jobs, n, 0);
		applet_progress_done();
		applet_warn("timed out after %lld s; %zu job%s still running: %s", seconds_since(r->start), n,
			    n == 1 ? "" : "s", buf_text(line, "?"));
		resume_daemon(r, "timed out");
		return EXIT_TIMEOUT;
	}
	pb_buf_addf(line, "waiting for %zu job%s (", n, n == 1 ? "" : "s");
	applet_add_duration(line, (double)(now - r->start) / 1000);
	pb_buf_adds(line, " so far): ");
	add_job_list(line, t, f->jobs, n, 1);
	applet_progress(buf_text(line, "waiting"), changed);
	return -1;
}

/* Until one of the known jobs ends, or it is time to look again: jobs start new processes as they go. 0, or -1
 * after its line. */
static int wait_for_change(const struct run *r, const struct finder *f, long long now)
{
	struct pb_waitset ws;
	int wait_ms = SCAN_INTERVAL_MS;

	if (r->deadline >= 0 && r->deadline - now < wait_ms)
		wait_ms = (int)(r->deadline - now);
	if (pb_waitset_init(&ws, r->root, f->known, f->nknown)) {
		applet_warn("out of memory");
		return -1;
	}
	if (ws.left)
		pb_waitset_wait(&ws, wait_ms);
	pb_waitset_free(&ws);
	return 0;
}

/* 0 when every job has ended, else the exit status (cron resumed) */
static int wait_for_jobs(struct run *r, struct finder *f)
{
	struct pb_table t;
	struct pb_ident *ids;
	struct pb_buf line;
	long long now;
	int changed, daemon_gone_said = 0, status = -1;

	pb_buf_init(&line);
	for (;;) {
		if (got_signal) {
			status = leave_interrupted(r);
			break;
		}
		if (pb_scan(r->root, &t)) {
			applet_warn("cannot scan %s: %s", r->root->path, strerror(errno));
			break;
		}
		ids = NULL;
		if (find_jobs(f, &t) || !(ids = malloc((f->njobs + 1) * sizeof *ids))) {
			pb_table_free(&t);
			applet_warn("out of memory");
			break;
		}
		if (!f->daemon_alive && !daemon_gone_said) {
			applet_info("cron (pid %d) ended while its jobs ran", r->d->id.pid);
			daemon_gone_said = 1;
			r->paused = 0;
		}
		changed = note_jobs(f, &t, ids, &line);
		now = pb_now_ms();
		status = report_wait(r, f, &t, now, changed, &line);
		pb_table_free(&t);
		if (status >= 0 || wait_for_change(r, f, now))
			break;
	}
	applet_progress_done();
	pb_buf_free(&line);
	return status < 0 ? leave_failed(r, "cannot look for jobs") : status;
}

/* A name that stays in the directory it is put in: /etc/init.d/NAME, /run/NAME.pid. A process's name (comm)
 * is its owner's to choose, "../../tmp/x" included. */
static int is_file_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Does a conventional pid file (/run/NAME.pid, crond.pid, cron.pid, or in /var/run) name the daemon? */
static int named_by_pidfile(const struct daemon *d)
{
	const char *const names[] = {d->name, "crond", "cron"};
	char path[128];
	int i;
	long pid;

	for (i = 0; i < 6; i++) {
		if (!is_file_name(names[i % 3]))
			continue;
		/* "/var/run" + 4 is "/run" */
		snprintf(path, sizeof path, "%s/%s.pid", "/var/run" + (i < 3 ? 4 : 0), names[i % 3]);
		if (read_pidfile(path, &pid) == 0 && pid == d->id.pid)
			return 1;
	}
	return 0;
}

/* How the daemon's service manager stops it: a systemd unit, an init script, or nothing (0). argv and its
 * text in cmd; script holds the init script's path. */
static int stop_command(struct daemon *d, char *argv[4], char script[300], char cmd[400])
{
	argv[0] = NULL;
	argv[1] = "stop";
	argv[2] = argv[3] = NULL;
	/* systemd runs it: the unit is its own service and systemd is the running init (sd_booted) */
	if (d->unit[0] && is_dir("/run/systemd/system")) {
		argv[0] = "systemctl";
		argv[2] = d->unit;
	} else {
		/* an init script stops what init started: a daemon whose parent is init (not a supervisor or a
		 * shell) and that the script's pid file names, or the script would stop another cron than this one */
		snprintf(script, 300, "/etc/init.d/%s", d->name);
		if (d->ppid <= 1 && is_file_name(d->name) && is_executable(script) && named_by_pidfile(d)) {
			if (pb_find_program("service", NULL, 0) == 0) {
				argv[0] = "service";
				argv[1] = (char *)d->name;
				argv[2] = "stop";
			} else {
				argv[0] = script;
			}
		}
	}
	if (!argv[0])
		return 0;
	snprintf(cmd, 400, "%s %s%s%s", argv[0], argv[1], argv[2] ? " " : "", argv[2] ? argv[2] : "");
	return 1;
}

/* 0 when the daemon is gone, else the exit status */
static int stop_daemon(struct run *r)
{
	char *argv[4], script[300], cmd[400];
	const char *how = "is gone already";
	enum pb_stop_result result;
	enum child_end e;
	int status = 0;

	if (!pb_is_alive(r->root, r->d->id))
		goto gone;
	if (stop_command(r->d, argv, script, cmd)) {
		applet_info("stopping cron: %s", cmd);
		e = run_child(r, argv, 0, STOP_COMMAND_MS, &status);
		if (e == CHILD_INTERRUPTED)
			return leave_interrupted(r);
		warn_child_end("", cmd, e, status, STOP_COMMAND_MS, "");
		how = "stopped";
		if (!pb_is_alive(r->root, r->d->id))
			goto gone;
		applet_info("cron (pid %d) still runs after %s", r->d->id.pid, cmd);
	}
	if (got_signal)
		return leave_interrupted(r);
	/* pb_stop follows SIGTERM with SIGCONT: a paused daemon acts on SIGTERM only once it runs, and the
	 * SIGTERM, pending first, is what it meets when it does */
	applet_info("stopping cron (pid %d): SIGTERM, SIGKILL after %d s", r->d->id.pid, STOP_GRACE_MS / 1000);
	if (pb_stop(r->root, r->d->id, SIGTERM, STOP_GRACE_MS, 0, &result)) {
		applet_warn("cannot stop cron (pid %d): %s", r->d->id.pid, strerror(errno));
		return leave_failed(r, "could not stop cron");
	}
	r->paused = 0;
	if (result == PB_STOP_SURVIVED) {
		applet_warn("cron (pid %d) survived SIGKILL (stuck in the kernel?)", r->d->id.pid);
		return EXIT_NO;
	}
	how = result == PB_STOP_KILLED ? "killed: it ignored SIGTERM" : pb_stop_names[result];
gone:
	applet_info("cron (pid %d) %s", r->d->id.pid, how);
	r->paused = 0;
	return 0;
}

/* "2.5 s", "3600 s" */
static const char *seconds_text(char buf[32], long long ms)
{
	if (ms % 1000)
		snprintf(buf, 32, "%lld.%03lld s", ms / 1000, ms % 1000);
	else
		snprintf(buf, 32, "%lld s", ms / 1000);
	return buf;
}

/* pause, hook, wait, stop: 0, or the exit status (cron resumed) */
static int paused_run(struct run *r, struct finder *f)
{
	char secs[32];
	int status = pause_daemon(r);

	if (status > 0)
		return 0;
	if (status < 0)
		return leave_failed(r, "could not pause cron");
	if (r->deadline >= 0)
		applet_info("waiting at most %s for the hook and the jobs, then resuming cron (--timeout)",
			    seconds_text(secs, r->o->timeout_ms));
	else
		applet_info("waiting for the hook and the jobs as long as they run (--timeout 0)");
	if (got_signal)
		return leave_interrupted(r);
	if ((status = run_hook(r)) != 0)
		return status;
	if ((status = wait_for_jobs(r, f)) != 0)
		return status;
	applet_info("all jobs ended after %lld s", seconds_since(r->start));
	if ((status = stop_daemon(r)) != 0)
		return status;
	applet_info("done, took %lld s", seconds_since(r->start));
	return 0;
}

static int real_run(const struct opts *o, struct pb_root *root, struct daemon *d, int self_pid)
{
	struct run r = start_run(o, root, d);
	struct pb_guardian guardian;
	struct finder f;
	char path[4096];
	int status;

	init_finder(&f, d, self_pid);
	/* a --hook that cannot run is found out before anything is touched */
	if (hook_path(o, path, sizeof path) < 0)
		return EXIT_NO;
	catch_signals();
	/* before the pause: from then on cron is resumed even when this process cannot do it (SIGKILL, a crash).
	 * It has no deadline of its own: the timeout is ours to keep, and the stop may take longer. */
	if (pb_guardian_start(&guardian, root, &d->id, 1, -1)) {
		applet_warn("cannot start the guardian that resumes cron if this run is killed: %s", strerror(errno));
		return EXIT_NO;
	}
	f.guardian_pid = guardian.pid;
	applet_debug("guardian %d resumes cron (pid %d) if this run ends without doing so", guardian.pid, d->id.pid);
	status = paused_run(&r, &f);
	free_finder(&f);
	switch (pb_guardian_done(&guardian)) {
	case 1:
		applet_warn("the guardian resumed cron (pid %d) before the run ended (it got a signal)", d->id.pid);
		break;
	case -1:
		applet_warn("the guardian ended before the run did: %s", strerror(errno));
		break;
	}
	return status;
}

/* --wait-only: the jobs running now, and what they start, waited for; cron left as it is */
static int wait_only(const struct opts *o, struct pb_root *root, struct daemon *d, int self_pid)
{
	struct run r = start_run(o, root, d);
	struct finder f;
	char secs[32];
	int status;

	init_finder(&f, d, self_pid);
	f.wait_only = 1;
	catch_signals();
	applet_info("waiting %s%s for the jobs cron (pid %d) runs now; cron keeps running (--wait-only)",
		    o->timeout_ms >= 0 ? "at most " : "without a time limit",
		    o->timeout_ms >= 0 ? seconds_text(secs, o->timeout_ms) : "", d->id.pid);
	status = wait_for_jobs(&r, &f);
	if (!status)
		applet_info("all jobs ended after %lld s", seconds_since(r.start));
	free_finder(&f);
	return status;
}

/* ---- the read-only modes ---- */

static int list_or_dry_run(const struct opts *o, struct pb_table *t, struct daemon *d, int self_pid)
{
	struct finder f;
	struct pb_buf out;
	char path[4096], *argv[4], script[300], cmd[400], secs[32];
	int r = 0, hook;

	init_finder(&f, d, self_pid);
	if (find_jobs(&f, t)) {
		applet_warn("out of memory");
		free_finder(&f);
		return EXIT_NO;
	}
	pb_buf_init(&out);
	if (o->list) {
		if (o->json)
			print_jobs_json(&out, t, d, f.jobs, f.njobs);
		else
			print_jobs_text(&out, t, f.jobs, f.njobs, "");
		if (!f.njobs)
			applet_info("cron (pid %d) runs no jobs", d->id.pid);
	} else {
		pb_buf_addf(&out, "dry run: nothing is changed\ncron daemon: pid %d", d->id.pid);
		if (d->exe[0]) {
			pb_buf_adds(&out, ", ");
			pb_buf_text_str(&out, d->exe, strlen(d->exe));
			if (pb_exe_deleted(t, d->p))
				pb_buf_adds(&out, " (deleted: replaced since it started)");
		}
		pb_buf_addf(&out, ", user %s, state %c\n", pb_user(t, d->p), d->state);
		if (d->state == 'T' || d->state == 't')
			pb_buf_adds(&out, "it is stopped now: cron-graceful --resume resumes it\n");
		if (o->wait_only) {
			pb_buf_addf(&out, "would wait for %zu running job%s, leaving cron as it is%s\n", f.njobs,
				    f.njobs == 1 ? "" : "s", f.njobs ? ":" : "");
			print_jobs_text(&out, t, f.jobs, f.njobs, "  ");
			if (o->timeout_ms >= 0)
				pb_buf_addf(&out, "would exit 124 if they still ran after %s\n", seconds_text(secs, o->timeout_ms));
			goto write;
		}
		pb_buf_adds(&out, "would pause it (SIGSTOP) so that it starts no new jobs\n");
		hook = hook_path(o, path, sizeof path);
		if (hook < 0)
			r = EXIT_NO;
		else if (hook)
			pb_buf_addf(&out, "would run the hook %s with CRON_PID=%d\n", path, d->id.pid);
		else
			pb_buf_adds(&out, "no hook: " HOOK_NAME " is not on PATH\n");
		pb_buf_addf(&out, "would wait for %zu running job%s%s\n", f.njobs, f.njobs == 1 ? "" : "s",
			    f.njobs ? ":" : "");
		print_jobs_text(&out, t, f.jobs, f.njobs, "  ");
		if (o->timeout_ms >= 0)
			pb_buf_addf(&out, "would resume it and exit 124 if the hook and the jobs still ran after %s\n",
				    seconds_text(secs, o->timeout_ms));
		else
			pb_buf_adds(&out, "would wait as long as the hook and the jobs run (--timeout 0)\n");
		pb_buf_adds(&out, "would stop it with");
		if (stop_command(d, argv, script, cmd))
			pb_buf_addf(&out, ": %s; if it still runs:", cmd);
		pb_buf_addf(&out, " SIGTERM, SIGKILL after %d s\n", STOP_GRACE_MS / 1000);
	}
write:
	if (pb_buf_write_fd(&out, 1) || output_failed) {
		applet_warn("write error: %s", strerror(errno));
		r = EXIT_NO;
	}
	pb_buf_free(&out);
	free_finder(&f);
	return r;
}

static int resume_only(const struct opts *o, struct pb_root *root, struct daemon *d)
{
	char state = pb_state(root, d->id);

	if (state != 'T' && state != 't') {
		applet_info("cron (pid %d) is not stopped (state %c)", d->id.pid, state ? state : '?');
		return 0;
	}
	if (o->dry_run) {
		char line[80];

		snprintf(line, sizeof line, "would resume cron (pid %d, state %c) with SIGCONT\n", d->id.pid, state);
		return applet_print(1, line);
	}
	if (pb_resume(root, d->id)) {
		applet_warn("cannot resume cron (pid %d): %s", d->id.pid, strerror(errno));
		return EXIT_NO;
	}
	applet_info("resumed cron (pid %d)", d->id.pid);
	return 0;
}

static int parse_seconds_option(const char *name, const char *arg, long long *ms)
{
	if (applet_parse_seconds(arg, ms))
		return applet_usage_error("bad %s '%s' (seconds)", name, arg), -1;
	return 0;
}

/* The options into o, then checked against each other: -1 to go on, else the exit status (after its line, or
 * -h's usage). */
static int parse_options(struct opts *o, int argc, char **argv)
{
	enum { O_LIST = 256, O_FORMAT, O_EXE, O_PID, O_PIDFILE, O_HOOK, O_HOOK_TIMEOUT, O_RESUME, O_SYSLOG, O_NO_SYSLOG };
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},     {"list", no_argument, NULL, O_LIST},
		{"wait-only", no_argument, NULL, 'w'},
		{"format", required_argument, NULL, O_FORMAT}, {"timeout", required_argument, NULL, 't'},
		{"exe-name", required_argument, NULL, O_EXE}, {"pid", required_argument, NULL, O_PID},
		{"pidfile", required_argument, NULL, O_PIDFILE}, {"hook", required_argument, NULL, O_HOOK},
		{"hook-timeout", required_argument, NULL, O_HOOK_TIMEOUT}, {"resume", no_argument, NULL, O_RESUME},
		{"verbose", no_argument, NULL, 'v'},     {"quiet", no_argument, NULL, 'q'},
		{"syslog", no_argument, NULL, O_SYSLOG}, {"no-syslog", no_argument, NULL, O_NO_SYSLOG},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	int c, format_given = 0, hook_given = 0;

	o->timeout_ms = TIMEOUT_MS;
	o->hook_timeout_ms = 300000;
	o->use_syslog = -1;
	while ((c = getopt_long(argc, argv, "+nwt:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->dry_run = 1; break;
		case 'w': o->wait_only = 1; break;
		case O_LIST: o->list = 1; break;
		case O_FORMAT:
			format_given = 1;
			if (!strcmp(optarg, "json"))
				o->json = 1;
			else if (strcmp(optarg, "text"))
				return applet_usage_error("unknown format '%s' (text or json)", optarg);
			break;
		case 't':
			if (parse_seconds_option("--timeout", optarg, &o->timeout_ms))
				return EXIT_USAGE;
			if (o->timeout_ms == 0)
				o->timeout_ms = -1; /* no limit */
			break;
		case O_EXE:
			if (!*optarg || strchr(optarg, '/'))
				return applet_usage_error("bad --exe-name '%s' (a name, not a path)", optarg);
			o->exe_name = optarg;
			break;
		case O_PID:
			if (applet_parse_ident(optarg, &o->pid, &o->exact))
				return EXIT_USAGE;
			break;
		case O_PIDFILE: o->pidfile = optarg; break;
		case O_HOOK: o->hook = optarg; hook_given = 1; break;
		case O_HOOK_TIMEOUT:
			hook_given = 1;
			if (parse_seconds_option("--hook-timeout", optarg, &o->hook_timeout_ms))
				return EXIT_USAGE;
			break;
		case O_RESUME: o->resume = 1; break;
		case 'v': applet_verbosity = 2; break;
		case 'q': applet_verbosity = 0; break;
		case O_SYSLOG: o->use_syslog = 1; break;
		case O_NO_SYSLOG: o->use_syslog = 0; break;
		case 'h': return applet_help(usage);
		default: return applet_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return applet_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->pid.pid && o->pidfile)
		return applet_usage_error("--pid and --pidfile exclude each other");
	if (format_given && !o->list)
		return applet_usage_error("--format goes with --list");
	if (o->list && (o->dry_run || o->resume || o->wait_only))
		return applet_usage_error("--list goes alone");
	if (o->wait_only && o->resume)
		return applet_usage_error("--wait-only and --resume exclude each other");
	if (o->wait_only && hook_given)
		return applet_usage_error("--wait-only runs no hook: it does not pause cron");
	return -1;
}

/* One scan of the open root, the daemon found in it, and the mode the options chose run (real: the run that
 * pauses and stops cron); the exit status. */
static int scan_and_run(const struct opts *o, struct pb_root *root, int real)
{
	struct pb_table t;
	struct daemon d;
	int r = EXIT_NO, self_pid;

	if ((real || (o->wait_only && !o->dry_run)) && !root->is_live) {
		/* a saved tree's jobs never end, and its pids are not ours to signal */
		applet_warn("%s is not the live /proc: only --dry-run and --list read it", root->path);
	} else if (pb_scan_with(root, &t, 1u << PB_F_EXE)) {
		/* the daemon is found by its executable: every exe link, read during the scan */
		applet_warn("cannot scan %s: %s", root->path, strerror(errno));
	} else {
		self_pid = self_pid_in(root);
		r = find_daemon(&t, o, &d);
		if (r > 0) /* not running: no job runs, in the list's usual shape */
			r = o->list && o->json ? applet_print(1, PB_JSON_OPEN ",\"daemon\":null,\"jobs\":[]}\n") : 0;
		else if (r < 0)
			r = EXIT_NO;
		else if (o->resume)
			r = resume_only(o, root, &d);
		else if (!real && !(o->wait_only && !o->dry_run))
			r = list_or_dry_run(o, &t, &d, self_pid);
		else if (o->wait_only)
			r = wait_only(o, root, &d, self_pid);
		else /* the table of the search is stale by now: the run scans afresh (d's strings stay in it) */
			r = real_run(o, root, &d, self_pid);
		pb_table_free(&t);
	}
	return r;
}

int cron_graceful_main(int argc, char **argv)
{
	struct opts o = {0};
	struct pb_root root;
	int r, real;

	if ((r = parse_options(&o, argc, argv)) >= 0)
		return r;
	real = !o.list && !o.dry_run && !o.wait_only;
	applet_syslog(o.use_syslog < 0 ? real : o.use_syslog);

	/* real mode: refuse before looking at anything, so that nothing is touched */
	if (real && geteuid() != 0) {
		applet_warn("must be run as root to stop cron (--dry-run and --list need not)");
		return EXIT_NO;
	}
	if (applet_open_root(&root))
		return EXIT_NO;
	if ((r = applet_check_idents(&root, &o.pid, &o.exact, 1)) == 0)
		r = scan_and_run(&o, &root, real);
	pb_root_close(&root);
	return r;
}
