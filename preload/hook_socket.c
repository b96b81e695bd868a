/* hook_socket.c: socket(): a governed process remembers what its sockets
 * are, so later hooks need no syscall to know. */
#include "engine.h"
#include "hook.h"

/* The first IPv6 socket also readies the engine (engine.h), so that no
 * later hook, a signal handler's included, has to load anything. */
static inline void remember(int fd, int domain, int type)
{
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (domain == AF_INET6 && type == SOCK_STREAM) {
		odm_fdtab_set_bits(fd, ODM_FD_INET6 | ODM_FD_STREAM);
		odm_engine_warm_once();
	} else if (domain == AF_INET6 && type == SOCK_DGRAM) {
		odm_fdtab_set_bits(fd, ODM_FD_INET6 | ODM_FD_DGRAM);
		odm_engine_warm_once();
	} else {
		odm_fdtab_set_bits(fd, ODM_FD_OTHER);
	}
}

ODM_EXPORT int socket(int domain, int type, int protocol)
{
	int fd;

	odm_init();
	fd = odm_real.socket(domain, type, protocol);
	if (odm_active() && fd >= 0)
		remember(fd, domain, type);
	return fd;
}
