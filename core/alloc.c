/* The static binary's malloc: size classes carved from mapped regions, big blocks mapped on their own.
 *
 * musl's mallocng is 8 KB of the binary; procbox is single-threaded, short-lived or rescanning into tables it
 * frees whole, so segregated free lists are enough: blocks of 32 B .. 32 KiB (powers of two, a 16-byte header
 * naming the class) come from 256 KiB regions and go back to their class's list; bigger ones are their own
 * mapping, grown with mremap (the process table and read buffers double in place or move without a copy).
 * Only build/procbox links the malloc/free/calloc/realloc names below (PB_OWN_MALLOC); tests, fuzzers and the
 * valgrind build keep their C library's malloc and reach this code as pb_malloc & co. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "procbox.h"

#define HEADER 16
#define CLASSES 11 /* blocks of 32 << 0 .. 32 << 10 = 32 KiB: a free block keeps its list link after the header */
#define REGION (256 * 1024)

struct block {
	size_t size; /* a class's block size, or the length of the block's own mapping */
	size_t big;  /* 1 when the block is its own mapping (keeps the header 16 bytes: alignment) */
};

static void *free_list[CLASSES];
static char *region, *region_end;

static int class_of(size_t n)
{
	int c = 0;

	while ((size_t)32 << c < n)
		c++;
	return c;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void *pb_malloc(size_t n)
{
	struct block *b;
	size_t size;
	int c;

	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	n += HEADER;
	if (n > (size_t)32 << (CLASSES - 1)) {
		size = (n + 4095) & ~(size_t)4095;
		if (!(b = map(size)))
			return NULL;
		b->size = size;
		b->big = 1;
		return (char *)b + HEADER;
	}
	c = class_of(n);
	size = (size_t)32 << c;
	if (free_list[c]) {
		b = free_list[c];
		free_list[c] = *(void **)((char *)b + HEADER);
	} else {
		if ((size_t)(region_end - region) < size) {
			/* the rest of the old region is left unused: at most one block of the largest class */
			if (!(region = map(REGION)))
				return region_end = NULL;
			region_end = region + REGION;
		}
		b = (struct block *)region;
		region += size;
	}
	b->size = size;
	b->big = 0;
	return (char *)b + HEADER;
}

void pb_free(void *p)
{
	struct block *b;
	int c;

	if (!p)
		return;
	b = (struct block *)((char *)p - HEADER);
	if (b->big) {
		munmap(b, b->size);
		return;
	}
	c = class_of(b->size);
	*(void **)p = free_list[c];
	free_list[c] = b;
}

void *pb_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = pb_malloc(n * size);
	if (p && !((struct block *)((char *)p - HEADER))->big) /* fresh mappings are zero already */
		memset(p, 0, n * size);
	return p;
}

void *pb_realloc(void *p, size_t n)
{
	struct block *b;
	void *q;

	if (!p)
		return pb_malloc(n);
	b = (struct block *)((char *)p - HEADER);
	if (n <= b->size - HEADER && (!b->big || n > b->size / 2))
		return p;
	if (b->big && n < SIZE_MAX / 2 && n + HEADER > (size_t)32 << (CLASSES - 1)) {
		size_t size = (n + HEADER + 4095) & ~(size_t)4095;

		q = mremap(b, b->size, size, MREMAP_MAYMOVE);
		if (q == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		((struct block *)q)->size = size;
		return (char *)q + HEADER;
	}
	q = pb_malloc(n);
	if (q) {
		memcpy(q, p, n < b->size - HEADER ? n : b->size - HEADER);
		pb_free(p);
	}
	return q;
}

#ifdef PB_OWN_MALLOC
void *malloc(size_t n)
{
	return pb_malloc(n);
}

void free(void *p)
{
	pb_free(p);
}

void *calloc(size_t n, size_t size)
{
	return pb_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return pb_realloc(p, n);
}
#endif
