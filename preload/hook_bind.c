/* hook_bind.c: bind(): [::]:0 counts as unbound; servers get their type. */
#include "hook.h"

ODM_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	odm_init();
	if (!odm_active())
		return odm_real.bind(fd, addr, len);
	return odm_bind(fd, addr, len);
}
