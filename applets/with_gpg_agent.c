/* with-gpg-agent: run a command connected to the caller's gpg-agent, found through /proc or started on demand. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "applet.h"

static const char usage[] =
	"Usage: with-gpg-agent [OPTIONS] COMMAND [ARGS...]\n"
	"Run COMMAND connected to your gpg-agent, started if none runs.\n"
	"\n"
	"  -t, --timeout SECS  wait for a started agent (default 30)\n"
	"      --update-tty    make the agent use this terminal\n"
	"      --print, --sh   print export lines instead\n"
	"  -v, --verbose       say which agent was chosen\n"
	"  -q, --quiet         no warning without gpg-agent\n"
	"  -h, --help          show this help\n";

#define AGENT_SOCKET "S.gpg-agent"
#define SSH_SOCKET "S.gpg-agent.ssh"
#define PATH_SIZE 4096

struct agent {
	int pid; /* 0: a socket that no process of ours holds (socket activation, a forwarded agent) */
	char socket[PATH_SIZE];
	char ssh[PATH_SIZE]; /* "" when the agent has no ssh socket */
};

/*
 * A unix stream socket connected to path: 0 with *fd; -1 when connect failed (errno says why) or path is no
 * socket file we may write to (connect needs write permission); 1 when no connect could be tried (a path too
 * long to connect to by name, no socket). The timeouts: an agent answers at once, and a socket that never
 * answers must not hang the command.
 */
static int unix_connect(const char *path, int flags, int *fd)
{
	struct sockaddr_un sa;
	struct timeval tv = {2, 0};
	struct stat sb;
	int s;

	if (!path || *path != '/' || stat(path, &sb) || !S_ISSOCK(sb.st_mode) || access(path, W_OK)) {
		errno = ENOTSOCK;
		return -1;
	}
	if (strlen(path) >= sizeof sa.sun_path)
		return 1;
	/* the kernel reads the path up to its NUL */
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	*fd = s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (s < 0)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) == 0)
		return 0;
	close(s); /* succeeds, so errno stays connect's */
	return -1;
}

/*
 * A socket a client can use: a socket file we may connect to, and something listens: an agent killed with
 * SIGKILL leaves its socket file behind, and a dead socket handed out would also keep us from starting a new
 * agent.
 */
static int usable_socket(const char *path)
{
	int fd, r = unix_connect(path, SOCK_NONBLOCK, &fd);

	if (r == 0)
		close(fd);
	/* EAGAIN: a full backlog, so a listener is there; ECONNREFUSED: nobody listens */
	return r >= 0 || errno == EAGAIN || errno == EINPROGRESS;
}

static int copy_path(char *out, const char *s, size_t n)
{
	if (n >= PATH_SIZE)
		return -1;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

/* The socket of GPG_AGENT_INFO is what old clients use: everything before the first ':' */
static int usable_agent_info(const char *info, char *socket)
{
	size_t n;

	if (!info)
		return 0;
	n = strcspn(info, ":");
	return n && info[n] == ':' && copy_path(socket, info, n) == 0 && usable_socket(socket);
}

/* "DIR/NAME" for the file NAME beside the file at path */
static int sibling(char *out, const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (!slash)
		return -1;
	n = snprintf(out, PATH_SIZE, "%.*s/%s", (int)(slash - path), path, name);
	return n > 0 && n < PATH_SIZE ? 0 : -1;
}

/* The agent's ssh socket sits beside its socket */
static void ssh_beside(struct agent *a)
{
	if (sibling(a->ssh, a->socket, SSH_SOCKET) || !usable_socket(a->ssh))
		a->ssh[0] = 0;
}

/*
 * Runs argv with stdin on /dev/null, stdout on out_fd (or /dev/null when -1), stderr ours with keep_stderr
 * (else /dev/null). A daemon started from here should not die with our process group's ^C: a session of its own.
 */
static pid_t spawn(char *const *argv, int out_fd, int keep_stderr)
{
	pid_t pid;
	int null;

	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0)
			_exit(EXIT_OWN_FAILURE);
		dup2(null, 0);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		if (!keep_stderr)
			dup2(null, 2);
		setsid();
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Where GnuPG itself puts the agent's socket (GNUPGHOME, /run/user/UID/gnupg/d.HASH): gpgconf knows. */
static int gpgconf_agent_socket(char *out)
{
	static char *const argv[] = {"gpgconf", "--list-dirs", "agent-socket", NULL};
	size_t len = 0;
	ssize_t r;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = spawn(argv, fds[1], applet_verbosity > 1);
	close(fds[1]);
	while (pid > 0 && len < PATH_SIZE - 1) {
		r = read(fds[0], out + len, PATH_SIZE - 1 - len);
		if (r > 0)
			len += (size_t)r;
		else if (r == 0 || errno != EINTR)
			break;
	}
	close(fds[0]);
	if (pid < 0 || wait_status(pid) != 0)
		return -1;
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		len--;
	out[len] = 0;
	return out[0] == '/' && !memchr(out, '\n', len) ? 0 : -1;
}

/* One line from an Assuan server into line (NUL-terminated, without the newline); -1 on EOF, error, timeout. */
static int read_line(int fd, char *line, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = c;
	}
	line[n] = 0;
	return 0;
}

/*
 * Asks the agent behind a socket for its pid (Assuan: greeting "OK ...", then GETINFO pid -> "D PID", "OK").
 * The way in when the agent's fds are closed to us: gpg-agent makes itself non-dumpable, so even its own user
 * cannot read /proc/PID/fd. -1: no usable socket, or one another user listens on; 0: usable, *pid the
 * agent's pid or 0 when it did not say (a socket that is no gpg-agent, or a forwarded one).
 */
static int ask_agent_pid(const char *path, int *pid)
{
	static const char request[] = "GETINFO pid\nBYE\n";
	struct ucred cred;
	socklen_t clen = sizeof cred;
	char line[256];
	long v;
	int fd, r;

	*pid = 0;
	r = unix_connect(path, 0, &fd);
	if (r)
		return r > 0 ? 0 : -1;
	/* the uid that created the listening socket: never hand out another user's agent */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.uid != getuid()) {
		applet_debug("%s is served by uid %u, not by us", path, (unsigned)cred.uid);
		r = -1;
	} else if (read_line(fd, line, sizeof line) == 0 && !strncmp(line, "OK", 2) &&
		   /* MSG_NOSIGNAL: a listener that hangs up must not kill us with SIGPIPE */
		   send(fd, request, sizeof request - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof request - 1)) {
		while (read_line(fd, line, sizeof line) == 0 && strncmp(line, "OK", 2) && strncmp(line, "ERR", 3))
			if (!strncmp(line, "D ", 2) && applet_parse_int(line + 2, 1, 0x7fffffff, &v) == 0)
				*pid = (int)v;
	}
	close(fd);
	return r;
}

static int live_and_ours(struct pb_table *t, struct pb_proc *p)
{
	return p->st.state != 'Z' && pb_uid(t, p) == (long)getuid();
}

/*
 * The caller's running agent. First from /proc: processes named gpg-agent with our real uid, and of their
 * listening unix sockets those named S.gpg-agent and S.gpg-agent.ssh that work; with want (gpgconf's socket)
 * only the agent holding that socket counts: another GNUPGHOME's agent holds other keys. Where those fds are
 * closed to us, the socket at want (else fallback) is asked for its pid, which must again be a gpg-agent of
 * ours; a working socket without one counts as an agent all the same (pid 0). 1 found, 0 none, -1 error
 * (after one error line). *found is only meaningful after 1.
 */
static int find_agent(const struct pb_root *root, const char *want, const char *fallback, struct agent *found)
{
	struct pb_match m = {.exe_name = "gpg-agent"};
	struct pb_unix_sockets socks;
	const char *ask = want ? want : fallback, *path, *base;
	struct pb_table t;
	struct pb_proc *p = NULL;
	struct pb_pin pin;
	int got = 0, pid;
	char *slot;
	size_t i;

	if (pb_scan(root, &t)) {
		applet_warn("cannot scan %s: %s", root->path, strerror(errno));
		return -1;
	}
	while (!got && (p = pb_find_next(&t, NULL, &m, p))) {
		/* never another user's agent, and never a zombie's stale sockets */
		if (!live_and_ours(&t, p))
			continue;
		if (pb_pin_open(root, p->st.pid, p->st.starttime, &pin))
			continue; /* ended since the scan */
		if (pb_pin_unix_sockets(root, &pin, &socks)) {
			applet_debug("gpg-agent %d: sockets not visible in %s (%s)", p->st.pid, root->path,
				     strerror(errno));
			pb_pin_close(&pin);
			continue;
		}
		pb_pin_close(&pin);
		found->pid = p->st.pid;
		found->socket[0] = found->ssh[0] = 0;
		for (i = 0; i < socks.n; i++) {
			path = socks.v[i].path;
			if (!(socks.v[i].flags & PB_UNIX_LISTENING) || *path != '/')
				continue;
			base = strrchr(path, '/') + 1;
			slot = !strcmp(base, AGENT_SOCKET) ? found->socket : !strcmp(base, SSH_SOCKET) ? found->ssh : NULL;
			if (slot && !*slot && usable_socket(path))
				copy_path(slot, path, socks.v[i].path_len);
		}
		pb_unix_sockets_free(&socks);
		applet_debug("gpg-agent %d holds socket %s, ssh socket %s (from %s)", found->pid,
			     found->socket[0] ? found->socket : "none", found->ssh[0] ? found->ssh : "none", root->path);
		got = found->socket[0] && (!want || !strcmp(found->socket, want));
	}
	if (!got) {
		if (!ask)
			goto out;
		strcpy(found->socket, ask); /* want or guess: shorter than PATH_SIZE */
		found->pid = 0;
	}
	/*
	 * gpg-agent --daemon opens its sockets before it forks: until the parent is gone it holds them too, so
	 * the pid comes from the agent itself when it tells, and must be a gpg-agent of ours in the scan (it
	 * answered, so it ran before the scan: both launchers return only once the daemon is up).
	 */
	if (ask_agent_pid(found->socket, &pid) == 0) {
		if (!got)
			ssh_beside(found);
		got = 1;
		if (pid != found->pid && (p = pb_find_pid(&t, pid)) && live_and_ours(&t, p) &&
		    !strcmp(p->st.comm, "gpg-agent")) {
			applet_debug("gpg-agent %d answers on %s (asked over the socket)", pid, found->socket);
			found->pid = pid;
		}
	}
	if (got && !found->pid)
		applet_debug("using %s: it works, but no gpg-agent of ours answers", ask);
out:
	pb_table_free(&t);
	return got;
}

/*
 * Without gpgconf: the fixed places GnuPG 2.1+ puts the socket (/run/user/UID/gnupg first, then the home).
 * A usable socket there also means /run/user/UID is a directory.
 */
static int fixed_agent_socket(char *out)
{
	const char *home = getenv("GNUPGHOME"), *fmt = "%s/" AGENT_SOCKET;

	if (!home) {
		snprintf(out, PATH_SIZE, "/run/user/%u/gnupg/" AGENT_SOCKET, (unsigned)getuid());
		if (usable_socket(out))
			return 0;
	}
	if (!home || !*home) {
		home = getenv("HOME");
		fmt = "%s/.gnupg/" AGENT_SOCKET;
		if (!home || !*home)
			return -1;
	}
	return snprintf(out, PATH_SIZE, fmt, home) < PATH_SIZE ? 0 : -1;
}

/*
 * Starts an agent (gpgconf --launch, which knows the socket layout; else gpg-agent --daemon) and polls /proc
 * until it holds its socket. 1 with *found set; after one error line EXIT_TIMEOUT, or EXIT_OWN_FAILURE when
 * the launcher failed. The error lines clear the progress line themselves.
 */
static int start_agent(const struct pb_root *root, const char *want, int have_gpgconf, long long timeout_ms,
		       struct agent *found)
{
	char *launch_gpgconf[] = {"gpgconf", "--launch", "gpg-agent", NULL};
	char *launch_daemon[] = {"gpg-agent", "--daemon", NULL};
	const char *how = have_gpgconf ? "gpgconf --launch gpg-agent" : "gpg-agent --daemon";
	long long start = pb_now_ms(), now, last_progress = -1;
	char line[128], guess[PATH_SIZE];
	int status, r, polls = 0;
	pid_t pid;

	applet_debug("no gpg-agent of ours runs: starting %s", how);
	pid = spawn(have_gpgconf ? launch_gpgconf : launch_daemon, -1, applet_verbosity > 1);
	if (pid < 0) {
		applet_warn("cannot start %s: %s", how, strerror(errno));
		return EXIT_OWN_FAILURE;
	}
	for (;;) {
		r = 0;
		if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			/* a launcher that failed will not succeed by waiting */
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				applet_warn("%s failed (%s %d)%s", how, WIFEXITED(status) ? "exit" : "signal",
					    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
					    applet_verbosity > 1 ? "" : "; -v shows its messages");
				return EXIT_OWN_FAILURE;
			}
		}
		/* both launchers return once the daemon is up; until then the parent of the fork may still hold
		 * its sockets. Without gpgconf (and so without want) the place of the socket is guessed anew,
		 * /run/user/UID/gnupg once it exists. */
		if (pid == 0)
			r = find_agent(root, want, have_gpgconf || fixed_agent_socket(guess) ? want : guess, found);
		now = pb_now_ms();
		if (r || now - start >= timeout_ms)
			break;
		/* a terminal sees the wait; a log gets nothing unless it ends in a failure */
		if (isatty(2) && (last_progress < 0 || now - last_progress >= 1000)) {
			snprintf(line, sizeof line, "waiting for gpg-agent to come up (%lld s of %lld s)",
				 (now - start) / 1000, (timeout_ms + 999) / 1000);
			applet_progress(line, last_progress < 0);
			last_progress = now;
		}
		/* an agent is up within tens of milliseconds: poll fast at first, then every 50 ms */
		poll(NULL, 0, ++polls < 10 ? 10 : 50);
	}
	if (r > 0) {
		applet_progress_done();
		applet_debug("gpg-agent came up after %lld ms", now - start);
		return 1;
	}
	if (r == 0)
		applet_warn("gpg-agent did not come up within %.1f s%s%s", (double)timeout_ms / 1000,
			    want ? ": no agent of ours holds " : "", want ? want : "");
	if (pid > 0) {
		/* our own launcher, still running: it is ours to end */
		kill(pid, SIGTERM);
		wait_status(pid);
	}
	return r ? EXIT_OWN_FAILURE : EXIT_TIMEOUT;
}

/*
 * Sets GPG_AGENT_INFO and SSH_AUTH_SOCK from a working variable, a running agent or a started one: 0, or the
 * exit status of a failure (EXIT_TIMEOUT, EXIT_OWN_FAILURE) after one error line.
 */
static int connect_agent(long long timeout_ms)
{
	char want[PATH_SIZE], info[PATH_SIZE + 32], gpgconf[PATH_SIZE];
	const char *old = getenv("GPG_AGENT_INFO"), *strict;
	int have_gpgconf, have_want, keep, r;
	struct pb_root root;
	struct agent a;

	keep = usable_agent_info(old, a.socket);
	if (keep) {
		ssh_beside(&a);
	} else {
		if (old) {
			applet_debug("GPG_AGENT_INFO=%s is stale: replacing it", old);
			unsetenv("GPG_AGENT_INFO");
		}
		if (applet_open_root(&root))
			return EXIT_OWN_FAILURE;
		have_gpgconf = pb_find_program("gpgconf", gpgconf, sizeof gpgconf) == 0;
		/* without gpgconf the fixed places are only a guess: any agent of ours will do */
		have_want = (have_gpgconf ? gpgconf_agent_socket(want) : fixed_agent_socket(want)) == 0;
		if (have_gpgconf && !have_want)
			applet_debug("gpgconf names no agent socket: any agent of ours will do");
		strict = have_gpgconf && have_want ? want : NULL;
		r = find_agent(&root, strict, have_want ? want : NULL, &a);
		if (r == 0) {
			/* gpgconf starts the gpg-agent beside it, which need not be on PATH */
			if (pb_find_program("gpg-agent", NULL, 0) &&
			    (!have_gpgconf || sibling(info, gpgconf, "gpg-agent") || access(info, X_OK))) {
				if (applet_verbosity > 0)
					applet_warn("gpg-agent is not installed: running without GPG_AGENT_INFO");
			} else if (!root.is_live) {
				applet_warn("no gpg-agent in %s, and none is started outside /proc",
					    root.path);
				r = -1;
			} else {
				r = start_agent(&root, strict, have_gpgconf, timeout_ms, &a);
			}
		}
		pb_root_close(&root);
		if (r != 1)
			return r < 0 ? EXIT_OWN_FAILURE : r;
		snprintf(info, sizeof info, "%s:%d:1", a.socket, a.pid);
		setenv("GPG_AGENT_INFO", info, 1);
	}
	if (a.ssh[0] && !usable_socket(getenv("SSH_AUTH_SOCK")))
		setenv("SSH_AUTH_SOCK", a.ssh, 1);
	old = getenv("SSH_AUTH_SOCK");
	applet_debug("%s GPG_AGENT_INFO=%s SSH_AUTH_SOCK=%s", keep ? "keeping" : "using", getenv("GPG_AGENT_INFO"),
		     old ? old : "");
	return 0;
}

/* Runs gpg-connect-agent updatestartuptty /bye with the environment the command will get. */
static void update_startup_tty(void)
{
	static char *const argv[] = {"gpg-connect-agent", "updatestartuptty", "/bye", NULL};
	pid_t pid = spawn(argv, -1, 1);
	int status = pid < 0 ? -1 : wait_status(pid);
	const char *tty = getenv("GPG_TTY");

	if (status < 0 || status == EXIT_NOT_FOUND)
		applet_warn("cannot run %s: %s", argv[0], status < 0 ? strerror(errno) : "not found");
	else if (status)
		applet_warn("%s %s failed (exit %d)", argv[0], argv[1], status);
	else
		applet_debug("told the agent to use %s", tty ? tty : "no terminal");
}

/* GPG_TTY names the terminal pinentry should use: stdin's, else an inherited value that names a terminal */
static void set_gpg_tty(void)
{
	const char *tty = ttyname(0), *old = getenv("GPG_TTY"); /* NULL when stdin is no terminal */
	struct stat sb;

	if (tty)
		setenv("GPG_TTY", tty, 1);
	else if (old && (*old != '/' || stat(old, &sb) || !S_ISCHR(sb.st_mode)))
		unsetenv("GPG_TTY"); /* "not a tty", as `export GPG_TTY=$(tty)` leaves it without one */
}

static int print_exports(void)
{
	static const char *const names[] = {"GPG_AGENT_INFO", "SSH_AUTH_SOCK", "GPG_TTY"};
	struct pb_buf out;
	const char *v;
	size_t i;
	int r;

	pb_buf_init(&out);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((v = getenv(names[i])))
			applet_print_export(&out, names[i], v, strlen(v));
	/* a buffer that ran out of memory fails with ENOMEM */
	r = pb_buf_write_fd(&out, 1);
	if (r)
		applet_warn("write error: %s", strerror(errno));
	pb_buf_free(&out);
	return r ? EXIT_NO : 0;
}

/*
 * The long options: the names in order, and the letter getopt_long returns for each, with ':' after those that
 * take an argument. U (--update-tty) and P (--print, --sh) have no short form: "+t:vqh" does not list them.
 */
#define NOPTS 7
static const char option_names[] = "timeout\0update-tty\0print\0sh\0verbose\0quiet\0help";
static const char option_letters[] = "t:UPPvqh";

int with_gpg_agent_main(int argc, char **argv)
{
	struct option longopts[NOPTS + 1];
	const char *name = option_names, *letter = option_letters;
	long long timeout_ms = 30000;
	int c, update_tty = 0, print = 0, status;

	for (c = 0; c < NOPTS; c++) {
		longopts[c] = (struct option){name, letter[1] == ':', NULL, *letter};
		name += strlen(name) + 1;
		letter += 1 + longopts[c].has_arg;
	}
	longopts[NOPTS] = (struct option){NULL, 0, NULL, 0};
	while ((c = getopt_long(argc, argv, "+t:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (applet_parse_seconds(optarg, &timeout_ms))
				return applet_usage_error("bad timeout '%s'", optarg);
			break;
		case 'U': update_tty = 1; break;
		case 'P': print = 1; break;
		case 'v': applet_verbosity = 2; break;
		case 'q': applet_verbosity = 0; break;
		case 'h': return applet_help(usage);
		default: return applet_bad_option(argc, argv);
		}
	}
	if (print && optind < argc)
		return applet_usage_error("--print takes no command");
	if (!print && optind >= argc) {
		applet_print(2, usage);
		return EXIT_USAGE;
	}
	/* first, so that an agent started from here gets the terminal as its default */
	set_gpg_tty();
	if ((status = connect_agent(timeout_ms)))
		return status;
	if (update_tty && getenv("GPG_AGENT_INFO"))
		update_startup_tty();
	if (print)
		return print_exports();
	applet_exec(argv + optind);
}
