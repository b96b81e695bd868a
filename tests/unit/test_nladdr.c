/* test_nladdr.c: the rtnetlink address dump and the monitor's generation
 * counter, against the kernel, in a network namespace of the test's own
 * (unshare: needs root). */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "nladdr.h"
#include "real.h"
#include "test.h"

static int sh(const char *cmd)
{
	return system(cmd);
}

/* The dumped entry for text, or NULL. *list is freed by the caller. */
static const struct odm_nladdr *find(struct odm_nladdr **list, size_t *n,
				     const char *text)
{
	struct in6_addr a;

	free(*list);
	*list = NULL;
	if (odm_nl_dump_addrs(list, n) != 0)
		return NULL;
	inet_pton(AF_INET6, text, &a);
	for (size_t i = 0; i < *n; i++)
		if (!memcmp(&(*list)[i].addr, &a, sizeof a))
			return &(*list)[i];
	return NULL;
}

/* Waits (2 s at most) for the generation to pass gen. */
static int moved_past(uint64_t gen)
{
	struct timespec ms = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 200; i++) {
		if (odm_nl_generation() > gen)
			return 1;
		nanosleep(&ms, NULL);
	}
	return 0;
}

static struct odm_nladdr *list;
static size_t n;

static void loopback(void)
{
	const struct odm_nladdr *a = find(&list, &n, "::1");

	CHECK(a != NULL);
	CHECK(a && a->scope == RT_SCOPE_HOST && a->plen == 128);
	CHECK(a && !strcmp(a->ifname, "lo"));
}

static void lifetimes_and_flags(void)
{
	const struct odm_nladdr *a;

	CHECK(sh("ip -6 addr add 2001:db8:5::10/64 dev a0 nodad "
		 "preferred_lft 300 valid_lft 600") == 0);
	a = find(&list, &n, "2001:db8:5::10");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(a->plen == 64 && a->scope == RT_SCOPE_UNIVERSE);
	CHECK(!strcmp(a->ifname, "a0"));
	CHECK(a->preferred <= 300 && a->preferred >= 298);
	CHECK(a->valid <= 600 && a->valid >= 598);
	CHECK(!(a->flags & (IFA_F_TENTATIVE | IFA_F_DEPRECATED)));
	CHECK(sh("ip -6 addr change 2001:db8:5::10/64 dev a0 preferred_lft 0 "
		 "valid_lft 600") == 0);
	a = find(&list, &n, "2001:db8:5::10");
	CHECK(a && a->preferred == 0 && (a->flags & IFA_F_DEPRECATED));
	CHECK(sh("ip -6 addr add 2001:db8:6::10/64 dev a0") == 0); /* with DAD */
	a = find(&list, &n, "2001:db8:6::10");
	CHECK(a && (a->flags & IFA_F_TENTATIVE));
	a = find(&list, &n, "2001:db8:5::10");
	CHECK(a && find(&list, &n, "2001:db8:6::10"));
}

static void creation_stamps_grow(void)
{
	const struct odm_nladdr *a;
	uint32_t first;

	CHECK(sh("ip -6 addr add 2001:db8:9::1/64 dev a0 nodad") == 0);
	a = find(&list, &n, "2001:db8:9::1");
	CHECK(a != NULL);
	first = a ? a->cstamp : 0;
	usleep(30000);
	CHECK(sh("ip -6 addr add 2001:db8:9::2/64 dev a0 nodad") == 0);
	a = find(&list, &n, "2001:db8:9::2");
	CHECK(a && a->cstamp > first);
}

static void monitor_counts_changes(void)
{
	uint64_t g;

	CHECK(odm_nl_monitor_start() == 0);
	CHECK(odm_nl_monitor_running());
	CHECK(odm_nl_monitor_start() == 0); /* idempotent */
	g = odm_nl_generation();
	CHECK(sh("ip -6 addr add 2001:db8:7::1/64 dev a0 nodad") == 0);
	CHECK(moved_past(g));
	g = odm_nl_generation();
	CHECK(sh("ip -6 addr change 2001:db8:7::1/64 dev a0 preferred_lft 0") == 0);
	CHECK(moved_past(g));
	g = odm_nl_generation();
	CHECK(sh("ip -6 addr del 2001:db8:7::1/64 dev a0") == 0);
	CHECK(moved_past(g));
	/* quiet when nothing changes */
	g = odm_nl_generation();
	usleep(100000);
	CHECK(odm_nl_generation() == g);
}

int main(void)
{
	if (unshare(CLONE_NEWNET) != 0) {
		printf("ok 1 - nladdr # SKIP cannot unshare a network namespace\n1..1\n");
		return 0;
	}
	odm_real_init();
	if (sh("ip link set lo up && ip link add a0 type veth peer name a1 && "
	       "ip link set a0 up && ip link set a1 up") != 0) {
		printf("not ok 1 - set up veth pair\n1..1\n");
		return 1;
	}
	RUN(loopback);
	RUN(lifetimes_and_flags);
	RUN(creation_stamps_grow);
	RUN(monitor_counts_changes);
	free(list);
	return TEST_DONE();
}
