/* Identity (pid + starttime), signals through pidfd, waiting for processes to end, terminate with a timeout. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "procbox.h"

/* musl has no wrappers; the numbers are the same on every architecture */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

const char *const pb_stop_names[4] = {"already gone", "terminated", "killed", "survived"};

long long pb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* decimal digits only, the whole of [p, end), at most max: 0 or -1 */
static int parse_decimal(const char *p, const char *end, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (max - (unsigned long long)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	*out = v;
	return 0;
}

int pb_parse_ident(const char *buf, size_t len, struct pb_ident *id)
{
	const char *end = buf + len, *at = memchr(buf, '@', len);
	unsigned long long pid = 0, start = 0;

	if (parse_decimal(buf, at ? at : end, INT_MAX, &pid) || pid < 1) {
		errno = EINVAL;
		return -1;
	}
	/* a start time is what stat shows: ticks since boot, never a date, a fraction or a signed number */
	if (at && parse_decimal(at + 1, end, ~0ULL, &start)) {
		errno = EDOM;
		return -1;
	}
	id->pid = (int)pid;
	id->starttime = start;
	return at != NULL;
}

char pb_state(const struct pb_root *root, struct pb_ident id)
{
	char path[24], state = 0;
	struct pb_buf b;
	struct pb_stat st;

	snprintf(path, sizeof path, "%d/stat", id.pid);
	pb_buf_init(&b);
	if (pb_read_at(root->fd, path, &b) == 0 && pb_parse_stat(b.data, b.len, &st) == 0 && st.pid == id.pid &&
	    st.starttime == id.starttime)
		state = st.state;
	pb_buf_free(&b);
	return state;
}

static int state_ended(char state)
{
	return !state || state == 'Z' || state == 'X' || state == 'x';
}

int pb_is_alive(const struct pb_root *root, struct pb_ident id)
{
	return !state_ended(pb_state(root, id));
}

int pb_pidfd_open(int pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int pb_pidfd_signal(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

void pb_close_range(unsigned first, unsigned last)
{
	struct rlimit rl;
	unsigned fd, max = 1u << 20;

	if (syscall(SYS_close_range, first, last, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max)
		max = (unsigned)rl.rlim_cur;
	for (fd = first; fd <= last && fd < max; fd++)
		close((int)fd);
}

int pb_signal(const struct pb_root *root, struct pb_ident id, int sig)
{
	int fd, r, saved;

	if (!root->is_live) {
		errno = ENOTSUP; /* a fixture's pids are not these processes */
		return -1;
	}
	if (id.pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	/* open first, then confirm: the pidfd holds the process that had the pid when the starttime matched */
	fd = pb_pidfd_open(id.pid);
	if (fd < 0 && errno != ENOSYS)
		return -1; /* ESRCH: gone */
	if (!pb_state(root, id)) {
		if (fd >= 0)
			close(fd);
		errno = ESRCH;
		return -1;
	}
	if (fd < 0)
		return kill(id.pid, sig); /* before Linux 5.3: a window remains between the check and the kill */
	r = pb_pidfd_signal(fd, sig);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int pb_suspend(const struct pb_root *root, struct pb_ident id)
{
	return pb_signal(root, id, SIGSTOP);
}

int pb_resume(const struct pb_root *root, struct pb_ident id)
{
	return pb_signal(root, id, SIGCONT);
}

static void mark_ended(struct pb_waitset *ws, size_t i)
{
	if (ws->ended[i])
		return;
	ws->ended[i] = 1;
	ws->left--;
	if (ws->fds[i] >= 0)
		close(ws->fds[i]);
	ws->fds[i] = -1;
}

int pb_waitset_init(struct pb_waitset *ws, const struct pb_root *root, const struct pb_ident *ids, size_t n)
{
	size_t i;

	memset(ws, 0, sizeof *ws);
	ws->root = root;
	ws->n = ws->left = n;
	ws->ids = malloc((n ? n : 1) * sizeof *ws->ids);
	ws->fds = malloc((n ? n : 1) * sizeof *ws->fds);
	ws->ended = calloc(n ? n : 1, 1);
	if (!ws->ids || !ws->fds || !ws->ended) {
		pb_waitset_free(ws);
		errno = ENOMEM;
		return -1;
	}
	if (n)
		memcpy(ws->ids, ids, n * sizeof *ids);
	for (i = 0; i < n; i++) {
		ws->fds[i] = root->is_live ? pb_pidfd_open(ids[i].pid) : -1;
		if (ws->fds[i] < 0 && errno == ESRCH && root->is_live) {
			mark_ended(ws, i);
			continue;
		}
		/* confirm after opening, so the pidfd belongs to the process we mean */
		if (state_ended(pb_state(root, ids[i])))
			mark_ended(ws, i);
	}
	return 0;
}

long pb_waitset_wait(struct pb_waitset *ws, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : pb_now_ms() + timeout_ms, now;
	size_t before = ws->left, i, k;
	struct pollfd *pfd;
	int polling, wait, r, interval = 10;

	pfd = malloc((ws->n ? ws->n : 1) * sizeof *pfd);
	if (!pfd) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		polling = 0;
		for (i = 0; i < ws->n; i++) {
			if (ws->ended[i] || ws->fds[i] >= 0)
				continue;
			if (state_ended(pb_state(ws->root, ws->ids[i])))
				mark_ended(ws, i);
			else
				polling = 1;
		}
		if (ws->left < before || ws->left == 0)
			break;
		now = pb_now_ms();
		if (deadline >= 0 && now >= deadline)
			break;
		wait = deadline < 0 ? -1 : (int)(deadline - now);
		if (polling && (wait < 0 || wait > interval)) {
			wait = interval;
			/* without pidfds, look often at first, then settle at 5 times a second */
			interval = interval * 2 > 200 ? 200 : interval * 2;
		}
		for (i = 0, k = 0; i < ws->n; i++) {
			if (!ws->ended[i] && ws->fds[i] >= 0) {
				pfd[k].fd = ws->fds[i];
				pfd[k].events = POLLIN;
				pfd[k].revents = 0;
				k++;
			}
		}
		r = poll(pfd, k, wait);
		if (r < 0) {
			/* the caller's signal handlers run; let it decide what to do */
			free(pfd);
			return -1;
		}
		for (i = 0, k = 0; i < ws->n && r > 0; i++) {
			if (ws->ended[i] || ws->fds[i] < 0)
				continue;
			if (pfd[k++].revents)
				mark_ended(ws, i);
		}
	}
	free(pfd);
	return (long)ws->left;
}

void pb_waitset_free(struct pb_waitset *ws)
{
	size_t i;

	if (ws->fds)
		for (i = 0; i < ws->n; i++)
			if (ws->fds[i] >= 0 && !ws->ended[i])
				close(ws->fds[i]);
	free(ws->ids);
	free(ws->fds);
	free(ws->ended);
	memset(ws, 0, sizeof *ws);
}

/* waits up to timeout_ms for one process; 1 when it ended, 0 when not, -1 on error (errno) */
static int wait_one(struct pb_waitset *ws, int timeout_ms)
{
	long long deadline = pb_now_ms() + timeout_ms, now;

	while (ws->left) {
		now = pb_now_ms();
		if (now >= deadline)
			return 0;
		if (pb_waitset_wait(ws, (int)(deadline - now)) < 0 && errno != EINTR)
			return -1;
	}
	return 1;
}

int pb_stop(const struct pb_root *root, struct pb_ident id, int sig, int timeout_ms, int no_kill,
	    enum pb_stop_result *result)
{
	struct pb_waitset ws;
	char state = pb_state(root, id);
	int r;

	*result = PB_STOP_GONE;
	if (state_ended(state))
		return 0;
	if (pb_waitset_init(&ws, root, &id, 1))
		return -1;
	if (pb_signal(root, id, sig)) {
		r = errno == ESRCH ? 0 : -1;
		goto out;
	}
	/* a stopped process cannot act on SIGTERM until it runs again */
	if ((state == 'T' || state == 't') && sig != SIGKILL && sig != SIGCONT)
		pb_signal(root, id, SIGCONT);
	*result = PB_STOP_TERMINATED;
	if ((r = wait_one(&ws, timeout_ms)) != 0)
		goto out;
	*result = PB_STOP_SURVIVED;
	if (no_kill || sig == SIGKILL)
		goto out;
	if (pb_signal(root, id, SIGKILL)) {
		if (errno == ESRCH)
			*result = PB_STOP_TERMINATED, r = 0;
		else
			r = -1;
		goto out;
	}
	/* SIGKILL is not instant for a process in uninterruptible sleep */
	r = wait_one(&ws, 5000);
	if (r == 1)
		*result = PB_STOP_KILLED;
out:
	pb_waitset_free(&ws);
	return r < 0 ? -1 : 0;
}
