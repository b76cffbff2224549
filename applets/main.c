/* procbox: dispatch on argv[0] to an applet, and the multicall options --list, --install, --help, --version. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"

#ifndef PROCBOX_VERSION
#define PROCBOX_VERSION "0.1"
#endif
/* the commit the binary was built from (the Makefile's COMMIT), so that a copy found on a server can be told */
#ifndef PROCBOX_COMMIT
#define PROCBOX_COMMIT "unknown"
#endif

static const char usage[] =
	"Usage: procbox APPLET [ARGS...]   (or through a link named after the applet)\n"
	"       procbox --list | --help [APPLET] | --version\n"
	"       procbox --install [-s] [-f] DIR | --uninstall DIR\n"
	"\n"
	"Links every applet name in DIR to this binary (-s: symbolic links, -f: replacing other files), or removes\n"
	"those links. PROCBOX_PROC=DIR reads processes from DIR instead of /proc. More in procbox(1).\n"
	"\n"
	"Applets:\n";

struct applet {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
};

static const struct applet applets[] = {
#define APPLET(name, fn, summary) {name, fn, summary},
#include "applets.h"
#undef APPLET
};
#define NAPPLETS (sizeof applets / sizeof applets[0])

static const struct applet *find_applet(const char *name)
{
	size_t i;

	for (i = 0; i < NAPPLETS; i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	return NULL;
}

static int run_applet(const struct applet *a, int argc, char **argv)
{
	int r;

	applet_name = a->name;
	/* getopt_long's own messages are not one line in our form: applet_bad_option gives that */
	opterr = 0;
	optind = 1;
	r = a->main(argc, argv);
	/* what an applet found (or did not: "not running", "all ended") on a proc that hides other users'
	 * processes must not pass for the whole truth: say so, once, if the applet did not */
	if (applet_visibility_unsaid())
		applet_warn("%s", applet_visibility_unsaid());
	return r;
}

/* the usage text, or with list only the names, one a line; 0, or 1 after a "write error" line */
static int print_usage(int fd, int list)
{
	char text[4096];
	size_t n = 0, i;
	int w = 0;

	/* on the stack, not in the heap: --help is the fixed cost every call pays, and the first malloc of a
	 * process costs more system calls than the rest of --help together */
	if (!list)
		w = snprintf(text, sizeof text, "%s", usage);
	for (i = 0; w >= 0 && (n += (size_t)w) < sizeof text && i < NAPPLETS; i++)
		w = list ? snprintf(text + n, sizeof text - n, "%s\n", applets[i].name)
			 : snprintf(text + n, sizeof text - n, "  %-22s %s\n", applets[i].name, applets[i].summary);
	if (w < 0 || n >= sizeof text) {
		applet_warn("the usage text is longer than %zu bytes", sizeof text - 1);
		return 1;
	}
	return applet_print(fd, text);
}

/* Same file as this binary (a hard link, or a symbolic link that resolves to it)? */
static int is_us(const char *path, const struct stat *self)
{
	struct stat sb;

	return stat(path, &sb) == 0 && sb.st_dev == self->st_dev && sb.st_ino == self->st_ino;
}

static int self_path(char *out, size_t size, struct stat *sb)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);

	if (n < 0) {
		applet_warn("cannot find this binary through /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	out[n] = 0;
	if (stat(out, sb)) {
		applet_warn("%s: %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

static int install(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX];
	struct stat me, sb;
	int symbolic = 0, force = 0, failed = 0, i;
	const char *dir = NULL;
	size_t k;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-s"))
			symbolic = 1;
		else if (!strcmp(argv[i], "-f"))
			force = 1;
		else if (argv[i][0] == '-' || dir)
			return applet_usage_error("--install: unexpected '%s'", argv[i]);
		else
			dir = argv[i];
	}
	if (!dir)
		return applet_usage_error("--install needs a directory");
	if (self_path(self, sizeof self, &me))
		return 1;
	if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
		applet_warn("%s: not a directory", dir);
		return 1;
	}
	for (k = 0; k < NAPPLETS; k++) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, applets[k].name) >= sizeof path) {
			applet_warn("%s/%s: name too long", dir, applets[k].name);
			failed = 1;
			continue;
		}
		if (lstat(path, &sb) == 0) {
			if (!is_us(path, &me) && !force) {
				applet_warn("skipped %s: it exists and is not a link to procbox (-f replaces it)", path);
				failed = 1;
				continue;
			}
			if (unlink(path)) {
				applet_warn("cannot replace %s: %s", path, strerror(errno));
				failed = 1;
				continue;
			}
		}
		if (symbolic ? symlink(self, path) : link(self, path)) {
			applet_warn("cannot link %s: %s%s", path, strerror(errno),
				    errno == EXDEV ? " (another file system: use -s)" : "");
			failed = 1;
		}
	}
	return failed;
}

static int uninstall(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX];
	struct stat me, sb;
	int failed = 0;
	size_t k;

	if (argc != 3 || argv[2][0] == '-')
		return applet_usage_error("--uninstall needs exactly one directory");
	if (self_path(self, sizeof self, &me))
		return 1;
	for (k = 0; k < NAPPLETS; k++) {
		snprintf(path, sizeof path, "%s/%s", argv[2], applets[k].name);
		if (lstat(path, &sb))
			continue;
		/* only what leads to this very binary: a file of the same name from elsewhere stays */
		if (!is_us(path, &me) || !strcmp(path, self)) {
			applet_warn("left %s: not a link to this procbox", path);
			continue;
		}
		if (unlink(path)) {
			applet_warn("cannot remove %s: %s", path, strerror(errno));
			failed = 1;
		}
	}
	return failed;
}

static int procbox_main(int argc, char **argv)
{
	const struct applet *a;

	if (argc < 2)
		return print_usage(2, 0), EXIT_USAGE;
	if (!strcmp(argv[1], "--list"))
		return print_usage(1, 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 3)
			return print_usage(1, 0);
		if (!(a = find_applet(argv[2]))) {
			applet_warn("unknown applet '%s'", argv[2]);
			return EXIT_NOT_FOUND;
		}
		char *help_argv[] = {argv[2], "--help", NULL};
		return run_applet(a, 2, help_argv);
	}
	if (!strcmp(argv[1], "--version")) {
		return applet_print(1, "procbox " PROCBOX_VERSION " (commit " PROCBOX_COMMIT ")\n");
	}
	if (!strcmp(argv[1], "--install"))
		return install(argc, argv);
	if (!strcmp(argv[1], "--uninstall"))
		return uninstall(argc, argv);
	if (argv[1][0] == '-')
		return applet_usage_error("unknown option '%s'", argv[1]);
	if (!(a = find_applet(argv[1]))) {
		applet_warn("unknown applet '%s' (procbox --list shows them)", argv[1]);
		return EXIT_NOT_FOUND;
	}
	return run_applet(a, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	const struct applet *a;

	base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "procbox");
	if ((a = find_applet(base)))
		return run_applet(a, argc, argv);
	/* procbox itself, whatever its file is called (procbox, procbox-1.0, ...) */
	if (!strncmp(base, "procbox", 7))
		return procbox_main(argc, argv);
	applet_warn("unknown applet '%s' (procbox --list shows them)", base);
	return EXIT_NOT_FOUND;
}
