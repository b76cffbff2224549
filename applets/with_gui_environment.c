/* with-gui-environment: run a command inside the desktop session (X11 or Wayland), as its user. */
#include <getopt.h>

#include "applet.h"

static const char usage[] =
	"Usage: with-gui-environment [OPTIONS] [--] COMMAND [ARGS...]\n"
	"Run COMMAND inside the desktop session (X11 or Wayland), as its user when we are root.\n"
	"\n"
	"  -u, --user USER  only sessions of USER (a name or a uid)\n"
	"  -p, --print-env  print the session's variables as export lines instead\n"
	"  -v, --verbose    explain the vote on stderr\n"
	"  -h, --help       show this help\n";

static const struct option longopts[] = {
	{"user", required_argument, NULL, 'u'},
	{"print-env", no_argument, NULL, 'p'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* '+': options end at the command, whose own options (xrandr --auto) stay its own */
static const char shortopts[] = "+u:pvh";

int with_gui_environment_main(int argc, char **argv)
{
	struct desktop_opts o = {.uid = -1, .user_option = "-u"};
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (desktop_set_user(&o, optarg))
				return EXIT_USAGE;
			break;
		case 'p':
			o.print_env = 1;
			break;
		case 'v':
			applet_verbosity = 2;
			break;
		case 'h':
			return applet_help(usage);
		default:
			return applet_bad_option(argc, argv);
		}
	}
	if (o.print_env && optind < argc)
		return applet_usage_error("--print-env takes no command");
	if (!o.print_env && optind >= argc)
		return applet_usage_error("no command given");
	return desktop_run(&o, argv + optind);
}
