/* hook_send.c: sendto(), sendmsg(), sendmmsg(): a datagram socket's first
 * send with a destination binds it implicitly, so it gets its type first. */
#include "hook.h"

/* Must a send to addr on fd go through the decision first? Not for a
 * socket already decided or bound: the common case, inlined. */
static inline bool first_send(int fd, const void *addr)
{
	return addr && odm_active() &&
	       !(odm_fdtab_bits(fd) &
		 (ODM_FD_DECIDED | ODM_FD_APPBOUND | ODM_FD_ODMBOUND));
}

ODM_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			  const struct sockaddr *addr, socklen_t len)
{
	odm_init();
	if (first_send(fd, addr) && odm_before_connect(fd, addr, len))
		return -1;
	return odm_real.sendto(fd, buf, n, flags, addr, len);
}

ODM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	odm_init();
	if (msg && first_send(fd, msg->msg_name) &&
	    odm_before_connect(fd, msg->msg_name, msg->msg_namelen))
		return -1;
	return odm_real.sendmsg(fd, msg, flags);
}

ODM_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			int flags)
{
	odm_init();
	if (vec && vlen && first_send(fd, vec[0].msg_hdr.msg_name) &&
	    odm_before_connect(fd, vec[0].msg_hdr.msg_name,
			       vec[0].msg_hdr.msg_namelen))
		return -1;
	return odm_real.sendmmsg(fd, vec, vlen, flags);
}
