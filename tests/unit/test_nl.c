/* test_nl.c: the shared netlink code (common/nl.c, nl_msg.c) against the
 * kernel, in a network namespace of the test's own (unshare: needs root):
 * typed addresses marked with IFA_PROTO, their lifetimes and marks, found
 * again by dump; sock_diag's view of which addresses sockets use; the
 * `from` rules and default routes of odmd's links. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/version.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "nl.h"
#include "odm.h"
#include "proto.h"
#include "test.h"

/* The header's enum, where it has one (5.18+), must agree with our number. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
_Static_assert(ODMD_IFA_PROTO == IFA_PROTO, "IFA_PROTO number");
#endif

static int ifindex;

/* One address as the dump shows odmd's: type from the mark. */
struct odmd_kaddr {
	struct in6_addr addr;
	int ifindex;
	unsigned plen, type, proto;
	uint32_t flags, preferred, valid;
};

static int kaddr(uint16_t type, uint16_t flags, int ifi,
		 const struct in6_addr *a, unsigned plen, uint32_t pref,
		 uint32_t valid, uint8_t proto)
{
	char buf[ODM_NL_MSG_MAX];

	return odm_nl_ask(&odm_nl_libc, NETLINK_ROUTE,
			  odm_nl_msg_addr(buf, type, flags, ifi, a, plen, pref,
					  valid, proto), NULL, NULL);
}

static int odmd_kaddr_add(int ifi, const struct in6_addr *a, unsigned plen,
			  uint32_t pref, uint32_t valid, uint8_t proto)
{
	return kaddr(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifi, a, plen, pref,
		     valid, proto);
}

static int odmd_kaddr_change_lifetimes(int ifi, const struct in6_addr *a,
				       unsigned plen, uint32_t pref,
				       uint32_t valid, uint8_t proto)
{
	return kaddr(RTM_NEWADDR, NLM_F_REPLACE, ifi, a, plen, pref, valid, proto);
}

static int odmd_kaddr_del(int ifi, const struct in6_addr *a, unsigned plen)
{
	return kaddr(RTM_DELADDR, 0, ifi, a, plen, 0, 0, 0);
}

static int count_sock(const struct nlmsghdr *h, void *arg)
{
	struct odm_nlsock s;

	if (odm_nl_parse_sock(h, &s) && s.state != 6 /* TIME_WAIT */)
		(*(int *)arg)++;
	return MNL_CB_OK;
}

/* 1 if a TCP or UDP socket uses a as its local address, 0 if none. */
static int odmd_kaddr_in_use(const struct in6_addr *a)
{
	char buf[ODM_NL_MSG_MAX];
	int n = 0, rc;

	rc = odm_nl_ask(&odm_nl_libc, NETLINK_SOCK_DIAG,
			odm_nl_msg_sockdiag(buf, IPPROTO_TCP, ODM_NL_TCP_STATES, a),
			count_sock, &n);
	if (!rc)
		rc = odm_nl_ask(&odm_nl_libc, NETLINK_SOCK_DIAG,
				odm_nl_msg_sockdiag(buf, IPPROTO_UDP,
						    ODM_NL_UDP_STATES, a),
				count_sock, &n);
	return rc ? rc : n > 0;
}

static struct in6_addr ip(const char *text)
{
	struct in6_addr a;

	inet_pton(AF_INET6, text, &a);
	return a;
}

/* The list_mine entry for text (copied to *e), or 0 if absent. */
static int mine(const char *text, struct odmd_kaddr *e)
{
	struct in6_addr a = ip(text);
	struct odm_nladdr *list;
	size_t n;
	int found = 0;

	if (odm_nl_dump_addrs(&odm_nl_libc, &list, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&list[i].addr, &a, sizeof a) &&
		    odmd_type_of_proto(list[i].proto)) {
			e->addr = list[i].addr;
			e->ifindex = list[i].ifindex;
			e->plen = list[i].plen;
			e->proto = list[i].proto;
			e->type = odmd_type_of_proto(list[i].proto);
			e->flags = list[i].flags;
			e->preferred = list[i].preferred;
			e->valid = list[i].valid;
			found = 1;
		}
	free(list);
	return found;
}

/* The output of a shell command (static buffer). */
static const char *run(const char *cmd)
{
	static char out[8192];
	FILE *p = popen(cmd, "r");
	size_t len = 0;

	out[0] = '\0';
	if (!p)
		return out;
	len = fread(out, 1, sizeof out - 1, p);
	out[len] = '\0';
	pclose(p);
	return out;
}

static void add_with_proto(void)
{
	struct in6_addr a = ip("2001:db8:1::10");
	struct odmd_kaddr e = { 0 };
	const char *shown;

	CHECK(odmd_kaddr_add(ifindex, &a, 64, 300, 600,
			     odmd_proto_of_type(SESSION_LASTING_IPV6_ADDRESS)) == 0);
	CHECK(mine("2001:db8:1::10", &e));
	CHECK(e.type == SESSION_LASTING_IPV6_ADDRESS && e.proto == 0xd2);
	CHECK(e.ifindex == ifindex && e.plen == 64);
	CHECK(e.preferred <= 300 && e.preferred >= 298);
	CHECK(e.valid <= 600 && e.valid >= 598);
	CHECK((e.flags & IFA_F_NODAD) && !(e.flags & IFA_F_TENTATIVE));
	CHECK(odmd_kaddr_add(ifindex, &a, 64, 300, 600, 0xd2) == -EEXIST);

	shown = run("ip -6 addr show dev a0");
	CHECK_HAS(shown, "inet6 2001:db8:1::10/64 scope global nodad dynamic");
	CHECK_HAS(shown, "valid_lft 600sec preferred_lft 300sec");
	/* newer iproute2 prints the protocol (as %#x); 6.1 does not */
	if (*run("ip address help 2>&1 | grep -w proto"))
		CHECK_HAS(shown, "proto 0xd2");
	else
		printf("# this ip cannot print address protocols\n");
}

static void bad_lifetimes(void)
{
	struct in6_addr a = ip("2001:db8:1::11");

	/* The kernel's own checks, reported as they are. */
	CHECK(odmd_kaddr_add(ifindex, &a, 64, 0, 0, 0xd1) == -EINVAL);
	CHECK(odmd_kaddr_add(ifindex, &a, 64, 100, 10, 0xd1) == -EINVAL);
	CHECK(odmd_kaddr_add(ifindex, &a, 129, 10, 10, 0xd1) == -EINVAL);
	CHECK(odmd_kaddr_add(0, &a, 64, 10, 10, 0xd1) == -ENODEV);
	CHECK(odmd_kaddr_add(9999, &a, 64, 10, 10, 0xd1) == -ENODEV);
}

static void every_type_readopted(void)
{
	static const char *const addrs[] = { "2001:db8:f::1", "2001:db8:f::2",
					     "2001:db8:f::3", "2001:db8:f::4" };
	struct odmd_kaddr e;

	for (unsigned t = 1; t <= 4; t++) {
		struct in6_addr a = ip(addrs[t - 1]);

		CHECK(odmd_kaddr_add(ifindex, &a, 128, ODMD_LIFETIME_INFINITE,
				     ODMD_LIFETIME_INFINITE,
				     odmd_proto_of_type(t)) == 0);
	}
	for (unsigned t = 1; t <= 4; t++) {
		CHECK(mine(addrs[t - 1], &e) && e.type == t && e.plen == 128);
		CHECK(e.preferred == ODMD_LIFETIME_INFINITE &&
		      e.valid == ODMD_LIFETIME_INFINITE);
		CHECK(e.flags & IFA_F_PERMANENT);
	}
	/* a protocol outside odmd's range is not odmd's */
	struct in6_addr other = ip("2001:db8:f::5");
	CHECK(odmd_kaddr_add(ifindex, &other, 128, 60, 60, 0xd6) == 0);
	CHECK(!mine("2001:db8:f::5", &e));
	CHECK(odmd_kaddr_del(ifindex, &other, 128) == 0);
}

static void foreign_addresses_are_not_mine(void)
{
	struct odmd_kaddr e;

	CHECK(system("ip -6 addr add 2001:db8:2::20/64 dev a0 nodad") == 0);
	CHECK(!mine("2001:db8:2::20", &e));
	CHECK(!mine("::1", &e));
	CHECK(*run("ip -6 addr show dev a0 | grep 2001:db8:2::20") != '\0');
}

static void deprecate(void)
{
	struct in6_addr a = ip("2001:db8:1::10");
	struct odmd_kaddr e = { 0 };

	CHECK(odmd_kaddr_change_lifetimes(ifindex, &a, 64, 0, 30, 0xd2) == 0);
	CHECK(mine("2001:db8:1::10", &e));
	CHECK(e.preferred == 0 && e.valid <= 30 && e.valid >= 28);
	CHECK(e.flags & IFA_F_DEPRECATED);
	CHECK(e.flags & IFA_F_NODAD);
	CHECK(e.type == SESSION_LASTING_IPV6_ADDRESS);
	CHECK(odmd_kaddr_change_lifetimes(ifindex, &a, 64, 0, 0, 0xd2) == -EINVAL);
	CHECK_HAS(run("ip -6 addr show dev a0"), "preferred_lft 0sec");

	/* Kernel behaviour odmd must live with: a change that does not name
	 * the protocol (as `ip addr change` of iproute2 6.1) resets it. */
	CHECK(system("ip -6 addr change 2001:db8:1::10/64 dev a0 "
		     "preferred_lft 0 valid_lft 30") == 0);
	if (!mine("2001:db8:1::10", &e))
		printf("# a change without IFA_PROTO resets the protocol to 0\n");
	CHECK(odmd_kaddr_change_lifetimes(ifindex, &a, 64, 0, 30, 0xd2) == 0);
	CHECK(mine("2001:db8:1::10", &e) && e.proto == 0xd2);
	/* A replace sets the draining mark, and takes it back. */
	CHECK(odmd_kaddr_change_lifetimes(ifindex, &a, 64, 300, 600,
		odmd_proto_draining_of_type(SESSION_LASTING_IPV6_ADDRESS)) == 0);
	CHECK(mine("2001:db8:1::10", &e) && e.proto == 0xda);
	CHECK(e.type == SESSION_LASTING_IPV6_ADDRESS && odmd_proto_draining(e.proto));
	CHECK(odmd_kaddr_change_lifetimes(ifindex, &a, 64, 0, 30, 0xd2) == 0);
	CHECK(mine("2001:db8:1::10", &e) && !odmd_proto_draining(e.proto));
}

/* odmd's links of their own: a `from` rule into a table, whose default
 * route leaves by the link (with a gateway or point-to-point). */
static void rules_and_routes(void)
{
	struct in6_addr p = ip("2001:db8:70::"), gw = ip("fe80::1");
	char buf[ODM_NL_MSG_MAX];

	CHECK(odm_nl_ask(&odm_nl_libc, NETLINK_ROUTE,
			 odm_nl_msg_rule(buf, RTM_NEWRULE, &p, 56, 301, 1000),
			 NULL, NULL) == 0);
	CHECK_HAS(run("ip -6 rule show"), "1000:\tfrom 2001:db8:70::/56 lookup 301");
	CHECK(odm_nl_ask(&odm_nl_libc, NETLINK_ROUTE,
			 odm_nl_msg_rule(buf, RTM_NEWRULE, &p, 56, 301, 1000),
			 NULL, NULL) == -EEXIST);
	CHECK(odm_nl_ask(&odm_nl_libc, NETLINK_ROUTE,
			 odm_nl_msg_default_route(buf, RTM_NEWROUTE, ifindex, 301,
						  &gw), NULL, NULL) == 0);
	CHECK_HAS(run("ip -6 route show table 301"), "default via fe80::1 dev a0");
	CHECK(odm_nl_ask(&odm_nl_libc, NETLINK_ROUTE,
			 odm_nl_msg_default_route(buf, RTM_NEWROUTE, ifindex, 302,
						  NULL), NULL, NULL) == 0);
	CHECK_HAS(run("ip -6 route show table 302"), "default dev a0");
	CHECK(odm_nl_ask(&odm_nl_libc, NETLINK_ROUTE,
			 odm_nl_msg_rule(buf, RTM_DELRULE, &p, 56, 301, 1000),
			 NULL, NULL) == 0);
	CHECK(*run("ip -6 rule show | grep 2001:db8:70") == '\0');
}

/* in_use, waiting up to 1 s for want (closing TCP takes a moment). */
static int in_use_becomes(const struct in6_addr *a, int want)
{
	struct timespec ms = { 0, 10 * 1000 * 1000 };
	int rc = -1;

	for (int i = 0; i < 100; i++) {
		rc = odmd_kaddr_in_use(a);
		if (rc == want)
			break;
		nanosleep(&ms, NULL);
	}
	return rc;
}

static struct sockaddr_in6 sa(const struct in6_addr *a, unsigned port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)port) };

	if (a)
		s.sin6_addr = *a;
	return s;
}

static void in_use_tcp(void)
{
	struct in6_addr a = ip("2001:db8:1::10"), b = ip("2001:db8:f::1");
	struct sockaddr_in6 srv = sa(&a, 4711), any = sa(NULL, 4712);
	struct sockaddr_in6 to_b = sa(&b, 4712);
	int l = socket(AF_INET6, SOCK_STREAM, 0), c, s;

	CHECK(odmd_kaddr_in_use(&a) == 0);
	/* bound only: Linux 6.10+ dumps such sockets (TCP_BOUND_INACTIVE) */
	CHECK(bind(l, (struct sockaddr *)&srv, sizeof srv) == 0);
	CHECK(odmd_kaddr_in_use(&a) == 1);
	CHECK(listen(l, 4) == 0);
	CHECK(odmd_kaddr_in_use(&a) == 1);
	CHECK(odmd_kaddr_in_use(&b) == 0);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&srv, sizeof srv) == 0);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	close(l);
	CHECK(odmd_kaddr_in_use(&a) == 1); /* the connection, both ends */
	close(s);
	CHECK(odmd_kaddr_in_use(&a) == 1); /* the client still holds it */
	close(c);
	CHECK(in_use_becomes(&a, 0) == 0); /* TIME_WAIT does not count */

	/* a listener on :: does not pin b, but a connection to b does */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) == 0);
	CHECK(bind(l, (struct sockaddr *)&any, sizeof any) == 0 && listen(l, 4) == 0);
	CHECK(odmd_kaddr_in_use(&b) == 0);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&to_b, sizeof to_b) == 0);
	s = accept(l, NULL, NULL);
	CHECK(odmd_kaddr_in_use(&b) == 1);
	close(c);
	close(s);
	close(l);
	CHECK(in_use_becomes(&b, 0) == 0);
}

static void in_use_udp(void)
{
	struct in6_addr a = ip("2001:db8:1::10"), b = ip("2001:db8:f::2");
	struct sockaddr_in6 local = sa(&a, 5353), to_b = sa(&b, 53);
	int u = socket(AF_INET6, SOCK_DGRAM, 0);

	CHECK(odmd_kaddr_in_use(&a) == 0);
	CHECK(bind(u, (struct sockaddr *)&local, sizeof local) == 0);
	CHECK(odmd_kaddr_in_use(&a) == 1);
	close(u);
	CHECK(odmd_kaddr_in_use(&a) == 0);
	/* connected UDP: the kernel picks b as the source for b itself */
	u = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK(connect(u, (struct sockaddr *)&to_b, sizeof to_b) == 0);
	CHECK(odmd_kaddr_in_use(&b) == 1);
	close(u);
	CHECK(odmd_kaddr_in_use(&b) == 0);
}

static void del(void)
{
	struct in6_addr a = ip("2001:db8:1::10");
	struct odmd_kaddr e;

	CHECK(odmd_kaddr_del(ifindex, &a, 64) == 0);
	CHECK(!mine("2001:db8:1::10", &e));
	CHECK(*run("ip -6 addr show dev a0 | grep 2001:db8:1::10") == '\0');
	CHECK(odmd_kaddr_del(ifindex, &a, 64) == -EADDRNOTAVAIL);
	CHECK(mine("2001:db8:f::3", &e)); /* the others stay */
}

int main(void)
{
	if (unshare(CLONE_NEWNET) != 0) {
		printf("ok 1 - nl # SKIP cannot unshare a network namespace\n1..1\n");
		return 0;
	}
	if (system("ip link set lo up && ip link add a0 type veth peer name a1 && "
		   "ip link set a0 up && ip link set a1 up") != 0) {
		printf("not ok 1 - set up veth pair\n1..1\n");
		return 1;
	}
	ifindex = (int)if_nametoindex("a0");
	RUN(add_with_proto);
	RUN(bad_lifetimes);
	RUN(every_type_readopted);
	RUN(foreign_addresses_are_not_mine);
	RUN(deprecate);
	RUN(rules_and_routes);
	RUN(in_use_tcp);
	RUN(in_use_udp);
	RUN(del);
	return TEST_DONE();
}
