/* policy_find.c: the policy folder: every *.conf in name order, the one
 * that matches the program best, and the permission checks for root and
 * secure-execution programs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "policy.h"

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* May a privileged program trust a file or folder with this status? */
static const char *untrusted(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	return NULL;
}

int odm_policy_find(const char *dir, const struct odm_progid *id, bool strict,
		    struct odm_policy *out, char *err, size_t errlen,
		    void (*warn)(const char *msg))
{
	struct dirent **names;
	struct odm_policy cand;
	char path[PATH_MAX], msg[PATH_MAX + 128];
	const char *why;
	struct stat st;
	int n, best = ODM_MATCH_NONE, rc = 0;

	memset(out, 0, sizeof *out);
	if (strict && stat(dir, &st) == 0 && (why = untrusted(&st))) {
		snprintf(msg, sizeof msg, "%s: policy folder refused: %s", dir, why);
		if (warn)
			warn(msg);
		return 0;
	}
	n = scandir(dir, &names, is_conf, alphasort);
	if (n < 0)
		return 0; /* no folder: no policy */
	for (int i = 0; i < n; i++) {
		int m;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (strict && (why = untrusted(&st))) {
			snprintf(msg, sizeof msg, "%s: policy refused: %s", path, why);
			if (warn)
				warn(msg);
			continue;
		}
		if (odm_policy_parse(path, &cand, err, errlen)) {
			rc = -1;
			break;
		}
		m = odm_policy_matches(&cand, id);
		if (m > best) {
			odm_policy_free(out);
			*out = cand;
			best = m;
		} else {
			odm_policy_free(&cand);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc)
		odm_policy_free(out);
	return rc ? -1 : best != ODM_MATCH_NONE;
}
