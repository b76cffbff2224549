/* What with-gui-environment and notify-send-headless share: finding the desktop session, explaining the
 * vote, becoming the session's user with a fresh environment, and running the command inside the session. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "applet.h"

int desktop_set_user(struct desktop_opts *o, const char *arg)
{
	o->uid = pb_user_lookup(arg);
	o->user = arg;
	return o->uid < 0 ? applet_usage_error("unknown user '%s'", arg) : 0;
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
		pb_buf_adds(b, " (bus address filled in: the user's socket exists)");
	if (x->bus_reduced)
		pb_buf_adds(b, " (bus address cut to its entry that was checked)");
}

static const char *const vouch_reasons[] = {
	[PB_VOUCH_NONE] = "nothing",
	[PB_VOUCH_X_SOCKET] = "its X server runs as the user",
	[PB_VOUCH_WAYLAND_SOCKET] = "its Wayland socket is the user's",
	[PB_VOUCH_LOGIND] = "logind's session record of the user names its display",
	[PB_VOUCH_XAUTHORITY] = "the X server accepted a cookie from the user's own XAUTHORITY file",
};

static const char *const reject_reasons[] = {
	[PB_SR_NONE] = "valid",
	[PB_SR_BUS_GONE] = "its DBUS_SESSION_BUS_ADDRESS names no socket that still exists",
	[PB_SR_BUS_NOT_USERS] = "its DBUS_SESSION_BUS_ADDRESS names no unix socket of the user's",
	[PB_SR_RUNTIME_DIR_GONE] = "its XDG_RUNTIME_DIR is gone",
	[PB_SR_XAUTHORITY_GONE] = "its XAUTHORITY file is gone",
	[PB_SR_DISPLAY_NOT_LOCAL] = "its DISPLAY is not a local X display",
	[PB_SR_DISPLAY_GONE] = "no X server listens for its DISPLAY",
	[PB_SR_WAYLAND_GONE] = "no Wayland socket at XDG_RUNTIME_DIR/WAYLAND_DISPLAY",
	[PB_SR_OTHER_USERS] = "its display belongs to uid",
	[PB_SR_UNVOUCHED] = "nothing vouches that its display is the user's",
	[PB_SR_GREETER] = "a display manager's login screen",
};

static void add_reject_reason(struct pb_buf *b, const struct pb_session *x)
{
	pb_buf_adds(b, reject_reasons[x->reject]);
	if (x->reject == PB_SR_OTHER_USERS)
		pb_buf_addf(b, " %u (%s)", x->display_owner, pb_uid_name(x->display_owner));
}

static void add_lost_reason(struct pb_buf *b, const struct pb_session *winner, const struct pb_session *x)
{
	if (x->reject)
		add_reject_reason(b, x);
	else if (x->uid != winner->uid)
		pb_buf_adds(b, "another user's");
	else if (x->procs < winner->procs)
		pb_buf_adds(b, "fewer processes");
	else if (x->nvars < winner->nvars)
		pb_buf_adds(b, "as many processes, fewer variables");
	else
		pb_buf_adds(b, "a tie, and its oldest process started later");
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
		if (s->every && s->candidates[i].desktop < 0) {
			pb_buf_addf(&b, "#%zu valid, left out (its user has %d desktops already): ", i + 1,
				    PB_SESSION_DESKTOPS_MAX);
		} else if (s->every && !s->candidates[i].reject) {
			pb_buf_addf(&b, "#%zu %s: ", i + 1,
				    s->candidates[i].desktop ? "desktop" : "valid, the same display as a better one");
		} else if (i == 0 && s->found && s->users == 1) {
			pb_buf_adds(&b, "#1 chosen: ");
		} else if (!s->candidates[i].reject && s->users > 1) {
			pb_buf_addf(&b, "#%zu valid: ", i + 1);
		} else {
			pb_buf_addf(&b, "#%zu %s (", i + 1, s->candidates[i].reject ? "rejected" : "lost");
			add_lost_reason(&b, &s->candidates[0], &s->candidates[i]);
			pb_buf_adds(&b, "): ");
		}
		add_session(&b, &s->candidates[i]);
		if (!s->candidates[i].reject)
			pb_buf_addf(&b, "; vouched for: %s", vouch_reasons[s->candidates[i].vouch]);
		if (!b.failed)
			applet_debug("%s", b.data);
	}
	if (shown < s->n)
		applet_debug("... and %zu more candidates", s->n - shown);
	pb_buf_free(&b);
}

void desktop_no_session(const struct desktop *d, const char *of, const char *name)
{
	const struct pb_table *t = &d->t;
	const struct pb_session_search *s = &d->s;
	char unreadable[160], stale[96];
	unsigned long denied = t->count.denied[PB_F_ENVIRON] + s->denied;

	unreadable[0] = stale[0] = 0;
	if (denied)
		snprintf(unreadable, sizeof unreadable, "; the environment%s of %lu process%s %s not readable (%s)",
			 denied == 1 ? "" : "s", denied, denied == 1 ? "" : "es", denied == 1 ? "was" : "were",
			 geteuid() ? "root sees other users' sessions" : "hidden even from root");
	if (s->n)
		snprintf(stale, sizeof stale, "; %zu candidate%s rejected as stale or not the user's (-v says why)",
			 s->n, s->n == 1 ? "" : "s");
	applet_warn("no graphical session%s%s found: no running process carries a valid DISPLAY or WAYLAND_DISPLAY%s%s",
		    name ? of : "", name ? name : "", stale, unreadable);
}

/* Sessions of two users pass: whichever of them we picked, the other's would be a guess (and a user who
 * wants a command of root's can always start a real session of their own). */
static void report_users(const struct pb_session_search *s, const char *user_option)
{
	struct pb_buf b;
	size_t i, j, listed = 0;

	pb_buf_init(&b);
	for (i = 0; i < s->n && !s->candidates[i].reject; i++) {
		for (j = 0; j < i && s->candidates[j].uid != s->candidates[i].uid; j++)
			;
		if (j < i)
			continue;
		if (++listed > 8) {
			pb_buf_adds(&b, ", ...");
			break;
		}
		pb_buf_addf(&b, "%s%s (uid %u)", listed > 1 ? ", " : "", pb_uid_name(s->candidates[i].uid),
			    s->candidates[i].uid);
	}
	applet_warn("graphical sessions of %zu users found: %s; name one with %s USER", s->users,
		    b.failed ? "(out of memory)" : b.data, user_option);
	pb_buf_free(&b);
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

/* What the command runs as when it is another user's session, and the environment it gets. */
struct session_user {
	unsigned int uid;
	gid_t gid;
	char name[256], home[4096], shell[4096];
	gid_t groups[1024];
	int ngroups;
	struct pb_buf env;  /* NAME=value strings, each NUL-terminated */
	char **envp;
};

/* the user's passwd entry and groups, copied: the group functions reuse getpwuid's buffer */
static int look_up_user(struct session_user *u, unsigned int uid)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	if (!pw || strlen(pw->pw_name) >= sizeof u->name || strlen(pw->pw_dir) >= sizeof u->home ||
	    strlen(pw->pw_shell) >= sizeof u->shell) {
		applet_warn("uid %u has no usable passwd entry: not switching to it", uid);
		return -1;
	}
	u->uid = uid;
	strcpy(u->name, pw->pw_name);
	strcpy(u->home, pw->pw_dir);
	strcpy(u->shell, pw->pw_shell[0] ? pw->pw_shell : "/bin/sh");
	u->gid = pw->pw_gid;
	u->ngroups = (int)(sizeof u->groups / sizeof u->groups[0]);
	if (getgrouplist(u->name, u->gid, u->groups, &u->ngroups) < 0) {
		applet_warn("user %s is in more than %zu groups", u->name, sizeof u->groups / sizeof u->groups[0]);
		return -1;
	}
	return 0;
}

static void add_env(struct pb_buf *b, const char *name, const char *value)
{
	if (!value)
		return;
	pb_buf_adds(b, name);
	pb_buf_addc(b, '=');
	pb_buf_adds(b, value);
	pb_buf_addc(b, 0);
}

/*
 * The command's whole environment as the session's user: the session's checked variables, HOME, USER,
 * LOGNAME and SHELL from the passwd entry, PATH, LANG and LC_* from the session's own processes (PATH
 * /usr/local/bin:/usr/bin:/bin when they have none). Nothing of ours: what root's caller exported (tokens,
 * LD_ variables, a TERM for root's terminal) is not the user's to read.
 */
static int build_environment(const struct pb_root *root, const struct pb_session *x, struct session_user *u)
{
	char runtime[64];
	struct stat sb;
	size_t k, n, i;
	int has_path = 0;

	pb_buf_init(&u->env);
	u->envp = NULL;
	for (k = 0; k < PB_SV_COUNT; k++)
		add_env(&u->env, pb_session_var_names[k], x->value[k]);
	/* no XDG_RUNTIME_DIR in the session: the user's standard one when it is the user's; never root's */
	snprintf(runtime, sizeof runtime, "/run/user/%u", x->uid);
	if (!x->value[PB_SV_RUNTIME] && lstat(runtime, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == x->uid)
		add_env(&u->env, "XDG_RUNTIME_DIR", runtime);
	add_env(&u->env, "HOME", u->home);
	add_env(&u->env, "USER", u->name);
	add_env(&u->env, "LOGNAME", u->name);
	add_env(&u->env, "SHELL", u->shell);
	n = u->env.len;
	if (pb_session_user_env(root, x, &u->env))
		applet_debug("the session's PATH and locale are not readable (%s): the defaults", strerror(errno));
	for (i = n; i < u->env.len; i += strlen(u->env.data + i) + 1)
		has_path |= !strncmp(u->env.data + i, "PATH=", 5);
	if (!has_path)
		add_env(&u->env, "PATH", "/usr/local/bin:/usr/bin:/bin");
	for (n = 0, i = 0; i < u->env.len; i += strlen(u->env.data + i) + 1)
		n++;
	if (u->env.failed || !(u->envp = calloc(n + 1, sizeof *u->envp))) {
		applet_warn("out of memory");
		return -1;
	}
	for (n = 0, i = 0; i < u->env.len; i += strlen(u->env.data + i) + 1)
		u->envp[n++] = u->env.data + i;
	return 0;
}

static void free_session_user(struct session_user *u)
{
	pb_buf_free(&u->env);
	free(u->envp);
	u->envp = NULL;
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

/*
 * Root into the session's user: supplementary groups first (they need root), then the gid (it needs root
 * too), then the uid, which gives root up for good. Each step is checked, and the result verified: a
 * half-done switch (root's groups left, say) must never run the command.
 */
static int become_user(const struct session_user *u)
{
	gid_t have[1024];
	const char *step;
	int nhave;

	step = setgroups((size_t)u->ngroups, u->groups) ? "groups"
	       : setresgid(u->gid, u->gid, u->gid)      ? "gid"
	       : setresuid(u->uid, u->uid, u->uid)      ? "uid"
							: NULL;
	if (step) {
		applet_warn("cannot set the %s of %s: %s", step, u->name, strerror(errno));
		return -1;
	}
	nhave = getgroups(1024, have);
	if (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid || getegid() != u->gid || nhave < 0 ||
	    !subset(u->groups, u->ngroups, have, nhave) || !subset(have, nhave, u->groups, u->ngroups) ||
	    setresuid(0, 0, 0) == 0) {
		applet_warn("switching to user %s did not take (uid %u, gid %u, %d groups)", u->name,
			    (unsigned int)geteuid(), (unsigned int)getegid(), nhave);
		return -1;
	}
	applet_debug("running as %s (uid %u, gid %u, %d groups)", u->name, u->uid, (unsigned int)u->gid, nhave);
	return 0;
}

static pid_t command_pid;

static void pass_signal(int sig)
{
	if (command_pid > 0)
		kill(command_pid, sig);
}

/* We lead a process group (started from an interactive shell), and setsid() is refused to a leader: the
 * command runs in a child of ours that can have a session of its own, and we pass its end on, as if we had
 * run it in place (a death by a signal is repeated on ourselves). */
static void run_in_child_session(void)
{
	static const int passed[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH};
	struct sigaction sa;
	pid_t pid;
	size_t i;
	int status, sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof passed / sizeof passed[0]; i++)
		sigaction(passed[i], &sa, NULL);
	pid = fork();
	if (pid < 0) {
		applet_warn("cannot start the command in a session of its own: %s", strerror(errno));
		_exit(EXIT_OWN_FAILURE);
	}
	if (pid == 0) {
		/* exec gives the caught signals back their default action */
		if (setsid() < 0) {
			applet_warn("cannot start a session for the command: %s", strerror(errno));
			_exit(EXIT_OWN_FAILURE);
		}
		return;
	}
	command_pid = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_OWN_FAILURE);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* the same death, without a core file of ours (the command dumped its own, if any) */
	sig = WTERMSIG(status);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	kill(getpid(), sig);
	_exit(128 + sig);
}

/*
 * Runs cmd as the session's user: no descriptor of ours, umask 022, a session of its own (so that it cannot
 * reach root's terminal: no TIOCSTI, no job control signals from it), the user's ids, no new privileges on
 * exec (a set-user-ID program cannot give the user back what root had), and the fresh environment.
 */
static void run_as_user(struct session_user *u, char **cmd)
{
	extern char **environ;
	char file[4096];
	int found;

	/* the program is root's choice: found on root's PATH now, as sudo does, not on the session's, where the user
	 * may have put a program of that name first (it would run with root's descriptors 0-2); the session's PATH
	 * stays the command's own, for what it runs next */
	found = strchr(cmd[0], '/') || pb_find_program(cmd[0], file, sizeof file) == 0;
	if (!found) {
		applet_warn("cannot run %s: not found on PATH", cmd[0]);
		_exit(EXIT_NOT_FOUND);
	}
	/* every descriptor above stderr: what root's caller left open (a file of root's, a lock, a socket) would
	 * be the user's to read, with pidfd_getfd, as soon as the command runs as that user */
	pb_close_range(3, ~0u);
	umask(022);
	if (setsid() < 0)
		run_in_child_session();
	if (become_user(u))
		_exit(EXIT_OWN_FAILURE);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		applet_warn("cannot set no_new_privs: %s", strerror(errno));
		_exit(EXIT_OWN_FAILURE);
	}
	environ = u->envp;
	applet_exec_file(strchr(cmd[0], '/') ? NULL : file, cmd);
}

int desktop_find(struct desktop *d, long uid, int every)
{
	memset(d, 0, sizeof *d);
	d->root.fd = -1;
	d->s.uid = uid;
	d->s.every = every;
	if (applet_open_root(&d->root))
		return -1;
	/* a saved tree's files: PROCBOX_FILES stands in for / (its owner for root); never for the live system */
	if (!d->root.is_live)
		d->s.files_root = getenv("PROCBOX_FILES");
	/* a failed scan leaves the table empty, for pb_table_free */
	if (pb_session_scan(&d->root, &d->t)) {
		applet_warn("cannot scan %s: %s", d->root.path, strerror(errno));
		return -1;
	}
	if (pb_session_find(&d->t, &d->s)) {
		applet_warn("cannot look for the session: %s", strerror(errno));
		return -1;
	}
	explain_vote(&d->t, &d->s);
	return 0;
}

void desktop_free(struct desktop *d)
{
	pb_session_free(&d->s);
	pb_table_free(&d->t);
	pb_root_close(&d->root);
}

int desktop_exec(struct desktop *d, const struct pb_session *x, char **cmd)
{
	struct session_user u;
	int switch_user = x->uid != getuid() || x->uid != geteuid();
	size_t k;

	memset(&u, 0, sizeof u);
	pb_buf_init(&u.env);
	if (switch_user && geteuid() != 0) {
		applet_warn("the session belongs to %s (uid %u): only root may run a command in another user's session",
			    pb_uid_name(x->uid), x->uid);
		return EXIT_OWN_FAILURE;
	}
	if (switch_user) {
		if (look_up_user(&u, x->uid) || build_environment(&d->root, x, &u))
			goto fail;
	} else {
		/* our own session: the session's view replaces ours, a variable it lacks (DISPLAY of a Wayland
		 * session) is removed, the rest of our environment stays */
		for (k = 0; k < PB_SV_COUNT; k++)
			if (set_var(pb_session_var_names[k], x->value[k]))
				goto fail;
		applet_debug("the session is our own user's: no switch of user");
	}
	desktop_free(d);
	if (switch_user)
		run_as_user(&u, cmd);
	applet_exec(cmd);
fail:
	free_session_user(&u);
	return EXIT_OWN_FAILURE;
}

int desktop_run(const struct desktop_opts *o, char **cmd)
{
	const struct pb_session *x;
	struct desktop d;
	struct pb_buf out;
	size_t k;
	int r = o->print_env ? EXIT_NO : EXIT_OWN_FAILURE;

	if (desktop_find(&d, o->uid, 0))
		goto out;
	if (!d.s.found) {
		desktop_no_session(&d, " of user ", o->user);
		goto out;
	}
	if (d.s.users > 1) {
		report_users(&d.s, o->user_option);
		r = EXIT_NO;
		goto out;
	}
	x = &d.s.candidates[0];
	if (!o->print_env) {
		r = desktop_exec(&d, x, cmd);
		goto out;
	}
	pb_buf_init(&out);
	for (k = 0; k < PB_SV_COUNT; k++)
		if (x->value[k])
			applet_print_export(&out, pb_session_var_names[k], x->value[k], x->len[k]);
	r = pb_buf_write_fd(&out, 1) ? EXIT_NO : 0;
	if (r)
		applet_warn("write error: %s", strerror(errno));
	pb_buf_free(&out);
out:
	desktop_free(&d);
	return r;
}
