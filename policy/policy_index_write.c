/* policy_index_write.c: compiles a policy folder into its index
 * (policy_index.h). For `odm check` and odmd, which link libconfuse; the
 * preload shim only reads indexes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cfgutil.h"
#include "policy_index.h"
#include "writeall.h"

/* A growing image of the file. */
struct out {
	char *buf;
	size_t len, cap;
	bool oom;
};

static uint32_t put(struct out *o, const void *data, size_t n)
{
	size_t at = (o->len + 7) & ~(size_t)7;

	if (at + n > o->cap) {
		size_t cap = o->cap ? o->cap : 65536;
		char *b;

		while (cap < at + n)
			cap *= 2;
		if (!(b = realloc(o->buf, cap))) {
			o->oom = true;
			return 0;
		}
		memset(b + o->cap, 0, cap - o->cap);
		o->buf = b;
		o->cap = cap;
	}
	if (data)
		memcpy(o->buf + at, data, n);
	o->len = at + n;
	return (uint32_t)at;
}

static uint32_t put_str(struct out *o, const char *s)
{
	uint32_t at = put(o, s, strlen(s) + 1);

	return at;
}

struct entry {
	char path[PATH_MAX];
	struct odm_policy_keys keys;
	struct odm_policy p;
	bool parsed, untrusted;
	char error[PATH_MAX + 300];
};

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       strcmp(d->d_name + n - 5, ".conf") == 0;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Reads one file: its policy, else how it names its programs and why it
 * is broken. */
static void read_entry(struct entry *e, void (*warn)(const char *msg))
{
	struct stat st;
	const char *why;
	char err[PATH_MAX + 256];

	if (stat(e->path, &st) == 0 && (why = odm_cfg_untrusted(&st))) {
		e->untrusted = true;
		snprintf(e->error, sizeof e->error, "%s: policy refused: %s",
			 e->path, why);
	}
	if (odm_policy_parse(e->path, false, &e->p, err, sizeof err) == 0) {
		e->parsed = true;
		e->keys = e->p.keys;
		return;
	}
	snprintf(e->error, sizeof e->error, "%s", err);
	if (warn)
		warn(err);
	/* Broken: whom it names, if that much can be read. */
	odm_policy_scan(e->path, false, &e->keys, err, sizeof err);
}

/* As many buckets as keys, about: the head stays small. */
static uint32_t pow2_above(uint32_t n)
{
	uint32_t b = 16;

	while (b < n)
		b <<= 1;
	return b;
}

struct keyref {
	const char *text;
	uint32_t file, kind;
};

static int build(const char *dir, struct entry *e, int n, struct out *o,
		 const struct stat *dst)
{
	struct odm_index_header h = { .version = ODM_INDEX_VERSION };
	struct keyref *refs = NULL;
	uint32_t nrefs = 0, nglob = 0, *buckets;
	struct odm_index_key *keys;
	struct odm_index_file *files;
	size_t cap = 0;

	(void)dir;
	for (int i = 0; i < n; i++) {
		struct odm_policy_keys *k = &e[i].keys;
		size_t add = k->nprograms + k->nscripts + k->nnames;

		if (nrefs + add > cap) {
			struct keyref *r;

			cap = (nrefs + add) * 2 + 16;
			if (!(r = realloc(refs, cap * sizeof *r))) {
				free(refs);
				return -1;
			}
			refs = r;
		}
		for (size_t j = 0; j < k->nprograms; j++)
			refs[nrefs++] = (struct keyref){ k->programs[j], (uint32_t)i,
							 ODM_MATCH_PROGRAM };
		for (size_t j = 0; j < k->nscripts; j++) {
			refs[nrefs++] = (struct keyref){ k->scripts[j], (uint32_t)i,
							 ODM_MATCH_SCRIPT };
			h.flags |= ODM_INDEX_SCRIPTS;
		}
		for (size_t j = 0; j < k->nnames; j++) {
			refs[nrefs++] = (struct keyref){ k->names[j], (uint32_t)i,
							 ODM_MATCH_NAME };
			if (is_glob(k->names[j])) {
				h.flags |= ODM_INDEX_GLOBS;
				nglob++;
			}
		}
	}
	memcpy(h.magic, ODM_INDEX_MAGIC, 8);
	h.sizes = (uint32_t)sizeof(struct odm_rule) << 16 |
		  (uint32_t)sizeof(struct odm_index_key);
	h.dir_dev = dst->st_dev;
	h.dir_ino = dst->st_ino;
	h.nbuckets = pow2_above(nrefs);
	h.nkeys = nrefs;
	h.nfiles = (uint32_t)n;
	put(o, &h, sizeof h);
	put(o, NULL, h.nbuckets * sizeof(uint32_t));
	put(o, NULL, (size_t)nrefs * sizeof(struct odm_index_key));
	/* Glob texts in the head: a lookup matches them without the rest. */
	uint32_t *text = calloc(nrefs ? nrefs : 1, sizeof *text);

	if (!text) {
		free(refs);
		return -1;
	}
	for (uint32_t i = 0; i < nrefs; i++)
		if (refs[i].kind == ODM_MATCH_NAME && is_glob(refs[i].text))
			text[i] = put_str(o, refs[i].text);
	((struct odm_index_header *)o->buf)->head_size = (uint32_t)o->len;
	for (uint32_t i = 0; i < nrefs; i++)
		if (!text[i])
			text[i] = put_str(o, refs[i].text);
	uint32_t files_off = put(o, NULL, (size_t)n * sizeof *files);

	for (int i = 0; i < n && !o->oom; i++) {
		struct odm_index_file f = { 0 };

		f.path = put_str(o, e[i].path);
		if (e[i].untrusted)
			f.flags |= ODM_INDEXF_UNTRUSTED;
		if (!e[i].parsed)
			f.flags |= ODM_INDEXF_BROKEN;
		if (e[i].error[0])
			f.error = put_str(o, e[i].error);
		if (e[i].parsed) {
			struct odm_index_policy p = {
				.server_bind = e[i].p.server_bind,
				.log_level = e[i].p.log_level,
				.log_target = e[i].p.log_target,
				.nrules = (uint32_t)e[i].p.nrules,
				.deflt = e[i].p.deflt,
			};

			f.policy = put(o, &p, sizeof p + e[i].p.nrules *
						      sizeof(struct odm_rule));
			if (!o->oom)
				memcpy(o->buf + f.policy + sizeof p, e[i].p.rules,
				       e[i].p.nrules * sizeof(struct odm_rule));
		}
		if (!o->oom)
			memcpy(o->buf + files_off + (size_t)i * sizeof f, &f, sizeof f);
	}
	if (!o->oom) {
		struct odm_index_header *hp = (struct odm_index_header *)o->buf;

		buckets = (uint32_t *)(o->buf + sizeof *hp);
		keys = (struct odm_index_key *)(buckets + hp->nbuckets);
		files = (struct odm_index_file *)(o->buf + files_off);
		(void)files;
		hp->files_off = files_off;
		hp->total = (uint32_t)o->len;
		for (uint32_t i = nrefs; i-- > 0;) {
			struct odm_index_key *k = &keys[i];

			k->hash = odm_index_hash(refs[i].text);
			k->file = refs[i].file;
			k->text = text[i];
			k->kind = refs[i].kind;
			if (k->kind == ODM_MATCH_NAME && is_glob(refs[i].text)) {
				k->next = hp->globs;
				hp->globs = i + 1;
			} else {
				uint32_t *b = &buckets[k->hash & (hp->nbuckets - 1)];

				k->next = *b;
				*b = i + 1;
			}
		}
	}
	free(text);
	free(refs);
	return o->oom ? -1 : 0;
}

int odm_policy_index_write(const char *dir, char *err, size_t errlen,
			   void (*warn)(const char *msg))
{
	struct dirent **names = NULL;
	struct entry *e = NULL;
	struct out o = { 0 };
	struct stat dst;
	char tmp[PATH_MAX], final[PATH_MAX];
	int n, k = 0, fd = -1, rc = -1;

	n = scandir(dir, &names, is_conf, alphasort);
	if (n > 0xffffff) {
		snprintf(err, errlen, "%s: too many files", dir);
		n = -1;
		errno = E2BIG;
	}
	if (n < 0 || stat(dir, &dst)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!(e = calloc(n ? (size_t)n : 1, sizeof *e)))
		goto oom;
	for (int i = 0; i < n; i++) {
		struct stat st;

		snprintf(e[k].path, sizeof e[k].path, "%s/%s", dir, names[i]->d_name);
		if (stat(e[k].path, &st) || !S_ISREG(st.st_mode))
			continue;
		read_entry(&e[k], warn);
		k++;
	}
	if (build(dir, e, k, &o, &dst))
		goto oom;
	snprintf(tmp, sizeof tmp, "%s/" ODM_INDEX_NAME ".%d", dir, (int)getpid());
	snprintf(final, sizeof final, "%s/" ODM_INDEX_NAME, dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || fchmod(fd, 0644) || odm_write_all(fd, o.buf, o.len) ||
	    rename(tmp, final) || stat(dir, &dst)) {
		snprintf(err, errlen, "%s: %s", final, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* The rename changed the folder: the index is valid from now on. */
	struct odm_index_header *h = (struct odm_index_header *)o.buf;

	h->dir_sec = dst.st_mtim.tv_sec;
	h->dir_nsec = dst.st_mtim.tv_nsec;
	if (pwrite(fd, h, sizeof *h, 0) != (ssize_t)sizeof *h || fsync(fd)) {
		snprintf(err, errlen, "%s: %s", final, strerror(errno));
		goto out;
	}
	rc = k;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", dir);
out:
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < k; i++) {
		if (e[i].parsed)
			odm_policy_free(&e[i].p);
		else
			odm_policy_keys_free(&e[i].keys);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(e);
	free(o.buf);
	return rc;
}
