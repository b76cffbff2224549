/* Unit test of notify-send-headless's argument vector (applets/notify_send_headless.c): notify-send's options
 * rebuilt one per option, clustered or not, ours taken out; run under ASan, which sees a write past it. And
 * the desktops --all notifies (pb_session_desktops): one per user and display, at most 8 a user. */
#include "unit.h"
#include "../../applets/applet.c"
#include "../../applets/desktop.c"
#include "../../applets/notify_send_headless.c"

static struct notify_opts o;
static struct argvec cmd;

/* parses words (NULL-terminated) as notify-send-headless's arguments; returns what notify_send_command did */
static int build(const char *const *words)
{
	char *argv[2100];
	int argc = 0;

	while (words[argc]) {
		ck_assert_int_lt(argc, 2099);
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	/* 0: getopt starts afresh (glibc's and musl's), clusters included; its own messages off, as main.c */
	optind = 0;
	opterr = 0;
	memset(&o, 0, sizeof o);
	o.d.uid = -1;
	o.d.user_option = "--user";
	argvec_free(&cmd);
	return notify_send_command(argc, argv, &o, &cmd);
}

/* the vector as one string, arguments separated by '|' */
static const char *joined(void)
{
	static char out[65536];
	size_t i, n = 0;

	out[0] = 0;
	for (i = 0; i < cmd.n; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? "|" : "", cmd.v[i]);
	ck_assert_ptr_null(cmd.v[cmd.n]);
	return out;
}

START_TEST(forty_letters)
{
	const char *const words[] = {"notify-send-headless", "-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "summary", NULL};
	size_t i;

	ck_assert_int_eq(build(words), -1);
	ck_assert_uint_eq(cmd.n, 42);
	ck_assert_str_eq(cmd.v[0], "notify-send");
	for (i = 1; i <= 40; i++)
		ck_assert_str_eq(cmd.v[i], "--transient");
	ck_assert_str_eq(cmd.v[41], "summary");
	ck_assert_ptr_null(cmd.v[42]);
}
END_TEST

START_TEST(clusters_with_arguments)
{
	const char *const a[] = {"nsh", "-ewu", "critical", "-ea", "app", "--", "-dash", NULL};
	const char *const b[] = {"nsh", "-ucritical", "-eh", "int:x:1", "-wpA", "go=Go", "s", "body", NULL};
	const char *const c[] = {"nsh", "--user", "root", "-e", "--print-env", NULL};
	const char *const d[] = {"nsh", "-e", "--app=x", "--urg", "low", "-t5", "s", NULL};

	ck_assert_int_eq(build(a), -1);
	ck_assert_str_eq(joined(), "notify-send|--transient|--wait|--urgency=critical|--transient|--app-name=app|--|-dash");
	ck_assert_int_eq(build(b), -1);
	ck_assert_str_eq(joined(),
			 "notify-send|--urgency=critical|--transient|--hint=int:x:1|--wait|--print-id|--action=go=Go|s|body");
	/* ours are taken out: --user and --print-env */
	ck_assert_int_eq(build(c), -1);
	ck_assert_str_eq(joined(), "notify-send|--transient");
	ck_assert_int_eq(o.d.uid, 0);
	ck_assert_int_eq(o.d.print_env, 1);
	/* abbreviations become the full long name */
	ck_assert_int_eq(build(d), -1);
	ck_assert_str_eq(joined(), "notify-send|--transient|--app-name=x|--urgency=low|--expire-time=5|s");
}
END_TEST

/* clusters of every length up to 2000 letters, in one word and spread over many: one argument per letter */
START_TEST(long_clusters)
{
	static char word[2002];
	const char *words[2100];
	size_t len, i;

	for (len = 1; len <= 2000; len = len * 3 + 1) {
		word[0] = '-';
		memset(word + 1, 'e', len);
		word[len + 1] = 0;
		words[0] = "nsh";
		words[1] = word;
		words[2] = NULL;
		ck_assert_int_eq(build(words), -1);
		ck_assert_uint_eq(cmd.n, len + 1);
		for (i = 1; i <= len; i++)
			ck_assert_str_eq(cmd.v[i], "--transient");
	}
	for (i = 0; i < 2000; i++)
		words[i + 1] = "-ew";
	words[0] = "nsh";
	words[2001] = NULL;
	ck_assert_int_eq(build(words), -1);
	ck_assert_uint_eq(cmd.n, 4001);
	ck_assert_str_eq(cmd.v[3999], "--transient");
	ck_assert_str_eq(cmd.v[4000], "--wait");
}
END_TEST

/* --all and --group are ours; --wait and --action are noted, as they wait for one person's answer */
START_TEST(wall_options)
{
	const char *const a[] = {"nsh", "--all", "--group", "staff", "-ew", "s", NULL};
	const char *const b[] = {"nsh", "--gr=wheel", "-A", "go=Go", "s", NULL};
	const char *const c[] = {"nsh", "--al", "-p", "s", NULL};

	ck_assert_int_eq(build(a), -1);
	ck_assert_str_eq(joined(), "notify-send|--transient|--wait|s");
	ck_assert_int_eq(o.all, 1);
	ck_assert_str_eq(o.group, "staff");
	ck_assert_int_eq(o.waits, 1);
	ck_assert_int_eq(build(b), -1);
	ck_assert_str_eq(joined(), "notify-send|--action=go=Go|s");
	ck_assert_int_eq(o.all, 0);
	ck_assert_str_eq(o.group, "wheel");
	ck_assert_int_eq(o.waits, 1);
	ck_assert_int_eq(build(c), -1);
	ck_assert_str_eq(joined(), "notify-send|--print-id|s");
	ck_assert_int_eq(o.all, 1);
	ck_assert_int_eq(o.waits, 0);
}
END_TEST

START_TEST(usage_errors)
{
	const char *const bad[] = {"nsh", "-eZ", "s", NULL};
	const char *const missing[] = {"nsh", "-eu", NULL};

	ck_assert_int_eq(build(bad), EXIT_USAGE);
	ck_assert_int_eq(build(missing), EXIT_USAGE);
}
END_TEST

static void teardown(void)
{
	argvec_free(&cmd);
}

/* ---- desktops ---- */

static struct pb_session_search ds;

/* appends a candidate of uid with DISPLAY, WAYLAND_DISPLAY and XDG_RUNTIME_DIR (NULL: unset) */
static void candidate(unsigned int uid, const char *display, const char *wayland, const char *runtime, int reject)
{
	const char *v[PB_SV_COUNT] = {[PB_SV_DISPLAY] = display, [PB_SV_WAYLAND] = wayland, [PB_SV_RUNTIME] = runtime};
	struct pb_session *x;
	size_t k;

	ds.candidates = realloc(ds.candidates, (ds.n + 1) * sizeof *ds.candidates);
	ck_assert_ptr_nonnull(ds.candidates);
	x = &ds.candidates[ds.n++];
	memset(x, 0, sizeof *x);
	x->uid = uid;
	x->reject = reject ? PB_SR_UNVOUCHED : PB_SR_NONE;
	x->desktop = 7; /* overwritten */
	for (k = 0; k < PB_SV_COUNT; k++) {
		if (!v[k])
			continue;
		x->value[k] = strdup(v[k]);
		ck_assert_ptr_nonnull(x->value[k]);
		x->len[k] = strlen(v[k]);
	}
}

START_TEST(desktops_by_user_and_display)
{
	candidate(1000, ":0", NULL, NULL, 0);
	/* Xwayland: the same desktop by its X display, which teaches the desktop its Wayland socket */
	candidate(1000, ":0", "wayland-0", "/run/user/1000", 0);
	/* the same socket named by its absolute path: the same desktop */
	candidate(1000, NULL, "/run/user/1000/wayland-0", NULL, 0);
	/* ":0.0" is display 0 */
	candidate(1000, "unix:0.0", NULL, NULL, 0);
	candidate(1000, "unix:1.0", NULL, NULL, 0);
	/* another user's display 0 is another desktop; a lower uid comes first */
	candidate(999, ":0", NULL, NULL, 0);
	candidate(1000, NULL, "wayland-1", "/run/user/1000", 0);
	candidate(998, ":5", NULL, NULL, 1);
	ck_assert_int_eq(pb_session_desktops(&ds), 0);
	ck_assert_uint_eq(ds.ndesktops, 4);
	ck_assert_uint_eq(ds.desktops[0], 5);
	ck_assert_uint_eq(ds.desktops[1], 0);
	ck_assert_uint_eq(ds.desktops[2], 4);
	ck_assert_uint_eq(ds.desktops[3], 6);
	ck_assert_uint_eq(ds.left_out, 0);
	ck_assert_int_eq(ds.candidates[0].desktop, 1);
	ck_assert_int_eq(ds.candidates[1].desktop, 0);
	ck_assert_int_eq(ds.candidates[2].desktop, 0);
	ck_assert_int_eq(ds.candidates[3].desktop, 0);
	ck_assert_int_eq(ds.candidates[4].desktop, 1);
	ck_assert_int_eq(ds.candidates[5].desktop, 1);
	ck_assert_int_eq(ds.candidates[6].desktop, 1);
	ck_assert_int_eq(ds.candidates[7].desktop, 0);
}
END_TEST

START_TEST(desktops_at_most_eight_a_user)
{
	char d[16];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(d, sizeof d, ":%d", i);
		candidate(1000, d, NULL, NULL, 0);
	}
	candidate(1000, ":3.1", NULL, NULL, 0);
	candidate(1001, ":99", NULL, NULL, 0);
	ck_assert_int_eq(pb_session_desktops(&ds), 0);
	ck_assert_uint_eq(ds.ndesktops, PB_SESSION_DESKTOPS_MAX + 1);
	ck_assert_uint_eq(ds.left_out, 12 - PB_SESSION_DESKTOPS_MAX);
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(ds.candidates[i].desktop, i < PB_SESSION_DESKTOPS_MAX ? 1 : -1);
	ck_assert_int_eq(ds.candidates[12].desktop, 0);
	ck_assert_uint_eq(ds.desktops[PB_SESSION_DESKTOPS_MAX], 13);
}
END_TEST

START_TEST(desktops_none_valid)
{
	ck_assert_int_eq(pb_session_desktops(&ds), 0);
	ck_assert_uint_eq(ds.ndesktops, 0);
	candidate(1000, ":0", NULL, NULL, 1);
	ck_assert_int_eq(pb_session_desktops(&ds), 0);
	ck_assert_uint_eq(ds.ndesktops, 0);
	ck_assert_int_eq(ds.candidates[0].desktop, 0);
}
END_TEST

static void desktops_teardown(void)
{
	pb_session_free(&ds);
	memset(&ds, 0, sizeof ds);
}

static Suite *gui_args_suite(void)
{
	Suite *su = suite_create("gui_args");
	TCase *tc = tcase_create("notify-send");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, forty_letters);
	tcase_add_test(tc, clusters_with_arguments);
	tcase_add_test(tc, long_clusters);
	tcase_add_test(tc, wall_options);
	tcase_add_test(tc, usage_errors);
	suite_add_tcase(su, tc);
	tc = tcase_create("desktops");
	tcase_add_checked_fixture(tc, NULL, desktops_teardown);
	tcase_add_test(tc, desktops_by_user_and_display);
	tcase_add_test(tc, desktops_at_most_eight_a_user);
	tcase_add_test(tc, desktops_none_valid);
	suite_add_tcase(su, tc);
	return su;
}

SUITE_MAIN(gui_args_suite)
