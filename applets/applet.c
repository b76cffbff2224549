/* What applets share beyond the core: error and log lines, syslog, progress lines, option values, exec. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "applet.h"

const char *applet_name = "procbox";
int applet_verbosity = 1;
static int syslog_on;
static int progress_shown; /* a self-updating line is on the terminal */

static void vsay(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n, head;
	int len;

	head = (size_t)snprintf(line, sizeof line, "%s%s: ", progress_shown ? "\r\033[K" : "", applet_name);
	len = vsnprintf(line + head, sizeof line - head - 1, fmt, ap);
	n = head + (len < 0 ? 0 : (size_t)len);
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n] = 0;
	if (syslog_on)
		syslog(prio, "%s", line + head);
	/* one write: lines of concurrent processes do not interleave */
	line[n++] = '\n';
	progress_shown = 0;
	if (write(2, line, n) < 0)
		return;
}

void applet_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void applet_info(const char *fmt, ...)
{
	va_list ap;

	if (applet_verbosity < 1)
		return;
	va_start(ap, fmt);
	vsay(LOG_INFO, fmt, ap);
	va_end(ap);
}

void applet_debug(const char *fmt, ...)
{
	va_list ap;

	if (applet_verbosity < 2)
		return;
	va_start(ap, fmt);
	vsay(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

int applet_syslog(int on)
{
	struct stat sb;

	/* only where a syslog daemon can listen: without /dev/log every line would try to connect again */
	if (on && !syslog_on && stat("/dev/log", &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		openlog(applet_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog_on = 1;
	}
	return syslog_on;
}

int applet_usage_error(const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	applet_warn("%s (try '%s --help')", msg, applet_name);
	return EXIT_USAGE;
}

int applet_bad_option(int argc, char **argv)
{
	/* after a missing argument optind may point past the end */
	int last = optind - 1;
	const char *arg = last >= 0 && last < argc && argv[last] ? argv[last] : "?";

	if (optopt && (arg[0] != '-' || arg[1] != '-'))
		return applet_usage_error("bad option '-%c' or missing argument", optopt);
	return applet_usage_error("bad option '%s' or missing argument", arg);
}

int applet_print(int fd, const char *text)
{
	/* procbox writes its output with write(2), no stdio: nothing waits in a buffer at exit or exec */
	if (pb_write_all(fd, text, strlen(text)) == 0)
		return 0;
	applet_warn("write error: %s", strerror(errno));
	return 1;
}

int applet_help(const char *text)
{
	return applet_print(1, text);
}

int applet_parse_int(const char *s, long min, long max, long *out)
{
	unsigned long long v;

	/* digits only: what strtol would also take (blanks, a sign, "0x") is no pid or count */
	if (pb_parse_ull(s, 10, (unsigned long long)max, &v) || v < (unsigned long long)min)
		return -1;
	*out = (long)v;
	return 0;
}

int applet_parse_ident(const char *arg, struct pb_ident *id, unsigned char *exact)
{
	int r = pb_parse_ident(arg, strlen(arg), id);

	if (r >= 0) {
		*exact = (unsigned char)r;
		return 0;
	}
	if (errno == EDOM)
		return applet_usage_error("bad start time in '%s': STARTTIME is a whole number of clock ticks since "
					  "boot (field 22 of /proc/PID/stat)", arg);
	return applet_usage_error("bad pid '%s'", arg);
}

int applet_check_idents(const struct pb_root *root, const struct pb_ident *ids, const unsigned char *exact,
			size_t n)
{
	unsigned long long now = 0;
	int have_now = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!exact[i])
			continue;
		/* read once, and only when a start time was given */
		if (!have_now && pb_root_ticks(root, &now)) {
			applet_warn("cannot read the clock of %s (uptime): %s", root->path, strerror(errno));
			return EXIT_NO;
		}
		have_now = 1;
		/* a start time later than now is no process that ever ran: taking it for one that ended (and whose pid
		 * went to another) would let a wrong unit, a date, wait for nothing and stop nothing */
		if (ids[i].starttime > now)
			return applet_usage_error("start time %llu of pid %d lies after now (clock tick %llu since boot): "
						  "STARTTIME counts clock ticks since boot, not a date",
						  ids[i].starttime, ids[i].pid, now);
	}
	return 0;
}

int applet_parse_seconds(const char *s, long long *ms)
{
	long long whole = 0, frac = 0, scale = 100;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100000000LL)
			return -1;
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	if (*p)
		return -1;
	*ms = whole * 1000 + frac;
	return 0;
}

/* what applet_open_root learnt about hidden processes, for applet_visibility_unsaid() */
static char hidden_note[384];
static int visibility_said;

int applet_open_root(struct pb_root *root)
{
	struct pb_proc_mount m;

	if (pb_root_open(root, NULL) == 0) {
		/* one capget for root; the mount table only for users whom hidepid can concern */
		if (pb_root_hides_others(root, &m) == 1)
			snprintf(hidden_note, sizeof hidden_note, "other users' processes are %s (%s is mounted with hidepid=%s)",
				 m.hidepid == PB_HIDEPID_NOACCESS ? "unreadable" : "hidden", root->path,
				 pb_hidepid_name(m.hidepid));
		return 0;
	}
	applet_warn("cannot open the proc root %s: %s", root->path[0] ? root->path : "/proc", strerror(errno));
	return -1;
}

const char *applet_visibility_note(const struct pb_table *t, char *buf, size_t size)
{
	struct pb_proc_mount m;
	unsigned long denied = t->count.denied[PB_F_STAT];
	int hidden = pb_root_hides_others(t->root, &m) == 1;
	char more[320] = "";

	if (hidden && m.hidepid != PB_HIDEPID_NOACCESS) {
		if (denied)
			snprintf(more, sizeof more, "; %lu more not readable", denied);
		snprintf(buf, size, "other users' processes are hidden (%s is mounted with hidepid=%s)%s", t->root->path,
			 pb_hidepid_name(m.hidepid), more);
		visibility_said = 1;
		return buf;
	}
	if (!denied)
		return NULL;
	/* hidepid=noaccess lists every directory but closes the files of others: the stat reads are refused */
	if (hidden)
		snprintf(more, sizeof more, " (%s is mounted with hidepid=noaccess)", t->root->path);
	snprintf(buf, size, "%lu %s not readable%s", denied, denied == 1 ? "process was" : "processes were", more);
	visibility_said = 1;
	return buf;
}

const char *applet_visibility_unsaid(void)
{
	return hidden_note[0] && !visibility_said ? hidden_note : NULL;
}

void applet_progress(const char *line, int changed)
{
	static long long last_log;
	long long now = pb_now_ms();
	char buf[512];
	int n;

	if (applet_verbosity < 1)
		return;
	if (isatty(2)) {
		/* one self-updating line, cut to a sane width */
		n = snprintf(buf, sizeof buf, "\r\033[K%s: %.150s", applet_name, line);
		if (n > (int)sizeof buf - 1)
			n = (int)sizeof buf - 1;
		progress_shown = write(2, buf, (size_t)n) > 0;
		return;
	}
	/* a log or a pipe: when something changed, and at most once a minute otherwise */
	if (!changed && now - last_log < 60000)
		return;
	last_log = now;
	applet_info("%s", line);
}

void applet_progress_done(void)
{
	if (progress_shown && write(2, "\r\033[K", 4) < 0)
		return;
	progress_shown = 0;
}

/* two digits, zero-padded, of a value below 100 */
static void add_2digits(struct pb_buf *b, unsigned long long v)
{
	char d[2] = {(char)('0' + v / 10), (char)('0' + v % 10)};

	pb_buf_add(b, d, 2);
}

/* by hand: proc-tree writes one per process, and printf would cost more than reading the process's files */
void applet_add_duration(struct pb_buf *b, double secs)
{
	unsigned long long s = secs < 0 ? 0 : (unsigned long long)secs;

	if (secs < 0) {
		pb_buf_adds(b, "-");
		return;
	}
	if (s >= 86400) {
		pb_buf_addu(b, s / 86400);
		pb_buf_addc(b, '-');
	}
	if (s >= 3600) {
		add_2digits(b, s / 3600 % 24);
		pb_buf_addc(b, ':');
	}
	add_2digits(b, s / 60 % 60);
	pb_buf_addc(b, ':');
	add_2digits(b, s % 60);
}

void applet_print_export(struct pb_buf *b, const char *name, const char *value, size_t len)
{
	pb_buf_adds(b, "export ");
	pb_buf_adds(b, name);
	pb_buf_addc(b, '=');
	pb_buf_shell_str(b, value, len);
	pb_buf_addc(b, '\n');
}

void applet_exec(char **argv)
{
	applet_exec_file(NULL, argv);
}

void applet_exec_file(const char *file, char **argv)
{
	int err;

	if (file)
		execv(file, argv);
	else
		execvp(argv[0], argv);
	err = errno;
	applet_warn("cannot run %s: %s", argv[0], strerror(err));
	_exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* ---- signals by name ---- */

static const struct {
	const char *name;
	int sig;
} signal_table[] = {
	{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},       {"TRAP", SIGTRAP},
	{"ABRT", SIGABRT}, {"IOT", SIGIOT},   {"BUS", SIGBUS},   {"FPE", SIGFPE},       {"KILL", SIGKILL},
	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
	{"TERM", SIGTERM}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},
	{"PROF", SIGPROF}, {"IO", SIGIO},     {"POLL", SIGPOLL}, {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH},
	{"PWR", SIGPWR},   {"SYS", SIGSYS},
#ifdef SIGSTKFLT
	{"STKFLT", SIGSTKFLT},
#endif
};
#define NSIGNALS (sizeof signal_table / sizeof signal_table[0])

const char *applet_signal_name(int sig)
{
	static char name[16];
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		if (signal_table[i].sig == sig) {
			snprintf(name, sizeof name, "SIG%s", signal_table[i].name);
			return name;
		}
	snprintf(name, sizeof name, "signal %d", sig);
	return name;
}

int applet_parse_signal(const char *s, int *sig)
{
	long v;
	size_t i;

	if (applet_parse_int(s, 1, NSIG - 1, &v) == 0) {
		*sig = (int)v;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < NSIGNALS; i++)
		if (!strcasecmp(s, signal_table[i].name)) {
			*sig = signal_table[i].sig;
			return 0;
		}
	return -1;
}
