/* Unit tests of the pure parsers: stat, status, cmdline/environ, cgroup, smaps, /proc/net/unix, unix sock_diag. */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "unit.h"

#define STAT_TAIL " 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 4242 1048576 256 18446744073709551615 1 1\n"

START_TEST(stat_normal)
{
	struct pb_stat st;

	ck_assert_int_eq(pb_parse_stat(S("1234 (cron) S 1 1234 1234" STAT_TAIL), &st), 0);
	ck_assert_int_eq(st.pid, 1234);
	ck_assert_str_eq(st.comm, "cron");
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.ppid, 1);
	ck_assert_int_eq(st.pgrp, 1234);
	ck_assert_int_eq(st.session, 1234);
	ck_assert_uint_eq(st.flags, 4194560);
	ck_assert_uint_eq(st.utime, 5);
	ck_assert_uint_eq(st.stime, 3);
	ck_assert_uint_eq(st.starttime, 4242);
	ck_assert_uint_eq(st.vsize, 1048576);
	ck_assert_int_eq(st.rss, 256);
}
END_TEST

START_TEST(stat_hostile_names)
{
	struct pb_stat st;

	ck_assert_int_eq(pb_parse_stat(S("7 (a b) (c) R 3 7 7" STAT_TAIL), &st), 0);
	ck_assert_str_eq(st.comm, "a b) (c");
	ck_assert_int_eq(st.state, 'R');
	ck_assert_int_eq(st.ppid, 3);
	ck_assert_int_eq(pb_parse_stat(S("8 () 9 9 9 () S 1 8 8" STAT_TAIL), &st), 0);
	ck_assert_str_eq(st.comm, ") 9 9 9 (");
	ck_assert_int_eq(st.ppid, 1);
	ck_assert_int_eq(pb_parse_stat(S("9 (x\ny) S 1 9 9" STAT_TAIL), &st), 0);
	ck_assert_str_eq(st.comm, "x\ny");
	ck_assert_int_eq(pb_parse_stat(S("10 () S 1 9 9" STAT_TAIL), &st), 0);
	ck_assert_str_eq(st.comm, "");
	ck_assert_uint_eq(st.comm_len, 0);
}
END_TEST

START_TEST(stat_long_comm_truncated)
{
	struct pb_stat st;
	char line[512];
	char name[200];

	memset(name, 'k', sizeof name - 1);
	name[sizeof name - 1] = 0;
	snprintf(line, sizeof line, "5 (%s) I 2 0 0" STAT_TAIL, name);
	ck_assert_int_eq(pb_parse_stat(line, strlen(line), &st), 0);
	ck_assert_uint_eq(st.comm_len, PB_COMM_MAX - 1);
	ck_assert_uint_eq(strlen(st.comm), PB_COMM_MAX - 1);
	ck_assert_uint_eq(st.starttime, 4242);
}
END_TEST

START_TEST(stat_malformed)
{
	static const char *const bad[] = {
		"",
		"1",
		"1 (x",
		"1 x) S 1 1 1" STAT_TAIL,
		"(x) S 1 1 1" STAT_TAIL,
		"0 (x) S 1 1 1" STAT_TAIL,
		"-1 (x) S 1 1 1" STAT_TAIL,
		"1 (trunc) S 1 13 13",
		"14 (ten) S 1 14 14 0 -1 0 1\n",
		"1 (x) S abc 1 1" STAT_TAIL,
		"1 (x) S 99999999999999999999 1 1" STAT_TAIL,
		"1 (x) S -5 1 1" STAT_TAIL,
		"1 (x) ? 1 1 1" STAT_TAIL,
		"1 (x)S 1 1 1" STAT_TAIL,
		"1 (x) SS 1 1 1" STAT_TAIL,
		"99999999999 (x) S 1 1 1" STAT_TAIL,
		"1 (x) S 1 1 1 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 12x 1048576 256\n",
		"1 (x) S 1 1 1 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 1 99999999999999999999999 256\n",
		"1  (x) S 1 1 1" STAT_TAIL,
	};
	struct pb_stat st;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		ck_assert_msg(pb_parse_stat(bad[i], strlen(bad[i]), &st) == -1, "accepted: %s", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(stat_extra_fields_and_no_newline)
{
	struct pb_stat st;
	char line[2048];
	int n, i;

	n = snprintf(line, sizeof line, "17 (many) S 1 17 17 0 -1 0 10 0 0 0 5 3 0 0 20 0 1 0 77 4096 -3");
	for (i = 0; i < 80; i++)
		n += snprintf(line + n, sizeof line - (size_t)n, " %d", i);
	ck_assert_int_eq(pb_parse_stat(line, (size_t)n, &st), 0);
	ck_assert_uint_eq(st.starttime, 77);
	ck_assert_int_eq(st.rss, -3);
	/* not NUL-terminated where len ends: the parser must stop there ("7999" read as "79") */
	strcpy(line, "3 (x) S 2 3 3 0 -1 0 1 0 0 0 1 1 0 0 20 0 1 0 9 8 7999");
	ck_assert_int_eq(pb_parse_stat(line, strlen(line) - 2, &st), 0);
	ck_assert_int_eq(st.rss, 79);
}
END_TEST

START_TEST(status_fields)
{
	static const char buf[] = "Name:\tcron\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t0\t1\t2\t3\n"
				  "Gid:\t4\t5\t6\t7\nGroups:\t10 20 30 \nVmRSS:\t    1024 kB\n";
	struct pb_status st;
	const char *v;
	size_t n;

	ck_assert_int_eq(pb_parse_status(buf, sizeof buf - 1, &st), 0);
	ck_assert_int_eq(st.have_uid, 1);
	ck_assert_uint_eq(st.uid.real, 0);
	ck_assert_uint_eq(st.uid.effective, 1);
	ck_assert_uint_eq(st.uid.saved, 2);
	ck_assert_uint_eq(st.uid.fs, 3);
	ck_assert_uint_eq(st.gid.real, 4);
	ck_assert_uint_eq(st.gid.fs, 7);
	ck_assert_int_eq(st.ngroups, 3);
	ck_assert_uint_eq(st.groups[2], 30);
	v = pb_status_field(buf, sizeof buf - 1, "VmRSS", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq((int)n, 7);
	ck_assert_int_eq(memcmp(v, "1024 kB", 7), 0);
	v = pb_status_field(buf, sizeof buf - 1, "State", &n);
	ck_assert_int_eq(memcmp(v, "S (sleeping)", n), 0);
	ck_assert_ptr_null(pb_status_field(buf, sizeof buf - 1, "Vm", &n));
	ck_assert_ptr_null(pb_status_field(buf, sizeof buf - 1, "Missing", &n));
}
END_TEST

START_TEST(status_malformed)
{
	struct pb_status st;

	/* the first of duplicated keys wins */
	ck_assert_int_eq(pb_parse_status(S("Uid:\t5\t5\t5\t5\nUid:\t6\t6\t6\t6\n"), &st), 0);
	ck_assert_uint_eq(st.uid.real, 5);
	ck_assert_int_eq(st.have_gid, 0);
	/* three numbers, garbage, an overflow: not a uid line */
	ck_assert_int_eq(pb_parse_status(S("Uid:\t1\t2\t3\n"), &st), -1);
	ck_assert_int_eq(pb_parse_status(S("Uid:\tx\t2\t3\t4\n"), &st), -1);
	ck_assert_int_eq(pb_parse_status(S("Uid:\t99999999999\t2\t3\t4\n"), &st), -1);
	ck_assert_int_eq(pb_parse_status(S("Name:\tx\n"), &st), -1);
	ck_assert_int_eq(pb_parse_status(S(""), &st), -1);
	/* a bad Groups line drops the groups, not the ids */
	ck_assert_int_eq(pb_parse_status(S("Uid:\t1 1 1 1\nGid:\t2 2 2 2\nGroups:\t1 2 x\n"), &st), 0);
	ck_assert_int_eq(st.ngroups, 0);
	ck_assert_uint_eq(st.gid.real, 2);
	/* no final newline, key at the very end */
	ck_assert_int_eq(pb_parse_status(S("Gid:\t9\t9\t9\t9"), &st), 0);
	ck_assert_uint_eq(st.gid.saved, 9);
}
END_TEST

static size_t collect(const char *buf, size_t len, char out[][32], size_t max)
{
	struct pb_vec_iter it;
	const char *item;
	size_t n = 0, k;

	pb_vec_iter_init(&it, buf, len);
	while (pb_vec_next(&it, &item, &k) && n < max) {
		ck_assert_uint_lt(k, 32);
		memcpy(out[n], item, k);
		out[n++][k] = 0;
	}
	return n;
}

START_TEST(vec_cmdline)
{
	char items[8][32];

	ck_assert_uint_eq(collect(S("a\0bc\0"), items, 8), 2);
	ck_assert_str_eq(items[1], "bc");
	/* no final NUL: the last element still counts */
	ck_assert_uint_eq(collect(S("a\0bc"), items, 8), 2);
	ck_assert_str_eq(items[1], "bc");
	ck_assert_uint_eq(collect(S(""), items, 8), 0);
	/* an empty argument in the middle stays */
	ck_assert_uint_eq(collect(S("a\0\0b\0"), items, 8), 3);
	ck_assert_str_eq(items[1], "");
	ck_assert_uint_eq(pb_cmdline_argc(S("nginx: worker\0\0\0\0\0")), 1);
	ck_assert_uint_eq(pb_cmdline_argc(S("sleep\0" "60\0")), 2);
	ck_assert_uint_eq(pb_cmdline_argc(S("sleep\0" "60")), 2);
	ck_assert_uint_eq(pb_cmdline_argc(S("")), 0);
	ck_assert_uint_eq(pb_cmdline_argc(S("\0")), 0);
	ck_assert_uint_eq(pb_cmdline_trim(S("x\0\0")), 1);
}
END_TEST

START_TEST(vec_environ)
{
	static const char env[] = "HOME=/root\0NOEQ\0DISPLAY=:0\0EMPTY=\0DISPLAY=:9\0=x\0LAST=1";
	const char *v;
	size_t n;

	v = pb_environ_get(env, sizeof env - 1, "DISPLAY", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(memcmp(v, ":0", 2), 0);
	v = pb_environ_get(env, sizeof env - 1, "EMPTY", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(pb_environ_get(env, sizeof env - 1, "NOEQ", &n));
	ck_assert_ptr_null(pb_environ_get(env, sizeof env - 1, "HOM", &n));
	ck_assert_ptr_null(pb_environ_get(env, sizeof env - 1, "", &n));
	v = pb_environ_get(env, sizeof env - 1, "LAST", &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0], '1');
	ck_assert_ptr_null(pb_environ_get(S(""), "HOME", &n));
}
END_TEST

START_TEST(cgroup_paths)
{
	const char *p;
	char unit[64];
	int n;

	n = pb_parse_cgroup(S("0::/system.slice/cron.service\n"), &p);
	ck_assert_int_eq(n, (int)strlen("/system.slice/cron.service"));
	ck_assert_int_eq(pb_cgroup_unit(p, (size_t)n, unit, sizeof unit), 12);
	ck_assert_str_eq(unit, "cron.service");
	/* v1 (hybrid) systems: the name=systemd hierarchy */
	n = pb_parse_cgroup(S("12:cpu,cpuacct:/x\n1:name=systemd:/system.slice/apache2.service\n"), &p);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(memcmp(p, "/system.slice/apache2.service", (size_t)n), 0);
	/* the unified line wins when both exist; paths may hold ':' */
	n = pb_parse_cgroup(S("1:name=systemd:/a.service\n0::/user.slice/user-1000.slice/session-3.scope/x:y\n"), &p);
	ck_assert_int_eq(memcmp(p, "/user.slice/user-1000.slice/session-3.scope/x:y", (size_t)n), 0);
	ck_assert_int_eq(pb_cgroup_unit(p, (size_t)n, unit, sizeof unit), 15);
	ck_assert_str_eq(unit, "session-3.scope");
	ck_assert_int_eq(pb_parse_cgroup(S("garbage\n\n::\n0:x\n"), &p), -1);
	ck_assert_int_eq(pb_parse_cgroup(S(""), &p), -1);
	ck_assert_int_eq(pb_cgroup_unit(S("/"), unit, sizeof unit), 0);
	ck_assert_str_eq(unit, "");
	ck_assert_int_eq(pb_cgroup_unit(S("/.service"), unit, sizeof unit), 0);
	ck_assert_int_eq(pb_cgroup_unit(S("/system.slice/averyveryverylongname.service"), unit, 8), 0);
}
END_TEST

/* found by tests/fuzz/fuzz_cgroup: a buffer ending right after the second ':' was read one byte past its end */
START_TEST(cgroup_ends_after_colons)
{
	static const char *const ends[] = {"0::", "1:name=systemd:", "0::/a\n0::"};
	const char *p;
	char *exact;
	size_t i, n;

	for (i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		/* an allocation of exactly the bytes, no NUL after them: ASan sees any read past the end */
		n = strlen(ends[i]);
		exact = malloc(n);
		ck_assert_ptr_nonnull(exact);
		memcpy(exact, ends[i], n);
		p = NULL;
		if (i < 2) {
			ck_assert_int_eq(pb_parse_cgroup(exact, n, &p), -1);
		} else {
			ck_assert_int_eq(pb_parse_cgroup(exact, n, &p), 2);
			ck_assert_ptr_eq(p, exact + 3);
		}
		free(exact);
	}
}
END_TEST

START_TEST(smaps_rollup)
{
	static const char roll[] = "55d1c0000000-7ffd5e1f4000 ---p 00000000 00:00 0    [rollup]\n"
				   "Rss:                3000 kB\nPss:                1000 kB\nPss_Anon:  10 kB\n"
				   "Shared_Clean:       1500 kB\nShared_Dirty:  500 kB\nPrivate_Clean:  200 kB\n"
				   "Private_Dirty:  800 kB\nSwap:  64 kB\nSwapPss:  32 kB\n";
	struct pb_smaps sm;

	ck_assert_int_eq(pb_parse_smaps(roll, sizeof roll - 1, &sm), 0);
	ck_assert_uint_eq(sm.rss, 3000 * 1024ULL);
	ck_assert_uint_eq(sm.pss, 1000 * 1024ULL);
	ck_assert_uint_eq(sm.private_clean + sm.private_dirty, 1000 * 1024ULL);
	ck_assert_uint_eq(sm.swap, 64 * 1024ULL);
	ck_assert_uint_eq(sm.swap_pss, 32 * 1024ULL);
	ck_assert_int_eq(sm.have_pss, 1);
}
END_TEST

START_TEST(smaps_whole_and_malformed)
{
	static const char whole[] = "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon\n"
				    "Size: 328 kB\nRss: 100 kB\nPss: 50 kB\nPrivate_Dirty: 4 kB\nVmFlags: rd ex\n"
				    "00651000-00652000 rw-p 00051000 08:02 173521 /usr/bin/dbus-daemon\n"
				    "Rss: 8 kB\nPss: 8 kB\nPrivate_Dirty: 8 kB\n";
	struct pb_smaps sm;

	ck_assert_int_eq(pb_parse_smaps(whole, sizeof whole - 1, &sm), 0);
	ck_assert_uint_eq(sm.rss, 108 * 1024ULL);
	ck_assert_uint_eq(sm.pss, 58 * 1024ULL);
	ck_assert_uint_eq(sm.private_dirty, 12 * 1024ULL);
	/* garbage, an empty file (kernel thread), values without kB, overflow */
	ck_assert_int_eq(pb_parse_smaps(S("garbage\nmore: garbage\n"), &sm), -1);
	ck_assert_int_eq(pb_parse_smaps(S(""), &sm), -1);
	ck_assert_int_eq(pb_parse_smaps(S("Rss: 12\nPss: x kB\n"), &sm), -1);
	ck_assert_int_eq(pb_parse_smaps(S("Rss: 99999999999999999999 kB\n"), &sm), -1);
	ck_assert_int_eq(pb_parse_smaps(S("Rss: 18014398509481983 kB\nRss: 18014398509481983 kB\n"), &sm), -1);
	/* missing fields read as zero; no Pss line is visible */
	ck_assert_int_eq(pb_parse_smaps(S("Rss: 12 kB\n"), &sm), 0);
	ck_assert_int_eq(sm.have_pss, 0);
	ck_assert_uint_eq(sm.rss, 12 * 1024ULL);
}
END_TEST

struct socks {
	int n;
	unsigned long long inode[8];
	char path[8][128];
	long long uid[8];
	unsigned long long vfs_dev[8], vfs_ino[8];
	unsigned int flags[8], type[8], state[8];
};

static int add_sock(const struct pb_unix_sock *s, void *arg)
{
	struct socks *k = arg;

	ck_assert_int_lt(k->n, 8);
	ck_assert_uint_lt(s->path_len, 128);
	k->inode[k->n] = s->inode;
	memcpy(k->path[k->n], s->path, s->path_len);
	k->path[k->n][s->path_len] = 0;
	k->uid[k->n] = s->uid;
	k->vfs_dev[k->n] = s->vfs_dev;
	k->vfs_ino[k->n] = s->vfs_ino;
	k->flags[k->n] = s->flags;
	k->type[k->n] = s->type;
	k->state[k->n] = s->state;
	k->n++;
	return 0;
}

#define LINE(inode, path) "0000000000000000: 00000002 00000000 00010000 0001 01 " inode path "\n"

START_TEST(net_unix)
{
	static const char buf[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 31337 /run/user/1000/gnupg/S.gpg-agent\n"
		"0000000000000000: 00000002 00000000 00000000 0002 01    12\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01    99 @/tmp/.X11-unix/X0\n"
		"0000000000000000: 00000003 00000000 00000000 0001 03   100 /tmp/dir with spaces/S.sock\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01     1  /leading/blank\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01     2 /trailing/blank \n"
		"0000000000000000: 00000002 00000000 00010000 0001 01     8 @\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01     9 /x/y\r\n";
	struct socks k = {0};
	size_t bad;

	ck_assert_int_eq(pb_parse_net_unix(buf, sizeof buf - 1, add_sock, &k, &bad), 0);
	ck_assert_int_eq(k.n, 8);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(k.inode[0], 31337);
	ck_assert_str_eq(k.path[0], "/run/user/1000/gnupg/S.gpg-agent");
	ck_assert_uint_eq(k.flags[0], PB_UNIX_LISTENING);
	ck_assert_int_eq(k.uid[0], -1); /* net/unix does not say */
	ck_assert_uint_eq(k.vfs_ino[0], 0);
	ck_assert_uint_eq(k.inode[1], 12);
	ck_assert_str_eq(k.path[1], "");
	ck_assert_uint_eq(k.type[1], 2);
	ck_assert_str_eq(k.path[2], "@/tmp/.X11-unix/X0");
	ck_assert_str_eq(k.path[3], "/tmp/dir with spaces/S.sock");
	ck_assert_uint_eq(k.state[3], 3);
	ck_assert_str_eq(k.path[4], " /leading/blank");
	ck_assert_str_eq(k.path[5], "/trailing/blank ");
	ck_assert_str_eq(k.path[6], "@");
	ck_assert_str_eq(k.path[7], "/x/y\r");
	k.n = 0;
	ck_assert_int_eq(pb_parse_net_unix(S(""), add_sock, &k, &bad), 0);
	ck_assert_int_eq(k.n, 0);
	ck_assert_uint_eq(bad, 0);
	/* a header alone, a header without its newline */
	ck_assert_int_eq(pb_parse_net_unix(S("Num       RefCount Protocol Flags    Type St Inode Path\n"), add_sock, &k, &bad),
			 0);
	ck_assert_int_eq(k.n, 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(pb_parse_net_unix(S("Num "), add_sock, &k, &bad), 0);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* each malformed line is not used, and neither is the line before it: its path may go on into this one */
START_TEST(net_unix_malformed)
{
	static const char *const bad_lines[] = {
		"garbage line\n",
		"\n", /* an empty line: a path that ended in a newline */
		"Num       RefCount Protocol Flags    Type St Inode Path\n", /* the header, but not first */
		"0000000000000000: 00000002 00000000 00010000 0001 01\n",
		"0000000000000000: 0000000g 00000000 00010000 0001 01 5 /x\n",
		"0000000000000000: 00000002 00000000 100000000 0001 01 4 /flags/overflow\n",
		"0000000000000000: 00000002 00000000 00010000 10000 01 5 /type/overflow\n",
		"0000000000000000: 00000002 00000000 00010000 0001 100 6 /state/overflow\n",
		"0000000000000000: 00000002 00000000 00010000 0001 01 99999999999999999999 /inode/overflow\n",
		"0000000000000000: 00000002 00000000 00010000 0001 01 -7 /negative\n",
		"0000000000000000: 00000002 00000000 00010000 0001 01 3\t/tab\n",
		"0000000000000000 00000002 00000000 00010000 0001 01 41004 /missing/colon\n",
		"0000000000000000: 00000002 00000000 00010000 0001 01 4x1003 /bogus/inode\n",
	};
	char buf[512];
	struct socks k;
	size_t i, bad;
	int n;

	for (i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		n = snprintf(buf, sizeof buf, "%s%s%s%s", LINE("101", " /first"), LINE("102", " /before"), bad_lines[i],
			     LINE("103", " /after"));
		ck_assert_int_lt(n, (int)sizeof buf);
		memset(&k, 0, sizeof k);
		ck_assert_int_eq(pb_parse_net_unix(buf, (size_t)n, add_sock, &k, &bad), 0);
		ck_assert_msg(k.n == 2, "case %zu: %d sockets", i, k.n);
		ck_assert_uint_eq(k.inode[0], 101);
		ck_assert_uint_eq(k.inode[1], 103);
		ck_assert_uint_eq(bad, 2);
	}
	/* a last line without its newline may have been cut: not used */
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(pb_parse_net_unix(S(LINE("1", " /a") "0000000000000000: 00000002 00000000 00010000 0001 01 2 /cut"),
					   add_sock, &k, &bad),
			 0);
	ck_assert_int_eq(k.n, 1);
	ck_assert_uint_eq(k.inode[0], 1);
	ck_assert_uint_eq(bad, 1);
}
END_TEST

/*
 * The attack: a socket path that holds a newline and a well-formed line claiming another socket's inode with a
 * path of the attacker's. Before or after the real line, the inode is used from neither line.
 */
START_TEST(net_unix_forged)
{
	static const char forged_first[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		LINE("900", " /tmp/evil/0")
		LINE("31338", " /tmp/evil/S.gpg-agent.ssh")
		LINE("31337", " /root/.gnupg/S.gpg-agent")
		LINE("31338", " /root/.gnupg/S.gpg-agent.ssh");
	static const char forged_after[] =
		LINE("31337", " /root/.gnupg/S.gpg-agent")
		LINE("31338", " /root/.gnupg/S.gpg-agent.ssh")
		LINE("901", " /tmp/evil/1")
		LINE("31338", " /tmp/evil/S.gpg-agent.ssh");
	/* a forged line that does not parse in full: the attacker's own line goes with it */
	static const char broken[] =
		LINE("31337", " /root/.gnupg/S.gpg-agent")
		LINE("902", " /tmp/evil/2")
		"0000000000000000: 00000002 00000000 00010000 0001 01 31337\t/tmp/evil/S.gpg-agent\n";
	struct socks k = {0};
	size_t bad;
	int i;

	ck_assert_int_eq(pb_parse_net_unix(S(forged_first), add_sock, &k, &bad), 0);
	ck_assert_int_eq(k.n, 2);
	ck_assert_uint_eq(bad, 2);
	ck_assert_uint_eq(k.inode[0], 900);
	ck_assert_uint_eq(k.inode[1], 31337);
	for (i = 0; i < k.n; i++)
		ck_assert_uint_ne(k.inode[i], 31338);
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(pb_parse_net_unix(S(forged_after), add_sock, &k, &bad), 0);
	ck_assert_int_eq(k.n, 2);
	ck_assert_uint_eq(k.inode[0], 31337);
	ck_assert_uint_eq(k.inode[1], 901);
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(pb_parse_net_unix(S(broken), add_sock, &k, &bad), 0);
	ck_assert_int_eq(k.n, 1);
	ck_assert_uint_eq(k.inode[0], 31337);
	ck_assert_str_eq(k.path[0], "/root/.gnupg/S.gpg-agent");
	ck_assert_uint_eq(bad, 2);
	/* three lines of one inode: none */
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(pb_parse_net_unix(S(LINE("5", " /a") LINE("5", " /b") LINE("6", " /c") LINE("5", " /d")), add_sock,
					   &k, &bad),
			 0);
	ck_assert_int_eq(k.n, 1);
	ck_assert_uint_eq(k.inode[0], 6);
	ck_assert_uint_eq(bad, 3);
}
END_TEST

static int stop_at_second(const struct pb_unix_sock *s, void *arg)
{
	int *seen = arg;

	(void)s;
	return ++*seen == 2 ? 42 : 0;
}

START_TEST(net_unix_stop)
{
	int seen = 0;
	size_t bad;

	/* the callback's non-zero value ends the walk and is returned */
	ck_assert_int_eq(pb_parse_net_unix(S("0: 1 0 0 1 1 1 /a\n0: 1 0 0 1 1 2 /b\n0: 1 0 0 1 1 3 /c\n"), stop_at_second,
					   &seen, &bad),
			 42);
	ck_assert_int_eq(seen, 2);
}
END_TEST

/* ---- NETLINK_SOCK_DIAG answers, built the way the kernel lays them out ---- */
struct nlbuf {
	char data[4096];
	size_t len, start;
};

static void put(struct nlbuf *b, const void *p, size_t n)
{
	ck_assert_uint_le(b->len + n, sizeof b->data);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void pad4(struct nlbuf *b)
{
	static const char zero[4];

	put(b, zero, (4 - b->len % 4) % 4);
}

static void msg_begin(struct nlbuf *b, uint16_t type)
{
	uint32_t len = 0, seq = 1, pid = 0;
	uint16_t flags = 2; /* NLM_F_MULTI */

	b->start = b->len;
	put(b, &len, 4);
	put(b, &type, 2);
	put(b, &flags, 2);
	put(b, &seq, 4);
	put(b, &pid, 4);
}

static void msg_end(struct nlbuf *b)
{
	uint32_t len = (uint32_t)(b->len - b->start);

	memcpy(b->data + b->start, &len, 4);
	pad4(b);
}

/* struct unix_diag_msg: family, type, state, pad, inode, cookie */
static void diag_msg(struct nlbuf *b, uint8_t family, uint8_t type, uint8_t state, uint32_t inode)
{
	uint8_t head[4] = {family, type, state, 0};
	uint32_t cookie[2] = {1, 2};

	msg_begin(b, 20);
	put(b, head, 4);
	put(b, &inode, 4);
	put(b, cookie, 8);
}

static void attr(struct nlbuf *b, uint16_t type, const void *p, size_t n)
{
	uint16_t len = (uint16_t)(4 + n);

	put(b, &len, 2);
	put(b, &type, 2);
	put(b, p, n);
	pad4(b);
}

static void done_msg(struct nlbuf *b)
{
	int32_t zero = 0;

	msg_begin(b, 3);
	put(b, &zero, 4);
	msg_end(b);
}

static void error_msg(struct nlbuf *b, int32_t err)
{
	char request[16] = {0};

	msg_begin(b, 2);
	put(b, &err, 4);
	put(b, request, sizeof request);
	msg_end(b);
}

static const char evil_name[] = "/tmp/evil/0\n0000000000000000: 00000002 00000000 00010000 0001 01 31338 /tmp/x";

static void diag_dump(struct nlbuf *b)
{
	static const char path[] = "/run/user/1000/gnupg/S.gpg-agent";
	static const char abstract[] = "\0/tmp/.X11-unix/X0\0a";
	uint32_t vfs[2] = {1234, 8u << 20 | 1}, uid = 1000, rqlen[2] = {0, 0};

	memset(b, 0, sizeof *b);
	diag_msg(b, AF_UNIX, 1, 10, 31337); /* TCP_LISTEN */
	attr(b, 0, path, sizeof path);     /* with its NUL, as the kernel sends it */
	attr(b, 1, vfs, sizeof vfs);
	attr(b, 4, rqlen, sizeof rqlen); /* UNIX_DIAG_RQLEN: not asked for, skipped */
	attr(b, 7, &uid, sizeof uid);
	msg_end(b);
	diag_msg(b, AF_UNIX, 5, 10, 99);
	attr(b, 0x8000, abstract, sizeof abstract - 1); /* NLA_F_NESTED set: still the name */
	msg_end(b);
	diag_msg(b, AF_UNIX, 2, 1, 12); /* TCP_ESTABLISHED, unnamed */
	msg_end(b);
	diag_msg(b, AF_INET, 1, 10, 77); /* another family: not ours to list */
	msg_end(b);
	diag_msg(b, AF_UNIX, 1, 7, 900);
	attr(b, 0, evil_name, sizeof evil_name);
	msg_end(b);
	done_msg(b);
}

START_TEST(unix_diag)
{
	static struct nlbuf b;
	char shifted[4097];
	struct socks k = {0};
	int done, seen = 0;

	diag_dump(&b);
	ck_assert_int_eq(pb_parse_unix_diag(b.data, b.len, add_sock, &k, &done), 0);
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(k.n, 4);
	ck_assert_uint_eq(k.inode[0], 31337);
	ck_assert_str_eq(k.path[0], "/run/user/1000/gnupg/S.gpg-agent");
	ck_assert_uint_eq(k.flags[0], PB_UNIX_LISTENING);
	ck_assert_uint_eq(k.type[0], 1);
	ck_assert_int_eq(k.uid[0], 1000);
	ck_assert_uint_eq(k.vfs_ino[0], 1234);
	ck_assert_uint_eq(k.vfs_dev[0], makedev(8, 1)); /* as stat(2) numbers it */
	ck_assert_uint_eq(k.inode[1], 99);
	ck_assert_str_eq(k.path[1], "@/tmp/.X11-unix/X0@a"); /* NULs as net/unix shows them */
	ck_assert_uint_eq(k.type[1], 5);
	ck_assert_int_eq(k.uid[1], -1);
	ck_assert_uint_eq(k.inode[2], 12);
	ck_assert_str_eq(k.path[2], "");
	ck_assert_uint_eq(k.flags[2], 0);
	ck_assert_uint_eq(k.state[2], 3);
	/* a name with a newline is one name: nothing to split */
	ck_assert_uint_eq(k.inode[3], 900);
	ck_assert_str_eq(k.path[3], evil_name);
	ck_assert_uint_eq(k.state[3], 1);
	/* at any alignment */
	memcpy(shifted + 1, b.data, b.len);
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(pb_parse_unix_diag(shifted + 1, b.len, add_sock, &k, &done), 0);
	ck_assert_int_eq(k.n, 4);
	ck_assert_str_eq(k.path[3], evil_name);
	/* the callback's answer stops the walk, before NLMSG_DONE */
	ck_assert_int_eq(pb_parse_unix_diag(b.data, b.len, stop_at_second, &seen, &done), 42);
	ck_assert_int_eq(seen, 2);
	ck_assert_int_eq(done, 0);
	/* one datagram of a dump that goes on: no NLMSG_DONE yet */
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	msg_end(&b);
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(pb_parse_unix_diag(b.data, b.len, add_sock, &k, &done), 0);
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(k.n, 1);
	/* the kernel's error, and an acknowledgement */
	memset(&b, 0, sizeof b);
	error_msg(&b, -ENOENT);
	errno = 0;
	ck_assert_int_eq(pb_parse_unix_diag(b.data, b.len, add_sock, &k, &done), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(done, 1);
	memset(&b, 0, sizeof b);
	error_msg(&b, 0);
	ck_assert_int_eq(pb_parse_unix_diag(b.data, b.len, add_sock, &k, &done), 0);
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(pb_parse_unix_diag(b.data, 0, add_sock, &k, &done), 0);
	ck_assert_int_eq(done, 0);
}
END_TEST

static void expect_malformed(const struct nlbuf *b, size_t len)
{
	struct socks k = {0};
	int done;

	errno = 0;
	ck_assert_int_eq(pb_parse_unix_diag(b->data, len, add_sock, &k, &done), -1);
	ck_assert_int_eq(errno, EPROTO);
}

START_TEST(unix_diag_malformed)
{
	static struct nlbuf b;
	char long_name[112];
	uint32_t len;
	uint16_t short_attr = 2;

	/* a header cut short, a length below the header's or beyond the buffer */
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	msg_end(&b);
	expect_malformed(&b, 10);
	expect_malformed(&b, b.len - 1);
	len = 8;
	memcpy(b.data, &len, 4);
	expect_malformed(&b, b.len);
	/* a unix_diag_msg cut short */
	memset(&b, 0, sizeof b);
	msg_begin(&b, 20);
	put(&b, "\1\1\12\0", 4);
	msg_end(&b);
	expect_malformed(&b, b.len);
	/* an attribute shorter than its header, or longer than the message */
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	put(&b, &short_attr, 2);
	put(&b, "\0\0", 2);
	msg_end(&b);
	expect_malformed(&b, b.len);
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	attr(&b, 0, "/a", 3);
	msg_end(&b);
	b.data[b.len - 8] = 60; /* the attribute's length, past the end */
	expect_malformed(&b, b.len);
	/* UNIX_DIAG_VFS and UNIX_DIAG_UID too short; a name longer than sun_path */
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	attr(&b, 1, "\1\2\3\4", 4);
	msg_end(&b);
	expect_malformed(&b, b.len);
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	attr(&b, 7, "\1\2", 2);
	msg_end(&b);
	expect_malformed(&b, b.len);
	memset(long_name, 'a', sizeof long_name);
	long_name[0] = '/';
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	attr(&b, 0, long_name, sizeof long_name);
	msg_end(&b);
	expect_malformed(&b, b.len);
	/* an error that is no errno */
	memset(&b, 0, sizeof b);
	error_msg(&b, 5);
	expect_malformed(&b, b.len);
	memset(&b, 0, sizeof b);
	error_msg(&b, -100000);
	expect_malformed(&b, b.len);
	/* trailing bytes too few for a message */
	memset(&b, 0, sizeof b);
	diag_msg(&b, AF_UNIX, 1, 10, 5);
	msg_end(&b);
	put(&b, "\1\0\0\0", 4);
	expect_malformed(&b, b.len);
}
END_TEST

START_TEST(socket_inodes)
{
	ck_assert_uint_eq(pb_socket_inode(S("socket:[31337]")), 31337);
	ck_assert_uint_eq(pb_socket_inode(S("socket:[]")), 0);
	ck_assert_uint_eq(pb_socket_inode(S("socket:[12")), 0);
	ck_assert_uint_eq(pb_socket_inode(S("socket:[1x]")), 0);
	ck_assert_uint_eq(pb_socket_inode(S("pipe:[31337]")), 0);
	ck_assert_uint_eq(pb_socket_inode(S("/dev/null")), 0);
	ck_assert_uint_eq(pb_socket_inode(S("socket:[99999999999999999999999]")), 0);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, stat_normal);
	tcase_add_test(tc, stat_hostile_names);
	tcase_add_test(tc, stat_long_comm_truncated);
	tcase_add_test(tc, stat_malformed);
	tcase_add_test(tc, stat_extra_fields_and_no_newline);
	tcase_add_test(tc, status_fields);
	tcase_add_test(tc, status_malformed);
	tcase_add_test(tc, vec_cmdline);
	tcase_add_test(tc, vec_environ);
	tcase_add_test(tc, cgroup_paths);
	tcase_add_test(tc, cgroup_ends_after_colons);
	tcase_add_test(tc, smaps_rollup);
	tcase_add_test(tc, smaps_whole_and_malformed);
	tcase_add_test(tc, net_unix);
	tcase_add_test(tc, net_unix_malformed);
	tcase_add_test(tc, net_unix_forged);
	tcase_add_test(tc, net_unix_stop);
	tcase_add_test(tc, unix_diag);
	tcase_add_test(tc, unix_diag_malformed);
	tcase_add_test(tc, socket_inodes);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(parse_suite)
