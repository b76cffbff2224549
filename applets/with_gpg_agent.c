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
	"      --no-start      only a running agent; exit 1 when none runs\n"
	"      --update-tty    make the agent use this terminal\n"
	"      --print, --sh   print export lines instead\n"
	"  -v, --verbose       say which agent was chosen\n"
	"  -q, --quiet         no warning without gpg-agent\n"
	"  -h, --help          show this help\n";

/* "+": options end at the command (with-gpg-agent ls -h) */
static const char shortopts[] = "+t:vqh";
enum { OPT_UPDATE_TTY = 256, OPT_PRINT, OPT_NO_START };
static const struct option longopts[] = {
	{"timeout", required_argument, NULL, 't'},
	{"no-start", no_argument, NULL, OPT_NO_START},
	{"update-tty", no_argument, NULL, OPT_UPDATE_TTY},
	{"print", no_argument, NULL, OPT_PRINT},
	{"sh", no_argument, NULL, OPT_PRINT},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

#define AGENT_SOCKET "S.gpg-agent"
#define SSH_SOCKET "S.gpg-agent.ssh"
#define PATH_SIZE 4096

struct agent {
	int pid; /* 0: a socket that no process of ours holds (socket activation, a forwarded agent) */
	char socket[PATH_SIZE];
	char ssh[PATH_SIZE]; /* "" when the agent has no ssh socket */
};

/* Where the caller's agent listens: what gpgconf names, or without gpgconf a guess at GnuPG's fixed places. */
struct wanted {
	char socket[PATH_SIZE]; /* "" when nothing is known */
	char ssh[PATH_SIZE];    /* "": beside the socket, as GnuPG puts it */
	char home[PATH_SIZE];   /* GnuPG's home directory as gpgconf names it; "" when it names none */
	int named;              /* gpgconf named them: no other path counts */
};

/*
 * A unix stream socket connected to path: 0 with *fd; -1 when connect failed (errno says why) or path is no
 * socket file we may write to (connect needs write permission); 1 when no connect could be tried (a path too
 * long to connect to by name, no socket). The timeouts: an agent answers at once, and a socket that never
 * answers must not hang the command (SO_SNDTIMEO also bounds a blocking connect to a full backlog).
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
 * agent. Only for what the caller's own environment names; a socket we hand out passes trusted_socket.
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
	if (n >= PATH_SIZE || memchr(s, 0, n))
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

static int same_directory(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return sa && sb && sa - a == sb - b && !memcmp(a, b, (size_t)(sa - a));
}

/*
 * Nobody but the caller and root can put another socket file at path, now or later (the command connects
 * after we have checked): the directory is the caller's and writable by the caller alone, and every directory
 * above it, up to /, is root's or the caller's and writable by its owner alone, but for sticky ones (/tmp),
 * where nobody moves what others made. The chain is walked upwards from the directory through "..", so the
 * real directories are checked whatever symbolic links led there; those links must be root's or the
 * caller's. 0, or -1 with *why.
 */
static int safe_directory(const char *path, const char **why)
{
	char dir[PATH_SIZE], *p, c;
	uid_t uid = getuid();
	struct stat sb, above;
	int fd, up, r = -1;

	if (*path != '/' || copy_path(dir, path, strlen(path)) || !(p = strrchr(dir, '/'))) {
		*why = "not an absolute path";
		return -1;
	}
	p[p == dir] = 0; /* the directory; "/" for a file in / */
	for (p = dir + 1;; p++) {
		if (*p && *p != '/')
			continue;
		c = *p;
		*p = 0;
		if (lstat(dir, &sb) == 0 && S_ISLNK(sb.st_mode) && sb.st_uid != 0 && sb.st_uid != uid) {
			*why = "a symbolic link on the way belongs to another user";
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		*why = "its directory cannot be read";
		goto out;
	}
	if (sb.st_uid != uid || (sb.st_mode & 022)) {
		*why = sb.st_uid != uid ? "its directory is not ours" : "its directory is writable by others";
		goto out;
	}
	for (;;) {
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || fstat(up, &above)) {
			*why = "a directory above it cannot be read";
			if (up >= 0)
				close(up);
			goto out;
		}
		close(fd);
		fd = up;
		/* "/" is its own parent */
		if (above.st_dev == sb.st_dev && above.st_ino == sb.st_ino)
			break;
		if (above.st_uid != 0 && above.st_uid != uid) {
			*why = "a directory above it belongs to another user";
			goto out;
		}
		if ((above.st_mode & 022) && !(above.st_mode & S_ISVTX)) {
			*why = "a directory above it is writable by others";
			goto out;
		}
		sb = above;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * Whether the peer that listens (SO_PEERCRED: the process that called listen) can be the agent's: the agent
 * itself; its parent (systemd --user listening for a socket-activated agent); or a process gone, or newer
 * than the agent, since gpg-agent --daemon listens before it forks and its first half exits. Unknown
 * agent: nothing to compare.
 */
static int peer_is_agents(struct pb_table *t, int peer, int agent_pid)
{
	struct pb_proc *agent, *q;

	if (!t || !agent_pid || !peer || peer == agent_pid)
		return 1;
	agent = pb_find_pid(t, agent_pid);
	if (agent && peer == agent->st.ppid)
		return 1;
	q = pb_find_pid(t, peer);
	return !q || q->st.state == 'Z' || (agent && q->st.starttime > agent->st.starttime);
}

/*
 * A socket we may hand out as the caller's agent: a socket file of the caller's in a directory only the caller
 * controls (safe_directory), and when connected the listener is the caller's (SO_PEERCRED uid) and, where the
 * agent is known, the agent's (peer_is_agents). 0 with *fd connected (fd NULL: closed again); -1 after a
 * debug line saying why not. sock: what the kernel says of the agent's socket, or NULL.
 */
static int trusted_socket(const char *path, struct pb_table *t, int agent_pid, const struct pb_unix_socket *sock,
			  int *fd)
{
	struct ucred cred = {0, 0, 0};
	socklen_t clen = sizeof cred;
	const char *why = NULL;
	struct stat sb;
	int s = -1;

	if (lstat(path, &sb) || !S_ISSOCK(sb.st_mode))
		why = "no socket file";
	else if (sb.st_uid != getuid())
		why = "the socket file is not ours";
	else if (sock && sock->vfs_ino && sock->vfs_dev == sb.st_dev && sock->vfs_ino != (sb.st_ino & 0xffffffffULL))
		/* another socket file sits where the agent bound its own (a stacked file system such as overlayfs
		 * may show other device numbers: then this cannot be told, and the other checks decide) */
		why = "another file than the one the agent listens on";
	else if (safe_directory(path, &why))
		;
	else if (unix_connect(path, 0, &s))
		why = "nothing we can connect to listens";
	else if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.uid != getuid())
		why = "another user listens on it";
	else if (!peer_is_agents(t, cred.pid, agent_pid))
		why = "another process than the agent listens on it";
	if (why) {
		if (s >= 0)
			close(s);
		applet_debug("refusing %s: %s", path, why);
		return -1;
	}
	if (fd)
		*fd = s;
	else
		close(s);
	return 0;
}

/* The agent's ssh socket: the one gpgconf names, else the one beside its socket, when it can be trusted */
static void ssh_beside(struct agent *a, const struct wanted *w, struct pb_table *t)
{
	if (w && w->ssh[0])
		strcpy(a->ssh, w->ssh);
	else if (sibling(a->ssh, a->socket, SSH_SOCKET))
		a->ssh[0] = 0;
	if (a->ssh[0] && trusted_socket(a->ssh, t, a->pid, NULL, NULL))
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

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* A value of gpgconf --list-dirs: "%XX" escapes (':' is %3a) decoded into out; an absolute path, one line. */
static int gpgconf_value(const char *s, size_t n, char *out)
{
	size_t i, len = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (len + 1 >= PATH_SIZE)
			return -1;
		if (s[i] != '%') {
			out[len++] = s[i];
			continue;
		}
		if (i + 2 >= n || (hi = hex_digit(s[i + 1])) < 0 || (lo = hex_digit(s[i + 2])) < 0)
			return -1;
		out[len++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[len] = 0;
	return len && out[0] == '/' && strlen(out) == len && !strchr(out, '\n') ? 0 : -1;
}

/*
 * Where GnuPG itself puts the agent's sockets (GNUPGHOME, /run/user/UID/gnupg/d.HASH): gpgconf --list-dirs
 * knows, as "agent-socket:PATH" and "agent-ssh-socket:PATH" lines. (Asked for two names at once, gpgconf
 * prints them in an order of its own: the whole list it is.) 0 with w->socket set, w->ssh when named.
 */
static int gpgconf_dirs(struct wanted *w)
{
	static char *const argv[] = {"gpgconf", "--list-dirs", NULL};
	const char *line, *nl, *colon;
	struct pb_buf out;
	int fds[2], ok = 0;
	char chunk[4096];
	ssize_t r;
	pid_t pid;

	w->socket[0] = w->ssh[0] = w->home[0] = 0;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = spawn(argv, fds[1], applet_verbosity > 1);
	close(fds[1]);
	pb_buf_init(&out);
	/* a list of a few lines: more than 64 KiB is not gpgconf's */
	while (pid > 0 && out.len < 65536) {
		r = read(fds[0], chunk, sizeof chunk);
		if (r > 0)
			pb_buf_add(&out, chunk, (size_t)r);
		else if (r == 0 || errno != EINTR)
			break;
	}
	close(fds[0]);
	if (pid < 0 || wait_status(pid) != 0 || out.failed) {
		pb_buf_free(&out);
		return -1;
	}
	for (line = out.data; line && line < out.data + out.len; line = nl ? nl + 1 : NULL) {
		nl = memchr(line, '\n', out.len - (size_t)(line - out.data));
		colon = memchr(line, ':', (size_t)((nl ? nl : out.data + out.len) - line));
		if (!colon)
			continue;
		if (colon - line == 12 && !memcmp(line, "agent-socket", 12))
			ok = gpgconf_value(colon + 1, (size_t)((nl ? nl : out.data + out.len) - colon - 1), w->socket) == 0;
		else if (colon - line == 16 && !memcmp(line, "agent-ssh-socket", 16) &&
			 gpgconf_value(colon + 1, (size_t)((nl ? nl : out.data + out.len) - colon - 1), w->ssh))
			w->ssh[0] = 0;
		else if (colon - line == 7 && !memcmp(line, "homedir", 7) &&
			 gpgconf_value(colon + 1, (size_t)((nl ? nl : out.data + out.len) - colon - 1), w->home))
			w->home[0] = 0;
	}
	pb_buf_free(&out);
	if (!ok)
		w->socket[0] = w->ssh[0] = 0;
	else if (!w->ssh[0] && sibling(w->ssh, w->socket, SSH_SOCKET))
		w->ssh[0] = 0; /* a gpgconf that does not list it: beside the socket, where GnuPG puts it */
	return ok ? 0 : -1;
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
 * Asks the agent behind a trusted socket for its pid (Assuan: greeting "OK ...", then GETINFO pid -> "D PID",
 * "OK"). The way in when the agent's fds are closed to us: gpg-agent makes itself non-dumpable, so even its own
 * user cannot read /proc/PID/fd. -1: the socket cannot be trusted (trusted_socket, with the agent known as
 * agent_pid or not yet); 0: *pid the agent's pid or 0 when it did not say (a socket that is no gpg-agent, or a
 * forwarded one), *listener the pid that listens (SO_PEERCRED).
 */
static int ask_agent_pid(const char *path, struct pb_table *t, int agent_pid, int *pid, int *listener)
{
	static const char request[] = "GETINFO pid\nBYE\n";
	struct ucred cred = {0, 0, 0};
	socklen_t clen = sizeof cred;
	char line[256];
	long v;
	int fd;

	*pid = *listener = 0;
	if (trusted_socket(path, t, agent_pid, NULL, &fd))
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		*listener = cred.pid;
	if (read_line(fd, line, sizeof line) == 0 && !strncmp(line, "OK", 2) &&
	    /* MSG_NOSIGNAL: a listener that hangs up must not kill us with SIGPIPE */
	    send(fd, request, sizeof request - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof request - 1)) {
		while (read_line(fd, line, sizeof line) == 0 && strncmp(line, "OK", 2) && strncmp(line, "ERR", 3))
			if (!strncmp(line, "D ", 2) && applet_parse_int(line + 2, 1, 0x7fffffff, &v) == 0)
				*pid = (int)v;
	}
	close(fd);
	return 0;
}

static int live_and_ours(struct pb_table *t, struct pb_proc *p)
{
	return p->st.state != 'Z' && pb_uid(t, p) == (long)getuid();
}

/*
 * Which slot of the agent a listening socket of its fills: with gpgconf, only the paths it names; without,
 * the GnuPG names in any directory (safe_directory decides later whether it is the caller's alone).
 */
static char *slot_for(const char *path, const struct wanted *w, struct agent *a)
{
	const char *base = strrchr(path, '/') + 1;

	if (w->named)
		return !strcmp(path, w->socket) ? a->socket : w->ssh[0] && !strcmp(path, w->ssh) ? a->ssh : NULL;
	return !strcmp(base, AGENT_SOCKET) ? a->socket : !strcmp(base, SSH_SOCKET) ? a->ssh : NULL;
}

/*
 * The agent's own listening sockets, from its fds: each one the kernel (or net/unix) names with a path that
 * fills a slot (slot_for), created by us (the creator's uid, where the kernel says), and trusted.
 */
static void held_sockets(const struct pb_unix_sockets *socks, const struct wanted *w, struct pb_table *t,
			 struct agent *found)
{
	const struct pb_unix_socket *v;
	char *slot;
	size_t i;

	for (i = 0; i < socks->n; i++) {
		v = &socks->v[i];
		if (!(v->flags & PB_UNIX_LISTENING) || v->path[0] != '/' || !(slot = slot_for(v->path, w, found)) || *slot)
			continue;
		if (v->uid >= 0 && v->uid != (long long)getuid()) {
			applet_debug("refusing %s: created by uid %lld", v->path, v->uid);
			continue;
		}
		if (trusted_socket(v->path, t, found->pid, socks->exact ? v : NULL, NULL) == 0)
			copy_path(slot, v->path, v->path_len);
	}
	/* GnuPG puts both in one directory: an ssh socket elsewhere is not this agent's layout */
	if (found->socket[0] && found->ssh[0] && !same_directory(found->socket, found->ssh)) {
		applet_debug("refusing %s: not beside %s", found->ssh, found->socket);
		found->ssh[0] = 0;
	}
}

/*
 * The caller's running agent. First from /proc: processes named gpg-agent with our real uid, and of their
 * listening unix sockets those that fill a slot (held_sockets); with gpgconf only the agent holding the
 * socket it names counts: another GNUPGHOME's agent holds other keys. Where those fds are closed to us, the
 * socket w names is asked for its pid, which must again be a gpg-agent of ours; a trusted socket without one
 * counts as an agent all the same (pid 0). 1 found, 0 none, -1 error (after one error line). *found is only
 * meaningful after 1.
 */
static int find_agent(const struct pb_root *root, const struct wanted *w, struct agent *found)
{
	struct pb_match m = {.exe_name = "gpg-agent"};
	struct pb_unix_sockets socks;
	struct pb_table t;
	struct pb_proc *p = NULL;
	struct pb_pin pin;
	int got = 0, pid, listener, exact;

	if (pb_scan(root, &t)) {
		applet_warn("cannot scan %s: %s", root->path, strerror(errno));
		return -1;
	}
	/* without gpgconf, first the agent holding the socket GnuPG would use (GNUPGHOME's, else the home's):
	 * another home's agent holds other keys; any agent of ours only when none holds it */
	for (exact = !w->named && w->socket[0]; !got && exact >= 0; exact--, p = NULL) {
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
			held_sockets(&socks, w, &t, found);
			applet_debug("gpg-agent %d holds socket %s, ssh socket %s (from %s%s)", found->pid,
				     found->socket[0] ? found->socket : "none", found->ssh[0] ? found->ssh : "none", root->path,
				     socks.exact ? " and the kernel's socket table" : "/net/unix");
			pb_unix_sockets_free(&socks);
			got = found->socket[0] && (!exact || !strcmp(found->socket, w->socket));
		}
	}
	if (!got) {
		if (!w->socket[0])
			goto out;
		strcpy(found->socket, w->socket);
		found->pid = 0;
		found->ssh[0] = 0;
	}
	/*
	 * gpg-agent --daemon opens its sockets before it forks: until the parent is gone it holds them too, so
	 * the pid comes from the agent itself when it tells, and must be a gpg-agent of ours in the scan (it
	 * answered, so it ran before the scan: both launchers return only once the daemon is up). A socket not
	 * found among an agent's fds must be trusted here, with the listener checked against the pid it tells.
	 */
	if (ask_agent_pid(found->socket, &t, found->pid, &pid, &listener) == 0) {
		if (pid != found->pid && (p = pb_find_pid(&t, pid)) && live_and_ours(&t, p) &&
		    !strcmp(p->st.comm, "gpg-agent")) {
			if (!got && !peer_is_agents(&t, listener, pid)) {
				applet_debug("refusing %s: gpg-agent %d answers, but process %d listens", found->socket,
					     pid, listener);
				goto out;
			}
			applet_debug("gpg-agent %d answers on %s (asked over the socket)", pid, found->socket);
			found->pid = pid;
		}
		if (!got)
			ssh_beside(found, w, &t);
		got = 1;
	} else if (!got) {
		applet_debug("no agent of ours listens on %s", found->socket);
	}
	if (got && !found->pid)
		applet_debug("using %s: it works, but no gpg-agent of ours answers", found->socket);
out:
	pb_table_free(&t);
	return got;
}

/*
 * Without gpgconf: the fixed places GnuPG 2.1+ puts the socket (/run/user/UID/gnupg first, then the home).
 * A usable socket there also means /run/user/UID is a directory. Only a guess: w->named stays 0.
 */
static int fixed_agent_socket(struct wanted *w)
{
	const char *home = getenv("GNUPGHOME"), *fmt = "%s/" AGENT_SOCKET;

	w->named = 0;
	w->ssh[0] = 0;
	if (!home) {
		snprintf(w->socket, PATH_SIZE, "/run/user/%u/gnupg/" AGENT_SOCKET, (unsigned)getuid());
		if (usable_socket(w->socket))
			return 0;
	}
	w->socket[0] = 0;
	if (!home || !*home) {
		home = getenv("HOME");
		fmt = "%s/.gnupg/" AGENT_SOCKET;
		if (!home || !*home)
			return -1;
	}
	if (snprintf(w->socket, PATH_SIZE, fmt, home) >= PATH_SIZE || w->socket[0] != '/') {
		w->socket[0] = 0;
		return -1;
	}
	return 0;
}

/*
 * GnuPG's home directory, made as gpg makes it on first use: without it gpg-agent does not start, wherever its
 * sockets go. The home gpgconf names, else GNUPGHOME, else ~/.gnupg. It is looked at and made relative to its
 * parent, never through a symbolic link: one that exists must be a directory of the caller's that nobody else
 * may write to; a new one (mode 700, the caller's) goes only into a directory of the caller's or root's, so
 * that root never makes one inside another user's tree. 0, or EXIT_OWN_FAILURE after one error line.
 */
static int make_home(const char *named)
{
	const char *env = getenv("GNUPGHOME"), *user_home = getenv("HOME"), *why = NULL;
	char home[PATH_SIZE], *slash, *base;
	uid_t uid = getuid();
	struct stat sb;
	int dir, n;

	if (*named)
		n = snprintf(home, sizeof home, "%s", named);
	else if (env && *env)
		n = snprintf(home, sizeof home, "%s", env);
	else if (user_home && *user_home)
		n = snprintf(home, sizeof home, "%s/.gnupg", user_home);
	else
		n = -1;
	if (n < 0 || (size_t)n >= sizeof home) {
		applet_warn("cannot tell GnuPG's home directory (no HOME, or a name too long)");
		return EXIT_OWN_FAILURE;
	}
	while (n > 1 && home[n - 1] == '/')
		home[--n] = 0;
	slash = strrchr(home, '/');
	base = slash ? slash + 1 : home;
	if (slash)
		*slash = 0;
	dir = open(!slash ? "." : slash == home ? "/" : home, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (slash)
		*slash = '/';
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		why = "no name of a directory of its own";
	else if (dir < 0)
		why = strerror(errno);
	else if (fstatat(dir, base, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		; /* it exists: checked below */
	else if (errno != ENOENT)
		why = strerror(errno);
	else if (fstat(dir, &sb) || (sb.st_uid != uid && sb.st_uid != 0))
		why = "the directory it would go in belongs to another user";
	else if ((mkdirat(dir, base, 0700) && errno != EEXIST) || fstatat(dir, base, &sb, AT_SYMLINK_NOFOLLOW))
		why = strerror(errno);
	else
		applet_debug("made GnuPG's home directory %s", home);
	if (dir >= 0)
		close(dir);
	if (why) {
		applet_warn("cannot make GnuPG's home directory %s: %s", home, why);
		return EXIT_OWN_FAILURE;
	}
	why = S_ISLNK(sb.st_mode) ? "a symbolic link, not followed" : !S_ISDIR(sb.st_mode) ? "not a directory" :
	      sb.st_uid != uid ? "it belongs to another user" : sb.st_mode & 022 ? "others may write to it" : NULL;
	if (why) {
		applet_warn("refusing GnuPG's home directory %s: %s", home, why);
		return EXIT_OWN_FAILURE;
	}
	return 0;
}

/*
 * Starts an agent (gpgconf --launch, which knows the socket layout; else gpg-agent --daemon) and polls /proc
 * until it holds its socket. 1 with *found set; after one error line EXIT_TIMEOUT, or EXIT_OWN_FAILURE when
 * the launcher failed. The error lines clear the progress line themselves.
 */
static int start_agent(const struct pb_root *root, struct wanted *w, int have_gpgconf, long long timeout_ms,
		       struct agent *found)
{
	char *launch_gpgconf[] = {"gpgconf", "--launch", "gpg-agent", NULL};
	char *launch_daemon[] = {"gpg-agent", "--daemon", NULL};
	const char *how = have_gpgconf ? "gpgconf --launch gpg-agent" : "gpg-agent --daemon";
	long long start = pb_now_ms(), now, last_progress = -1;
	char line[128];
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
		 * its sockets. Without gpgconf the place of the socket is guessed anew, /run/user/UID/gnupg once it
		 * exists. */
		if (pid == 0) {
			if (!w->named && fixed_agent_socket(w))
				w->socket[0] = 0;
			r = find_agent(root, w, found);
		}
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
			    w->named ? ": no agent of ours holds " : "", w->named ? w->socket : "");
	if (pid > 0) {
		/* our own launcher, still running: it is ours to end */
		kill(pid, SIGTERM);
		wait_status(pid);
	}
	return r ? EXIT_OWN_FAILURE : EXIT_TIMEOUT;
}

/*
 * Sets GPG_AGENT_INFO and SSH_AUTH_SOCK from a working variable, a running agent or (unless no_start) a started
 * one: 0, or the exit status of a failure (EXIT_NO: none runs and no_start; EXIT_TIMEOUT, EXIT_OWN_FAILURE)
 * after one error line.
 */
static int connect_agent(long long timeout_ms, int no_start)
{
	char info[PATH_SIZE + 32], gpgconf[PATH_SIZE];
	const char *old = getenv("GPG_AGENT_INFO");
	int have_gpgconf, keep, r;
	struct pb_root root;
	struct wanted w;
	struct agent a;

	keep = usable_agent_info(old, a.socket);
	if (keep) {
		/* the caller's own choice stays; the ssh socket we add beside it must be trusted */
		a.pid = 0;
		ssh_beside(&a, NULL, NULL);
	} else {
		if (old) {
			applet_debug("GPG_AGENT_INFO=%s is stale: replacing it", old);
			unsetenv("GPG_AGENT_INFO");
		}
		if (applet_open_root(&root))
			return EXIT_OWN_FAILURE;
		have_gpgconf = pb_find_program("gpgconf", gpgconf, sizeof gpgconf) == 0;
		w.home[0] = 0;
		w.named = have_gpgconf && gpgconf_dirs(&w) == 0;
		/* without gpgconf the fixed places are only a guess: an agent of ours in a directory of ours will do */
		if (!w.named && fixed_agent_socket(&w))
			w.socket[0] = 0;
		if (have_gpgconf && !w.named)
			applet_debug("gpgconf names no agent socket: an agent of ours in a directory of ours will do");
		r = find_agent(&root, &w, &a);
		if (r == 0 && no_start) {
			applet_warn("no gpg-agent of yours runs (--no-start: none is started)");
			pb_root_close(&root);
			return EXIT_NO;
		}
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
			} else if ((r = make_home(w.home)) == 0) {
				r = start_agent(&root, &w, have_gpgconf, timeout_ms, &a);
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

int with_gpg_agent_main(int argc, char **argv)
{
	long long timeout_ms = 30000;
	int c, update_tty = 0, print = 0, no_start = 0, status;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (applet_parse_seconds(optarg, &timeout_ms))
				return applet_usage_error("bad timeout '%s'", optarg);
			break;
		case OPT_NO_START: no_start = 1; break;
		case OPT_UPDATE_TTY: update_tty = 1; break;
		case OPT_PRINT: print = 1; break;
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
	if ((status = connect_agent(timeout_ms, no_start)))
		return status;
	if (update_tty && getenv("GPG_AGENT_INFO"))
		update_startup_tty();
	if (print)
		return print_exports();
	applet_exec(argv + optind);
}
