/* nl_msg.c: the rtnetlink and sock_diag messages libodm builds and parses,
 * with libmnl. Pure functions over buffers: no I/O. */
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <string.h>
#include "nl.h"
#include "proto.h"

struct nlmsghdr *odm_nl_msg_getaddr(void *buf)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	if (!h)
		return NULL;
	h->nlmsg_type = RTM_GETADDR;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(h, sizeof *ifa);
	ifa->ifa_family = AF_INET6;
	return h;
}

struct nlmsghdr *odm_nl_msg_addr(void *buf, uint16_t type, uint16_t flags,
				 int ifindex, const struct in6_addr *addr,
				 unsigned plen, uint32_t preferred,
				 uint32_t valid, uint8_t proto)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	if (!h)
		return NULL;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(h, sizeof *ifa);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(h, IFA_LOCAL, sizeof *addr, addr);
	if (type == RTM_NEWADDR) {
		struct ifa_cacheinfo ci = { .ifa_prefered = preferred,
					    .ifa_valid = valid };

		/* No DAD: the prefix is the host's alone. No prefix route:
		 * nobody else is on it, and the kernel's work per address
		 * grows with the host's count of them. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put(h, IFA_CACHEINFO, sizeof ci, &ci);
		mnl_attr_put_u32(h, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
		mnl_attr_put_u8(h, ODMD_IFA_PROTO, proto);
	}
	return h;
}

struct addr_parse {
	struct odm_nladdr *a;
	int have; /* 1: IFA_ADDRESS, 2: IFA_LOCAL, which wins */
};

static int addr_attr(const struct nlattr *at, void *arg)
{
	struct addr_parse *p = arg;
	uint16_t len = mnl_attr_get_payload_len(at);
	const void *data = mnl_attr_get_payload(at);
	struct ifa_cacheinfo ci;

	switch (mnl_attr_get_type(at)) {
	case IFA_ADDRESS:
	case IFA_LOCAL:
		if (len >= sizeof p->a->addr &&
		    (mnl_attr_get_type(at) == IFA_LOCAL || p->have < 2)) {
			memcpy(&p->a->addr, data, sizeof p->a->addr);
			p->have = mnl_attr_get_type(at) == IFA_LOCAL ? 2 : 1;
		}
		break;
	case IFA_FLAGS:
		if (len >= sizeof p->a->flags)
			memcpy(&p->a->flags, data, sizeof p->a->flags);
		break;
	case ODMD_IFA_PROTO:
		if (len >= 1)
			p->a->proto = *(const uint8_t *)data;
		break;
	case IFA_CACHEINFO:
		if (len >= sizeof ci) {
			memcpy(&ci, data, sizeof ci);
			p->a->preferred = ci.ifa_prefered;
			p->a->valid = ci.ifa_valid;
			p->a->cstamp = ci.cstamp;
		}
		break;
	}
	return MNL_CB_OK;
}

bool odm_nl_parse_addr(const struct nlmsghdr *h, struct odm_nladdr *a)
{
	const struct ifaddrmsg *ifa;
	struct addr_parse p = { a, 0 };

	if ((h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR) ||
	    h->nlmsg_len < mnl_nlmsg_size(sizeof *ifa))
		return false;
	ifa = mnl_nlmsg_get_payload(h);
	if (ifa->ifa_family != AF_INET6)
		return false;
	memset(a, 0, sizeof *a);
	a->plen = ifa->ifa_prefixlen;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = ifa->ifa_flags; /* the low 8 bits, unless IFA_FLAGS */
	a->scope = ifa->ifa_scope;
	a->preferred = a->valid = ODM_LIFETIME_INFINITE;
	mnl_attr_parse(h, sizeof *ifa, addr_attr, &p);
	return p.have > 0;
}

static int link_attr(const struct nlattr *at, void *arg)
{
	struct odm_nllink *l = arg;

	if (mnl_attr_get_type(at) == IFLA_IFNAME &&
	    mnl_attr_validate(at, MNL_TYPE_NUL_STRING) == 0) {
		strncpy(l->name, mnl_attr_get_str(at), sizeof l->name - 1);
		l->name[sizeof l->name - 1] = '\0';
	}
	return MNL_CB_OK;
}

bool odm_nl_parse_link(const struct nlmsghdr *h, struct odm_nllink *l)
{
	const struct ifinfomsg *ifi;

	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    h->nlmsg_len < mnl_nlmsg_size(sizeof *ifi))
		return false;
	ifi = mnl_nlmsg_get_payload(h);
	memset(l, 0, sizeof *l);
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	mnl_attr_parse(h, sizeof *ifi, link_attr, l);
	return true;
}

struct nlmsghdr *odm_nl_msg_rule(void *buf, uint16_t type,
				 const struct in6_addr *prefix, unsigned plen,
				 uint32_t table, uint32_t prio)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *r;

	if (!h)
		return NULL;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			 (type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	r = mnl_nlmsg_put_extra_header(h, sizeof *r);
	r->family = AF_INET6;
	r->src_len = (uint8_t)plen;
	r->action = FR_ACT_TO_TBL;
	r->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put(h, FRA_SRC, sizeof *prefix, prefix);
	mnl_attr_put_u32(h, FRA_TABLE, table);
	mnl_attr_put_u32(h, FRA_PRIORITY, prio);
	return h;
}

struct nlmsghdr *odm_nl_msg_default_route(void *buf, uint16_t type,
					  int ifindex, uint32_t table,
					  const struct in6_addr *gw)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct rtmsg *rt;

	if (!h)
		return NULL;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			 (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rt = mnl_nlmsg_put_extra_header(h, sizeof *rt);
	rt->rtm_family = AF_INET6;
	rt->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(h, RTA_TABLE, table);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)ifindex);
	if (gw)
		mnl_attr_put(h, RTA_GATEWAY, sizeof *gw, gw);
	return h;
}

struct nlmsghdr *odm_nl_msg_sockdiag(void *buf, uint8_t proto,
				     uint32_t states,
				     const struct in6_addr *local)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *r;

	if (!h)
		return NULL;
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r = mnl_nlmsg_put_extra_header(h, sizeof *r);
	r->sdiag_family = AF_INET6;
	r->sdiag_protocol = proto;
	r->idiag_states = states;
	if (proto == IPPROTO_TCP)
		r->idiag_ext = 1u << (INET_DIAG_INFO - 1);
	if (local) {
		/* One condition: local address == local/128, any port. "yes"
		 * goes on to the end (accept), "no" jumps 4 bytes past it. */
		struct {
			struct inet_diag_bc_op op;
			struct inet_diag_hostcond cond;
			struct in6_addr addr;
		} bc = {
			.op = { INET_DIAG_BC_S_COND, sizeof bc, sizeof bc + 4 },
			.cond = { .family = AF_INET6, .prefix_len = 128,
				  .port = -1 },
			.addr = *local,
		};

		mnl_attr_put(h, INET_DIAG_REQ_BYTECODE, sizeof bc, &bc);
	}
	return h;
}

/* TCP_INFO's byte counts (the kernel's own accounting of the socket). */
static int sock_attr(const struct nlattr *at, void *arg)
{
	struct odm_nlsock *s = arg;
	struct tcp_info ti;

	if (mnl_attr_get_type(at) == INET_DIAG_INFO &&
	    mnl_attr_get_payload_len(at) >=
		    offsetof(struct tcp_info, tcpi_bytes_received) +
			    sizeof ti.tcpi_bytes_received) {
		memset(&ti, 0, sizeof ti);
		memcpy(&ti, mnl_attr_get_payload(at),
		       mnl_attr_get_payload_len(at) < sizeof ti
			       ? mnl_attr_get_payload_len(at) : sizeof ti);
		s->bytes = ti.tcpi_bytes_acked + ti.tcpi_bytes_received;
	}
	return MNL_CB_OK;
}

bool odm_nl_parse_sock(const struct nlmsghdr *h, struct odm_nlsock *s)
{
	const struct inet_diag_msg *d;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < mnl_nlmsg_size(sizeof *d))
		return false;
	d = mnl_nlmsg_get_payload(h);
	if (d->idiag_family != AF_INET6)
		return false;
	memset(s, 0, sizeof *s);
	memcpy(&s->local, d->id.idiag_src, sizeof s->local);
	s->port = ntohs(d->id.idiag_sport);
	s->state = d->idiag_state;
	s->uid = d->idiag_uid;
	s->inode = d->idiag_inode;
	mnl_attr_parse(h, sizeof *d, sock_attr, s);
	return true;
}
