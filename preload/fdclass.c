/* fdclass.c: the state of an fd, from the table or, the first time, from
 * the kernel. */
#include <errno.h>
#include <string.h>
#include "fdtab.h"
#include "real.h"

/* What the kernel says about an fd libodm has not seen being made: one
 * created before libodm was loaded, inherited across exec, or made by a
 * path that is not hooked. Only IPv6 stream and datagram sockets are
 * libodm's; one already bound is left alone. */
bool odm_fd_state_slow(int fd, struct odm_fdstate *st)
{
	struct sockaddr_in6 local;
	socklen_t len = sizeof(int);
	int domain, type, saved = errno;

	if (odm_fdtab_get(fd, st))
		return true;
	memset(st, 0, sizeof *st);
	if (odm_real.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len))
		return false;
	st->bits = ODM_FD_KNOWN | ODM_FD_OTHER;
	len = sizeof type;
	if (domain == AF_INET6 &&
	    odm_real.getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    (type == SOCK_STREAM || type == SOCK_DGRAM)) {
		st->bits = ODM_FD_KNOWN | ODM_FD_INET6 |
			   (type == SOCK_STREAM ? ODM_FD_STREAM : ODM_FD_DGRAM);
		len = sizeof local;
		if (odm_real.getsockname(fd, (struct sockaddr *)&local,
					 &len) == 0 &&
		    (local.sin6_port ||
		     !IN6_IS_ADDR_UNSPECIFIED(&local.sin6_addr)))
			st->bits |= ODM_FD_APPBOUND | ODM_FD_DECIDED;
	}
	errno = saved;
	odm_fdtab_put(fd, st);
	return true;
}

