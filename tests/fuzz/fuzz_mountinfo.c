/* Fuzz target: pb_parse_mountinfo_proc. Options stay in range, and the first matching line decides: a proc line
 * put before the input always wins, one put after it counts only when the input had none. */
#include <errno.h>

#include "fuzz.h"

static void same(const struct pb_proc_mount *a, const struct pb_proc_mount *b)
{
	REQUIRE(a->hidepid == b->hidepid && a->gid == b->gid && a->subset_pid == b->subset_pid);
}

static int parse_with(const char *before, const char *buf, size_t len, const char *after, unsigned int major,
		      unsigned int minor, struct pb_proc_mount *m)
{
	size_t nb = strlen(before), na = strlen(after);
	char *all = malloc(nb + len + 1 + na);
	int r;

	REQUIRE(all);
	memcpy(all, before, nb);
	memcpy(all + nb, buf, len);
	/* a newline ends the input's last line, which changes nothing about how that line reads */
	all[nb + len] = '\n';
	memcpy(all + nb + len + 1, after, na);
	r = pb_parse_mountinfo_proc(all, nb + len + 1 + na, major, minor, m);
	free(all);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split in;
	struct pb_proc_mount m, with;
	unsigned int major, minor;
	char line[128];
	int r;

	if (fuzz_split(data, size, 0, &in))
		return 0;
	/* small device numbers, so that the fuzzer finds matching lines */
	major = size ? data[0] >> 6 : 0;
	minor = size ? data[0] & 63u : 0;
	errno = 0;
	r = pb_parse_mountinfo_proc(in.buf, in.len, major, minor, &m);
	if (r) {
		REQUIRE(r == -1 && errno == ENOENT);
	} else {
		REQUIRE(m.hidepid == PB_HIDEPID_OFF || m.hidepid == PB_HIDEPID_NOACCESS ||
			m.hidepid == PB_HIDEPID_INVISIBLE || m.hidepid == PB_HIDEPID_PTRACEABLE);
		REQUIRE(m.gid >= -1 && m.gid <= 0xffffffffLL);
		REQUIRE(m.subset_pid == 0 || m.subset_pid == 1);
		REQUIRE(memmem(in.buf, in.len, " proc ", 6) || memmem(in.buf, in.len, " proc", 5));
	}
	snprintf(line, sizeof line, "1 1 %u:%u / /p rw - proc proc rw,hidepid=ptraceable,gid=4242\n", major, minor);
	REQUIRE(parse_with(line, in.buf, in.len, "", major, minor, &with) == 0);
	REQUIRE(with.hidepid == PB_HIDEPID_PTRACEABLE && with.gid == 4242 && !with.subset_pid);
	REQUIRE(parse_with("", in.buf, in.len, line, major, minor, &with) == 0);
	if (r == 0)
		same(&m, &with);
	else
		REQUIRE(with.hidepid == PB_HIDEPID_PTRACEABLE && with.gid == 4242);
	free(in.buf);
	return 0;
}
