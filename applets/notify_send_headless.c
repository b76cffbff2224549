/* notify-send-headless: notify-send inside the desktop session, as its user, from cron, udev or root; with
 * --all or --group, a desktop wall: every desktop session, each as its own user. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "applet.h"

static const char usage[] =
	"Usage: notify-send-headless [OPTIONS] [NOTIFY-SEND OPTIONS] SUMMARY [BODY]\n"
	"Run notify-send inside the desktop session; its options pass through (-h/--hint, -v/--version too).\n"
	"\n"
	"      --user USER    only sessions of USER (a name or a uid)\n"
	"      --all          every desktop session (of every user when root), each as its user\n"
	"      --group GROUP  every desktop session of GROUP's members\n"
	"      --print-env    print the session's variables as export lines instead\n"
	"      --verbose      explain the vote on stderr\n"
	"      --help         show this help\n";

/* ours are long only, so that notify-send's short ones keep their meaning */
enum { OPT_USER = 256, OPT_ALL, OPT_GROUP, OPT_PRINT_ENV, OPT_VERBOSE, OPT_HELP };

static const struct option longopts[] = {
	/* notify-send's own (libnotify 0.8): handed on in their long form */
	{"urgency", required_argument, NULL, 'u'},
	{"expire-time", required_argument, NULL, 't'},
	{"app-name", required_argument, NULL, 'a'},
	{"icon", required_argument, NULL, 'i'},
	{"category", required_argument, NULL, 'c'},
	{"transient", no_argument, NULL, 'e'},
	{"hint", required_argument, NULL, 'h'},
	{"print-id", no_argument, NULL, 'p'},
	{"replace-id", required_argument, NULL, 'r'},
	{"wait", no_argument, NULL, 'w'},
	{"action", required_argument, NULL, 'A'},
	{"version", no_argument, NULL, 'v'},
	/* ours */
	{"user", required_argument, NULL, OPT_USER},
	{"all", no_argument, NULL, OPT_ALL},
	{"group", required_argument, NULL, OPT_GROUP},
	{"print-env", no_argument, NULL, OPT_PRINT_ENV},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* notify-send's short options; '+': options end at the summary */
static const char shortopts[] = "+u:t:a:i:c:eh:pr:wA:v";

struct notify_opts {
	struct desktop_opts d;
	int all;
	const char *group;     /* --group as given */
	int waits;             /* --wait or --action: for one person's answer */
	gid_t gid;             /* of the group */
	struct pb_buf members; /* the names the group lists, each NUL-terminated */
};

/* One of our options: -1 to go on, else the exit status to return. */
static int our_option(struct notify_opts *o, int c, int argc, char **argv)
{
	switch (c) {
	case OPT_USER:
		return desktop_set_user(&o->d, optarg) ? EXIT_USAGE : -1;
	case OPT_ALL:
		o->all = 1;
		return -1;
	case OPT_GROUP:
		o->group = optarg;
		return -1;
	case OPT_PRINT_ENV:
		o->d.print_env = 1;
		return -1;
	case OPT_VERBOSE:
		applet_verbosity = 2;
		return -1;
	case OPT_HELP:
		return applet_help(usage);
	default:
		return applet_bad_option(argc, argv);
	}
}

/* notify-send's argument vector: grows with every argument, so that a cluster of short options ("-ewe",
 * one argument each) never outgrows it; owned[i] says whether v[i] was allocated here */
struct argvec {
	char **v;
	unsigned char *owned;
	size_t n, cap;
};

static int argvec_push(struct argvec *a, char *arg, int owned)
{
	unsigned char *o;
	char **v;
	size_t cap;

	/* room for arg and the final NULL */
	if (a->n + 2 > a->cap) {
		cap = a->cap ? a->cap * 2 : 16;
		if (!(v = realloc(a->v, cap * sizeof *v)))
			return -1;
		a->v = v;
		if (!(o = realloc(a->owned, cap)))
			return -1;
		a->owned = o;
		a->cap = cap;
	}
	a->owned[a->n] = (unsigned char)owned;
	a->v[a->n++] = arg;
	a->v[a->n] = NULL;
	return 0;
}

static void argvec_free(struct argvec *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->owned[i])
			free(a->v[i]);
	free(a->v);
	free(a->owned);
	memset(a, 0, sizeof *a);
}

/*
 * Our options taken out, notify-send's rebuilt in their long form (GLib knows no abbreviations, getopt_long
 * accepted them), one argument per option, however they were clustered; then the operands. Returns -1 with
 * cmd built, or an exit status (a usage error, --help, out of memory).
 */
static int notify_send_command(int argc, char **argv, struct notify_opts *o, struct argvec *cmd)
{
	const struct option *opt;
	char *arg;
	int c, last_optind = optind > 0 ? optind : 1, r; /* optind 0: a fresh start of getopt */
	size_t i, len;

	if (argvec_push(cmd, "notify-send", 0))
		goto no_memory;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		last_optind = optind;
		for (opt = longopts; opt->name && opt->val != c; opt++)
			;
		/* ours, or neither ours nor notify-send's (a usage error) */
		if (c >= OPT_USER || !opt->name) {
			if ((r = our_option(o, c, argc, argv)) >= 0)
				return r;
			continue;
		}
		o->waits |= c == 'w' || c == 'A';
		len = strlen(opt->name) + (opt->has_arg ? strlen(optarg) + 4 : 3);
		if (!(arg = malloc(len)))
			goto no_memory;
		snprintf(arg, len, opt->has_arg ? "--%s=%s" : "--%s", opt->name, optarg);
		if (argvec_push(cmd, arg, 1)) {
			free(arg);
			goto no_memory;
		}
	}
	/* a "--" we consumed still matters to notify-send: a summary may start with '-' */
	if (optind == last_optind + 1 && !strcmp(argv[last_optind], "--") && argvec_push(cmd, "--", 0))
		goto no_memory;
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (argvec_push(cmd, argv[i], 0))
			goto no_memory;
	return -1;
no_memory:
	applet_warn("out of memory");
	return EXIT_OWN_FAILURE;
}

/* ---- --all and --group: the desktop wall ---- */

/* A hung notify-send (a daemon that never answers, a user's own program of that name) must not hold the wall:
 * each gets this long, then SIGKILL, then this much more to end before we stop waiting for it. */
#define WALL_TIMEOUT_MS 10000
#define WALL_GRACE_MS 2000

/* notify-send in one desktop session */
struct wall_child {
	const struct pb_session *x;
	pid_t pid;          /* 0: not started (err_no says why) */
	int pidfd, err;     /* the child's pidfd, the reading end of its stderr; -1 when none or closed */
	int err_no, status, done, killed, abandoned;
	long long deadline; /* pb_now_ms() */
	char line[161];     /* the first line of its stderr */
	size_t len;
	int line_done;
};

/* --group: its gid and the names it lists, copied (getpwuid may reuse the group functions' buffer) */
static int look_up_group(struct notify_opts *o)
{
	unsigned long long v;
	struct group *gr = getgrnam(o->group);
	char **m;

	if (!gr && pb_parse_ull(o->group, 10, 0xfffffffeUL, &v) == 0)
		gr = getgrgid((gid_t)v);
	if (!gr)
		return applet_usage_error("unknown group '%s'", o->group);
	o->gid = gr->gr_gid;
	for (m = gr->gr_mem; *m; m++)
		pb_buf_add(&o->members, *m, strlen(*m) + 1);
	if (o->members.failed) {
		applet_warn("out of memory");
		return EXIT_OWN_FAILURE;
	}
	return 0;
}

/* a member of the group: by the primary group of the user's passwd entry, or listed by the group */
static int in_group(const struct notify_opts *o, unsigned int uid)
{
	struct passwd *pw = getpwuid((uid_t)uid);
	size_t i;

	if (!pw)
		return 0;
	if (pw->pw_gid == o->gid)
		return 1;
	for (i = 0; i < o->members.len; i += strlen(o->members.data + i) + 1)
		if (!strcmp(o->members.data + i, pw->pw_name))
			return 1;
	return 0;
}

/* -v: the names the group lists that have no desktop session among the n chosen */
static void absent_members(const struct notify_opts *o, const struct wall_child *w, size_t n)
{
	const char *name;
	struct passwd *pw;
	size_t i, j;

	for (i = 0; applet_verbosity > 1 && i < o->members.len; i += strlen(name) + 1) {
		name = o->members.data + i;
		pw = getpwnam(name);
		for (j = 0; pw && j < n && w[j].x->uid != pw->pw_uid; j++)
			;
		if (!pw || j == n)
			applet_debug("group %s lists %s, %s", o->group, name, pw ? "who has no desktop session" : "who is no user");
	}
}

/* Forks the child that runs cmd in its session. It gets nothing of ours to read or write (/dev/null in,
 * /dev/null out: the program that runs is the user's to choose, and root's terminal is not the user's to
 * write to), and its stderr comes back to us for the report. */
static void start_child(struct desktop *d, struct wall_child *c, char **cmd, int null_fd)
{
	int p[2];

	c->pidfd = c->err = -1;
	if (pipe2(p, O_CLOEXEC)) {
		c->err_no = errno;
		return;
	}
	c->pid = fork();
	if (c->pid == 0) {
		/* notify-send's own messages, not our -v lines, are what the report quotes */
		applet_verbosity = 1;
		if (dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(p[1], 2) < 0)
			_exit(EXIT_OWN_FAILURE);
		_exit(desktop_exec(d, c->x, cmd));
	}
	c->err_no = errno;
	close(p[1]);
	if (c->pid < 0) {
		c->pid = 0;
		close(p[0]);
		return;
	}
	c->err = p[0];
	fcntl(c->err, F_SETFL, O_NONBLOCK);
	/* an unreaped child keeps its pid: without pidfds (before Linux 5.3) kill() is as safe */
	c->pidfd = pb_pidfd_open(c->pid);
	c->deadline = pb_now_ms() + WALL_TIMEOUT_MS;
}

/* what the child wrote to stderr so far: its first line is kept, the rest read and dropped */
static void read_stderr(struct wall_child *c)
{
	char buf[512], *nl;
	ssize_t r;
	size_t n;

	while (c->err >= 0) {
		r = read(c->err, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			close(c->err);
			c->err = -1;
			return;
		}
		n = c->line_done ? 0 : (size_t)r;
		if ((nl = memchr(buf, '\n', n))) {
			n = (size_t)(nl - buf);
			c->line_done = 1;
		}
		if (n > sizeof c->line - 1 - c->len) {
			n = sizeof c->line - 1 - c->len;
			c->line_done = 1;
		}
		memcpy(c->line + c->len, buf, n);
		c->len += n;
	}
}

/* the child's end, once: what it wrote, and its descriptors closed (a program it left behind may hold the
 * pipe open: it is not waited for) */
static void finish_child(struct wall_child *c)
{
	read_stderr(c);
	if (c->err >= 0)
		close(c->err);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->err = c->pidfd = -1;
	c->done = 1;
}

/* One look at a running child: reaped, or killed at its deadline, or given up after the grace. 1 when it
 * still runs (*wake: when to look again at the latest). */
static int check_child(struct wall_child *c, long long now, long long *wake)
{
	pid_t r = waitpid(c->pid, &c->status, WNOHANG);
	long long t;

	if (r == c->pid || (r < 0 && errno != EINTR)) {
		finish_child(c);
		return 0;
	}
	if (now >= c->deadline && c->killed) {
		c->abandoned = 1;
		finish_child(c);
		return 0;
	}
	if (now >= c->deadline) {
		if (c->pidfd < 0 || pb_pidfd_signal(c->pidfd, SIGKILL))
			kill(c->pid, SIGKILL);
		c->killed = 1;
		c->deadline = now + WALL_GRACE_MS;
	}
	/* without a pidfd to wake us, a look every 50 ms */
	t = c->pidfd < 0 && now + 50 < c->deadline ? now + 50 : c->deadline;
	if (t < *wake)
		*wake = t;
	return 1;
}

/* Waits for every child at once: woken by their pidfds and their stderr, never past the next deadline. */
static void wait_children(struct wall_child *w, size_t n)
{
	struct pollfd *pfd = calloc(2 * n + 1, sizeof *pfd);
	long long now, wake;
	size_t i, np, running;

	for (;;) {
		now = pb_now_ms();
		wake = now + WALL_TIMEOUT_MS;
		for (i = np = running = 0; i < n; i++) {
			if (!w[i].pid || w[i].done || !check_child(&w[i], now, &wake))
				continue;
			running++;
			if (pfd && w[i].err >= 0)
				pfd[np++] = (struct pollfd){.fd = w[i].err, .events = POLLIN};
			if (pfd && w[i].pidfd >= 0)
				pfd[np++] = (struct pollfd){.fd = w[i].pidfd, .events = POLLIN};
		}
		if (!running)
			break;
		/* out of memory for the poll set: a look every 50 ms instead */
		poll(pfd, np, pfd ? (int)(wake - now) : 50);
		for (i = 0; i < n; i++)
			if (w[i].pid && !w[i].done)
				read_stderr(&w[i]);
	}
	free(pfd);
}

/* One line for a session: whose, which display, what came of it; 1 when the notification was sent. */
static int report_child(const struct wall_child *c)
{
	const struct pb_session *x = c->x;
	int k = x->value[PB_SV_DISPLAY] ? PB_SV_DISPLAY : PB_SV_WAYLAND, sent = 0;
	struct pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, "%s (uid %u) on ", pb_uid_name(x->uid), x->uid);
	pb_buf_text_str(&b, x->value[k], x->len[k] > 80 ? 80 : x->len[k]);
	if (!c->pid)
		pb_buf_addf(&b, ": not started: %s", strerror(c->err_no));
	else if (c->abandoned)
		pb_buf_addf(&b, ": no answer in %d s, killed, and it has not ended", WALL_TIMEOUT_MS / 1000);
	else if (c->killed && WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL)
		pb_buf_addf(&b, ": no answer in %d s: killed", WALL_TIMEOUT_MS / 1000);
	else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0)
		pb_buf_adds(&b, ": notified"), sent = 1;
	else if (WIFEXITED(c->status))
		pb_buf_addf(&b, ": failed (exit %d)", WEXITSTATUS(c->status));
	else
		pb_buf_addf(&b, ": failed (%s)", applet_signal_name(WTERMSIG(c->status)));
	if (!sent && c->len) {
		pb_buf_adds(&b, ": ");
		pb_buf_text_str(&b, c->line, c->len);
	}
	applet_warn("%s", b.failed ? "(out of memory)" : b.data);
	pb_buf_free(&b);
	return sent;
}

/* no session to notify: one line saying why */
static void report_none(const struct desktop *d, const struct notify_opts *o)
{
	if (!o->group)
		desktop_no_session(d, " of user ", o->d.user);
	else if (!d->s.ndesktops)
		desktop_no_session(d, " of a member of group ", o->group);
	else
		applet_warn("no graphical session of a member of group %s found: the %zu found %s other users'",
			    o->group, d->s.ndesktops, d->s.ndesktops == 1 ? "is" : "are");
}

/* Every desktop session (of --user, of --group's members; not root: of ours), notify-send in each, all at
 * once, each as its own user. 0 when at least one was sent, else 1. */
static int notify_wall(const struct notify_opts *o, char **cmd)
{
	const struct pb_session *x;
	struct wall_child *w = NULL;
	struct desktop d;
	long uid = o->d.uid;
	size_t i, n = 0, sent = 0;
	int null_fd = -1;

	/* not root: only our own sessions are ours to notify (and only our own environments readable) */
	if (uid < 0 && geteuid() != 0)
		uid = (long)getuid();
	/* a caller that ignores SIGCHLD would have our children reaped behind our back */
	signal(SIGCHLD, SIG_DFL);
	if (desktop_find(&d, uid, 1))
		goto out;
	if (d.s.left_out)
		applet_warn("%lu candidate%s on further displays of users with %d desktops already left out (-v lists them)",
			    d.s.left_out, d.s.left_out == 1 ? "" : "s", PB_SESSION_DESKTOPS_MAX);
	if (!(w = calloc(d.s.ndesktops + 1, sizeof *w)) || (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		applet_warn("cannot start notify-send: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < d.s.ndesktops; i++) {
		x = &d.s.candidates[d.s.desktops[i]];
		if (o->group && !in_group(o, x->uid))
			applet_debug("%s (uid %u) is not a member of group %s: left out", pb_uid_name(x->uid), x->uid,
				     o->group);
		else
			w[n++].x = x;
	}
	if (o->group)
		absent_members(o, w, n);
	if (!n) {
		report_none(&d, o);
		goto out;
	}
	for (i = 0; i < n; i++)
		start_child(&d, &w[i], cmd, null_fd);
	wait_children(w, n);
	for (i = 0; i < n; i++)
		sent += (size_t)report_child(&w[i]);
	if (!sent)
		applet_warn("no session was reached: notify-send failed in all %zu", n);
out:
	if (null_fd >= 0)
		close(null_fd);
	free(w);
	desktop_free(&d);
	return sent ? 0 : EXIT_NO;
}

int notify_send_headless_main(int argc, char **argv)
{
	struct notify_opts o = {.d = {.uid = -1, .user_option = "--user"}};
	struct argvec cmd = {0};
	int r, operands, wall;

	pb_buf_init(&o.members);
	r = notify_send_command(argc, argv, &o, &cmd);
	operands = optind < argc;
	wall = o.all || o.group;
	if (r >= 0)
		; /* usage error, --help or out of memory: said */
	else if (o.d.print_env && operands)
		r = applet_usage_error("--print-env takes no summary");
	else if (o.d.print_env && wall)
		r = applet_usage_error("--print-env prints one session: not with --all or --group");
	else if (o.waits && wall)
		r = applet_usage_error("--wait and --action wait for one person: not with --all or --group");
	else if (o.group && o.d.user)
		r = applet_usage_error("--group and --user exclude each other");
	else if (!o.d.print_env && !operands && cmd.n == 1)
		r = applet_usage_error("no summary given");
	else if (o.group && (r = look_up_group(&o)) != 0)
		; /* said */
	else if (!o.d.print_env && pb_find_program("notify-send", NULL, 0) != 0) {
		applet_warn("notify-send is not installed (not found on PATH): install the package libnotify-bin");
		r = EXIT_NOT_FOUND;
	} else {
		r = wall ? notify_wall(&o, cmd.v) : desktop_run(&o.d, cmd.v);
	}
	pb_buf_free(&o.members);
	argvec_free(&cmd);
	return r;
}
