/* bench_leases.c: odmd's lease table at scale, without the kernel: the
 * cost of finding a lease, of a new one and its timer, and of the pass
 * that follows each usage scan, with 1,000 and with 100,000 leases held.
 * Links odmd's own modules (build/libodmd.a). Timing only. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lease.h"
#include "life.h"
#include "timing.h"
#include "worker.h"

static struct odm_hostconf hc;

static struct in6_addr nth(unsigned i)
{
	struct in6_addr a;

	memset(&a, 0, sizeof a);
	a.s6_addr[0] = 0x20;
	a.s6_addr[1] = 0x01;
	a.s6_addr[2] = 0x0d;
	a.s6_addr[3] = 0xb8;
	a.s6_addr[4] = (uint8_t)(i >> 24);
	a.s6_addr[5] = (uint8_t)(i >> 16);
	a.s6_addr[6] = (uint8_t)(i >> 8);
	a.s6_addr[7] = (uint8_t)i;
	a.s6_addr[15] = 1;
	return a;
}

static void run(unsigned n)
{
	double t0, t_new, t_find, t_scan;
	unsigned found = 0, seed = 1;

	t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		struct in6_addr a = nth(i);
		struct lease *l = lease_new(&a, 64, 2, SESSION_LASTING_IPV6_ADDRESS,
					    1000 + i % 64);

		l->state = ODMD_LEASE_IN_USE;
		l->sockets = 1;
		l->valid_until = W.now + 3600000 + i;
		l->renew_at = W.now + 1800000 + i;
		life_schedule(l);
	}
	t_new = (now_ns() - t0) / n;
	t0 = now_ns();
	for (unsigned i = 0; i < 1000000; i++) {
		struct in6_addr a = nth((seed = seed * 1103515245 + 12345) % n);

		found += lease_find(&a) != NULL;
	}
	t_find = (now_ns() - t0) / 1000000;
	t0 = now_ns();
	for (struct lease *l = lease_first(); l; l = lease_next(l))
		life_after_scan(l);
	t_scan = (now_ns() - t0) / 1e6;
	printf("%7u leases: a new lease and its timer %.0f ns, a lookup %.0f ns "
	       "(%u found), the pass after a scan %.2f ms\n", n, t_new, t_find,
	       found, t_scan);
	while (lease_first())
		lease_free(lease_first());
}

int main(void)
{
	hc.net.hold_s = 30;
	hc.net.idle_s = 60;
	W.hc = &hc;
	W.now = odmd_now_ms();
	run(1000);
	run(100000);
	return 0;
}
