/* The guardian: a forked child that resumes paused processes when the process that paused them dies. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procbox.h"

#define GONE_AT_START (-2) /* in the pidfd array: the process had ended (or its pid was reused) before we began */
#define NO_PIDFD (-1)      /* no pidfds before Linux 5.3: the starttime is checked again, then kill() */
#define EXIT_RELEASED 0
#define EXIT_RESUMED 3

/* Everything the child needs, set up by the caller before the fork. */
struct guard {
	const struct pb_root *root;
	const struct pb_ident *ids;
	int *fds; /* a pidfd, NO_PIDFD or GONE_AT_START per id */
	size_t n;
	int sock;          /* the guardian's end of the socket pair */
	int caller_pidfd;  /* -1 without pidfds */
	int caller_pid;
	long long deadline; /* pb_now_ms() time, -1 for none */
};

static void resume_all(const struct guard *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (g->fds[i] >= 0)
			pb_pidfd_signal(g->fds[i], SIGCONT);
		else if (g->fds[i] == NO_PIDFD)
			pb_resume(g->root, g->ids[i]); /* confirms the starttime first */
	}
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Closes every descriptor but those in the sorted keep[0..n) (negative entries and repeats ignored). */
static void close_others(const int *keep, size_t n)
{
	unsigned from = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < from)
			continue;
		if ((unsigned)keep[i] > from)
			pb_close_range(from, (unsigned)keep[i] - 1);
		from = (unsigned)keep[i] + 1;
	}
	pb_close_range(from, ~0u);
}

/* A descriptor the child keeps, moved above 0, 1 and 2 (which become /dev/null): a caller started with a
 * standard descriptor closed has its own sockets and pidfds there. */
static int above_std(int fd)
{
	return fd >= 0 && fd <= 2 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
}

/* The child's first steps: every signal blocked and at its default (the caller's handlers are no use here), no
 * terminal, no pipe of the caller's, no directory kept busy, so that whoever reads the caller's output sees its
 * end when the caller ends, whatever the guardian still does. Its own descriptors move above 0-2, which become
 * /dev/null; root is the guardian's copy of the proc root. */
static void detach(struct guard *g, struct pb_root *root)
{
	sigset_t all;
	size_t i;
	int fd;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal((int)i, SIG_DFL);
	setsid();
	if (chdir("/") < 0) {
		/* a directory that cannot be left is no reason to leave processes stopped */
	}
	g->sock = above_std(g->sock);
	g->caller_pidfd = above_std(g->caller_pidfd);
	root->fd = above_std(root->fd);
	g->root = root;
	for (i = 0; i < g->n; i++)
		g->fds[i] = above_std(g->fds[i]);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (i = 0; i < 3; i++)
		if (fd < 0 || dup2(fd, (int)i) < 0)
			close((int)i);
}

/* Closes every descriptor the child inherited but its own: 0-2, the socket, the caller's pidfd, sigfd, the proc
 * root and the pidfds. 0, or -1 when there was no memory to list them. */
static int keep_only_ours(const struct guard *g, int sigfd)
{
	size_t i, nkeep = 0;
	int *keep = malloc((g->n + 7) * sizeof *keep);

	if (!keep)
		return -1;
	keep[nkeep++] = 0;
	keep[nkeep++] = 1;
	keep[nkeep++] = 2;
	keep[nkeep++] = g->sock;
	keep[nkeep++] = g->caller_pidfd;
	keep[nkeep++] = sigfd;
	keep[nkeep++] = g->root->fd;
	for (i = 0; i < g->n; i++)
		keep[nkeep++] = g->fds[i];
	qsort(keep, nkeep, sizeof *keep, int_cmp);
	close_others(keep, nkeep);
	free(keep);
	return 0;
}

/* Waits for the caller's word, its death, a signal that asks us to end, or the deadline. Returns 1 when the
 * caller said "done" (nothing to do), 0 when the processes are to be resumed. */
static int watch(const struct guard *g, int sigfd)
{
	struct pollfd pfd[3];
	int timeout, nfds;
	ssize_t r;
	char c;

	for (;;) {
		nfds = 0;
		pfd[nfds++] = (struct pollfd){.fd = g->sock, .events = POLLIN};
		pfd[nfds++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		if (g->caller_pidfd >= 0)
			pfd[nfds++] = (struct pollfd){.fd = g->caller_pidfd, .events = POLLIN};
		timeout = -1;
		if (g->deadline >= 0) {
			long long left = g->deadline - pb_now_ms();

			if (left <= 0)
				return 0;
			timeout = left > 3600000 ? 3600000 : (int)left;
		}
		if (poll(pfd, (nfds_t)nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		/* the caller's word first: it may have said "done" just before it ended */
		if (pfd[0].revents) {
			r = read(g->sock, &c, 1);
			if (r == 1 && c == 'd')
				return 1;
			if (r < 0 && errno == EINTR)
				continue;
			return 0; /* EOF: the caller ended (or exec'd) without a word */
		}
		if (pfd[1].revents || (nfds > 2 && pfd[2].revents))
			return 0;
	}
}

/* the child: resumes the processes unless the caller says "done" first */
static __attribute__((noreturn)) void guard(struct guard *g)
{
	struct pb_root root = *g->root;
	sigset_t stop;
	int sigfd, released;

	detach(g, &root);
	/* the signals that ask a process to end (SIGTERM, which PR_SET_PDEATHSIG sends too, SIGINT, SIGHUP,
	 * SIGQUIT) resume the processes */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigfd = signalfd(-1, &stop, SFD_CLOEXEC);
	released = keep_only_ours(g, sigfd) == 0 &&
		   /* without a pidfd of the caller, the kernel tells us of its death with a signal; it may be dead
		    * already */
		   (g->caller_pidfd >= 0 || (prctl(PR_SET_PDEATHSIG, SIGTERM) == 0 && getppid() == g->caller_pid)) &&
		   write(g->sock, "r", 1) == 1 && watch(g, sigfd);
	if (!released)
		resume_all(g);
	free(g->fds); /* the caller's copy is the caller's to free; this one is ours */
	_exit(released ? EXIT_RELEASED : EXIT_RESUMED);
}

int pb_guardian_start(struct pb_guardian *gd, const struct pb_root *root, const struct pb_ident *ids, size_t n,
		      long long timeout_ms)
{
	struct guard g = {root, ids, NULL, n, -1, -1, (int)getpid(), -1};
	int sv[2] = {-1, -1}, saved;
	size_t i;
	pid_t pid;
	char c;
	ssize_t r;

	gd->pid = 0;
	gd->fd = -1;
	if (!root->is_live) {
		errno = ENOTSUP; /* a fixture's pids are not these processes */
		return -1;
	}
	g.fds = malloc((n ? n : 1) * sizeof *g.fds);
	if (!g.fds)
		return -1;
	for (i = 0; i < n; i++)
		g.fds[i] = GONE_AT_START; /* nothing to close yet, should an open below fail */
	for (i = 0; i < n; i++) {
		/* open first, then confirm: the pidfd holds the process that had the pid when the starttime matched */
		g.fds[i] = pb_pidfd_open(ids[i].pid);
		if (g.fds[i] < 0 && errno != ENOSYS && errno != ESRCH)
			goto fail;
		if (g.fds[i] < 0)
			g.fds[i] = errno == ENOSYS ? NO_PIDFD : GONE_AT_START;
		if (g.fds[i] != GONE_AT_START && !pb_state(root, ids[i])) {
			if (g.fds[i] >= 0)
				close(g.fds[i]);
			g.fds[i] = GONE_AT_START;
		}
	}
	g.caller_pidfd = pb_pidfd_open(g.caller_pid);
	if (g.caller_pidfd < 0 && errno != ENOSYS)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		goto fail;
	if (timeout_ms >= 0)
		g.deadline = pb_now_ms() + timeout_ms;
	g.sock = sv[1];
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		close(sv[0]);
		guard(&g);
	}
	close(sv[1]);
	sv[1] = -1;
	/* ready once it has let go of everything else and watches us */
	while ((r = read(sv[0], &c, 1)) < 0 && errno == EINTR)
		;
	if (r != 1) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		errno = ECHILD;
		goto fail;
	}
	gd->pid = (int)pid;
	gd->fd = sv[0];
	sv[0] = -1;
	errno = 0;
fail:
	saved = errno;
	for (i = 0; i < n && g.fds; i++)
		if (g.fds[i] >= 0)
			close(g.fds[i]);
	free(g.fds);
	if (g.caller_pidfd >= 0)
		close(g.caller_pidfd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	errno = saved;
	return gd->pid ? 0 : -1;
}

int pb_guardian_done(struct pb_guardian *gd)
{
	int status;

	if (!gd->pid) {
		errno = ECHILD;
		return -1;
	}
	/* a guardian that has resumed them already is gone: no SIGPIPE for the word it no longer reads */
	send(gd->fd, "d", 1, MSG_NOSIGNAL);
	close(gd->fd);
	gd->fd = -1;
	while (waitpid(gd->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			gd->pid = 0;
			return -1;
		}
	}
	gd->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_RELEASED)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_RESUMED)
		return 1;
	errno = ECHILD; /* killed, or it failed */
	return -1;
}
