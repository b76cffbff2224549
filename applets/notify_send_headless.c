/* notify-send-headless: notify-send inside the desktop session, as its user, from cron, udev or root. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applet.h"

static const char usage[] =
	"Usage: notify-send-headless [OPTIONS] [NOTIFY-SEND OPTIONS] SUMMARY [BODY]\n"
	"Run notify-send inside the desktop session; its options pass through (-h/--hint, -v/--version too).\n"
	"\n"
	"      --user USER  only sessions of USER (a name or a uid)\n"
	"      --print-env  print the session's variables as export lines instead\n"
	"      --verbose    explain the vote on stderr\n"
	"      --help       show this help\n";

/* ours are long only, so that notify-send's short ones keep their meaning */
enum { OPT_USER = 256, OPT_PRINT_ENV, OPT_VERBOSE, OPT_HELP };

static const struct option longopts[] = {
	/* notify-send's own (libnotify 0.8): handed on in their long form */
	{"urgency", required_argument, NULL, 'u'},
	{"expire-time", required_argument, NULL, 't'},
	{"app-name", required_argument, NULL, 'a'},
	{"icon", required_argument, NULL, 'i'},
	{"category", required_argument, NULL, 'c'},
	{"transient", no_argument, NULL, 'e'},
	{"hint", required_argument, NULL, 'h'},
	{"print-id", no_argument, NULL, 'p'},
	{"replace-id", required_argument, NULL, 'r'},
	{"wait", no_argument, NULL, 'w'},
	{"action", required_argument, NULL, 'A'},
	{"version", no_argument, NULL, 'v'},
	/* ours */
	{"user", required_argument, NULL, OPT_USER},
	{"print-env", no_argument, NULL, OPT_PRINT_ENV},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* notify-send's short options; '+': options end at the summary */
static const char shortopts[] = "+u:t:a:i:c:eh:pr:wA:v";

/* One of our options: -1 to go on, else the exit status to return. */
static int our_option(struct desktop_opts *o, int c, int argc, char **argv)
{
	switch (c) {
	case OPT_USER:
		return desktop_set_user(o, optarg) ? EXIT_USAGE : -1;
	case OPT_PRINT_ENV:
		o->print_env = 1;
		return -1;
	case OPT_VERBOSE:
		applet_verbosity = 2;
		return -1;
	case OPT_HELP:
		return applet_help(usage);
	default:
		return applet_bad_option(argc, argv);
	}
}

/* notify-send's argument vector: grows with every argument, so that a cluster of short options ("-ewe",
 * one argument each) never outgrows it; owned[i] says whether v[i] was allocated here */
struct argvec {
	char **v;
	unsigned char *owned;
	size_t n, cap;
};

static int argvec_push(struct argvec *a, char *arg, int owned)
{
	unsigned char *o;
	char **v;
	size_t cap;

	/* room for arg and the final NULL */
	if (a->n + 2 > a->cap) {
		cap = a->cap ? a->cap * 2 : 16;
		if (!(v = realloc(a->v, cap * sizeof *v)))
			return -1;
		a->v = v;
		if (!(o = realloc(a->owned, cap)))
			return -1;
		a->owned = o;
		a->cap = cap;
	}
	a->owned[a->n] = (unsigned char)owned;
	a->v[a->n++] = arg;
	a->v[a->n] = NULL;
	return 0;
}

static void argvec_free(struct argvec *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->owned[i])
			free(a->v[i]);
	free(a->v);
	free(a->owned);
	memset(a, 0, sizeof *a);
}

/*
 * Our options taken out, notify-send's rebuilt in their long form (GLib knows no abbreviations, getopt_long
 * accepted them), one argument per option, however they were clustered; then the operands. Returns -1 with
 * cmd built, or an exit status (a usage error, --help, out of memory).
 */
static int notify_send_command(int argc, char **argv, struct desktop_opts *o, struct argvec *cmd)
{
	const struct option *opt;
	char *arg;
	int c, last_optind = optind > 0 ? optind : 1, r; /* optind 0: a fresh start of getopt */
	size_t i, len;

	if (argvec_push(cmd, "notify-send", 0))
		goto no_memory;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		last_optind = optind;
		for (opt = longopts; opt->name && opt->val != c; opt++)
			;
		/* ours, or neither ours nor notify-send's (a usage error) */
		if (c >= OPT_USER || !opt->name) {
			if ((r = our_option(o, c, argc, argv)) >= 0)
				return r;
			continue;
		}
		len = strlen(opt->name) + (opt->has_arg ? strlen(optarg) + 4 : 3);
		if (!(arg = malloc(len)))
			goto no_memory;
		snprintf(arg, len, opt->has_arg ? "--%s=%s" : "--%s", opt->name, optarg);
		if (argvec_push(cmd, arg, 1)) {
			free(arg);
			goto no_memory;
		}
	}
	/* a "--" we consumed still matters to notify-send: a summary may start with '-' */
	if (optind == last_optind + 1 && !strcmp(argv[last_optind], "--") && argvec_push(cmd, "--", 0))
		goto no_memory;
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (argvec_push(cmd, argv[i], 0))
			goto no_memory;
	return -1;
no_memory:
	applet_warn("out of memory");
	return EXIT_OWN_FAILURE;
}

int notify_send_headless_main(int argc, char **argv)
{
	struct desktop_opts o = {.uid = -1, .user_option = "--user"};
	struct argvec cmd = {0};
	int r, operands;

	r = notify_send_command(argc, argv, &o, &cmd);
	operands = optind < argc;
	if (r >= 0)
		; /* usage error, --help or out of memory: said */
	else if (o.print_env && operands)
		r = applet_usage_error("--print-env takes no summary");
	else if (!o.print_env && !operands && cmd.n == 1)
		r = applet_usage_error("no summary given");
	else if (!o.print_env && pb_find_program("notify-send", NULL, 0) != 0) {
		applet_warn("notify-send is not installed (not found on PATH): install the package libnotify-bin");
		r = EXIT_NOT_FOUND;
	} else {
		r = desktop_run(&o, cmd.v);
	}
	argvec_free(&cmd);
	return r;
}
