/* hook_sockopt.c: setsockopt(), getsockopt(): IPV6_REQUIRE_SRC_ON_NET lives
 * in IPV6_ADDR_PREFERENCES next to the RFC 5014 bits, but the kernel
 * ignores unknown bits and never reports them, so libodm keeps it per
 * socket and passes only the RFC 5014 bits on. IPV6_PREFER_SRC_TMP is
 * remembered too: a typed socket then gets a temporary address of its
 * type where the host has one. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "hook.h"

static bool is_prefs(int level, int name)
{
	return level == IPPROTO_IPV6 && name == IPV6_ADDR_PREFERENCES;
}

ODM_EXPORT int setsockopt(int fd, int level, int name, const void *val,
			  socklen_t len)
{
	struct odm_fdstate st;
	uint32_t flags, tmp;
	int rc;

	odm_init();
	if (!is_prefs(level, name) || !val || len < sizeof flags)
		return odm_real.setsockopt(fd, level, name, val, len);
	memcpy(&flags, val, sizeof flags);
	tmp = (flags & IPV6_PREFER_SRC_TMP) ? ODM_FD_PREFTMP : 0;
	if (flags & IPV6_REQUIRE_SRC_ON_NET) {
		flags &= ~IPV6_REQUIRE_SRC_ON_NET;
		rc = odm_real.setsockopt(fd, level, name, &flags, sizeof flags);
		if (rc == 0 && odm_fd_state(fd, &st))
			odm_fdtab_update(fd, ODM_FD_ONNET | tmp,
					 tmp ^ ODM_FD_PREFTMP);
		return rc;
	}
	rc = odm_real.setsockopt(fd, level, name, val, len);
	if (rc == 0 && (!tmp || odm_fd_state(fd, &st)))
		odm_fdtab_update(fd, tmp, ODM_FD_ONNET | (tmp ^ ODM_FD_PREFTMP));
	return rc;
}

ODM_EXPORT int getsockopt(int fd, int level, int name, void *val,
			  socklen_t *len)
{
	struct odm_fdstate st;
	uint32_t flags;
	int rc;

	odm_init();
	rc = odm_real.getsockopt(fd, level, name, val, len);
	if (rc || !is_prefs(level, name) || !val || !len ||
	    *len < sizeof flags || !odm_fdtab_get(fd, &st) ||
	    !(st.bits & ODM_FD_ONNET))
		return rc;
	memcpy(&flags, val, sizeof flags);
	flags |= IPV6_REQUIRE_SRC_ON_NET;
	memcpy(val, &flags, sizeof flags);
	return rc;
}
