/* Unit tests of the graphical session finder: bus addresses, X displays, logind's records, Xauthority files,
 * the vote, ties, what vouches for a display (other users' sockets and servers), pinning, sizes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static struct pb_root root;
static struct pb_table t;
static struct pb_session_search s;

static void vote(const char *tree, long uid, const char *files_root)
{
	ck_assert_int_eq(pb_root_open(&root, tree), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	memset(&s, 0, sizeof s);
	s.uid = uid;
	s.files_root = files_root;
	ck_assert_int_eq(pb_session_find(&t, &s), 0);
}

static void done(void)
{
	pb_session_free(&s);
	pb_table_free(&t);
	pb_root_close(&root);
}

/* the candidate whose oldest process is pid, or a failure */
static const struct pb_session *by_pid(int pid)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (s.candidates[i].oldest_pid == pid)
			return &s.candidates[i];
	ck_abort_msg("no candidate with oldest pid %d", pid);
	return NULL;
}

static int rank_of(int pid)
{
	return (int)(by_pid(pid) - s.candidates);
}

#define ck_value(x, var, lit)                                                                                      \
	do {                                                                                                       \
		ck_assert_ptr_nonnull((x)->value[var]);                                                            \
		ck_assert_uint_eq((x)->len[var], sizeof(lit) - 1);                                                 \
		ck_assert_mem_eq((x)->value[var], lit, sizeof(lit) - 1);                                           \
		ck_assert_int_eq((x)->value[var][sizeof(lit) - 1], 0);                                             \
	} while (0)

/* ---- bus addresses ---- */

/* the kinds of every entry, as a string: P path, A abstract, U unchecked, M malformed */
static const char *kinds(const char *buf, size_t len)
{
	static char out[32];
	struct pb_bus_addr a;
	size_t pos = 0, n = 0;

	while (n < sizeof out - 1 && pb_parse_bus_address(buf, len, &pos, &a))
		out[n++] = "PAUM"[a.kind];
	out[n] = 0;
	return out;
}

START_TEST(bus_address_kinds)
{
	ck_assert_str_eq(kinds(S("")), "");
	ck_assert_str_eq(kinds(S(";;;")), "");
	ck_assert_str_eq(kinds(S("unix:path=/run/user/1000/bus")), "P");
	ck_assert_str_eq(kinds(S("unix:guid=abc,path=/tmp/x")), "P");
	ck_assert_str_eq(kinds(S("unix:abstract=/tmp/dbus-x,guid=1")), "A");
	ck_assert_str_eq(kinds(S("tcp:host=localhost,port=1")), "U");
	ck_assert_str_eq(kinds(S("launchd:env=X")), "U");
	ck_assert_str_eq(kinds(S("unix:tmpdir=/tmp")), "U");
	ck_assert_str_eq(kinds(S("unix:runtime=yes")), "U");
	ck_assert_str_eq(kinds(S("unix:path=/a;tcp:host=h;unix:abstract=b;;x")), "PUAM");
	ck_assert_str_eq(kinds(S("nocolon")), "M");
	ck_assert_str_eq(kinds(S(":path=/x")), "M");
	ck_assert_str_eq(kinds(S("unix:")), "M");
	ck_assert_str_eq(kinds(S("unix:guid=1")), "M");
	ck_assert_str_eq(kinds(S("unix:path=")), "M");
	ck_assert_str_eq(kinds(S("unix:path=%zz")), "M");
	ck_assert_str_eq(kinds(S("unix:path=/x%4")), "M");
	ck_assert_str_eq(kinds(S("unix:path=/x%")), "M");
	ck_assert_str_eq(kinds(S("unix:path=/a%00b")), "M");
	ck_assert_str_eq(kinds(S("unix:pathx=/a")), "M");
}
END_TEST

START_TEST(bus_address_values)
{
	static char long_path[6000];
	struct pb_bus_addr a;
	size_t pos = 0;
	const char *addr = "unix:path=/run/user/1000/b%75s%2C,guid=9;unix:abstract=/tmp/dbus-%41bc";

	ck_assert_int_eq(pb_parse_bus_address(addr, strlen(addr), &pos, &a), 1);
	ck_assert_int_eq(a.kind, PB_BUS_UNIX_PATH);
	ck_assert_str_eq(a.path, "/run/user/1000/bus,");
	ck_assert_uint_eq(a.path_len, strlen("/run/user/1000/bus,"));
	ck_assert_int_eq(pb_parse_bus_address(addr, strlen(addr), &pos, &a), 1);
	ck_assert_int_eq(a.kind, PB_BUS_UNIX_ABSTRACT);
	ck_assert_str_eq(a.path, "/tmp/dbus-Abc");
	ck_assert_int_eq(pb_parse_bus_address(addr, strlen(addr), &pos, &a), 0);
	/* a buffer without a final NUL: the length is the end */
	pos = 0;
	ck_assert_int_eq(pb_parse_bus_address("unix:path=/ab;tcp:", 12, &pos, &a), 1);
	ck_assert_str_eq(a.path, "/a");
	ck_assert_int_eq(pb_parse_bus_address("unix:path=/ab;tcp:", 12, &pos, &a), 0);
	/* a path longer than any path: malformed, not truncated */
	memcpy(long_path, "unix:path=/", 11);
	memset(long_path + 11, 'x', sizeof long_path - 12);
	pos = 0;
	ck_assert_int_eq(pb_parse_bus_address(long_path, strlen(long_path), &pos, &a), 1);
	ck_assert_int_eq(a.kind, PB_BUS_MALFORMED);
}
END_TEST

/* ---- X displays, logind's records, Xauthority files (pure) ---- */

static long xdisplay(const char *buf, size_t len)
{
	unsigned int n = 12345;

	return pb_parse_x_display(buf, len, &n) ? -1 : (long)n;
}

START_TEST(x_displays)
{
	ck_assert_int_eq(xdisplay(S(":0")), 0);
	ck_assert_int_eq(xdisplay(S(":5.0")), 5);
	ck_assert_int_eq(xdisplay(S(":10.12")), 10);
	ck_assert_int_eq(xdisplay(S("unix:7")), 7);
	ck_assert_int_eq(xdisplay(S("unix:7.1")), 7);
	ck_assert_int_eq(xdisplay(S(":65535")), 65535);
	/* a host is reached over TCP: not a local display, whoever's it is */
	ck_assert_int_eq(xdisplay(S("localhost:10.0")), -1);
	ck_assert_int_eq(xdisplay(S("10.0.0.1:0")), -1);
	ck_assert_int_eq(xdisplay(S("::1:0")), -1);
	ck_assert_int_eq(xdisplay(S("/tmp/launch-x/org.xquartz:0")), -1);
	ck_assert_int_eq(xdisplay(S("unixx:0")), -1);
	/* not a number */
	ck_assert_int_eq(xdisplay(S("")), -1);
	ck_assert_int_eq(xdisplay(S(":")), -1);
	ck_assert_int_eq(xdisplay(S("0")), -1);
	ck_assert_int_eq(xdisplay(S(":x")), -1);
	ck_assert_int_eq(xdisplay(S(":-1")), -1);
	ck_assert_int_eq(xdisplay(S(":+1")), -1);
	ck_assert_int_eq(xdisplay(S(": 1")), -1);
	ck_assert_int_eq(xdisplay(S(":1.")), -1);
	ck_assert_int_eq(xdisplay(S(":1.x")), -1);
	ck_assert_int_eq(xdisplay(S(":1.0.0")), -1);
	ck_assert_int_eq(xdisplay(S(":65536")), -1);
	ck_assert_int_eq(xdisplay(S(":99999999999999999999")), -1);
	ck_assert_int_eq(xdisplay(S(":6\xff\xfe'q\nx")), -1);
	ck_assert_int_eq(xdisplay(":1\0" "2", 4), -1);
	/* the length is the end: no NUL needed */
	ck_assert_int_eq(xdisplay(":42junk", 3), 42);
}
END_TEST

START_TEST(logind_records)
{
	struct pb_logind_session ls;
	const char rec[] = "# This is private data. Do not parse.\nUID=1000\nUSER=alice\nSTATE=active\nTYPE=x11\n"
			   "CLASS=user\nDISPLAY=:0\nLEADER=100";

	ck_assert_int_eq(pb_parse_logind_session(rec, sizeof rec - 1, &ls), 0);
	ck_assert_int_eq(ls.have_uid, 1);
	ck_assert_uint_eq(ls.uid, 1000);
	ck_assert_uint_eq(ls.display_len, 2);
	ck_assert_mem_eq(ls.display, ":0", 2);
	ck_assert_int_eq(ls.closing, 0);
	ck_assert_int_eq(ls.greeter, 0);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=120\nCLASS=greeter\nSTATE=closing\n"), &ls), 0);
	ck_assert_int_eq(ls.greeter, 1);
	ck_assert_int_eq(ls.closing, 1);
	ck_assert_ptr_null(ls.display);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=7\nCLASS=lock-screen\n"), &ls), 0);
	ck_assert_int_eq(ls.greeter, 1);
	/* no UID: parsed, but it stands for no one */
	ck_assert_int_eq(pb_parse_logind_session(S("DISPLAY=:0\n"), &ls), 0);
	ck_assert_int_eq(ls.have_uid, 0);
	ck_assert_int_eq(pb_parse_logind_session(S(""), &ls), 0);
	ck_assert_int_eq(ls.have_uid, 0);
	/* two owners, or two displays, or bytes logind never writes: not a record to believe */
	ck_assert_int_eq(pb_parse_logind_session(S("UID=1000\nUID=1001\n"), &ls), -1);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=1000\nDISPLAY=:0\nDISPLAY=:1\n"), &ls), -1);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=1000\nDISPLAY=:0\nDISPLAY=:0\n"), &ls), 0);
	ck_assert_int_eq(pb_parse_logind_session("UID=1000\nDISPLAY=:0\0:1\n", 22, &ls), -1);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=\n"), &ls), -1);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=-1\n"), &ls), -1);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=1000x\n"), &ls), -1);
	ck_assert_int_eq(pb_parse_logind_session(S("UID=4294967295\n"), &ls), -1); /* (uid_t)-1 is no one */
	ck_assert_int_eq(pb_parse_logind_session(S("UID=99999999999\n"), &ls), -1);
	/* near misses are other keys */
	ck_assert_int_eq(pb_parse_logind_session(S("XUID=5\nUID=6\nSTATE=closing2\nCLASS=greeters\n"), &ls), 0);
	ck_assert_uint_eq(ls.uid, 6);
	ck_assert_int_eq(ls.closing, 0);
	ck_assert_int_eq(ls.greeter, 0);
}
END_TEST

/* an Xauthority entry: family, then four length-prefixed fields (big-endian) */
static size_t xauth_entry(char *out, unsigned int family, const char *addr, const char *number, const char *name,
			  const char *data, size_t data_len)
{
	const char *f[4] = {addr, number, name, data};
	size_t n = 0, k, len;

	out[n++] = (char)(family >> 8);
	out[n++] = (char)family;
	for (k = 0; k < 4; k++) {
		len = k == 3 ? data_len : strlen(f[k]);
		out[n++] = (char)(len >> 8);
		out[n++] = (char)len;
		memcpy(out + n, f[k], len);
		n += len;
	}
	return n;
}

START_TEST(xauth_entries)
{
	char buf[512];
	struct pb_xauth e;
	size_t n = 0, pos = 0, cut;

	n += xauth_entry(buf + n, 256, "host", "5", "MIT-MAGIC-COOKIE-1", "0123456789abcdef", 16);
	n += xauth_entry(buf + n, 65535, "", "12", "XDM-AUTHORIZATION-1", "", 0);
	ck_assert_int_eq(pb_parse_xauth(buf, n, &pos, &e), 1);
	ck_assert_uint_eq(e.family, 256);
	ck_assert_uint_eq(e.address_len, 4);
	ck_assert_mem_eq(e.number, "5", 1);
	ck_assert_uint_eq(e.name_len, 18);
	ck_assert_uint_eq(e.data_len, 16);
	ck_assert_mem_eq(e.data, "0123456789abcdef", 16);
	ck_assert_int_eq(pb_parse_xauth(buf, n, &pos, &e), 1);
	ck_assert_uint_eq(e.family, 65535);
	ck_assert_uint_eq(e.number_len, 2);
	ck_assert_uint_eq(e.data_len, 0);
	ck_assert_int_eq(pb_parse_xauth(buf, n, &pos, &e), 0);
	ck_assert_uint_eq(pos, n);
	/* every cut inside an entry is truncated, never read past */
	cut = xauth_entry(buf, 256, "h", "0", "MIT-MAGIC-COOKIE-1", "0123456789abcdef", 16);
	for (n = 1; n < cut; n++) {
		char *copy = malloc(n);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, n);
		pos = 0;
		ck_assert_int_eq(pb_parse_xauth(copy, n, &pos, &e), -1);
		ck_assert_uint_eq(pos, 0);
		free(copy);
	}
	/* a length beyond the end */
	memcpy(buf, "\x01\x00\xff\xff" "ab", 6);
	pos = 0;
	ck_assert_int_eq(pb_parse_xauth(buf, 6, &pos, &e), -1);
}
END_TEST

/* ---- the vote on the gui fixture tree (its files: tests/fixtures/gui-files, logind's records) ---- */

#define GUI_FILES FIXTURES "/gui-files"

START_TEST(vote_winner_and_counters)
{
	const struct pb_session *w;

	vote(FIXTURES "/gui", -1, GUI_FILES);
	ck_assert_int_eq(s.found, 1);
	/* logind vouches for alice, dave, erin and frank: a count cannot choose between users */
	ck_assert_uint_eq(s.users, 4);
	w = &s.candidates[0];
	/* alice's live session (5 processes) beats her stale tmux (6 processes, bus socket gone) */
	ck_assert_uint_eq(w->uid, 1000);
	ck_assert_uint_eq(w->gid, 1000);
	ck_assert_uint_eq(w->procs, 5);
	ck_assert_int_eq(w->oldest_pid, 100);
	ck_assert_int_eq(w->nvars, 1);
	ck_value(w, PB_SV_DISPLAY, ":0");
	ck_assert_int_eq(w->vouch, PB_VOUCH_LOGIND);
	/* empty XAUTHORITY= and WAYLAND_DISPLAY= of pid 104 count as unset, so 104 is one of the five */
	ck_assert_ptr_null(w->value[PB_SV_XAUTHORITY]);
	ck_assert_ptr_null(w->value[PB_SV_WAYLAND]);
	ck_assert_ptr_null(w->value[PB_SV_RUNTIME]);
	ck_assert_ptr_null(w->value[PB_SV_BUS]); /* no /run/user/1000/bus below the files root */
	ck_assert_int_eq(w->bus_filled, 0);
	ck_assert_int_eq(w->reject, PB_SR_NONE);
	/* 52 processes: kthreadd and the zombie are not looked at */
	ck_assert_uint_eq(t.n, 52);
	ck_assert_uint_eq(s.screened, 50);
	ck_assert_uint_eq(s.carriers, 46);
	ck_assert_uint_eq(s.malformed, 1); /* 184: status without Uid */
	ck_assert_uint_eq(s.other_uid, 0);
	ck_assert_uint_eq(s.vanished, 0);
	ck_assert_uint_eq(s.denied, 0);
	ck_assert_uint_eq(s.n, 20);
	done();
}
END_TEST

/* the vote's first look done during the scan (pb_session_scan) gives the same candidates and counters, and
 * keeps no environment in the table */
START_TEST(vote_during_scan)
{
	struct pb_session_search once;
	size_t i;

	vote(FIXTURES "/gui", -1, GUI_FILES);
	once = s;
	s.candidates = NULL;
	s.n = 0;
	pb_table_free(&t);
	ck_assert_int_eq(pb_session_scan(&root, &t), 0);
	for (i = 0; i < t.n; i++)
		ck_assert_ptr_null(t.procs[i].x); /* nothing kept per process */
	memset(&s, 0, sizeof s);
	s.uid = -1;
	s.files_root = GUI_FILES;
	ck_assert_int_eq(pb_session_find(&t, &s), 0);
	ck_assert_uint_eq(s.n, once.n);
	ck_assert_uint_eq(s.screened, once.screened);
	ck_assert_uint_eq(s.carriers, once.carriers);
	ck_assert_uint_eq(s.malformed, once.malformed);
	ck_assert_uint_eq(s.users, once.users);
	ck_assert_int_eq(s.found, 1);
	for (i = 0; i < s.n; i++) {
		ck_assert_int_eq(s.candidates[i].oldest_pid, once.candidates[i].oldest_pid);
		ck_assert_uint_eq(s.candidates[i].procs, once.candidates[i].procs);
		ck_assert_int_eq(s.candidates[i].reject, once.candidates[i].reject);
	}
	pb_session_free(&once);
	done();
}
END_TEST

START_TEST(vote_rejections)
{
	const struct pb_session *x;
	size_t i;

	vote(FIXTURES "/gui", -1, GUI_FILES);
	x = by_pid(110);
	ck_assert_uint_eq(x->procs, 6);
	ck_assert_int_eq(x->reject, PB_SR_BUS_GONE);
	ck_assert_int_eq(by_pid(170)->reject, PB_SR_BUS_GONE); /* abstract socket nobody listens on */
	ck_assert_int_eq(by_pid(172)->reject, PB_SR_BUS_GONE); /* a list of two gone */
	ck_assert_int_eq(by_pid(173)->reject, PB_SR_BUS_GONE); /* "nonsense" */
	ck_assert_int_eq(by_pid(174)->reject, PB_SR_BUS_GONE); /* bad escape */
	ck_assert_int_eq(by_pid(168)->reject, PB_SR_RUNTIME_DIR_GONE);
	ck_assert_int_eq(by_pid(169)->reject, PB_SR_XAUTHORITY_GONE);
	/* tcp: whoever listens on the port would get the command's messages */
	ck_assert_int_eq(by_pid(140)->reject, PB_SR_BUS_NOT_USERS);
	/* a Wayland display without its socket, an X display without a server or a record, a host's display */
	ck_assert_int_eq(by_pid(120)->reject, PB_SR_WAYLAND_GONE);
	ck_assert_int_eq(by_pid(130)->reject, PB_SR_DISPLAY_GONE);
	ck_assert_int_eq(by_pid(165)->reject, PB_SR_DISPLAY_NOT_LOCAL);
	/* the attack: 8 processes of uid 1011 carrying alice's :0 (its record of a closing session on :0 is
	 * left out) are no votes */
	x = by_pid(185);
	ck_assert_uint_eq(x->uid, 1011);
	ck_assert_uint_eq(x->procs, 8);
	ck_assert_int_eq(x->reject, PB_SR_OTHER_USERS);
	ck_assert_uint_eq(x->display_owner, 1000);
	ck_assert_int_eq(x->vouch, PB_VOUCH_NONE);
	/* a display manager's login screen is nobody's session */
	ck_assert_int_eq(by_pid(195)->reject, PB_SR_GREETER);
	/* all the rejected rank after all the valid ones, even with more processes */
	ck_assert_int_lt(rank_of(145), rank_of(185));
	for (i = 0; i < s.n; i++)
		ck_assert_int_eq(s.candidates[i].reject != PB_SR_NONE, i >= 6);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(s.candidates[i].vouch, PB_VOUCH_LOGIND);
	done();
	/* named, the greeter's session is one */
	vote(FIXTURES "/gui", 1012, GUI_FILES);
	ck_assert_int_eq(s.found, 1);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":20");
	done();
	/* without its files, nothing of the saved tree is vouched for */
	vote(FIXTURES "/gui", 1011, FIXTURES "/gui-fs/files/home");
	ck_assert_int_eq(s.found, 0);
	ck_assert_int_eq(s.candidates[0].reject, PB_SR_DISPLAY_GONE);
	done();
}
END_TEST

START_TEST(vote_ties)
{
	vote(FIXTURES "/gui", -1, GUI_FILES);
	/* dave's 3 processes after alice's 5 */
	ck_assert_int_eq(rank_of(145), 1);
	/* erin: 2 and 2 processes, one variable each: the session whose oldest process started first */
	ck_assert_int_lt(rank_of(152), rank_of(150));
	/* frank: started in the same tick: the lower pid */
	ck_assert_int_lt(rank_of(160), rank_of(161));
	done();
	vote(FIXTURES "/gui", 1004, GUI_FILES);
	ck_assert_int_eq(s.found, 1);
	ck_assert_uint_eq(s.users, 1);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":40");
	ck_assert_uint_eq(s.n, 2);
	done();
	vote(FIXTURES "/gui", 1005, GUI_FILES);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":5");
	done();
}
END_TEST

START_TEST(vote_user_filter)
{
	const struct pb_session *w;

	vote(FIXTURES "/gui", 1001, GUI_FILES);
	ck_assert_int_eq(s.found, 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.other_uid, 43); /* 46 carriers, one without a uid, two of bob */
	w = &s.candidates[0];
	/* Wayland: no DISPLAY */
	ck_assert_uint_eq(w->uid, 1001);
	ck_assert_ptr_null(w->value[PB_SV_DISPLAY]);
	ck_value(w, PB_SV_WAYLAND, "wayland-0");
	ck_value(w, PB_SV_RUNTIME, "/tmp");
	ck_assert_uint_eq(w->nvars, 3);
	done();
	/* a user whose every candidate is stale: nothing found, the candidates still reported */
	vote(FIXTURES "/gui", 1010, GUI_FILES);
	ck_assert_int_eq(s.found, 0);
	ck_assert_uint_eq(s.users, 0);
	ck_assert_uint_eq(s.n, 2);
	done();
	/* a user without processes */
	vote(FIXTURES "/gui", 4242, GUI_FILES);
	ck_assert_int_eq(s.found, 0);
	ck_assert_uint_eq(s.n, 0);
	done();
	/* alice alone */
	vote(FIXTURES "/gui", 1000, GUI_FILES);
	ck_assert_int_eq(s.found, 1);
	ck_assert_uint_eq(s.users, 1);
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":0");
	done();
}
END_TEST

START_TEST(vote_bytes_kept)
{
	vote(FIXTURES "/gui", 1006, GUI_FILES);
	ck_assert_uint_eq(s.n, 2);
	/* not UTF-8, a quote, a newline: kept byte for byte; one byte apart is another candidate */
	ck_value(&s.candidates[0], PB_SV_DISPLAY, ":6\xff\xfe'q\nx");
	ck_assert_uint_eq(s.candidates[0].procs, 2);
	ck_value(&s.candidates[1], PB_SV_DISPLAY, ":6\xff\xfd'q\nx");
	done();
}
END_TEST

START_TEST(vote_skips_non_carriers)
{
	size_t i;

	vote(FIXTURES "/gui", 1000, GUI_FILES);
	/* the kernel thread's :66, the zombie's :99, the empty DISPLAY of 181 never count */
	for (i = 0; i < s.n; i++) {
		ck_assert_int_ne(s.candidates[i].oldest_pid, 2);
		ck_assert_int_ne(s.candidates[i].oldest_pid, 180);
		ck_assert_int_ne(s.candidates[i].oldest_pid, 181);
		ck_assert_int_ne(s.candidates[i].oldest_pid, 184);
	}
	/* first DISPLAY= wins in 101 (a second DISPLAY=:9 follows), 103 lacks the final NUL: both are alice's */
	ck_assert_uint_eq(s.candidates[0].procs, 5);
	ck_assert_uint_eq(s.n, 2);
	done();
}
END_TEST

/* what a command takes from the session's own environment: PATH and LANG of its oldest process */
START_TEST(user_env_of_fixture)
{
	struct pb_session other;
	struct pb_buf b;

	vote(FIXTURES "/gui", 1000, GUI_FILES);
	pb_buf_init(&b);
	ck_assert_int_eq(pb_session_user_env(&root, &s.candidates[0], &b), 0);
	ck_assert_uint_eq(b.len, sizeof "PATH=/usr/bin:/bin\0LANG=C.UTF-8");
	ck_assert_mem_eq(b.data, "PATH=/usr/bin:/bin\0LANG=C.UTF-8", b.len);
	/* the process is another user's now: nothing is taken */
	other = s.candidates[0];
	other.uid = 1011;
	b.len = 0;
	ck_assert_int_eq(pb_session_user_env(&root, &other, &b), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_uint_eq(b.len, 0);
	/* or another process (its start time differs) */
	other = s.candidates[0];
	other.oldest_start++;
	ck_assert_int_eq(pb_session_user_env(&root, &other, &b), -1);
	ck_assert_int_eq(errno, ESRCH);
	pb_buf_free(&b);
	done();
}
END_TEST

/* ---- validation against a files root ---- */

START_TEST(validation_files_root)
{
	const struct pb_session *x;

	vote(FIXTURES "/gui-fs/proc", -1, FIXTURES "/gui-fs/files");
	ck_assert_int_eq(s.found, 1);
	x = &s.candidates[0];
	/* alice: XAUTHORITY and XDG_RUNTIME_DIR exist; no bus address, and /run/user/1000/bus is no socket */
	ck_assert_uint_eq(x->uid, 1000);
	ck_assert_uint_eq(x->procs, 2);
	ck_value(x, PB_SV_XAUTHORITY, "/home/alice/.Xauthority");
	ck_assert_ptr_null(x->value[PB_SV_BUS]);
	ck_assert_int_eq(x->bus_filled, 0);
	ck_assert_int_eq(x->nvars, 3);
	/* an escaped path that exists, but is a plain file: no bus of hers */
	ck_assert_int_eq(by_pid(110)->reject, PB_SR_BUS_NOT_USERS);
	/* a list with a gone path and that file */
	ck_assert_int_eq(by_pid(150)->reject, PB_SR_BUS_NOT_USERS);
	/* XDG_RUNTIME_DIR is a file: not a runtime directory */
	ck_assert_int_eq(by_pid(130)->reject, PB_SR_RUNTIME_DIR_GONE);
	/* a relative path cannot be checked: it does not reject */
	ck_assert_int_eq(by_pid(131)->reject, PB_SR_NONE);
	ck_assert_ptr_null(by_pid(131)->value[PB_SV_BUS]);
	/* bob: /run/user/1001 exists, but holds no Wayland socket */
	ck_assert_int_eq(by_pid(120)->reject, PB_SR_WAYLAND_GONE);
	done();
}
END_TEST

START_TEST(unusable_files_root)
{
	ck_assert_int_eq(pb_root_open(&root, FIXTURES "/gui"), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	memset(&s, 0, sizeof s);
	s.uid = -1;
	s.files_root = FIXTURES "/no-such-dir";
	ck_assert_int_eq(pb_session_find(&t, &s), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(s.candidates);
	ck_assert_uint_eq(s.n, 0);
	pb_table_free(&t);
	pb_root_close(&root);
}
END_TEST

/* ---- generated trees: sizes and a pid reused between the scan and the pin ---- */

static char tmp_tree[64];

static void write_file(const char *dir, int pid, const char *name, const void *data, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/%d", dir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%d/%s", dir, pid, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void make_proc(const char *dir, int pid, unsigned int uid, unsigned long long start, const char *env,
		      size_t env_len)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof buf,
		     "%d (p%d) S 1 %d %d 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 %llu 1048576 256 18446744073709551615 "
		     "1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0\n",
		     pid, pid, pid, pid, start);
	write_file(dir, pid, "stat", buf, (size_t)n);
	n = snprintf(buf, sizeof buf, "Name:\tp%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t\n", pid, uid, uid,
		     uid, uid, uid, uid, uid, uid);
	write_file(dir, pid, "status", buf, (size_t)n);
	write_file(dir, pid, "environ", env, env_len);
}

static void rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_tree);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(huge_environments)
{
	size_t big = 8u << 20, vlen = 1u << 20, i, off;
	char *env = malloc(big + vlen + 64), small[64], files[96];
	int pid, n;

	ck_assert_ptr_nonnull(env);
	strcpy(tmp_tree, "/tmp/pbgui-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_tree));
	/* 8 MiB of other variables, then a 1 MiB DISPLAY at the very end, without a final NUL */
	for (off = 0, i = 0; off + 40 < big; i++)
		off += (size_t)sprintf(env + off, "FILLER_%zu=%032zu", i, i) + 1;
	memcpy(env + off, "DISPLAY=", 8);
	memset(env + off + 8, 'd', vlen);
	make_proc(tmp_tree, 10, 1000, 100, env, off + 8 + vlen);
	make_proc(tmp_tree, 11, 1000, 101, env, off + 8 + vlen);
	/* 3000 processes with a DISPLAY each of their own: 3000 candidates of one process */
	for (pid = 100; pid < 3100; pid++) {
		n = snprintf(small, sizeof small, "DISPLAY=:%d", pid);
		make_proc(tmp_tree, pid, 2000, 50, small, (size_t)n + 1);
	}
	snprintf(files, sizeof files, "%s/files", tmp_tree);
	ck_assert_int_eq(mkdir(files, 0755), 0);
	vote(tmp_tree, -1, files);
	/* no X server for any of them: all rejected, and ranked as the vote would */
	ck_assert_int_eq(s.found, 0);
	ck_assert_uint_eq(s.n, 3001);
	ck_assert_uint_eq(s.candidates[0].procs, 2);
	ck_assert_int_eq(s.candidates[0].reject, PB_SR_DISPLAY_NOT_LOCAL);
	ck_assert_uint_eq(s.candidates[0].len[PB_SV_DISPLAY], vlen);
	ck_assert_int_eq(s.candidates[0].value[PB_SV_DISPLAY][vlen - 1], 'd');
	ck_assert_int_eq(s.candidates[0].value[PB_SV_DISPLAY][vlen], 0);
	/* the rest tie at one process and one variable, all started at 50: by pid */
	ck_assert_int_eq(s.candidates[1].oldest_pid, 100);
	ck_assert_int_eq(s.candidates[1].reject, PB_SR_DISPLAY_GONE);
	ck_assert_int_eq(s.candidates[3000].oldest_pid, 3099);
	done();
	free(env);
	rm_tree();
}
END_TEST

START_TEST(reused_pid_is_caught)
{
	const char alice[] = "DISPLAY=:0", mallory[] = "DISPLAY=:666";
	char buf[256];
	int pid;

	strcpy(tmp_tree, "/tmp/pbgui-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_tree));
	make_proc(tmp_tree, 10, 1000, 100, alice, sizeof alice);
	for (pid = 11; pid < 14; pid++)
		make_proc(tmp_tree, pid, 1000, 100 + (unsigned)pid, alice, sizeof alice);
	ck_assert_int_eq(pb_root_open(&root, tmp_tree), 0);
	ck_assert_int_eq(pb_scan(&root, &t), 0);
	/* after the scan, pid 11 is another process of another user, and pid 12 is gone: the scanned starttime
	 * tells the new 11 apart, so neither its uid nor its environment counts for anyone */
	make_proc(tmp_tree, 11, 6666, 99999, mallory, sizeof mallory);
	snprintf(buf, sizeof buf, "rm -rf '%s/12'", tmp_tree);
	ck_assert_int_eq(system(buf), 0);
	memset(&s, 0, sizeof s);
	s.uid = -1;
	ck_assert_int_eq(pb_session_find(&t, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.candidates[0].uid, 1000);
	ck_assert_uint_eq(s.candidates[0].procs, 2);
	/* 11 was reused and counts as vanished; 12's environment was gone before the table read it */
	ck_assert_uint_eq(s.vanished, 1);
	ck_assert_uint_eq(t.count.vanished[PB_F_ENVIRON], 1);
	done();
	rm_tree();
}
END_TEST

/* ---- a live process ---- */

START_TEST(live_process)
{
	char *const argv[] = {"sleep", "30", NULL};
	char *const envp[] = {"PATH=/usr/bin:/bin", "DISPLAY=:4242.0", "XDG_RUNTIME_DIR=/", NULL};
	pid_t child = fork();
	const struct pb_session *x;
	long long end = pb_now_ms() + 5000;

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* wait until the exec happened: the environment is the new one then */
	for (;;) {
		char path[64];
		struct pb_buf b;
		pb_buf_init(&b);
		snprintf(path, sizeof path, "/proc/%d/environ", (int)child);
		int ok = pb_read_at(AT_FDCWD, path, &b) == 0 && memmem(b.data, b.len, "DISPLAY=:4242.0", 15);
		pb_buf_free(&b);
		if (ok)
			break;
		ck_assert_msg(pb_now_ms() < end, "child did not exec");
		usleep(10000);
	}
	vote("/proc", (long)getuid(), NULL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	x = NULL;
	for (size_t i = 0; i < s.n; i++)
		if (s.candidates[i].value[PB_SV_DISPLAY] && !strcmp(s.candidates[i].value[PB_SV_DISPLAY], ":4242.0"))
			x = &s.candidates[i];
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->uid, getuid());
	ck_assert_uint_eq(x->gid, getgid());
	ck_assert_int_eq(x->oldest_pid, child);
	ck_assert_uint_eq(x->procs, 1);
	/* there is no X server :4242, and so no session */
	ck_assert_int_eq(x->reject, PB_SR_DISPLAY_GONE);
	done();
}
END_TEST

/* ---- what vouches: sockets, servers and files of other users (as root: chown, and servers run as them) ---- */

#define U1 4201u /* the victim */
#define U2 4202u /* the attacker */
#define U3 4203u /* logind knows it only as a login screen */
#define U4 4204u

static char owners_tree[64], owners_files[96];
static pid_t servers[16];
static size_t nservers;
static const char cookie1[16] = "cookie-of-user-1", cookie2[16] = "cookie-of-user-2";

static void files_path(char *out, size_t size, const char *path)
{
	snprintf(out, size, "%s%s", owners_files, path);
}

static void files_dir(const char *path, unsigned int uid, mode_t mode)
{
	char full[256];

	files_path(full, sizeof full, path);
	ck_assert_int_eq(mkdir(full, mode), 0);
	ck_assert_int_eq(chown(full, uid, uid), 0);
	ck_assert_int_eq(chmod(full, mode), 0);
}

static void files_file(const char *path, unsigned int uid, const void *data, size_t len)
{
	char full[256];
	int fd;

	files_path(full, sizeof full, path);
	fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchown(fd, uid, uid), 0);
	close(fd);
}

/* an X setup answered: 1 (Success) when it brings cookie, 0 (Failed) otherwise */
static void answer_x(int c, const char *cookie)
{
	char req[48], reply;
	size_t got = 0;
	ssize_t r;

	while (got < sizeof req && (r = read(c, req + got, sizeof req - got)) > 0)
		got += (size_t)r;
	reply = got == sizeof req && !memcmp(req + 12, "MIT-MAGIC-COOKIE-1", 18) && !memcmp(req + 32, cookie, 16);
	/* a probe that hung up at once gets nothing (SIGPIPE is ignored) */
	if (got && write(c, &reply, 1) < 0)
		return;
}

/*
 * A listening socket of uid's (bound and served by a child that runs as uid) at path below the files root,
 * or at the abstract name path + 1 when path starts with '@'; with cookie, it answers X connection setups.
 * It ends with the test (its parent), or after a minute.
 */
static void serve(unsigned int uid, const char *path, const char *cookie)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	pid_t parent = getpid(), pid;
	int ready[2], fd, c;
	socklen_t len = sizeof sa;
	char full[256], ok;

	ck_assert_uint_lt(nservers, sizeof servers / sizeof servers[0]);
	ck_assert_int_eq(pipe(ready), 0);
	if (path[0] == '@') {
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
		memcpy(sa.sun_path + 1, path + 1, strlen(path) - 1);
	} else {
		files_path(full, sizeof full, path);
		ck_assert_uint_lt(strlen(full), sizeof sa.sun_path);
		strcpy(sa.sun_path, full);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(ready[0]);
		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid) || prctl(PR_SET_PDEATHSIG, SIGKILL) ||
		    getppid() != parent)
			_exit(1);
		alarm(60);
		signal(SIGPIPE, SIG_IGN);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) || listen(fd, 16) || write(ready[1], "1", 1) != 1)
			_exit(1);
		for (;;) {
			if ((c = accept(fd, NULL, NULL)) < 0)
				continue;
			if (cookie)
				answer_x(c, cookie);
			close(c);
		}
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &ok, 1), 1);
	close(ready[0]);
	servers[nservers++] = pid;
}

static void owners_setup(void)
{
	char xauth[256], evil[256];
	size_t n;

	strcpy(owners_tree, "/tmp/pbgui-owners.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(owners_tree));
	ck_assert_int_eq(chmod(owners_tree, 0755), 0);
	snprintf(owners_files, sizeof owners_files, "%s/files", owners_tree);
	ck_assert_int_eq(mkdir(owners_files, 0755), 0);
	files_dir("/tmp", 0, 01777);
	files_dir("/tmp/.X11-unix", 0, 01777);
	files_dir("/home", 0, 0755);
	files_dir("/home/u1", U1, 0755);
	files_dir("/home/u2", U2, 0755);
	files_dir("/run", 0, 0755);
	files_dir("/run/user", 0, 0755);
	files_dir("/run/user/4201", U1, 0700);
	files_dir("/run/user/4202", U2, 0700);
	files_dir("/run/systemd", 0, 0755);
	files_dir("/run/systemd/sessions", 0, 0755);
	/* the cookies: u1 knows the one root's X servers take, u2 a cookie of its own */
	n = xauth_entry(xauth, 256, "host", "6", "MIT-MAGIC-COOKIE-1", cookie1, 16);
	n += xauth_entry(xauth + n, 65535, "", "7", "MIT-MAGIC-COOKIE-1", cookie1, 16);
	files_file("/home/u1/.Xauthority", U1, xauth, n);
	n = xauth_entry(xauth, 256, "host", "6", "MIT-MAGIC-COOKIE-1", cookie2, 16);
	files_file("/home/u2/.Xauthority", U2, xauth, n);
	/* logind: :7 is u2's; u3 only has a login screen on :9 */
	files_file("/run/systemd/sessions/7", 0, S("UID=4202\nSTATE=active\nCLASS=user\nDISPLAY=:7\n"));
	files_file("/run/systemd/sessions/9", 0, S("UID=4203\nSTATE=online\nCLASS=greeter\nDISPLAY=:9\n"));
	/* X servers: :5 of u1's own; :6 and :7 of root's, taking cookie1; :9 root's (a display manager's) */
	serve(U1, "/tmp/.X11-unix/X5", NULL);
	serve(0, "/tmp/.X11-unix/X6", cookie1);
	serve(0, "/tmp/.X11-unix/X7", cookie1);
	serve(0, "/tmp/.X11-unix/X9", cookie1);
	/* :8: a socket file of u2's that root's server listens on */
	serve(0, "/tmp/.X11-unix/X8", NULL);
	files_path(evil, sizeof evil, "/tmp/.X11-unix/X8");
	ck_assert_int_eq(chown(evil, U2, U2), 0);
	/* buses: u1's and u2's own; /run/user/4202/bus is u2's file but root's server; a link of u2's to u1's */
	serve(U1, "/run/user/4201/bus", NULL);
	serve(0, "/run/user/4202/bus", NULL);
	files_path(evil, sizeof evil, "/run/user/4202/bus");
	ck_assert_int_eq(chown(evil, U2, U2), 0);
	serve(U2, "/run/user/4202/own-bus", NULL);
	files_path(evil, sizeof evil, "/run/user/4202/evil");
	ck_assert_int_eq(symlink("/run/user/4201/bus", evil), 0);
	ck_assert_int_eq(lchown(evil, U2, U2), 0);
	snprintf(xauth, sizeof xauth, "@pbgui-unit-%d-u1", (int)getpid());
	serve(U1, xauth, NULL);
	snprintf(xauth, sizeof xauth, "@pbgui-unit-%d-u2", (int)getpid());
	serve(U2, xauth, NULL);
	/* u1's Wayland compositor */
	serve(U1, "/run/user/4201/wayland-0", NULL);
}

static void owners_teardown(void)
{
	while (nservers > 0) {
		kill(servers[--nservers], SIGKILL);
		waitpid(servers[nservers], NULL, 0);
	}
	snprintf(tmp_tree, sizeof tmp_tree, "%s", owners_tree);
	rm_tree();
}

/* a carrier in the generated tree: pid, uid, then NAME=value strings up to NULL */
static void carrier(int pid, unsigned int uid, unsigned long long start, ...)
{
	char env[1024];
	const char *v;
	size_t n = 0;
	va_list ap;

	va_start(ap, start);
	while ((v = va_arg(ap, const char *))) {
		ck_assert_uint_lt(n + strlen(v) + 1, sizeof env);
		memcpy(env + n, v, strlen(v) + 1);
		n += strlen(v) + 1;
	}
	va_end(ap);
	make_proc(owners_tree, pid, uid, start, env, n);
}

START_TEST(vouching_owners)
{
	char bus_u1[96], bus_u2[96], list[160];
	const struct pb_session *x;
	int pid;

	snprintf(bus_u1, sizeof bus_u1, "DBUS_SESSION_BUS_ADDRESS=unix:abstract=pbgui-unit-%d-u1,guid=1", (int)getpid());
	snprintf(bus_u2, sizeof bus_u2, "DBUS_SESSION_BUS_ADDRESS=unix:abstract=pbgui-unit-%d-u2", (int)getpid());
	snprintf(list, sizeof list, "DBUS_SESSION_BUS_ADDRESS=tcp:host=127.0.0.1,port=9;unix:tmpdir=/tmp;%s",
		 bus_u1 + strlen("DBUS_SESSION_BUS_ADDRESS="));
	/* :5, u1's own X server: u1's 2 processes, and 6 of u2's carrying the same display */
	carrier(10, U1, 10, "DISPLAY=:5", "XDG_RUNTIME_DIR=/run/user/4201", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4201/bus", NULL);
	carrier(11, U1, 11, "DISPLAY=:5", "XDG_RUNTIME_DIR=/run/user/4201", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4201/bus", NULL);
	for (pid = 20; pid < 26; pid++)
		carrier(pid, U2, 20, "DISPLAY=:5", NULL);
	/* :6, root's: the cookie of u1's own Xauthority is taken; u2's own is not; u1's file named by u4 is no
	 * cookie of u4's */
	carrier(30, U1, 30, "DISPLAY=:6", "XAUTHORITY=/home/u1/.Xauthority", NULL);
	carrier(31, U2, 31, "DISPLAY=:6", "XAUTHORITY=/home/u2/.Xauthority", NULL);
	carrier(32, U4, 32, "DISPLAY=:6", "XAUTHORITY=/home/u1/.Xauthority", NULL);
	carrier(33, U2, 33, "DISPLAY=:6.0", NULL);
	/* :7, root's, and logind says it is u2's: u1's cookie does not matter */
	carrier(40, U1, 40, "DISPLAY=:7", "XAUTHORITY=/home/u1/.Xauthority", NULL);
	carrier(41, U2, 41, "DISPLAY=:7", NULL);
	/* :8: u2's file, root's server; :9: a login screen; :3: nothing */
	carrier(50, U2, 50, "DISPLAY=:8", NULL);
	carrier(51, U3, 51, "DISPLAY=:9", NULL);
	carrier(52, U1, 52, "DISPLAY=:3", NULL);
	/* Wayland: u1's socket, carried by u1 (3 processes) and by u2 */
	for (pid = 60; pid < 63; pid++)
		carrier(pid, U1, 60, "WAYLAND_DISPLAY=wayland-0", "XDG_RUNTIME_DIR=/run/user/4201", NULL);
	carrier(63, U2, 63, "WAYLAND_DISPLAY=wayland-0", "XDG_RUNTIME_DIR=/run/user/4201", NULL);
	carrier(64, U1, 64, "WAYLAND_DISPLAY=/run/user/4201/wayland-0", NULL);
	carrier(65, U1, 65, "WAYLAND_DISPLAY=wayland-0", NULL);
	/* buses of u1's session on :5 */
	carrier(70, U1, 70, "DISPLAY=:5", list, NULL);
	carrier(71, U1, 71, "DISPLAY=:5", bus_u2, NULL);
	carrier(72, U1, 72, "DISPLAY=:5", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4202/own-bus", NULL);
	carrier(73, U2, 73, "DISPLAY=:7", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4202/evil", NULL);
	carrier(74, U2, 74, "DISPLAY=:7", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4202/bus", NULL);
	carrier(75, U2, 75, "DISPLAY=:7", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4202/own-bus", NULL);
	carrier(76, U1, 76, "DISPLAY=:5", bus_u1, NULL);

	vote(owners_tree, -1, owners_files);
	/* the counts of the attackers' carriers decide nothing */
	x = by_pid(20);
	ck_assert_uint_eq(x->procs, 6);
	ck_assert_int_eq(x->reject, PB_SR_OTHER_USERS);
	ck_assert_uint_eq(x->display_owner, U1);
	ck_assert_int_eq(by_pid(10)->reject, PB_SR_NONE);
	ck_assert_int_eq(by_pid(10)->vouch, PB_VOUCH_X_SOCKET);
	ck_assert_int_eq(by_pid(30)->vouch, PB_VOUCH_XAUTHORITY);
	ck_assert_int_eq(by_pid(31)->reject, PB_SR_UNVOUCHED);
	ck_assert_int_eq(by_pid(32)->reject, PB_SR_UNVOUCHED);
	ck_assert_int_eq(by_pid(33)->reject, PB_SR_UNVOUCHED);
	x = by_pid(40);
	ck_assert_int_eq(x->reject, PB_SR_OTHER_USERS);
	ck_assert_uint_eq(x->display_owner, U2);
	ck_assert_int_eq(by_pid(41)->vouch, PB_VOUCH_LOGIND);
	ck_assert_int_eq(by_pid(50)->reject, PB_SR_UNVOUCHED);
	ck_assert_int_eq(by_pid(51)->reject, PB_SR_GREETER);
	ck_assert_int_eq(by_pid(52)->reject, PB_SR_DISPLAY_GONE);
	ck_assert_int_eq(by_pid(60)->vouch, PB_VOUCH_WAYLAND_SOCKET);
	ck_assert_uint_eq(by_pid(60)->procs, 3);
	ck_assert_int_eq(by_pid(63)->reject, PB_SR_OTHER_USERS);
	ck_assert_uint_eq(by_pid(63)->display_owner, U1);
	ck_assert_int_eq(by_pid(64)->vouch, PB_VOUCH_WAYLAND_SOCKET);
	ck_assert_int_eq(by_pid(65)->reject, PB_SR_WAYLAND_GONE);
	/* an address list: its checked unix entry alone is kept */
	x = by_pid(70);
	ck_assert_int_eq(x->reject, PB_SR_NONE);
	ck_assert_int_eq(x->bus_reduced, 1);
	ck_assert_str_eq(x->value[PB_SV_BUS], bus_u1 + strlen("DBUS_SESSION_BUS_ADDRESS="));
	ck_assert_uint_eq(x->len[PB_SV_BUS], strlen(bus_u1 + strlen("DBUS_SESSION_BUS_ADDRESS=")));
	ck_assert_int_eq(by_pid(76)->reject, PB_SR_NONE);
	ck_assert_int_eq(by_pid(76)->bus_reduced, 0);
	/* buses served by another user, through a link, or by root behind a file of the user's */
	ck_assert_int_eq(by_pid(71)->reject, PB_SR_BUS_NOT_USERS);
	ck_assert_int_eq(by_pid(72)->reject, PB_SR_BUS_NOT_USERS);
	ck_assert_int_eq(by_pid(73)->reject, PB_SR_BUS_NOT_USERS);
	ck_assert_int_eq(by_pid(74)->reject, PB_SR_BUS_NOT_USERS);
	ck_assert_int_eq(by_pid(75)->reject, PB_SR_NONE);
	/* u1 and u2 pass: the caller must choose */
	ck_assert_uint_eq(s.users, 2);
	done();

	/* u1 alone: the Wayland session of 3 wins, and u1's own bus socket is filled in */
	vote(owners_tree, U1, owners_files);
	ck_assert_int_eq(s.found, 1);
	ck_assert_uint_eq(s.users, 1);
	x = &s.candidates[0];
	ck_assert_int_eq(x->oldest_pid, 60);
	ck_assert_int_eq(x->bus_filled, 1);
	ck_value(x, PB_SV_BUS, "unix:path=/run/user/4201/bus");
	done();
	/* u2 alone: its session with a bus of its own (more variables) */
	vote(owners_tree, U2, owners_files);
	ck_assert_int_eq(s.found, 1);
	x = &s.candidates[0];
	ck_assert_int_eq(x->oldest_pid, 75);
	ck_assert_int_eq(x->bus_filled, 0);
	done();
	/* u3 named: the login screen is a session then */
	vote(owners_tree, U3, owners_files);
	ck_assert_int_eq(s.found, 1);
	ck_assert_int_eq(s.candidates[0].oldest_pid, 51);
	ck_assert_int_eq(s.candidates[0].vouch, PB_VOUCH_LOGIND);
	done();
}
END_TEST

/* logind's records count only when no one but root can have written them */
START_TEST(vouching_logind_writable)
{
	char path[256];

	carrier(41, U2, 41, "DISPLAY=:7", NULL);
	files_path(path, sizeof path, "/run/systemd/sessions/7");
	ck_assert_int_eq(chmod(path, 0666), 0);
	vote(owners_tree, U2, owners_files);
	ck_assert_int_eq(s.found, 0);
	ck_assert_int_eq(s.candidates[0].reject, PB_SR_UNVOUCHED);
	done();
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(chown(path, U2, U2), 0);
	vote(owners_tree, U2, owners_files);
	ck_assert_int_eq(s.found, 0);
	done();
	ck_assert_int_eq(chown(path, 0, 0), 0);
	files_path(path, sizeof path, "/run/systemd/sessions");
	ck_assert_int_eq(chmod(path, 01777), 0);
	vote(owners_tree, U2, owners_files);
	ck_assert_int_eq(s.found, 0);
	done();
	ck_assert_int_eq(chmod(path, 0755), 0);
	vote(owners_tree, U2, owners_files);
	ck_assert_int_eq(s.found, 1);
	ck_assert_int_eq(s.candidates[0].vouch, PB_VOUCH_LOGIND);
	/* /run/user/4202/bus is u2's file, but root serves it: not filled in */
	ck_assert_int_eq(s.candidates[0].bus_filled, 0);
	ck_assert_ptr_null(s.candidates[0].value[PB_SV_BUS]);
	done();
}
END_TEST

/* an Xauthority root will not read: a link, a FIFO, a file too large */
START_TEST(vouching_xauthority_files)
{
	char path[256], target[256];
	char *big = calloc(1, 70000);

	ck_assert_ptr_nonnull(big);
	carrier(30, U1, 30, "DISPLAY=:6", "XAUTHORITY=/home/u1/link", NULL);
	carrier(31, U1, 31, "DISPLAY=:6", "XAUTHORITY=/home/u1/fifo", NULL);
	carrier(32, U1, 32, "DISPLAY=:6", "XAUTHORITY=/home/u1/big", NULL);
	carrier(33, U1, 33, "DISPLAY=:6", "XAUTHORITY=/home/u1/.Xauthority", NULL);
	files_path(path, sizeof path, "/home/u1/link");
	files_path(target, sizeof target, "/home/u1/.Xauthority");
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(lchown(path, U1, U1), 0);
	files_path(path, sizeof path, "/home/u1/fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(chown(path, U1, U1), 0);
	files_file("/home/u1/big", U1, big, 70000);
	free(big);
	vote(owners_tree, U1, owners_files);
	ck_assert_int_eq(by_pid(30)->reject, PB_SR_UNVOUCHED);
	ck_assert_int_eq(by_pid(31)->reject, PB_SR_UNVOUCHED);
	ck_assert_int_eq(by_pid(32)->reject, PB_SR_UNVOUCHED);
	ck_assert_int_eq(by_pid(33)->vouch, PB_VOUCH_XAUTHORITY);
	done();
}
END_TEST

/* PATH, LANG and LC_* of the oldest process: the first of each name, nothing else, nothing too long */
START_TEST(user_env_filtered)
{
	static char env[12000];
	struct pb_buf b;
	size_t n = 0;
	const char *const vars[] = {"DISPLAY=:5", "LD_PRELOAD=/tmp/x.so", "PATH=/home/u1/bin:/usr/bin", "PATH=/evil",
				    "LANG=de_DE.UTF-8", "LC_TIME=C", "LC_time=x", "LC_=y", "LANGUAGE=de", "LC_ALL",
				    "PATHX=1", "BASH_ENV=/tmp/x", NULL};
	size_t i;

	for (i = 0; vars[i]; i++) {
		memcpy(env + n, vars[i], strlen(vars[i]) + 1);
		n += strlen(vars[i]) + 1;
	}
	memcpy(env + n, "LC_CTYPE=", 9);
	memset(env + n + 9, 'x', 5000);
	n += 9 + 5000 + 1;
	make_proc(owners_tree, 10, U1, 10, env, n);
	vote(owners_tree, U1, owners_files);
	ck_assert_int_eq(s.found, 1);
	pb_buf_init(&b);
	ck_assert_int_eq(pb_session_user_env(&root, &s.candidates[0], &b), 0);
	ck_assert_uint_eq(b.len, sizeof "PATH=/home/u1/bin:/usr/bin\0LANG=de_DE.UTF-8\0LC_TIME=C");
	ck_assert_mem_eq(b.data, "PATH=/home/u1/bin:/usr/bin\0LANG=de_DE.UTF-8\0LC_TIME=C", b.len);
	pb_buf_free(&b);
	done();
}
END_TEST

static Suite *session_suite(void)
{
	Suite *su = suite_create("session");
	TCase *tc = tcase_create("bus");
	TCase *tv = tcase_create("vote");
	TCase *tg = tcase_create("generated");
	TCase *to;

	tcase_add_test(tc, bus_address_kinds);
	tcase_add_test(tc, bus_address_values);
	tcase_add_test(tc, x_displays);
	tcase_add_test(tc, logind_records);
	tcase_add_test(tc, xauth_entries);
	suite_add_tcase(su, tc);
	tcase_add_test(tv, vote_winner_and_counters);
	tcase_add_test(tv, vote_during_scan);
	tcase_add_test(tv, vote_rejections);
	tcase_add_test(tv, vote_ties);
	tcase_add_test(tv, vote_user_filter);
	tcase_add_test(tv, vote_bytes_kept);
	tcase_add_test(tv, vote_skips_non_carriers);
	tcase_add_test(tv, user_env_of_fixture);
	tcase_add_test(tv, validation_files_root);
	tcase_add_test(tv, unusable_files_root);
	suite_add_tcase(su, tv);
	tcase_set_timeout(tg, 60);
	tcase_add_test(tg, huge_environments);
	tcase_add_test(tg, reused_pid_is_caught);
	tcase_add_test(tg, live_process);
	suite_add_tcase(su, tg);
	/* other users' files and servers need root (chown, setresuid) */
	if (geteuid() == 0) {
		to = tcase_create("owners");
		tcase_add_checked_fixture(to, owners_setup, owners_teardown);
		tcase_set_timeout(to, 60);
		tcase_add_test(to, vouching_owners);
		tcase_add_test(to, vouching_logind_writable);
		tcase_add_test(to, vouching_xauthority_files);
		tcase_add_test(to, user_env_filtered);
		suite_add_tcase(su, to);
	} else {
		fprintf(stderr, "check_session: SKIP the vouching tests (owners): they need root\n");
	}
	return su;
}

SUITE_MAIN(session_suite)
