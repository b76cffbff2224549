/* apache-mem: how much memory Apache workers and mod_wsgi daemons really use, as text, JSON or Prometheus metrics. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"

static const char usage[] =
	"Usage: apache-mem [-bq] [-e NAME]... [-p PID]... [-P FILE]... [-f FORMAT] [-o FILE] [--per-process]\n"
	"\n"
	"Memory (RSS, PSS, USS, swap) of each Apache's groups of processes; see apache-mem(8).\n"
	"\n"
	"  -e, --exe-name NAME  executable name (repeatable; default apache2, httpd)\n"
	"  -p, --pid PID        this master, or the master of this worker (repeatable; PID@STARTTIME)\n"
	"  -P, --pidfile FILE   the master whose pid FILE holds (repeatable)\n"
	"  -f, --format FORMAT  text (default), json or prometheus\n"
	"  -b, --bytes          text: sizes in bytes\n"
	"  -o, --output FILE    write to FILE atomically\n"
	"      --per-process    text and prometheus: each process's own values too\n"
	"  -q, --quiet          no note that PSS needs root\n"
	"  -h, --help           show this help\n";

enum format { TEXT, JSON, PROMETHEUS };
enum kind { K_WORKERS, K_WSGI, K_HELPER, K_MASTER }; /* also the order groups are shown in */
enum measure { RSS, PSS, USS, SWAP, NMEASURES };
static const char measure_names[NMEASURES][5] = {"rss", "pss", "uss", "swap"};
static const char kind_names[][8] = {"workers", "wsgi", "helper", "master"};

/* one process of an instance, with what we measured */
struct sample {
	const char *group;
	enum kind kind;
	struct pb_proc *proc;
	int smaps_ok;
	unsigned long long v[NMEASURES];
};

struct group {
	const char *name;
	enum kind kind;
	size_t n;
	const struct sample *first; /* its n samples, in pid order (the instance's samples are sorted by group) */
	int smaps_ok; /* every process of the group had readable smaps */
	struct pb_stats st[NMEASURES];
};

struct instance {
	struct pb_proc *master;
	struct pb_apache apache;
	char *label;
	struct sample *samples;
	size_t nsamples;
	struct group *groups;
	size_t ngroups;
	int smaps_denied;    /* some process's smaps was not ours to read */
	int helpers_unknown; /* some descriptors were not ours to read */
};

struct opts {
	const char **exe_names;
	size_t nexe;
	struct pb_ident *pids;
	unsigned char *exact; /* per pid: a start time was given */
	size_t npids;
	const char **pidfiles;
	size_t npidfiles;
	enum format format;
	int bytes, per_process;
	const char *output;
};

/* ---- finding the masters ---- */

static int read_pidfile(const char *path, long *pid)
{
	struct pb_buf b;
	const char *p;
	long v = 0;
	int r = -1;

	pb_buf_init(&b);
	if (pb_read_at(AT_FDCWD, path, &b)) {
		applet_warn("cannot read the pid file %s: %s", path, strerror(errno));
		goto out;
	}
	/* read data is NUL-terminated: a NUL inside the file stops the scan short of its end */
	p = b.data + strspn(b.data, " \t");
	if (*p >= '1' && *p <= '9')
		for (; *p >= '0' && *p <= '9' && v <= 0x7fffffff; p++)
			v = v * 10 + (*p - '0');
	p += strspn(p, " \t\n\r");
	if (!v || v > 0x7fffffff || p != b.data + b.len) {
		applet_warn("%s holds no pid", path);
		goto out;
	}
	*pid = v;
	r = 0;
out:
	pb_buf_free(&b);
	return r;
}

static void add_master(struct instance *v, size_t *n, struct pb_proc *master)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (v[i].master == master)
			return; /* a pid and the pid file of the same Apache */
	memset(&v[*n], 0, sizeof *v);
	v[(*n)++].master = master;
}

static void add_text(struct pb_buf *b, const char *s)
{
	pb_buf_text_str(b, s, strlen(s));
}

/* "apache2 or httpd" */
static void add_names(struct pb_buf *b, const char *const *names, size_t nnames)
{
	size_t i;

	for (i = 0; i < nnames; i++) {
		if (i)
			pb_buf_adds(b, i == nnames - 1 ? " or " : ", ");
		add_text(b, names[i]);
	}
}

static int has_name(struct pb_table *t, struct pb_proc *p, const char *const *names, size_t nnames)
{
	const char *name = pb_exe_name(t, p);
	size_t i;

	for (i = 0; i < nnames; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

static const char not_running[] = "Apache is not running: ";

/* The masters named by -p/-P, else every master of the executable names; -1 after one error line. */
static int find_masters(struct pb_table *t, const struct opts *o, struct instance **out, size_t *n)
{
	static const char *const default_names[] = {"apache2", "httpd"};
	const char *const *names = o->nexe ? o->exe_names : default_names;
	size_t nnames = o->nexe ? o->nexe : 2, i, cap, given = o->npids + o->npidfiles;
	const char *pidfile;
	struct pb_proc *p;
	struct instance *v;
	struct pb_buf b;
	long pid;
	int stale;

	cap = given;
	if (!cap)
		for (i = 0; i < t->n; i++)
			cap += pb_apache_is_master(t, &t->procs[i], names, nnames);
	*n = 0;
	if (!(*out = v = calloc(cap ? cap : 1, sizeof *v))) {
		applet_warn("out of memory");
		return -1;
	}
	pb_buf_init(&b);
	for (i = 0; i < given; i++) {
		pidfile = i < o->npids ? NULL : o->pidfiles[i - o->npids];
		if (!pidfile)
			pid = o->pids[i].pid;
		else if (read_pidfile(pidfile, &pid))
			return -1;
		p = pb_find_pid(t, (int)pid);
		stale = p && !pidfile && o->exact[i] && p->st.starttime != o->pids[i].starttime;
		if (!p || p->st.state == 'Z' || stale) {
			applet_warn("%sno process %ld%s%s%s%s", not_running, pid, stale ? " with that start time" : "",
				    pidfile ? " (from " : "", pidfile ? pidfile : "", pidfile ? ")" : "");
			return -1;
		}
		p = pb_apache_master_of(t, p);
		/* a pid file left by a crash may name whatever process got that pid later */
		if (!has_name(t, p, names, nnames)) {
			add_text(&b, pb_exe_name(t, p));
			pb_buf_adds(&b, ", not ");
			add_names(&b, names, nnames);
			applet_warn("%sprocess %d is %s", not_running, p->st.pid, b.data ? b.data : "");
			pb_buf_free(&b);
			return -1;
		}
		add_master(v, n, p);
	}
	if (!given)
		for (i = 0; i < t->n; i++)
			if (pb_apache_is_master(t, &t->procs[i], names, nnames))
				add_master(v, n, &t->procs[i]);
	if (!*n) {
		add_names(&b, names, nnames);
		applet_warn("%sfound no %s process", not_running, b.data ? b.data : "");
		pb_buf_free(&b);
		return -1;
	}
	return 0;
}

/* ---- measuring ---- */

/* The instance's label for machines: the configuration the master was started with (-f FILE, else -d DIR), else
 * its executable; that stays the same across restarts, which a pid does not. */
static char *instance_label(struct pb_table *t, struct pb_proc *master)
{
	struct pb_vec_iter it;
	const char *arg, *val[2] = {NULL, NULL}, *cmd; /* -f, -d */
	size_t n, len, vlen[2] = {0, 0};
	int want = -1;

	cmd = pb_cmdline(t, master, &len);
	pb_vec_iter_init(&it, cmd, pb_cmdline_trim(cmd, len));
	while (pb_vec_next(&it, &arg, &n)) {
		if (want >= 0) {
			val[want] = arg, vlen[want] = n;
			want = -1;
		} else if (n >= 2 && arg[0] == '-' && (arg[1] == 'f' || arg[1] == 'd')) {
			if (n == 2)
				want = arg[1] == 'd';
			else
				val[arg[1] == 'd'] = arg + 2, vlen[arg[1] == 'd'] = n - 2;
		}
	}
	for (want = 0; want < 2; want++)
		if (val[want])
			return strndup(val[want], vlen[want]);
	arg = pb_exe_path(t, master);
	return strdup(*arg ? arg : pb_exe_name(t, master));
}

/* Measures one process; 0, or -1 when it ended (or is another process by now) and must be left out. */
static int measure(struct pb_table *t, struct pb_proc *p, struct sample *s, int *smaps_denied)
{
	const struct pb_smaps *sm;
	unsigned long vanished = t->count.vanished[PB_F_SMAPS], denied = t->count.denied[PB_F_SMAPS];
	struct pb_ident id = {p->st.pid, p->st.starttime};

	s->proc = p;
	s->v[RSS] = pb_rss_bytes(t, p);
	sm = pb_smaps(t, p);
	if (sm) {
		s->smaps_ok = 1;
		s->v[PSS] = sm->pss;
		s->v[USS] = sm->private_clean + sm->private_dirty;
		s->v[SWAP] = sm->swap;
	} else if (t->count.vanished[PB_F_SMAPS] != vanished) {
		return -1;
	} else if (t->count.denied[PB_F_SMAPS] != denied) {
		*smaps_denied = 1;
	}
	/*
	 * Still the process of the scan? Then every read since came from it: its pid was never free for another.
	 * A worker recycled meanwhile (MaxConnectionsPerChild) is left out rather than mixed with its successor.
	 */
	return pb_is_alive(t->root, id) ? 0 : -1;
}

static int by_group(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if ((c = strcmp(x->group, y->group)))
		return c;
	return (x->proc->st.pid > y->proc->st.pid) - (x->proc->st.pid < y->proc->st.pid);
}

static int build_groups(struct instance *in)
{
	unsigned long long *values;
	size_t i, j, k, first, m;
	struct group *g;

	/* workers always have a group, empty or not; every other group exists because a process is in it */
	if (!(in->groups = calloc(in->nsamples + 1, sizeof *in->groups)) ||
	    !(values = malloc((in->nsamples + 1) * sizeof *values)))
		return -1;
	qsort(in->samples, in->nsamples, sizeof *in->samples, by_group);
	if (!in->nsamples || in->samples[0].kind != K_WORKERS) {
		g = &in->groups[in->ngroups++];
		g->name = "workers";
		g->kind = K_WORKERS;
		g->smaps_ok = !in->smaps_denied;
		/* its statistics: calloc's zeros, as pb_stats_of leaves them for no values */
	}
	for (first = 0; first < in->nsamples; first = i) {
		for (i = first; i < in->nsamples && in->samples[i].kind == in->samples[first].kind &&
				!strcmp(in->samples[i].group, in->samples[first].group);
		     i++)
			;
		g = &in->groups[in->ngroups++];
		g->name = in->samples[first].group;
		g->kind = in->samples[first].kind;
		g->n = i - first;
		g->first = &in->samples[first];
		g->smaps_ok = 1;
		for (j = first; j < i; j++)
			g->smaps_ok &= in->samples[j].smaps_ok;
		for (m = 0; m < NMEASURES; m++) {
			for (j = first, k = 0; j < i; j++)
				values[k++] = in->samples[j].v[m];
			pb_stats_of(values, k, &g->st[m]); /* shown for RSS, or when smaps was read */
		}
	}
	free(values);
	return 0;
}

/* Classifies and measures one instance; -1 with errno (ESRCH: the master ended meanwhile). */
static int measure_instance(struct pb_table *t, struct instance *in)
{
	struct sample *s;
	size_t i;

	if (pb_apache_members(t, in->master, &in->apache))
		return -1;
	in->helpers_unknown = in->apache.helpers_unknown;
	if (!(in->samples = calloc(in->apache.n + 1, sizeof *in->samples)) ||
	    !(in->label = instance_label(t, in->master))) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < in->apache.n; i++) {
		s = &in->samples[in->nsamples];
		s->group = in->apache.members[i].group;
		s->kind = in->apache.members[i].role == PB_APACHE_WSGI     ? K_WSGI
			  : in->apache.members[i].role == PB_APACHE_HELPER ? K_HELPER
									   : K_WORKERS;
		if (measure(t, in->apache.members[i].proc, s, &in->smaps_denied) == 0)
			in->nsamples++;
	}
	s = &in->samples[in->nsamples];
	s->group = "master";
	s->kind = K_MASTER;
	/* measured last: alive now, it was alive while its children were read */
	if (measure(t, in->master, s, &in->smaps_denied)) {
		errno = ESRCH;
		return -1;
	}
	in->nsamples++;
	if (build_groups(in)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Two instances with one label (one config started twice from other directories): the pid tells them apart. */
static int unique_labels(struct instance *v, size_t n)
{
	size_t i, j, len;
	char *label;
	int clash;

	for (i = 0; i < n; i++) {
		for (clash = 0, j = 0; j < n && !clash; j++)
			clash = j != i && !strcmp(v[i].label, v[j].label);
		if (!clash)
			continue;
		len = strlen(v[i].label) + 16;
		if (!(label = malloc(len)))
			return -1;
		snprintf(label, len, "%s:%d", v[i].label, v[i].master->st.pid);
		free(v[i].label);
		v[i].label = label;
	}
	return 0;
}

static void free_instance(struct instance *in)
{
	free(in->groups);
	free(in->samples);
	free(in->label);
	pb_apache_free(&in->apache);
}

/* ---- the statistics, in every format ---- */

static const char stat_names[][8] = {"min", "average", "median", "max", "total"};
#define NSTATS 5
#define TOTAL 4

/* in the order of stat_names; averages and medians rounded to whole bytes */
static void stat_values(const struct pb_stats *st, unsigned long long v[NSTATS])
{
	v[0] = st->min;
	v[1] = (unsigned long long)(st->average + 0.5);
	v[2] = (unsigned long long)(st->median + 0.5);
	v[3] = st->max;
	v[TOTAL] = st->total;
}

static void add_pids(struct pb_buf *b, const struct group *g, char sep)
{
	size_t k;

	for (k = 0; k < g->n; k++) {
		if (k)
			pb_buf_addc(b, sep);
		pb_buf_addi(b, g->first[k].proc->st.pid);
	}
}

/* ---- text ---- */

static void size_str(char *s, size_t size, unsigned long long bytes, int exact)
{
	static const char units[] = "KMGTP";
	double v = (double)bytes / 1024;
	int u = 0;

	if (exact || bytes < 1024) {
		snprintf(s, size, "%llu", bytes);
		return;
	}
	while (v >= 1000 && u < 4) { /* 1000K and up reads better as 1.0M */
		v /= 1024;
		u++;
	}
	snprintf(s, size, v < 100 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

#define NCOLS 8

static void add_spaces(struct pb_buf *b, size_t n)
{
	while (n--)
		pb_buf_addc(b, ' ');
}

/* Measures a row's cells into width (print 0), or prints it padded to width (print 1): each column as wide as
 * its longest cell, so no group name is ever cut. Names (the columns whose bit is set in left) left-aligned,
 * numbers right; the last column is a number: no trailing blanks. */
static void text_row(struct pb_buf *b, const char *const *cell, int ncols, unsigned left, size_t *width, int print)
{
	size_t len;
	int col;

	for (col = 0; col < ncols; col++) {
		len = strlen(cell[col]);
		if (!print) {
			if (len > width[col])
				width[col] = len;
			continue;
		}
		if (col)
			pb_buf_adds(b, "  ");
		if (!(left >> col & 1))
			add_spaces(b, width[col] - len);
		pb_buf_text_str(b, cell[col], len);
		if (left >> col & 1)
			add_spaces(b, width[col] - len);
	}
	if (print)
		pb_buf_addc(b, '\n');
}

static void text_table(struct pb_buf *b, const struct instance *in, int exact, size_t *width, int print)
{
	char num[NCOLS][24];
	const char *cell[NCOLS] = {"GROUP", "PROCS", "MEMORY"};
	unsigned long long v[NSTATS];
	const struct group *g;
	size_t i, j;
	int m, k;

	/* the header: the statistics' names in capitals (clearing bit 5 capitalises a-z and keeps the NUL) */
	for (k = 0; k < NSTATS; k++) {
		for (j = 0; (num[3 + k][j] = (char)(stat_names[k][j] & ~0x20)); j++)
			;
		cell[3 + k] = num[3 + k];
	}
	text_row(b, cell, NCOLS, 5, width, print);
	for (i = 0; i < in->ngroups; i++) {
		g = &in->groups[i];
		snprintf(num[1], sizeof num[1], "%zu", g->n);
		for (m = 0; m < NMEASURES; m++) {
			if (m != RSS && !g->smaps_ok)
				continue;
			/* the group's name and count on its first row only */
			cell[0] = m == RSS ? g->name : "";
			cell[1] = m == RSS ? num[1] : "";
			cell[2] = measure_names[m];
			stat_values(&g->st[m], v);
			for (k = 0; k < NSTATS; k++) {
				size_str(num[3 + k], sizeof num[3 + k], v[k], exact);
				cell[3 + k] = g->n || k == TOTAL ? num[3 + k] : "-";
			}
			text_row(b, cell, NCOLS, 5, width, print);
		}
	}
}

/* --per-process: the largest PSS first; the processes whose PSS could not be read after them, by RSS */
static int by_pss(const void *a, const void *b)
{
	const struct sample *x = *(const struct sample *const *)a, *y = *(const struct sample *const *)b;
	int m = x->smaps_ok ? PSS : RSS;

	if (x->smaps_ok != y->smaps_ok)
		return y->smaps_ok - x->smaps_ok;
	if (x->v[m] != y->v[m])
		return x->v[m] < y->v[m] ? 1 : -1;
	return (x->proc->st.pid > y->proc->st.pid) - (x->proc->st.pid < y->proc->st.pid);
}

static void text_processes(struct pb_buf *b, const struct sample *const *s, size_t n, int exact, size_t *width,
			   int print)
{
	char num[NMEASURES + 1][24];
	const char *cell[NMEASURES + 2] = {"PID", "GROUP", "RSS", "PSS", "USS", "SWAP"};
	size_t i;
	int m;

	text_row(b, cell, NMEASURES + 2, 2, width, print);
	for (i = 0; i < n; i++) {
		snprintf(num[NMEASURES], sizeof num[NMEASURES], "%d", s[i]->proc->st.pid);
		cell[0] = num[NMEASURES];
		cell[1] = s[i]->group;
		for (m = 0; m < NMEASURES; m++) {
			size_str(num[m], sizeof num[m], s[i]->v[m], exact);
			cell[2 + m] = m == RSS || s[i]->smaps_ok ? num[m] : "-";
		}
		text_row(b, cell, NMEASURES + 2, 2, width, print);
	}
}

static void text_instance(struct pb_buf *b, struct pb_table *t, const struct instance *in, const struct opts *o)
{
	size_t width[NCOLS] = {0}, i;
	const struct sample **s;
	int exact = o->bytes;

	add_text(b, pb_exe_name(t, in->master));
	pb_buf_addf(b, " master %d, user ", in->master->st.pid);
	add_text(b, pb_user(t, in->master));
	pb_buf_adds(b, ", instance ");
	add_text(b, in->label);
	pb_buf_addc(b, '\n');
	text_table(b, in, exact, width, 0);
	text_table(b, in, exact, width, 1);
	if (o->per_process) {
		/* every process, in place of the pids of each group */
		if (!(s = malloc(in->nsamples * sizeof *s))) {
			b->failed = 1;
			return;
		}
		for (i = 0; i < in->nsamples; i++)
			s[i] = &in->samples[i];
		qsort(s, in->nsamples, sizeof *s, by_pss);
		memset(width, 0, sizeof width);
		text_processes(b, s, in->nsamples, exact, width, 0);
		text_processes(b, s, in->nsamples, exact, width, 1);
		free(s);
		return;
	}
	pb_buf_adds(b, "PIDS\n");
	for (i = 0; i < in->ngroups; i++) {
		add_text(b, in->groups[i].name);
		add_spaces(b, width[0] + 2 - strlen(in->groups[i].name));
		if (!in->groups[i].n)
			pb_buf_addc(b, '-');
		add_pids(b, &in->groups[i], ' ');
		pb_buf_addc(b, '\n');
	}
}

/* ---- JSON ---- */

static void json_str(struct pb_buf *b, const char *s)
{
	pb_buf_json_str(b, s, strlen(s));
}

static void json_instance(struct pb_buf *b, struct pb_table *t, const struct instance *in)
{
	unsigned long long v[NSTATS];
	const struct group *g;
	const char *cmd;
	struct pb_vec_iter it;
	const char *arg;
	size_t i, k, len, n;
	int m, smaps_ok = 1;

	for (i = 0; i < in->ngroups; i++)
		smaps_ok &= in->groups[i].smaps_ok;
	pb_buf_adds(b, "{\"master\":{");
	pb_json_proc_ident(b, t, in->master);
	pb_buf_addf(b, ",\"ppid\":%d,\"exe\":", in->master->st.ppid);
	cmd = pb_exe_path(t, in->master);
	json_str(b, *cmd ? cmd : pb_exe_name(t, in->master));
	pb_buf_adds(b, ",\"exe_name\":");
	json_str(b, pb_exe_name(t, in->master));
	pb_buf_adds(b, ",\"user\":");
	json_str(b, pb_user(t, in->master));
	pb_buf_adds(b, ",\"cmdline\":[");
	cmd = pb_cmdline(t, in->master, &len);
	pb_vec_iter_init(&it, cmd, pb_cmdline_trim(cmd, len));
	for (k = 0; pb_vec_next(&it, &arg, &n); k++) {
		if (k)
			pb_buf_addc(b, ',');
		pb_buf_json_str(b, arg, n);
	}
	pb_buf_adds(b, "]},\n\"instance\":");
	json_str(b, in->label);
	pb_buf_addf(b, ",\"smaps_readable\":%s,\"helpers_known\":%s,\n\"groups\":[", smaps_ok ? "true" : "false",
		    in->helpers_unknown ? "false" : "true");
	for (i = 0; i < in->ngroups; i++) {
		g = &in->groups[i];
		pb_buf_adds(b, i ? ",\n{\"name\":" : "\n{\"name\":");
		json_str(b, g->name);
		pb_buf_addf(b, ",\"kind\":\"%s\",\"count\":%zu,\"pids\":[", kind_names[g->kind], g->n);
		add_pids(b, g, ',');
		pb_buf_addc(b, ']');
		for (m = 0; m < NMEASURES; m++) {
			pb_buf_addf(b, ",\"%s\":", measure_names[m]);
			if (m != RSS && !g->smaps_ok) {
				pb_buf_adds(b, "null");
				continue;
			}
			/* an empty group has a total, and no minimum or median to speak of */
			stat_values(&g->st[m], v);
			for (k = 0; k < NSTATS; k++) {
				pb_buf_addf(b, "%c\"%s\":", k ? ',' : '{', stat_names[k]);
				if (g->n || k == TOTAL)
					pb_buf_addu(b, v[k]);
				else
					pb_buf_adds(b, "null");
			}
			pb_buf_addc(b, '}');
		}
		pb_buf_adds(b, ",\"processes\":[");
		for (k = 0; k < g->n; k++) {
			pb_buf_adds(b, k ? ",\n{" : "\n{");
			pb_json_proc_ident(b, t, g->first[k].proc);
			pb_buf_adds(b, ",\"group\":");
			json_str(b, g->name);
			for (m = 0; m < NMEASURES; m++)
				pb_buf_addf(b, m == RSS || g->first[k].smaps_ok ? ",\"%s\":%llu" : ",\"%s\":null",
					    measure_names[m], g->first[k].v[m]);
			pb_buf_addc(b, '}');
		}
		pb_buf_adds(b, "]}");
	}
	pb_buf_adds(b, "\n]}");
}

/* ---- Prometheus text exposition format ---- */

static void label(struct pb_buf *b, const char *name, const char *value, int first)
{
	size_t n;

	pb_buf_addf(b, "%s%s=\"", first ? "" : ",", name);
	/*
	 * printable UTF-8 (control bytes and invalid UTF-8 become '?'), then the format's own escapes; cutting the
	 * text at the ASCII bytes to escape changes nothing: no UTF-8 sequence holds an ASCII byte
	 */
	for (;; value += n + 1) {
		n = strcspn(value, "\\\"");
		pb_buf_text_str(b, value, n);
		if (!value[n])
			break;
		pb_buf_addc(b, '\\');
		pb_buf_addc(b, value[n]);
	}
	pb_buf_addc(b, '"');
}

static void family(struct pb_buf *b, const char *name, const char *help)
{
	pb_buf_addf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* metric{instance="...",group="..."} v, with a third label key="value" unless value is NULL */
static void sample_line(struct pb_buf *b, const char *metric, const struct instance *in, const char *group,
			const char *key, const char *value, unsigned long long v)
{
	pb_buf_adds(b, metric);
	pb_buf_addc(b, '{');
	label(b, "instance", in->label, 1);
	label(b, "group", group, 0);
	if (value)
		label(b, key, value, 0);
	pb_buf_addf(b, "} %llu\n", v);
}

static void prometheus(struct pb_buf *b, struct pb_table *t, const struct instance *v, size_t n, int per_process)
{
	static const char *const help[NMEASURES] = {
		"Resident set size of the group's processes in bytes; pages shared between processes count in each.",
		"Proportional set size in bytes: each shared page divided among the processes sharing it.",
		"Unique set size in bytes (Private_Clean + Private_Dirty): what ending the processes would free.",
		"Swapped-out memory of the group's processes in bytes.",
	};
	char metric[64], pid[24];
	unsigned long long sv[NSTATS];
	const struct group *g;
	const struct sample *s;
	const char *exe;
	size_t i, j;
	int m, k, any;

	family(b, "apache_mem_master_info", "The master process of each Apache instance (always 1).");
	for (i = 0; i < n; i++) {
		snprintf(pid, sizeof pid, "%d", v[i].master->st.pid);
		exe = pb_exe_path(t, v[i].master);
		pb_buf_adds(b, "apache_mem_master_info{");
		label(b, "instance", v[i].label, 1);
		label(b, "pid", pid, 0);
		label(b, "exe", *exe ? exe : pb_exe_name(t, v[i].master), 0);
		label(b, "user", pb_user(t, v[i].master), 0);
		pb_buf_adds(b, "} 1\n");
	}
	family(b, "apache_mem_processes", "Processes in the group.");
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].ngroups; j++)
			sample_line(b, "apache_mem_processes", &v[i], v[i].groups[j].name, NULL, NULL, v[i].groups[j].n);
	/* each family's HELP and TYPE before its first sample: no family without samples (smaps readable nowhere) */
	for (m = 0; m < NMEASURES; m++) {
		snprintf(metric, sizeof metric, "apache_mem_%s_bytes", measure_names[m]);
		for (any = 0, i = 0; i < n; i++) {
			for (j = 0; j < v[i].ngroups; j++) {
				g = &v[i].groups[j];
				if (m != RSS && !g->smaps_ok)
					continue;
				if (!any++)
					family(b, metric, help[m]);
				/* an empty group has a total, and no minimum or median to speak of */
				stat_values(&g->st[m], sv);
				for (k = g->n ? 0 : TOTAL; k < NSTATS; k++)
					sample_line(b, metric, &v[i], g->name, "statistic", stat_names[k], sv[k]);
			}
		}
	}
	/* a series per process only when asked: the pid label makes new series with every worker Apache starts */
	for (m = 0; per_process && m < NMEASURES; m++) {
		snprintf(metric, sizeof metric, "apache_mem_process_%s_bytes", measure_names[m]);
		for (any = 0, i = 0; i < n; i++) {
			for (j = 0; j < v[i].nsamples; j++) {
				s = &v[i].samples[j];
				if (m != RSS && !s->smaps_ok)
					continue;
				if (!any++)
					pb_buf_addf(b, "# HELP %s The %s of one process in bytes, as apache_mem_%s_bytes counts it "
						       "for its group.\n# TYPE %s gauge\n", metric, measure_names[m],
						    measure_names[m], metric);
				snprintf(pid, sizeof pid, "%d", s->proc->st.pid);
				sample_line(b, metric, &v[i], s->group, "pid", pid, s->v[m]);
			}
		}
	}
}

/* ---- output ---- */

/* Writes b to path through a temporary file in the same directory, fsync and rename: a reader (node_exporter's
 * textfile collector) sees the old file or the new one, never half of one. The temporary file is created new
 * (O_EXCL, which follows no symlink) and path itself is only renamed over, never opened: a symlink or a file
 * another user planted under that name in a shared directory is replaced, not written through. */
static int write_atomically(const char *path, struct pb_buf *b)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) : 0, fd, dfd, saved;
	size_t len = strlen(path) + 16;
	char *tmp = malloc(len);
	mode_t mask;

	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	/* a dot name without the .prom suffix: the collector ignores it while it is being written */
	snprintf(tmp, len, "%.*s%s.%s.XXXXXX", dirlen, path, slash ? "/" : "", slash ? slash + 1 : path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		saved = errno;
		goto out;
	}
	/* mkstemp makes 0600; a collector running as another user must read it, so honour the umask instead, but
	 * never beyond 0644: under umask 0 (a cron job's, a service's) others could rewrite what root reported */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0644 & ~mask) || pb_buf_write_fd(b, fd) || fsync(fd)) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) || rename(tmp, path)) {
		saved = errno;
		goto fail;
	}
	/* the rename itself lasts only once the directory is on disk: the temporary name cut to its directory */
	tmp[slash ? (dirlen ? dirlen : 1) : 0] = 0;
	if ((dfd = open(slash ? tmp : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
out:
	free(tmp);
	errno = saved;
	return -1;
}

static int report(struct pb_table *t, struct instance *v, size_t n, const struct opts *o)
{
	struct pb_buf b;
	size_t i;
	int r = 0;

	pb_buf_init(&b);
	if (o->format == PROMETHEUS) {
		prometheus(&b, t, v, n, o->per_process);
	} else if (o->format == JSON) {
		/* one shape for one instance and for several: a script's parser must not break when a second starts */
		pb_buf_adds(&b, PB_JSON_OPEN ",\"instances\":[");
		for (i = 0; i < n; i++) {
			pb_buf_adds(&b, i ? ",\n" : "\n");
			json_instance(&b, t, &v[i]);
		}
		pb_buf_adds(&b, "\n]}\n");
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				pb_buf_addc(&b, '\n');
			text_instance(&b, t, &v[i], o);
		}
	}
	if (b.failed) {
		applet_warn("out of memory");
		r = EXIT_NO;
	} else if (o->output) {
		if (write_atomically(o->output, &b)) {
			applet_warn("cannot write %s: %s", o->output, strerror(errno));
			r = EXIT_NO;
		}
	} else if (pb_buf_write_fd(&b, 1)) {
		applet_warn("write error: %s", strerror(errno));
		r = EXIT_NO;
	}
	pb_buf_free(&b);
	return r;
}

/* Once, whatever the number of instances: what a non-root run could not see. */
static void note_permissions(const struct instance *v, size_t n)
{
	static const char helpers_may[] = "helpers may be counted as workers";
	size_t i, j, with = 0;
	int denied = 0, helpers_unknown = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < v[i].ngroups; j++)
			with += v[i].groups[j].smaps_ok && v[i].groups[j].n;
		denied |= v[i].smaps_denied;
		helpers_unknown |= v[i].helpers_unknown;
	}
	if (denied)
		applet_info("PSS, USS and swap need root: showing RSS only%s%s%s", with ? " for some groups" : "",
			    helpers_unknown ? ", and " : "", helpers_unknown ? helpers_may : "");
	else if (helpers_unknown)
		applet_info("telling helpers from workers needs root: %s", helpers_may);
}

static int run(const struct opts *o)
{
	struct pb_root root;
	struct pb_table t;
	struct instance *v = NULL;
	size_t n = 0, i, kept;
	int r = EXIT_NO, saved, pid;

	if (applet_open_root(&root))
		return EXIT_NO;
	if ((r = applet_check_idents(&root, o->pids, o->exact, o->npids))) {
		pb_root_close(&root);
		return r;
	}
	r = EXIT_NO;
	if (pb_scan_with(&root, &t, 1u << PB_F_EXE)) { /* every master is found by its exe: read it during the scan */
		applet_warn("cannot scan %s: %s", root.path, strerror(errno));
		pb_root_close(&root);
		return EXIT_NO;
	}
	if (find_masters(&t, o, &v, &n))
		goto out;
	for (i = 0, kept = 0; i < n; i++) {
		if (measure_instance(&t, &v[i]) == 0) {
			v[kept++] = v[i];
			continue;
		}
		saved = errno;
		pid = v[i].master->st.pid;
		free_instance(&v[i]);
		if (saved != ESRCH) {
			/* the instances after this one hold nothing yet */
			applet_warn("out of memory");
			n = kept;
			goto out;
		}
		applet_warn("the master %d ended while it was measured", pid);
	}
	n = kept;
	if (!n) {
		applet_warn("%severy master ended while it was measured", not_running);
		goto out;
	}
	if (unique_labels(v, n)) {
		applet_warn("out of memory");
		goto out;
	}
	if ((r = report(&t, v, n, o)) == 0)
		note_permissions(v, n);
out:
	for (i = 0; i < n; i++)
		free_instance(&v[i]);
	free(v);
	pb_table_free(&t);
	pb_root_close(&root);
	return r;
}

int apache_mem_main(int argc, char **argv)
{
	enum { O_PER_PROCESS = 256 };
	static const struct option longopts[] = {
		{"exe-name", required_argument, NULL, 'e'}, {"pid", required_argument, NULL, 'p'},
		{"pidfile", required_argument, NULL, 'P'},  {"format", required_argument, NULL, 'f'},
		{"bytes", no_argument, NULL, 'b'},          {"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
		{"per-process", no_argument, NULL, O_PER_PROCESS},    {NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", "prometheus"}; /* enum format */
	struct opts o = {0};
	int c, r = EXIT_USAGE;

	/* argc slots for -e and -P each, in one array; and for -p with its exact flags in another */
	o.exe_names = calloc(2 * (size_t)argc, sizeof *o.exe_names);
	o.pidfiles = o.exe_names + argc;
	o.pids = calloc((size_t)argc, sizeof *o.pids + 1);
	o.exact = (unsigned char *)(o.pids + argc);
	if (!o.exe_names || !o.pids) {
		applet_warn("out of memory");
		r = EXIT_NO;
		goto out;
	}
	while ((c = getopt_long(argc, argv, "e:p:P:f:bo:qh", longopts, NULL)) != -1) {
		if ((c == 'e' || c == 'o') && !*optarg) {
			applet_usage_error("an empty %s name", c == 'e' ? "executable" : "output file");
			goto out;
		}
		switch (c) {
		case 'e': o.exe_names[o.nexe++] = optarg; break;
		case 'p':
			if (applet_parse_ident(optarg, &o.pids[o.npids], &o.exact[o.npids]))
				goto out;
			o.npids++;
			break;
		case 'P': o.pidfiles[o.npidfiles++] = optarg; break;
		case 'f':
			for (o.format = TEXT; o.format <= PROMETHEUS && strcmp(optarg, formats[o.format]); o.format++)
				;
			if (o.format > PROMETHEUS) {
				applet_usage_error("unknown format '%s' (text, json or prometheus)", optarg);
				goto out;
			}
			break;
		case 'b': o.bytes = 1; break;
		case 'o': o.output = optarg; break;
		case 'q': applet_verbosity = 0; break;
		case O_PER_PROCESS: o.per_process = 1; break;
		case 'h': r = applet_help(usage); goto out;
		default: applet_bad_option(argc, argv); goto out;
		}
	}
	if (optind < argc) {
		applet_usage_error("unexpected argument '%s'", argv[optind]);
		goto out;
	}
	r = run(&o);
out:
	free(o.exe_names);
	free(o.pids);
	return r;
}
