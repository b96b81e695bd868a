/* hook_recv.c: recv(), recvfrom(), recvmsg(), recvmmsg(). A datagram that
 * reaches a socket bound to [::]:PORT before it sent anything makes it a
 * server. File descriptors received in SCM_RIGHTS messages take numbers
 * that may hold a stale entry (closed behind the hooks' back): forgotten,
 * so their first use asks the kernel. */
#include "hook.h"

static inline void received(int fd, ssize_t rc)
{
	if (rc >= 0 && (odm_fdtab_bits(fd) &
			(ODM_FD_WILDPORT | ODM_FD_DECIDED)) == ODM_FD_WILDPORT)
		odm_on_recv(fd);
}

static void forget_passed(const struct msghdr *m)
{
	if (!m->msg_control || m->msg_controllen < sizeof(struct cmsghdr))
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c;
	     c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		const int *fds = (const int *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < n; i++) {
			int f;

			__builtin_memcpy(&f, &fds[i], sizeof f);
			odm_fdtab_forget(f);
		}
	}
}

ODM_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	ssize_t rc;

	odm_init();
	rc = odm_real.recv(fd, buf, n, flags);
	if (odm_active())
		received(fd, rc);
	return rc;
}

ODM_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
			    struct sockaddr *from, socklen_t *len)
{
	ssize_t rc;

	odm_init();
	rc = odm_real.recvfrom(fd, buf, n, flags, from, len);
	if (odm_active())
		received(fd, rc);
	return rc;
}

ODM_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t rc;

	odm_init();
	rc = odm_real.recvmsg(fd, msg, flags);
	if (rc >= 0 && odm_fdtab_any()) {
		forget_passed(msg);
		if (odm_active())
			received(fd, rc);
	}
	return rc;
}

ODM_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
			int flags, struct timespec *timeout)
{
	int rc;

	odm_init();
	rc = odm_real.recvmmsg(fd, vec, vlen, flags, timeout);
	if (rc > 0 && odm_fdtab_any()) {
		for (int i = 0; i < rc; i++)
			forget_passed(&vec[i].msg_hdr);
		if (odm_active())
			received(fd, rc);
	}
	return rc;
}
