/* policy_find.c: the policy of this program in the folder: from the
 * folder's index when it is current (policy_index_read.c), else by reading
 * how each file names its programs (policy_scan.c) and parsing only the
 * one that names this program best. A broken file concerns only the
 * programs it names; for a privileged program (strict), a folder or file
 * another user or a group may write is refused, with a warning. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cfgutil.h"
#include "policy.h"
#include "policy_index.h"

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* Without an index: the file that names the program best, by name order on
 * a tie; its path into best. */
static int scan_folder(const char *dir, struct odm_progid *id,
		       bool strict, char *best, size_t bestlen,
		       void (*warn)(const char *msg))
{
	struct dirent **names;
	char path[PATH_MAX], err[PATH_MAX + 256];
	int n, top = ODM_MATCH_NONE;

	n = scandir(dir, &names, is_conf, alphasort);
	if (n < 0)
		return ODM_MATCH_NONE;
	for (int i = 0; i < n; i++) {
		struct odm_policy_keys k;
		int m;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		if (odm_policy_scan(path, strict, &k, err, sizeof err)) {
			/* Refused files are said; one whose names cannot be
			 * made out concerns no program in particular. */
			if (strstr(err, "refused") && warn)
				warn(err);
			continue;
		}
		m = odm_policy_keys_match(&k, id);
		if (m > top) {
			top = m;
			snprintf(best, bestlen, "%s", path);
		}
		odm_policy_keys_free(&k);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return top;
}

int odm_policy_find(const char *dir, struct odm_progid *id, bool strict,
		    struct odm_policy *out, char *err, size_t errlen,
		    void (*warn)(const char *msg))
{
	char best[PATH_MAX], msg[PATH_MAX + 128];
	const char *why;
	struct stat st;
	int rc;

	memset(out, 0, sizeof *out);
	if (stat(dir, &st) != 0)
		return 0; /* no folder: no policy */
	if (strict && (why = odm_cfg_untrusted(&st))) {
		snprintf(msg, sizeof msg, "%s: policy folder refused: %s", dir, why);
		if (warn)
			warn(msg);
		return 0;
	}
	rc = odm_policy_index_find(dir, &st, id, strict, out, err, errlen, warn);
	if (rc == ODM_INDEX_FOUND)
		return 1;
	if (rc == ODM_INDEX_NONE)
		return 0;
	if (rc == ODM_INDEX_BROKEN)
		return -1;
	if (scan_folder(dir, id, strict, best, sizeof best, warn) == ODM_MATCH_NONE)
		return 0;
	return odm_policy_parse(best, strict, out, err, errlen) ? -1 : 1;
}
