/*
 * Unix sockets of the proc root's network namespace: those a process holds (its fd links "socket:[INODE]") and
 * the listening ones, named by the kernel through NETLINK_SOCK_DIAG on a live root, from net/unix otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procbox.h"

static int by_inode(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

int pb_pin_socket_inodes(const struct pb_pin *pin, unsigned long long **inodes, size_t *n)
{
	unsigned long long *v = NULL, *grown, inode;
	size_t count = 0, cap = 0, i, kept;
	struct dirent *de;
	char link[64];
	ssize_t len;
	DIR *dir;
	int fd, saved;

	*inodes = NULL;
	*n = 0;
	fd = openat(pin->dirfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		/* the pinned directory outlives its process: its entries are gone then */
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	dir = fdopendir(fd);
	if (!dir) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	/* readdir reports its errors only through errno: clear it before every call */
	for (errno = 0; (de = readdir(dir)); errno = 0) {
		if (de->d_name[0] == '.')
			continue;
		/* an fd closed since readdir, or an entry that is no link (fixtures), is simply not a socket */
		len = readlinkat(fd, de->d_name, link, sizeof link - 1);
		if (len <= 0)
			continue;
		inode = pb_socket_inode(link, (size_t)len);
		if (!inode)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(v, cap * sizeof *v);
			if (!grown) {
				free(v);
				closedir(dir);
				errno = ENOMEM;
				return -1;
			}
			v = grown;
		}
		v[count++] = inode;
	}
	saved = errno;
	closedir(dir);
	if (saved) {
		free(v);
		errno = saved == ENOENT ? ESRCH : saved;
		return -1;
	}
	/* one socket may sit on several fds (dup, inherited): keep each inode once, sorted for bsearch */
	if (count)
		qsort(v, count, sizeof *v, by_inode);
	for (i = kept = 0; i < count; i++)
		if (!kept || v[kept - 1] != v[i])
			v[kept++] = v[i];
	*inodes = v;
	*n = kept;
	return 0;
}

/* ---- the sockets that net/unix or the kernel lists ---- */

struct collect {
	const unsigned long long *inodes; /* sorted; NULL: every socket passes */
	size_t n;
	int listening_only;
	struct pb_unix_sockets *out;
	size_t cap;
};

static int collect(const struct pb_unix_sock *s, void *arg)
{
	struct collect *c = arg;
	struct pb_unix_socket *grown, *e;

	if (c->inodes && !bsearch(&s->inode, c->inodes, c->n, sizeof *c->inodes, by_inode))
		return 0;
	if (c->listening_only && !(s->flags & PB_UNIX_LISTENING))
		return 0;
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		grown = realloc(c->out->v, c->cap * sizeof *grown);
		if (!grown)
			goto nomem;
		c->out->v = grown;
	}
	e = &c->out->v[c->out->n];
	e->path = malloc(s->path_len + 1);
	if (!e->path)
		goto nomem;
	memcpy(e->path, s->path, s->path_len);
	e->path[s->path_len] = 0;
	e->path_len = s->path_len;
	e->inode = s->inode;
	e->flags = s->flags;
	e->type = s->type;
	e->state = s->state;
	e->uid = s->uid;
	e->vfs_dev = s->vfs_dev;
	e->vfs_ino = s->vfs_ino;
	c->out->n++;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

int pb_unix_sockets_match(const char *net_unix, size_t len, const unsigned long long *inodes, size_t n,
			  struct pb_unix_sockets *out, size_t *bad)
{
	struct collect c = {inodes, n, 0, out, 0};

	out->v = NULL;
	out->n = 0;
	out->exact = 0;
	*bad = 0;
	if (!n)
		return 0;
	if (pb_parse_net_unix(net_unix, len, collect, &c, bad)) {
		pb_unix_sockets_free(out);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The sockets of the root's net/unix that pass c's filter, under the rules of pb_parse_net_unix. */
static int text_sockets(const struct pb_root *root, struct collect *c)
{
	struct pb_buf net;
	size_t bad;
	int r, saved;

	pb_buf_init(&net);
	r = pb_read_at(root->fd, "net/unix", &net);
	if (r == 0 && pb_parse_net_unix(net.data, net.len, collect, c, &bad))
		r = -1;
	saved = errno;
	pb_buf_free(&net);
	errno = saved;
	return r;
}

/*
 * NETLINK_SOCK_DIAG, the kernel's own table of sockets: exact names (no text that a path could forge), the
 * bound file and the creator's uid. The layouts of <linux/netlink.h> and <linux/unix_diag.h>, which musl's
 * headers lack.
 */
#define NETLINK_SOCK_DIAG 4
#define SOCK_DIAG_BY_FAMILY 20
#define NL_F_REQUEST 0x1
#define NL_F_DUMP 0x300 /* NLM_F_ROOT | NLM_F_MATCH */
#define UDIAG_SHOW_NAME 0x1
#define UDIAG_SHOW_VFS 0x2
#define UDIAG_SHOW_UID 0x40
#define TCP_LISTEN_STATE 10
#define DIAG_ALL_STATES 0xffffffffu
#define DIAG_EXACT_MAX 32 /* more inodes than this: one dump, filtered here */
#define DIAG_BUF_SIZE 32768 /* a dump's datagrams are at most 32 KiB: a smaller buffer would cut them */

struct nl_address {
	sa_family_t family;
	unsigned short pad;
	uint32_t pid, groups;
};

struct diag_request {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
	/* struct unix_diag_req */
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t states, ino, show, cookie[2];
};

/*
 * One request, and the kernel's answer passed to fn until it ends (a dump: NLMSG_DONE; one inode: its single
 * message or an error). 0, fn's non-zero value, or -1 with errno (ENOENT: no such socket, or no unix_diag).
 */
static int diag_ask(int fd, uint32_t seq, uint32_t ino, uint32_t states, int (*fn)(const struct pb_unix_sock *,
		    void *), void *arg, char *buf)
{
	struct diag_request req = {
		.len = sizeof req,
		.type = SOCK_DIAG_BY_FAMILY,
		.flags = NL_F_REQUEST | (ino ? 0 : NL_F_DUMP),
		.seq = seq,
		.family = AF_UNIX,
		.states = states,
		.ino = ino,
		.show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_UID,
		.cookie = {~0u, ~0u}, /* INET_DIAG_NOCOOKIE: whichever socket has the inode */
	};
	struct nl_address kernel = {.family = AF_NETLINK};
	socklen_t alen;
	uint32_t got_seq;
	ssize_t got;
	int done = 0, r;

	if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)sizeof req)
		return -1;
	while (!done) {
		alen = sizeof kernel;
		/* MSG_TRUNC: the datagram's whole length, so that a cut one is seen */
		got = recvfrom(fd, buf, DIAG_BUF_SIZE, MSG_TRUNC, (struct sockaddr *)&kernel, &alen);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		/* only the kernel's answer to this request: port 0, our sequence number, nothing cut */
		if (got > DIAG_BUF_SIZE) {
			errno = EMSGSIZE;
			return -1;
		}
		if (got < 16 || kernel.pid != 0)
			continue;
		memcpy(&got_seq, buf + 8, sizeof got_seq);
		if (got_seq != seq)
			continue;
		r = pb_parse_unix_diag(buf, (size_t)got, fn, arg, &done);
		if (r)
			return r;
		/* the answer about one inode is one message, without NLMSG_DONE */
		if (ino)
			break;
	}
	return 0;
}

static int by_socket_inode(const void *a, const void *b)
{
	return by_inode(&((const struct pb_unix_socket *)a)->inode, &((const struct pb_unix_socket *)b)->inode);
}

/* Sorts by inode and drops every socket whose inode appears twice (a dump can meet a socket that moves between
 * hash chains while it runs: then neither copy is sure). */
static void sort_once(struct pb_unix_sockets *s)
{
	size_t i, j, kept = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, by_socket_inode);
	for (i = 0; i < s->n; i = j) {
		for (j = i + 1; j < s->n && s->v[j].inode == s->v[i].inode; j++)
			;
		if (j == i + 1) {
			s->v[kept++] = s->v[i];
			continue;
		}
		for (; i < j; i++)
			free(s->v[i].path);
	}
	s->n = kept;
}

/*
 * The sockets that pass c's filter, from the kernel: the inodes asked for, one request each (the kernel looks
 * each one up in its whole table: for many inodes one dump is cheaper), or a dump of the listening ones.
 * 1: sock_diag cannot be used here (no netlink, no unix_diag), the caller reads net/unix instead; 0; -1 with
 * errno.
 */
static int diag_sockets(struct collect *c)
{
	char *buf;
	size_t i, found = 0;
	int fd, r = 0, saved;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return errno == ENOMEM || errno == EMFILE || errno == ENFILE ? -1 : 1;
	buf = malloc(DIAG_BUF_SIZE);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	if (!c->inodes || c->n > DIAG_EXACT_MAX) {
		r = diag_ask(fd, 1, 0, c->inodes ? DIAG_ALL_STATES : 1u << TCP_LISTEN_STATE, collect, c, buf);
	} else {
		for (i = 0; i < c->n && r == 0; i++) {
			/* sockfs numbers its inodes in 32 bits: a larger one is no socket the kernel could name */
			if (c->inodes[i] > 0xffffffffULL)
				continue;
			r = diag_ask(fd, (uint32_t)i + 1, (uint32_t)c->inodes[i], DIAG_ALL_STATES, collect, c, buf);
			if (r == 0)
				found++;
			else if (errno == ENOENT) /* not a unix socket of our network namespace */
				r = 0;
		}
		/* nothing found at all: an empty dump tells whether unix_diag is there to find anything */
		if (r == 0 && !found)
			r = diag_ask(fd, (uint32_t)c->n + 1, 0, 0, collect, c, buf);
	}
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	/* ENOENT for a dump: the kernel has no unix_diag; EINVAL, EOPNOTSUPP, EPERM: a filter or an old kernel */
	if (r && (errno == ENOENT || errno == EINVAL || errno == EOPNOTSUPP || errno == EPERM || errno == EACCES))
		return 1;
	return r ? -1 : 0;
}

static int find_sockets(const struct pb_root *root, struct collect *c)
{
	struct pb_unix_sockets *out = c->out;
	int r = 1;

	out->v = NULL;
	out->n = 0;
	out->exact = 0;
	if (c->inodes && !c->n)
		return 0;
	/* a live root lists our network namespace, which sock_diag answers for; a saved tree has only its text */
	if (root->is_live) {
		r = diag_sockets(c);
		out->exact = r == 0;
		if (r == 1)
			pb_unix_sockets_free(out);
	}
	if (r == 1) {
		c->cap = 0;
		r = text_sockets(root, c);
	}
	if (r == 0)
		sort_once(out);
	else
		pb_unix_sockets_free(out);
	return r ? -1 : 0;
}

int pb_unix_sockets_by_inode(const struct pb_root *root, const unsigned long long *inodes, size_t n,
			     struct pb_unix_sockets *out)
{
	/* no inodes asked for: an empty, not a NULL, set (NULL lets every socket through) */
	static const unsigned long long none;
	struct collect c = {n ? inodes : &none, n, 0, out, 0};

	return find_sockets(root, &c);
}

int pb_unix_listeners(const struct pb_root *root, struct pb_unix_sockets *out)
{
	struct collect c = {NULL, 0, 1, out, 0};

	return find_sockets(root, &c);
}

int pb_pin_unix_sockets(const struct pb_root *root, const struct pb_pin *pin, struct pb_unix_sockets *out)
{
	unsigned long long *inodes;
	size_t n;
	int r, saved;

	out->v = NULL;
	out->n = 0;
	out->exact = 0;
	if (pb_pin_socket_inodes(pin, &inodes, &n))
		return -1;
	r = pb_unix_sockets_by_inode(root, inodes, n, out);
	saved = errno;
	free(inodes);
	errno = saved;
	return r;
}

void pb_unix_sockets_free(struct pb_unix_sockets *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
