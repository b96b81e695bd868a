/* policy_index.h: the policy folder compiled into one file, so that a
 * process finds its own policy without reading the others: `.odm-index`
 * inside the folder, kept by `odm check` and by odmd (inotify). It holds,
 * for every file, the keys that name programs (a hash table of exact
 * program paths, scripts and names, and a list of name globs), whether the
 * file is broken (its error, which only the programs it names report), and
 * its policy compiled (so the program it governs parses nothing). A lookup
 * reads the part with the keys in one read(); it is valid while the
 * folder's identity and modification time are those it was made with (one
 * stat). Made and read on the same host by the same libodm: the layout is
 * native, checked by a magic, a version and the sizes of its records. */
#ifndef ODM_POLICY_INDEX_H
#define ODM_POLICY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "policy.h"

#define ODM_INDEX_NAME    ".odm-index"
#define ODM_INDEX_MAGIC   "ODMINDEX"
#define ODM_INDEX_VERSION 2

enum odm_index_flag {
	ODM_INDEX_SCRIPTS = 1u << 0, /* some file names a script */
	ODM_INDEX_GLOBS = 1u << 1,   /* some name is a glob */
};

enum odm_index_file_flag {
	ODM_INDEXF_BROKEN = 1u << 0,    /* error says why; no policy */
	ODM_INDEXF_UNTRUSTED = 1u << 1, /* a privileged program skips it */
};

struct odm_index_header {
	char magic[8];
	uint32_t version;
	uint32_t sizes;        /* sizeof(struct odm_rule) << 16 | key size */
	uint64_t dir_dev, dir_ino;
	int64_t dir_sec, dir_nsec;
	uint32_t nbuckets;     /* a power of two */
	uint32_t nkeys;
	uint32_t globs;        /* first glob key + 1, 0 when none */
	uint32_t nfiles;
	uint32_t flags;        /* enum odm_index_flag */
	uint32_t head_size;    /* header, buckets, keys, glob texts */
	uint32_t files_off;    /* struct odm_index_file[nfiles] */
	uint32_t total;        /* the file's size */
};

struct odm_index_key {
	uint32_t hash;         /* of the text (FNV-1a) */
	uint32_t next;         /* next key of the bucket (or glob) + 1 */
	uint32_t file : 24;    /* which file */
	uint32_t kind : 8;     /* enum odm_match */
	uint32_t text;         /* offset of the text */
};

struct odm_index_file {
	uint32_t path;         /* offset of the file's path */
	uint32_t flags;        /* enum odm_index_file_flag */
	uint32_t error;        /* offset of its error (broken, untrusted) */
	uint32_t policy;       /* offset of struct odm_index_policy */
};

struct odm_index_policy {
	int32_t server_bind, log_level, log_target;
	uint32_t nrules;
	struct odm_rule deflt;
	struct odm_rule rules[];
};

uint32_t odm_index_hash(const char *s);

/* Compiles dir into dir/.odm-index (a new file, renamed into place).
 * Returns how many files it holds, or -1 with err set. warn (may be NULL)
 * hears of each broken file. Needs libconfuse (the tools, odmd). */
int odm_policy_index_write(const char *dir, char *err, size_t errlen,
			   void (*warn)(const char *msg));

/* What a lookup found. */
enum odm_index_result {
	ODM_INDEX_NONE = 0,     /* no file names the program */
	ODM_INDEX_FOUND = 1,    /* *out is its policy */
	ODM_INDEX_BROKEN = -1,  /* its file is broken or refused: err says */
	ODM_INDEX_STALE = -2,   /* no index, or older than the folder */
};

/* The policy dir's index holds for the program id: with strict set
 * (privileged programs), untrusted files are skipped, through warn. st is
 * the folder's status (the caller stat()ed it). */
int odm_policy_index_find(const char *dir, const struct stat *st,
			  struct odm_progid *id, bool strict,
			  struct odm_policy *out, char *err, size_t errlen,
			  void (*warn)(const char *msg));

#endif
