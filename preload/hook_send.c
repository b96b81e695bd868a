/* hook_send.c: sendto(), sendmsg(), sendmmsg(): a datagram socket's first
 * send with a destination binds it implicitly, so it gets its type first.
 * The governed path is out of line, so an ungoverned send stays a few
 * instructions and a tail call. */
#include "hook.h"

/* Must a send on fd go through the decision first? Not for a socket
 * already decided or bound: the common case. */
static inline bool first_send(int fd)
{
	return !(odm_fdtab_bits(fd) &
		 (ODM_FD_DECIDED | ODM_FD_APPBOUND | ODM_FD_ODMBOUND));
}

static __attribute__((noinline)) ssize_t
governed_sendto(int fd, const void *buf, size_t n, int flags,
		const struct sockaddr *addr, socklen_t len)
{
	if (first_send(fd) && odm_before_connect(fd, addr, len))
		return -1;
	return odm_real.sendto(fd, buf, n, flags, addr, len);
}

ODM_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			  const struct sockaddr *addr, socklen_t len)
{
	odm_init();
	if (odm_active() && addr)
		return governed_sendto(fd, buf, n, flags, addr, len);
	return odm_real.sendto(fd, buf, n, flags, addr, len);
}

static __attribute__((noinline)) ssize_t
governed_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (first_send(fd) &&
	    odm_before_connect(fd, msg->msg_name, msg->msg_namelen))
		return -1;
	return odm_real.sendmsg(fd, msg, flags);
}

ODM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	odm_init();
	if (odm_active() && msg && msg->msg_name)
		return governed_sendmsg(fd, msg, flags);
	return odm_real.sendmsg(fd, msg, flags);
}

static __attribute__((noinline)) int
governed_sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	if (first_send(fd) &&
	    odm_before_connect(fd, vec[0].msg_hdr.msg_name,
			       vec[0].msg_hdr.msg_namelen))
		return -1;
	return odm_real.sendmmsg(fd, vec, vlen, flags);
}

ODM_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			int flags)
{
	odm_init();
	if (odm_active() && vec && vlen && vec[0].msg_hdr.msg_name)
		return governed_sendmmsg(fd, vec, vlen, flags);
	return odm_real.sendmmsg(fd, vec, vlen, flags);
}
