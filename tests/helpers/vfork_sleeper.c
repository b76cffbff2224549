/* Test helper: a process in uninterruptible sleep (state D) for a known time, to which a SIGSTOP comes late.
 *
 * vfork_sleeper SECS: prints its pid on stdout, then vforks; the kernel holds a vfork's parent in state D until
 * its child execs or exits, and the child sleeps SECS first. A SIGSTOP sent meanwhile takes effect only then.
 * Exit 2 on bad usage, 1 when vfork failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long secs = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	char line[32];
	pid_t child;
	int n;

	if (argc != 2 || *end || secs < 0 || secs > 86400) {
		fprintf(stderr, "usage: vfork_sleeper SECS\n");
		return 2;
	}
	n = snprintf(line, sizeof line, "%d\n", (int)getpid());
	if (write(1, line, (size_t)n) != n)
		return 1;
	child = vfork();
	if (child < 0)
		return 1;
	if (child == 0) {
		/* the child shares the parent's memory: a raw system call, then _exit, and nothing else */
		struct timespec ts = {secs, 0};
		syscall(SYS_nanosleep, &ts, NULL);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	return 0;
}
