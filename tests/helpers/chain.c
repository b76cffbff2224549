/* Test helper: a chain of nested processes, each the only child of the one before, as deep as asked.
 *
 * chain DEPTH: forks DEPTH-1 times down a line (the first process is depth 1, the last DEPTH), every process
 * prints its pid on stdout, one a line, as soon as it runs; the last one then prints "ready". Each process
 * waits for its child and dies with its parent (PR_SET_PDEATHSIG), so killing the first by its pid ends the
 * chain; a test may also end each one by the pids printed. Exit 2 on bad usage, 1 when a fork failed (the
 * part of the chain built so far ends with it).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long depth = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	long level;
	pid_t parent = getpid(), child;
	int status;

	if (argc != 2 || *end || depth < 1 || depth > 1000000) {
		fprintf(stderr, "usage: chain DEPTH\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("%d\n", (int)getpid());
	for (level = 1; level < depth; level++) {
		child = fork();
		if (child < 0) {
			perror("chain: fork");
			return 1;
		}
		if (child > 0) {
			/* stay the parent: the chain is what the test looks at */
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
			return 0;
		}
		/* the parent may have died before the death signal was armed */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		parent = getpid();
		printf("%d\n", (int)getpid());
	}
	printf("ready\n");
	for (;;)
		pause();
}
