/* bench_setsc.c: the cached path of setsc() next to a bare bind().
 *   bench_setsc time N     median ns per setsc() over 31 batches of N
 *                          calls on one socket, and median ns of one
 *                          bind() of a fresh socket to the same address
 *   bench_setsc loop N     N setsc() calls, nothing else (for callgrind
 *                          and strace, which count instructions and
 *                          syscalls) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "timing.h"
#include <odm.h>

#define BATCHES 31

int main(int argc, char **argv)
{
	struct in6_addr a;
	double t[BATCHES], b[BATCHES];
	int s, n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc != 3 || n < 1)
		return 64;
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (setsc(s, &a, SESSION_LASTING_IPV6_ADDRESS)) { /* warm */
		fprintf(stderr, "bench_setsc: no session-lasting address\n");
		return 1;
	}
	if (strcmp(argv[1], "loop") == 0) {
		for (int i = 0; i < n; i++)
			setsc(s, &a, SESSION_LASTING_IPV6_ADDRESS);
		return 0;
	}
	for (int k = 0; k < BATCHES; k++) {
		double t0 = now_ns();

		for (int i = 0; i < n; i++)
			setsc(s, &a, SESSION_LASTING_IPV6_ADDRESS);
		t[k] = (now_ns() - t0) / n;
		/* bind(): a fresh socket each time, made outside the timing */
		struct sockaddr_in6 me = { .sin6_family = AF_INET6,
					   .sin6_addr = a };
		int f = socket(AF_INET6, SOCK_DGRAM, 0);

		t0 = now_ns();
		bind(f, (struct sockaddr *)&me, sizeof me);
		b[k] = now_ns() - t0;
		close(f);
	}
	qsort(t, BATCHES, sizeof t[0], cmp_double);
	qsort(b, BATCHES, sizeof b[0], cmp_double);
	printf("setsc() cached: %.1f ns median; bind(): %.0f ns median; "
	       "ratio %.3f\n", t[BATCHES / 2], b[BATCHES / 2],
	       t[BATCHES / 2] / b[BATCHES / 2]);
	return 0;
}
