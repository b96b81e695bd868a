/* hook_send.c: sendto(), sendmsg(), sendmmsg(): a datagram socket's first
 * send with a destination binds it implicitly, so it gets its type first;
 * a datagram socket the program bound to the wildcard carries its typed
 * source on each datagram (IPV6_PKTINFO: the kernel ignores it set once
 * with setsockopt, so it must travel with every send). The governed path
 * is out of line, so an ungoverned send stays a few instructions and a
 * tail call. */
#include <errno.h>
#include <string.h>
#include "hook.h"

/* Must a send on fd go through the decision? Not for a socket already
 * decided or bound, the common case, unless its datagrams need a source. */
static inline bool must_decide(int fd)
{
	uint32_t b = odm_fdtab_bits(fd);

	return !(b & (ODM_FD_DECIDED | ODM_FD_APPBOUND | ODM_FD_ODMBOUND)) ||
	       (b & ODM_FD_PKTINFO);
}

/* Room for the program's own control data and one IPV6_PKTINFO. */
#define CTL_MAX 512
#define PKT_SPACE CMSG_SPACE(sizeof(struct in6_pktinfo))

/* msg with an IPV6_PKTINFO for src added into ctl (CTL_MAX + PKT_SPACE
 * bytes), unless the program gave one itself: then, or when its control
 * data does not fit, msg as it is. */
static const struct msghdr *with_source(const struct msghdr *msg,
					struct msghdr *copy, void *ctl,
					const struct in6_addr *src)
{
	struct in6_pktinfo pi = { .ipi6_addr = *src };
	struct cmsghdr *c;
	size_t have = msg->msg_control ? msg->msg_controllen : 0;

	if (have > CTL_MAX)
		return msg;
	for (c = have ? CMSG_FIRSTHDR(msg) : NULL; c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
			return msg;
	*copy = *msg;
	memset(ctl, 0, have + PKT_SPACE);
	if (have)
		memcpy(ctl, msg->msg_control, have);
	copy->msg_control = ctl;
	copy->msg_controllen = have + PKT_SPACE;
	c = (struct cmsghdr *)((char *)ctl + have);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof pi);
	memcpy(CMSG_DATA(c), &pi, sizeof pi);
	return copy;
}

/* sendto() as a sendmsg() with the datagram's source. */
__attribute__((noinline)) ssize_t
odm_sendto_from(int fd, const void *buf, size_t n, int flags,
	    const struct sockaddr *addr, socklen_t len,
	    const struct in6_addr *src)
{
	char ctl[PKT_SPACE] __attribute__((aligned(8)));
	struct iovec iov = { (void *)buf, n };
	struct msghdr m = { .msg_name = (void *)addr, .msg_namelen = len,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	struct msghdr copy;

	return odm_real.sendmsg(fd, with_source(&m, &copy, ctl, src), flags);
}

/* Both ways out are tail calls: the common one costs no stack frame. */
ODM_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			  const struct sockaddr *addr, socklen_t len)
{
	odm_init();
	if (odm_active() && addr && must_decide(fd))
		return odm_sendto(fd, buf, n, flags, addr, len);
	return odm_real.sendto(fd, buf, n, flags, addr, len);
}

static __attribute__((noinline)) ssize_t
governed_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	char ctl[CTL_MAX + PKT_SPACE] __attribute__((aligned(8)));
	struct in6_addr src;
	struct msghdr copy;
	int rc;

	rc = odm_before_send(fd, msg->msg_name, msg->msg_namelen, &src);
	if (rc < 0)
		return -1;
	return odm_real.sendmsg(fd, rc ? with_source(msg, &copy, ctl, &src)
				       : msg, flags);
}

ODM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	odm_init();
	if (odm_active() && msg && msg->msg_name && must_decide(fd))
		return governed_sendmsg(fd, msg, flags);
	return odm_real.sendmsg(fd, msg, flags);
}

/* sendmmsg with a source on each datagram: in batches of BATCH, each
 * message's control rebuilt on the stack. */
#define BATCH 16

static int sendmmsg_sources(int fd, struct mmsghdr *vec, unsigned vlen,
			    int flags)
{
	char ctl[BATCH][CTL_MAX + PKT_SPACE] __attribute__((aligned(8)));
	struct mmsghdr b[BATCH];
	unsigned done = 0;

	while (done < vlen) {
		unsigned k = vlen - done < BATCH ? vlen - done : BATCH;
		int rc;

		for (unsigned i = 0; i < k; i++) {
			struct msghdr *m = &vec[done + i].msg_hdr;
			struct in6_addr src;
			int d = odm_before_send(fd, m->msg_name, m->msg_namelen,
						&src);

			if (d < 0) {
				if (done + i)
					break;
				return -1;
			}
			b[i].msg_len = 0;
			b[i].msg_hdr = *m;
			if (d > 0)
				b[i].msg_hdr = *with_source(m, &b[i].msg_hdr,
							    ctl[i], &src);
		}
		rc = odm_real.sendmmsg(fd, b, k, flags);
		if (rc < 0)
			return done ? (int)done : -1;
		for (int i = 0; i < rc; i++)
			vec[done + i].msg_len = b[i].msg_len;
		done += (unsigned)rc;
		if ((unsigned)rc < k)
			break;
	}
	return (int)done;
}

static __attribute__((noinline)) int
governed_sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	struct in6_addr src;
	int rc;

	rc = odm_before_send(fd, vec[0].msg_hdr.msg_name,
			     vec[0].msg_hdr.msg_namelen, &src);
	if (rc < 0)
		return -1;
	if (rc > 0 || (odm_fdtab_bits(fd) & ODM_FD_PKTINFO))
		return sendmmsg_sources(fd, vec, vlen, flags);
	return odm_real.sendmmsg(fd, vec, vlen, flags);
}

ODM_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			int flags)
{
	odm_init();
	if (odm_active() && vec && vlen && vec[0].msg_hdr.msg_name &&
	    must_decide(fd))
		return governed_sendmmsg(fd, vec, vlen, flags);
	return odm_real.sendmmsg(fd, vec, vlen, flags);
}
