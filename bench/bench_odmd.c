/* bench_odmd.c: what odmd costs.
 *   bench_odmd setsc N   N setsc() calls that must go through odmd to a
 *                        newly configured address (IPV6_REQUIRE_SRC_ON_NET,
 *                        so each asks the network for a fresh prefix):
 *                        median and p99 in microseconds
 *   bench_odmd rps N SOCKET   N requests odmd answers from what it holds
 *                        (no ON_NET), back to back on one connection:
 *                        requests per second
 * Timing only: a benchmark, not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <odm.h>
#include "proto.h"
#include "timing.h"

static int bench_setsc(int n)
{
	double *t = calloc((size_t)n, sizeof *t);
	uint32_t prefs = IPV6_REQUIRE_SRC_ON_NET;
	int failures = 0;

	for (int i = 0; i < n; i++) {
		struct in6_addr a;
		int s = socket(AF_INET6, SOCK_DGRAM, 0);
		double t0;

		setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs,
			   sizeof prefs);
		t0 = (now_ns() / 1e3);
		failures += setsc(s, &a, SESSION_LASTING_IPV6_ADDRESS) != 0;
		t[i] = (now_ns() / 1e3) - t0;
		close(s);
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	printf("setsc via odmd (fresh prefix): median %.0f us, p99 %.0f us, "
	       "%d calls, %d failed\n", t[n / 2], t[n * 99 / 100], n, failures);
	free(t);
	return failures != 0;
}

static int bench_rps(int n, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint8_t req[ODMD_MSG_MAX], buf[ODMD_MSG_MAX];
	struct odmd_msg m = { .kind = ODMD_K_REQUEST };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), len, ok = 0;
	size_t have = 0;
	double t0;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun)) {
		perror(path);
		return 1;
	}
	m.req.type = SESSION_LASTING_IPV6_ADDRESS;
	t0 = (now_ns() / 1e3);
	for (int i = 0; i < n; i++) {
		struct odmd_msg r;
		int used;

		m.id = (uint32_t)i;
		len = odmd_encode(&m, req, sizeof req);
		if (send(fd, req, (size_t)len, 0) != len)
			break;
		while ((used = odmd_decode(buf, have, &r)) == 0) {
			ssize_t got = recv(fd, buf + have, sizeof buf - have, 0);

			if (got <= 0)
				goto out;
			have += (size_t)got;
		}
		if (used < 0)
			break;
		memmove(buf, buf + used, have - (size_t)used);
		have -= (size_t)used;
		ok += r.kind == ODMD_K_REPLY && r.rep.status == ODMD_ST_OK;
	}
out:
	printf("odmd answers %.0f requests/s (%d of %d ok, one connection)\n",
	       ok / (((now_ns() / 1e3) - t0) / 1e6), ok, n);
	close(fd);
	return ok != n;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc == 3 && strcmp(argv[1], "setsc") == 0 && n > 0)
		return bench_setsc(n);
	if (argc == 4 && strcmp(argv[1], "rps") == 0 && n > 0)
		return bench_rps(n, argv[3]);
	fprintf(stderr, "usage: bench_odmd setsc N | rps N SOCKET\n");
	return 64;
}
