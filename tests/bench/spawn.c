/* Benchmark load: forks N idle processes in a tree, reports readiness, and reaps every one of them by PID. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Usage: spawn N [FANOUT]
 * Process k of the tree (1..N) is a child of process (k-1)/FANOUT (0 is this spawner), so the tree is as deep and
 * as wide as real ones get. Each member forks its own children, then reports its pid on a pipe and pause()s. Once
 * all N pids arrived the spawner prints "ready N PID" on stdout and waits for EOF on stdin or SIGTERM/SIGINT; it then
 * SIGKILLs every member by PID and reaps them all before it exits.
 *
 * Nothing leaks: every member dies with its parent (PR_SET_PDEATHSIG), and the spawner is a child subreaper, so
 * orphans come back to it and their pids cannot be reused before it reaps them: killing by PID is exact.
 */

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "spawn: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Member k: fork the children of k, report, idle. Never returns. */
__attribute__((noreturn)) static void member(long k, long n, long fanout, int report_fd, pid_t parent)
{
	long c;
	pid_t pid;

become_member:
	pid = getpid();
	/* the parent may have died between fork and prctl: then nothing would kill us */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	for (c = k * fanout + 1; c <= k * fanout + fanout && c <= n; c++) {
		switch (fork()) {
		case -1: _exit(1); /* the spawner misses our children's reports and gives up */
		case 0:
			/* the child becomes member c (a loop, not recursion: the tree can be deep) */
			k = c;
			parent = pid;
			goto become_member;
		}
	}
	if (write(report_fd, &pid, sizeof pid) != sizeof pid)
		_exit(1);
	close(report_fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long n, fanout = 8, got = 0, k;
	pid_t *pids, first[64], self = getpid();
	int report[2], fd, status;
	struct sigaction sa;
	char c;

	if (argc < 2 || argc > 3 || (n = strtol(argv[1], NULL, 10)) < 1 ||
	    (argc == 3 && ((fanout = strtol(argv[2], NULL, 10)) < 1 || fanout > 64))) {
		fputs("usage: spawn N [FANOUT]\n", stderr);
		return 2;
	}
	if (!(pids = calloc((size_t)n, sizeof *pids)))
		die("calloc");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: the blocking read below must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* if whoever started us dies, stop too (and take the tree with us) */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER");
	if (pipe2(report, O_CLOEXEC))
		die("pipe");
	for (k = 1; k <= fanout && k <= n; k++) {
		switch ((first[k - 1] = fork())) {
		case -1: die("fork");
		case 0:
			/* members hold no descriptor of ours, so stdout reaches EOF when we end */
			close(report[0]);
			for (fd = 0; fd < 3; fd++)
				close(fd);
			member(k, n, fanout, report[1], self);
		}
	}
	close(report[1]);
	while (got < n && !stop_requested) {
		ssize_t r = read(report[0], pids + got, (size_t)(n - got) * sizeof *pids);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			fprintf(stderr, "spawn: only %ld of %ld processes started (fork limits? pid_max?)\n", got, n);
			break;
		}
		got += r / (ssize_t)sizeof *pids; /* pipe writes of 4 bytes are atomic, so r is a multiple */
	}
	close(report[0]);
	if (got == n && !stop_requested) {
		printf("ready %ld %d\n", n, (int)self);
		fflush(stdout);
		while (!stop_requested && read(0, &c, 1) > 0)
			;
	}
	/* exact by PID: as subreaper we hold every member's pid until we reap it */
	for (k = 0; k < got; k++)
		kill(pids[k], SIGKILL);
	/* members that never reported (we gave up early) die with their first-level ancestor */
	for (k = 0; k < fanout && k < n; k++)
		kill(first[k], SIGKILL);
	/* every member is our child or, orphaned, our subreaped child: wait until none is left */
	while (wait(&status) > 0 || errno == EINTR)
		;
	free(pids);
	return got == n ? 0 : 1;
}
