/* proc-tree: the process tree, or chosen fields of every process as JSON, straight from the core. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applet.h"

static const char usage[] =
	"Usage: proc-tree [OPTIONS] [PID]\n"
	"\n"
	"The process tree, below PID when given; see proc-tree(1).\n"
	"\n"
	"  -p, --pid PID          only this process, PID or PID@STARTTIME (repeatable)\n"
	"  -e, --exe-name NAME    only this executable name (repeatable)\n"
	"      --exe-path PATH    only the executable at PATH (repeatable)\n"
	"  -u, --user USER        only this user, name or uid (repeatable)\n"
	"      --depth|--level N  down to / just N levels below PID\n"
	"  -o, --fields LIST      fields, comma-separated: pid ppid pgrp session state comm user group\n"
	"                         uids gids starttime started runtime vsize rss exe exe_path exe_name cwd\n"
	"                         cgroup cmdline environ status\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"  -h, --help             show this help\n";

enum field {
	PID, PPID, PGRP, SESSION, STATE, COMM, USER, GROUP, UIDS, GIDS, STARTTIME, STARTED, RUNTIME, VSIZE, RSS,
	EXE, EXE_PATH, EXE_NAME, CWD, CGROUP, CMDLINE, ENVIRON, STATUS, NFIELDS
};

/* file: the bit of what a field needs read beyond stat, for eager_files */
#define F(file) (1u << PB_F_##file)
static const struct {
	char name[10], header[10];
	signed char width; /* text column width; negative: left-aligned */
	unsigned short file;
} fields[NFIELDS] = {
	[PID] = {"pid", "PID", 7, 0},           [PPID] = {"ppid", "PPID", 7, 0},
	[PGRP] = {"pgrp", "PGRP", 7, 0},        [SESSION] = {"session", "SESS", 7, 0},
	[STATE] = {"state", "S", 1, 0},         [COMM] = {"comm", "COMM", -15, 0},
	[USER] = {"user", "USER", -10, F(STATUS)},      [GROUP] = {"group", "GROUP", -10, F(STATUS)},
	[UIDS] = {"uids", "UIDS", -23, F(STATUS)},      [GIDS] = {"gids", "GIDS", -23, F(STATUS)},
	[STARTTIME] = {"starttime", "STARTTIME", 10, 0}, [STARTED] = {"started", "STARTED", -19, 0},
	[RUNTIME] = {"runtime", "TIME", 11, 0},
	[VSIZE] = {"vsize", "VSZ", 6, 0},       [RSS] = {"rss", "RSS", 6, 0},
	[EXE] = {"exe", "EXE", -30, F(EXE)},    [EXE_PATH] = {"exe_path", "EXE_PATH", -30, F(EXE)},
	[EXE_NAME] = {"exe_name", "EXE_NAME", -15, F(EXE)}, [CWD] = {"cwd", "CWD", -30, 0},
	[CGROUP] = {"cgroup", "CGROUP", -40, F(CGROUP)}, [CMDLINE] = {"cmdline", "COMMAND", 0, F(CMDLINE)},
	[ENVIRON] = {"environ", "ENVIRON", 0, F(ENVIRON)}, [STATUS] = {"status", "STATUS", 0, 0},
};

struct opts {
	struct pb_select sel;  /* its lists have room for every argument, in one allocation (at pids) */
	struct pb_ident *pids; /* -p: argc slots, then the PID operand */
	unsigned char *exact;  /* a start time was given, per slot of pids */
	const char **names;    /* exe names, then exe paths */
	long *uids;
	enum field show[NFIELDS];
	int nshow;
	int json;
	long top_pid;          /* the PID operand (in the slot of pids after -p's), 0 without one */
	const char *top_arg;   /* the operand as given */
};

static int parse_fields(struct opts *o, const char *list)
{
	const char *tok, *end;
	size_t len;
	int i;

	o->nshow = 0;
	for (tok = list;; tok = end + 1) {
		end = tok + strcspn(tok, ",");
		len = (size_t)(end - tok);
		/* empty items (",," or a trailing comma) are skipped; strncmp stops short of name[len] unless it fits */
		if (len) {
			for (i = 0; i < NFIELDS && (strncmp(fields[i].name, tok, len) || fields[i].name[len]); i++)
				;
			if (i == NFIELDS || o->nshow == NFIELDS)
				return applet_usage_error("unknown field '%.*s'", (int)len, tok), -1;
			o->show[o->nshow++] = (enum field)i;
		}
		if (!*end)
			break;
	}
	if (!o->nshow)
		return applet_usage_error("-o needs at least one field"), -1;
	return 0;
}

/*
 * 4.0K, 12M, 3.1G: one decimal below 10, none from 10, rounded as "%.1f" and "%.0f" round (ties to even), in
 * integers while bytes * 10 fits; printf beyond.
 */
static void add_size(struct pb_buf *b, unsigned long long bytes)
{
	static const char units[] = "KMGTP";
	unsigned long long den = 1024, scale, q, r;
	int u = 0;

	if (bytes >= 1ULL << 53) {
		double v = (double)bytes / 1024;
		while (v >= 1024 && u < 4) {
			v /= 1024;
			u++;
		}
		pb_buf_addf(b, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
		return;
	}
	while (bytes / den >= 1024 && u < 4) {
		den *= 1024;
		u++;
	}
	scale = bytes < 10 * den ? 10 : 1;
	q = bytes * scale / den;
	r = bytes * scale % den;
	if (2 * r > den || (2 * r == den && q % 2))
		q++;
	if (scale == 10) {
		pb_buf_addu(b, q / 10);
		pb_buf_addc(b, '.');
		pb_buf_addc(b, (char)('0' + q % 10));
	} else {
		pb_buf_addu(b, q);
	}
	pb_buf_addc(b, units[u]);
}

static void add_ids(struct pb_buf *b, const struct pb_ids *ids, int json)
{
	pb_buf_addf(b, json ? "[%u,%u,%u,%u]" : "%u,%u,%u,%u", ids->real, ids->effective, ids->saved, ids->fs);
}

/* a NUL-separated vector: JSON array, or words joined by spaces for text */
static void add_vec(struct pb_buf *b, const char *buf, size_t len, int json)
{
	struct pb_vec_iter it;
	const char *item;
	size_t n;
	int first = 1;

	if (json)
		pb_buf_addc(b, '[');
	pb_vec_iter_init(&it, buf, len);
	while (pb_vec_next(&it, &item, &n)) {
		if (!first)
			pb_buf_addc(b, json ? ',' : ' ');
		first = 0;
		if (json)
			pb_buf_json_str(b, item, n);
		else
			pb_buf_text_str(b, item, n);
	}
	if (json)
		pb_buf_addc(b, ']');
}

/* one member of an object made from a process's file: name and value point into that file */
struct member {
	const char *name, *value;
	size_t name_len, value_len;
	int dup; /* a member before it has the same name */
};

static int by_name_then_place(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->name_len < y->name_len ? x->name_len : y->name_len);

	if (!c)
		c = (x->name_len > y->name_len) - (x->name_len < y->name_len);
	return c ? c : (x->name > y->name) - (x->name < y->name);
}

static int by_place(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return (x->name > y->name) - (x->name < y->name);
}

/*
 * environ (entries ending in NUL, NAME=value) or status (lines, Key:<blanks>value) as one JSON object. A name
 * given twice appears once, with its first value: the one getenv() and the uids field take. A second DISPLAY= in
 * an environment must not decide what a script reads (a parser keeps the last of duplicated keys); sorting finds
 * them in n log n, where a look back per entry would be quadratic in a 2 MiB environment.
 */
static void add_object_json(struct pb_buf *b, const char *buf, size_t len, char end_char, char sep)
{
	const char *p, *end = buf + len, *next, *at, *v;
	struct member *m;
	size_t n = 1, k = 0, i;
	int first = 1;

	for (p = buf; p < end; p++)
		n += *p == end_char;
	if (!(m = malloc(n * sizeof *m))) {
		b->failed = 1;
		return;
	}
	for (p = buf; p < end; p = next + 1) {
		if (!(next = memchr(p, end_char, (size_t)(end - p))))
			next = end;
		if (!(at = memchr(p, sep, (size_t)(next - p))) || at == p)
			continue; /* not a variable, not a field */
		for (v = at + 1; sep == ':' && v < next && (*v == ' ' || *v == '\t'); v++)
			;
		m[k++] = (struct member){p, v, (size_t)(at - p), (size_t)(next - v), 0};
	}
	qsort(m, k, sizeof *m, by_name_then_place);
	for (i = 1; i < k; i++)
		m[i].dup = m[i].name_len == m[i - 1].name_len && !memcmp(m[i].name, m[i - 1].name, m[i].name_len);
	qsort(m, k, sizeof *m, by_place);
	pb_buf_addc(b, '{');
	for (i = 0; i < k; i++) {
		if (m[i].dup)
			continue;
		if (!first)
			pb_buf_addc(b, ',');
		first = 0;
		pb_buf_json_str(b, m[i].name, m[i].name_len);
		pb_buf_addc(b, ':');
		pb_buf_json_str(b, m[i].value, m[i].value_len);
	}
	pb_buf_addc(b, '}');
	free(m);
}

static void add_str(struct pb_buf *b, const char *s, int json)
{
	if (json)
		pb_buf_json_str(b, s, strlen(s));
	else
		pb_buf_text_str(b, *s ? s : "-", *s ? strlen(s) : 1);
}

/* uids or gids from status: real, effective, saved and filesystem; null or "-" when status has none */
static void add_ids_field(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, enum field f, int json)
{
	const struct pb_status *st = pb_status(t, p);

	if (st && (f == UIDS ? st->have_uid : st->have_gid))
		add_ids(b, f == UIDS ? &st->uid : &st->gid, json);
	else
		pb_buf_adds(b, json ? "null" : "-");
}

/* the run time: [[D-]HH:]MM:SS in text, seconds with two decimals (null when unknown) in JSON */
static void add_runtime(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, int json)
{
	double d = pb_runtime(t, p);

	if (!json)
		applet_add_duration(b, d);
	else if (d < 0)
		pb_buf_adds(b, "null");
	else
		pb_buf_addf(b, "%.2f", d);
}

/* the exe link, and whether its file was deleted: a member of its own in JSON, a suffix in text */
static void add_exe(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, int json)
{
	add_str(b, pb_exe(t, p), json);
	if (json)
		pb_buf_adds(b, pb_exe_deleted(t, p) ? ",\"exe_deleted\":true" : ",\"exe_deleted\":false");
	else if (pb_exe_deleted(t, p))
		pb_buf_adds(b, " (deleted)");
}

/* the command line: a JSON array, or its words; [comm] in text when there is none */
static void add_cmdline(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, int json)
{
	size_t len;
	const char *s = pb_cmdline(t, p, &len);

	len = pb_cmdline_trim(s, len);
	if (json) {
		add_vec(b, s, len, 1);
	} else if (len) {
		add_vec(b, s, len, 0);
	} else {
		/* kernel threads and zombies have no command line: show the name the way ps does */
		pb_buf_addc(b, '[');
		pb_buf_text_str(b, p->st.comm, p->st.comm_len);
		pb_buf_addc(b, ']');
	}
}

/* one field's value: JSON, or text without padding */
static void add_field(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, enum field f, int json)
{
	const char *s;
	char cwd[4096];
	unsigned long long v;
	size_t len;

	switch (f) {
	case PID: pb_buf_addi(b, p->st.pid); break;
	case PPID: pb_buf_addi(b, p->st.ppid); break;
	case PGRP: pb_buf_addi(b, p->st.pgrp); break;
	case SESSION: pb_buf_addi(b, p->st.session); break;
	case STATE:
		if (json)
			pb_buf_json_str(b, &p->st.state, 1);
		else
			pb_buf_addc(b, p->st.state);
		break;
	case COMM:
		if (json)
			pb_buf_json_str(b, p->st.comm, p->st.comm_len);
		else
			pb_buf_text_str(b, p->st.comm, p->st.comm_len);
		break;
	case USER: add_str(b, pb_user(t, p), json); break;
	case GROUP: add_str(b, pb_group(t, p), json); break;
	case UIDS:
	case GIDS: add_ids_field(b, t, p, f, json); break;
	case STARTTIME: pb_buf_addu(b, p->st.starttime); break;
	case STARTED: /* text only: JSON has it in the identity */
		/* local time in the zone of TZ (or /etc/localtime), as the C library reads it */
		add_str(b, pb_started_text(cwd, sizeof cwd, t->root, pb_table_btime(t), p->st.starttime, 0) ? cwd : "", 0);
		break;
	case RUNTIME: add_runtime(b, t, p, json); break;
	case VSIZE:
	case RSS:
		v = f == VSIZE ? p->st.vsize : pb_rss_bytes(t, p);
		if (json)
			pb_buf_addu(b, v);
		else
			add_size(b, v);
		break;
	case EXE: add_exe(b, t, p, json); break;
	case EXE_PATH: add_str(b, pb_exe_path(t, p), json); break;
	case EXE_NAME: add_str(b, pb_exe_name(t, p), json); break;
	case CWD:
		pb_cwd(t, p, cwd, sizeof cwd);
		add_str(b, cwd, json);
		break;
	case CGROUP: add_str(b, pb_cgroup(t, p), json); break;
	case CMDLINE: add_cmdline(b, t, p, json); break;
	case ENVIRON:
		s = pb_environ(t, p, &len);
		if (json)
			add_object_json(b, s, len, 0, '=');
		else
			add_vec(b, s, len, 0);
		break;
	case STATUS:
		s = pb_status_raw(t, p, &len);
		if (json)
			add_object_json(b, s, len, '\n', ':');
		else
			pb_buf_text_str(b, s, len); /* newlines become '?': one line per process */
		break;
	case NFIELDS: break;
	}
}

static void add_spaces(struct pb_buf *b, size_t n)
{
	if (pb_buf_reserve(b, n))
		return;
	memset(b->data + b->len, ' ', n);
	b->len += n;
	b->data[b->len] = 0;
}

/* One cell: the value padded to its column's width (right-aligned when positive), a blank after all but the last
 * column; the last column carries no trailing blanks. */
static void add_cell(struct pb_buf *b, const char *s, size_t len, int width, int last)
{
	size_t w = (size_t)(width < 0 ? -width : width), fill = len < w ? w - len : 0;

	if (width > 0)
		add_spaces(b, fill);
	pb_buf_add(b, s, len);
	if (last)
		return;
	if (width < 0)
		add_spaces(b, fill);
	pb_buf_addc(b, ' ');
}

static void text_header(struct pb_buf *b, const struct opts *o)
{
	int i;

	for (i = 0; i < o->nshow; i++)
		add_cell(b, fields[o->show[i]].header, strlen(fields[o->show[i]].header), fields[o->show[i]].width,
			 i == o->nshow - 1);
	pb_buf_addc(b, '\n');
}

/* the column that carries the tree drawing: the command line, else the first name-like column */
static int tree_column(const struct opts *o)
{
	static const enum field pref[] = {CMDLINE, COMM, EXE_NAME, EXE, EXE_PATH};
	size_t k;
	int i;

	for (k = 0; k < sizeof pref / sizeof pref[0]; k++)
		for (i = 0; i < o->nshow; i++)
			if (o->show[i] == pref[k])
				return i;
	return -1;
}

/* each value goes to cell first, so that its padding can precede it */
static void text_row(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, const struct opts *o, int tcol,
		     const struct pb_buf *art, struct pb_buf *cell)
{
	int i;

	for (i = 0; i < o->nshow; i++) {
		cell->len = 0;
		if (i == tcol)
			pb_buf_add(cell, art->data, art->len);
		add_field(cell, t, p, o->show[i], 0);
		add_cell(b, cell->data, cell->len, fields[o->show[i]].width, i == o->nshow - 1);
	}
	pb_buf_addc(b, '\n');
}

/* the identity first, whatever -o says: what proc-wait and proc-stop take back as PID@STARTTIME */
static void json_row(struct pb_buf *b, struct pb_table *t, struct pb_proc *p, const struct opts *o, int first)
{
	int i;

	pb_buf_adds(b, first ? "\n{" : ",\n{");
	pb_json_proc_ident(b, t, p);
	for (i = 0; i < o->nshow; i++) {
		if (o->show[i] == PID || o->show[i] == STARTTIME || o->show[i] == STARTED)
			continue;
		pb_buf_adds(b, ",\"");
		pb_buf_adds(b, fields[o->show[i]].name);
		pb_buf_adds(b, "\":");
		add_field(b, t, p, o->show[i], 1);
	}
	pb_buf_addc(b, '}');
}

static void json_tail(struct pb_buf *b, const struct pb_table *t)
{
	int i;

	pb_buf_adds(b, "\n],\n\"vanished\":{");
	for (i = 0; i < PB_F_COUNT; i++)
		pb_buf_addf(b, "%s\"%s\":%lu", i ? "," : "", pb_file_names[i], t->count.vanished[i]);
	pb_buf_addf(b, "},\n\"not_readable\":%lu,\n\"malformed\":%lu\n}\n", t->count.denied_procs, t->count.malformed);
}

#define OUT_FLUSH 32768 /* output is written in pieces of about this size */

/*
 * The files that (nearly) every process will need, read during the scan while the kernel has each process at
 * hand: a second pass over all processes costs ~8% more kernel time than the floor reading them in one (make
 * bench). Only when everything is looked at: the whole table, or filters that test every process (then what
 * they test, not what the few matches show).
 */
static unsigned int eager_files(const struct opts *o, long top_pid)
{
	unsigned int files = 0;
	int i, raw_status = 0;

	if (top_pid || o->sel.npids)
		return 0;
	if (o->sel.nuids || o->sel.nexe || o->sel.nexe_paths)
		return (o->sel.nuids ? 1u << PB_F_STATUS : 0) | (o->sel.nexe || o->sel.nexe_paths ? 1u << PB_F_EXE : 0);
	for (i = 0; i < o->nshow; i++) {
		files |= fields[o->show[i]].file;
		raw_status |= o->show[i] == STATUS;
	}
	/* the text of status is read (and parsed) when shown: an earlier read for the ids would be a second one */
	if (raw_status)
		files &= ~(1u << PB_F_STATUS);
	return files;
}

/*
 * Levels of tree art drawn: 3 columns each, so a chain of nested processes (any user can fork one thousands
 * deep) costs a bounded width per line instead of a width that grows with the depth and an output that grows
 * with its square. A row deeper than this shows its depth as a number ("[40]\_ ") after the art of the first
 * levels.
 */
#define ART_LEVELS 32

/* the art of the levels above depth (those drawn), where a row or a level's marker goes next */
static void art_cut(struct pb_buf *art, int depth)
{
	art->len = depth > 1 ? (size_t)(depth - 1 < ART_LEVELS ? depth - 1 : ART_LEVELS) * 3 : 0;
}

/*
 * Display tree: the selected processes, each under its nearest parent when that parent is selected too, else at
 * the top. first/next are its child lists (indexes), built in O(n) like the core's own links.
 */
struct display {
	int *first, *next; /* per process: its first shown child, its next shown sibling; -1 for none */
	int *stack;        /* the walk: per level, the process it is at (-1: that level is done) */
	int top;           /* the first process at the top, -1 for none */
};

/* links each selected process (sel[i]) into the child list of its display parent, or of the top */
static void link_display(const struct pb_table *t, const unsigned char *sel, struct display *v)
{
	const struct pb_proc *p;
	size_t i, n = t->n;

	v->top = -1;
	for (i = 0; i < n; i++)
		v->first[i] = v->next[i] = -1;
	for (i = n; i-- > 0;) {
		if (!sel[i])
			continue;
		p = &t->procs[i];
		if (p->parent >= 0 && sel[p->parent]) {
			v->next[i] = v->first[p->parent];
			v->first[p->parent] = (int)i;
		} else {
			v->next[i] = v->top;
			v->top = (int)i;
		}
	}
}

/* One row per process of the display tree, depth-first with the tree art, written out in pieces; 1 when a
 * write failed, else 0. *shown counts the rows. */
static int show_rows(struct pb_buf *out, struct pb_table *t, const struct opts *o, struct display *v, int *shown)
{
	int depth, tcol = tree_column(o), failed = 0;
	struct pb_buf art, cell;
	struct pb_proc *p;

	pb_buf_init(&art);
	pb_buf_init(&cell);
	/* depth-first, iterative: hostile trees can be deeper than any C stack */
	depth = 0;
	v->stack[0] = v->top;
	while (depth >= 0) {
		int cur = v->stack[depth];
		if (cur < 0) {
			depth--;
			if (depth >= 0) {
				v->stack[depth] = v->next[v->stack[depth]];
				/* drop this level's art */
				art_cut(&art, depth);
			}
			continue;
		}
		p = &t->procs[cur];
		art_cut(&art, depth);
		if (depth > ART_LEVELS)
			pb_buf_addf(&art, "[%d]", depth);
		if (depth > 0)
			pb_buf_add(&art, "\\_ ", 3);
		if (o->json)
			json_row(out, t, p, o, !*shown);
		else
			text_row(out, t, p, o, tcol, &art, &cell);
		(*shown)++;
		if (out->len > OUT_FLUSH && pb_buf_write_fd(out, 1)) {
			failed = 1;
			break;
		}
		if (v->first[cur] >= 0) {
			/* the parent's own marker becomes a bar when it has later siblings (drawn levels only) */
			if (depth > 0 && depth <= ART_LEVELS) {
				art_cut(&art, depth);
				pb_buf_add(&art, v->next[cur] >= 0 ? "|  " : "   ", 3);
			}
			v->stack[++depth] = v->first[cur];
		} else {
			v->stack[depth] = v->next[cur];
		}
	}
	pb_buf_free(&art);
	pb_buf_free(&cell);
	return failed;
}

/* The end of the output (JSON's tail) written, with a warning when processes may be missing or none was
 * shown; 1 when a write failed (now or before: failed), else 0. */
static int finish_output(struct pb_buf *out, const struct pb_table *t, const struct opts *o, int shown, int failed)
{
	char note_buf[640];
	const char *note;

	/* say when processes may be missing, so that an empty or short list is not taken for the truth */
	note = applet_visibility_note(t, note_buf, sizeof note_buf);
	if (!shown) {
		out->len = 0;
		/* processes were found, and shown unless a filter left them out */
		applet_warn("%s%s%s", t->n ? "no process matched" : "no process found", note ? ": " : "",
			    note ? note : "");
	} else {
		if (o->json)
			json_tail(out, t);
		if (note)
			applet_warn("%s", note);
	}
	if (failed || (shown && pb_buf_write_fd(out, 1))) {
		applet_warn("write error: %s", strerror(errno));
		failed = 1;
	}
	return failed;
}

/* the selected processes as a tree, text or JSON: 0, or EXIT_NO when none was shown or a write failed */
static int show(struct pb_table *t, const struct opts *o)
{
	struct display v;
	unsigned char *sel;
	struct pb_buf out;
	size_t n = t->n;
	int shown = 0, failed = 0;

	/* first, next and stack: n + 1 ints each, in one allocation */
	v.first = malloc(3 * (n + 1) * sizeof *v.first);
	v.next = v.first + n + 1;
	v.stack = v.next + n + 1;
	sel = calloc(n + 1, 1);
	pb_buf_init(&out);
	/* one buffer of its final size: growing it by doubling touches (faults in) twice the pages */
	pb_buf_reserve(&out, OUT_FLUSH + 4096);
	if (!v.first || !sel || pb_select_flags(t, &o->sel, sel)) {
		applet_warn("out of memory");
		goto done;
	}
	link_display(t, sel, &v);
	if (o->json)
		pb_buf_adds(&out, PB_JSON_OPEN ",\"processes\":[");
	else
		text_header(&out, o);
	failed = show_rows(&out, t, o, &v, &shown);
	failed = finish_output(&out, t, o, shown, failed);
done:
	free(v.first);
	free(sel);
	pb_buf_free(&out);
	return shown && !failed ? 0 : EXIT_NO;
}

/* Room for every argument in each selection list, in one allocation (at pids): 0, or -1 after its line. */
static int alloc_lists(struct opts *o, int argc)
{
	/* -p's pids and the operand, -u's uids, the names (-e's from the start, --exe-path's after argc + 1) and the
	 * exact flags: argc + 1 slots each */
	o->pids = calloc((size_t)argc + 1, sizeof *o->pids + sizeof *o->uids + 2 * sizeof *o->names + 1);
	if (!o->pids) {
		applet_warn("out of memory");
		return -1;
	}
	o->uids = (long *)(o->pids + argc + 1);
	o->names = (const char **)(o->uids + argc + 1);
	o->exact = (unsigned char *)(o->names + 2 * ((size_t)argc + 1));
	o->sel.pids = o->pids;
	o->sel.pids_exact = o->exact;
	o->sel.exe_names = o->names;
	o->sel.exe_paths = o->names + argc + 1;
	o->sel.uids = o->uids;
	/* a reader shows every process: kernel threads, zombies, itself */
	o->sel.any_process = 1;
	o->sel.below_too = 1;
	return 0;
}

/* the fields shown without -o: a few in text, all but the large ones in JSON */
static void default_fields(struct opts *o)
{
	static const enum field text_default[] = {PID, USER, STATE, RSS, RUNTIME, CMDLINE};
	int i;

	if (o->json) {
		for (i = 0; i < NFIELDS; i++)
			if (i != ENVIRON && i != STATUS)
				o->show[o->nshow++] = (enum field)i;
	} else {
		memcpy(o->show, text_default, sizeof text_default);
		o->nshow = sizeof text_default / sizeof text_default[0];
	}
}

/* The options and the PID operand into o: -1 to go on, else the exit status (after its line, or -h's usage). */
static int parse_options(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pid", required_argument, NULL, 'p'},   {"exe-name", required_argument, NULL, 'e'},
		{"exe-path", required_argument, NULL, TARGETS_OPT_EXE_PATH},
		{"user", required_argument, NULL, 'u'},  {"depth", required_argument, NULL, TARGETS_OPT_DEPTH},
		{"level", required_argument, NULL, TARGETS_OPT_LEVEL}, {"fields", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long v;
	int c, fields_given = 0;

	while ((c = getopt_long(argc, argv, "+p:e:u:o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (applet_parse_ident(optarg, &o->pids[o->sel.npids], &o->exact[o->sel.npids]))
				return EXIT_USAGE;
			o->sel.npids++;
			break;
		case 'e': o->names[o->sel.nexe++] = optarg; break;
		case 'u':
			if ((v = pb_user_lookup(optarg)) < 0)
				return applet_usage_error("unknown user '%s'", optarg);
			o->uids[o->sel.nuids++] = v;
			break;
		case 'o':
			if (parse_fields(o, optarg))
				return EXIT_USAGE;
			fields_given = 1;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				o->json = 1;
			else if (strcmp(optarg, "text"))
				return applet_usage_error("unknown format '%s' (text or json)", optarg);
			break;
		case 'h': return applet_help(usage);
		default:
			/* --exe-path, --depth, --level: the selection of the applets that choose processes (c: the result) */
			if ((c = targets_select_option(&o->sel, o->names + argc + 1, c, optarg)) < 0)
				applet_bad_option(argc, argv);
			if (c)
				return EXIT_USAGE;
		}
	}
	if (optind < argc - 1)
		return applet_usage_error("at most one PID");
	/* the operand in the slot after -p's, so that one look at the clock checks them all */
	if (optind == argc - 1) {
		if (applet_parse_ident(argv[optind], &o->pids[o->sel.npids], &o->exact[o->sel.npids]))
			return EXIT_USAGE;
		o->top_arg = argv[optind];
		o->top_pid = o->pids[o->sel.npids].pid;
	}
	if (!fields_given)
		default_fields(o);
	return -1;
}

/* The scan, then the tree (below the PID operand when given): the exit status. */
static int run(struct opts *o)
{
	struct pb_ident *top_id = &o->pids[o->sel.npids];
	struct pb_proc *top = NULL;
	struct pb_root root;
	struct pb_table t;
	char note_buf[640];
	int r;

	if (applet_open_root(&root))
		return EXIT_NO;
	if ((r = applet_check_idents(&root, o->pids, o->exact, o->sel.npids + (o->top_pid != 0)))) {
		pb_root_close(&root);
		return r;
	}
	if (pb_scan_with(&root, &t, eager_files(o, o->top_pid))) {
		applet_warn("cannot scan %s: %s", root.path, strerror(errno));
		pb_root_close(&root);
		return EXIT_NO;
	}
	r = EXIT_NO;
	if (o->top_pid && (!(top = pb_find_pid(&t, (int)o->top_pid)) ||
			   (o->exact[o->sel.npids] && top->st.starttime != top_id->starttime))) {
		const char *note = applet_visibility_note(&t, note_buf, sizeof note_buf);
		applet_warn("no process %s%s%s", o->top_arg, note ? ": " : "", note ? note : "");
	} else {
		/* the subtree of PID, its top included: the levels count from it */
		o->sel.below = top_id;
		o->sel.below_exact = &o->exact[o->sel.npids];
		o->sel.nbelow = o->top_pid != 0;
		r = show(&t, o);
	}
	pb_table_free(&t);
	pb_root_close(&root);
	return r;
}

int proc_tree_main(int argc, char **argv)
{
	struct opts o = {0};
	int r = EXIT_NO;

	if (alloc_lists(&o, argc) == 0 && (r = parse_options(&o, argc, argv)) < 0)
		r = run(&o);
	free(o.pids);
	return r;
}
