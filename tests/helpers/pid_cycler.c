/* Test helper: run a command under a chosen, free pid (to reuse the pid of a process that ended), as root.
 *
 * pid_cycler PID COMMAND [ARG...]: writes PID-1 to /proc/sys/kernel/ns_last_pid so that the next fork gets PID,
 * forks, and runs COMMAND in the child. Another process of the machine may fork in between and take the pid
 * (the test that started the cycler polls with short-lived commands meanwhile): then the child is discarded and
 * it tries again once the pid is free, for up to 5 seconds. Prints the child's pid on stdout once it runs, stays
 * its parent (so it is reaped) and exits with its status. Exit 1 when the pid could not be had in that time (a
 * live process holds it: the message names it), 77 when ns_last_pid cannot be written (not root).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* held: the pid is some process's (a zombie's too) */
static int held(int pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* the name of the process that holds the pid, for the error message */
static void holder(int pid, char *comm, size_t size)
{
	char path[32];
	FILE *f;

	snprintf(comm, size, "?");
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(comm, (int)size, f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
}

static int set_last_pid(int pid)
{
	char s[16];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC), n, r;

	if (fd < 0)
		return -1;
	n = snprintf(s, sizeof s, "%d", pid);
	r = write(fd, s, (size_t)n) == n ? 0 : -1;
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	struct timespec start, now, pause = { 0, 10 * 1000 * 1000 };
	int wanted, status, go[2];
	pid_t child;
	char c = 0, comm[64];

	if (argc < 3 || (wanted = atoi(argv[1])) < 2) {
		fprintf(stderr, "usage: pid_cycler PID COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 5) {
			if (held(wanted)) {
				holder(wanted, comm, sizeof comm);
				fprintf(stderr, "pid_cycler: pid %d is in use by %s\n", wanted, comm);
			} else
				fprintf(stderr, "pid_cycler: could not get pid %d: other forks took it first\n", wanted);
			return 1;
		}
		/* held by the old process still ending, or by a fork that won the last round: wait for it */
		if (held(wanted)) {
			nanosleep(&pause, NULL);
			continue;
		}
		if (pipe(go))
			return 1;
		if (set_last_pid(wanted - 1)) {
			fprintf(stderr, "pid_cycler: cannot write ns_last_pid: %s\n", strerror(errno));
			return 77;
		}
		child = fork();
		if (child < 0)
			return 1;
		if (child == 0) {
			/* the parent says whether this pid is the one; only then run the command */
			close(go[1]);
			if (read(go[0], &c, 1) != 1 || c != 'y')
				_exit(0);
			close(go[0]);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		close(go[0]);
		if (child == wanted)
			break;
		/* someone else forked first: discard this child and try again */
		close(go[1]);
		waitpid(child, NULL, 0);
	}
	printf("%d\n", (int)child);
	fflush(stdout);
	if (write(go[1], "y", 1) != 1)
		return 1;
	close(go[1]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
