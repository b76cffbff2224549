/* Visibility: whether the proc root hides other users' processes from us (hidepid= and gid= of its mount). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procbox.h"

#define CAP_SYS_PTRACE_BIT 19
#define LINUX_CAPABILITY_VERSION_3 0x20080522

/* The next blank-separated field of a mountinfo line; -1 at the end of the line. */
static int next_field(const char **pp, const char *end, const char **f, size_t *flen)
{
	const char *p = *pp;

	while (p < end && *p == ' ')
		p++;
	if (p >= end)
		return -1;
	*f = p;
	while (p < end && *p != ' ')
		p++;
	*flen = (size_t)(p - *f);
	*pp = p;
	return 0;
}

/* A whole field of decimal digits that fits below limit. */
static int parse_dec(const char *s, size_t n, unsigned long long limit, unsigned long long *out)
{
	unsigned long long v = 0, d;
	size_t i;

	if (!n)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (d > limit || v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int field_is(const char *f, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(f, word, n);
}

/* hidepid= names (Linux 5.8+) and numbers (older kernels); an unknown value counts as hiding */
static int hidepid_value(const char *v, size_t n)
{
	unsigned long long num;

	if (field_is(v, n, "off"))
		return PB_HIDEPID_OFF;
	if (field_is(v, n, "noaccess"))
		return PB_HIDEPID_NOACCESS;
	if (field_is(v, n, "invisible"))
		return PB_HIDEPID_INVISIBLE;
	if (field_is(v, n, "ptraceable"))
		return PB_HIDEPID_PTRACEABLE;
	if (parse_dec(v, n, 4, &num) == 0 && num != 3)
		return (int)num;
	return PB_HIDEPID_INVISIBLE;
}

/* The super options of a proc mount: "rw,nosuid,hidepid=invisible,gid=27,subset=pid" */
static void parse_super_options(const char *p, size_t n, struct pb_proc_mount *m)
{
	const char *end = p + n, *opt, *comma;
	unsigned long long gid;
	size_t olen;

	for (opt = p; opt < end; opt = comma + 1) {
		comma = memchr(opt, ',', (size_t)(end - opt));
		if (!comma)
			comma = end;
		olen = (size_t)(comma - opt);
		if (olen > 8 && !memcmp(opt, "hidepid=", 8))
			m->hidepid = hidepid_value(opt + 8, olen - 8);
		else if (olen > 4 && !memcmp(opt, "gid=", 4) && parse_dec(opt + 4, olen - 4, 0xffffffffULL, &gid) == 0)
			m->gid = (long long)gid;
		else if (field_is(opt, olen, "subset=pid"))
			m->subset_pid = 1;
	}
}

/* "36 35 0:21 / /proc rw,nosuid master:1 - proc proc rw,hidepid=invisible" of device major:minor? */
static int parse_line(const char *p, const char *end, unsigned int major, unsigned int minor, struct pb_proc_mount *m)
{
	const char *f, *colon;
	unsigned long long maj, min;
	size_t n;
	int i;

	for (i = 0; i < 3; i++)
		if (next_field(&p, end, &f, &n))
			return -1;
	/* the third field is the device */
	colon = memchr(f, ':', n);
	if (!colon || parse_dec(f, (size_t)(colon - f), 0xffffffffULL, &maj) ||
	    parse_dec(colon + 1, n - (size_t)(colon - f) - 1, 0xffffffffULL, &min) || maj != major || min != minor)
		return -1;
	/* root, mount point, mount options, then optional fields up to the lone "-" */
	for (i = 0; i < 3; i++)
		if (next_field(&p, end, &f, &n))
			return -1;
	do
		if (next_field(&p, end, &f, &n))
			return -1;
	while (!field_is(f, n, "-"));
	if (next_field(&p, end, &f, &n) || !field_is(f, n, "proc"))
		return -1;
	if (next_field(&p, end, &f, &n)) /* the source */
		return -1;
	memset(m, 0, sizeof *m);
	m->gid = -1;
	if (next_field(&p, end, &f, &n) == 0)
		parse_super_options(f, n, m);
	return 0;
}

int pb_parse_mountinfo_proc(const char *buf, size_t len, unsigned int major, unsigned int minor,
			    struct pb_proc_mount *m)
{
	struct pb_vec_iter it;
	const char *line;
	size_t line_len;

	pb_vec_iter_init(&it, buf, len);
	while (pb_line_next(&it, &line, &line_len)) {
		/* bind mounts of one proc instance share its device and its options: the first line decides */
		if (parse_line(line, line + line_len, major, minor, m) == 0)
			return 0;
	}
	errno = ENOENT;
	return -1;
}

int pb_root_mount(const struct pb_root *root, struct pb_proc_mount *m)
{
	struct pb_buf b;
	struct stat sb;
	int r;

	if (!root->is_live) {
		errno = ENOENT;
		return -1;
	}
	if (fstat(root->fd, &sb))
		return -1;
	pb_buf_init(&b);
	/* our own mount table through the root itself, so a private proc mount needs no /proc beside it */
	r = pb_read_at(root->fd, "self/mountinfo", &b);
	if (r) {
		b.len = 0;
		r = pb_read_at(AT_FDCWD, "/proc/self/mountinfo", &b);
	}
	if (r == 0)
		r = pb_parse_mountinfo_proc(b.data, b.len, major(sb.st_dev), minor(sb.st_dev), m);
	pb_buf_free(&b);
	return r;
}

/* CAP_SYS_PTRACE in our effective set: the kernel lets us see every process whatever hidepid says */
static int can_trace_all(void)
{
	struct {
		uint32_t version;
		int pid;
	} hdr = {LINUX_CAPABILITY_VERSION_3, 0};
	struct {
		uint32_t effective, permitted, inheritable;
	} data[2];

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return (data[0].effective >> CAP_SYS_PTRACE_BIT) & 1;
}

static int in_group(long long gid)
{
	gid_t groups[256];
	int n, i;

	if (gid < 0)
		return 0;
	if ((long long)getegid() == gid)
		return 1;
	n = getgroups(sizeof groups / sizeof groups[0], groups);
	for (i = 0; i < n; i++)
		if ((long long)groups[i] == gid)
			return 1;
	return 0;
}

int pb_root_hides_others(const struct pb_root *root, struct pb_proc_mount *m)
{
	struct pb_proc_mount local;

	if (!m)
		m = &local;
	memset(m, 0, sizeof *m);
	m->gid = -1;
	/* the capability first: one system call spares the common case (root) reading the mount table */
	if (!root->is_live || can_trace_all())
		return 0;
	if (pb_root_mount(root, m))
		return -1;
	if (m->hidepid == PB_HIDEPID_OFF)
		return 0;
	/* members of the gid= group are exempt, except from ptraceable, which asks ptrace alone */
	if (m->hidepid != PB_HIDEPID_PTRACEABLE && in_group(m->gid))
		return 0;
	return 1;
}

const char *pb_hidepid_name(int hidepid)
{
	switch (hidepid) {
	case PB_HIDEPID_OFF: return "off";
	case PB_HIDEPID_NOACCESS: return "noaccess";
	case PB_HIDEPID_INVISIBLE: return "invisible";
	case PB_HIDEPID_PTRACEABLE: return "ptraceable";
	}
	return "unknown";
}
