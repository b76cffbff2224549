/* The graphical session finder: a vote over the environments of all processes, validation, the bus fill-in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ---- the search ---- */

struct search {
	struct pb_session_search *s;
	struct pb_table *t;
	size_t cap;
	size_t *slots; /* candidate index + 1, 0 for empty; open addressing */
	size_t slot_mask;
	struct pb_buf status, environ;
	int files_fd;  /* AT_FDCWD for /, else a descriptor of files_root */
	struct pb_buf net_unix;
	int net_unix_state; /* 0 not read yet, 1 read, -1 unreadable */
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

/* 1 exists (as a directory when want_dir), 0 gone, -1 cannot tell (no permission, relative, too long) */
static int path_state(struct search *q, const char *path, int want_dir)
{
	struct stat sb;
	const char *rel = path;

	if (path[0] != '/')
		return -1;
	if (q->files_fd != AT_FDCWD) {
		while (*rel == '/')
			rel++;
		if (!*rel)
			rel = ".";
	}
	if (fstatat(q->files_fd, rel, &sb, 0)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return -1;
	}
	if (want_dir && !S_ISDIR(sb.st_mode))
		return 0;
	return 1;
}

struct abstract_match {
	const char *name;
	size_t len;
};

static int is_abstract(const struct pb_unix_sock *sock, void *arg)
{
	const struct abstract_match *m = arg;

	return sock->path_len == m->len + 1 && sock->path[0] == '@' && !memcmp(sock->path + 1, m->name, m->len);
}

/* 1 listed in the proc root's net/unix, 0 not, -1 cannot tell */
static int abstract_state(struct search *q, const char *name, size_t len)
{
	struct abstract_match m = {name, len};
	size_t bad;

	if (!q->net_unix_state) {
		/* the sockets of our network namespace: a bus in another one looks gone, and then loses */
		q->net_unix_state = pb_read_at(q->t->root->fd, "net/unix", &q->net_unix) ? -1 : 1;
	}
	if (q->net_unix_state < 0)
		return -1;
	return pb_parse_net_unix(q->net_unix.data, q->net_unix.len, is_abstract, &m, &bad) ? 1 : 0;
}

static int bus_usable(struct search *q, const char *addr, size_t len)
{
	struct pb_bus_addr a;
	size_t pos = 0;

	while (pb_parse_bus_address(addr, len, &pos, &a)) {
		switch (a.kind) {
		case PB_BUS_UNIX_PATH:
			if (path_state(q, a.path, 0))
				return 1;
			break;
		case PB_BUS_UNIX_ABSTRACT:
			if (abstract_state(q, a.path, a.path_len))
				return 1;
			break;
		case PB_BUS_UNCHECKED:
			return 1;
		case PB_BUS_MALFORMED:
			break;
		}
	}
	return 0;
}

static void validate(struct search *q, struct pb_session *x)
{
	if (x->value[PB_SV_BUS] && !bus_usable(q, x->value[PB_SV_BUS], x->len[PB_SV_BUS]))
		x->reject = PB_SR_BUS_GONE;
	else if (x->value[PB_SV_RUNTIME] && !path_state(q, x->value[PB_SV_RUNTIME], 1))
		x->reject = PB_SR_RUNTIME_DIR_GONE;
	else if (x->value[PB_SV_XAUTHORITY] && !path_state(q, x->value[PB_SV_XAUTHORITY], 0))
		x->reject = PB_SR_XAUTHORITY_GONE;
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

/* a session without a bus address (started by hand, or by a display manager that leaves it to systemd) */
static int fill_in_bus(struct search *q, struct pb_session *x)
{
	char path[64], addr[80];

	if (x->value[PB_SV_BUS])
		return 0;
	snprintf(path, sizeof path, "/run/user/%u/bus", x->uid);
	if (path_state(q, path, 0) != 1)
		return 0;
	snprintf(addr, sizeof addr, "unix:path=%s", path);
	x->value[PB_SV_BUS] = dup_value(addr, strlen(addr));
	if (!x->value[PB_SV_BUS])
		return -1;
	x->len[PB_SV_BUS] = strlen(addr);
	x->bus_filled = 1;
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

int pb_session_find(struct pb_table *t, struct pb_session_search *s)
{
	struct search q;
	struct carrier c;
	struct pb_proc *p;
	size_t i;
	int saved, r = -1;

	s->candidates = NULL;
	s->n = 0;
	s->found = 0;
	s->screened = s->carriers = s->other_uid = s->vanished = s->denied = s->malformed = 0;
	self_pid = getpid();
	memset(&q, 0, sizeof q);
	q.s = s;
	q.t = t;
	q.files_fd = AT_FDCWD;
	pb_buf_init(&q.status);
	pb_buf_init(&q.environ);
	pb_buf_init(&q.net_unix);
	if (s->files_root) {
		q.files_fd = open(s->files_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (q.files_fd < 0)
			goto out;
	}
	if (grow_slots(&q))
		goto out;
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
		if (read_carrier(&q, p, &c))
			continue;
		if (s->uid >= 0 && (long)c.uid != s->uid) {
			s->other_uid++;
			continue;
		}
		if (count_carrier(&q, &c, p))
			goto out;
	}
	for (i = 0; i < s->n; i++)
		validate(&q, &s->candidates[i]);
	if (s->n)
		qsort(s->candidates, s->n, sizeof *s->candidates, by_rank);
	s->found = s->n && !s->candidates[0].reject;
	if (s->found && fill_in_bus(&q, &s->candidates[0]))
		goto out;
	r = 0;
out:
	saved = errno;
	if (q.files_fd >= 0 && q.files_fd != AT_FDCWD)
		close(q.files_fd);
	free(q.slots);
	pb_buf_free(&q.status);
	pb_buf_free(&q.environ);
	pb_buf_free(&q.net_unix);
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
	s->candidates = NULL;
	s->n = 0;
	s->found = 0;
}
