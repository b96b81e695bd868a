/* hook_connect.c: connect(): an unbound socket gets its policy's type. */
#include "hook.h"

ODM_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	odm_init();
	if (odm_active())
		return odm_connect(fd, addr, len);
	return odm_real.connect(fd, addr, len);
}
