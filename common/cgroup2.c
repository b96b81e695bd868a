/* cgroup2.c: the cgroup v2 mount point (cgroup2.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup2.h"

#define ODM_CGROUP2_FALLBACK "/run/odm/cgroup2"

static int mounted(char *out, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -1;

	if (!f)
		return -1;
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE ... */
	while (rc && fgets(line, sizeof line, f)) {
		char root[1024], point[1024], *dash = strstr(line, " - ");
		char fstype[64];

		if (!dash || sscanf(dash, " - %63s", fstype) != 1 ||
		    strcmp(fstype, "cgroup2") ||
		    sscanf(line, "%*s %*s %*s %1023s %1023s", root, point) != 2 ||
		    strcmp(root, "/"))
			continue;
		if ((size_t)snprintf(out, len, "%s", point) < len)
			rc = 0;
	}
	fclose(f);
	return rc;
}

int odm_cgroup2_root(char *out, size_t len)
{
	if (mounted(out, len) == 0)
		return 0;
	/* None in this mount namespace (ip netns exec mounts a sysfs of its
	 * own over /sys): root mounts the one hierarchy again. */
	if (geteuid() != 0 || (mkdir("/run/odm", 0755) && errno != EEXIST) ||
	    (mkdir(ODM_CGROUP2_FALLBACK, 0755) && errno != EEXIST) ||
	    mount("cgroup2", ODM_CGROUP2_FALLBACK, "cgroup2", 0, NULL))
		return -1;
	return mounted(out, len);
}
