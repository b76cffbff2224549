/* The one identity of a process in every applet's JSON: pid, starttime in clock ticks, and when that was. */
#include <string.h>
#include <time.h>

#include "procbox.h"

size_t pb_started_text(char *out, size_t size, const struct pb_root *root, long long btime,
		       unsigned long long starttime, int iso)
{
	/* whole seconds: btime has none, so a fraction would be made up */
	unsigned long long secs = starttime / (unsigned long long)root->clk_tck;
	char text[40];
	struct tm tm;
	time_t when;
	size_t n;

	out[0] = 0;
	/* after year 9999 is no start of a process, only a forged stat; each bound first, so the sum cannot wrap */
	if (btime < 0 || btime > PB_TIME_MAX || secs > PB_TIME_MAX || btime + (long long)secs > PB_TIME_MAX)
		return 0;
	when = (time_t)(btime + (long long)secs);
	/* the zone may still make it year 10000 */
	if (!localtime_r(&when, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0 ||
	    !(n = strftime(text, sizeof text, iso ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%d %H:%M:%S", &tm)))
		return 0;
	/* %z is +0100; ISO 8601's extended form, which goes with the colons of the time, is +01:00 */
	if (iso && n >= 5 && n + 1 < sizeof text) {
		memmove(text + n - 1, text + n - 2, 3);
		text[n - 2] = ':';
		n++;
	}
	if (n >= size)
		return 0;
	memcpy(out, text, n + 1);
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
