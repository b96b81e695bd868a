/* nl.h: the netlink code that libodm's engine, odmd and the odm tool share:
 * bounded request/answer exchanges, and the rtnetlink and sock_diag
 * messages they build and parse (with libmnl). The I/O goes through a
 * table of functions, so the engine inside a preloaded program uses the
 * real libc calls behind its own hooks (odm_real) and odmd plain libc. */
#ifndef ODM_NL_H
#define ODM_NL_H

#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ODM_LIFETIME_INFINITE 0xffffffffu
#define ODM_NL_BUF        32768  /* a dump part never exceeds this */
#define ODM_NL_MSG_MAX    512    /* room for any request built here */
#define ODM_NL_TIMEOUT_MS 1000   /* bound of each receive */

/* The calls that a preloaded library must not make through its own hooks. */
struct odm_nl_io {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	int (*close)(int);
};

/* Plain libc, for odmd and the tools. */
extern const struct odm_nl_io odm_nl_libc;

/* A netlink socket of protocol (NETLINK_ROUTE, NETLINK_SOCK_DIAG),
 * close-on-exec, subscribed to the rtnetlink groups (RTMGRP_* bits, 0 for
 * none). timeout_ms bounds each receive (0: none); nonblock makes it
 * non-blocking. fd or -errno. */
int odm_nl_open(const struct odm_nl_io *io, int protocol, unsigned groups,
		int timeout_ms, bool nonblock);

/* Called for each answer (libmnl's mnl_cb_t): MNL_CB_OK to go on,
 * MNL_CB_STOP to end, MNL_CB_ERROR (with errno) to fail. */
typedef int odm_nl_cb(const struct nlmsghdr *h, void *arg);

/* The message builders below return NULL only when libmnl cannot be had
 * (the preload shim loads it on first use); odm_nl_talk and odm_nl_ask
 * then fail with -ENOSYS. */

/* Sends req over fd (a blocking socket from odm_nl_open with a timeout)
 * and reads the answer until NLMSG_DONE, the ACK or an error, each message
 * through cb (NULL: none). Bounded: gives up after 2 * ODM_NL_TIMEOUT_MS.
 * Returns 0, -errno (the kernel's error, -ETIMEDOUT), or -EINTR when the
 * kernel flagged a dump as interrupted by a change (do it again). */
int odm_nl_talk(const struct odm_nl_io *io, int fd, struct nlmsghdr *req,
		odm_nl_cb *cb, void *arg);

/* odm_nl_talk on a fresh socket of protocol, retried while a dump comes
 * back interrupted (3 times at most). */
int odm_nl_ask(const struct odm_nl_io *io, int protocol, struct nlmsghdr *req,
	       odm_nl_cb *cb, void *arg);

/* --- addresses ----------------------------------------------------------- */

struct odm_nladdr {
	struct in6_addr addr;
	unsigned plen;
	int ifindex;
	char ifname[IF_NAMESIZE]; /* filled by odm_nl_dump_addrs only */
	uint32_t flags;      /* IFA_F_* (IFA_FLAGS attribute when present) */
	uint8_t scope;       /* RT_SCOPE_* */
	uint32_t preferred;  /* seconds left; ODM_LIFETIME_INFINITE */
	uint32_t valid;      /* seconds left; ODM_LIFETIME_INFINITE */
	uint32_t cstamp;     /* creation, 1/100 s since boot (ifa_cacheinfo) */
	uint8_t proto;       /* IFA_PROTO: who configured it; odmd marks types */
};

/* An RTM_NEWADDR or RTM_DELADDR message into *a (ifname empty); false if
 * it holds no IPv6 address. */
bool odm_nl_parse_addr(const struct nlmsghdr *h, struct odm_nladdr *a);

/* Every IPv6 address of the caller's network namespace, one dump (again
 * if interrupted). *out is malloc'ed (free it; NULL when none), *n its
 * count, interface names filled. 0 or -errno. */
int odm_nl_dump_addrs(const struct odm_nl_io *io, struct odm_nladdr **out,
		      size_t *n);

/* Builds into buf (ODM_NL_MSG_MAX bytes) an RTM_GETADDR dump request for
 * IPv6. */
struct nlmsghdr *odm_nl_msg_getaddr(void *buf);

/* Builds RTM_NEWADDR (flags NLM_F_CREATE|NLM_F_EXCL to add,
 * NLM_F_REPLACE to change) or RTM_DELADDR for addr/plen on ifindex, with
 * an ACK asked for. NEWADDR carries IFA_F_NODAD and IFA_F_NOPREFIXROUTE
 * (a typed prefix is the host's alone: no neighbours on it), the
 * lifetimes (seconds, ODM_LIFETIME_INFINITE for none) and the address
 * protocol proto. */
struct nlmsghdr *odm_nl_msg_addr(void *buf, uint16_t type, uint16_t flags,
				 int ifindex, const struct in6_addr *addr,
				 unsigned plen, uint32_t preferred,
				 uint32_t valid, uint8_t proto);

/* --- links --------------------------------------------------------------- */

struct odm_nllink {
	int ifindex;
	unsigned flags;            /* IFF_* */
	char name[IF_NAMESIZE];
};

/* An RTM_NEWLINK or RTM_DELLINK message; false if it is not one. */
bool odm_nl_parse_link(const struct nlmsghdr *h, struct odm_nllink *l);

/* --- policy routing (odmd's links of their own) -------------------------- */

/* RTM_NEWRULE / RTM_DELRULE: IPv6 traffic from prefix/plen looks up table,
 * at priority prio. With an ACK; NEWRULE with NLM_F_CREATE|NLM_F_EXCL. */
struct nlmsghdr *odm_nl_msg_rule(void *buf, uint16_t type,
				 const struct in6_addr *prefix, unsigned plen,
				 uint32_t table, uint32_t prio);

/* RTM_NEWROUTE / RTM_DELROUTE of the IPv6 default route in table: via gw
 * (NULL: the link itself, a point-to-point uplink) on ifindex. NEWROUTE
 * with NLM_F_CREATE|NLM_F_REPLACE, with an ACK. */
struct nlmsghdr *odm_nl_msg_default_route(void *buf, uint16_t type,
					  int ifindex, uint32_t table,
					  const struct in6_addr *gw);

/* --- sockets (sock_diag) ------------------------------------------------- */

struct odm_nlsock {
	struct in6_addr local;
	uint16_t port;     /* local port, host order */
	uint8_t proto;     /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t state;     /* TCP_* */
	uint32_t uid;
	uint32_t inode;
	uint64_t bytes;    /* TCP: sent and received (TCP_INFO), if asked */
};

/* A SOCK_DIAG_BY_FAMILY dump request of the IPv6 sockets of proto
 * (IPPROTO_TCP or IPPROTO_UDP) in the states bits (1 << TCP_*); with
 * local, only those whose local address is local (a bytecode filter).
 * TCP answers carry TCP_INFO (their byte counts). */
struct nlmsghdr *odm_nl_msg_sockdiag(void *buf, uint8_t proto,
				     uint32_t states,
				     const struct in6_addr *local);

/* One answer of that dump; false if it is not one. proto is not in the
 * message: the caller knows which dump it reads. */
bool odm_nl_parse_sock(const struct nlmsghdr *h, struct odm_nlsock *s);

/* The states a socket uses its local address in: every TCP state but
 * TIME_WAIT (listening, bound, connecting, connected, closing), every UDP
 * one. */
#define ODM_NL_TCP_STATES (~0u & ~(1u << 6 /* TCP_TIME_WAIT */))
#define ODM_NL_UDP_STATES (~0u)

#endif
