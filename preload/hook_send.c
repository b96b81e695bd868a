/* hook_send.c: sendto(), sendmsg(), sendmmsg(): a datagram socket's first
 * send with a destination binds it implicitly, so it gets its type first. */
#include "hook.h"

ODM_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			  const struct sockaddr *addr, socklen_t len)
{
	odm_init();
	if (odm_active() && addr && odm_before_connect(fd, addr, len))
		return -1;
	return odm_real.sendto(fd, buf, n, flags, addr, len);
}

ODM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	odm_init();
	if (odm_active() && msg && msg->msg_name &&
	    odm_before_connect(fd, msg->msg_name, msg->msg_namelen))
		return -1;
	return odm_real.sendmsg(fd, msg, flags);
}

ODM_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			int flags)
{
	odm_init();
	if (odm_active() && vec && vlen && vec[0].msg_hdr.msg_name &&
	    odm_before_connect(fd, vec[0].msg_hdr.msg_name,
			       vec[0].msg_hdr.msg_namelen))
		return -1;
	return odm_real.sendmmsg(fd, vec, vlen, flags);
}
