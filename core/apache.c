/* Apache instances in the process table: masters, and their children as workers, mod_wsgi daemons and helpers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procbox.h"

int pb_wsgi_group(const char *buf, size_t len, const char **name, size_t *name_len)
{
	static const char prefix[] = "(wsgi:";
	const char *end = memchr(buf, 0, len), *close_paren;

	if (!end)
		end = buf + len;
	if ((size_t)(end - buf) < sizeof prefix - 1 || memcmp(buf, prefix, sizeof prefix - 1))
		return 0;
	/* mod_wsgi writes the display name over the whole argv area and pads it with blanks */
	close_paren = memchr(buf, ')', (size_t)(end - buf));
	if (close_paren)
		end = close_paren;
	while (end > buf + 1 && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*name = buf + 1;
	*name_len = (size_t)(end - buf - 1);
	return 1;
}

int pb_same_exe(struct pb_table *t, struct pb_proc *a, struct pb_proc *b)
{
	const char *pa = pb_exe_path(t, a), *pb = pb_exe_path(t, b);

	if (*pa && *pb)
		return !strcmp(pa, pb);
	return !strcmp(pb_exe_name(t, a), pb_exe_name(t, b));
}

static int usable(const struct pb_proc *p)
{
	return p->st.state != 'Z' && p->st.state != 'X' && !(p->st.flags & PB_PF_KTHREAD);
}

int pb_apache_is_master(struct pb_table *t, struct pb_proc *p, const char *const *names, size_t nnames)
{
	struct pb_proc *parent;
	const char *name;
	size_t i;

	if (!usable(p))
		return 0;
	name = pb_exe_name(t, p);
	for (i = 0; i < nnames && strcmp(name, names[i]); i++)
		;
	if (i == nnames)
		return 0;
	parent = pb_parent(t, p);
	return !parent || !pb_same_exe(t, parent, p);
}

struct pb_proc *pb_apache_master_of(struct pb_table *t, struct pb_proc *p)
{
	struct pb_proc *parent;
	size_t steps = 0;

	while ((parent = pb_parent(t, p)) && usable(parent) && pb_same_exe(t, parent, p) && steps++ < t->n)
		p = parent;
	return p;
}

/* ---- listening Unix sockets, for telling helpers (the mod_cgid daemon) from workers ---- */

static int by_value(const void *key, const void *elem)
{
	unsigned long long x = *(const unsigned long long *)key, y = *(const unsigned long long *)elem;

	return (x > y) - (x < y);
}

static int by_inode(const void *key, const void *elem)
{
	unsigned long long x = *(const unsigned long long *)key, y = ((const struct pb_unix_socket *)elem)->inode;

	return (x > y) - (x < y);
}

static const struct pb_unix_socket *find_listener(const struct pb_unix_sockets *l, unsigned long long inode)
{
	return l->n ? bsearch(&inode, l->v, l->n, sizeof *l->v, by_inode) : NULL;
}

/* Socket inodes among PID's descriptors, sorted; -1 with errno (EACCES: not ours to read, ESRCH: gone). */
static int socket_inodes(const struct pb_root *root, int pid, unsigned long long **out, size_t *n)
{
	struct pb_pin pin;
	int r, saved;

	*out = NULL;
	*n = 0;
	if (pb_pin_open(root, pid, 0, &pin))
		return -1;
	r = pb_pin_socket_inodes(&pin, out, n);
	saved = errno;
	pb_pin_close(&pin);
	errno = saved;
	return r;
}

static int holds(const unsigned long long *v, size_t n, unsigned long long inode)
{
	return n && bsearch(&inode, v, n, sizeof *v, by_value);
}

/* "helper:" and the socket file's name without a ".DIGITS" suffix (mod_cgid appends the master's pid) */
static char *socket_helper_name(const char *path, size_t len)
{
	const char *base = path, *p, *dot = NULL;
	char *name;

	for (p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	len -= (size_t)(base - path);
	for (p = base + len; p > base && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p > base && p < base + len && p[-1] == '.')
		dot = p - 1;
	if (dot && dot > base)
		len = (size_t)(dot - base);
	if (!len)
		base = "socket", len = 6;
	if (!(name = malloc(len + 8)))
		return NULL;
	memcpy(name, "helper:", 7);
	memcpy(name + 7, base, len);
	name[len + 7] = 0;
	return name;
}

static char *dup_prefixed(const char *prefix, const char *s, size_t len)
{
	size_t plen = strlen(prefix);
	char *name = malloc(plen + len + 1);

	if (name) {
		memcpy(name, prefix, plen);
		memcpy(name + plen, s, len);
		name[plen + len] = 0;
	}
	return name;
}

/*
 * Workers that hold a listening Unix socket the master does not hold become helpers. Costs one look at the
 * listening sockets (the kernel's list on a live root, net/unix otherwise: pb_unix_listeners, where no line a
 * socket path forges is believed) and a readdir of PID/fd for the master and each candidate, and nothing when
 * no socket listens at all.
 */
static int find_socket_helpers(struct pb_table *t, struct pb_apache *a)
{
	struct pb_unix_sockets l = {0};
	const struct pb_unix_socket *found;
	unsigned long long *master_socks = NULL, *socks;
	size_t i, j, nmaster = 0, nsocks;
	char *name;
	int r = 0;

	for (i = 0; i < a->n && a->members[i].role != PB_APACHE_WORKER; i++)
		;
	if (i == a->n)
		return 0;
	if (pb_unix_listeners(t->root, &l)) {
		if (errno == ENOMEM)
			r = -1;
		else if (errno != ENOENT)
			a->helpers_unknown = 1;
		goto out;
	}
	if (!l.n)
		goto out;
	if (socket_inodes(t->root, a->master->st.pid, &master_socks, &nmaster)) {
		if (errno == ENOMEM)
			r = -1;
		else if (errno != ENOENT && errno != ESRCH)
			a->helpers_unknown = 1;
		goto out;
	}
	for (i = 0; i < a->n; i++) {
		if (a->members[i].role != PB_APACHE_WORKER)
			continue;
		if (socket_inodes(t->root, a->members[i].proc->st.pid, &socks, &nsocks)) {
			if (errno == ENOMEM) {
				r = -1;
				goto out;
			}
			if (errno != ENOENT && errno != ESRCH)
				a->helpers_unknown = 1;
			continue;
		}
		for (j = 0; j < nsocks; j++) {
			if (!(found = find_listener(&l, socks[j])) || holds(master_socks, nmaster, socks[j]))
				continue;
			if (!(name = socket_helper_name(found->path, found->path_len))) {
				free(socks);
				errno = ENOMEM;
				r = -1;
				goto out;
			}
			free(a->members[i].group);
			a->members[i].group = name;
			a->members[i].role = PB_APACHE_HELPER;
			break;
		}
		free(socks);
	}
out:
	free(master_socks);
	pb_unix_sockets_free(&l);
	return r;
}

int pb_apache_members(struct pb_table *t, struct pb_proc *master, struct pb_apache *a)
{
	struct pb_apache_member *m;
	struct pb_proc *c;
	const char *cmd, *wsgi, *exe_name;
	size_t n = 0, len, wlen;

	memset(a, 0, sizeof *a);
	a->master = master;
	for (c = pb_first_child(t, master); c; c = pb_next_sibling(t, c))
		n++;
	if (n && !(a->members = calloc(n, sizeof *a->members))) {
		errno = ENOMEM;
		return -1;
	}
	for (c = pb_first_child(t, master); c; c = pb_next_sibling(t, c)) {
		/* an exited child not yet reaped holds no memory and has no executable left to compare */
		if (!usable(c))
			continue;
		m = &a->members[a->n];
		m->proc = c;
		cmd = pb_cmdline(t, c, &len);
		if (pb_wsgi_group(cmd, len, &wsgi, &wlen)) {
			m->role = PB_APACHE_WSGI;
			m->group = dup_prefixed("", wsgi, wlen);
		} else if (!pb_same_exe(t, c, master)) {
			exe_name = pb_exe_name(t, c);
			m->role = PB_APACHE_HELPER;
			m->group = dup_prefixed("helper:", exe_name, strlen(exe_name));
		} else {
			m->role = PB_APACHE_WORKER;
			m->group = dup_prefixed("", "workers", 7);
		}
		a->n++;
		if (!m->group)
			goto nomem;
	}
	if (find_socket_helpers(t, a))
		goto nomem;
	return 0;
nomem:
	pb_apache_free(a);
	errno = ENOMEM;
	return -1;
}

void pb_apache_free(struct pb_apache *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->members[i].group);
	free(a->members);
	memset(a, 0, sizeof *a);
}
