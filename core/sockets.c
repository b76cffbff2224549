/* Unix sockets a process holds: its fd links "socket:[INODE]" matched against net/unix of the proc root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

struct match_ctx {
	const unsigned long long *inodes;
	size_t n;
	struct pb_unix_sockets *out;
	size_t cap;
};

static int add_if_held(const struct pb_unix_sock *s, void *arg)
{
	struct match_ctx *m = arg;
	struct pb_unix_socket *grown, *e;

	if (!bsearch(&s->inode, m->inodes, m->n, sizeof *m->inodes, by_inode))
		return 0;
	if (m->out->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		grown = realloc(m->out->v, m->cap * sizeof *grown);
		if (!grown)
			return -1;
		m->out->v = grown;
	}
	e = &m->out->v[m->out->n];
	e->path = malloc(s->path_len + 1);
	if (!e->path)
		return -1;
	memcpy(e->path, s->path, s->path_len);
	e->path[s->path_len] = 0;
	e->path_len = s->path_len;
	e->inode = s->inode;
	e->flags = s->flags;
	e->type = s->type;
	e->state = s->state;
	m->out->n++;
	return 0;
}

int pb_unix_sockets_match(const char *net_unix, size_t len, const unsigned long long *inodes, size_t n,
			  struct pb_unix_sockets *out, size_t *bad)
{
	struct match_ctx m = {inodes, n, out, 0};

	out->v = NULL;
	out->n = 0;
	*bad = 0;
	if (!n)
		return 0;
	if (pb_parse_net_unix(net_unix, len, add_if_held, &m, bad)) {
		pb_unix_sockets_free(out);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int pb_pin_unix_sockets(const struct pb_root *root, const struct pb_pin *pin, struct pb_unix_sockets *out)
{
	unsigned long long *inodes;
	struct pb_buf net;
	size_t n, bad;
	int r, saved;

	out->v = NULL;
	out->n = 0;
	if (pb_pin_socket_inodes(pin, &inodes, &n))
		return -1;
	if (!n) {
		free(inodes);
		return 0;
	}
	/* net/unix of the root: our network namespace, where the paths a client connects to are bound */
	pb_buf_init(&net);
	r = pb_read_at(root->fd, "net/unix", &net);
	if (r == 0)
		r = pb_unix_sockets_match(net.data, net.len, inodes, n, out, &bad);
	saved = errno;
	pb_buf_free(&net);
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
