/* Choosing processes from one scan by pid, executable name, user and ancestry (proc-wait and proc-stop). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procbox.h"

/* marks of table entries during one selection */
enum {
	M_CHOSEN = 1,
	M_US = 2,     /* the caller or one of its ancestors */
	M_BELOW = 4,  /* descends from one of pb_select.below */
	M_TOP = 8,    /* chosen before --tree added descendants */
	M_WALKED = 16 /* its subtree was walked already */
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

static int passes(struct pb_table *t, struct pb_proc *p, const struct pb_select *s, const unsigned char *mark)
{
	const char *name;
	size_t i;
	long uid;
	int ok;

	if (s->nbelow && !(mark[pb_index(t, p)] & M_BELOW))
		return 0;
	if (s->nuids) {
		uid = pb_uid(t, p);
		for (ok = 0, i = 0; i < s->nuids && !ok; i++)
			ok = uid >= 0 && uid == s->uids[i];
		if (!ok)
			return 0;
	}
	if (s->nexe) {
		name = pb_exe_name(t, p);
		for (ok = 0, i = 0; i < s->nexe && !ok; i++)
			ok = !strcmp(name, s->exe_names[i]);
		if (!ok)
			return 0;
	}
	return 1;
}

static int same_ident(struct pb_ident a, struct pb_ident b)
{
	return a.pid == b.pid && a.starttime == b.starttime;
}

static void add_miss(struct pb_selection *out, struct pb_ident id, enum pb_select_why why, int below)
{
	size_t i;

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
 * Calls pick once for each process below an entry marked `from`: one pre-order pass over the whole forest, in
 * which a process is below one when its parent is marked or below one itself (parents come first). Walking
 * each marked entry's subtree instead would walk nested ones again, as often as the depth when a user's
 * chain of processes is marked whole.
 */
static void walk_below(struct pb_table *t, unsigned char *mark, unsigned char from,
		       void (*pick)(struct pb_table *, unsigned char *, struct pb_proc *))
{
	struct pb_proc *r, *q;
	size_t i;

	for (i = 0; i < t->n; i++) {
		r = &t->procs[i];
		if (!pb_is_root_proc(r))
			continue;
		for (q = pb_next_descendant(t, r, r); q; q = pb_next_descendant(t, r, q))
			if (mark[q->parent] & (from | M_WALKED)) {
				mark[pb_index(t, q)] |= M_WALKED;
				pick(t, mark, q);
			}
	}
	for (i = 0; i < t->n; i++)
		mark[i] &= (unsigned char)~M_WALKED;
}

static void pick_tree(struct pb_table *t, unsigned char *mark, struct pb_proc *q)
{
	size_t i = (size_t)pb_index(t, q);

	if (may_pick(q, mark[i]))
		mark[i] |= M_CHOSEN;
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

int pb_select(struct pb_table *t, const struct pb_select *s, struct pb_selection *out)
{
	unsigned char *mark;
	enum pb_select_why why;
	struct pb_proc *p, *q;
	size_t i;

	memset(out, 0, sizeof *out);
	mark = calloc(t->n + 1, 1);
	out->missed = malloc((s->npids + s->nbelow + 1) * sizeof *out->missed);
	if (!mark || !out->missed)
		goto nomem;
	mark_us(t, mark, s->self);
	for (i = 0; i < s->nbelow; i++) {
		if (!(p = find_ident(t, s->below[i], s->below_exact && s->below_exact[i], &why))) {
			add_miss(out, s->below[i], why, 1);
			continue;
		}
		for (q = pb_next_descendant(t, p, p); q; q = pb_next_descendant(t, p, q))
			mark[pb_index(t, q)] |= M_BELOW;
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
			if (may_pick(&t->procs[i], mark[i]) && passes(t, &t->procs[i], s, mark))
				mark[i] |= M_CHOSEN;
	}
	if (s->tree) {
		for (i = 0; i < t->n; i++)
			if (mark[i] & M_CHOSEN)
				mark[i] |= M_TOP;
		walk_below(t, mark, M_TOP, pick_tree);
	}
	if (!(out->ids = collect(t, mark, M_CHOSEN, &out->n)))
		goto nomem;
	free(mark);
	return 0;
nomem:
	free(mark);
	pb_selection_free(out);
	errno = ENOMEM;
	return -1;
}

void pb_selection_free(struct pb_selection *s)
{
	free(s->ids);
	free(s->missed);
	memset(s, 0, sizeof *s);
}

static void pick_new(struct pb_table *t, unsigned char *mark, struct pb_proc *q)
{
	size_t i = (size_t)pb_index(t, q);

	/* M_TOP marks the processes already known */
	if (!(mark[i] & M_TOP) && may_pick(q, mark[i]))
		mark[i] |= M_CHOSEN;
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
	walk_below(t, mark, M_TOP, pick_new);
	*out = collect(t, mark, M_CHOSEN, &found);
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
