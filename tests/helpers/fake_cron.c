/* fake_cron: a stand-in cron daemon for cron-graceful's tests; it starts the jobs it is given once, at once. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"Usage: cron [-d] [-w] [-s | -g] [-T] [-p PIDFILE] [-n NAME] [JOB...]\n"
	"Copied to a file named cron and started, it looks like a cron daemon: it runs each JOB once, now, as\n"
	"/bin/sh -c JOB, reaps what ends, and otherwise sleeps until it is signalled.\n"
	"  -d          lead its own session, as a daemon does\n"
	"  -w          run each job below a worker child of its own, as Debian's cron does (else directly)\n"
	"  -s          jobs start a session of their own (Debian cron); -g: a process group (busybox crond)\n"
	"  -T          ignore SIGTERM, so that only SIGKILL stops it\n"
	"  -p PIDFILE  write its pid there once it is ready (before the jobs start)\n"
	"  -n NAME     then call itself NAME: comm and argv[0], so only its executable still says cron\n"
	"SIGUSR1 runs the JOBs again, as cron does when their next minute comes.\n";

static int job_setsid, job_setpgrp;

static void reap(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static volatile sig_atomic_t again;

static void on_usr1(int sig)
{
	(void)sig;
	again = 1;
}

static void run_job(const char *cmd)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGCHLD, SIG_DFL);
	if (job_setsid)
		setsid();
	else if (job_setpgrp)
		setpgid(0, 0);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static void start_job(const char *cmd, int with_worker)
{
	pid_t pid = fork(), job;
	int status;

	if (pid < 0) {
		perror("cron: fork");
		return;
	}
	if (pid > 0)
		return;
	if (!with_worker)
		run_job(cmd);
	/* the worker waits for its job, as Debian's per-job cron child does, then exits */
	signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_NAME, "cron-worker");
	job = fork();
	if (job == 0)
		run_job(cmd);
	while (job > 0 && waitpid(job, &status, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL, *name = NULL;
	int c, with_worker = 0, i;
	sigset_t usr1, none;
	FILE *f;

	while ((c = getopt(argc, argv, "+dwsgTp:n:h")) != -1) {
		switch (c) {
		case 'd':
			if (setsid() < 0)
				perror("cron: setsid");
			break;
		case 'w': with_worker = 1; break;
		case 's': job_setsid = 1; break;
		case 'g': job_setpgrp = 1; break;
		case 'T': signal(SIGTERM, SIG_IGN); break;
		case 'p': pidfile = optarg; break;
		case 'n': name = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	signal(SIGCHLD, reap);
	if (name) {
		prctl(PR_SET_NAME, name);
		/* rewriting argv[0] in place is what /proc/PID/cmdline shows (as setproctitle does) */
		if (strlen(name) <= strlen(argv[0])) {
			memset(argv[0], 0, strlen(argv[0]));
			memcpy(argv[0], name, strlen(name));
		}
	}
	if (pidfile) {
		if (!(f = fopen(pidfile, "w")) || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			perror(pidfile);
			return 1;
		}
	}
	/* blocked but while it sleeps: a SIGUSR1 between two rounds is not lost */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &none);
	signal(SIGUSR1, on_usr1);
	for (again = 1;; sigsuspend(&none)) {
		for (i = optind; again && i < argc; i++)
			start_job(argv[i], with_worker);
		again = 0;
	}
}
