/* uid/gid to names through the C library (files, then nscd), cached; a missing name is the number. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procbox.h"

#define CACHE_SIZE 64

struct name_cache {
	unsigned int id[CACHE_SIZE];
	char name[CACHE_SIZE][33];
	unsigned int used, next;
};

static struct name_cache users, groups;

static const char *cached(struct name_cache *c, unsigned int id, const char *(*lookup)(unsigned int))
{
	unsigned int i;
	const char *name;

	for (i = 0; i < c->used; i++)
		if (c->id[i] == id)
			return c->name[i];
	/* a small ring: a machine with more distinct owners than this just looks up again */
	i = c->next;
	c->next = (c->next + 1) % CACHE_SIZE;
	if (c->used < CACHE_SIZE)
		c->used++;
	name = lookup(id);
	c->id[i] = id;
	if (name && strlen(name) < sizeof c->name[i])
		strcpy(c->name[i], name);
	else
		snprintf(c->name[i], sizeof c->name[i], "%u", id);
	return c->name[i];
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
