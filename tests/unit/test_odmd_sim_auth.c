/* test_odmd_sim_auth.c: odmd's parts that need no kernel: the simulated
 * network (which prefixes it grants, in which order, with which
 * lifetimes, when it says no, and its accounting of what is out), the
 * authorization decision, the timer heap and the lease table. */
#include <arpa/inet.h>
#include <stdlib.h>
#include "auth.h"
#include "backend.h"
#include "heap.h"
#include "lease.h"
#include "nl.h"
#include "proto.h"
#include "test.h"
#include "worker.h"

static const char *text(const struct in6_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, a, buf, sizeof buf);
}

/* What the backend answered to the last call. */
static struct {
	int status;
	struct grant g;
	char reason[256];
} last;

static void done(void *arg, int status, const struct grant *g,
		 const char *reason)
{
	(void)arg;
	last.status = status;
	memset(&last.g, 0, sizeof last.g);
	if (g)
		last.g = *g;
	snprintf(last.reason, sizeof last.reason, "%s", reason);
}

static int ask(struct backend *b, sc_type t)
{
	last.status = -1;
	b->request(b, t, done, NULL);
	return last.status;
}

static struct odm_hc_pool pools[3];
static struct odm_hc_network net;

static struct backend *sim(void)
{
	char err[128];
	struct backend *b;

	memset(pools, 0, sizeof pools);
	pools[0] = (struct odm_hc_pool){ { .len = 63, .type = 2 }, "", 600, 300 };
	pools[1] = (struct odm_hc_pool){ { .len = 64, .type = 2 }, "wwan1", 60, 60 };
	pools[2] = (struct odm_hc_pool){ { .len = 62, .type = 3 }, "",
					 0xffffffffu, 0xffffffffu };
	inet_pton(AF_INET6, "2001:db8:50::", &pools[0].p.net);
	inet_pton(AF_INET6, "2001:db8:60::", &pools[1].p.net);
	inet_pton(AF_INET6, "2001:db8:30::", &pools[2].p.net);
	net = (struct odm_hc_network){ .offer = 1u << 2 | 1u << 3 | 1u << 4,
				       .pools = pools, .npools = 3 };
	b = backend_sim_open(&net, err, sizeof err);
	CHECK(b != NULL);
	return b;
}

static void pools_in_order(void)
{
	struct backend *b = sim();

	CHECK(ask(b, 2) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:50::");
	CHECK(last.g.plen == 64 && last.g.valid == 600 && last.g.preferred == 300);
	CHECK_STR(last.g.link, "");
	CHECK(ask(b, 2) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:50:1::"); /* a /63: two /64s */
	CHECK(ask(b, 2) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:60::");   /* the next pool */
	CHECK(last.g.valid == 60);
	CHECK_STR(last.g.link, "wwan1");                    /* its own link */
	CHECK(ask(b, 2) == ODMD_ST_FAILED);
	CHECK_HAS(last.reason, "exhausted");
	CHECK(ask(b, 3) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:30::");
	CHECK(last.g.valid == ODM_LIFETIME_INFINITE);
	CHECK(ask(b, 1) == ODMD_ST_NOT_SUPPORTED);
	CHECK_HAS(last.reason, "does not offer fixed");
	CHECK(ask(b, 4) == ODMD_ST_FAILED);
	CHECK_HAS(last.reason, "no pool");
	b->close(b);
}

static struct lease lease_of(const char *prefix, sc_type t)
{
	struct lease l;

	memset(&l, 0, sizeof l);
	inet_pton(AF_INET6, prefix, &l.prefix);
	l.plen = 64;
	l.type = t;
	return l;
}

/* What goes back is out no more, but next fit does not hand it out again
 * before the rest of the pool (a move gets a new prefix). */
static void release_and_next_fit(void)
{
	struct backend *b = sim();
	struct lease l = lease_of("2001:db8:30::", 3);

	CHECK(ask(b, 3) == ODMD_ST_OK); /* 30:: */
	CHECK(ask(b, 3) == ODMD_ST_OK); /* 30:1:: */
	b->release(b, &l);
	CHECK(ask(b, 3) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:30:2::");
	CHECK(ask(b, 3) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:30:3::");
	CHECK(ask(b, 3) == ODMD_ST_OK); /* wrapped: the one given back */
	CHECK_STR(text(&last.g.prefix), "2001:db8:30::");
	CHECK(ask(b, 3) == ODMD_ST_FAILED); /* the /62 is all out */
	l = lease_of("2001:db8:30:2::", 3);
	b->release(b, &l);
	b->release(b, &l); /* twice: no harm, counted once */
	CHECK(ask(b, 3) == ODMD_ST_OK);
	CHECK_STR(text(&last.g.prefix), "2001:db8:30:2::");
	CHECK(ask(b, 3) == ODMD_ST_FAILED);
	b->close(b);
}

/* A restarted odmd tells the simulator what is out; renewals keep the
 * prefix with the pool's lifetimes. */
static void adopt_and_renew(void)
{
	struct backend *b = sim();
	struct lease l = lease_of("2001:db8:50:1::", 2);
	struct lease alien = lease_of("2001:db8:99::", 2);

	b->adopt(b, &l);
	CHECK(ask(b, 2) == ODMD_ST_OK); /* from past 50:1::, wrapping */
	CHECK_STR(text(&last.g.prefix), "2001:db8:50::");
	CHECK(ask(b, 2) == ODMD_ST_OK); /* 50:1:: is out */
	CHECK_STR(text(&last.g.prefix), "2001:db8:60::");
	last.status = -1;
	b->renew(b, &l, done, NULL);
	CHECK(last.status == ODMD_ST_OK && last.g.valid == 600);
	CHECK_STR(text(&last.g.prefix), "2001:db8:50:1::");
	last.status = -1;
	b->renew(b, &alien, done, NULL);
	CHECK(last.status == ODMD_ST_FAILED);
	b->close(b);
}

static void premium_needs_a_grant(void)
{
	struct odm_hc_grant grants[] = {
		{ .who = "root", .types = 1u << 1, .max_addresses = 2 },
		{ .who = "/usr/bin/ssh", .program = true, .types = 1u << 1,
		  .max_addresses = -1 },
		{ .who = "1001", .types = 0, .max_addresses = 0 },
		{ .who = "no-such-user-here", .types = 1u << 1,
		  .max_addresses = -1 },
	};
	struct odm_hc_auth auth = { .premium = 1u << 1, .max_addresses = 5,
				    .grants = grants, .ngrants = 4 };
	struct odmd_requester root = { 0, 1, "/usr/bin/curl" };
	struct odmd_requester bob = { 1002, 2, "/usr/bin/curl" };
	struct odmd_requester bob_ssh = { 1002, 3, "/usr/bin/ssh" };
	struct odmd_requester bob_unsure = { 1002, 3, NULL };
	struct odmd_requester carol = { 1001, 4, "/usr/bin/curl" };
	char why[200];

	auth_resolve(&auth); /* names to uids, once */
	CHECK(grants[0].uid == 0 && grants[2].uid == 1001);
	CHECK(grants[1].uid == -1 && grants[3].uid == -1);
	CHECK(auth_needs_program(&auth, 1) && !auth_needs_program(&auth, 2));
	CHECK(odmd_authorize(&auth, &root, 1, -1, why, sizeof why) == ODMD_ST_OK);
	CHECK(odmd_authorize(&auth, &bob, 1, -1, why, sizeof why) == ODMD_ST_DENIED);
	CHECK_HAS(why, "premium");
	CHECK_HAS(why, "uid 1002");
	CHECK(odmd_authorize(&auth, &bob_ssh, 1, -1, why, sizeof why) == ODMD_ST_OK);
	/* the program was not sure (changed, or another process spoke) */
	CHECK(odmd_authorize(&auth, &bob_unsure, 1, -1, why, sizeof why) ==
	      ODMD_ST_DENIED);
	CHECK(odmd_authorize(&auth, &bob, 2, 4, why, sizeof why) == ODMD_ST_OK);
	CHECK(odmd_authorize(&auth, &bob, 2, 5, why, sizeof why) == ODMD_ST_DENIED);
	CHECK_HAS(why, "quota");
	CHECK(odmd_authorize(&auth, &bob, 2, -1, why, sizeof why) == ODMD_ST_OK);
	CHECK(odmd_authorize(&auth, &root, 2, 2, why, sizeof why) == ODMD_ST_DENIED);
	CHECK(odmd_authorize(&auth, &carol, 2, 0, why, sizeof why) == ODMD_ST_DENIED);
	auth.premium = 0; /* nothing premium: everyone gets Fixed */
	CHECK(odmd_authorize(&auth, &bob, 1, -1, why, sizeof why) == ODMD_ST_OK);
	CHECK(!auth_needs_program(&auth, 1));
}

/* The heap against a sorted reference, with moves and removals. */
static void heap_order(void)
{
	enum { N = 2000 };
	static struct timer t[N];
	struct heap h = { 0 };
	uint64_t last_due = 0;
	unsigned seed = 7, n = 0, bad = 0;

	for (int i = 0; i < N; i++) {
		timer_init(&t[i], TIMER_LEASE);
		heap_set(&h, &t[i], (seed = seed * 1103515245 + 12345) % 100000);
	}
	for (int i = 0; i < N; i += 3)
		heap_set(&h, &t[i], (seed = seed * 1103515245 + 12345) % 100000);
	for (int i = 1; i < N; i += 7)
		heap_del(&h, &t[i]);
	heap_del(&h, &t[1]); /* again: a no-op */
	for (struct timer *top; (top = heap_top(&h)); n++) {
		bad += top->due < last_due;
		last_due = top->due;
		heap_del(&h, top);
		bad += timer_armed(top);
	}
	CHECK(bad == 0);
	CHECK(n == N - (N + 5) / 7);
	heap_free(&h);
}

static void lease_table(void)
{
	struct in6_addr a, b, c;
	struct lease *la, *lb, *lc;

	inet_pton(AF_INET6, "2001:db8:1::1", &a);
	inet_pton(AF_INET6, "2001:db8:2::1", &b);
	inet_pton(AF_INET6, "2001:db8:3::1", &c);
	la = lease_new(&a, 64, 2, 2, 1000);
	lb = lease_new(&b, 64, 2, 2, 1000);
	lc = lease_new(&c, 64, 2, 3, ODMD_NO_OWNER);
	CHECK(la && lb && lc && lease_count() == 3);
	CHECK(lease_find(&b) == lb && lease_find_prefix(&lb->prefix, 64) == lb);
	CHECK_STR(text(&lb->prefix), "2001:db8:2::");
	CHECK(lease_count_owned(1000) == 2 && lease_count_owned(0) == 0);
	lease_reserve(1000, +1); /* a grant under way counts */
	CHECK(lease_count_owned(1000) == 3);
	lease_reserve(1000, -1);
	lease_set_owner(lb, 0);
	CHECK(lease_count_owned(1000) == 1 && lease_count_owned(0) == 1);
	lease_set_current(lc, true);
	CHECK(lease_current(3) == lc && lease_current(2) == NULL);
	lease_free(lc);
	CHECK(lease_current(3) == NULL && lease_count() == 2);
	lease_free(la);
	lease_free(lb);
	CHECK(lease_count() == 0 && lease_count_owned(1000) == 0 &&
	      lease_count_owned(0) == 0);
}

int main(void)
{
	RUN(pools_in_order);
	RUN(release_and_next_fit);
	RUN(adopt_and_renew);
	RUN(premium_needs_a_grant);
	RUN(heap_order);
	RUN(lease_table);
	return TEST_DONE();
}
