/* kevents.c: the kernel's address and link events, kept in step with the
 * lease table: an address of odmd's that disappears is restored (life.c),
 * one that lost its mark is marked again, a link that comes back gets its
 * addresses at once. Netlink tells when it lost events (ENOBUFS): the
 * table is then compared with a full dump. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include "dlog.h"
#include "genpage.h"
#include "hostconf.h"
#include "proto.h"
#include "kevents.h"
#include "lease.h"
#include "life.h"
#include "nl.h"
#include "psclient.h"
#include "worker.h"

static struct watch kw;

static void on_addr(const struct nlmsghdr *h)
{
	struct odm_nladdr a;
	struct lease *l;

	if (!odm_nl_parse_addr(h, &a))
		return;
	if (W.hc->nifaces && !odmd_type_of_proto(a.proto) &&
	    !if_indextoname((unsigned)a.ifindex, a.ifname))
		a.ifname[0] = '\0';
	if (genpage_typed(W.hc, &a))
		genpage_bump(); /* every engine looks again */
	if (!(l = lease_find(&a.addr)))
		return;
	if (h->nlmsg_type == RTM_DELADDR)
		life_absent(l);
	else if (l->ifindex == a.ifindex)
		life_present(l, a.proto);
}

static void on_link(const struct nlmsghdr *h)
{
	struct odm_nllink k;
	struct wlink *link;

	if (!odm_nl_parse_link(h, &k))
		return;
	link = wlink_by_index(k.ifindex);
	if (!link && k.name[0] && h->nlmsg_type == RTM_NEWLINK &&
	    (link = wlink_by_name(k.name)) && link->ifindex != k.ifindex) {
		/* The link was made again: a new index for its leases. */
		int old = link->ifindex;

		link->ifindex = k.ifindex;
		for (struct lease *l = lease_first(); l; l = lease_next(l))
			if (old && l->ifindex == old)
				l->ifindex = k.ifindex;
		kevents_link_routes(link);
	}
	if (!link)
		return;
	if (h->nlmsg_type == RTM_DELLINK) {
		dlog_warn("link %s is gone", link->name);
		link->up = false;
		return;
	}
	if ((k.flags & IFF_UP) && !link->up) {
		dlog_info("link %s is up", link->name);
		link->up = true;
		kevents_link_routes(link);
		life_link_up(link->ifindex);
	} else if (!(k.flags & IFF_UP) && link->up) {
		dlog_info("link %s is down", link->name);
		link->up = false;
	}
}

static int on_msg(const struct nlmsghdr *h, void *arg)
{
	(void)arg;
	if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
		on_addr(h);
	else if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
		on_link(h);
	return MNL_CB_OK;
}

static void on_event(struct watch *w, uint32_t events)
{
	char buf[ODM_NL_BUF] __attribute__((aligned(4)));

	(void)events;
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(w->fd, buf, sizeof buf, 0);

		if (n < 0 && errno == ENOBUFS) {
			dlog_info("kernel events lost: comparing with a dump");
			kevents_resync();
			continue;
		}
		if (n <= 0)
			return;
		mnl_cb_run(buf, (size_t)n, 0, 0, on_msg, NULL);
	}
}

struct seen {
	struct in6_addr addr;
	uint8_t proto;
	UT_hash_handle hh;
};

void kevents_resync(void)
{
	genpage_bump(); /* events were lost: engines look again too */
	struct odm_nladdr *v;
	struct seen *seen = NULL, *s, *tmp;
	struct lease *l, *next;
	size_t n;

	if (odm_nl_dump_addrs(&odm_nl_libc, &v, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		if (!lease_find(&v[i].addr) || !(s = calloc(1, sizeof *s)))
			continue;
		s->addr = v[i].addr;
		s->proto = v[i].proto;
		HASH_FIND(hh, seen, &s->addr, sizeof s->addr, tmp);
		if (tmp || !UTH_ADDED(HASH_ADD(hh, seen, addr, sizeof s->addr, s)))
			free(s);
	}
	free(v);
	for (l = lease_first(); l; l = next) {
		next = lease_next(l);
		HASH_FIND(hh, seen, &l->addr, sizeof l->addr, s);
		if (!s)
			life_absent(l);
		else
			life_present(l, s->proto);
	}
	HASH_ITER(hh, seen, s, tmp) {
		HASH_DEL(seen, s);
		free(s);
	}
}

int kevents_init(void)
{
	int fd = odm_nl_open(&odm_nl_libc, NETLINK_ROUTE,
			     RTMGRP_IPV6_IFADDR | RTMGRP_LINK, 0, true);
	int big = 4 << 20;

	if (fd < 0)
		return fd;
	/* A burst of changes (a link flap with thousands of addresses). */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	kw.fd = fd;
	kw.on_event = on_event;
	return watch_add(&kw, false) ? -EIO : 0;
}

static void route_done(void *arg, const struct ps_msg *r, int fd)
{
	struct wlink *link = arg;

	(void)fd;
	if (r->rc)
		dlog_warn("link %s: no default route in table %u: %s",
			  link->name, link->table, strerror(-r->rc));
}

void kevents_link_routes(struct wlink *link)
{
	struct ps_msg m;

	if (!link->table || link->ifindex <= 0)
		return;
	memset(&m, 0, sizeof m);
	m.kind = PS_ROUTE;
	m.ifindex = link->ifindex;
	ps_call(&m, -1, route_done, link);
}
