/* The graphical session finder: a vote over the environments of all processes, what vouches for a display,
 * validation, the bus fill-in. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "procbox.h"

const char *const pb_session_var_names[PB_SV_COUNT] = {
	[PB_SV_DISPLAY] = "DISPLAY",
	[PB_SV_WAYLAND] = "WAYLAND_DISPLAY",
	[PB_SV_XAUTHORITY] = "XAUTHORITY",
	[PB_SV_RUNTIME] = "XDG_RUNTIME_DIR",
	[PB_SV_BUS] = "DBUS_SESSION_BUS_ADDRESS",
};

/* ---- D-Bus addresses (pure) ---- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* D-Bus escapes bytes of values as %XX; a NUL cannot be part of a path we can look up */
static int unescape(const char *s, size_t n, struct pb_bus_addr *a)
{
	size_t i, out = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (!c || out + 1 >= sizeof a->path)
			return -1;
		a->path[out++] = c;
	}
	if (!out)
		return -1;
	a->path[out] = 0;
	a->path_len = out;
	return 0;
}

int pb_parse_bus_address(const char *buf, size_t len, size_t *pos, struct pb_bus_addr *a)
{
	const char *entry, *end, *colon, *key, *kend, *comma, *eq;
	size_t elen;

	/* skip empty entries */
	while (*pos < len && buf[*pos] == ';')
		(*pos)++;
	if (*pos >= len)
		return 0;
	entry = buf + *pos;
	end = memchr(entry, ';', len - *pos);
	if (!end)
		end = buf + len;
	elen = (size_t)(end - entry);
	*pos += elen;
	a->path[0] = 0;
	a->path_len = 0;
	a->kind = PB_BUS_MALFORMED;
	colon = memchr(entry, ':', elen);
	if (!colon || colon == entry)
		return 1;
	if ((size_t)(colon - entry) != 4 || memcmp(entry, "unix", 4)) {
		a->kind = PB_BUS_UNCHECKED;
		return 1;
	}
	/* unix: the first path= or abstract= decides; dir=, tmpdir= and runtime= are for servers to listen on */
	for (key = colon + 1; key < end; key = kend + 1) {
		comma = memchr(key, ',', (size_t)(end - key));
		kend = comma ? comma : end;
		eq = memchr(key, '=', (size_t)(kend - key));
		if (!eq)
			continue;
		if (eq - key == 4 && !memcmp(key, "path", 4)) {
			if (unescape(eq + 1, (size_t)(kend - eq - 1), a) == 0)
				a->kind = PB_BUS_UNIX_PATH;
			return 1;
		}
		if (eq - key == 8 && !memcmp(key, "abstract", 8)) {
			if (unescape(eq + 1, (size_t)(kend - eq - 1), a) == 0)
				a->kind = PB_BUS_UNIX_ABSTRACT;
			return 1;
		}
		if ((eq - key == 3 && !memcmp(key, "dir", 3)) || (eq - key == 6 && !memcmp(key, "tmpdir", 6)) ||
		    (eq - key == 7 && !memcmp(key, "runtime", 7)))
			a->kind = PB_BUS_UNCHECKED;
	}
	return 1;
}

/* ---- X displays, logind's session records, Xauthority files (pure) ---- */

/* digits making a number of at most max; -1 when they do not (empty, a sign, anything else) */
static long digits_value(const char *s, size_t n, unsigned long max)
{
	unsigned long v = 0;
	size_t i;

	if (!n || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v > max ? -1 : (long)v;
}

int pb_parse_x_display(const char *buf, size_t len, unsigned int *number)
{
	const char *colon = NULL, *dot, *end = buf + len;
	size_t i;
	long n;

	/* the host is what comes before the last colon, as libxcb reads it (an IPv6 host holds colons) */
	for (i = len; i-- > 0;)
		if (buf[i] == ':') {
			colon = buf + i;
			break;
		}
	if (!colon)
		return -1;
	/* no host, or "unix": the local socket; any other host is reached over TCP */
	if (colon != buf && !(colon - buf == 4 && !memcmp(buf, "unix", 4)))
		return -1;
	dot = memchr(colon + 1, '.', (size_t)(end - colon - 1));
	if (dot && digits_value(dot + 1, (size_t)(end - dot - 1), 65535) < 0)
		return -1;
	n = digits_value(colon + 1, (size_t)((dot ? dot : end) - colon - 1), 65535);
	if (n < 0)
		return -1;
	*number = (unsigned int)n;
	return 0;
}

int pb_parse_logind_session(const char *buf, size_t len, struct pb_logind_session *ls)
{
	const char *line, *nl, *end = buf + len;
	size_t n;
	long uid;

	memset(ls, 0, sizeof *ls);
	for (line = buf; line < end; line = nl + 1) {
		if (!(nl = memchr(line, '\n', (size_t)(end - line))))
			nl = end;
		n = (size_t)(nl - line);
		if (memchr(line, 0, n))
			return -1; /* logind writes text: a NUL means this is not its record */
		if (n >= 4 && !memcmp(line, "UID=", 4)) {
			uid = digits_value(line + 4, n - 4, 4294967294UL);
			if (uid < 0 || ls->have_uid)
				return -1; /* a second UID= would make two owners of one session */
			ls->uid = (unsigned int)uid;
			ls->have_uid = 1;
		} else if (n >= 8 && !memcmp(line, "DISPLAY=", 8)) {
			if (ls->display && (n - 8 != ls->display_len || memcmp(line + 8, ls->display, n - 8)))
				return -1; /* two displays: which one would it be? */
			ls->display = line + 8;
			ls->display_len = n - 8;
		} else if (n == 13 && !memcmp(line, "STATE=closing", 13)) {
			ls->closing = 1;
		} else if ((n == 13 && !memcmp(line, "CLASS=greeter", 13)) ||
			   (n == 17 && !memcmp(line, "CLASS=lock-screen", 17))) {
			ls->greeter = 1;
		}
	}
	return 0;
}

static int xauth_counted(const char *buf, size_t len, size_t *pos, const char **field, size_t *flen)
{
	size_t n;

	if (len - *pos < 2)
		return -1;
	n = (size_t)(unsigned char)buf[*pos] << 8 | (unsigned char)buf[*pos + 1];
	*pos += 2;
	if (len - *pos < n)
		return -1;
	*field = buf + *pos;
	*flen = n;
	*pos += n;
	return 0;
}

int pb_parse_xauth(const char *buf, size_t len, size_t *pos, struct pb_xauth *e)
{
	size_t p = *pos;

	if (p >= len)
		return 0;
	if (len - p < 2)
		return -1;
	e->family = (unsigned int)(unsigned char)buf[p] << 8 | (unsigned char)buf[p + 1];
	p += 2;
	if (xauth_counted(buf, len, &p, &e->address, &e->address_len) ||
	    xauth_counted(buf, len, &p, &e->number, &e->number_len) ||
	    xauth_counted(buf, len, &p, &e->name, &e->name_len) || xauth_counted(buf, len, &p, &e->data, &e->data_len))
		return -1;
	*pos = p;
	return 1;
}

/* ---- the search ---- */

/* what the sockets of one X display say about it */
enum xd_state {
	XD_NONE,     /* no X server listens for it */
	XD_USER,     /* its server runs as a user (uid), and owns its socket file */
	XD_SYSTEM,   /* its server is the system's (a display manager's): logind or a cookie must say whose */
	XD_CONFLICT, /* its socket file and its abstract socket are served by different users */
	XD_UNKNOWN   /* it could not be checked (a full backlog, a path too long) */
};

struct xdisplay {
	unsigned int number;
	enum xd_state state;
	unsigned int uid;
	int abstract; /* the server was reached on its abstract socket only */
};

/* a logind session record that names an X display, or a greeter's */
struct logind_record {
	unsigned int uid, display;
	int has_display, greeter;
};

/* X connection setups tried for one uid: each costs a round trip to the server */
struct cookie_budget {
	unsigned int uid, tries;
};

struct search {
	struct pb_session_search *s;
	struct pb_table *t;
	size_t cap;
	size_t *slots; /* candidate index + 1, 0 for empty; open addressing */
	size_t slot_mask;
	struct pb_buf status, environ;
	int files_fd;  /* AT_FDCWD for /, else a descriptor of files_root */
	unsigned int system_uid, system_gid; /* root's, or the owner and group of files_root */
	struct xdisplay *displays;
	size_t ndisplays;
	struct logind_record *logind;
	size_t nlogind;
	int logind_read;
	struct cookie_budget budgets[32];
	size_t nbudgets;
};

/* the values of a carrier, pointing into its pinned environ */
struct carrier {
	unsigned int uid, gid;
	const char *value[PB_SV_COUNT];
	size_t len[PB_SV_COUNT];
};

static unsigned long long hash_carrier(const struct carrier *c)
{
	unsigned long long h = 14695981039346656037ULL;
	size_t i, k;

	for (i = 0; i < sizeof c->uid; i++)
		h = (h ^ (unsigned char)(c->uid >> (8 * i))) * 1099511628211ULL;
	for (k = 0; k < PB_SV_COUNT; k++) {
		for (i = 0; i < c->len[k]; i++)
			h = (h ^ (unsigned char)c->value[k][i]) * 1099511628211ULL;
		/* a NUL, which no value holds, ends each value: ("ab", "") and ("a", "b") hash apart */
		h = (h ^ 0) * 1099511628211ULL;
	}
	return h;
}

static unsigned long long hash_session(const struct pb_session *x)
{
	struct carrier c;
	size_t k;

	c.uid = x->uid;
	for (k = 0; k < PB_SV_COUNT; k++) {
		c.value[k] = x->value[k];
		c.len[k] = x->len[k];
	}
	return hash_carrier(&c);
}

static int same(const struct pb_session *x, const struct carrier *c)
{
	size_t k;

	if (x->uid != c->uid)
		return 0;
	for (k = 0; k < PB_SV_COUNT; k++) {
		if (!x->value[k] != !c->value[k] || x->len[k] != c->len[k])
			return 0;
		if (x->len[k] && memcmp(x->value[k], c->value[k], c->len[k]))
			return 0;
	}
	return 1;
}

/* doubles the slot table; candidates stay where they are */
static int grow_slots(struct search *q)
{
	size_t size = q->slots ? (q->slot_mask + 1) * 2 : 64, i, j;
	size_t *slots = calloc(size, sizeof *slots);

	if (!slots)
		return -1;
	for (i = 0; i < q->s->n; i++) {
		for (j = hash_session(&q->s->candidates[i]) & (size - 1); slots[j]; j = (j + 1) & (size - 1))
			;
		slots[j] = i + 1;
	}
	free(q->slots);
	q->slots = slots;
	q->slot_mask = size - 1;
	return 0;
}

static char *dup_value(const char *v, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, v, n);
		p[n] = 0;
	}
	return p;
}

/* counts one carrier for its (uid, values), adding a candidate the first time */
static int count_carrier(struct search *q, const struct carrier *c, const struct pb_proc *p)
{
	struct pb_session_search *s = q->s;
	struct pb_session *x, *grown;
	size_t j, k;

	if ((s->n + 1) * 2 > q->slot_mask + 1 && grow_slots(q))
		return -1;
	for (j = hash_carrier(c) & q->slot_mask; q->slots[j]; j = (j + 1) & q->slot_mask) {
		x = &s->candidates[q->slots[j] - 1];
		if (!same(x, c))
			continue;
		x->procs++;
		/* the table is sorted by pid, so on equal starts the first one seen keeps the lower pid */
		if (p->st.starttime < x->oldest_start) {
			x->oldest_start = p->st.starttime;
			x->oldest_pid = p->st.pid;
		}
		return 0;
	}
	if (s->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		grown = realloc(s->candidates, q->cap * sizeof *grown);
		if (!grown)
			return -1;
		s->candidates = grown;
	}
	x = &s->candidates[s->n];
	memset(x, 0, sizeof *x);
	x->uid = c->uid;
	x->gid = c->gid;
	x->procs = 1;
	x->oldest_pid = p->st.pid;
	x->oldest_start = p->st.starttime;
	for (k = 0; k < PB_SV_COUNT; k++) {
		if (!c->value[k])
			continue;
		x->value[k] = dup_value(c->value[k], c->len[k]);
		if (!x->value[k]) {
			while (k-- > 0)
				free(x->value[k]);
			return -1;
		}
		x->len[k] = c->len[k];
		x->nvars++;
	}
	q->slots[j] = ++s->n;
	return 0;
}

/* DISPLAY or WAYLAND_DISPLAY set and not empty, the first of each name deciding (as pb_environ_get reads
 * them): one pass over the environment, as this runs for every process */
static int has_display(const char *env, size_t len)
{
	const char *p, *end = env + len, *nul;
	int seen = 0;

	for (p = env; p < end; p = nul + 1) {
		if (!(nul = memchr(p, 0, (size_t)(end - p))))
			nul = end;
		if (*p == 'D' && !(seen & 1) && nul - p >= 8 && !memcmp(p, "DISPLAY=", 8)) {
			if (nul - p > 8)
				return 1;
			seen |= 1;
		} else if (*p == 'W' && !(seen & 2) && nul - p >= 16 && !memcmp(p, "WAYLAND_DISPLAY=", 16)) {
			if (nul - p > 16)
				return 1;
			seen |= 2;
		}
	}
	return 0;
}

static void count_failure(struct pb_session_search *s, int err)
{
	if (err == ENOENT || err == ESRCH)
		s->vanished++;
	else
		s->denied++;
}

/*
 * The uid and the values must come from one process: between the scan and these reads the pid may have been
 * reused by a process of another user, and believing its environment under the first owner's uid would run
 * a command as the wrong user. Pinning with the scanned starttime catches that.
 */
static int read_carrier(struct search *q, struct pb_proc *p, struct carrier *c)
{
	struct pb_pin pin;
	struct pb_status st;
	size_t k, vlen;
	const char *v;
	int err;

	if (pb_pin_open(q->t->root, p->st.pid, p->st.starttime, &pin)) {
		count_failure(q->s, errno);
		return -1;
	}
	q->status.len = q->environ.len = 0;
	if (pb_pin_read(&pin, "status", &q->status) || pb_pin_read(&pin, "environ", &q->environ)) {
		err = errno;
		pb_pin_close(&pin);
		count_failure(q->s, err);
		return -1;
	}
	pb_pin_close(&pin);
	if (pb_parse_status(q->status.data, q->status.len, &st) || !st.have_uid || !st.have_gid) {
		q->s->malformed++;
		return -1;
	}
	c->uid = st.uid.real;
	c->gid = st.gid.real;
	for (k = 0; k < PB_SV_COUNT; k++) {
		v = pb_environ_get(q->environ.data, q->environ.len, pb_session_var_names[k], &vlen);
		c->value[k] = v && vlen ? v : NULL;
		c->len[k] = v ? vlen : 0;
	}
	/* a process may overwrite its environment block (setproctitle does): it then carries nothing */
	if (!c->value[PB_SV_DISPLAY] && !c->value[PB_SV_WAYLAND])
		return -1;
	return 0;
}

/* ---- validation ---- */

/* path below the files root: a descriptor-relative name for an absolute path */
static const char *below_root(const struct search *q, const char *path)
{
	if (q->files_fd == AT_FDCWD)
		return path;
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* 1 exists (as a directory when want_dir), 0 gone, -1 cannot tell (no permission, relative, too long) */
static int path_state(struct search *q, const char *path, int want_dir)
{
	struct stat sb;

	if (path[0] != '/')
		return -1;
	if (fstatat(q->files_fd, below_root(q, path), &sb, 0)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return -1;
	}
	if (want_dir && !S_ISDIR(sb.st_mode))
		return 0;
	return 1;
}

/* A stream connection (non-blocking) with the uid of the server at the other end in *peer; -1 with errno:
 * ECONNREFUSED nobody listens, EAGAIN its backlog is full. */
static int connect_to(const struct sockaddr_un *sa, socklen_t len, unsigned int *peer)
{
	struct ucred cred;
	socklen_t clen = sizeof cred;
	int fd, saved;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, len) || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen)) {
		saved = errno;
		close(fd);
		errno = saved == EINPROGRESS ? EAGAIN : saved;
		return -1;
	}
	*peer = cred.uid;
	return fd;
}

/*
 * The socket file at path (below the files root), connected to through an O_PATH descriptor of it: a symbolic
 * link at its end is never followed, and the owner read is that of the socket connected to, not of whatever
 * the path names a moment later. Returns the connection, with the file's owner in *owner and the server's
 * uid in *peer; -1 with errno: ENOENT gone, ENOTSOCK not a socket, ECONNREFUSED nobody listens any more.
 */
static int connect_file(const struct search *q, const char *path, unsigned int *owner, unsigned int *peer)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat sb;
	int pfd, fd = -1, saved;

	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	pfd = openat(q->files_fd, below_root(q, path), O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, &sb) == 0) {
		if (S_ISSOCK(sb.st_mode)) {
			*owner = sb.st_uid;
			snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", pfd);
			fd = connect_to(&sa, sizeof sa, peer);
		} else {
			errno = ENOTSOCK;
		}
	}
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
}

static int connect_abstract(const char *name, size_t len, unsigned int *peer)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (len + 1 > sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path + 1, name, len);
	return connect_to(&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len), peer);
}

/* a connection the vote only needed to see made */
static int hang_up(int fd)
{
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* the kinds of outcome of a socket check */
enum sock_check { SOCK_USERS, SOCK_GONE, SOCK_OTHERS, SOCK_UNKNOWN };

/* Is the socket file at path a live socket of uid's: owned by uid, and its server running as uid? */
static enum sock_check user_socket_file(const struct search *q, const char *path, unsigned int uid,
					unsigned int *other)
{
	unsigned int owner = 0, peer = 0;

	if (!hang_up(connect_file(q, path, &owner, &peer))) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ECONNREFUSED)
			return SOCK_GONE;
		return errno == ENOTSOCK ? SOCK_OTHERS : SOCK_UNKNOWN;
	}
	*other = owner != uid ? owner : peer;
	return owner == uid && peer == uid ? SOCK_USERS : SOCK_OTHERS;
}

/*
 * The bus address, entry by entry: a unix:path= socket owned and served by the user, or a unix:abstract=
 * socket served by the user. Any other transport (tcp: would let whoever listens on that port answer the
 * command, or root when it evaluates --print-env) is never usable. Returns 1 with [*start, *end) the first
 * usable entry; 0 with *why.
 */
static int bus_usable(const struct search *q, const struct pb_session *x, size_t *start, size_t *end,
		      enum pb_session_reject *why)
{
	const char *addr = x->value[PB_SV_BUS];
	size_t len = x->len[PB_SV_BUS], pos = 0, from;
	struct pb_bus_addr a;
	unsigned int other, peer;
	enum sock_check c;
	int others = 0;

	for (;;) {
		for (from = pos; from < len && addr[from] == ';'; from++)
			;
		if (!pb_parse_bus_address(addr, len, &pos, &a))
			break;
		switch (a.kind) {
		case PB_BUS_UNIX_PATH:
			c = user_socket_file(q, a.path, x->uid, &other);
			break;
		case PB_BUS_UNIX_ABSTRACT:
			if (hang_up(connect_abstract(a.path, a.path_len, &peer)))
				c = peer == x->uid ? SOCK_USERS : SOCK_OTHERS;
			else
				c = errno == ECONNREFUSED ? SOCK_GONE : SOCK_UNKNOWN;
			break;
		case PB_BUS_UNCHECKED:
			c = SOCK_OTHERS;
			break;
		default:
			c = SOCK_GONE;
			break;
		}
		if (c == SOCK_USERS) {
			*start = from;
			*end = pos;
			return 1;
		}
		others |= c != SOCK_GONE;
	}
	*why = others ? PB_SR_BUS_NOT_USERS : PB_SR_BUS_GONE;
	return 0;
}

/* whose X display number is: its socket file /tmp/.X11-unix/X<number>, and on the live system its abstract
 * socket too (a server listens on both; a file that a user left behind, or made, must not speak alone) */
static struct xdisplay *x_display(struct search *q, unsigned int number)
{
	struct xdisplay *d, *grown;
	unsigned int owner = 0, file_peer = 0, abstract_peer = 0;
	char path[40];
	int file, abstract = 0;
	size_t i;

	for (i = 0; i < q->ndisplays; i++)
		if (q->displays[i].number == number)
			return &q->displays[i];
	if (!(q->ndisplays & (q->ndisplays + 1))) {
		grown = realloc(q->displays, (q->ndisplays * 2 + 1) * sizeof *grown);
		if (!grown)
			return NULL;
		q->displays = grown;
	}
	d = &q->displays[q->ndisplays++];
	d->number = number;
	d->abstract = 0;
	d->uid = 0;
	snprintf(path, sizeof path, "/tmp/.X11-unix/X%u", number);
	file = hang_up(connect_file(q, path, &owner, &file_peer));
	if (!file && errno != ENOENT && errno != ENOTDIR && errno != ECONNREFUSED && errno != ENOTSOCK) {
		d->state = XD_UNKNOWN;
		return d;
	}
	if (!q->s->files_root && q->t->root->is_live) {
		abstract = hang_up(connect_abstract(path, strlen(path), &abstract_peer));
		if (!abstract && errno != ECONNREFUSED) {
			d->state = XD_UNKNOWN;
			return d;
		}
	}
	if (file && owner != file_peer && owner != q->system_uid) {
		d->state = XD_CONFLICT; /* a user's file, someone else's server */
	} else if (file && abstract && file_peer != abstract_peer) {
		d->state = XD_CONFLICT;
	} else if (file || abstract) {
		d->uid = file ? file_peer : abstract_peer;
		d->abstract = !file;
		d->state = d->uid == q->system_uid ? XD_SYSTEM : XD_USER;
	} else {
		d->state = XD_NONE;
	}
	return d;
}

/* a bounded read of a regular file below the files root that belongs to owner (not through a symbolic link
 * at its end, never a FIFO or a device: root opens it); 0, or -1 */
static int read_owned_file(int dirfd, const char *name, unsigned int owner, size_t max,
			   struct pb_buf *b)
{
	struct stat before, sb;
	ssize_t r;
	int fd;

	if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) || !S_ISREG(before.st_mode) || before.st_uid != owner ||
	    (size_t)before.st_size > max)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	b->len = 0;
	if (fstat(fd, &sb) || sb.st_dev != before.st_dev || sb.st_ino != before.st_ino || pb_buf_reserve(b, max + 1))
		goto fail;
	while (b->len < max + 1) {
		r = read(fd, b->data + b->len, max + 1 - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		b->len += (size_t)r;
	}
	close(fd);
	return b->len > max ? -1 : 0;
fail:
	close(fd);
	return -1;
}

/* the system's own: owned by root (or the files root's owner), writable by no one else */
static int system_owned(const struct search *q, const struct stat *sb)
{
	return sb->st_uid == q->system_uid && !(sb->st_mode & S_IWOTH) &&
	       (!(sb->st_mode & S_IWGRP) || sb->st_gid == q->system_gid);
}

/*
 * logind's session records (/run/systemd/sessions), read once: the system's directory and files. A record
 * stands for its UID; one with a DISPLAY ties that X display to it. Ending sessions are left out.
 */
static int read_logind(struct search *q)
{
	struct logind_record *grown;
	struct pb_logind_session ls;
	struct pb_buf b;
	struct dirent *e;
	struct stat sb;
	unsigned int n;
	DIR *dir;
	int fd;

	q->logind_read = 1;
	fd = openat(q->files_fd, below_root(q, "/run/systemd/sessions"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) || !system_owned(q, &sb) || !(dir = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	pb_buf_init(&b);
	while ((e = readdir(dir)) && q->nlogind < 4096) {
		/* the records are named by the session id; "ID.ref" are FIFOs */
		if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
			continue;
		if (fstatat(dirfd(dir), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) || !system_owned(q, &sb) ||
		    read_owned_file(dirfd(dir), e->d_name, q->system_uid, 65536, &b))
			continue;
		if (pb_parse_logind_session(b.data, b.len, &ls) || !ls.have_uid || ls.closing)
			continue;
		if (!(q->nlogind & (q->nlogind + 1))) {
			grown = realloc(q->logind, (q->nlogind * 2 + 1) * sizeof *grown);
			if (!grown)
				break;
			q->logind = grown;
		}
		q->logind[q->nlogind].uid = ls.uid;
		q->logind[q->nlogind].greeter = ls.greeter;
		q->logind[q->nlogind].has_display =
			ls.display && pb_parse_x_display(ls.display, ls.display_len, &n) == 0;
		q->logind[q->nlogind].display = q->logind[q->nlogind].has_display ? n : 0;
		q->nlogind++;
	}
	pb_buf_free(&b);
	closedir(dir);
	return 0;
}

/* logind on display number: 1 uid has a record naming it, 0 only others have (*other: one of them), -1 no
 * record names it */
static int logind_display(struct search *q, unsigned int number, unsigned int uid, unsigned int *other)
{
	size_t i;
	int named = 0;

	if (!q->logind_read)
		read_logind(q);
	for (i = 0; i < q->nlogind; i++) {
		if (!q->logind[i].has_display || q->logind[i].display != number)
			continue;
		if (q->logind[i].uid == uid)
			return 1;
		*other = q->logind[i].uid;
		named = 1;
	}
	return named ? 0 : -1;
}

/* logind knows uid only as a display manager's login screen */
static int greeter_only(struct search *q, unsigned int uid)
{
	size_t i;
	int greeter = 0;

	if (!q->logind_read)
		read_logind(q);
	for (i = 0; i < q->nlogind; i++) {
		if (q->logind[i].uid != uid)
			continue;
		if (!q->logind[i].greeter)
			return 0;
		greeter = 1;
	}
	return greeter;
}

/* the X connection setup with one MIT-MAGIC-COOKIE-1: 1 the server accepted it, 0 not */
static int x_accepts(const struct search *q, const struct xdisplay *d, const char *cookie)
{
	static const char head[12] = {'l', 0, 11, 0, 0, 0, 18, 0, 16, 0, 0, 0};
	char req[48], path[40], reply;
	struct pollfd pfd;
	unsigned int owner, peer;
	int fd, ok = 0;

	snprintf(path, sizeof path, "/tmp/.X11-unix/X%u", d->number);
	fd = d->abstract ? connect_abstract(path, strlen(path), &peer) : connect_file(q, path, &owner, &peer);
	if (fd < 0)
		return 0;
	/* the server we ask must still be the system's one: a cookie proves nothing to a server of the user's */
	memcpy(req, head, sizeof head);
	memcpy(req + 12, "MIT-MAGIC-COOKIE-1\0\0", 20);
	memcpy(req + 32, cookie, 16);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (peer == q->system_uid && send(fd, req, sizeof req, MSG_NOSIGNAL) == (ssize_t)sizeof req &&
	    poll(&pfd, 1, 2000) == 1 && read(fd, &reply, 1) == 1)
		ok = reply == 1; /* 0 Failed, 1 Success, 2 Authenticate */
	close(fd);
	return ok;
}

/* one more X connection setup for uid, or none left: a user with thousands of candidates must not keep the
 * vote (and the display's server) busy; past 32 users, no more setups at all */
static int cookie_try(struct search *q, unsigned int uid)
{
	size_t i;

	for (i = 0; i < q->nbudgets && q->budgets[i].uid != uid; i++)
		;
	if (i == q->nbudgets) {
		if (i == sizeof q->budgets / sizeof q->budgets[0])
			return 0;
		q->budgets[q->nbudgets++] = (struct cookie_budget){uid, 0};
	}
	return q->budgets[i].tries++ < 8;
}

/*
 * The system's X server (a display manager's Xorg) that no logind record ties to a user: the user must know
 * a cookie it accepts, read from an XAUTHORITY file of the user's own. Without access control any cookie is
 * accepted, and then every user who carries the display passes (and root is asked to choose).
 */
static int cookie_vouches(struct search *q, const struct pb_session *x, const struct xdisplay *d)
{
	const char *path = x->value[PB_SV_XAUTHORITY];
	char number[12];
	struct pb_xauth e;
	struct pb_buf b;
	size_t pos = 0, n = (size_t)snprintf(number, sizeof number, "%u", d->number);
	int r, tried = 0, ok = 0;

	if (!path || path[0] != '/')
		return 0;
	pb_buf_init(&b);
	if (read_owned_file(q->files_fd, below_root(q, path), x->uid, 65536, &b) == 0) {
		while (!ok && tried < 4 && (r = pb_parse_xauth(b.data, b.len, &pos, &e)) == 1) {
			if ((e.family != 256 && e.family != 65535) || e.number_len != n || memcmp(e.number, number, n) ||
			    e.name_len != 18 || memcmp(e.name, "MIT-MAGIC-COOKIE-1", 18) || e.data_len != 16)
				continue;
			tried++;
			ok = cookie_try(q, x->uid) && x_accepts(q, d, e.data);
		}
	}
	pb_buf_free(&b);
	return ok;
}

static void reject(struct pb_session *x, enum pb_session_reject why, unsigned int owner)
{
	if (x->reject)
		return;
	x->reject = why;
	x->display_owner = owner;
	x->vouch = PB_VOUCH_NONE;
}

/* DISPLAY: its server's user, else logind's record, else (a server of the system's) a cookie, checked last */
static void check_x(struct search *q, struct pb_session *x, const struct xdisplay **need_cookie)
{
	const struct xdisplay *d;
	unsigned int number, other = 0;
	int r;

	if (pb_parse_x_display(x->value[PB_SV_DISPLAY], x->len[PB_SV_DISPLAY], &number)) {
		reject(x, PB_SR_DISPLAY_NOT_LOCAL, 0);
		return;
	}
	if (!(d = x_display(q, number))) {
		reject(x, PB_SR_UNVOUCHED, 0);
		return;
	}
	switch (d->state) {
	case XD_USER:
		if (d->uid == x->uid)
			x->vouch = PB_VOUCH_X_SOCKET;
		else
			reject(x, PB_SR_OTHER_USERS, d->uid);
		return;
	case XD_CONFLICT:
	case XD_UNKNOWN:
		reject(x, PB_SR_UNVOUCHED, 0);
		return;
	case XD_SYSTEM:
	case XD_NONE:
		break;
	}
	r = logind_display(q, number, x->uid, &other);
	if (r == 1)
		x->vouch = PB_VOUCH_LOGIND;
	else if (r == 0)
		reject(x, PB_SR_OTHER_USERS, other);
	else if (d->state == XD_NONE)
		reject(x, PB_SR_DISPLAY_GONE, 0);
	else
		*need_cookie = d;
}

/* WAYLAND_DISPLAY: a socket in XDG_RUNTIME_DIR (or an absolute path), owned and served by the user */
static void check_wayland(struct search *q, struct pb_session *x)
{
	static const enum pb_session_reject outcome[] = {
		[SOCK_USERS] = PB_SR_NONE,
		[SOCK_GONE] = PB_SR_WAYLAND_GONE,
		[SOCK_OTHERS] = PB_SR_OTHER_USERS,
		[SOCK_UNKNOWN] = PB_SR_UNVOUCHED,
	};
	const char *name = x->value[PB_SV_WAYLAND], *dir = x->value[PB_SV_RUNTIME];
	unsigned int other = 0;
	enum sock_check c = SOCK_GONE;
	char path[8192];

	if (name[0] == '/')
		c = user_socket_file(q, name, x->uid, &other);
	else if (dir && dir[0] == '/')
		c = snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path
			    ? user_socket_file(q, path, x->uid, &other)
			    : SOCK_UNKNOWN;
	if (c != SOCK_USERS)
		reject(x, outcome[c], other);
	else if (!x->vouch)
		x->vouch = PB_VOUCH_WAYLAND_SOCKET;
}

static int validate(struct search *q, struct pb_session *x)
{
	const struct xdisplay *need_cookie = NULL;
	enum pb_session_reject why = PB_SR_NONE;
	size_t start, end;
	char *entry;

	if (x->value[PB_SV_DISPLAY])
		check_x(q, x, &need_cookie);
	if (x->value[PB_SV_WAYLAND])
		check_wayland(q, x);
	if (!x->reject && q->s->uid != (long)x->uid && greeter_only(q, x->uid))
		reject(x, PB_SR_GREETER, 0);
	if (x->reject)
		return 0;
	if (x->value[PB_SV_BUS]) {
		if (!bus_usable(q, x, &start, &end, &why)) {
			reject(x, why, 0);
			return 0;
		}
		if (start || end < x->len[PB_SV_BUS]) {
			if (!(entry = dup_value(x->value[PB_SV_BUS] + start, end - start)))
				return -1;
			free(x->value[PB_SV_BUS]);
			x->value[PB_SV_BUS] = entry;
			x->len[PB_SV_BUS] = end - start;
			x->bus_reduced = 1;
		}
	}
	if (x->value[PB_SV_RUNTIME] && !path_state(q, x->value[PB_SV_RUNTIME], 1))
		reject(x, PB_SR_RUNTIME_DIR_GONE, 0);
	else if (x->value[PB_SV_XAUTHORITY] && !path_state(q, x->value[PB_SV_XAUTHORITY], 0))
		reject(x, PB_SR_XAUTHORITY_GONE, 0);
	else if (need_cookie && cookie_vouches(q, x, need_cookie))
		x->vouch = PB_VOUCH_XAUTHORITY;
	else if (need_cookie)
		reject(x, PB_SR_UNVOUCHED, 0);
	return 0;
}

static int by_rank(const void *a, const void *b)
{
	const struct pb_session *x = a, *y = b;

	if (!x->reject != !y->reject)
		return x->reject ? 1 : -1;
	if (x->procs != y->procs)
		return x->procs > y->procs ? -1 : 1;
	if (x->nvars != y->nvars)
		return x->nvars > y->nvars ? -1 : 1;
	if (x->oldest_start != y->oldest_start)
		return x->oldest_start < y->oldest_start ? -1 : 1;
	/* a process carries one set of values, so two candidates never share their oldest pid */
	return (x->oldest_pid > y->oldest_pid) - (x->oldest_pid < y->oldest_pid);
}

/* the distinct uids of the valid candidates (which come first) */
static void count_users(struct pb_session_search *s)
{
	size_t i, j;

	s->users = 0;
	for (i = 0; i < s->n && !s->candidates[i].reject; i++) {
		for (j = 0; j < i && s->candidates[j].uid != s->candidates[i].uid; j++)
			;
		s->users += j == i;
	}
}

/* a session without a bus address (started by hand, or by a display manager that leaves it to systemd):
 * the user's own bus at /run/user/UID/bus, when it is a socket the user owns and serves */
static int fill_in_bus(struct search *q, struct pb_session *x)
{
	char path[64], addr[80];
	unsigned int other;

	if (x->value[PB_SV_BUS])
		return 0;
	snprintf(path, sizeof path, "/run/user/%u/bus", x->uid);
	if (user_socket_file(q, path, x->uid, &other) != SOCK_USERS)
		return 0;
	snprintf(addr, sizeof addr, "unix:path=%s", path);
	x->value[PB_SV_BUS] = dup_value(addr, strlen(addr));
	if (!x->value[PB_SV_BUS])
		return -1;
	x->len[PB_SV_BUS] = strlen(addr);
	x->bus_filled = 1;
	return 0;
}

/* ---- desktops ---- */

/* the Wayland socket of a valid candidate: WAYLAND_DISPLAY when absolute, else XDG_RUNTIME_DIR/WAYLAND_DISPLAY
 * (check_wayland let it through only so, and only when it fits) */
static const char *wayland_socket(const struct pb_session *x, char *buf, size_t size)
{
	const char *name = x->value[PB_SV_WAYLAND];

	if (name[0] == '/' || !x->value[PB_SV_RUNTIME])
		return name;
	snprintf(buf, size, "%s/%s", x->value[PB_SV_RUNTIME], name);
	return buf;
}

/* x and y (of one user) name the same X display, or the same Wayland socket */
static int same_display(const struct pb_session *x, const struct pb_session *y, enum pb_session_var k)
{
	char xs[8192], ys[8192];
	unsigned int xn, yn;

	if (!x->value[k] || !y->value[k])
		return 0;
	if (k == PB_SV_DISPLAY)
		return !pb_parse_x_display(x->value[k], x->len[k], &xn) &&
		       !pb_parse_x_display(y->value[k], y->len[k], &yn) && xn == yn;
	return !strcmp(wayland_socket(x, xs, sizeof xs), wayland_socket(y, ys, sizeof ys));
}

struct uid_rank {
	unsigned int uid;
	size_t i;
};

static int by_uid(const void *a, const void *b)
{
	const struct uid_rank *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int pb_session_desktops(struct pb_session_search *s)
{
	/* a desktop of the current user: the candidates that gave it its X display and its Wayland socket */
	size_t by[PB_SESSION_DESKTOPS_MAX][2], i, j, valid, ndesk = 0;
	struct pb_session *c = s->candidates, *x;
	struct uid_rank *order;

	free(s->desktops);
	s->desktops = NULL;
	s->ndesktops = 0;
	s->left_out = 0;
	for (valid = 0; valid < s->n && !c[valid].reject; valid++)
		;
	for (i = 0; i < s->n; i++)
		c[i].desktop = 0;
	if (!valid)
		return 0;
	order = malloc(valid * sizeof *order);
	s->desktops = malloc(valid * sizeof *s->desktops);
	if (!order || !s->desktops) {
		free(order);
		free(s->desktops);
		s->desktops = NULL;
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < valid; i++)
		order[i] = (struct uid_rank){c[i].uid, i};
	qsort(order, valid, sizeof *order, by_uid);
	for (i = 0; i < valid; i++) {
		x = &c[order[i].i];
		if (i && order[i].uid != order[i - 1].uid)
			ndesk = 0;
		for (j = 0; j < ndesk; j++)
			if ((by[j][0] < s->n && same_display(x, &c[by[j][0]], PB_SV_DISPLAY)) ||
			    (by[j][1] < s->n && same_display(x, &c[by[j][1]], PB_SV_WAYLAND)))
				break;
		if (j == ndesk && ndesk == PB_SESSION_DESKTOPS_MAX) {
			x->desktop = -1;
			s->left_out++;
			continue;
		}
		if (j == ndesk) {
			by[j][0] = by[j][1] = (size_t)-1;
			x->desktop = 1;
			s->desktops[s->ndesktops++] = order[i].i;
			ndesk++;
		}
		/* what the desktop did not know yet: the Xwayland display of a Wayland desktop, say */
		if (by[j][0] >= s->n && x->value[PB_SV_DISPLAY])
			by[j][0] = order[i].i;
		if (by[j][1] >= s->n && x->value[PB_SV_WAYLAND])
			by[j][1] = order[i].i;
	}
	free(order);
	return 0;
}

static int self_pid; /* set before each search: one getpid, not one per process */

/* Kernel threads have no environment, zombies have lost theirs, ours is the caller's. */
static int screened_out(const struct pb_table *t, const struct pb_proc *p)
{
	return (p->st.flags & PB_PF_KTHREAD) || p->st.state == 'Z' || (t->root->is_live && p->st.pid == self_pid);
}

/* The first look at every process, during the scan: its environment is read into the table's scratch (not
 * kept) and a process that sets DISPLAY or WAYLAND_DISPLAY is marked as a carrier. */
static void screen(struct pb_table *t, struct pb_proc *p, void *arg)
{
	const char *env;
	size_t len;

	(void)arg;
	if (screened_out(t, p))
		return;
	env = pb_environ_peek(t, p, &len);
	if (has_display(env, len))
		p->flags |= PB_P_MARK;
}

int pb_session_scan(const struct pb_root *root, struct pb_table *t)
{
	self_pid = getpid();
	return pb_scan_visit(root, t, 0, screen, NULL);
}

/* s's results emptied and q set up to search t for them (files_root opened): 0, or -1 with errno. q can be
 * ended (end_search) either way. */
static int start_search(struct search *q, struct pb_table *t, struct pb_session_search *s)
{
	struct stat sb;

	s->candidates = NULL;
	s->n = 0;
	s->found = 0;
	s->users = 0;
	s->screened = s->carriers = s->other_uid = s->vanished = s->denied = s->malformed = 0;
	s->desktops = NULL;
	s->ndesktops = 0;
	s->left_out = 0;
	self_pid = getpid();
	memset(q, 0, sizeof *q);
	q->s = s;
	q->t = t;
	q->files_fd = AT_FDCWD;
	pb_buf_init(&q->status);
	pb_buf_init(&q->environ);
	if (s->files_root) {
		q->files_fd = open(s->files_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (q->files_fd < 0 || fstat(q->files_fd, &sb))
			return -1;
		q->system_uid = sb.st_uid;
		q->system_gid = sb.st_gid;
	}
	return grow_slots(q);
}

/* Each process that carries a display (marked by screen, during the scan or now) and passes the uid filter,
 * counted as a vote for the candidate its values make: 0, or -1 when out of memory. */
static int collect_candidates(struct search *q)
{
	struct pb_session_search *s = q->s;
	struct pb_table *t = q->t;
	struct carrier c;
	struct pb_proc *p;
	size_t i;

	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		if (screened_out(t, p))
			continue;
		s->screened++;
		if (t->visited != screen)
			screen(t, p, NULL);
		if (!(p->flags & PB_P_MARK))
			continue;
		s->carriers++;
		if (read_carrier(q, p, &c))
			continue;
		if (s->uid >= 0 && (long)c.uid != s->uid) {
			s->other_uid++;
			continue;
		}
		if (count_carrier(q, &c, p))
			return -1;
	}
	return 0;
}

/* The candidates validated and ranked, the winner (and with s->every, each desktop) given its bus: 0, or -1. */
static int rank_candidates(struct search *q)
{
	struct pb_session_search *s = q->s;
	size_t i;

	/* the likeliest first: a user's X connection setups are rationed (cookie_try) */
	if (s->n)
		qsort(s->candidates, s->n, sizeof *s->candidates, by_rank);
	for (i = 0; i < s->n; i++)
		if (validate(q, &s->candidates[i]))
			return -1;
	if (s->n)
		qsort(s->candidates, s->n, sizeof *s->candidates, by_rank);
	s->found = s->n && !s->candidates[0].reject;
	count_users(s);
	if (s->found && fill_in_bus(q, &s->candidates[0]))
		return -1;
	if (s->every && pb_session_desktops(s))
		return -1;
	for (i = 0; i < s->ndesktops; i++)
		if (fill_in_bus(q, &s->candidates[s->desktops[i]]))
			return -1;
	return 0;
}

/* what the search held beyond s's results: the files_root descriptor and its tables */
static void end_search(struct search *q)
{
	if (q->files_fd >= 0 && q->files_fd != AT_FDCWD)
		close(q->files_fd);
	free(q->slots);
	free(q->displays);
	free(q->logind);
	pb_buf_free(&q->status);
	pb_buf_free(&q->environ);
}

int pb_session_find(struct pb_table *t, struct pb_session_search *s)
{
	struct search q;
	int saved, r = -1;

	if (start_search(&q, t, s) == 0 && collect_candidates(&q) == 0 && rank_candidates(&q) == 0)
		r = 0;
	saved = errno;
	end_search(&q);
	if (r) {
		pb_session_free(s);
		errno = saved;
	}
	return r;
}

void pb_session_free(struct pb_session_search *s)
{
	size_t i, k;

	for (i = 0; i < s->n; i++)
		for (k = 0; k < PB_SV_COUNT; k++)
			free(s->candidates[i].value[k]);
	free(s->candidates);
	free(s->desktops);
	s->candidates = NULL;
	s->desktops = NULL;
	s->n = s->ndesktops = 0;
	s->found = 0;
	s->users = 0;
}

/* PATH=, LANG= or LC_ and capitals then =: what a command takes from the session's own environment; the
 * length of the name and its '=', 0 for any other entry */
static size_t user_env_name(const char *e, size_t n)
{
	size_t i;

	if ((n >= 5 && !memcmp(e, "PATH=", 5)) || (n >= 5 && !memcmp(e, "LANG=", 5)))
		return 5;
	if (n < 4 || memcmp(e, "LC_", 3))
		return 0;
	for (i = 3; i < n && ((e[i] >= 'A' && e[i] <= 'Z') || e[i] == '_'); i++)
		;
	return i > 3 && i < n && e[i] == '=' ? i + 1 : 0;
}

int pb_session_user_env(const struct pb_root *root, const struct pb_session *x, struct pb_buf *out)
{
	struct pb_buf status, env;
	struct pb_status st;
	struct pb_pin pin;
	const char *e, *p, *end, *nul;
	size_t n, k, kept = 0;
	int r = -1, saved;

	pb_buf_init(&status);
	pb_buf_init(&env);
	if (pb_pin_open(root, x->oldest_pid, x->oldest_start, &pin))
		return -1;
	if (pb_pin_read(&pin, "status", &status) || pb_pin_read(&pin, "environ", &env))
		goto out;
	if (pb_parse_status(status.data, status.len, &st) || !st.have_uid || st.uid.real != x->uid) {
		errno = ESRCH;
		goto out;
	}
	end = env.data + env.len;
	for (e = env.data; e < end && kept < 32; e = nul + 1) {
		if (!(nul = memchr(e, 0, (size_t)(end - e))))
			nul = end;
		n = (size_t)(nul - e);
		if (n > 4096 || !(k = user_env_name(e, n)))
			continue;
		/* the first of a name decides, as getenv reads it */
		for (p = env.data; p < e && strncmp(p, e, k); p += strlen(p) + 1)
			;
		if (p < e)
			continue;
		pb_buf_add(out, e, n);
		pb_buf_addc(out, 0);
		kept++;
	}
	r = out->failed ? -1 : 0;
	if (r)
		errno = ENOMEM;
out:
	saved = errno;
	pb_pin_close(&pin);
	pb_buf_free(&status);
	pb_buf_free(&env);
	errno = saved;
	return r;
}
