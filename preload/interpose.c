/* interpose.c: the decisions of the hooks for a process a policy governs:
 * when a socket is known to be a client (connect(), its first send) or a
 * server (listen(), a datagram received first, or a rule for servers
 * matching its bind), which type it gets (decide.c), and how: a bind
 * before the kernel picks, a replacement that keeps a port the program
 * bound (rebind.c), or a source on each datagram (sendpkt.c). Every
 * function keeps errno unless it fails the call. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "decide.h"
#include "engine.h"
#include "fdtab.h"
#include "init.h"
#include "interpose.h"
#include "log.h"
#include "real.h"
#include "rebind.h"

/* The hooks are here: setsc() may trust the socket table (setsc.c). */
const char odm_hooks_present = 1;

#define BOUND (ODM_FD_APPBOUND | ODM_FD_ODMBOUND)

static int proto_of(uint32_t bits)
{
	return (bits & ODM_FD_STREAM) ? IPPROTO_TCP : IPPROTO_UDP;
}

static int bind_to(int fd, const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = *a,
	};

	return odm_real.bind(fd, (struct sockaddr *)&sin6, sizeof sin6);
}

/* A client stream's typed bind: the port is left to connect(), which may
 * share it between connections to different peers, as it does for an
 * unbound socket (a bind to ADDR:0 would hold a port of its own and run
 * out of them as TIME_WAIT piles up). */
static int bind_client(int fd, uint32_t bits, const struct in6_addr *a)
{
	static const int one = 1;

	if (bits & ODM_FD_STREAM)
		odm_real.setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
				    &one, sizeof one);
	return bind_to(fd, a, 0);
}

static uint16_t local_port(int fd)
{
	struct sockaddr_in6 local;
	socklen_t len = sizeof local;

	if (odm_real.getsockname(fd, (struct sockaddr *)&local, &len) ||
	    local.sin6_family != AF_INET6)
		return 0;
	return ntohs(local.sin6_port);
}

/* One debug line per decision:
 *   fd 5 tcp client [2001:db8:e::1]:80 -> session-lasting 2001:db8:5::10 (rule web) */
static __attribute__((noinline, cold)) void
write_decision(int fd, const struct odm_sockinfo *si,
	       const struct odm_choice *c, const char *how)
{
	char dst[INET6_ADDRSTRLEN] = "::", src[INET6_ADDRSTRLEN] = "";

	if (si->dest)
		inet_ntop(AF_INET6, si->dest, dst, sizeof dst);
	if (c->rule->type != ODM_TYPE_LEGACY && !c->status)
		inet_ntop(AF_INET6, &c->addr, src, sizeof src);
	odm_log_write(ODM_LOG_DEBUG, "fd %d %s %s [%s]:%u -> %s %s%s(rule %s)",
		      fd, si->proto == IPPROTO_TCP ? "tcp" : "udp",
		      si->role == ODM_ROLE_SERVER ? "server" : "client", dst,
		      (unsigned)si->port,
		      c->rule->type ? odm_type_name(c->rule->type) : "legacy",
		      src, src[0] ? " " : "", c->rule->name);
	if (how)
		odm_log_write(ODM_LOG_DEBUG, "fd %d: %s", fd, how);
}

static inline void log_decision(int fd, const struct odm_sockinfo *si,
				const struct odm_choice *c, const char *how)
{
	if (odm_log_enabled(ODM_LOG_DEBUG))
		write_decision(fd, si, c, how);
}

/* The type could not be had: on-failure legacy lets the call go on
 * untyped, on-failure fail fails it with EADDRNOTAVAIL. Either way one
 * warning (rate-limited by the logger). 0 or -1. */
static __attribute__((noinline, cold)) int
refuse(int fd, const struct odm_choice *c)
{
	const char *tn = odm_type_name(c->rule->type);

	if (c->rule->on_failure == ODM_ONFAIL_LEGACY) {
		odm_log(ODM_LOG_WARN, "fd %d: no %s address (%s); rule %s "
			"falls back to legacy", fd, tn, odm_strerror(c->status),
			c->rule->name);
		return 0;
	}
	odm_log(ODM_LOG_WARN, "fd %d: no %s address (%s); rule %s fails "
		"the call with EADDRNOTAVAIL", fd, tn, odm_strerror(c->status),
		c->rule->name);
	errno = EADDRNOTAVAIL;
	return -1;
}

static void remember(int fd, uint32_t set, uint32_t clear,
		     const struct odm_choice *c)
{
	struct odm_fdstate st;

	if (!odm_fdtab_get(fd, &st))
		return;
	st.bits = (st.bits | set) & ~clear;
	if (c && c->rule->type != ODM_TYPE_LEGACY && !c->status) {
		st.bits |= ODM_FD_HASADDR;
		st.type = c->rule->type;
		st.addr = c->addr;
	}
	odm_fdtab_put(fd, &st);
}

/* The kernel says the table's view of fd is wrong (closed and reused
 * behind the hooks' back, bound by a raw syscall): ask it again. */
static bool stale(int fd, int err)
{
	struct odm_fdstate st;

	if (err != ENOTSOCK && err != EBADF && err != EAFNOSUPPORT &&
	    err != EINVAL && err != EOPNOTSUPP)
		return false;
	odm_fdtab_forget(fd);
	odm_fd_state_slow(fd, &st);
	return true;
}

/* Gives fd its typed source before the kernel would pick one: binds it
 * (port 0, or port when the program chose one and the socket is replaced
 * to keep it). Retries once with a fresh view when the address has just
 * gone. 0, or -1 with errno. */
static inline __attribute__((always_inline)) int
bind_typed(int fd, uint32_t bits, const struct odm_sockinfo *si,
		      struct odm_choice *c, bool replace, uint16_t port);

/* The typed bind failed: a stale view of fd, an address just gone (look
 * again, once), or the program's own problem (EADDRINUSE...). */
static __attribute__((noinline, cold)) int
bind_failed(int fd, uint32_t bits, const struct odm_sockinfo *si,
	    struct odm_choice *c, bool replace, uint16_t port, bool again)
{
	if (stale(fd, errno))
		return 0; /* the call itself will say what fd is */
	if (errno != EADDRNOTAVAIL || again)
		return -1;
	odm_engine_invalidate(); /* the address went away: look again */
	odm_choose(odm_proc.policy, si, odm_want_of(bits), false, c);
	if (c->rule->type == ODM_TYPE_LEGACY)
		return 0;
	if (c->status)
		return refuse(fd, c);
	if ((replace ? odm_rebind(fd, &c->addr, port)
		     : bind_to(fd, &c->addr, port)) == 0) {
		odm_fdtab_set_addr(fd, bits, ODM_FD_ODMBOUND | ODM_FD_DECIDED,
				   ODM_FD_DEFERBIND | ODM_FD_WILDPORT,
				   c->rule->type, &c->addr);
		log_decision(fd, si, c, "bound after a second look");
		return 0;
	}
	return bind_failed(fd, bits, si, c, replace, port, true);
}

static inline __attribute__((always_inline)) int
bind_typed(int fd, uint32_t bits, const struct odm_sockinfo *si,
		      struct odm_choice *c, bool replace, uint16_t port)
{
	int rc = replace ? odm_rebind(fd, &c->addr, port)
		 : port || si->role == ODM_ROLE_SERVER
			 ? bind_to(fd, &c->addr, port)
			 : bind_client(fd, bits, &c->addr);

	if (__builtin_expect(rc != 0, 0))
		return bind_failed(fd, bits, si, c, replace, port, false);
	odm_fdtab_set_addr(fd, bits, ODM_FD_ODMBOUND | ODM_FD_DECIDED,
			   ODM_FD_DEFERBIND | ODM_FD_WILDPORT, c->rule->type,
			   &c->addr);
	log_decision(fd, si, c, replace ? "socket replaced to keep its port"
					: NULL);
	return 0;
}

/* A client socket's decision, for a known unbound IPv6 socket with bits
 * and an IPv6 destination d. */
static inline __attribute__((always_inline)) int
type_client(int fd, uint32_t bits, const struct sockaddr_in6 *d)
{
	struct odm_sockinfo si;
	struct odm_choice c;
	int saved, rc;
	bool wild;

	if (odm_never_typed(&d->sin6_addr)) {
		odm_fdtab_update(fd, ODM_FD_DECIDED, ODM_FD_DEFERBIND);
		return 0;
	}
	si = (struct odm_sockinfo){ &d->sin6_addr, ntohs(d->sin6_port),
				    proto_of(bits), ODM_ROLE_CLIENT };
	odm_choose(odm_proc.policy, &si, odm_want_of(bits), false, &c);
	if (c.rule->type == ODM_TYPE_LEGACY) {
		odm_fdtab_update(fd, ODM_FD_DECIDED, 0);
		log_decision(fd, &si, &c, NULL);
		return 0;
	}
	if (__builtin_expect(c.status != 0, 0)) {
		rc = refuse(fd, &c);
		if (rc == 0)
			odm_fdtab_update(fd, ODM_FD_DECIDED, 0);
		return rc;
	}
	saved = errno;
	wild = bits & ODM_FD_WILDPORT;
	rc = bind_typed(fd, bits, &si, &c, wild, wild ? local_port(fd) : 0);
	if (rc == 0)
		errno = saved;
	return rc;
}

/* The bits of fd, asking the kernel about an fd not seen before: 0 when
 * it is not a socket. */
static inline uint32_t bits_of(int fd)
{
	uint32_t bits = odm_fdtab_bits(fd);
	struct odm_fdstate st;

	if (__builtin_expect(bits & ODM_FD_KNOWN, 1))
		return bits;
	return odm_fd_state_slow(fd, &st) ? st.bits : 0;
}

static inline __attribute__((always_inline)) int
before_connect(int fd, const struct sockaddr *dst, socklen_t len)
{
	uint32_t bits;

	if (!dst || len < sizeof(struct sockaddr_in6) ||
	    dst->sa_family != AF_INET6)
		return 0;
	bits = bits_of(fd);
	if (!(bits & ODM_FD_INET6) || (bits & (BOUND | ODM_FD_DECIDED)))
		return 0;
	return type_client(fd, bits, (const struct sockaddr_in6 *)dst);
}

int odm_before_connect(int fd, const struct sockaddr *dst, socklen_t len)
{
	return before_connect(fd, dst, len);
}

int odm_connect(int fd, const struct sockaddr *dst, socklen_t len)
{
	if (before_connect(fd, dst, len))
		return -1;
	return odm_real.connect(fd, dst, len);
}

/* A datagram socket the program bound to [::]:PORT: the source goes on
 * each datagram, chosen by its destination. */
static __attribute__((noinline)) int
send_on_wildcard(int fd, const struct sockaddr_in6 *d, struct in6_addr *src)
{
	struct odm_fdstate st;
	struct odm_sockinfo si;
	struct odm_choice c;
	int saved = errno;

	if (!odm_fdtab_get(fd, &st))
		return 0;
	if (!(st.bits & ODM_FD_PKTINFO)) {
		if (st.bits & ODM_FD_DECIDED)
			return 0; /* a server: it received first */
		remember(fd, ODM_FD_PKTINFO | ODM_FD_DECIDED, 0, NULL);
	}
	if (odm_never_typed(&d->sin6_addr))
		return 0;
	si = (struct odm_sockinfo){ &d->sin6_addr, ntohs(d->sin6_port),
				    IPPROTO_UDP, ODM_ROLE_CLIENT };
	odm_choose(odm_proc.policy, &si, odm_want_of(st.bits), false, &c);
	if (c.rule->type == ODM_TYPE_LEGACY)
		return 0;
	if (c.status)
		return refuse(fd, &c);
	if (!(st.bits & ODM_FD_HASADDR))
		log_decision(fd, &si, &c, "on the wildcard: the source goes "
			     "on each datagram (IPV6_PKTINFO)");
	remember(fd, 0, 0, &c);
	*src = c.addr;
	errno = saved;
	return 1;
}

static inline __attribute__((always_inline)) int
before_send(int fd, const struct sockaddr *dst, socklen_t len,
	    struct in6_addr *src)
{
	const struct sockaddr_in6 *d = (const struct sockaddr_in6 *)dst;
	uint32_t bits;

	if (!dst || len < sizeof *d || dst->sa_family != AF_INET6)
		return 0;
	bits = bits_of(fd);
	if (!(bits & ODM_FD_INET6))
		return 0;
	if (__builtin_expect((bits & (ODM_FD_DGRAM | ODM_FD_WILDPORT)) ==
			     (ODM_FD_DGRAM | ODM_FD_WILDPORT), 0))
		return send_on_wildcard(fd, d, src);
	return (bits & (BOUND | ODM_FD_DECIDED)) ? 0 : type_client(fd, bits, d);
}

int odm_before_send(int fd, const struct sockaddr *dst, socklen_t len,
		    struct in6_addr *src)
{
	return before_send(fd, dst, len, src);
}

ssize_t odm_sendto(int fd, const void *buf, size_t n, int flags,
		   const struct sockaddr *addr, socklen_t len)
{
	struct in6_addr src;
	int rc = before_send(fd, addr, len, &src);

	if (__builtin_expect(rc != 0, 0))
		return rc < 0 ? -1 : odm_sendto_from(fd, buf, n, flags, addr,
						     len, &src);
	return odm_real.sendto(fd, buf, n, flags, addr, len);
}

/* A bind to [::]:PORT, as a server: now when a rule for servers says so. */
static int bind_server(int fd, uint32_t bits, const struct sockaddr_in6 *s,
		       socklen_t len, const struct odm_sockinfo *si)
{
	struct odm_choice c;
	int rc;

	odm_choose(odm_proc.policy, si, odm_want_of(bits), false, &c);
	if (c.status && refuse(fd, &c))
		return -1;
	if (!c.status && odm_proc.policy->server_bind == ODM_SERVER_ADDRESS)
		return bind_typed(fd, bits, si, &c, false, si->port);
	rc = odm_real.bind(fd, (const struct sockaddr *)s, len);
	if (rc == 0) {
		remember(fd, ODM_FD_APPBOUND | ODM_FD_DECIDED, ODM_FD_DEFERBIND,
			 &c);
		log_decision(fd, si, &c, "stays on the wildcard "
			     "(server-bind wildcard)");
	}
	return rc;
}

int odm_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
	struct odm_fdstate st;
	struct odm_sockinfo si;
	int saved = errno, rc;

	if (!sa || len < sizeof *s || sa->sa_family != AF_INET6 ||
	    !odm_fd_state(fd, &st) || !(st.bits & ODM_FD_INET6))
		return odm_real.bind(fd, sa, len);
	if (!IN6_IS_ADDR_UNSPECIFIED(&s->sin6_addr) ||
	    (st.bits & (BOUND | ODM_FD_WILDPORT))) {
		rc = odm_real.bind(fd, sa, len);
		if (rc == 0)
			remember(fd, ODM_FD_APPBOUND | ODM_FD_DECIDED,
				 ODM_FD_DEFERBIND | ODM_FD_WILDPORT, NULL);
		else if (stale(fd, errno))
			return odm_real.bind(fd, sa, len);
		return rc;
	}
	if (s->sin6_port == 0) { /* [::]:0 is unbound: hold it back */
		remember(fd, ODM_FD_DEFERBIND, 0, NULL);
		return 0;
	}
	si = (struct odm_sockinfo){ NULL, ntohs(s->sin6_port),
				    proto_of(st.bits), ODM_ROLE_SERVER };
	if (odm_policy_decide(odm_proc.policy, &si)->role == ODM_ROLE_SERVER) {
		rc = bind_server(fd, st.bits, s, len, &si);
	} else {
		/* Client or server? Known at listen(), connect() or the first
		 * datagram either way: the port is the program's now. */
		rc = odm_real.bind(fd, sa, len);
		if (rc == 0)
			remember(fd, ODM_FD_WILDPORT, ODM_FD_DEFERBIND, NULL);
		else if (stale(fd, errno))
			return odm_real.bind(fd, sa, len);
	}
	if (rc == 0)
		errno = saved;
	return rc;
}

int odm_before_listen(int fd)
{
	struct odm_fdstate st;
	struct odm_sockinfo si;
	struct odm_choice c;
	bool wild;
	int saved = errno, rc = 0;

	if (!odm_fd_state(fd, &st) || !(st.bits & ODM_FD_INET6) ||
	    (st.bits & (BOUND | ODM_FD_DECIDED)))
		return 0;
	wild = st.bits & ODM_FD_WILDPORT;
	si = (struct odm_sockinfo){ NULL, wild ? local_port(fd) : 0,
				    IPPROTO_TCP, ODM_ROLE_SERVER };
	odm_choose(odm_proc.policy, &si, odm_want_of(st.bits), false, &c);
	if (c.rule->type == ODM_TYPE_LEGACY) {
		remember(fd, ODM_FD_DECIDED, 0, NULL);
	} else if (c.status) {
		rc = refuse(fd, &c);
		if (rc == 0)
			remember(fd, ODM_FD_DECIDED, 0, NULL);
	} else if (odm_proc.policy->server_bind == ODM_SERVER_ADDRESS) {
		rc = bind_typed(fd, st.bits, &si, &c, wild, si.port);
	} else {
		remember(fd, ODM_FD_DECIDED, 0, &c);
		log_decision(fd, &si, &c, "stays on the wildcard "
			     "(server-bind wildcard)");
	}
	if (rc == 0)
		errno = saved;
	return rc;
}

void odm_on_accept(int listener, int fd)
{
	struct odm_fdstate st;

	if (!odm_fdtab_get(listener, &st) || !(st.bits & ODM_FD_INET6)) {
		odm_fdtab_forget(fd);
		return;
	}
	st.bits = ODM_FD_KNOWN | ODM_FD_INET6 | ODM_FD_STREAM |
		  ODM_FD_APPBOUND | ODM_FD_DECIDED |
		  (st.bits & ODM_FD_ODMBOUND ? ODM_FD_HASADDR : 0);
	odm_fdtab_put(fd, &st);
}

void odm_on_recv(int fd)
{
	/* A datagram came before any send: a server. Its replies leave as
	 * the kernel chooses (from the address the client used). */
	odm_fdtab_update(fd, ODM_FD_DECIDED, 0);
}

void odm_before_getsockname(int fd)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;
	struct odm_fdstate st;
	struct odm_sockinfo si;
	struct odm_choice c;
	int saved = errno;

	if (!odm_fdtab_get(fd, &st) || !(st.bits & ODM_FD_DEFERBIND))
		return;
	/* The program wants its address before it has said where it
	 * sends: a datagram socket gets the type of its rule for no
	 * destination in particular; a stream socket keeps the port it is
	 * shown and gets its type at connect(). */
	if (st.bits & ODM_FD_DGRAM) {
		si = (struct odm_sockinfo){ NULL, 0, IPPROTO_UDP,
					    ODM_ROLE_CLIENT };
		odm_choose(odm_proc.policy, &si, odm_want_of(st.bits), false,
			   &c);
		if (c.rule->type != ODM_TYPE_LEGACY && !c.status &&
		    bind_typed(fd, st.bits, &si, &c, false, 0) == 0 &&
		    (odm_fdtab_bits(fd) & ODM_FD_ODMBOUND)) {
			errno = saved;
			return;
		}
		if (c.status)
			refuse(fd, &c);
	}
	if (bind_to(fd, &any, 0) == 0)
		remember(fd, (st.bits & ODM_FD_STREAM) ? ODM_FD_WILDPORT
			 : ODM_FD_APPBOUND | ODM_FD_DECIDED, ODM_FD_DEFERBIND,
			 NULL);
	errno = saved;
}
