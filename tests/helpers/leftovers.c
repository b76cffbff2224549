/* Test helper: runs a command with a tag in its environment and ends, by pidfd, whatever it left running.
 *
 * leftovers TAG COMMAND [ARG...]: runs COMMAND with PB_E2E_RUN=TAG added to its environment, which every process
 * it starts inherits (one started with a cleared environment does not: the e2e tests start those as throw-away
 * users, whose processes end when the account is removed), and waits for it. Then every live process whose
 * environment holds PB_E2E_RUN=TAG was left behind, whoever its parent is now: one line on stdout for each,
 * "  FAIL TAG left behind PID (COMM, state S, uid U): ARGV", and it is killed through a pidfd opened before its
 * tag was checked, so a reused pid is never signalled. It looks again until none is left (a killed process may
 * have forked meanwhile), for up to 5 seconds. Zombies are not counted: they have ended.
 * Unlike a subreaper, it leaves the process tree as the tests expect it: an orphan still goes to init.
 * Exit: COMMAND's status (128+N for signal N) when nothing was left behind, 3 when something was, 2 on bad usage,
 * 1 when COMMAND could not be run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char want[256]; /* "PB_E2E_RUN=TAG" */

/* read_file PATH BUF SIZE: up to SIZE-1 bytes of the file, NUL-terminated; the length, or -1 */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while (len < (ssize_t)size - 1 && (n = read(fd, buf + len, size - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

/* tagged PID: its environment (as it was at exec, NUL-separated) holds the tag; a zombie's reads empty */
static int tagged(int pid)
{
	static char env[1 << 20];
	char path[64];
	ssize_t n, i;

	snprintf(path, sizeof path, "/proc/%d/environ", pid);
	if ((n = read_file(path, env, sizeof env)) <= 0)
		return 0;
	for (i = 0; i < n; i += (ssize_t)strlen(env + i) + 1)
		if (strcmp(env + i, want) == 0)
			return 1;
	return 0;
}

/* pids already reported: a killed process may still be listed before it dies, and must not be told twice */
static int told[4096], ntold;

static int was_told(int pid)
{
	for (int i = 0; i < ntold; i++)
		if (told[i] == pid)
			return 1;
	if (ntold < (int)(sizeof told / sizeof *told))
		told[ntold++] = pid;
	return 0;
}

static void report(const char *tag, int pid)
{
	char path[64], stat[1024], status[4096], argv[512], *lparen, *rparen, *p, state = '?';
	long uid = -1;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (read_file(path, stat, sizeof stat) < 0)
		return;
	lparen = strchr(stat, '(');
	rparen = strrchr(stat, ')');
	if (!lparen || !rparen || rparen < lparen)
		return;
	if (rparen[1] == ' ')
		state = rparen[2];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (read_file(path, status, sizeof status) >= 0 && (p = strstr(status, "\nUid:")))
		uid = strtol(p + 5, NULL, 10);
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	n = read_file(path, argv, sizeof argv);
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)argv[i] < ' ' || argv[i] == 0x7f)
			argv[i] = ' ';
	while (n > 0 && argv[n - 1] == ' ')
		argv[--n] = 0;
	printf("  FAIL %s left behind %d %.*s, state %c, uid %ld): %s\n", tag, pid, (int)(rparen - lparen), lparen, state,
	       uid, n > 0 ? argv : "");
	fflush(stdout);
}

/* one pass over /proc: each live tagged process reported (once) and killed; 1 when there was any */
static int end_tagged(const char *tag)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0, self = (int)getpid();

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		int fd;

		if (*end || pid <= 0 || pid == self)
			continue;
		/* the pidfd first: if the tag is still there after it, the pidfd is the tagged process's */
		if ((fd = (int)syscall(SYS_pidfd_open, (int)pid, 0)) < 0)
			continue;
		if (tagged((int)pid)) {
			found = 1;
			if (!was_told((int)pid))
				report(tag, (int)pid);
			syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		}
		close(fd);
	}
	closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int st, left = 0, round;
	pid_t child;

	if (argc < 3 || strchr(argv[1], '=') ||
	    snprintf(want, sizeof want, "PB_E2E_RUN=%s", argv[1]) >= (int)sizeof want) {
		fprintf(stderr, "usage: leftovers TAG COMMAND [ARG...]\n");
		return 2;
	}
	if (setenv("PB_E2E_RUN", argv[1], 1) != 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "leftovers: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	for (round = 0; round < 500 && end_tagged(argv[1]); round++) {
		left = 1;
		nanosleep(&pause, NULL);
	}
	if (left)
		return 3;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
