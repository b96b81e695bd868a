/* hook_socket.c: socket(): a governed process remembers its sockets. */
#include "hook.h"

ODM_EXPORT int socket(int domain, int type, int protocol)
{
	int fd;

	odm_init();
	fd = odm_real.socket(domain, type, protocol);
	if (odm_active() && fd >= 0)
		odm_on_socket(fd, domain, type);
	return fd;
}
