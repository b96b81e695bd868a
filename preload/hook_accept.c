/* hook_accept.c: accept(), accept4(): connections inherit what their
 * listening socket knows. */
#include "hook.h"

ODM_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	int nfd;

	odm_init();
	nfd = odm_real.accept(fd, addr, len);
	if (nfd >= 0 && odm_active())
		odm_on_accept(fd, nfd);
	return nfd;
}

ODM_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len,
		       int flags)
{
	int nfd;

	odm_init();
	nfd = odm_real.accept4(fd, addr, len, flags);
	if (nfd >= 0 && odm_active())
		odm_on_accept(fd, nfd);
	return nfd;
}
