/* with-gui-environment and notify-send-headless: run a command, or notify-send, inside the desktop session. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "applet.h"

static const char with_gui_usage[] =
	"Usage: with-gui-environment [OPTIONS] [--] COMMAND [ARGS...]\n"
	"Run COMMAND inside the desktop session (X11 or Wayland), as its user when we are root.\n";

static const char notify_usage[] =
	"Usage: notify-send-headless [OPTIONS] [NOTIFY-SEND OPTIONS] SUMMARY [BODY]\n"
	"Run notify-send inside the desktop session; its options pass through (-h/--hint, -v/--version too).\n";

/* ours, for both: notify-send-headless has them without their short forms */
static const char options_help[] =
	"\n"
	"  -u, --user USER  only sessions of USER (a name or a uid)\n"
	"  -p, --print-env  print the session's variables as export lines instead\n"
	"  -v, --verbose    explain the vote on stderr\n"
	"  -h, --help       show this help\n";

static int help(const char *usage)
{
	_Static_assert(sizeof with_gui_usage <= 256 && sizeof notify_usage <= 256, "help: text too small");
	char text[sizeof options_help + 256], *p;
	size_t n = strlen(usage);

	memcpy(text, usage, n);
	memcpy(text + n, options_help, sizeof options_help);
	if (usage == notify_usage)
		for (p = text + n + 1; *p; p = strchr(p, '\n') + 1)
			memset(p + 2, ' ', 4);
	return applet_help(text);
}

struct gui_opts {
	long uid; /* --user, -1 for everyone */
	const char *user;
	int print_env;
};

/*
 * notify-send's own options (libnotify 0.8), rebuilt in their long form for it, then ours: the names in order,
 * and the letter of each, with ':' after those that take an argument. with-gui-environment takes ours alone
 * (with short forms); notify-send-headless tells ours apart by their index: long only, so that notify-send's
 * short ones keep their meaning.
 */
#define NOTIFY_SEND_NOPTS 12
#define NOPTS 16
static const char option_names[] = "urgency\0expire-time\0app-name\0icon\0category\0transient\0hint\0print-id\0"
				   "replace-id\0wait\0action\0version\0user\0print-env\0verbose\0help";
static const char option_letters[] = "u:t:a:i:c:eh:pr:wA:vu:pvh";

/* The table getopt_long wants, NOPTS entries and the end */
static void make_longopts(struct option *opts)
{
	const char *name = option_names, *c = option_letters;
	int i;

	for (i = 0; i < NOPTS; i++) {
		opts[i] = (struct option){name, c[1] == ':', NULL, *c};
		name += strlen(name) + 1;
		c += 1 + opts[i].has_arg;
	}
	opts[NOPTS] = (struct option){NULL, 0, NULL, 0};
}

/* One of our options: -1 to go on, else the exit status to return. */
static int our_option(struct gui_opts *o, int c, const char *usage, int argc, char **argv)
{
	switch (c) {
	case 'u':
		o->uid = pb_user_lookup(optarg);
		o->user = optarg;
		if (o->uid < 0)
			return applet_usage_error("unknown user '%s'", optarg);
		break;
	case 'p':
		o->print_env = 1;
		break;
	case 'v':
		applet_verbosity = 2;
		break;
	case 'h':
		return help(usage);
	default:
		return applet_bad_option(argc, argv);
	}
	return -1;
}

/* ---- the vote ---- */

static void add_session(struct pb_buf *b, const struct pb_session *x)
{
	size_t k;

	pb_buf_addf(b, "uid %u (%s), %lu process%s, oldest pid %d:", x->uid, pb_uid_name(x->uid), x->procs,
		    x->procs == 1 ? "" : "es", x->oldest_pid);
	for (k = 0; k < PB_SV_COUNT; k++) {
		if (!x->value[k])
			continue;
		pb_buf_addf(b, " %s=", pb_session_var_names[k]);
		/* a line, not a dump: long values are cut */
		pb_buf_text_str(b, x->value[k], x->len[k] > 160 ? 160 : x->len[k]);
		if (x->len[k] > 160)
			pb_buf_adds(b, "...");
	}
	if (x->bus_filled)
		pb_buf_adds(b, " (bus address filled in: the socket exists)");
}

static const char *reject_reason(enum pb_session_reject r)
{
	switch (r) {
	case PB_SR_BUS_GONE:
		return "its DBUS_SESSION_BUS_ADDRESS names no socket that still exists";
	case PB_SR_RUNTIME_DIR_GONE:
		return "its XDG_RUNTIME_DIR is gone";
	case PB_SR_XAUTHORITY_GONE:
		return "its XAUTHORITY file is gone";
	case PB_SR_NONE:
		break;
	}
	return "valid";
}

static const char *lost_reason(const struct pb_session *winner, const struct pb_session *x)
{
	if (x->reject)
		return reject_reason(x->reject);
	if (x->procs < winner->procs)
		return "fewer processes";
	if (x->nvars < winner->nvars)
		return "as many processes, fewer variables";
	return "a tie, and its oldest process started later";
}

/* -v: what was looked at, then every candidate in rank order with its fate */
static void explain_vote(const struct pb_table *t, const struct pb_session_search *s)
{
	struct pb_buf b;
	size_t i, shown = s->n > 50 ? 50 : s->n;

	applet_debug("%lu processes, %lu with DISPLAY or WAYLAND_DISPLAY, %lu environments unreadable; of those "
		     "%lu of other users, %lu vanished, %lu unreadable, %lu without a uid; %zu candidate%s",
		     s->screened, s->carriers, t->count.denied[PB_F_ENVIRON], s->other_uid, s->vanished, s->denied,
		     s->malformed, s->n, s->n == 1 ? "" : "s");
	pb_buf_init(&b);
	for (i = 0; i < shown; i++) {
		b.len = 0;
		if (i == 0 && s->found)
			pb_buf_adds(&b, "#1 chosen: ");
		else
			pb_buf_addf(&b, "#%zu %s (%s): ", i + 1, s->candidates[i].reject ? "rejected" : "lost",
				    lost_reason(&s->candidates[0], &s->candidates[i]));
		add_session(&b, &s->candidates[i]);
		if (!b.failed)
			applet_debug("%s", b.data);
	}
	if (shown < s->n)
		applet_debug("... and %zu more candidates", s->n - shown);
	pb_buf_free(&b);
}

/* one line saying why there is no session, with what would help */
static void report_no_session(const struct pb_table *t, const struct pb_session_search *s, const struct gui_opts *o)
{
	char unreadable[160], stale[96];
	unsigned long denied = t->count.denied[PB_F_ENVIRON] + s->denied;

	unreadable[0] = stale[0] = 0;
	if (denied)
		snprintf(unreadable, sizeof unreadable, "; the environment%s of %lu process%s %s not readable (%s)",
			 denied == 1 ? "" : "s", denied, denied == 1 ? "" : "es", denied == 1 ? "was" : "were",
			 geteuid() ? "root sees other users' sessions" : "hidden even from root");
	if (s->n)
		snprintf(stale, sizeof stale, "; %zu candidate%s rejected as stale (-v says why)", s->n,
			 s->n == 1 ? "" : "s");
	applet_warn("no graphical session%s%s found: no running process carries a valid DISPLAY or WAYLAND_DISPLAY%s%s",
		    o->user ? " of user " : "", o->user ? o->user : "", stale, unreadable);
}

/* ---- running inside the session ---- */

static int set_var(const char *name, const char *value)
{
	if (value ? setenv(name, value, 1) : unsetenv(name)) {
		applet_warn("cannot set %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Is every group of a in b? Compared as sets: the kernel keeps the order setgroups() was given, and
 * initgroups() may add the primary group. */
static int subset(const gid_t *a, int na, const gid_t *b, int nb)
{
	int i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && b[j] != a[i]; j++)
			;
		if (j == nb)
			return 0;
	}
	return 1;
}

/* the 32-bit id calls where the plain ones take 16-bit ids (i386, arm) */
#ifdef SYS_setgroups32
#define SYS_SETGROUPS SYS_setgroups32
#define SYS_SETRESGID SYS_setresgid32
#define SYS_SETRESUID SYS_setresuid32
#else
#define SYS_SETGROUPS SYS_setgroups
#define SYS_SETRESGID SYS_setresgid
#define SYS_SETRESUID SYS_setresuid
#endif

/*
 * Root into the session's user: supplementary groups first (they need root), then the gid (it needs root
 * too), then the uid, which gives root up for good. Each step is checked, and the result verified: a
 * half-done switch (root's groups left, say) must never run the command.
 */
static int become_user(const struct pb_session *x)
{
	struct passwd *pw = getpwuid((uid_t)x->uid);
	static const char *const names[] = {"HOME", "USER", "LOGNAME", "XDG_RUNTIME_DIR"};
	char name[256], home[4096], runtime[64];
	const char *values[4], *step;
	gid_t want[1024], have[1024];
	int nwant = 1024, nhave;
	gid_t gid;
	struct stat sb;
	int k;

	/* copies: the group functions below may reuse getpwuid's buffer */
	if (!pw || strlen(pw->pw_name) >= sizeof name || strlen(pw->pw_dir) >= sizeof home) {
		applet_warn("uid %u has no usable passwd entry: not switching to it", x->uid);
		return -1;
	}
	strcpy(name, pw->pw_name);
	strcpy(home, pw->pw_dir);
	gid = pw->pw_gid;
	if (getgrouplist(name, gid, want, &nwant) < 0) {
		applet_warn("user %s is in more than %d groups", name, nwant);
		return -1;
	}
	/* the system calls themselves: musl's wrappers make every thread of the process follow (2 KB of thread
	 * synchronisation in the binary), and procbox runs one thread */
	step = syscall(SYS_SETGROUPS, nwant, want) ? "groups"
	       : syscall(SYS_SETRESGID, gid, gid, gid) ? "gid"
	       : syscall(SYS_SETRESUID, x->uid, x->uid, x->uid) ? "uid" : NULL;
	if (step) {
		applet_warn("cannot set the %s of %s: %s", step, name, strerror(errno));
		return -1;
	}
	nhave = getgroups(1024, have);
	if (getuid() != x->uid || geteuid() != x->uid || getgid() != gid || getegid() != gid || nhave < 0 ||
	    !subset(want, nwant, have, nhave) || !subset(have, nhave, want, nwant) || syscall(SYS_SETRESUID, 0, 0, 0) == 0) {
		applet_warn("switching to user %s did not take (uid %u, gid %u, %d groups)", name,
			    (unsigned int)geteuid(), (unsigned int)getegid(), nhave);
		return -1;
	}
	/* the session's runtime directory, else the user's standard one when it exists; never root's */
	snprintf(runtime, sizeof runtime, "/run/user/%u", x->uid);
	values[0] = home;
	values[1] = values[2] = name;
	values[3] = x->value[PB_SV_RUNTIME] ? x->value[PB_SV_RUNTIME]
		    : stat(runtime, &sb) == 0 && S_ISDIR(sb.st_mode) ? runtime : NULL;
	for (k = 0; k < 4; k++)
		if (set_var(names[k], values[k]))
			return -1;
	applet_debug("running as %s (uid %u, gid %u, %d groups)", name, x->uid, (unsigned int)gid, nhave);
	return 0;
}

/* Finds the session; prints it (--print-env) or runs cmd inside it. Returns an exit status, or execs. */
static int run_in_session(const struct gui_opts *o, char **cmd)
{
	struct pb_session_search s = {.uid = o->uid};
	const struct pb_session *x;
	struct pb_root root;
	struct pb_table t;
	struct pb_buf out;
	size_t k;
	int r = o->print_env ? EXIT_NO : EXIT_OWN_FAILURE, switch_user;

	if (applet_open_root(&root))
		return r;
	/* a failed scan leaves the table empty, for pb_table_free */
	if (pb_session_scan(&root, &t)) {
		applet_warn("cannot scan %s: %s", root.path, strerror(errno));
		goto out;
	}
	if (pb_session_find(&t, &s)) {
		applet_warn("cannot look for the session: %s", strerror(errno));
		goto out;
	}
	explain_vote(&t, &s);
	if (!s.found) {
		report_no_session(&t, &s, o);
		goto out;
	}
	x = &s.candidates[0];
	if (o->print_env) {
		pb_buf_init(&out);
		for (k = 0; k < PB_SV_COUNT; k++)
			if (x->value[k])
				applet_print_export(&out, pb_session_var_names[k], x->value[k], x->len[k]);
		r = pb_buf_write_fd(&out, 1) ? EXIT_NO : 0;
		if (r)
			applet_warn("write error: %s", strerror(errno));
		pb_buf_free(&out);
		goto out;
	}
	switch_user = x->uid != getuid() || x->uid != geteuid();
	if (switch_user && geteuid() != 0) {
		applet_warn("the session belongs to %s (uid %u): only root may run a command in another user's session",
			    pb_uid_name(x->uid), x->uid);
		goto out;
	}
	/* the session's view replaces ours: a variable it lacks (DISPLAY of a Wayland session) is removed */
	for (k = 0; k < PB_SV_COUNT; k++)
		if (set_var(pb_session_var_names[k], x->value[k]))
			goto out;
	if (switch_user && become_user(x))
		goto out;
	if (!switch_user)
		applet_debug("the session is our own user's: no switch of user");
	r = -1;
out:
	pb_session_free(&s);
	pb_table_free(&t);
	pb_root_close(&root);
	if (r < 0)
		applet_exec(cmd);
	return r;
}

/* ---- with-gui-environment ---- */

int with_gui_environment_main(int argc, char **argv)
{
	struct option longopts[NOPTS + 1];
	struct gui_opts o = {.uid = -1};
	int c, r;

	make_longopts(longopts);
	while ((c = getopt_long(argc, argv, "+u:pvh", longopts + NOTIFY_SEND_NOPTS, NULL)) != -1)
		if ((r = our_option(&o, c, with_gui_usage, argc, argv)) >= 0)
			return r;
	if (o.print_env && optind < argc)
		return applet_usage_error("--print-env takes no command");
	if (!o.print_env && optind >= argc)
		return applet_usage_error("no command given");
	return run_in_session(&o, argv + optind);
}

/* ---- notify-send-headless ---- */

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
static int notify_send_command(int argc, char **argv, struct gui_opts *o, struct argvec *cmd)
{
	struct option longopts[NOPTS + 1];
	const struct option *opt;
	char *arg;
	int c, idx, last_optind = optind > 0 ? optind : 1, r; /* optind 0: a fresh start of getopt */
	size_t i, len;

	make_longopts(longopts);
	if (argvec_push(cmd, "notify-send", 0))
		goto no_memory;
	/* getopt_long sets idx only for a long option */
	while ((idx = -1, c = getopt_long(argc, argv, "+u:t:a:i:c:eh:pr:wA:v", longopts, &idx)) != -1) {
		last_optind = optind;
		for (i = 0; i < NOTIFY_SEND_NOPTS && longopts[i].val != c; i++)
			;
		/* ours, or neither ours nor notify-send's (a usage error) */
		if (idx >= NOTIFY_SEND_NOPTS || i == NOTIFY_SEND_NOPTS) {
			if ((r = our_option(o, c, notify_usage, argc, argv)) >= 0)
				return r;
			continue;
		}
		opt = &longopts[i];
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

int notify_send_headless_main(int argc, char **argv)
{
	struct gui_opts o = {.uid = -1};
	struct argvec cmd = {0};
	int r, operands;

	r = notify_send_command(argc, argv, &o, &cmd);
	operands = optind < argc;
	if (r >= 0)
		; /* usage error, --help or out of memory: said */
	else if (o.print_env && operands)
		r = applet_usage_error("--print-env takes no summary");
	else if (!o.print_env && !operands && cmd.n == 1)
		r = applet_usage_error("no summary given");
	else if (!o.print_env && pb_find_program("notify-send", NULL, 0) != 0) {
		applet_warn("notify-send is not installed (not found on PATH): install the package libnotify-bin");
		r = EXIT_NOT_FOUND;
	} else {
		r = run_in_session(&o, cmd.v);
	}
	argvec_free(&cmd);
	return r;
}
