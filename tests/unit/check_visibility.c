/* Unit tests of the visibility module: proc mount options from mountinfo, and the root's verdict. */
#include <errno.h>

#include "unit.h"

static const char mountinfo[] =
	"22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"27 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"40 27 0:50 / /mnt/my\\040proc rw,relatime shared:30 master:2 - proc proc rw,hidepid=invisible,gid=27\n"
	"41 27 0:51 / /old rw - proc none rw,hidepid=2\n"
	"42 27 0:52 / /sub rw - proc proc rw,hidepid=ptraceable,subset=pid\n"
	"43 27 0:53 / /na rw - proc proc rw,hidepid=1\n"
	"44 27 0:54 / /odd rw - proc proc rw,hidepid=weird\n"
	"45 27 0:55 / /tmpfs rw - tmpfs tmpfs rw,hidepid=2\n"
	"46 27 0:56 / /noopts rw - proc proc"; /* no super options, no final newline */

START_TEST(mountinfo_options)
{
	struct pb_proc_mount m;

	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 21, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_OFF);
	ck_assert_int_eq(m.gid, -1);
	ck_assert_int_eq(m.subset_pid, 0);
	/* optional fields before the separator, an escaped blank in the mount point */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 50, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_INVISIBLE);
	ck_assert_int_eq(m.gid, 27);
	/* kernels before 5.8 print numbers */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 51, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_INVISIBLE);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 53, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_NOACCESS);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 52, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_PTRACEABLE);
	ck_assert_int_eq(m.subset_pid, 1);
	/* a value we do not know is taken as hiding: warning wrongly is better than claiming nothing runs */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 54, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_INVISIBLE);
	/* numbers other than 0, 1, 2 and 4 too (found by fuzz_mountinfo: 5 came through as 5) */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("1 1 0:5 / /p rw - proc p rw,hidepid=5\n"), 0, 5, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_INVISIBLE);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("1 1 0:5 / /p rw - proc p rw,hidepid=3\n"), 0, 5, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_INVISIBLE);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("1 1 0:5 / /p rw - proc p rw,hidepid=04\n"), 0, 5, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_PTRACEABLE);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 56, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_OFF);
	ck_assert_str_eq(pb_hidepid_name(PB_HIDEPID_PTRACEABLE), "ptraceable");
}
END_TEST

START_TEST(mountinfo_no_match)
{
	struct pb_proc_mount m;

	errno = 0;
	/* another file system on that device, a device nobody has, an empty table */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 0, 55, &m), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(mountinfo), 8, 21, &m), -1);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S(""), 0, 21, &m), -1);
	/* truncated and garbled lines are skipped, not misread */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("22 27 0:21 / /proc rw shared:1 -"), 0, 21, &m), -1);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("22 27 0:21 / /proc rw shared:1 proc proc rw\n"), 0, 21, &m), -1);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("22 27 0:x21 / /proc rw - proc proc rw\n"), 0, 21, &m), -1);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("22 27 0:99999999999 / /p rw - proc proc rw\n"), 0, 21, &m), -1);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("22 27 :21 / /proc rw - proc proc rw\n"), 0, 21, &m), -1);
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("22 27 0:21\n/ /proc rw - proc proc rw\n"), 0, 21, &m), -1);
	/* a bad gid is ignored, the rest of the options stay */
	ck_assert_int_eq(pb_parse_mountinfo_proc(S("1 1 0:21 / /p rw - proc p rw,gid=x,hidepid=1\n"), 0, 21, &m), 0);
	ck_assert_int_eq(m.gid, -1);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_NOACCESS);
}
END_TEST

START_TEST(root_saved_tree_hides_nothing)
{
	struct pb_root root;
	struct pb_proc_mount m;

	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/normal"), 0);
	ck_assert_int_eq(pb_root_hides_others(&root, &m), 0);
	ck_assert_int_eq(m.hidepid, PB_HIDEPID_OFF);
	errno = 0;
	ck_assert_int_eq(pb_root_mount(&root, &m), -1);
	ck_assert_int_eq(errno, ENOENT);
	pb_root_close(&root);
}
END_TEST

START_TEST(root_live_proc_is_found)
{
	struct pb_root root;
	struct pb_proc_mount m;
	int r;

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	/* the live root's own mount is always in our mount table */
	ck_assert_int_eq(pb_root_mount(&root, &m), 0);
	r = pb_root_hides_others(&root, &m);
	ck_assert(r == 0 || r == 1);
	/* hiding needs hidepid: a mount without it never hides */
	if (m.hidepid == PB_HIDEPID_OFF)
		ck_assert_int_eq(r, 0);
	pb_root_close(&root);
}
END_TEST

static Suite *visibility_suite(void)
{
	Suite *s = suite_create("visibility");
	TCase *tc = tcase_create("mountinfo");

	tcase_add_test(tc, mountinfo_options);
	tcase_add_test(tc, mountinfo_no_match);
	tcase_add_test(tc, root_saved_tree_hides_nothing);
	tcase_add_test(tc, root_live_proc_is_found);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(visibility_suite)
