/* test_odmd_sim_auth.c: odmd's simulated network (which prefixes it grants,
 * in which order, and when it says no) and its authorization decision. */
#include <arpa/inet.h>
#include "auth.h"
#include "proto.h"
#include "sim.h"
#include "test.h"

static const char *text(const struct in6_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, a, buf, sizeof buf);
}

static void pools_in_order(void)
{
	struct odm_hc_prefix pools[3] = {
		{ .len = 63, .type = SESSION_LASTING_IPV6_ADDRESS },
		{ .len = 64, .type = SESSION_LASTING_IPV6_ADDRESS },
		{ .len = 56, .type = NON_PERSISTENT_IPV6_ADDRESS },
	};
	struct odm_hc_network net = { .offer = 1u << 2 | 1u << 3 | 1u << 4,
				      .pools = pools, .npools = 3 };
	struct odmd_sim sim;
	struct in6_addr p;
	char why[200];

	inet_pton(AF_INET6, "2001:db8:50::", &pools[0].net);
	inet_pton(AF_INET6, "2001:db8:60::", &pools[1].net);
	inet_pton(AF_INET6, "2001:db8:30::", &pools[2].net);
	odmd_sim_init(&sim, &net);
	CHECK(odmd_sim_grant(&sim, 2, &p, why, sizeof why) == ODMD_ST_OK);
	CHECK_STR(text(&p), "2001:db8:50::");
	CHECK(odmd_sim_grant(&sim, 2, &p, why, sizeof why) == ODMD_ST_OK);
	CHECK_STR(text(&p), "2001:db8:50:1::");   /* a /63 holds two /64s */
	CHECK(odmd_sim_grant(&sim, 2, &p, why, sizeof why) == ODMD_ST_OK);
	CHECK_STR(text(&p), "2001:db8:60::");     /* then the next pool */
	CHECK(odmd_sim_grant(&sim, 2, &p, why, sizeof why) == ODMD_ST_FAILED);
	CHECK_HAS(why, "exhausted");
	CHECK(odmd_sim_grant(&sim, 3, &p, why, sizeof why) == ODMD_ST_OK);
	CHECK_STR(text(&p), "2001:db8:30::");
	CHECK(odmd_sim_grant(&sim, 3, &p, why, sizeof why) == ODMD_ST_OK);
	CHECK_STR(text(&p), "2001:db8:30:1::");
	CHECK(odmd_sim_grant(&sim, 1, &p, why, sizeof why) == ODMD_ST_NOT_SUPPORTED);
	CHECK_HAS(why, "does not offer fixed");
	CHECK(odmd_sim_grant(&sim, 4, &p, why, sizeof why) == ODMD_ST_FAILED);
	CHECK_HAS(why, "no pool");
}

static void premium_needs_a_grant(void)
{
	struct odm_hc_grant grants[] = {
		{ .who = "alice", .types = 1u << 1, .max_addresses = 2 },
		{ .who = "/usr/bin/ssh", .program = true, .types = 1u << 1,
		  .max_addresses = -1 },
		{ .who = "1001", .types = 0, .max_addresses = 0 },
	};
	struct odm_hc_auth auth = { .premium = 1u << 1, .max_addresses = 5,
				    .grants = grants, .ngrants = 3 };
	struct odmd_requester alice = { 1000, 1, "alice", "/usr/bin/curl" };
	struct odmd_requester bob = { 1002, 2, "bob", "/usr/bin/curl" };
	struct odmd_requester bob_ssh = { 1002, 3, "bob", "/usr/bin/ssh" };
	struct odmd_requester carol = { 1001, 4, "carol", "/usr/bin/curl" };
	char why[200];

	CHECK(odmd_authorize(&auth, &alice, 1, 0, why, sizeof why) == ODMD_ST_OK);
	CHECK(odmd_authorize(&auth, &bob, 1, 0, why, sizeof why) == ODMD_ST_DENIED);
	CHECK_HAS(why, "premium");
	CHECK_HAS(why, "uid 1002");
	CHECK(odmd_authorize(&auth, &bob_ssh, 1, 0, why, sizeof why) == ODMD_ST_OK);
	CHECK(odmd_authorize(&auth, &bob, 2, 4, why, sizeof why) == ODMD_ST_OK);
	CHECK(odmd_authorize(&auth, &bob, 2, 5, why, sizeof why) == ODMD_ST_DENIED);
	CHECK_HAS(why, "quota");
	CHECK(odmd_authorize(&auth, &alice, 2, 2, why, sizeof why) == ODMD_ST_DENIED);
	CHECK(odmd_authorize(&auth, &carol, 2, 0, why, sizeof why) == ODMD_ST_DENIED);
	auth.premium = 0; /* nothing premium: everyone gets Fixed */
	CHECK(odmd_authorize(&auth, &bob, 1, 0, why, sizeof why) == ODMD_ST_OK);
}

int main(void)
{
	RUN(pools_in_order);
	RUN(premium_needs_a_grant);
	return TEST_DONE();
}
