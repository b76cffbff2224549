/* Unit test of applet_getopt (applets/applet.c): what it returns, the arguments it hands out and the order it
 * leaves argv in, against the C library's getopt_long (glibc here; musl's, which it replaces, behaves alike). */
#include "unit.h"
#include "../../applets/applet.c"

static const struct option longopts[] = {
	{"timeout", required_argument, NULL, 't'}, {"tree", no_argument, NULL, 'T'},
	{"format", required_argument, NULL, 'f'},  {"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},          {"hook", required_argument, NULL, 'H'},
	{"hook-timeout", required_argument, NULL, 'O'}, {NULL, 0, NULL, 0},
};

/* one parse into a trace: each return, optopt on '?', the argument, the long index; then the final argv */
static void trace(int ours, const char *optstring, const char *const *words, char *out, size_t size)
{
	char *argv[16];
	int argc = 0, c, idx;
	size_t n = 0;

	while (words[argc]) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	if (ours) {
		applet_optind = 1;
		optpos = 0;
	} else {
		optind = 0; /* glibc: a full reset */
		opterr = 0;
	}
	for (;;) {
		idx = -1;
		c = ours ? applet_getopt(argc, argv, optstring, longopts, &idx)
			 : getopt_long(argc, argv, optstring, longopts, &idx);
		if (c == -1)
			break;
		n += (size_t)snprintf(out + n, size - n, "[%c %s %d %d]", c,
				      (ours ? applet_optarg : optarg) ? (ours ? applet_optarg : optarg) : "-",
				      c == '?' ? (ours ? applet_optopt : optopt) : 0, idx);
	}
	n += (size_t)snprintf(out + n, size - n, " optind %d:", ours ? applet_optind : optind);
	for (c = 0; c < argc; c++)
		n += (size_t)snprintf(out + n, size - n, " %s", argv[c]);
}

START_TEST(like_getopt_long)
{
	static const char *const cases[][10] = {
		{"x", "-v", "-t", "5", "a", "b", NULL},
		{"x", "a", "-v", "b", "--timeout=3", "c", NULL},
		{"x", "a", "-t", "4", "b", "-vh", NULL},
		{"x", "-vt5", "a", NULL},
		{"x", "--tim", "7", "a", NULL},
		{"x", "--t", "a", NULL},          /* ambiguous: timeout, tree */
		{"x", "--tree", "a", NULL},
		{"x", "--hook", "h", "--hook-t", "9", NULL}, /* exact name beside a longer one */
		{"x", "--ho", "h", NULL},         /* ambiguous */
		{"x", "--verbose=1", NULL},       /* no argument allowed */
		{"x", "--format", NULL},          /* argument missing */
		{"x", "-t", NULL},
		{"x", "-z", "a", NULL},
		{"x", "--nope", "a", NULL},
		{"x", "a", "--", "-v", "b", NULL},
		{"x", "-", "-v", NULL},
		{"x", "a", "b", NULL},
		{"x", "-v", "--", NULL},
		{"x", "-f", "-v", "a", NULL},     /* "-v" taken as -f's argument */
		{"x", "a", "-ft", "-t", "b", NULL},
		{"x", "-:", "-+", NULL},
		{"x", "a", "-vz", "b", "-h", NULL},
		{"x", NULL},
	};
	static const char *const optstrings[] = {"t:f:vhz:H:O:", "+t:f:vhH:O:", "t:f:vh"};
	char want[512], got[512];

	for (size_t o = 0; o < sizeof optstrings / sizeof *optstrings; o++)
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			trace(0, optstrings[o], cases[i], want, sizeof want);
			trace(1, optstrings[o], cases[i], got, sizeof got);
			ck_assert_msg(!strcmp(want, got), "\"%s\" case %zu:\n want %s\n got  %s", optstrings[o], i,
				      want, got);
		}
}
END_TEST

static Suite *getopt_suite(void)
{
	Suite *s = suite_create("getopt");
	TCase *tc = tcase_create("applet");

	tcase_add_test(tc, like_getopt_long);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(getopt_suite)
