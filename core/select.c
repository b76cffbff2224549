/* Choosing processes from one scan by pid, executable, user, ancestry and level (the applets that choose). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procbox.h"

/* marks of table entries during one selection */
enum {
	M_CHOSEN = 1,
	M_US = 2,     /* the caller or one of its ancestors */
	M_BELOW = 4,  /* within the levels asked for below one of pb_select.below (or the top) */
	M_TOP = 8,    /* chosen before --tree added descendants */
	M_WALKED = 16, /* below an M_TOP one */
	M_BASE = 32   /* one of pb_select.below: levels count from it */
};

static int has_ended(const struct pb_proc *p)
{
	return p->st.state == 'Z' || p->st.state == 'X' || p->st.state == 'x';
}

/* What a filter or a tree may pick up by itself: not a kernel thread (nobody waits for or stops those), not a
 * zombie (it has ended already), not the caller or what it runs under. */
static int may_pick(const struct pb_proc *p, unsigned char mark)
{
	return !(p->st.flags & PB_PF_KTHREAD) && !has_ended(p) && !(mark & M_US);
}

static struct pb_proc *find_ident(const struct pb_table *t, struct pb_ident id, int exact, enum pb_select_why *why)
{
	struct pb_proc *p = pb_find_pid(t, id.pid);

	if (!p) {
		*why = PB_SELECT_NO_PROCESS;
		return NULL;
	}
	if ((exact || id.starttime) && p->st.starttime != id.starttime) {
		*why = PB_SELECT_REUSED;
		return NULL;
	}
	return p;
}

static void mark_us(const struct pb_table *t, unsigned char *mark, int self)
{
	struct pb_proc *p = self > 0 ? pb_find_pid(t, self) : NULL;
	size_t steps = 0;

	/* the table has no cycles, but a bound costs nothing */
	for (; p && steps++ <= t->n; p = pb_parent(t, p))
		mark[pb_index(t, p)] |= M_US;
}

static int one_of(const char *s, const char *const *list, size_t n)
{
	while (n--)
		if (!strcmp(s, list[n]))
			return 1;
	return 0;
}

/* levels below some process are asked for: -d, or --depth/--level from the top */
static int by_level(const struct pb_select *s)
{
	return s->nbelow || s->depth || s->level;
}

static int passes(struct pb_table *t, struct pb_proc *p, const struct pb_select *s, const unsigned char *mark)
{
	const char *exe;
	size_t i;
	long uid;
	int ok;

	if (by_level(s) && !(mark[pb_index(t, p)] & M_BELOW))
		return 0;
	if (s->nuids) {
		uid = pb_uid(t, p);
		for (ok = 0, i = 0; i < s->nuids && !ok; i++)
			ok = uid >= 0 && uid == s->uids[i];
		if (!ok)
			return 0;
	}
	if (s->nexe && !one_of(pb_exe_name(t, p), s->exe_names, s->nexe))
		return 0;
	/* an unknown executable ("") is at no path */
	return !s->nexe_paths || (*(exe = pb_exe(t, p)) && one_of(exe, s->exe_paths, s->nexe_paths));
}

static int same_ident(struct pb_ident a, struct pb_ident b)
{
	return a.pid == b.pid && a.starttime == b.starttime;
}

static void add_miss(struct pb_selection *out, struct pb_ident id, enum pb_select_why why, int below)
{
	size_t i;

	if (!out)
		return;
	/* a pid given twice is reported once */
	for (i = 0; i < out->nmissed; i++)
		if (same_ident(out->missed[i].id, id) && out->missed[i].below == below)
			return;
	out->missed[out->nmissed].id = id;
	out->missed[out->nmissed].why = why;
	out->missed[out->nmissed].below = below;
	out->nmissed++;
}

/*
 * `out` for the processes from lo to hi levels below one marked `base` (level 0 is that process itself): one
 * pre-order pass over the forest that keeps, along the path from the root to the current process, a running
 * count of the base processes on it, so that "is there one between depth d - hi and d - lo" is a subtraction.
 * Linear in the table however deep the tree (any user can fork a chain thousands deep) or nested the bases:
 * walking each base's subtree instead would walk nested ones again, as often as their depth.
 */
static int mark_levels(struct pb_table *t, unsigned char *mark, unsigned char base, unsigned char out, size_t lo,
		       size_t hi)
{
	unsigned *depth = malloc((2 * t->n + 1) * sizeof *depth), *count = depth + t->n;
	size_t i, k, d;
	struct pb_proc *r, *q;

	if (!depth)
		return -1;
	for (i = 0; i < t->n; i++) {
		r = &t->procs[i];
		if (!pb_is_root_proc(r))
			continue;
		for (q = r; q; q = pb_next_descendant(t, r, q)) {
			k = (size_t)pb_index(t, q);
			d = q == r ? 0 : depth[q->parent] + 1;
			depth[k] = (unsigned)d;
			count[d] = (d ? count[d - 1] : 0) + ((mark[k] & base) != 0);
			/* the bases at depths d - hi to d - lo */
			if (d >= lo && count[d - lo] - (hi < d ? count[d - hi - 1] : 0))
				mark[k] |= out;
		}
	}
	free(depth);
	return 0;
}

/* with what is marked `top`, every descendant of it that may be picked (`top` ones aside when others_only) */
static int pick_below(struct pb_table *t, unsigned char *mark, int others_only)
{
	size_t i;

	if (mark_levels(t, mark, M_TOP, M_WALKED, 1, (size_t)-1))
		return -1;
	for (i = 0; i < t->n; i++)
		if ((mark[i] & M_WALKED) && !(others_only && (mark[i] & M_TOP)) && may_pick(&t->procs[i], mark[i]))
			mark[i] |= M_CHOSEN;
	return 0;
}

static struct pb_ident *collect(const struct pb_table *t, const unsigned char *mark, unsigned char bit, size_t *n)
{
	struct pb_ident *ids;
	size_t i, k = 0;

	for (i = 0; i < t->n; i++)
		k += (mark[i] & bit) != 0;
	*n = k;
	ids = malloc((k ? k : 1) * sizeof *ids);
	if (!ids)
		return NULL;
	for (i = 0, k = 0; i < t->n; i++) {
		if (mark[i] & bit) {
			ids[k].pid = t->procs[i].st.pid;
			ids[k].starttime = t->procs[i].st.starttime;
			k++;
		}
	}
	return ids;
}

/* Marks M_CHOSEN on what s chooses; out (NULL: none) gets the requests that were not found or not chosen. */
static int choose(struct pb_table *t, const struct pb_select *s, unsigned char *mark, struct pb_selection *out)
{
	enum pb_select_why why;
	struct pb_proc *p;
	size_t i, lo, hi;

	mark_us(t, mark, s->self);
	for (i = 0; i < s->nbelow; i++) {
		if ((p = find_ident(t, s->below[i], s->below_exact && s->below_exact[i], &why)))
			mark[pb_index(t, p)] |= M_BASE;
		else
			add_miss(out, s->below[i], why, 1);
	}
	if (by_level(s)) {
		lo = s->below_too ? 0 : 1;
		hi = (size_t)-1;
		if (s->level > 0)
			lo = hi = (size_t)s->level;
		if (s->depth > 0 && (size_t)s->depth < hi)
			hi = (size_t)s->depth;
		/* no `below`: the levels count from the top of the tree */
		for (i = 0; i < t->n && !s->nbelow; i++)
			if (pb_is_root_proc(&t->procs[i]))
				mark[i] |= M_BASE;
		if (mark_levels(t, mark, M_BASE, M_BELOW, lo, hi))
			return -1;
	}
	if (s->npids) {
		for (i = 0; i < s->npids; i++) {
			if (!(p = find_ident(t, s->pids[i], s->pids_exact && s->pids_exact[i], &why)))
				add_miss(out, s->pids[i], why, 0);
			else if (passes(t, p, s, mark))
				mark[pb_index(t, p)] |= M_CHOSEN;
			else
				add_miss(out, s->pids[i], PB_SELECT_NOT_MATCHED, 0);
		}
	} else {
		for (i = 0; i < t->n; i++)
			if ((s->any_process || may_pick(&t->procs[i], mark[i])) && passes(t, &t->procs[i], s, mark))
				mark[i] |= M_CHOSEN;
	}
	if (s->tree) {
		for (i = 0; i < t->n; i++)
			if (mark[i] & M_CHOSEN)
				mark[i] |= M_TOP;
		return pick_below(t, mark, 0);
	}
	return 0;
}

int pb_select(struct pb_table *t, const struct pb_select *s, struct pb_selection *out)
{
	unsigned char *mark;

	memset(out, 0, sizeof *out);
	mark = calloc(t->n + 1, 1);
	out->missed = malloc((s->npids + s->nbelow + 1) * sizeof *out->missed);
	if (!mark || !out->missed || choose(t, s, mark, out) || !(out->ids = collect(t, mark, M_CHOSEN, &out->n))) {
		free(mark);
		pb_selection_free(out);
		errno = ENOMEM;
		return -1;
	}
	free(mark);
	return 0;
}

int pb_select_flags(struct pb_table *t, const struct pb_select *s, unsigned char *chosen)
{
	size_t i;

	memset(chosen, 0, t->n);
	if (choose(t, s, chosen, NULL)) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < t->n; i++)
		chosen[i] = (chosen[i] & M_CHOSEN) != 0;
	return 0;
}

void pb_selection_free(struct pb_selection *s)
{
	free(s->ids);
	free(s->missed);
	memset(s, 0, sizeof *s);
}

long pb_select_new_descendants(struct pb_table *t, const struct pb_ident *ids, size_t n, int self,
			       struct pb_ident **out)
{
	unsigned char *mark = calloc(t->n + 1, 1);
	enum pb_select_why why;
	struct pb_proc *p;
	size_t i, found;

	*out = NULL;
	if (!mark) {
		errno = ENOMEM;
		return -1;
	}
	mark_us(t, mark, self);
	/* known only with the same starttime: a child of a process that reused a known pid is not ours */
	for (i = 0; i < n; i++)
		if ((p = find_ident(t, ids[i], 1, &why)))
			mark[pb_index(t, p)] |= M_TOP;
	/* M_TOP marks the processes already known */
	*out = pick_below(t, mark, 1) ? NULL : collect(t, mark, M_CHOSEN, &found);
	free(mark);
	if (!*out) {
		errno = ENOMEM;
		return -1;
	}
	if (!found) {
		free(*out);
		*out = NULL;
	}
	return (long)found;
}
