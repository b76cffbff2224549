/* Unit tests of choosing processes (pids, executable names and paths, users, descendants and their levels, trees)
 * on the fixture trees. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static struct pb_root root;
static struct pb_table t;
static struct pb_selection got;

static void open_fixture(const char *name)
{
	char path[256];

	snprintf(path, sizeof path, FIXTURES "/%s", name);
	ck_assert_int_eq(pb_root_open(&root, path), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
}

static void setup_normal(void)
{
	open_fixture("normal");
}

static void teardown(void)
{
	pb_selection_free(&got);
	pb_table_free(&t);
	pb_root_close(&root);
}

/* the chosen pids, as "101 102 103" */
static const char *chosen(void)
{
	static char s[512];
	size_t i, len = 0;

	s[0] = 0;
	for (i = 0; i < got.n && len < sizeof s - 16; i++)
		len += (size_t)snprintf(s + len, sizeof s - len, "%s%d", i ? " " : "", got.ids[i].pid);
	return s;
}

static void choose(const struct pb_select *sel)
{
	pb_selection_free(&got);
	ck_assert_int_eq(pb_select(&t, sel, &got), 0);
}

#define IDS(...) ((const struct pb_ident[]){__VA_ARGS__}), (sizeof((const struct pb_ident[]){__VA_ARGS__}) / sizeof(struct pb_ident))

START_TEST(requested_pids)
{
	struct pb_select sel = {0};

	sel.pids = (const struct pb_ident[]){{103, 0}, {100, 0}, {999, 0}};
	sel.npids = 3;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 103");
	/* identities carry the starttime of the scan */
	ck_assert_uint_eq(got.ids[0].starttime, 5000);
	ck_assert_uint_eq(got.ids[1].starttime, 90020);
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].id.pid, 999);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_NO_PROCESS);
	ck_assert_int_eq(got.missed[0].below, 0);
}
END_TEST

START_TEST(requested_identity)
{
	struct pb_select sel = {0};

	sel.pids = (const struct pb_ident[]){{100, 5000}, {101, 4999}};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100");
	/* same pid, another starttime: a different process, never taken for the one asked for */
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].id.pid, 101);
	ck_assert_uint_eq(got.missed[0].id.starttime, 4999);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_REUSED);
}
END_TEST

START_TEST(exact_starttime_zero)
{
	struct pb_select sel = {0};

	/* PID@0: a start time of 0, not "any": pid 100 started at tick 5000 is another process */
	sel.pids = (const struct pb_ident[]){{100, 0}, {103, 0}};
	sel.pids_exact = (const unsigned char[]){1, 0};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "103");
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].id.pid, 100);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_REUSED);
	/* the same for -d */
	memset(&sel, 0, sizeof sel);
	sel.below = (const struct pb_ident[]){{100, 0}};
	sel.below_exact = (const unsigned char[]){1};
	sel.nbelow = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "");
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_REUSED);
	ck_assert_int_eq(got.missed[0].below, 1);
	/* an exact start time that matches is chosen as before */
	sel.below = (const struct pb_ident[]){{100, 5000}};
	choose(&sel);
	ck_assert_uint_eq(got.nmissed, 0);
	ck_assert_uint_gt(got.n, 0);
}
END_TEST

START_TEST(duplicates_once)
{
	struct pb_select sel = {0};

	sel.pids = (const struct pb_ident[]){{103, 0}, {103, 0}, {999, 0}, {999, 0}};
	sel.npids = 4;
	choose(&sel);
	ck_assert_str_eq(chosen(), "103");
	ck_assert_uint_eq(got.nmissed, 1);
}
END_TEST

START_TEST(requested_zombie_and_kernel_thread_are_kept)
{
	struct pb_select sel = {0};

	/* asked for by pid: the caller decides (a zombie has ended, a kernel thread is refused) */
	sel.pids = (const struct pb_ident[]){{202, 0}, {2, 0}};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "2 202");
	ck_assert_uint_eq(got.nmissed, 0);
}
END_TEST

START_TEST(by_exe_name)
{
	struct pb_select sel = {0};
	const char *names[] = {"cron"};

	sel.exe_names = names;
	sel.nexe = 1;
	choose(&sel);
	/* 100's binary was replaced: " (deleted)" is stripped, it is still cron */
	ck_assert_str_eq(chosen(), "100 101");
	names[0] = "dash";
	choose(&sel);
	ck_assert_str_eq(chosen(), "102");
	names[0] = "no-such-program";
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	ck_assert_uint_eq(got.nmissed, 0);
}
END_TEST

START_TEST(by_user_leaves_out_kernel_threads_and_zombies)
{
	struct pb_select sel = {0};
	long uids[] = {0, 65534};

	sel.uids = uids;
	sel.nuids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "1 100 101");
	uids[0] = 1000;
	choose(&sel);
	/* 202 is a zombie of user 1000 */
	ck_assert_str_eq(chosen(), "102 103 200 201");
	uids[0] = 0;
	sel.nuids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "1 100 101 300");
}
END_TEST

START_TEST(filters_combine)
{
	struct pb_select sel = {0};
	const char *names[] = {"sleep", "cron"};
	long uid = 1000;

	sel.exe_names = names;
	sel.nexe = 2;
	sel.uids = &uid;
	sel.nuids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "103");
	/* a requested pid that fails a filter is reported, not chosen */
	sel.pids = (const struct pb_ident[]){{102, 0}, {103, 0}};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "103");
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].id.pid, 102);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_NOT_MATCHED);
}
END_TEST

START_TEST(descendants_of)
{
	struct pb_select sel = {0};
	long uid = 0;

	sel.below = (const struct pb_ident[]){{100, 0}};
	sel.nbelow = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101 102 103");
	sel.uids = &uid;
	sel.nuids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101");
	/* below init: everything but kernel threads and the zombie */
	sel.nuids = 0;
	sel.below = (const struct pb_ident[]){{1, 0}, {200, 0}};
	sel.nbelow = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101 102 103 200 201");
}
END_TEST

START_TEST(descendants_of_missing_or_reused)
{
	struct pb_select sel = {0};

	sel.below = (const struct pb_ident[]){{999, 0}, {100, 1}};
	sel.nbelow = 2;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	ck_assert_uint_eq(got.nmissed, 2);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_NO_PROCESS);
	ck_assert_int_eq(got.missed[0].below, 1);
	ck_assert_int_eq(got.missed[1].why, PB_SELECT_REUSED);
	ck_assert_int_eq(got.missed[1].below, 1);
}
END_TEST

START_TEST(tree)
{
	struct pb_select sel = {0};
	long uid = 65534;

	sel.tree = 1;
	sel.pids = (const struct pb_ident[]){{101, 0}};
	sel.npids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101 102 103");
	/* the zombie child of 200 has ended: not part of what is left to wait for */
	sel.pids = (const struct pb_ident[]){{200, 0}, {102, 0}};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "102 103 200 201");
	/* a tree is added to what the filters chose */
	sel.npids = 0;
	sel.uids = &uid;
	sel.nuids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "300");
	/* kthreadd's tree: kernel threads are not picked up */
	sel.nuids = 0;
	sel.pids = (const struct pb_ident[]){{2, 0}};
	sel.npids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "2");
}
END_TEST

START_TEST(self_and_ancestors_left_out)
{
	struct pb_select sel = {0};
	long uid = 0;
	const char *names[] = {"sh"};

	/* as if we were 102: 101, 100 and 1 run us */
	sel.self = 102;
	sel.uids = &uid;
	sel.nuids = 1;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	sel.nuids = 0;
	sel.exe_names = names;
	sel.nexe = 1;
	names[0] = "dash";
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	/* asked for by pid, an ancestor is still chosen: the caller refuses it with a reason */
	sel.nexe = 0;
	sel.pids = (const struct pb_ident[]){{100, 0}};
	sel.npids = 1;
	sel.tree = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 103");
	sel.npids = 0;
	sel.tree = 0;
	sel.below = (const struct pb_ident[]){{1, 0}};
	sel.nbelow = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "103 200 201");
}
END_TEST

START_TEST(new_descendants)
{
	struct pb_ident *found;
	long n;

	n = pb_select_new_descendants(&t, IDS({100, 5000}), 0, &found);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(found[0].pid, 101);
	ck_assert_int_eq(found[2].pid, 103);
	ck_assert_uint_eq(found[2].starttime, 90020);
	free(found);
	n = pb_select_new_descendants(&t, IDS({100, 5000}, {101, 90000}, {103, 90020}), 0, &found);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(found[0].pid, 102);
	free(found);
	/* 100 with another starttime is another process: its children are not ours */
	n = pb_select_new_descendants(&t, IDS({100, 1}), 0, &found);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(found);
	n = pb_select_new_descendants(&t, IDS({100, 5000}), 102, &found);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(found[0].pid, 103);
	free(found);
	/* the zombie below 200 is not new work */
	n = pb_select_new_descendants(&t, IDS({200, 20000}), 0, &found);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(found[0].pid, 201);
	free(found);
}
END_TEST

START_TEST(malformed_tree_terminates)
{
	struct pb_select sel = {0};
	struct pb_ident *found;
	long n;

	open_fixture("malformed");
	/* a parent cycle (24, 25) and a process that is its own parent (27) */
	sel.tree = 1;
	sel.self = 25;
	sel.pids = (const struct pb_ident[]){{24, 0}, {25, 0}, {27, 0}};
	sel.npids = 3;
	choose(&sel);
	ck_assert_str_eq(chosen(), "24 25 27");
	sel.npids = 0;
	sel.below = (const struct pb_ident[]){{24, 0}, {25, 0}, {27, 0}};
	sel.nbelow = 3;
	choose(&sel);
	ck_assert_uint_le(got.n, 1);
	/* levels through the broken links end too, and choose no more */
	sel.level = 1;
	choose(&sel);
	ck_assert_uint_le(got.n, 1);
	/* from the top: every process here is a root (their parent 1 is not in the tree), 24 or 25 below the other */
	sel.level = 0;
	sel.depth = 2;
	sel.nbelow = 0;
	sel.below_too = 1;
	choose(&sel);
	ck_assert_uint_gt(got.n, 10);
	n = pb_select_new_descendants(&t, IDS({24, 100}, {25, 100}, {27, 100}), 0, &found);
	ck_assert_int_eq(n, 0);
	free(found);
}
END_TEST

START_TEST(empty_selector_chooses_everything_but_kernel_threads_and_zombies)
{
	struct pb_select sel = {0};

	choose(&sel);
	ck_assert_str_eq(chosen(), "1 100 101 102 103 200 201 300");
}
END_TEST

/* a proc tree of its own: a chain of `depth` processes whose pids fall as they nest (as after pid wrap-around),
 * the first, 9000, under 1 */
static char chain_dir[64];

static void write_stat(int pid, int ppid)
{
	char path[128], line[256];
	int fd, n;

	snprintf(path, sizeof path, "%s/%d", chain_dir, pid);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/%d/stat", chain_dir, pid);
	n = snprintf(line, sizeof line,
		     "%d (chain) S %d %d %d 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 %d 1048576 256 "
		     "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0\n",
		     pid, ppid, pid, pid, 100000 - pid);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, line, (size_t)n), n);
	close(fd);
}

static void remove_chain(int depth)
{
	char path[128];
	int i;

	for (i = 0; i < depth; i++) {
		snprintf(path, sizeof path, "%s/%d/stat", chain_dir, 9000 - i);
		unlink(path);
		snprintf(path, sizeof path, "%s/%d", chain_dir, 9000 - i);
		rmdir(path);
	}
	rmdir(chain_dir);
}

START_TEST(deep_chain_with_falling_pids)
{
	enum { DEPTH = 300 };
	struct pb_select sel = {0};
	struct pb_ident *found, top;
	long n;
	int i;

	snprintf(chain_dir, sizeof chain_dir, "/tmp/check_select.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(chain_dir));
	for (i = 0; i < DEPTH; i++)
		write_stat(9000 - i, i ? 9000 - i + 1 : 1);
	ck_assert_int_eq(pb_root_open(&root, chain_dir), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	ck_assert_uint_eq(t.n, DEPTH);
	/* every process of the chain, once, however its marked members nest */
	sel.tree = 1;
	sel.pids = (const struct pb_ident[]){{9000, 0}, {8900, 0}, {8750, 0}};
	sel.npids = 3;
	choose(&sel);
	ck_assert_uint_eq(got.n, DEPTH);
	ck_assert_int_eq(got.ids[0].pid, 8701);
	ck_assert_int_eq(got.ids[DEPTH - 1].pid, 9000);
	/* what lies below a process of the middle */
	top = (struct pb_ident){8800, 100000 - 8800};
	n = pb_select_new_descendants(&t, &top, 1, 0, &found);
	ck_assert_int_eq(n, 99);
	ck_assert_int_eq(found[0].pid, 8701);
	free(found);
	/* levels below nested bases in one pass: exactly 299 below the first is the last; 50 below any of three */
	sel.tree = 0;
	sel.npids = 0;
	sel.below = (const struct pb_ident[]){{9000, 0}, {8900, 0}, {8750, 0}};
	sel.nbelow = 1;
	sel.level = DEPTH - 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "8701");
	sel.nbelow = 3;
	sel.level = 50;
	choose(&sel);
	ck_assert_str_eq(chosen(), "8850 8950"); /* 8750 is 49 above the end */
	sel.level = 0;
	sel.depth = 10;
	choose(&sel);
	ck_assert_uint_eq(got.n, 30);
	sel.depth = 1000;
	choose(&sel);
	ck_assert_uint_eq(got.n, DEPTH - 1);
	remove_chain(DEPTH);
}
END_TEST

START_TEST(by_exe_path)
{
	struct pb_select sel = {0};
	const char *paths[] = {"/usr/sbin/cron", "/usr/bin/dash"};

	sel.exe_paths = paths;
	sel.nexe_paths = 1;
	choose(&sel);
	/* 100's binary was replaced by an upgrade: its link reads "/usr/sbin/cron (deleted)", still cron's path */
	ck_assert_str_eq(chosen(), "100 101");
	sel.nexe_paths = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101 102");
	/* a name is no path, nor is a directory, nor the path with the suffix the kernel adds */
	paths[0] = "cron";
	sel.nexe_paths = 1;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	paths[0] = "/usr/sbin/";
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	paths[0] = "/usr/sbin/cron (deleted)";
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	/* "" is the unknown executable (kernel threads, 200 without a link): it is at no path */
	paths[0] = "";
	sel.any_process = 1;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
}
END_TEST

START_TEST(exe_path_with_other_filters)
{
	struct pb_select sel = {0};
	const char *paths[] = {"/usr/sbin/cron"};
	const char *names[] = {"cron"};
	long uid = 0;

	sel.exe_paths = paths;
	sel.nexe_paths = 1;
	sel.uids = &uid;
	sel.nuids = 1;
	sel.exe_names = names;
	sel.nexe = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101");
	/* a requested pid at another path is reported as not matched */
	sel.pids = (const struct pb_ident[]){{101, 0}, {102, 0}};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101");
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_NOT_MATCHED);
	/* below a process: cron's own worker only */
	sel.npids = 0;
	sel.below = (const struct pb_ident[]){{100, 0}};
	sel.nbelow = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101");
}
END_TEST

START_TEST(levels_below)
{
	struct pb_select sel = {0};

	/* 1 > 100 > 101 > 102 > 103, 1 > 200 > 201 and the zombie 202 */
	sel.below = (const struct pb_ident[]){{1, 0}};
	sel.nbelow = 1;
	sel.level = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 200");
	sel.level = 2;
	choose(&sel);
	/* the zombie is at that level too, but has ended */
	ck_assert_str_eq(chosen(), "101 201");
	sel.level = 4;
	choose(&sel);
	ck_assert_str_eq(chosen(), "103");
	sel.level = 5;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	ck_assert_uint_eq(got.nmissed, 0);
	sel.level = 0;
	sel.depth = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101 200 201");
	sel.depth = 1000000000;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101 102 103 200 201");
	/* both hold: nothing is exactly 3 levels below and at most 2 */
	sel.depth = 2;
	sel.level = 3;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	sel.depth = 3;
	choose(&sel);
	ck_assert_str_eq(chosen(), "102");
	/* not a limit: what a library caller may pass by mistake */
	sel.depth = -1;
	sel.level = -5;
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101 102 103 200 201");
}
END_TEST

START_TEST(levels_below_nested_and_with_filters)
{
	struct pb_select sel = {0};
	long uid = 1000;

	/* 101 is below 100: each counts levels of its own (102 is 101's child and 100's grandchild) */
	sel.below = (const struct pb_ident[]){{100, 0}, {101, 0}};
	sel.nbelow = 2;
	sel.level = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101 102");
	sel.level = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "102 103");
	sel.level = 0;
	sel.depth = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101 102");
	/* filters still apply */
	sel.depth = 0;
	sel.level = 2;
	sel.uids = &uid;
	sel.nuids = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "102 103");
	/* a requested pid outside the levels is not matched */
	sel.nuids = 0;
	sel.level = 1;
	sel.pids = (const struct pb_ident[]){{103, 0}, {102, 0}};
	sel.npids = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "102");
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].id.pid, 103);
	ck_assert_int_eq(got.missed[0].why, PB_SELECT_NOT_MATCHED);
	/* --tree adds everything below what the levels chose */
	sel.npids = 0;
	sel.below = (const struct pb_ident[]){{100, 0}};
	sel.nbelow = 1;
	sel.tree = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101 102 103");
	/* a base that is missing is reported and gives nothing, even with a level */
	sel.tree = 0;
	sel.below = (const struct pb_ident[]){{999, 0}};
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	ck_assert_uint_eq(got.nmissed, 1);
	ck_assert_int_eq(got.missed[0].below, 1);
}
END_TEST

START_TEST(levels_as_a_reader_sees_them)
{
	struct pb_select sel = {0};
	unsigned char flags[64];
	size_t i, n;

	/* proc-tree: a subtree with its top, kernel threads, zombies and itself included */
	sel.any_process = 1;
	sel.below_too = 1;
	sel.below = (const struct pb_ident[]){{200, 0}};
	sel.nbelow = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "200 201 202");
	sel.level = 1;
	choose(&sel);
	ck_assert_str_eq(chosen(), "201 202");
	sel.level = 0;
	sel.depth = 1;
	sel.below = (const struct pb_ident[]){{100, 0}};
	choose(&sel);
	ck_assert_str_eq(chosen(), "100 101");
	/* no `below`: the levels count from the processes without a parent (1, kthreadd, the orphan 300) */
	sel.nbelow = 0;
	choose(&sel);
	ck_assert_str_eq(chosen(), "1 2 3 100 200 300");
	sel.depth = 0;
	sel.level = 2;
	choose(&sel);
	ck_assert_str_eq(chosen(), "101 201 202");
	/* the same choice as flags, one per table entry; a request not found is no error */
	ck_assert_uint_le(t.n, sizeof flags);
	sel.pids = (const struct pb_ident[]){{999, 0}, {201, 0}};
	sel.npids = 2;
	memset(flags, 0xff, sizeof flags);
	ck_assert_int_eq(pb_select_flags(&t, &sel, flags), 0);
	for (i = 0, n = 0; i < t.n; i++) {
		ck_assert_uint_le(flags[i], 1);
		n += flags[i];
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(flags[pb_index(&t, pb_find_pid(&t, 201))], 1);
	ck_assert_uint_eq(flags[t.n], 0xff); /* nothing written past the table */
}
END_TEST

START_TEST(exe_path_is_the_link_never_argv0)
{
	static const char argv0[] = "/bin/sh\0-c\0";
	struct pb_select sel = {0};
	const char *paths[] = {"/bin/sh"};
	char path[128];
	int fd;

	/* 9000 has no exe link (another user's, without privileges) but an absolute argv[0] of a real program:
	 * proc-tree's exe_path shows it, --exe-path must not believe it (any process can write its argv[0]) */
	snprintf(chain_dir, sizeof chain_dir, "/tmp/check_select.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(chain_dir));
	write_stat(9000, 1);
	snprintf(path, sizeof path, "%s/9000/cmdline", chain_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, argv0, sizeof argv0 - 1), (ssize_t)sizeof argv0 - 1);
	close(fd);
	ck_assert_int_eq(pb_root_open(&root, chain_dir), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	ck_assert_str_eq(pb_exe_path(&t, pb_find_pid(&t, 9000)), "/bin/sh");
	sel.exe_paths = paths;
	sel.nexe_paths = 1;
	choose(&sel);
	ck_assert_uint_eq(got.n, 0);
	unlink(path);
	remove_chain(1);
}
END_TEST

static Suite *select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("normal");
	TCase *tm = tcase_create("malformed");
	TCase *td = tcase_create("deep");

	tcase_add_checked_fixture(tc, setup_normal, teardown);
	tcase_add_test(tc, requested_pids);
	tcase_add_test(tc, requested_identity);
	tcase_add_test(tc, exact_starttime_zero);
	tcase_add_test(tc, duplicates_once);
	tcase_add_test(tc, requested_zombie_and_kernel_thread_are_kept);
	tcase_add_test(tc, by_exe_name);
	tcase_add_test(tc, by_user_leaves_out_kernel_threads_and_zombies);
	tcase_add_test(tc, filters_combine);
	tcase_add_test(tc, descendants_of);
	tcase_add_test(tc, descendants_of_missing_or_reused);
	tcase_add_test(tc, tree);
	tcase_add_test(tc, self_and_ancestors_left_out);
	tcase_add_test(tc, new_descendants);
	tcase_add_test(tc, empty_selector_chooses_everything_but_kernel_threads_and_zombies);
	tcase_add_test(tc, by_exe_path);
	tcase_add_test(tc, exe_path_with_other_filters);
	tcase_add_test(tc, levels_below);
	tcase_add_test(tc, levels_below_nested_and_with_filters);
	tcase_add_test(tc, levels_as_a_reader_sees_them);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tm, NULL, teardown);
	tcase_add_test(tm, malformed_tree_terminates);
	suite_add_tcase(s, tm);
	tcase_add_checked_fixture(td, NULL, teardown);
	tcase_add_test(td, deep_chain_with_falling_pids);
	tcase_add_test(td, exe_path_is_the_link_never_argv0);
	suite_add_tcase(s, td);
	return s;
}

SUITE_MAIN(select_suite)
