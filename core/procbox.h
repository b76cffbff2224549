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
/* JSON string with quotes; valid UTF-8 passes, control characters and invalid bytes become \u00XX escapes. */
void pb_buf_json_str(struct pb_buf *b, const char *s, size_t n);
/* Text for a terminal: printable bytes and valid UTF-8 pass, control characters and invalid bytes become '?'. */
void pb_buf_text_str(struct pb_buf *b, const char *s, size_t n);
/* POSIX shell single-quoted word: 'it'\''s'. */
void pb_buf_shell_str(struct pb_buf *b, const char *s, size_t n);
int pb_buf_write_fd(struct pb_buf *b, int fd); /* writes everything and empties b */

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
};
/* Calls fn for every well-formed socket line (the header and malformed lines are skipped, counted in *bad). */
int pb_parse_net_unix(const char *buf, size_t len, int (*fn)(const struct pb_unix_sock *, void *), void *arg,
		      size_t *bad);
/* "socket:[12345]" -> 12345; 0 when the link is not a socket. */
unsigned long long pb_socket_inode(const char *link, size_t len);

/* ---- the proc root and reading (core/root.c) ---- */
struct pb_root {
	int fd;       /* O_DIRECTORY descriptor of the proc root */
	int is_live;  /* the root is the kernel's /proc, so signals reach the processes it lists */
	char path[256];
	long clk_tck, page_size;
};
/* Opens $PROCBOX_PROC or /proc (path NULL) or the given path. */
int pb_root_open(struct pb_root *root, const char *path);
void pb_root_close(struct pb_root *root);
/* Reads a whole file relative to dirfd into b (appended, NUL-terminated beyond len). */
int pb_read_at(int dirfd, const char *name, struct pb_buf *b);
/* readlinkat into a buffer, NUL-terminated; returns the length. */
ssize_t pb_readlink_at(int dirfd, const char *name, char *out, size_t size);
/* Seconds since boot (PROCBOX_PROC/uptime) and the boot time (btime of PROCBOX_PROC/stat). */
int pb_root_uptime(const struct pb_root *root, double *uptime);
int pb_root_btime(const struct pb_root *root, long long *btime);

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
/* 1 when pid still runs with that starttime and is not a zombie, 0 when not (vanished, reused, zombie). */
int pb_is_alive(const struct pb_root *root, struct pb_ident id);
/* State letter of the live process or 0 when it is gone / another process. */
char pb_state(const struct pb_root *root, struct pb_ident id);
/* Sends sig to exactly that process: pidfd_open, confirm starttime, pidfd_send_signal (kill() without pidfd).
 * Returns 0, or -1 with ESRCH when the process is gone (or the PID was reused), ENOTSUP on a non-live root. */
int pb_signal(const struct pb_root *root, struct pb_ident id, int sig);
int pb_suspend(const struct pb_root *root, struct pb_ident id);
int pb_resume(const struct pb_root *root, struct pb_ident id);

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

/* ---- users and groups (core/users.c) ---- */
/* Name of a uid/gid; the decimal number when the database has none. Cached; never NULL. */
const char *pb_uid_name(unsigned int uid);
const char *pb_gid_name(unsigned int gid);
/* Name or number -> uid; -1 when neither. */
long pb_user_lookup(const char *name_or_uid);

/* ---- reading during the scan (core/table.c; issue 9, performance) ---- */
/* pb_scan, and for each process the files in the mask (1u << PB_F_STATUS, _CMDLINE, _ENVIRON, _EXE, _CGROUP,
 * _SMAPS) read right after its stat, into the same caches the lazy accessors fill on first use (status: the ids,
 * as for pb_status). For a caller that will need those files of (nearly) every process: reading them while the
 * kernel has that process at hand costs ~8% less kernel time than a second pass over the table. */
int pb_scan_with(const struct pb_root *root, struct pb_table *t, unsigned int files);

#endif
