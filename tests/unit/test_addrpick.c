/* test_addrpick.c: which addresses are usable, and which one a new socket
 * of each type gets. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include "addrpick.h"
#include "test.h"

static struct odm_nladdr mk(const char *text, uint32_t cstamp)
{
	struct odm_nladdr a = { .plen = 64, .ifindex = 2, .scope = RT_SCOPE_UNIVERSE,
				.preferred = ODM_LIFETIME_INFINITE,
				.valid = ODM_LIFETIME_INFINITE, .cstamp = cstamp };

	inet_pton(AF_INET6, text, &a.addr);
	snprintf(a.ifname, sizeof a.ifname, "veth0");
	return a;
}

static struct odm_typed_addr typed(const char *text, uint32_t cstamp,
				   sc_type type)
{
	struct odm_typed_addr t = { .nl = mk(text, cstamp), .type = type };

	t.unusable = odm_addr_unusable(&t.nl);
	return t;
}

static const char *text_of(const struct odm_typed_addr *a, int i)
{
	static char buf[INET6_ADDRSTRLEN];

	return i < 0 ? "none" : inet_ntop(AF_INET6, &a[i].nl.addr, buf, sizeof buf);
}

static void usable_rules(void)
{
	struct odm_nladdr a = mk("2001:db8:5::10", 1);

	CHECK(odm_addr_unusable(&a) == NULL);
	a.flags = IFA_F_TENTATIVE;
	CHECK_STR(odm_addr_unusable(&a), "tentative");
	a.flags = IFA_F_TENTATIVE | IFA_F_OPTIMISTIC;
	CHECK(odm_addr_unusable(&a) == NULL);
	a.flags = IFA_F_DADFAILED | IFA_F_TENTATIVE;
	CHECK_STR(odm_addr_unusable(&a), "dad-failed");
	a.flags = IFA_F_DEPRECATED;
	CHECK_STR(odm_addr_unusable(&a), "deprecated");
	a.flags = 0;
	a.preferred = 0;
	CHECK_STR(odm_addr_unusable(&a), "deprecated");
	a = mk("fe80::1", 1);
	a.scope = RT_SCOPE_LINK;
	CHECK_STR(odm_addr_unusable(&a), "not global scope");
}

static void classify_by_config(void)
{
	struct odm_hc_prefix pfx[] = {
		{ .len = 64, .type = SESSION_LASTING_IPV6_ADDRESS },
		{ .len = 64, .type = FIXED_IPV6_ADDRESS },
	};
	struct odm_hc_iface ifs[] = { { "wwan1", NON_PERSISTENT_IPV6_ADDRESS } };
	struct odm_hostconf hc = { .prefixes = pfx, .nprefixes = 2,
				   .ifaces = ifs, .nifaces = 1 };
	struct odm_nladdr in[4];
	struct odm_typed_addr out[4];

	inet_pton(AF_INET6, "2001:db8:5::", &pfx[0].net);
	inet_pton(AF_INET6, "2001:db8:f::", &pfx[1].net);
	in[0] = mk("2001:db8:ffff::2", 1);  /* untyped */
	in[1] = mk("2001:db8:5::10", 2);
	in[2] = mk("2001:db8:f::10", 3);
	in[3] = mk("2001:db8:77::1", 4);
	snprintf(in[3].ifname, sizeof in[3].ifname, "wwan1");
	CHECK(odm_classify(&hc, in, 4, out) == 3);
	CHECK(out[0].type == SESSION_LASTING_IPV6_ADDRESS);
	CHECK(out[1].type == FIXED_IPV6_ADDRESS);
	CHECK(out[2].type == NON_PERSISTENT_IPV6_ADDRESS);
	CHECK(out[2].unusable == NULL);
}

static void oldest_wins_for_lasting_types(void)
{
	struct odm_typed_addr a[] = {
		typed("2001:db8:5::30", 300, SESSION_LASTING_IPV6_ADDRESS),
		typed("2001:db8:5::10", 100, SESSION_LASTING_IPV6_ADDRESS),
		typed("2001:db8:5::20", 200, SESSION_LASTING_IPV6_ADDRESS),
		typed("2001:db8:f::1", 50, FIXED_IPV6_ADDRESS),
	};

	CHECK_STR(text_of(a, odm_pick(a, 4, SESSION_LASTING_IPV6_ADDRESS)),
		  "2001:db8:5::10");
	CHECK_STR(text_of(a, odm_pick(a, 4, FIXED_IPV6_ADDRESS)), "2001:db8:f::1");
	CHECK(odm_pick(a, 4, NON_PERSISTENT_IPV6_ADDRESS) == -1);
}

static void newest_wins_for_graceful_replacement(void)
{
	struct odm_typed_addr a[] = {
		typed("2001:db8:9::1", 100, GRACEFUL_REPLACEMENT_IPV6_ADDRESS),
		typed("2001:db8:9::3", 300, GRACEFUL_REPLACEMENT_IPV6_ADDRESS),
		typed("2001:db8:9::2", 200, GRACEFUL_REPLACEMENT_IPV6_ADDRESS),
	};

	CHECK_STR(text_of(a, odm_pick(a, 3, GRACEFUL_REPLACEMENT_IPV6_ADDRESS)),
		  "2001:db8:9::3");
}

static void unusable_is_skipped(void)
{
	struct odm_typed_addr a[] = {
		typed("2001:db8:5::10", 100, SESSION_LASTING_IPV6_ADDRESS),
		typed("2001:db8:5::20", 200, SESSION_LASTING_IPV6_ADDRESS),
	};

	a[0].nl.preferred = 0;
	a[0].unusable = odm_addr_unusable(&a[0].nl);
	CHECK_STR(text_of(a, odm_pick(a, 2, SESSION_LASTING_IPV6_ADDRESS)),
		  "2001:db8:5::20");
	a[1].nl.flags = IFA_F_TENTATIVE;
	a[1].unusable = odm_addr_unusable(&a[1].nl);
	CHECK(odm_pick(a, 2, SESSION_LASTING_IPV6_ADDRESS) == -1);
}

static void ties_break_on_lowest_address(void)
{
	struct odm_typed_addr a[] = {
		typed("2001:db8:5::b", 100, SESSION_LASTING_IPV6_ADDRESS),
		typed("2001:db8:5::a", 100, SESSION_LASTING_IPV6_ADDRESS),
		typed("2001:db8:9::b", 100, GRACEFUL_REPLACEMENT_IPV6_ADDRESS),
		typed("2001:db8:9::a", 100, GRACEFUL_REPLACEMENT_IPV6_ADDRESS),
	};

	CHECK_STR(text_of(a, odm_pick(a, 4, SESSION_LASTING_IPV6_ADDRESS)),
		  "2001:db8:5::a");
	CHECK_STR(text_of(a, odm_pick(a, 4, GRACEFUL_REPLACEMENT_IPV6_ADDRESS)),
		  "2001:db8:9::a");
}

int main(void)
{
	RUN(usable_rules);
	RUN(classify_by_config);
	RUN(oldest_wins_for_lasting_types);
	RUN(newest_wins_for_graceful_replacement);
	RUN(unusable_is_skipped);
	RUN(ties_break_on_lowest_address);
	return TEST_DONE();
}
