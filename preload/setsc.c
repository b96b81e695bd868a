/* setsc.c: setsc() for aware programs (odm.h): checks the socket, asks the
 * engine, and remembers which socket asked for which type and got which
 * address. A socket whose source address is already fixed (bound,
 * connected, listening, or that has sent) is refused: no type can apply
 * to it any more. */
#include <arpa/inet.h>
#include <errno.h>
#include "engine.h"
#include "fdtab.h"
#include "interpose.h"
#include "log.h"

#define FIXED (ODM_FD_APPBOUND | ODM_FD_ODMBOUND | ODM_FD_WILDPORT | \
	       ODM_FD_DECIDED)

int odm_setsc(int fd, struct in6_addr *out, sc_type type)
{
	struct odm_fdstate st;
	char text[INET6_ADDRSTRLEN];
	int status, saved = errno;

	if (!out) {
		errno = EFAULT;
		return -1;
	}
	if (!odm_type_valid(type)) {
		errno = EINVAL;
		return -1;
	}
	if (!odm_fd_state(fd, &st))
		return -1; /* EBADF, ENOTSOCK */
	if (!(st.bits & ODM_FD_INET6)) {
		errno = (st.bits & ODM_FD_OTHER) ? EAFNOSUPPORT : ENOTSOCK;
		return -1;
	}
	if (st.bits & FIXED) {
		errno = EINVAL; /* as bind() says of a bound socket */
		return -1;
	}
	status = odm_engine_pick(type, st.bits & ODM_FD_ONNET, false, out);
	if (status == 0) {
		st.bits |= ODM_FD_HASADDR;
		st.type = type;
		st.addr = *out;
		odm_fdtab_put(fd, &st);
		if (odm_log_enabled(ODM_LOG_DEBUG))
			odm_log_write(ODM_LOG_DEBUG, "fd %d setsc %s -> %s", fd,
				      odm_type_name(type),
				      inet_ntop(AF_INET6, out, text,
						sizeof text));
	} else {
		odm_log(ODM_LOG_INFO, "fd %d setsc %s: %s", fd,
			odm_type_name(type), odm_strerror(status));
	}
	errno = saved;
	return status;
}
