/* procbox core: the public API of the /proc library (every exported name starts with pb_). */
#ifndef PROCBOX_H
#define PROCBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Conventions: functions return 0 (or a count) on success and -1 with errno set on failure. Nothing here prints or
 * exits. A process that vanished between two reads shows up as ENOENT/ESRCH, a file we may not read as EACCES/EPERM.
 */

/* ---- growable byte buffer (core/buf.c) ---- */
struct pb_buf {
	char *data;
	size_t len, cap;
	int failed; /* an allocation failed; later appends are ignored */
};
void pb_buf_init(struct pb_buf *b);
void pb_buf_free(struct pb_buf *b);
int pb_buf_reserve(struct pb_buf *b, size_t extra);
void pb_buf_add(struct pb_buf *b, const void *p, size_t n);
void pb_buf_adds(struct pb_buf *b, const char *s);
void pb_buf_addc(struct pb_buf *b, char c);
void pb_buf_addf(struct pb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pb_buf_addu(struct pb_buf *b, unsigned long long v);
void pb_buf_addi(struct pb_buf *b, long long v);
/* JSON string with quotes; valid UTF-8 passes, control characters (C1 included) and invalid bytes become \u00XX
 * escapes of each byte. */
void pb_buf_json_str(struct pb_buf *b, const char *s, size_t n);
/* Text for a terminal: printable bytes and valid UTF-8 pass, control characters and invalid bytes become '?'. */
void pb_buf_text_str(struct pb_buf *b, const char *s, size_t n);
/* POSIX shell single-quoted word: 'it'\''s'. */
void pb_buf_shell_str(struct pb_buf *b, const char *s, size_t n);
int pb_buf_write_fd(struct pb_buf *b, int fd); /* writes everything and empties b */
/* write(2) until all n bytes are written (EINTR retried); 0, or -1 with errno */
int pb_write_all(int fd, const void *p, size_t n);

/* ---- numbers a user may have written (core/number.c) ---- */
/* The whole string s as a number in base 10 or 16 (no sign, no prefix, no blanks), at most max; 0, or -1 with
 * EINVAL (not digits of the base) or ERANGE (beyond max). *out is untouched on failure. */
int pb_parse_ull(const char *s, int base, unsigned long long max, unsigned long long *out);

/* ---- pure parsers (core/parse_*.c): bytes in, struct out, no I/O, no hidden allocation ---- */
#define PB_PF_KTHREAD 0x00200000u
#define PB_COMM_MAX 64 /* kernel threads' stat names can exceed TASK_COMM_LEN (kworker/u8:2-events_unbound) */

struct pb_stat {
	int pid, ppid, pgrp, session, tty_nr;
	unsigned int flags; /* PF_* of the task: PB_PF_KTHREAD marks kernel threads */
	char state;
	char comm[PB_COMM_MAX]; /* NUL-terminated; truncated to PB_COMM_MAX-1 bytes */
	size_t comm_len;
	unsigned long long utime, stime, starttime; /* clock ticks */
	unsigned long long vsize;                   /* bytes */
	long long rss;                              /* pages */
};
/* Parses PID/stat. comm is between the first '(' and the LAST ')'. Fails with EINVAL on anything malformed. */
int pb_parse_stat(const char *buf, size_t len, struct pb_stat *st);

struct pb_ids {
	unsigned int real, effective, saved, fs;
};
struct pb_status {
	struct pb_ids uid, gid;
	int have_uid, have_gid; /* a status file without Uid:/Gid: lines leaves these 0 */
	int ngroups;            /* supplementary groups listed in Groups:, up to PB_GROUPS_MAX */
	unsigned int groups[32];
};
#define PB_GROUPS_MAX 32
/* Parses the Uid:, Gid: and Groups: lines of PID/status (the first of duplicated keys wins). */
int pb_parse_status(const char *buf, size_t len, struct pb_status *st);
/* Value of "Key:" in a status-like buffer, leading blanks skipped, up to the newline; NULL when absent. */
const char *pb_status_field(const char *buf, size_t len, const char *key, size_t *vlen);

/* NUL-separated vectors (cmdline, environ), possibly without the final NUL, possibly empty. */
struct pb_vec_iter {
	const char *buf;
	size_t len, pos;
};
void pb_vec_iter_init(struct pb_vec_iter *it, const char *buf, size_t len);
/* Next element; returns 0 at the end. The element is not NUL-terminated when the final NUL is missing. */
int pb_vec_next(struct pb_vec_iter *it, const char **item, size_t *item_len);
/* The same iterator over the lines of a text file (status, cgroup, smaps, mountinfo, net/unix): the next line
 * without its '\n' (the last one may lack it); 0 at the end. */
int pb_line_next(struct pb_vec_iter *it, const char **line, size_t *line_len);
/* Number of elements of a cmdline: a final NUL ends the last argument, trailing empty arguments (the padding
 * setproctitle() leaves) are dropped. */
size_t pb_cmdline_argc(const char *buf, size_t len);
/* Length of the cmdline without that padding. */
size_t pb_cmdline_trim(const char *buf, size_t len);
/* Value of NAME in an environ block (the first NAME=; entries without '=' ignored); NULL when absent. */
const char *pb_environ_get(const char *buf, size_t len, const char *name, size_t *vlen);

/* PID/cgroup: the cgroup v2 path ("0::/path"), else the name=systemd v1 path; returns its length or -1. */
int pb_parse_cgroup(const char *buf, size_t len, const char **path);
/* The systemd unit of a cgroup path (the last component ending in .service or .scope); 0 and "" when none. */
int pb_cgroup_unit(const char *path, size_t len, char *unit, size_t size);

/* smaps_rollup (or a whole smaps, whose per-mapping values are summed). Values in bytes. */
struct pb_smaps {
	unsigned long long rss, pss, shared_clean, shared_dirty, private_clean, private_dirty, swap, swap_pss;
	int have_pss; /* a Pss: line was seen */
};
int pb_parse_smaps(const char *buf, size_t len, struct pb_smaps *sm);

/* One line of /proc/net/unix. path is "" for unnamed sockets and starts with '@' for abstract ones. */
struct pb_unix_sock {
	unsigned long long inode;
	unsigned int flags, type, state;
	const char *path; /* points into the buffer, not NUL-terminated */
	size_t path_len;
	long long uid;                       /* who created the socket; -1 unknown (net/unix does not say) */
	unsigned long long vfs_dev, vfs_ino; /* the file a path socket was bound to, as stat(2) numbers it
					      * (the inode in 32 bits); 0 unknown */
};
/*
 * Calls fn for every socket line of net/unix that nothing contradicts, in file order; fn's non-zero value ends
 * the walk and is returned. A path may hold newlines, so its owner can forge lines: an inode claimed on two
 * lines is used from neither, and a line that does not parse in full (or is empty, or a header after the
 * first line) is a piece of a path, so neither it nor the line before it is used; nor a last line without its
 * newline. Every line not used and not the header is counted in *bad. -1 (ENOMEM): no memory for the inodes.
 */
int pb_parse_net_unix(const char *buf, size_t len, int (*fn)(const struct pb_unix_sock *, void *), void *arg,
		      size_t *bad);
/*
 * Calls fn for every unix socket of a NETLINK_SOCK_DIAG answer (netlink messages of unix_diag_msg): exact
 * names, an abstract one shown as net/unix shows it, the bound file (UNIX_DIAG_VFS) and the creator
 * (UNIX_DIAG_UID) when asked for. *done once NLMSG_DONE or NLMSG_ERROR ends the answer. 0, fn's non-zero
 * value, or -1: the kernel's error (errno) or a malformed message (EPROTO).
 */
int pb_parse_unix_diag(const char *buf, size_t len, int (*fn)(const struct pb_unix_sock *, void *), void *arg,
		       int *done);
/* "socket:[12345]" -> 12345; 0 when the link is not a socket. */
unsigned long long pb_socket_inode(const char *link, size_t len);

/* ---- the proc root and reading (core/root.c) ---- */
struct pb_root {
	int fd;       /* O_DIRECTORY descriptor of the proc root */
	int is_live;  /* a procfs whose `self` is us: its pids are ours, so signals reach the processes it lists
		       * (not a saved tree, not the procfs of another pid namespace) */
	char path[256];
	long clk_tck, page_size;
};
/* Opens $PROCBOX_PROC or /proc (path NULL) or the given path. */
int pb_root_open(struct pb_root *root, const char *path);
void pb_root_close(struct pb_root *root);
/* Reads a whole file relative to dirfd into b (appended, NUL-terminated beyond len), to its end whatever the
 * kernel hands out per read(2). */
int pb_read_at(int dirfd, const char *name, struct pb_buf *b);
/* readlinkat into a buffer, NUL-terminated; returns the length. */
ssize_t pb_readlink_at(int dirfd, const char *name, char *out, size_t size);
/* Seconds since boot (PROCBOX_PROC/uptime, to the clock tick) and the boot time (btime of PROCBOX_PROC/stat,
 * whole seconds since the epoch). */
int pb_root_uptime(const struct pb_root *root, double *uptime);
int pb_root_btime(const struct pb_root *root, long long *btime);
/* Now in clock ticks since boot (uptime x clk_tck, rounded up): the unit of starttime. A process's starttime
 * never lies after it. */
int pb_root_ticks(const struct pb_root *root, unsigned long long *ticks);

/* A process pinned to its /proc/PID directory: every file read through it comes from one process. */
struct pb_pin {
	int dirfd;
	int pid;
	unsigned long long starttime;
};
/* Opens PID's directory and confirms its starttime (pass 0 to accept any). ESRCH when it is another process. */
int pb_pin_open(const struct pb_root *root, int pid, unsigned long long starttime, struct pb_pin *pin);
int pb_pin_read(const struct pb_pin *pin, const char *name, struct pb_buf *b);
void pb_pin_close(struct pb_pin *pin);

/* ---- the process table (core/table.c) ---- */
enum pb_file {
	PB_F_STAT,
	PB_F_STATUS,
	PB_F_CMDLINE,
	PB_F_ENVIRON,
	PB_F_EXE,
	PB_F_CWD,
	PB_F_CGROUP,
	PB_F_SMAPS,
	PB_F_FD,
	PB_F_COUNT
};
extern const char *const pb_file_names[PB_F_COUNT];

struct pb_counters {
	unsigned long vanished[PB_F_COUNT]; /* races: the process ended between the scan and the read */
	unsigned long denied[PB_F_COUNT];   /* reads refused by permissions */
	unsigned long denied_procs;         /* processes with at least one refused read */
	unsigned long malformed;            /* stat files that did not parse (the process was skipped) */
};

struct pb_extra;
struct pb_arena;
struct pb_table;
struct pb_proc;
/* called by pb_scan_visit for each process as it is scanned */
typedef void pb_visit_fn(struct pb_table *t, struct pb_proc *p, void *arg);
#define PB_P_MARK 0x80000000u /* a bit of pb_proc.flags left to the caller of pb_scan_visit */
struct pb_proc {
	struct pb_stat st;
	int parent, first_child, next_sibling; /* indexes into the table, -1 for none */
	unsigned int flags;
	struct pb_extra *x; /* lazily read files, NULL until first use */
};

struct pb_table {
	const struct pb_root *root;
	struct pb_proc *procs; /* sorted by pid */
	size_t n;
	int *hash; /* pid -> index, open addressing */
	size_t hash_mask;
	struct pb_counters count;
	struct pb_arena *arena;
	double uptime;   /* seconds since boot when first needed, -1 before */
	double clock0;   /* CLOCK_BOOTTIME at that moment (live roots keep counting from it) */
	long long btime; /* boot time, -1 until first needed */
	struct pb_buf scratch;
	pb_visit_fn *visited; /* the visitor the scan ran, NULL for none */
};

/* Scans every numeric entry of the root: openat PID/stat, read, close; builds the table and the tree. */
int pb_scan(const struct pb_root *root, struct pb_table *t);
void pb_table_free(struct pb_table *t);
struct pb_proc *pb_find_pid(const struct pb_table *t, int pid);
static inline int pb_index(const struct pb_table *t, const struct pb_proc *p) { return (int)(p - t->procs); }
struct pb_proc *pb_parent(const struct pb_table *t, const struct pb_proc *p);
struct pb_proc *pb_first_child(const struct pb_table *t, const struct pb_proc *p);
struct pb_proc *pb_next_sibling(const struct pb_table *t, const struct pb_proc *p);
/* Pre-order walk below p (p excluded): returns the next descendant after cur (cur = p to start), NULL at the end. */
struct pb_proc *pb_next_descendant(const struct pb_table *t, const struct pb_proc *p, const struct pb_proc *cur);
/* Is a an ancestor of p? */
int pb_is_ancestor(const struct pb_table *t, const struct pb_proc *a, const struct pb_proc *p);
/* Processes whose parent is not in the table (init, kthreadd, orphans of hidepid trees). */
#define pb_is_root_proc(p) ((p)->parent < 0)

/* Lazily read, cached per process. Fields that cannot be read come back empty (length 0 / NULL / -1). */
const char *pb_cmdline(struct pb_table *t, struct pb_proc *p, size_t *len);   /* raw NUL-separated bytes */
const char *pb_environ(struct pb_table *t, struct pb_proc *p, size_t *len);   /* raw NUL-separated bytes */
/* The same read without keeping it (no per-process memory, no copy): valid until the next read through t. For
 * a search that looks at every environment once and keeps what it finds (the GUI session vote). */
const char *pb_environ_peek(struct pb_table *t, struct pb_proc *p, size_t *len);
const char *pb_getenv(struct pb_table *t, struct pb_proc *p, const char *name, size_t *vlen);
const char *pb_exe(struct pb_table *t, struct pb_proc *p);      /* exe link, " (deleted)" stripped; "" */
int pb_exe_deleted(struct pb_table *t, struct pb_proc *p);      /* the exe link ended in " (deleted)" */
const char *pb_exe_path(struct pb_table *t, struct pb_proc *p); /* exe, else an absolute executable argv[0] */
const char *pb_exe_name(struct pb_table *t, struct pb_proc *p); /* basename of exe_path, argv[0] on PATH, comm */
const char *pb_status_raw(struct pb_table *t, struct pb_proc *p, size_t *len);
const struct pb_status *pb_status(struct pb_table *t, struct pb_proc *p); /* NULL when unreadable */
const char *pb_cgroup(struct pb_table *t, struct pb_proc *p);   /* "" when unknown */
const struct pb_smaps *pb_smaps(struct pb_table *t, struct pb_proc *p); /* NULL when unreadable */
int pb_cwd(struct pb_table *t, struct pb_proc *p, char *out, size_t size); /* not cached: cwd changes */
/* Real uid/gid (from status) or -1; user/group names with a numeric fallback, never NULL. */
long pb_uid(struct pb_table *t, struct pb_proc *p);
long pb_gid(struct pb_table *t, struct pb_proc *p);
const char *pb_user(struct pb_table *t, struct pb_proc *p);
const char *pb_group(struct pb_table *t, struct pb_proc *p);
/* Absolute start time (seconds since the epoch) and seconds since start. */
double pb_starttime(struct pb_table *t, const struct pb_proc *p);
double pb_runtime(struct pb_table *t, const struct pb_proc *p);
/* rss and vsize in bytes */
unsigned long long pb_rss_bytes(const struct pb_table *t, const struct pb_proc *p);

/* find / find_all below p (p NULL: the whole table), as proc.tree's find_all(pid, exe_name, exe_path, recursive). */
struct pb_match {
	int pid;              /* 0: any */
	const char *exe_name; /* NULL: any */
	const char *exe_path; /* NULL: any */
	int recursive;        /* all descendants instead of children only */
};
/* Next match after cur (cur NULL to start). */
struct pb_proc *pb_find_next(struct pb_table *t, const struct pb_proc *below, const struct pb_match *m,
			     const struct pb_proc *cur);

/* ---- identity, signals, waiting (core/signal.c) ---- */
struct pb_ident {
	int pid;
	unsigned long long starttime; /* clock ticks after boot, from stat */
};
/* "PID" or "PID@STARTTIME" (the whole buffer): a pid from 1 to INT_MAX, a start time in clock ticks since boot,
 * both decimal digits only (no sign, blank, fraction or prefix) and within range. 1 when a start time was
 * given (0 is then a start time too, of a process started at boot), 0 for a pid alone (starttime 0); -1 with
 * EINVAL for a bad PID, EDOM for a bad STARTTIME. That the start time does not lie after now is for the caller
 * to check against the root (pb_root_ticks). */
int pb_parse_ident(const char *buf, size_t len, struct pb_ident *id);
/* 1 when pid still runs with that starttime and is not a zombie, 0 when not (vanished, reused, zombie). */
int pb_is_alive(const struct pb_root *root, struct pb_ident id);
/* State letter of the live process or 0 when it is gone / another process. */
char pb_state(const struct pb_root *root, struct pb_ident id);
/* Sends sig to exactly that process: pidfd_open, confirm starttime, pidfd_send_signal (kill() without pidfd).
 * Returns 0, or -1 with ESRCH when the process is gone (or the PID was reused), ENOTSUP on a non-live root. */
int pb_signal(const struct pb_root *root, struct pb_ident id, int sig);
int pb_suspend(const struct pb_root *root, struct pb_ident id);
int pb_resume(const struct pb_root *root, struct pb_ident id);
/* pidfd_open(2) and pidfd_send_signal(2), which musl does not wrap: -1 with errno (ENOSYS before Linux 5.3). */
int pb_pidfd_open(int pid);
int pb_pidfd_signal(int fd, int sig);
/* Closes the descriptors first..last: close_range(2), or before Linux 5.9 one at a time up to the descriptor
 * limit (at most 2^20). */
void pb_close_range(unsigned first, unsigned last);

/* A set of processes to wait for; pidfds where the kernel has them, polling /proc otherwise. */
struct pb_waitset {
	const struct pb_root *root;
	size_t n, left;
	struct pb_ident *ids;
	int *fds;          /* pidfd or -1 */
	unsigned char *ended;
};
int pb_waitset_init(struct pb_waitset *ws, const struct pb_root *root, const struct pb_ident *ids, size_t n);
/* Blocks until at least one more process ended or timeout_ms passed (-1: no limit); returns how many are left. */
long pb_waitset_wait(struct pb_waitset *ws, int timeout_ms);
void pb_waitset_free(struct pb_waitset *ws);

enum pb_stop_result { PB_STOP_GONE, PB_STOP_TERMINATED, PB_STOP_KILLED, PB_STOP_SURVIVED };
extern const char *const pb_stop_names[4];
/* Terminate: sig (SIGTERM), SIGCONT so a stopped process can act on it, wait up to timeout_ms, then SIGKILL
 * (unless no_kill) and wait again. */
int pb_stop(const struct pb_root *root, struct pb_ident id, int sig, int timeout_ms, int no_kill,
	    enum pb_stop_result *result);
/* Milliseconds of the monotonic clock. */
long long pb_now_ms(void);

/* ---- the guardian (core/guardian.c): paused processes are resumed even when their pauser is killed ---- */
/*
 * pb_guardian_start forks a guardian that holds a pidfd of the caller and of each process of ids[0..n) (opened,
 * then confirmed by its starttime; one that has ended or whose pid was reused is left out) and sends each one
 * SIGCONT through its pidfd, then exits, when the caller ends (SIGKILL included) or execs before
 * pb_guardian_done, when timeout_ms has passed (-1: never), or when it gets SIGTERM, SIGINT, SIGHUP or SIGQUIT.
 * It keeps no descriptor of the caller's but its own few (stdin, stdout and stderr are /dev/null), leads a
 * session of its own (no terminal), works in / and has every other signal blocked; it is ready (watching the
 * caller) when the call returns. Start it before pausing the processes. Without pidfds (before Linux 5.3) it
 * learns of the caller's death by PR_SET_PDEATHSIG and signals through kill() after a starttime check.
 * 0, or -1 with errno (ENOTSUP for a proc root that is not the live /proc); the caller reaps it with
 * pb_guardian_done, and waits for no other child with waitpid(-1).
 */
struct pb_guardian {
	int pid; /* the guardian process, 0 when none */
	int fd;  /* our end of the socket pair it listens on */
};
int pb_guardian_start(struct pb_guardian *g, const struct pb_root *root, const struct pb_ident *ids, size_t n,
		      long long timeout_ms);
/* Tells the guardian to leave the processes as they are, and reaps it: 0 when it did, 1 when it had resumed them
 * already (the timeout, a signal), -1 with errno (ECHILD: it was killed, or there is none). */
int pb_guardian_done(struct pb_guardian *g);

/* ---- programs on PATH (core/path.c) ---- */
/* Finds NAME (no '/') on $PATH as execvp() would; its full path into out when out is not NULL. 0 or -1/ENOENT. */
int pb_find_program(const char *name, char *out, size_t size);

/* ---- users and groups (core/users.c) ---- */
/* Name of a uid/gid; the decimal number when the database has none. Never NULL. Each id is looked up once and
 * its name kept for the life of the process: a pointer stays valid however many ids are looked up after it
 * ("?" only when memory ran out). */
const char *pb_uid_name(unsigned int uid);
const char *pb_gid_name(unsigned int gid);
/* Name or number -> uid; -1 when neither. */
long pb_user_lookup(const char *name_or_uid);

/* ---- unix sockets of a process (core/sockets.c), for with-gpg-agent ---- */
#define PB_UNIX_LISTENING 0x10000u /* __SO_ACCEPTCON in the flags column of net/unix: a listening socket */
struct pb_unix_socket {
	unsigned long long inode;
	unsigned int flags, type, state;
	char *path; /* NUL-terminated copy: "" unnamed, '@' first for abstract (the kernel shows NULs as '@') */
	size_t path_len;
	long long uid;                       /* the socket's creator; -1 unknown (from net/unix) */
	unsigned long long vfs_dev, vfs_ino; /* the file a path socket was bound to, as in pb_unix_sock */
};
struct pb_unix_sockets {
	struct pb_unix_socket *v;
	size_t n;
	int exact; /* from the kernel (NETLINK_SOCK_DIAG): exact names, uid and bound file; 0: from net/unix */
};
/* Inodes of the sockets among the pinned process's fds (links "socket:[N]"), sorted, each once (malloc'd).
 * ESRCH when the process is gone, EACCES when its fds are not ours to see. */
int pb_pin_socket_inodes(const struct pb_pin *pin, unsigned long long **inodes, size_t *n);
/* The net/unix lines whose inode is in the sorted inodes, in file order, under the rules of pb_parse_net_unix;
 * lines not used counted in *bad. */
int pb_unix_sockets_match(const char *net_unix, size_t len, const unsigned long long *inodes, size_t n,
			  struct pb_unix_sockets *out, size_t *bad);
/*
 * The unix sockets of the root's network namespace with the given inodes (sorted), sorted by inode. On a live
 * root the kernel names them (NETLINK_SOCK_DIAG: exact names, the creator's uid, the bound file; out->exact);
 * without sock_diag, and on a saved tree, net/unix does, under the rules of pb_parse_net_unix. An inode that
 * is no unix socket of the namespace is left out. 0, or -1 with errno.
 */
int pb_unix_sockets_by_inode(const struct pb_root *root, const unsigned long long *inodes, size_t n,
			     struct pb_unix_sockets *out);
/* Every listening unix socket of the root's network namespace, sorted by inode, named as above. */
int pb_unix_listeners(const struct pb_root *root, struct pb_unix_sockets *out);
/* The unix sockets the pinned process holds: its socket fds named as above. */
int pb_pin_unix_sockets(const struct pb_root *root, const struct pb_pin *pin, struct pb_unix_sockets *out);
void pb_unix_sockets_free(struct pb_unix_sockets *s);


/* ---- the graphical session finder (core/session.c): notify-send-headless, with-gui-environment ---- */
/* The variables a desktop session hands its programs, in the order they are reported and printed. */
enum pb_session_var {
	PB_SV_DISPLAY,    /* X11 */
	PB_SV_WAYLAND,    /* WAYLAND_DISPLAY */
	PB_SV_XAUTHORITY,
	PB_SV_RUNTIME,    /* XDG_RUNTIME_DIR */
	PB_SV_BUS,        /* DBUS_SESSION_BUS_ADDRESS */
	PB_SV_COUNT
};
extern const char *const pb_session_var_names[PB_SV_COUNT];

/* One entry of a D-Bus address list ("unix:path=/run/user/1000/bus,guid=...;tcp:host=..."). */
enum pb_bus_kind {
	PB_BUS_UNIX_PATH,     /* unix:path=: a socket file, path holds it unescaped */
	PB_BUS_UNIX_ABSTRACT, /* unix:abstract=: a Linux abstract socket, path holds its name */
	PB_BUS_UNCHECKED,     /* another transport (tcp, launchd, ...) or a server's key: never usable */
	PB_BUS_MALFORMED      /* no transport, no unix key, a bad %XX escape, a NUL byte, a path too long */
};
struct pb_bus_addr {
	enum pb_bus_kind kind;
	char path[4096]; /* NUL-terminated */
	size_t path_len;
};
/* Next entry from *pos (start at 0); 1 with *a filled, 0 after the last. Empty entries (";;") are skipped. */
int pb_parse_bus_address(const char *buf, size_t len, size_t *pos, struct pb_bus_addr *a);

/* A local X display in DISPLAY: no host (or "unix"), ":N" or ":N.S"; 0 with *number set, -1 otherwise. */
int pb_parse_x_display(const char *buf, size_t len, unsigned int *number);

/* One of logind's session records (/run/systemd/sessions/ID, KEY=VALUE lines). */
struct pb_logind_session {
	int have_uid;
	unsigned int uid;
	const char *display; /* DISPLAY=, pointing into the buffer; NULL when absent */
	size_t display_len;
	int closing;         /* STATE=closing: the session is ending */
	int greeter;         /* CLASS=greeter (or lock-screen): a display manager's login screen */
};
int pb_parse_logind_session(const char *buf, size_t len, struct pb_logind_session *ls);

/* One entry of an Xauthority file (family, address, display number, auth name, auth data; big-endian lengths). */
struct pb_xauth {
	unsigned int family; /* 256 FamilyLocal, 65535 FamilyWild, ... */
	const char *address, *number, *name, *data; /* pointing into the buffer */
	size_t address_len, number_len, name_len, data_len;
};
/* Next entry from *pos (start at 0): 1 with *e filled, 0 at the end, -1 on a truncated entry. */
int pb_parse_xauth(const char *buf, size_t len, size_t *pos, struct pb_xauth *e);

/* Why a candidate may not win. */
enum pb_session_reject {
	PB_SR_NONE,
	PB_SR_BUS_GONE,          /* no entry of the bus address is usable: sockets gone, or malformed */
	PB_SR_RUNTIME_DIR_GONE,  /* XDG_RUNTIME_DIR is not a directory any more */
	PB_SR_XAUTHORITY_GONE,   /* the XAUTHORITY file is gone */
	PB_SR_BUS_NOT_USERS,     /* no entry is a unix socket served by the candidate's user (tcp:, another owner) */
	PB_SR_DISPLAY_NOT_LOCAL, /* DISPLAY names no local X display (a host, a path, not ":N[.S]") */
	PB_SR_DISPLAY_GONE,      /* no X server listens for DISPLAY and no logind record names it */
	PB_SR_WAYLAND_GONE,      /* no socket at XDG_RUNTIME_DIR/WAYLAND_DISPLAY */
	PB_SR_OTHER_USERS,       /* the display is display_owner's: its socket or logind's record says so */
	PB_SR_UNVOUCHED,         /* an X server of the system's that no logind record ties to a user, and that
				    refused (or was not offered) a cookie of the user's own XAUTHORITY file */
	PB_SR_GREETER            /* the user's only logind sessions are a display manager's login screen */
};

/* What vouches for a valid candidate's display: something its user cannot fake. */
enum pb_session_vouch {
	PB_VOUCH_NONE,
	PB_VOUCH_X_SOCKET,       /* the X server's socket is the user's (and the server runs as the user) */
	PB_VOUCH_WAYLAND_SOCKET, /* the Wayland socket in XDG_RUNTIME_DIR is the user's */
	PB_VOUCH_LOGIND,         /* a logind session record of the user names the display */
	PB_VOUCH_XAUTHORITY      /* the system's X server accepted a cookie from the user's own XAUTHORITY file */
};

/* One distinct (real uid, values) seen in the environments of running processes. */
struct pb_session {
	unsigned int uid, gid;          /* real ids, from the status of the same pinned process as the values */
	char *value[PB_SV_COUNT];       /* NUL-terminated (values hold no NUL), NULL when unset or empty */
	size_t len[PB_SV_COUNT];
	int nvars;                      /* values set */
	unsigned long procs;            /* processes carrying exactly these values */
	int oldest_pid;                 /* the one of them that started first (the lower pid on equal starts) */
	unsigned long long oldest_start;
	enum pb_session_reject reject;
	enum pb_session_vouch vouch;    /* of a valid candidate */
	unsigned int display_owner;     /* PB_SR_OTHER_USERS: whose display it is */
	int bus_filled;                 /* value[PB_SV_BUS] was filled in from /run/user/UID/bus */
	int bus_reduced;                /* value[PB_SV_BUS] was cut to its one checked entry */
	int desktop;                    /* with every: 1 a valid candidate that stands for its desktop, 0 not
					   (rejected, or the same display as a better one), -1 left out (its user
					   has PB_SESSION_DESKTOPS_MAX desktops already) */
};

/*
 * The vote. Every process (kernel threads, zombies and the caller itself aside) whose environment holds a
 * non-empty DISPLAY or WAYLAND_DISPLAY is a carrier: it is pinned (pb_pin_open with the scanned starttime),
 * its real uid read from status and its variables from environ through the same directory, and it counts
 * for its (uid, values). A candidate is valid only when something its user cannot fake vouches for its
 * display (see enum pb_session_vouch): a display that belongs to another uid, by its socket or logind, is
 * rejected however many processes carry it. Its bus address must name a unix socket (a path or an abstract
 * name) whose owner and server (SO_PEERCRED) are the user; value[PB_SV_BUS] keeps that one entry. Candidates
 * are ranked: valid before rejected, then more processes, then more variables set, then the older oldest
 * process, then the lower pid. The winner is the first candidate when it is valid; when it has no bus
 * address and /run/user/UID/bus is a socket of the user's, it gets unix:path=/run/user/UID/bus.
 * Files are looked up below files_root (NULL: /), whose owner then stands in for root (the system's files:
 * X servers of display managers, logind's records); sockets are connected to, through an O_PATH descriptor
 * so that a symbolic link is never followed. Abstract X sockets are only probed when files_root is NULL.
 */
struct pb_session_search {
	/* in */
	long uid;               /* only carriers of this real uid; -1: all */
	const char *files_root; /* NULL (/), or a directory standing in for / (tests, saved trees) */
	int every;              /* every desktop, not only the winner: pb_session_desktops, and the bus filled in
				   for each desktop */
	/* out: every candidate, best first */
	struct pb_session *candidates;
	size_t n;
	int found;               /* candidates[0] is valid: the session */
	size_t users;            /* distinct uids among the valid candidates */
	unsigned long screened;  /* processes whose environment was looked at */
	unsigned long carriers;  /* of them, with a display variable */
	unsigned long other_uid; /* carriers left out by uid */
	unsigned long vanished;  /* carriers that ended (or whose pid was reused) before they were pinned */
	unsigned long denied;    /* carriers whose pinned status or environ could not be read */
	unsigned long malformed; /* carriers whose status has no Uid:/Gid: */
	/* with every: the candidates that stand for a desktop, by uid and then best first */
	size_t *desktops;
	size_t ndesktops;
	unsigned long left_out;  /* valid candidates with desktop -1 */
};
/* Runs the vote over the table (the environments of unreadable processes are in t->count.denied). 0, or -1
 * with errno on a failed allocation or an unusable files_root; s is then empty. */
int pb_session_find(struct pb_table *t, struct pb_session_search *s);
/* pb_scan with the vote's first look at every environment done during the scan (pb_scan_visit: ~8% less kernel
 * time than a second pass); pb_session_find then reads only the carriers. Any scanned table works as well. */
int pb_session_scan(const struct pb_root *root, struct pb_table *t);
void pb_session_free(struct pb_session_search *s);
/*
 * The desktops among the valid candidates (the first ones, as pb_session_find ranks them): a desktop is one
 * user's display, X (by its number: ":1" and "unix:1.0" are one) or Wayland (by its socket), and a candidate
 * that shares either with a better candidate of the same user belongs to that one's desktop (a Wayland
 * session with Xwayland carries both). Sets desktop on every candidate, fills desktops (by uid, then best
 * first) and left_out: at most PB_SESSION_DESKTOPS_MAX desktops a user, so that one user's thousand sockets
 * cannot make a caller start a thousand commands. Pure: reads the values only. 0, or -1 with errno (ENOMEM).
 */
#define PB_SESSION_DESKTOPS_MAX 8
int pb_session_desktops(struct pb_session_search *s);
/* What a command run as the session's user takes from the session besides its five variables: PATH, LANG
 * and LC_* of the candidate's oldest process, pinned by its start time and still of the candidate's uid, as
 * NUL-terminated NAME=value strings appended to out (each at most 4 KiB, 32 at most). 0, or -1 with errno
 * (ESRCH: the process is gone or is another one now). */
int pb_session_user_env(const struct pb_root *root, const struct pb_session *x, struct pb_buf *out);
/* ---- apache-mem: summary statistics (core/stats.c), Apache masters and their children (core/apache.c) ---- */
struct pb_stats {
	size_t count;
	unsigned long long min, max, total;
	double average, median; /* the median of an even count is the mean of the two middle values */
};
/* Sorts values in place and summarises them. An empty list leaves every field 0 and fails with EDOM (there is no
 * minimum of nothing); a total beyond 2^64 fails with ERANGE. */
int pb_stats_of(unsigned long long *values, size_t n, struct pb_stats *st);

/* The mod_wsgi daemon process group of a cmdline whose first argument starts with "(wsgi:" (display-name=(wsgi:X)):
 * the name runs from "wsgi:" to the first ')' or the end of the argument (mod_wsgi truncates long display names to
 * the space argv had), trailing blanks dropped. Returns 1 and points name into buf, or 0 for any other cmdline. */
int pb_wsgi_group(const char *buf, size_t len, const char **name, size_t *name_len);

/* Do a and b run the same executable? Equal exe paths when both are known, else equal exe names (without root the
 * exe links of other users' processes cannot be read). */
int pb_same_exe(struct pb_table *t, struct pb_proc *a, struct pb_proc *b);
/* An Apache master: a live process whose exe name is one of names and whose parent (if any) runs another
 * executable, so a master under a supervisor, a shell or as PID 1 counts as well as one under init. */
int pb_apache_is_master(struct pb_table *t, struct pb_proc *p, const char *const *names, size_t nnames);
/* The master p belongs to: p itself, or the highest ancestor reached through parents running p's executable. */
struct pb_proc *pb_apache_master_of(struct pb_table *t, struct pb_proc *p);

enum pb_apache_role { PB_APACHE_WORKER, PB_APACHE_WSGI, PB_APACHE_HELPER };
struct pb_apache_member {
	struct pb_proc *proc;
	enum pb_apache_role role;
	char *group; /* "workers", "wsgi:NAME" or "helper:NAME" */
};
struct pb_apache {
	struct pb_proc *master;
	struct pb_apache_member *members; /* the master's children, zombies left out, in pid order */
	size_t n;
	int helpers_unknown; /* descriptors we could not read: a helper running Apache's executable may be a worker */
};
/*
 * The master's children by role. A child whose cmdline names a mod_wsgi group (pb_wsgi_group) is WSGI. A child
 * running another executable (a piped logger) is a helper named after that executable. A child running the
 * master's executable is a worker, unless it holds a listening Unix socket that the master does not hold (the
 * mod_cgid daemon and its cgisock): a helper named after the socket's file, without a ".PID" suffix. Reads the
 * cmdline and exe of every child, and PID/fd of the master and those children only when the root's net/unix
 * lists a listening socket. 0, or -1 (ENOMEM); a child that vanishes meanwhile stays a worker.
 */
int pb_apache_members(struct pb_table *t, struct pb_proc *master, struct pb_apache *a);
void pb_apache_free(struct pb_apache *a);
/* ---- choosing processes by pid, executable, user and ancestry (core/select.c; the applets that choose) ---- */
/*
 * What to choose from one scan. Requested pids are kept as asked (each one found is selected when it passes the
 * filters, even a zombie or a kernel thread: the caller decides what to do with it). Without requested pids every
 * process is a candidate, except kernel threads, zombies, and `self` with its ancestors (unless any_process).
 * Filters given together must all match; the values of one filter are alternatives.
 */
struct pb_select {
	const struct pb_ident *pids;   /* requested; starttime 0 means whatever process has the pid now */
	size_t npids;
	const char *const *exe_names;  /* pb_exe_name() must be one of these */
	size_t nexe;
	/* pb_exe() must be one of these: the exe link alone, which its process cannot forge (never argv[0]), with
	 * " (deleted)" stripped, so that a daemon whose binary was replaced by an upgrade still matches its path */
	const char *const *exe_paths;
	size_t nexe_paths;
	const long *uids;              /* the real uid must be one of these */
	size_t nuids;
	const struct pb_ident *below;  /* must descend from one of these (starttime 0: any) */
	size_t nbelow;
	int below_too;                 /* or be one of them (a subtree with its top) */
	/* Levels below one of them (1: children, 2: grandchildren; the process itself is level 0): at most depth,
	 * exactly level; 0 (or less): any. Both given, both hold. With levels and no `below`, they count from the
	 * processes without a parent in the table (init, kthreadd). */
	long depth, level;
	int tree;                      /* then add every descendant of what was chosen */
	int self;                      /* a pid left out with its ancestors, unless requested; 0: none */
	int any_process;               /* every process is a candidate (what a reader shows) */
	/* NULL, or one flag per pids / below entry: its starttime was given (PID@STARTTIME), so 0 is a start time
	 * to match, not "any" */
	const unsigned char *pids_exact, *below_exact;
};

enum pb_select_why {
	PB_SELECT_NO_PROCESS, /* no process has that pid */
	PB_SELECT_REUSED,     /* the pid belongs to a process with another starttime */
	PB_SELECT_NOT_MATCHED /* the process exists but fails a filter */
};
struct pb_select_miss {
	struct pb_ident id;    /* as requested */
	enum pb_select_why why;
	int below;             /* one of pb_select.below, not of .pids */
};
struct pb_selection {
	struct pb_ident *ids;  /* chosen processes, sorted by pid, no duplicates */
	size_t n;
	struct pb_select_miss *missed; /* requested (and `below`) processes that were not found or not chosen */
	size_t nmissed;
};
int pb_select(struct pb_table *t, const struct pb_select *sel, struct pb_selection *out);
void pb_selection_free(struct pb_selection *s);
/* The same choice as one flag per table entry (chosen[i] for t->procs[i], t->n of them), for a caller that
 * walks the table itself; requests not found are not reported. 0, or -1 with ENOMEM. */
int pb_select_flags(struct pb_table *t, const struct pb_select *sel, unsigned char *chosen);
/*
 * Descendants in t of the processes in ids (each matched by pid and starttime) that are not in ids themselves:
 * what they forked since ids were chosen. Kernel threads, zombies and `self` with its ancestors are left out.
 * Returns how many, in a new array *out sorted by pid (free() it; NULL when none), or -1.
 */
long pb_select_new_descendants(struct pb_table *t, const struct pb_ident *ids, size_t n, int self,
			       struct pb_ident **out);
/* ---- one process identity and one JSON contract for every applet (core/identity.c) ---- */
/* Every JSON document opens with it, the version of its contract: PB_JSON_OPEN ",\"processes\":[..." */
#define PB_JSON_OPEN "{\"version\":1"
#define PB_TIME_MAX 253402300799LL /* 9999-12-31 23:59:59 UTC: later is no time a process started */
/* When a process started, btime (the boot, pb_root_btime; negative: unknown) + starttime / clk_tck, as local time
 * in the zone of TZ: "2026-12-04 16:27:57", or with iso "2026-12-04T16:27:57+01:00" (ISO 8601 with its offset).
 * Its length, 0 (and "") when it cannot be told. */
size_t pb_started_text(char *out, size_t size, const struct pb_root *root, long long btime,
		       unsigned long long starttime, int iso);
/* The boot time of the table's root, read once; negative when unknown. */
long long pb_table_btime(struct pb_table *t);
/*
 * The members "pid":N,"starttime":N,"started":"..." that stand for a process in every applet's JSON: starttime
 * in clock ticks since boot (field 22 of stat, what PID@STARTTIME takes), started its local time with offset
 * (pb_started_text), null when the boot time btime is unknown (negative). known 0 (a pid never found):
 * starttime and started are null.
 */
void pb_json_ident(struct pb_buf *b, const struct pb_root *root, long long btime, struct pb_ident id, int known);
/* The same for a process of a table. */
void pb_json_proc_ident(struct pb_buf *b, struct pb_table *t, const struct pb_proc *p);
/* ---- reliability: visibility of other users' processes (core/visibility.c) ---- */
/* hidepid= of a proc mount (proc(5)): directories listed but closed, hidden, or shown only when ptraceable */
#define PB_HIDEPID_OFF 0
#define PB_HIDEPID_NOACCESS 1
#define PB_HIDEPID_INVISIBLE 2
#define PB_HIDEPID_PTRACEABLE 4
struct pb_proc_mount {
	int hidepid;    /* PB_HIDEPID_*; an unknown value counts as invisible */
	long long gid;  /* gid=: members see everything; -1 when not set */
	int subset_pid; /* subset=pid: only process directories */
};
/* Options of the proc mount of device major:minor in a /proc/self/mountinfo buffer (its first line wins);
 * -1 and ENOENT when no proc mount has that device. */
int pb_parse_mountinfo_proc(const char *buf, size_t len, unsigned int major, unsigned int minor,
			    struct pb_proc_mount *m);
/* Options of the root's proc mount; -1 and ENOENT for a root that is not a live procfs. */
int pb_root_mount(const struct pb_root *root, struct pb_proc_mount *m);
/* 1 when the root hides other users' processes from us or closes their files (hidepid=, and we have neither
 * CAP_SYS_PTRACE nor the gid= group), 0 when we see them all (or the root is a saved tree), -1 when unknown.
 * m (may be NULL) receives the mount options when they had to be read (hidepid "off" otherwise). */
int pb_root_hides_others(const struct pb_root *root, struct pb_proc_mount *m);
/* "off", "noaccess", "invisible", "ptraceable" */
const char *pb_hidepid_name(int hidepid);
/* ---- reading during the scan (core/table.c) ---- */
/* pb_scan, and for each process the files in the mask (1u << PB_F_STATUS, _CMDLINE, _ENVIRON, _EXE, _CGROUP,
 * _SMAPS) read right after its stat, into the same caches the lazy accessors fill on first use (status: the ids,
 * as for pb_status). For a caller that will need those files of (nearly) every process: reading them while the
 * kernel has that process at hand costs ~8% less kernel time than a second pass over the table. */
int pb_scan_with(const struct pb_root *root, struct pb_table *t, unsigned int files);
/* pb_scan_with, then visit(t, p, arg) for each process, for the same reason: a search that looks at a file of
 * every process but keeps little (pb_environ_peek) does it here. p is valid during the call only (the array
 * may still move); the visitor may read through t and set PB_P_MARK in p->flags. */
int pb_scan_visit(const struct pb_root *root, struct pb_table *t, unsigned int files, pb_visit_fn *visit, void *arg);

#endif
