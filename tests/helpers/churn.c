/* Test helper: keeps N short-lived children running (each lives 0-4 ms), reaping them, until SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 25, alive = 0;
	unsigned int seed = (unsigned int)getpid();
	pid_t c;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	while (!stop) {
		while (alive < want && !stop) {
			seed = seed * 1103515245u + 12345u;
			c = fork();
			if (c == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				usleep(seed % 4000);
				_exit(0);
			}
			if (c > 0)
				alive++;
		}
		while ((c = waitpid(-1, NULL, WNOHANG)) > 0)
			alive--;
		usleep(200);
	}
	while (alive > 0 && waitpid(-1, NULL, 0) > 0)
		alive--;
	return 0;
}
