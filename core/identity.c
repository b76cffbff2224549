/* The one identity of a process in every applet's JSON: pid, starttime in clock ticks, and when that was. */
#include <string.h>
#include <time.h>

#include "procbox.h"

/* n decimal digits of v at p, zero-padded; after them */
static char *put_digits(char *p, long v, int n)
{
	char *end = p + n;

	while (n--) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
	return end;
}

/*
 * By hand, not strftime: musl's takes ~1.7 us a call, and proc-tree writes this for every process (it doubled
 * the user time of a JSON scan of 5000 processes).
 */
size_t pb_started_text(char *out, size_t size, const struct pb_root *root, long long btime,
		       unsigned long long starttime, int iso)
{
	/* whole seconds: btime has none, so a fraction would be made up */
	unsigned long long secs = starttime / (unsigned long long)root->clk_tck;
	char text[32], *p = text;
	struct tm tm;
	time_t when;
	long off;
	size_t n;

	out[0] = 0;
	/* after year 9999 is no start of a process, only a forged stat; each bound first, so the sum cannot wrap */
	if (btime < 0 || btime > PB_TIME_MAX || secs > PB_TIME_MAX || btime + (long long)secs > PB_TIME_MAX)
		return 0;
	when = (time_t)(btime + (long long)secs);
	/* the zone may still make it year 10000 */
	if (!localtime_r(&when, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return 0;
	p = put_digits(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = put_digits(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, tm.tm_mday, 2);
	*p++ = iso ? 'T' : ' ';
	p = put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_sec, 2);
	if (iso) {
		/* ISO 8601's extended offset, +01:00 (seconds of an offset dropped, as %z drops them) */
		off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
		*p++ = tm.tm_gmtoff < 0 ? '-' : '+';
		p = put_digits(p, off / 3600 % 100, 2);
		*p++ = ':';
		p = put_digits(p, off / 60 % 60, 2);
	}
	n = (size_t)(p - text);
	if (n >= size)
		return 0;
	memcpy(out, text, n);
	out[n] = 0;
	return n;
}

long long pb_table_btime(struct pb_table *t)
{
	if (t->btime == -1 && pb_root_btime(t->root, &t->btime))
		t->btime = -2; /* unknown: do not read again */
	return t->btime;
}

void pb_json_ident(struct pb_buf *b, const struct pb_root *root, long long btime, struct pb_ident id, int known)
{
	char when[40];
	size_t n;

	/* digits straight into the buffer, no format to interpret: proc-tree writes this for every process */
	pb_buf_adds(b, "\"pid\":");
	pb_buf_addi(b, id.pid);
	if (!known) {
		pb_buf_adds(b, ",\"starttime\":null,\"started\":null");
		return;
	}
	pb_buf_adds(b, ",\"starttime\":");
	pb_buf_addu(b, id.starttime);
	pb_buf_adds(b, ",\"started\":");
	if ((n = pb_started_text(when + 1, sizeof when - 2, root, btime, id.starttime, 1))) {
		when[0] = when[n + 1] = '"';
		pb_buf_add(b, when, n + 2);
	} else {
		pb_buf_adds(b, "null");
	}
}

void pb_json_proc_ident(struct pb_buf *b, struct pb_table *t, const struct pb_proc *p)
{
	struct pb_ident id = {p->st.pid, p->st.starttime};

	pb_json_ident(b, t->root, pb_table_btime(t), id, 1);
}
