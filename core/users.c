/* uid/gid to names through the C library (files, then nscd), cached; a missing name is the number. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procbox.h"

/*
 * Every id looked up keeps its name for the life of the process: callers hold the pointer while they look up
 * others (a row of several processes, a list of jobs), so a name is never overwritten by a later look-up. The
 * ids are those of the processes seen, a few hundred on a busy machine; an open-addressing table finds them.
 */
struct name_entry {
	unsigned int id;
	char *name; /* NULL: a free slot */
};

struct name_cache {
	struct name_entry *slot;
	size_t mask, used; /* slots - 1 (a power of two), entries */
};

static struct name_cache users, groups;

static size_t slot_of(const struct name_cache *c, unsigned int id)
{
	size_t i = (size_t)(id * 2654435761u) & c->mask;

	while (c->slot[i].name && c->slot[i].id != id)
		i = (i + 1) & c->mask;
	return i;
}

/* doubles the table (or makes the first one); 0 or -1 */
static int grow(struct name_cache *c)
{
	size_t size = c->slot ? (c->mask + 1) * 2 : 64, i;
	struct name_cache bigger = {calloc(size, sizeof *c->slot), size - 1, c->used};

	if (!bigger.slot)
		return -1;
	for (i = 0; c->slot && i <= c->mask; i++)
		if (c->slot[i].name)
			bigger.slot[slot_of(&bigger, c->slot[i].id)] = c->slot[i];
	free(c->slot);
	*c = bigger;
	return 0;
}

static const char *cached(struct name_cache *c, unsigned int id, const char *(*lookup)(unsigned int))
{
	char number[16];
	const char *name;
	size_t i;

	if (c->slot) {
		i = slot_of(c, id);
		if (c->slot[i].name)
			return c->slot[i].name;
	}
	/* at most half full */
	if ((!c->slot || 2 * (c->used + 1) > c->mask + 1) && grow(c))
		return "?";
	name = lookup(id);
	if (!name) {
		snprintf(number, sizeof number, "%u", id);
		name = number;
	}
	i = slot_of(c, id);
	if (!(c->slot[i].name = strdup(name)))
		return "?";
	c->slot[i].id = id;
	c->used++;
	return c->slot[i].name;
}

static const char *user_db(unsigned int uid)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	return pw ? pw->pw_name : NULL;
}

static const char *group_db(unsigned int gid)
{
	struct group *gr = getgrgid((gid_t)gid);

	return gr ? gr->gr_name : NULL;
}

const char *pb_uid_name(unsigned int uid)
{
	return cached(&users, uid, user_db);
}

const char *pb_gid_name(unsigned int gid)
{
	return cached(&groups, gid, group_db);
}

long pb_user_lookup(const char *name_or_uid)
{
	struct passwd *pw;
	unsigned long long v;

	if (!name_or_uid || !*name_or_uid)
		return -1;
	pw = getpwnam(name_or_uid);
	if (pw)
		return (long)pw->pw_uid;
	if (pb_parse_ull(name_or_uid, 10, 0xfffffffeUL, &v))
		return -1;
	return (long)v;
}
