/* rebind.c: the replacement of a socket bound to the wildcard (rebind.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "real.h"
#include "rebind.h"

/* The options that a program sets before connect() and that matter after
 * it, copied as raw bytes (each its own size). SO_RCVBUF and SO_SNDBUF are
 * apart: the kernel reports twice what was set. */
static const struct opt {
	int level, name;
} opts[] = {
	{ SOL_SOCKET, SO_KEEPALIVE },    { SOL_SOCKET, SO_BROADCAST },
	{ SOL_SOCKET, SO_REUSEPORT },    { SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_MARK },         { SOL_SOCKET, SO_OOBINLINE },
	{ SOL_SOCKET, SO_LINGER },       { SOL_SOCKET, SO_RCVTIMEO },
	{ SOL_SOCKET, SO_SNDTIMEO },     { SOL_SOCKET, SO_RCVLOWAT },
	{ SOL_SOCKET, SO_TIMESTAMP },    { SOL_SOCKET, SO_TIMESTAMPNS },
	{ SOL_SOCKET, SO_BINDTODEVICE }, { SOL_SOCKET, SO_PASSCRED },
	{ IPPROTO_IPV6, IPV6_V6ONLY },   { IPPROTO_IPV6, IPV6_TCLASS },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO }, { IPPROTO_IPV6, IPV6_RECVTCLASS },
	{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT }, { IPPROTO_IPV6, IPV6_RECVERR },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER }, { IPPROTO_IPV6, IPV6_DONTFRAG },
	{ IPPROTO_IPV6, IPV6_ADDR_PREFERENCES },
	{ IPPROTO_TCP, TCP_NODELAY },    { IPPROTO_TCP, TCP_MAXSEG },
	{ IPPROTO_TCP, TCP_KEEPIDLE },   { IPPROTO_TCP, TCP_KEEPINTVL },
	{ IPPROTO_TCP, TCP_KEEPCNT },    { IPPROTO_TCP, TCP_USER_TIMEOUT },
	{ IPPROTO_TCP, TCP_CONGESTION }, { IPPROTO_TCP, TCP_FASTOPEN_CONNECT },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT }, { IPPROTO_TCP, TCP_WINDOW_CLAMP },
};

static void copy_options(int from, int to, int proto)
{
	char v[64];
	socklen_t len;
	int n;

	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (opts[i].level == IPPROTO_TCP && proto != IPPROTO_TCP)
			continue;
		len = sizeof v;
		if (odm_real.getsockopt(from, opts[i].level, opts[i].name, v,
					&len) == 0 && len > 0)
			odm_real.setsockopt(to, opts[i].level, opts[i].name, v,
					    len); /* best effort: SO_MARK... */
	}
	for (int name = SO_SNDBUF; name; name = name == SO_SNDBUF ? SO_RCVBUF : 0) {
		len = sizeof n;
		if (odm_real.getsockopt(from, SOL_SOCKET, name, &n, &len) == 0) {
			n /= 2;
			odm_real.setsockopt(to, SOL_SOCKET, name, &n, sizeof n);
		}
	}
}

int odm_rebind(int fd, const struct in6_addr *addr, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port),
				     .sin6_addr = *addr };
	int type, proto, reuse, one = 1, fl, fdfl, nfd, err;
	socklen_t len = sizeof type;

	if (odm_real.getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -1;
	len = sizeof proto;
	if (odm_real.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		return -1;
	len = sizeof reuse;
	if (odm_real.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &len))
		return -1;
	if ((fl = odm_real.fcntl(fd, F_GETFL)) < 0 ||
	    (fdfl = odm_real.fcntl(fd, F_GETFD)) < 0)
		return -1;
	nfd = odm_real.socket(AF_INET6, type | SOCK_CLOEXEC, proto);
	if (nfd < 0)
		return -1;
	copy_options(fd, nfd, proto);
	/* Both sockets may hold the port at once: neither listens. */
	odm_real.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	odm_real.setsockopt(nfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (odm_real.bind(nfd, (struct sockaddr *)&sin6, sizeof sin6) ||
	    ((fl & O_NONBLOCK) && odm_real.fcntl(nfd, F_SETFL, fl) < 0) ||
	    odm_real.dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		err = errno;
		odm_real.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse,
				    sizeof reuse);
		odm_real.close(nfd);
		errno = err;
		return -1;
	}
	odm_real.close(nfd);
	odm_real.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
	return 0;
}
