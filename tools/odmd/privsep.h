/* privsep.h: the channel between odmd's privileged parent and its
 * unprivileged worker, in the style of OpenSMTPD's imsg: a SOCK_SEQPACKET
 * socketpair carrying one fixed-size message per packet, and at most one
 * file descriptor with it. The worker asks for an operation by name and
 * arguments (never raw netlink bytes); the parent checks the arguments,
 * performs it and answers with PS_REPLY and the same id. */
#ifndef ODMD_PRIVSEP_H
#define ODMD_PRIVSEP_H

#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

enum ps_kind {
	PS_ADDR_ADD = 1,   /* ifindex addr plen preferred valid proto */
	PS_ADDR_CHANGE,    /* the same, on an address odmd holds */
	PS_ADDR_DEL,       /* ifindex addr plen, an address odmd holds */
	PS_RULE_ADD,       /* addr(prefix) plen table: `from` rule */
	PS_RULE_DEL,
	PS_ROUTE,          /* ifindex table gw: the link's default route */
	PS_EXE,            /* the executable of the process behind the
			      pidfd sent along (pid when there is none) */
	PS_SPAWN,          /* start the exec backend; the reply carries
			      its socket */
	PS_REPLY = 100,    /* rc (0 or -errno), text, maybe an fd */
};

struct ps_msg {
	uint32_t kind;
	uint32_t id;
	int32_t rc;
	int32_t ifindex;
	struct in6_addr addr;
	struct in6_addr gw;
	uint32_t plen;
	uint32_t preferred, valid;
	uint32_t proto;
	uint32_t table;
	int32_t pid;
	char text[1024];       /* PS_REPLY to PS_EXE: the path (a longer
				  one is refused: no program grant) */
};

/* Sends m (and fd unless it is -1) on the channel: 0 or -errno (EAGAIN
 * when a non-blocking channel is full). */
int ps_send(int ch, const struct ps_msg *m, int fd);

/* Receives one message (and *fd, -1 when none came): 1, 0 at the end of
 * the channel, -errno. */
int ps_recv(int ch, struct ps_msg *m, int *fd);

#endif
