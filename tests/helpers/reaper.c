/* Test helper: runs a command as a child subreaper and ends, by pid, whatever it left running.
 *
 * reaper NAME COMMAND [ARG...]: becomes a child subreaper (PR_SET_CHILD_SUBREAPER), so that a process the command
 * starts and then abandons (a daemon that forked into the background, the child of a shell that was killed) is
 * reparented to it rather than to init; runs COMMAND and waits for it. Every process still running below it then
 * is a leftover: one line on stdout for each, "  FAIL NAME left behind PID (COMM, state S, uid U): ARGV", then it
 * is killed (SIGKILL, by the pid just read, which cannot be reused while it is our unreaped child) and reaped,
 * its own children after it, until none remains. Zombies are reaped without a word: they had ended.
 * Exit: COMMAND's status (128+N for signal N) when nothing was left behind, 3 when something was, 2 on bad usage,
 * 1 when COMMAND could not be run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* pids already reported: a killed child may still be listed before it dies, and must not be told twice */
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

/* report (once) and kill one child, unless it is a zombie; 1 when it was a leftover */
static int end_leftover(const char *name, int pid)
{
	char path[64], stat[1024], status[4096], argv[512], *p, state = '?';
	long uid = -1;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (read_file(path, stat, sizeof stat) < 0)
		return 0;
	if ((p = strrchr(stat, ')')) && p[1] == ' ')
		state = p[2];
	if (state == 'Z' || state == 'X')
		return 0;
	if (was_told(pid)) {
		kill(pid, SIGKILL);
		return 1;
	}
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
	*strchrnul(stat, '\n') = 0;
	p = strchr(stat, '(');
	printf("  FAIL %s left behind %d %.*s, state %c, uid %ld): %s\n", name, pid,
	       p && strrchr(p, ')') ? (int)(strrchr(p, ')') - p) : 1, p ? p : "?", state, uid, n > 0 ? argv : "");
	fflush(stdout);
	kill(pid, SIGKILL);
	return 1;
}

/* the pids of our children, from /proc: 1 when any child was a leftover (each then killed) */
static int end_children(const char *name)
{
	char path[64], list[65536], *p, *end;
	int found = 0;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
	if (read_file(path, list, sizeof list) < 0)
		return 0;
	for (p = list; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		found |= end_leftover(name, (int)pid);
	}
	return found;
}

int main(int argc, char **argv)
{
	int status, left = 0;
	pid_t child;

	if (argc < 3) {
		fprintf(stderr, "usage: reaper NAME COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		fprintf(stderr, "reaper: cannot become a subreaper: %s\n", strerror(errno));
		return 1;
	}
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "reaper: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	/* what the command left: each kill reparents the killed process's children to us, so look again after
	 * every reaped child until none remains */
	for (;;) {
		left |= end_children(argv[1]);
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			break;
	}
	if (left)
		return 3;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
