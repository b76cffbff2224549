/* Benchmark driver: runs each row of tests/bench/rows against its floor at several process counts, prints Markdown. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: bench [--quick] [ROWS_FILE]   (run from the top of the tree, as `make bench` does)
 *
 * Each row is timed against its baseline interleaved, pair after pair (floor first in even pairs, row first in
 * odd ones), after one warm-up run of each, so that the load of a shared machine hits both alike; the ratio
 * reported is the median of the per-pair ratios. Every run is a
 * posix_spawn of the program with stdin and stdout on /dev/null; wait4 gives its user and system time and its
 * peak RSS. Instructions come from one run under `valgrind --tool=callgrind` (user space only: the kernel's
 * share of the work is in the sys column).
 *
 * Process counts ("levels"): the live system, then N idle processes more, forked by build/bench/spawn.
 * Environment: BENCH_LEVELS="0 1000 10000" (0 is the live system alone), BENCH_BIG=1 adds 30000, BENCH_PAIRS=K
 * pairs per row, BENCH_CALLGRIND=0 skips instructions, BENCH_ONLY=WORD runs the rows whose command contains WORD
 * (and the stat floor), BENCH_CALLGRIND_TIMEOUT=seconds (120) per callgrind run.
 */

#define MAX_ROWS 48
#define MAX_LEVELS 6
#define MAX_WORDS 24
#define MAX_PAIRS 101

static const char *procbox = "build/procbox", *floor_bin = "build/bench/floor", *empty_bin = "build/bench/empty",
		  *spawn_bin = "build/bench/spawn";
extern char **environ;

struct row {
	char text[512];      /* the line, cut into words in place */
	char label[256];     /* the command as written */
	char *base[4];       /* baseline command (floor VARIANT or empty) */
	char *argv[MAX_WORDS];
	char **envp;         /* the row's NAME=VALUE words, then the driver's environment without those names */
	double target;       /* ratio to the baseline it must not exceed, 0 for none */
	long rss_target;     /* KiB, 0 for none */
	unsigned char ok_exit[256]; /* the exit statuses of a working run (EXIT=N[,N...]), 0 alone by default */
	const char *skip;    /* why it does not run, NULL when it does */
	char skip_buf[160];
};

struct result {
	int ran;             /* 1 measured, -1 failed */
	char failure[200];
	double wall, base_wall, ratio, cpu_ratio, user, sys; /* ms, medians */
	long rss;            /* KiB, the largest of the runs */
	double ir;           /* callgrind instructions, -1 unknown */
};

static struct row rows[MAX_ROWS];
static int nrows;
static struct result results[MAX_LEVELS][MAX_ROWS];
static long levels[MAX_LEVELS], level_procs[MAX_LEVELS];
static int nlevels, pairs_override, quick, use_callgrind = 1, callgrind_timeout = 120;
static char valgrind[256];
static char procbox_list[4096];

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int executable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/* A command found on PATH, copied into out; 0 when missing. */
static int find_on_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return executable(out);
	}
	for (p = path ? path : "/usr/bin:/bin"; *p; p = colon + 1) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		snprintf(out, size, "%.*s/%s", (int)(colon - p), p, name);
		if (executable(out))
			return 1;
		if (!*colon)
			break;
	}
	return 0;
}

static long count_procs(void)
{
	char line[256];
	long n = 0;
	FILE *f = popen("ls /proc", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		n += isdigit((unsigned char)line[0]) != 0;
	pclose(f);
	return n;
}

static void loadavg(char *out, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f || !fgets(out, (int)size, f))
		snprintf(out, size, "?");
	if (f)
		fclose(f);
	out[strcspn(out, " ")] = 0; /* the 1-minute average */
}

/* ---- the rows file: "BASELINE TARGET COMMAND...", one a line ---- */

static void parse_rows(const char *file)
{
	char line[512], *words[MAX_WORDS + 3], *save, *w, *slash;
	int n, i, a, e;
	FILE *f = fopen(file, "r");
	struct row *r;

	if (!f)
		die("%s: %s", file, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (nrows == MAX_ROWS)
			die("%s: more than %d rows", file, MAX_ROWS);
		r = &rows[nrows];
		memset(r, 0, sizeof *r);
		snprintf(r->text, sizeof r->text, "%s", line);
		for (n = 0, w = strtok_r(r->text, " \t", &save); w && n < MAX_WORDS + 2; w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
		if (n < 3)
			die("%s: '%s': wanted BASELINE TARGET COMMAND...", file, line);
		/* the label: the command as written, without the two first fields */
		for (i = 2, r->label[0] = 0; i < n; i++)
			snprintf(r->label + strlen(r->label), sizeof r->label - strlen(r->label), "%s%s", i > 2 ? " " : "",
				 words[i]);
		if (!strcmp(words[0], "empty")) {
			r->base[0] = (char *)empty_bin;
		} else {
			r->base[0] = (char *)floor_bin;
			r->base[1] = words[0];
		}
		if (strcmp(words[1], "-")) {
			r->target = strtod(words[1], &slash);
			if (*slash == '/')
				r->rss_target = strtol(slash + 1, NULL, 10);
		}
		/* NAME=VALUE words before the command go to its environment (first, so that they win) */
		for (e = 0; environ[e]; e++)
			;
		if (!(r->envp = calloc((size_t)e + MAX_WORDS + 1, sizeof *r->envp)))
			die("out of memory");
		for (e = 0, i = 2; i < n && strchr(words[i], '=') && words[i][0] != '/'; i++)
			if (!strncmp(words[i], "EXIT=", 5)) /* the driver's, not the environment's */
				for (char *v = words[i] + 4; v && *++v; v = strchr(v, ','))
					r->ok_exit[atoi(v) & 255] = 1;
			else
				r->envp[e++] = words[i];
		if (!memchr(r->ok_exit, 1, sizeof r->ok_exit))
			r->ok_exit[0] = 1;
		for (int k = 0, own = e; environ[k]; k++) {
			size_t name = strcspn(environ[k], "=") + 1;
			int j;
			for (j = 0; j < own && strncmp(r->envp[j], environ[k], name); j++)
				;
			if (j == own)
				r->envp[e++] = environ[k];
		}
		for (a = 0; i < n && a < MAX_WORDS - 1; i++)
			r->argv[a++] = words[i];
		if (!a)
			die("%s: '%s': no command", file, line);
		if (!strcmp(r->argv[0], "procbox")) {
			r->argv[0] = (char *)procbox;
			/* an applet another branch adds: its row waits until the binary has it */
			if (r->argv[1] && r->argv[1][0] != '-') {
				char want[128];
				snprintf(want, sizeof want, "\n%s\n", r->argv[1]);
				if (!strstr(procbox_list, want)) {
					snprintf(r->skip_buf, sizeof r->skip_buf, "applet %s not in procbox --list", r->argv[1]);
					r->skip = r->skip_buf;
				}
			}
		} else if (!strcmp(r->argv[0], "floor")) {
			r->argv[0] = (char *)floor_bin;
		} else if (!strcmp(r->argv[0], "empty")) {
			r->argv[0] = (char *)empty_bin;
		} else {
			char found[256];
			if (!find_on_path(r->argv[0], found, sizeof found)) {
				snprintf(r->skip_buf, sizeof r->skip_buf, "%s not installed", r->argv[0]);
				r->skip = r->skip_buf;
			} else {
				r->argv[0] = strdup(found);
			}
		}
		nrows++;
	}
	fclose(f);
}

/* ---- running ---- */

struct run {
	double wall, user, sys; /* ms */
	long rss;               /* KiB */
	int status;
};

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

/* One run: stdin and stdout on /dev/null, stderr on /dev/null or into errfile. 0, or -1 when it could not run. */
static int run_once(char *const argv[], char *const envp[], const char *errfile, struct run *out)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double t0;
	pid_t pid;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errfile ? errfile : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	t0 = now_ms();
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (r) {
		errno = r;
		return -1;
	}
	while (wait4(pid, &out->status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	out->wall = now_ms() - t0;
	out->user = tv_ms(ru.ru_utime);
	out->sys = tv_ms(ru.ru_stime);
	out->rss = ru.ru_maxrss;
	return 0;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Instructions of one run under callgrind; -1 when unknown. */
static double callgrind(char *const argv[], char *const envp[])
{
	char *vargv[MAX_WORDS + 8], errfile[] = "/tmp/pb-bench-cg.XXXXXX", line[256];
	double ir = -1;
	int i, a = 0, fd, status;
	pid_t pid;
	FILE *f;

	if (!use_callgrind || !valgrind[0])
		return -1;
	if ((fd = mkstemp(errfile)) < 0)
		return -1;
	vargv[a++] = valgrind;
	vargv[a++] = "--tool=callgrind";
	vargv[a++] = "--callgrind-out-file=/dev/null";
	for (i = 0; argv[i]; i++)
		vargv[a++] = argv[i];
	vargv[a] = NULL;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(fd, 2);
		alarm((unsigned)callgrind_timeout); /* survives exec: a runaway run is killed */
		execve(valgrind, vargv, envp);
		_exit(127);
	}
	close(fd);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid > 0 && WIFEXITED(status) && (f = fopen(errfile, "r"))) {
		while (fgets(line, sizeof line, f)) {
			char *c = strstr(line, "Collected :");
			if (c)
				ir = strtod(c + 11, NULL);
		}
		fclose(f);
	}
	unlink(errfile);
	return ir;
}

static int pairs_for(long level)
{
	if (pairs_override)
		return pairs_override;
	if (quick)
		return 3;
	return level >= 30000 ? 10 : level >= 10000 ? 20 : 30;
}

static void describe_status(char *out, size_t size, int status, const char *errfile)
{
	char msg[160] = "";
	FILE *f = fopen(errfile, "r");

	if (f) {
		if (fgets(msg, sizeof msg, f))
			msg[strcspn(msg, "\n")] = 0;
		fclose(f);
	}
	if (WIFEXITED(status))
		snprintf(out, size, "exit %d%s%.150s", WEXITSTATUS(status), msg[0] ? ": " : "", msg);
	else
		snprintf(out, size, "killed by signal %d", WTERMSIG(status));
}

static void measure(int li, int ri)
{
	struct row *r = &rows[ri];
	struct result *res = &results[li][ri];
	double wall[MAX_PAIRS], base_wall[MAX_PAIRS], ratio[MAX_PAIRS], cpu_ratio[MAX_PAIRS], user[MAX_PAIRS],
		sys[MAX_PAIRS];
	char errfile[] = "/tmp/pb-bench-err.XXXXXX";
	struct run a, b;
	int k, n = pairs_for(levels[li]), fd;

	if (n > MAX_PAIRS)
		n = MAX_PAIRS;
	if ((fd = mkstemp(errfile)) < 0)
		die("mkstemp: %s", strerror(errno));
	close(fd);
	res->rss = 0;
	/* warm-up, and the check that both run at all */
	/* the floor runs in the row's environment too: PROCBOX_PROC=DIR points both at the same tree */
	if (run_once(r->base, r->envp, errfile, &a) || !WIFEXITED(a.status) || WEXITSTATUS(a.status)) {
		describe_status(res->failure, sizeof res->failure, a.status, errfile);
		res->ran = -1;
		goto out;
	}
	if (run_once(r->argv, r->envp, errfile, &b) || !WIFEXITED(b.status) || !r->ok_exit[WEXITSTATUS(b.status)]) {
		describe_status(res->failure, sizeof res->failure, b.status, errfile);
		res->ran = -1;
		goto out;
	}
	for (k = 0; k < n; k++) {
		/* floor first in even pairs, row first in odd ones (A B B A ...): whatever favours the second run of
		 * a pair (on this VM the floor against itself measured 0.975 at 10,000 processes) cancels out */
		int failed = k % 2 ? run_once(r->argv, r->envp, NULL, &b) || run_once(r->base, r->envp, NULL, &a)
				   : run_once(r->base, r->envp, NULL, &a) || run_once(r->argv, r->envp, NULL, &b);
		if (failed)
			die("cannot run %s: %s", r->label, strerror(errno));
		base_wall[k] = a.wall;
		wall[k] = b.wall;
		ratio[k] = b.wall / a.wall;
		/* user + sys is exact (the kernel splits the measured run time by ticks), and unlike wall time it does
		 * not count waiting for a CPU that other jobs hold */
		cpu_ratio[k] = a.user + a.sys > 0 ? (b.user + b.sys) / (a.user + a.sys) : 0;
		user[k] = b.user;
		sys[k] = b.sys;
		if (b.rss > res->rss)
			res->rss = b.rss;
	}
	res->wall = median(wall, n);
	res->base_wall = median(base_wall, n);
	res->ratio = median(ratio, n);
	res->cpu_ratio = median(cpu_ratio, n);
	res->user = median(user, n);
	res->sys = median(sys, n);
	res->ir = callgrind(r->argv, r->envp);
	res->ran = 1;
out:
	unlink(errfile);
}

/* ---- the idle processes ---- */

struct spawner {
	pid_t pid;
	int in; /* its stdin: closing it ends the tree */
};

static int spawn_idle(long n, struct spawner *s)
{
	int to[2], from[2];
	char line[128], *argv[] = {(char *)spawn_bin, NULL, NULL};
	char count[32];
	FILE *f;

	snprintf(count, sizeof count, "%ld", n);
	argv[1] = count;
	if (pipe(to) || pipe(from))
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execv(spawn_bin, argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	s->in = to[1];
	f = fdopen(from[0], "r");
	if (!f || !fgets(line, sizeof line, f) || strncmp(line, "ready ", 6)) {
		if (f)
			fclose(f);
		close(s->in);
		waitpid(s->pid, NULL, 0);
		return -1;
	}
	fclose(f);
	return 0;
}

static void stop_idle(struct spawner *s)
{
	int status;

	close(s->in);
	/* it reaps every member before it exits */
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* pid_max must leave room for the idle processes and everyone else's: raised only when needed, then restored */
static long saved_pid_max;

static long read_long(const char *file)
{
	FILE *f = fopen(file, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *file, long v)
{
	FILE *f = fopen(file, "w");
	int r;

	if (!f)
		return -1;
	r = fprintf(f, "%ld\n", v) < 0;
	return fclose(f) || r ? -1 : 0;
}

static void restore_limits(void)
{
	if (saved_pid_max > 0 && write_long("/proc/sys/kernel/pid_max", saved_pid_max) == 0)
		fprintf(stderr, "bench: pid_max restored to %ld\n", saved_pid_max);
	saved_pid_max = 0;
}

static void on_signal(int sig)
{
	restore_limits();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void make_room(long n)
{
	long pid_max = read_long("/proc/sys/kernel/pid_max"), want = n + count_procs() + 8192;

	if (pid_max < 0 || pid_max >= want)
		return;
	if (write_long("/proc/sys/kernel/pid_max", want)) {
		fprintf(stderr, "bench: pid_max %ld leaves too little room for %ld processes and cannot be raised\n",
			pid_max, n);
		return;
	}
	if (!saved_pid_max)
		saved_pid_max = pid_max;
	fprintf(stderr, "bench: pid_max raised from %ld to %ld for now\n", pid_max, want);
}

/* ---- output ---- */

static void fmt_ir(char *out, size_t size, double ir, long procs)
{
	if (ir < 0)
		snprintf(out, size, "- | -");
	else
		snprintf(out, size, "%.2f | %.0f", ir / 1e6, procs > 0 ? ir / (double)procs : 0);
}

static const char *base_name(const struct row *r)
{
	return r->base[1] ? r->base[1] : "empty";
}

static void print_level(int li)
{
	char ir[64];
	double stat_floor = 0;
	int ri;

	for (ri = 0; ri < nrows; ri++)
		if (results[li][ri].ran > 0 && !strcmp(rows[ri].label, "floor stat"))
			stat_floor = results[li][ri].wall;
	printf("\n### %s: %ld processes\n\n", levels[li] ? "idle processes added" : "live system", level_procs[li]);
	if (levels[li])
		printf("%ld idle processes (build/bench/spawn) on top of the live system.\n\n", levels[li]);
	printf("| command | floor (baseline) | ms | floor ms | x floor | x floor CPU | x stat floor | user ms | sys ms | "
	       "peak RSS KiB | Ir (M) | Ir/proc |\n");
	printf("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (ri = 0; ri < nrows; ri++) {
		const struct result *res = &results[li][ri];
		if (!res->ran)
			continue;
		if (res->ran < 0) {
			printf("| `%s` | %s | failed: %s | | | | | | | | | |\n", rows[ri].label, base_name(&rows[ri]),
			       res->failure);
			continue;
		}
		fmt_ir(ir, sizeof ir, res->ir, level_procs[li]);
		printf("| `%s` | %s | %.2f | %.2f | %.3f | %.3f | ", rows[ri].label, base_name(&rows[ri]), res->wall,
		       res->base_wall, res->ratio, res->cpu_ratio);
		if (stat_floor > 0 && rows[ri].base[1])
			printf("%.2f", res->wall / stat_floor);
		else
			printf("-");
		printf(" | %.2f | %.2f | %ld | %s |\n", res->user, res->sys, res->rss, ir);
	}
}

static int level_index(long n)
{
	int li;

	for (li = 0; li < nlevels; li++)
		if (levels[li] == n)
			return li;
	return -1;
}

static void print_targets(void)
{
	static const long checked[] = {1000, 10000, 30000};
	int li, ri, k, l1 = level_index(1000), l2 = level_index(10000);
	struct stat sb;

	printf("\n### Targets\n\n| target | measured | |\n|---|---|---|\n");
	for (ri = 0; ri < nrows; ri++) {
		if (!rows[ri].target)
			continue;
		for (k = 0; k < 3; k++) {
			const struct result *res;
			if ((li = level_index(checked[k])) < 0 && !(quick && k == 0 && (li = nlevels - 1) >= 0))
				continue;
			res = &results[li][ri];
			if (res->ran <= 0)
				continue;
			printf("| `%s` <= %.2fx %s at %ld processes | %.3fx (CPU %.3fx) | %s |\n", rows[ri].label,
			       rows[ri].target, base_name(&rows[ri]), level_procs[li], res->ratio, res->cpu_ratio,
			       res->ratio <= rows[ri].target ? "met" : "MISSED");
			if (rows[ri].rss_target && res->rss && levels[li] == 10000)
				printf("| `%s` peak RSS <= %ld KiB at %ld processes | %ld KiB | %s |\n", rows[ri].label,
				       rows[ri].rss_target, level_procs[li], res->rss, res->rss <= rows[ri].rss_target ? "met" : "MISSED");
		}
		/* cost linear in processes: the row grows as its floor grows, time(10000)/time(1000) over the floor's
		 * own; from the interleaved ratios, (row10k/floor10k) / (row1k/floor1k), which is the same quotient
		 * with the machine's drift between the two levels taken out */
		if (l1 >= 0 && l2 >= 0 && results[l1][ri].ran > 0 && results[l2][ri].ran > 0 && rows[ri].base[1]) {
			double grow = results[l2][ri].ratio / results[l1][ri].ratio;
			double cpu_grow = results[l2][ri].cpu_ratio / results[l1][ri].cpu_ratio;
			printf("| `%s` time(10000)/time(1000) within 10%% of its floor's | %+.1f%% (CPU %+.1f%%) | %s |\n",
			       rows[ri].label, (grow - 1) * 100, (cpu_grow - 1) * 100,
			       grow <= 1.10 && grow >= 1 / 1.10 ? "met" : "MISSED");
		}
	}
	if (stat(procbox, &sb) == 0)
		printf("| static stripped binary <= 192 KiB | %.1f KiB | %s |\n", (double)sb.st_size / 1024,
		       sb.st_size <= 192 * 1024 ? "met" : "MISSED");
}

int main(int argc, char **argv)
{
	const char *rows_file = "tests/bench/rows", *e;
	char load[32], *save, list[256];
	struct spawner sp = {-1, -1};
	FILE *f;
	int li, ri, argi = 1;
	size_t len;

	if (argi < argc && !strcmp(argv[argi], "--quick")) {
		quick = 1;
		argi++;
	}
	if (argi < argc)
		rows_file = argv[argi++];
	if (argi < argc)
		die("usage: bench [--quick] [ROWS_FILE]");
	if (!executable(procbox) || !executable(floor_bin) || !executable(empty_bin) || !executable(spawn_bin))
		die("run from the top of the tree after building procbox and build/bench/ (make bench does)");
	if ((e = getenv("BENCH_PAIRS")))
		pairs_override = atoi(e);
	if ((e = getenv("BENCH_CALLGRIND")) && !strcmp(e, "0"))
		use_callgrind = 0;
	if ((e = getenv("BENCH_CALLGRIND_TIMEOUT")))
		callgrind_timeout = atoi(e);
	if (!find_on_path("valgrind", valgrind, sizeof valgrind))
		valgrind[0] = 0;
	/* the applets this binary has, "\nname\n" each */
	procbox_list[0] = '\n';
	len = 1;
	if ((f = popen("build/procbox --list", "r"))) {
		len += fread(procbox_list + 1, 1, sizeof procbox_list - 2, f);
		pclose(f);
	}
	procbox_list[len] = 0;
	parse_rows(rows_file);

	/* levels */
	e = getenv("BENCH_LEVELS");
	snprintf(list, sizeof list, "%s", e ? e : quick ? "0 50" : "0 1000 10000");
	for (char *w = strtok_r(list, " ,", &save); w && nlevels < MAX_LEVELS; w = strtok_r(NULL, " ,", &save))
		levels[nlevels++] = atol(w);
	if (!e && (e = getenv("BENCH_BIG")) && !strcmp(e, "1") && nlevels < MAX_LEVELS)
		levels[nlevels++] = 30000;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	loadavg(load, sizeof load);
	printf("## procbox benchmark\n\n");
	printf("Each row: medians of %s pairs of runs (floor and row, then row and floor, ...) after a warm-up of each. "
	       "\"x floor\": "
	       "the median of the per-pair ratios of wall time to the floor reading the same files (`floor VARIANT`); "
	       "\"x floor CPU\": the same for user + sys time, which waiting for a busy CPU does not inflate; \"x stat "
	       "floor\": the ratio of medians to `floor stat`. Peak RSS from wait4 (the kernel's count is exact to about "
	       "128 KiB per CPU). Ir: instructions in user space, one run under callgrind. Load average at start: %s.\n",
	       pairs_override ? "BENCH_PAIRS" : quick ? "3" : "10-30", load);
	for (ri = 0; ri < nrows; ri++)
		if (rows[ri].skip)
			printf("\nNot run: `%s` (%s).", rows[ri].label, rows[ri].skip);
	printf("\n");
	fflush(stdout);

	for (li = 0; li < nlevels; li++) {
		const char *only = getenv("BENCH_ONLY");
		if (levels[li] > 0) {
			make_room(levels[li]);
			fprintf(stderr, "bench: starting %ld idle processes\n", levels[li]);
			if (spawn_idle(levels[li], &sp))
				die("build/bench/spawn %ld did not get ready", levels[li]);
		}
		level_procs[li] = count_procs();
		for (ri = 0; ri < nrows; ri++) {
			if (rows[ri].skip)
				continue;
			if (only && *only && !strstr(rows[ri].label, only) && strcmp(rows[ri].label, "floor stat"))
				continue;
			fprintf(stderr, "bench: %ld processes: %s\n", level_procs[li], rows[ri].label);
			measure(li, ri);
		}
		if (levels[li] > 0)
			stop_idle(&sp);
		print_level(li);
		fflush(stdout);
	}
	restore_limits();
	print_targets();
	loadavg(load, sizeof load);
	printf("\nLoad average at the end: %s.\n", load);
	return 0;
}
