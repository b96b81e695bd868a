/* policy_index_read.c: a program's policy from the folder's index
 * (policy_index.h): one open, one read of the keys, one close when no file
 * names the program; the rest of the file only for the one that does. No
 * libconfuse. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "policy_index.h"

/* The first read goes to the stack: no malloc (whose first use costs a
 * program that never mallocs three syscalls) unless the head is larger
 * or a key matched. */
#define FIRST_READ (48 * 1024)
#define MAX_CANDIDATES 8

uint32_t odm_index_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

/* The index in memory: its head first, all of it once a key matched. */
struct image {
	char *buf;
	size_t len;
	const struct odm_index_header *h;
	bool heap;     /* buf is malloc'ed */
};

struct candidate {
	uint32_t key;
	const char *want;   /* the text it must have */
};

static const struct odm_index_key *key_at(const struct image *im, uint32_t i)
{
	const char *keys = im->buf + sizeof *im->h +
			   im->h->nbuckets * sizeof(uint32_t);

	return (const struct odm_index_key *)(keys + (size_t)i * sizeof(struct odm_index_key));
}

static const char *text_at(const struct image *im, uint32_t off)
{
	return off < im->len && memchr(im->buf + off, '\0', im->len - off)
		       ? im->buf + off : NULL;
}

/* Keys of kind in the bucket of s. */
static void lookup(const struct image *im, const char *s, uint32_t kind,
		   struct candidate *c, unsigned *n)
{
	uint32_t hash, i;
	const uint32_t *buckets = (const uint32_t *)(im->buf + sizeof *im->h);

	if (!s || !*s)
		return;
	hash = odm_index_hash(s);
	for (i = buckets[hash & (im->h->nbuckets - 1)]; i && i <= im->h->nkeys;
	     i = key_at(im, i - 1)->next) {
		const struct odm_index_key *k = key_at(im, i - 1);

		if (k->hash == hash && k->kind == kind && *n < MAX_CANDIDATES)
			c[(*n)++] = (struct candidate){ i - 1, s };
		if (k->next == i)
			break; /* a loop: a broken index */
	}
}

/* Name globs: their texts are in the head. */
static void globs(const struct image *im, const char *name,
		  struct candidate *c, unsigned *n)
{
	unsigned guard = 0;

	if (!name || !*name)
		return;
	for (uint32_t i = im->h->globs; i && i <= im->h->nkeys &&
					  guard++ < im->h->nkeys;
	     i = key_at(im, i - 1)->next) {
		const char *g = text_at(im, key_at(im, i - 1)->text);

		if (g && fnmatch(g, name, 0) == 0 && *n < MAX_CANDIDATES)
			c[(*n)++] = (struct candidate){ i - 1, NULL };
	}
}

static bool valid_head(const struct image *im, const struct stat *st)
{
	const struct odm_index_header *h = im->h;
	size_t keys_end;

	if (im->len < sizeof *h || memcmp(h->magic, ODM_INDEX_MAGIC, 8) ||
	    h->version != ODM_INDEX_VERSION ||
	    h->sizes != ((uint32_t)sizeof(struct odm_rule) << 16 |
			 (uint32_t)sizeof(struct odm_index_key)) ||
	    h->dir_dev != (uint64_t)st->st_dev || h->dir_ino != (uint64_t)st->st_ino ||
	    h->dir_sec != (int64_t)st->st_mtim.tv_sec ||
	    h->dir_nsec != (int64_t)st->st_mtim.tv_nsec)
		return false;
	keys_end = sizeof *h + (size_t)h->nbuckets * sizeof(uint32_t) +
		   (size_t)h->nkeys * sizeof(struct odm_index_key);
	return h->nbuckets && !(h->nbuckets & (h->nbuckets - 1)) &&
	       keys_end <= h->head_size && h->head_size <= h->total &&
	       h->files_off + (size_t)h->nfiles * sizeof(struct odm_index_file)
		       <= h->total;
}

/* Reads until len bytes of the file are in im (it grows the buffer). */
static int read_to(int fd, struct image *im, size_t len)
{
	char *b;

	if (len <= im->len)
		return 0;
	if (im->heap) {
		if (!(b = realloc(im->buf, len)))
			return -1;
	} else {
		if (!(b = malloc(len)))
			return -1;
		memcpy(b, im->buf, im->len);
		im->heap = true;
	}
	im->buf = b;
	im->h = (const struct odm_index_header *)b;
	while (im->len < len) {
		ssize_t r = read(fd, b + im->len, len - im->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		im->len += (size_t)r;
	}
	return 0;
}

static int copy_policy(const struct image *im, const struct odm_index_file *f,
		       struct odm_policy *out)
{
	const struct odm_index_policy *p;
	const char *path = text_at(im, f->path);

	if (!path || f->policy + sizeof *p > im->len)
		return -1;
	p = (const struct odm_index_policy *)(im->buf + f->policy);
	if (f->policy + sizeof *p + (size_t)p->nrules * sizeof p->rules[0] > im->len)
		return -1;
	memset(out, 0, sizeof *out);
	snprintf(out->path, sizeof out->path, "%s", path);
	out->deflt = p->deflt;
	out->nrules = p->nrules;
	out->server_bind = p->server_bind;
	out->log_level = p->log_level;
	out->log_target = p->log_target;
	out->rules = malloc((p->nrules ? p->nrules : 1) * sizeof *out->rules);
	if (!out->rules)
		return -1;
	memcpy(out->rules, p->rules, p->nrules * sizeof *out->rules);
	return 0;
}

int odm_policy_index_find(const char *dir, const struct stat *st,
			  struct odm_progid *id, bool strict,
			  struct odm_policy *out, char *err, size_t errlen,
			  void (*warn)(const char *msg))
{
	char path[PATH_MAX], msg[PATH_MAX + 300], first[FIRST_READ]
		__attribute__((aligned(8)));
	struct candidate c[MAX_CANDIDATES];
	struct image im = { .buf = first };
	unsigned n = 0;
	int fd, rc = ODM_INDEX_STALE;
	ssize_t r;

	snprintf(path, sizeof path, "%s/" ODM_INDEX_NAME, dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return ODM_INDEX_STALE;
	do
		r = read(fd, im.buf, FIRST_READ);
	while (r < 0 && errno == EINTR);
	if (r < (ssize_t)sizeof *im.h)
		goto out;
	im.len = (size_t)r;
	im.h = (const struct odm_index_header *)im.buf;
	if (!valid_head(&im, st) || read_to(fd, &im, im.h->head_size))
		goto out;
	lookup(&im, id->exe, ODM_MATCH_PROGRAM, c, &n);
	if (im.h->flags & ODM_INDEX_SCRIPTS)
		lookup(&im, odm_progid_script(id), ODM_MATCH_SCRIPT, c, &n);
	lookup(&im, base_name(id->exe), ODM_MATCH_NAME, c, &n);
	if (id->argv0 && strcmp(base_name(id->argv0), base_name(id->exe)))
		lookup(&im, base_name(id->argv0), ODM_MATCH_NAME, c, &n);
	if (im.h->flags & ODM_INDEX_GLOBS) {
		globs(&im, base_name(id->exe), c, &n);
		globs(&im, base_name(id->argv0), c, &n);
	}
	rc = ODM_INDEX_NONE;
	if (!n)
		goto out;
	/* A match: the rest of the index, to check the texts and read the
	 * best one's file. */
	if (read_to(fd, &im, im.h->total)) {
		rc = ODM_INDEX_STALE;
		goto out;
	}
	const struct odm_index_file *files =
		(const struct odm_index_file *)(im.buf + im.h->files_off);
	const struct odm_index_key *best = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct odm_index_key *k = key_at(&im, c[i].key);
		const char *t = text_at(&im, k->text);
		const struct odm_index_file *f;

		if (!t || k->file >= im.h->nfiles ||
		    (c[i].want && strcmp(t, c[i].want)))
			continue; /* another text with the same hash */
		f = &files[k->file];
		if (strict && (f->flags & ODM_INDEXF_UNTRUSTED)) {
			snprintf(msg, sizeof msg, "%s", text_at(&im, f->error)
				 ? text_at(&im, f->error) : "a policy refused");
			if (warn)
				warn(msg);
			continue;
		}
		if (!best || k->kind > best->kind ||
		    (k->kind == best->kind && k->file < best->file))
			best = k;
	}
	if (!best)
		goto out;
	const struct odm_index_file *f = &files[best->file];

	if (f->flags & ODM_INDEXF_BROKEN) {
		snprintf(err, errlen, "%s", text_at(&im, f->error)
			 ? text_at(&im, f->error) : "a broken policy file");
		rc = ODM_INDEX_BROKEN;
	} else if (copy_policy(&im, f, out)) {
		rc = ODM_INDEX_STALE;
	} else {
		rc = ODM_INDEX_FOUND;
	}
out:
	close(fd);
	if (im.heap)
		free(im.buf);
	return rc;
}
