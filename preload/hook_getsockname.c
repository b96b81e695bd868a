/* hook_getsockname.c: getsockname(): a bind to [::]:0 that libodm held back
 * happens before the program looks at its port. */
#include "hook.h"

ODM_EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	odm_init();
	if (odm_active())
		odm_before_getsockname(fd);
	return odm_real.getsockname(fd, addr, len);
}
