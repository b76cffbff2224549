/* max_rss: run a command and write its peak resident set (KiB, from wait4) to a file; exit with its status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	FILE *f;
	pid_t pid;
	int status;

	if (argc < 3) {
		fputs("Usage: max_rss FILE COMMAND...\n"
		      "Runs COMMAND and writes the largest resident set it (or a child it waited for) had, in KiB, to FILE.\n",
		      stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("max_rss: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "max_rss: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("max_rss: wait4");
			return 125;
		}
	if (!(f = fopen(argv[1], "w")) || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f)) {
		perror(argv[1]);
		return 125;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
