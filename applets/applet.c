/* What applets share beyond the core: error and log lines, syslog, progress lines, option values, exec. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "applet.h"

const char *applet_name = "procbox";
int applet_verbosity = 1;
static int syslog_fd = -1;
static int progress_shown; /* a self-updating line is on the terminal */

/* One datagram to /dev/log in the traditional format, "<PRI>Mmm dd hh:mm:ss NAME[PID]: message", local time
 * as syslog(3) writes it: what musl's syslog() would send, without pulling its printf into the binary. */
static void log_line(int prio, const char *msg)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char line[1100];
	struct tm tm;
	int n;

	pb_localtime((long long)time(NULL), &tm);
	n = pb_snprintf(line, sizeof line, "<%d>%.3s %2d %02llu:%02llu:%02llu %s[%d]: %s", LOG_DAEMON | prio,
			months + 3 * (tm.tm_mon % 12), tm.tm_mday, (unsigned long long)tm.tm_hour,
			(unsigned long long)tm.tm_min, (unsigned long long)tm.tm_sec, applet_name, (int)getpid(), msg);
	if (send(syslog_fd, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1, MSG_NOSIGNAL) < 0 &&
	    errno != EINTR)
		syslog_fd = (close(syslog_fd), -1); /* the daemon went away: stderr alone from now on */
}

static void vsay(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n, head;

	head = (size_t)pb_snprintf(line, sizeof line, "%s%s: ", progress_shown ? "\r\033[K" : "", applet_name);
	n = head + pb_vfmt(line + head, sizeof line - head - 1, fmt, ap);
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	if (syslog_fd >= 0) {
		line[n] = 0;
		log_line(prio, line + head);
	}
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
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };

	/* only where a syslog daemon listens: no socket, no retries on every line */
	if (on && syslog_fd < 0) {
		syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (syslog_fd >= 0 && connect(syslog_fd, (struct sockaddr *)&addr, sizeof addr) < 0)
			syslog_fd = (close(syslog_fd), -1);
	}
	return syslog_fd >= 0;
}

int applet_usage_error(const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	pb_vfmt(msg, sizeof msg, fmt, ap);
	va_end(ap);
	applet_warn("%s (try '%s --help')", msg, applet_name);
	return EXIT_USAGE;
}

/* ---- options: getopt_long's contract as musl keeps it, without its stdio (4 KB of the binary) ---- */

int applet_optind = 1, applet_optopt;
char *applet_optarg;
static int optpos; /* within a cluster of short options ("-nqv"), 0 between arguments */

static int long_option(char **argv, const struct option *longopts, int *idx)
{
	const char *start = argv[applet_optind] + 2, *opt = start, *arg = NULL;
	int i, cnt = 0, match = -1;

	for (i = 0; longopts[i].name; i++) {
		const char *name = longopts[i].name;

		for (opt = start; *opt && *opt != '=' && *opt == *name; opt++, name++)
			;
		if (*opt && *opt != '=')
			continue;
		arg = opt;
		match = i;
		if (!*name) { /* an exact name wins over the abbreviations it is a prefix of */
			cnt = 1;
			break;
		}
		cnt++;
	}
	applet_optind++;
	if (cnt != 1) { /* unknown or ambiguous */
		applet_optopt = 0;
		return '?';
	}
	opt = arg;
	if (*opt == '=') {
		if (longopts[match].has_arg == no_argument) {
			applet_optopt = longopts[match].val;
			return '?';
		}
		applet_optarg = (char *)opt + 1;
	} else if (longopts[match].has_arg == required_argument) {
		if (!(applet_optarg = argv[applet_optind])) {
			applet_optopt = longopts[match].val;
			return '?';
		}
		applet_optind++;
	}
	if (idx)
		*idx = match;
	return longopts[match].val;
}

static int short_option(int argc, char **argv, const char *optstring)
{
	const char *word = argv[applet_optind], *spec;
	int c;

	if (!optpos) {
		if (word[0] != '-' || !word[1])
			return -1;
		if (word[1] == '-' && !word[2])
			return applet_optind++, -1;
		optpos = 1;
	}
	c = (unsigned char)word[optpos++];
	if (!word[optpos]) {
		applet_optind++;
		optpos = 0;
	}
	spec = c == ':' || c == '+' ? NULL : strchr(optstring, c);
	if (!spec) {
		applet_optopt = c;
		return '?';
	}
	if (spec[1] == ':') {
		applet_optarg = (char *)(optpos ? word + optpos : argv[applet_optind]);
		applet_optind++;
		optpos = 0;
		if (applet_optind > argc) { /* "-t" last: no argument */
			applet_optind = argc;
			applet_optopt = c;
			return '?';
		}
	}
	return c;
}

/* an option found after operands moves in front of them (src to dest, the ones between shift up) */
static void permute(char **argv, int dest, int src)
{
	char *moved = argv[src];

	for (; src > dest; src--)
		argv[src] = argv[src - 1];
	argv[dest] = moved;
}

int applet_getopt(int argc, char **argv, const char *optstring, const struct option *longopts, int *idx)
{
	int skipped = applet_optind, resumed, c, i;
	const char *word;

	applet_optarg = NULL;
	if (applet_optind >= argc || !argv[applet_optind])
		return -1;
	if (optstring[0] == '+') {
		optstring++; /* options end at the first operand */
	} else {
		/* options may follow operands: parse the next one, then move what it took in front of the
		 * operands skipped, so that applet_optind ends on the first operand as POSIX order would */
		for (i = applet_optind;; i++) {
			if (i >= argc || !argv[i])
				return -1;
			if (argv[i][0] == '-' && argv[i][1])
				break;
		}
		applet_optind = i;
	}
	resumed = applet_optind;
	word = argv[applet_optind];
	if (longopts && !optpos && word[0] == '-' && word[1] == '-' && word[2])
		c = long_option(argv, longopts, idx);
	else
		c = short_option(argc, argv, optstring);
	if (resumed > skipped) {
		for (i = applet_optind - resumed; i > 0; i--)
			permute(argv, skipped, applet_optind - 1);
		applet_optind = skipped + (applet_optind - resumed);
	}
	return c;
}

int applet_bad_option(int argc, char **argv)
{
	/* after a missing argument applet_optind may point past the end */
	int last = applet_optind - 1;
	const char *arg = last >= 0 && last < argc && argv[last] ? argv[last] : "?";

	if (applet_optopt && (arg[0] != '-' || arg[1] != '-'))
		return applet_usage_error("bad option '-%c' or missing argument", applet_optopt);
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
			pb_snprintf(hidden_note, sizeof hidden_note, "other users' processes are %s (%s is mounted with hidepid=%s)",
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
			pb_snprintf(more, sizeof more, "; %lu more not readable", denied);
		pb_snprintf(buf, size, "other users' processes are hidden (%s is mounted with hidepid=%s)%s", t->root->path,
			 pb_hidepid_name(m.hidepid), more);
		visibility_said = 1;
		return buf;
	}
	if (!denied)
		return NULL;
	/* hidepid=noaccess lists every directory but closes the files of others: the stat reads are refused */
	if (hidden)
		pb_snprintf(more, sizeof more, " (%s is mounted with hidepid=noaccess)", t->root->path);
	pb_snprintf(buf, size, "%lu %s not readable%s", denied, denied == 1 ? "process was" : "processes were", more);
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
		n = pb_snprintf(buf, sizeof buf, "\r\033[K%s: %.150s", applet_name, line);
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
	int err;

	execvp(argv[0], argv);
	err = errno;
	applet_warn("cannot run %s: %s", argv[0], strerror(err));
	_exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}
