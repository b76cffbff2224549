/* Unit tests of core/sockets.c: socket fds of a pinned process named by sock_diag or net/unix, fixtures and live. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

static struct pb_root root;
static struct pb_pin pin;

static void pin_fixture(int pid)
{
	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/sockets"), 0);
	ck_assert_int_eq(pb_pin_open(&root, pid, 0, &pin), 0);
}

static void unpin(void)
{
	pb_pin_close(&pin);
	pb_root_close(&root);
}

static const struct pb_unix_socket *find_inode(const struct pb_unix_sockets *s, unsigned long long inode)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].inode == inode)
			return &s->v[i];
	return NULL;
}

START_TEST(inodes_sorted_once)
{
	unsigned long long *v;
	size_t n;

	pin_fixture(700);
	/* fd 3 and fd 8 share 41001; pipes, /dev/null and eventpoll are no sockets */
	ck_assert_int_eq(pb_pin_socket_inodes(&pin, &v, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(v[0], 41001);
	ck_assert_uint_eq(v[1], 41002);
	ck_assert_uint_eq(v[2], 41003);
	ck_assert_uint_eq(v[3], 41004);
	ck_assert_uint_eq(v[4], 41010);
	free(v);
	unpin();
}
END_TEST

START_TEST(agent_sockets)
{
	struct pb_unix_sockets s;
	const struct pb_unix_socket *e;
	size_t i, listening = 0;

	pin_fixture(700);
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	/* 41002 appears a second time on a malformed line: it must be taken once, from the good line */
	ck_assert_uint_eq(s.n, 5);
	for (i = 0; i < s.n; i++)
		listening += (s.v[i].flags & PB_UNIX_LISTENING) != 0;
	ck_assert_uint_eq(listening, 4);
	ck_assert_uint_eq(s.v[0].inode, 41001); /* file order */
	ck_assert_str_eq(s.v[0].path, "/home/alice/.gnupg/S.gpg-agent");
	ck_assert_uint_eq(s.v[0].path_len, strlen(s.v[0].path));
	ck_assert_ptr_nonnull(e = find_inode(&s, 41002));
	ck_assert_str_eq(e->path, "/home/alice/.gnupg/S.gpg-agent.extra");
	ck_assert_ptr_nonnull(e = find_inode(&s, 41004));
	ck_assert_str_eq(e->path, "/home/alice/.gnupg/S.gpg-agent.ssh");
	ck_assert_uint_eq(e->type, 1);
	ck_assert_uint_eq(e->state, 1);
	/* an accepted connection shows the listening path but is no listener */
	ck_assert_ptr_nonnull(e = find_inode(&s, 41010));
	ck_assert_uint_eq(e->flags & PB_UNIX_LISTENING, 0);
	ck_assert_uint_eq(e->state, 3);
	/* bob's agent socket is in the same file but not among alice's fds */
	for (i = 0; i < s.n; i++)
		ck_assert_ptr_null(strstr(s.v[i].path, "bob"));
	pb_unix_sockets_free(&s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(s.v);
	unpin();
}
END_TEST

START_TEST(spaces_abstract_unnamed)
{
	struct pb_unix_sockets s;
	const struct pb_unix_socket *e;

	pin_fixture(701);
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	/* 77777 (a TCP socket) has no net/unix line */
	ck_assert_uint_eq(s.n, 4);
	ck_assert_ptr_nonnull(e = find_inode(&s, 42001));
	ck_assert_str_eq(e->path, "/tmp/dir with spaces/ S.sock ");
	ck_assert_ptr_nonnull(e = find_inode(&s, 42002));
	ck_assert_str_eq(e->path, "@/tmp/.X11-unix/X0");
	ck_assert_ptr_nonnull(e = find_inode(&s, 42003));
	ck_assert_str_eq(e->path, "");
	ck_assert_uint_eq(e->path_len, 0);
	ck_assert_ptr_nonnull(e = find_inode(&s, 42004));
	ck_assert_str_eq(e->path, "@@pb@abstract");
	ck_assert_ptr_null(find_inode(&s, 77777));
	pb_unix_sockets_free(&s);
	unpin();
}
END_TEST

START_TEST(no_sockets)
{
	struct pb_unix_sockets s;
	unsigned long long *v;
	size_t n;

	/* links to /dev/null, a plain file, "socket:[]" and "socket:[12x]": nothing counts */
	pin_fixture(702);
	ck_assert_int_eq(pb_pin_socket_inodes(&pin, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	pb_unix_sockets_free(&s);
	unpin();
}
END_TEST

START_TEST(vanished_process)
{
	struct pb_unix_sockets s;
	unsigned long long *v;
	size_t n;

	/* a stat file but no fd directory: the process ended after it was pinned */
	pin_fixture(703);
	errno = 0;
	ck_assert_int_eq(pb_pin_socket_inodes(&pin, &v, &n), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_ptr_null(v);
	errno = 0;
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_uint_eq(s.n, 0);
	unpin();
}
END_TEST

START_TEST(missing_net_unix)
{
	struct pb_root other;
	struct pb_unix_sockets s;

	/* a root without net/unix: the sockets cannot be named, which is an error, not "no sockets" */
	pin_fixture(700);
	ck_assert_int_eq(pb_root_open(&other, FIXTURES "/normal"), 0);
	errno = 0;
	ck_assert_int_eq(pb_pin_unix_sockets(&other, &pin, &s), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(s.n, 0);
	pb_root_close(&other);
	unpin();
}
END_TEST

START_TEST(match_pure)
{
	static const char buf[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 5 /a\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 6 /b c\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 7 @x\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 10 /d\n"
		"junk\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 8\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 9 /cut";
	static const unsigned long long want[] = {6, 8, 9, 10};
	struct pb_unix_sockets s;
	size_t bad;

	ck_assert_int_eq(pb_unix_sockets_match(buf, sizeof buf - 1, want, 4, &s, &bad), 0);
	/* 10 goes with the junk that may continue its path, 9 has no newline: both counted with the junk */
	ck_assert_uint_eq(bad, 3);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.exact, 0);
	ck_assert_str_eq(s.v[0].path, "/b c");
	ck_assert_int_eq(s.v[0].uid, -1);
	ck_assert_uint_eq(s.v[1].inode, 8);
	ck_assert_str_eq(s.v[1].path, "");
	pb_unix_sockets_free(&s);
	/* nothing asked, nothing found; an empty file is no error */
	ck_assert_int_eq(pb_unix_sockets_match(buf, sizeof buf - 1, want, 0, &s, &bad), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(pb_unix_sockets_match(S(""), want, 3, &s, &bad), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* a saved tree: lines forged through a path with a newline claim the agent's ssh socket for /tmp/evil */
START_TEST(forged_lines)
{
	struct pb_unix_sockets s;
	size_t i;

	pin_fixture(705);
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	ck_assert_int_eq(s.exact, 0);
	/* 45002 is on two lines: neither is believed; 45003's line is followed by a good one */
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.v[0].inode, 45001);
	ck_assert_str_eq(s.v[0].path, "/home/carol/.gnupg/S.gpg-agent");
	ck_assert_uint_eq(s.v[1].inode, 45003);
	for (i = 0; i < s.n; i++)
		ck_assert_ptr_null(strstr(s.v[i].path, "evil"));
	pb_unix_sockets_free(&s);
	unpin();
}
END_TEST

START_TEST(listeners_fixture)
{
	struct pb_unix_sockets s;
	size_t i;

	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/sockets"), 0);
	ck_assert_int_eq(pb_unix_listeners(&root, &s), 0);
	ck_assert_int_eq(s.exact, 0);
	/* sorted by inode, listening ones only, none of the forged or continued ones */
	for (i = 0; i < s.n; i++) {
		ck_assert_uint_ne(s.v[i].flags & PB_UNIX_LISTENING, 0);
		if (i)
			ck_assert_uint_lt(s.v[i - 1].inode, s.v[i].inode);
		ck_assert_uint_ne(s.v[i].inode, 41010);
		ck_assert_uint_ne(s.v[i].inode, 45002);
		ck_assert_uint_ne(s.v[i].inode, 46002);
		ck_assert_uint_ne(s.v[i].inode, 43001);
	}
	/* 41001-41004, 42001, 42002, 42004, 45001, 45003, 46001 */
	ck_assert_uint_eq(s.n, 10);
	ck_assert_uint_eq(s.v[0].inode, 41001);
	ck_assert_str_eq(s.v[9].path, "/tmp/evil/0");
	pb_unix_sockets_free(&s);
	pb_root_close(&root);
}
END_TEST

/* a listening socket of ours at path (unlinked first) */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path));
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

static unsigned long long inode_of_fd(int fd)
{
	struct stat sb;

	ck_assert_int_eq(fstat(fd, &sb), 0);
	return sb.st_ino;
}

static const struct pb_unix_socket *find_path(const struct pb_unix_sockets *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].path, path))
			return &s->v[i];
	return NULL;
}

/*
 * The live kernel against a forged line: our own socket bound to a path with a newline and a line claiming the
 * inode of another socket of ours. The kernel's table names both exactly; net/unix, read whole, believes
 * neither claim on the victim's inode.
 */
/* the directories that the slashes of path after its first from bytes make (a bind needs them), and back */
static void make_parents(const char *path, size_t from, int remove)
{
	char sub[256], *slash[16];
	int n = 0;

	ck_assert_uint_lt(strlen(path), sizeof sub);
	strcpy(sub, path);
	for (slash[0] = strchr(sub + from, '/'); slash[n] && n < 15; slash[n + 1] = strchr(slash[n] + 1, '/'), n++)
		;
	if (!remove) {
		for (int i = 0; i < n; i++) {
			*slash[i] = 0;
			mkdir(sub, 0700);
			*slash[i] = '/';
		}
		return;
	}
	for (int i = n - 1; i >= 0; i--) {
		*slash[i] = 0;
		rmdir(sub);
	}
}

START_TEST(live_forged)
{
	char dir[] = "/tmp/pbsXXXXXX", victim[32], forged[32], evil[160], cut[32];
	struct pb_unix_sockets s;
	const struct pb_unix_socket *e;
	unsigned long long inode;
	int vfd, ffd, i, many[300];
	struct stat sb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(victim, sizeof victim, "%s/v", dir);
	vfd = listen_at(victim);
	inode = inode_of_fd(vfd);
	snprintf(forged, sizeof forged, "%s/f", dir);
	snprintf(cut, sizeof cut, "%s/x", dir);
	/* "DIR/x\n<a line claiming the victim's inode at DIR/f>" */
	snprintf(evil, sizeof evil, "%s\n0000000000000000: 00000002 00000000 00010000 0001 01 %5llu %s", cut, inode,
		 forged);
	ck_assert_uint_lt(strlen(evil), 108);
	make_parents(evil, strlen(dir) + 1, 0);
	ffd = listen_at(evil);
	/* a few hundred sockets more: net/unix well past one page, which one read(2) does not return */
	for (i = 0; i < 300; i++) {
		many[i] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(many[i], 0);
	}

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	ck_assert_int_eq(pb_pin_open(&root, getpid(), 0, &pin), 0);
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	ck_assert_int_eq(s.exact, 1);
	ck_assert_ptr_nonnull(e = find_path(&s, victim));
	ck_assert_uint_eq(e->inode, inode);
	ck_assert_int_eq(e->uid, (long long)getuid());
	ck_assert_int_eq(stat(victim, &sb), 0);
	ck_assert_uint_eq(e->vfs_ino, sb.st_ino & 0xffffffffULL);
	ck_assert_uint_eq(e->vfs_dev, sb.st_dev);
	ck_assert_ptr_nonnull(e = find_path(&s, evil)); /* the whole name, newline and all */
	ck_assert_uint_eq(e->inode, inode_of_fd(ffd));
	ck_assert_ptr_null(find_path(&s, forged));
	ck_assert_uint_ge(s.n, 302);
	pb_unix_sockets_free(&s);

	/* the same through net/unix, as on a root without sock_diag */
	root.is_live = 0;
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	ck_assert_int_eq(s.exact, 0);
	ck_assert_ptr_null(find_path(&s, forged));
	ck_assert_ptr_null(find_path(&s, victim)); /* claimed twice: not believed */
	ck_assert_ptr_nonnull(e = find_path(&s, cut)); /* ours, cut at the newline */
	ck_assert_uint_eq(e->inode, inode_of_fd(ffd));
	ck_assert_uint_ge(s.n, 301);
	pb_unix_sockets_free(&s);

	unpin();
	for (i = 0; i < 300; i++)
		close(many[i]);
	close(vfd);
	close(ffd);
	unlink(victim);
	unlink(evil);
	make_parents(evil, strlen(dir) + 1, 1);
	rmdir(dir);
}
END_TEST

START_TEST(live_listeners)
{
	char dir[] = "/tmp/pb-sockets.XXXXXX", path[108];
	struct pb_unix_sockets s;
	const struct pb_unix_socket *e;
	int fd;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/S.listening", dir);
	fd = listen_at(path);
	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	ck_assert_int_eq(pb_unix_listeners(&root, &s), 0);
	ck_assert_int_eq(s.exact, 1);
	ck_assert_ptr_nonnull(e = find_path(&s, path));
	ck_assert_uint_eq(e->inode, inode_of_fd(fd));
	for (i = 0; i < s.n; i++) {
		ck_assert_uint_ne(s.v[i].flags & PB_UNIX_LISTENING, 0);
		if (i)
			ck_assert_uint_lt(s.v[i - 1].inode, s.v[i].inode);
	}
	pb_unix_sockets_free(&s);
	/* the inodes asked for, one by one; one that is no socket is left out */
	{
		unsigned long long want[3] = {1, inode_of_fd(fd), 0x100000000ULL};

		if (want[1] < want[0])
			want[0] = want[1] - 1;
		ck_assert_int_eq(pb_unix_sockets_by_inode(&root, want, 3, &s), 0);
		ck_assert_uint_eq(s.n, 1);
		ck_assert_str_eq(s.v[0].path, path);
		pb_unix_sockets_free(&s);
	}
	pb_root_close(&root);
	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* the live kernel: a listening socket of our own, bound to a path with a space, found through /proc */
START_TEST(live_self)
{
	char dir[] = "/tmp/pb-sockets.XXXXXX", path[108];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pb_unix_sockets s;
	int fd, pair[2], found = 0, unnamed = 0;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/S.pb test", dir);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);

	ck_assert_int_eq(pb_root_open(&root, "/proc"), 0);
	ck_assert_int_eq(pb_pin_open(&root, getpid(), 0, &pin), 0);
	ck_assert_int_eq(pb_pin_unix_sockets(&root, &pin, &s), 0);
	for (i = 0; i < s.n; i++) {
		if (!strcmp(s.v[i].path, path)) {
			found++;
			ck_assert_uint_ne(s.v[i].flags & PB_UNIX_LISTENING, 0);
		}
		unnamed += !s.v[i].path_len;
	}
	ck_assert_int_eq(found, 1);
	ck_assert_int_ge(unnamed, 2); /* both ends of the pair */
	pb_unix_sockets_free(&s);
	unpin();
	close(fd);
	close(pair[0]);
	close(pair[1]);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *sockets_suite(void)
{
	Suite *s = suite_create("sockets");
	TCase *tc = tcase_create("sockets");

	tcase_add_test(tc, inodes_sorted_once);
	tcase_add_test(tc, agent_sockets);
	tcase_add_test(tc, spaces_abstract_unnamed);
	tcase_add_test(tc, no_sockets);
	tcase_add_test(tc, vanished_process);
	tcase_add_test(tc, missing_net_unix);
	tcase_add_test(tc, match_pure);
	tcase_add_test(tc, forged_lines);
	tcase_add_test(tc, listeners_fixture);
	tcase_add_test(tc, live_self);
	tcase_add_test(tc, live_forged);
	tcase_add_test(tc, live_listeners);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(sockets_suite)
