/* bench_sockets.c: the socket loops libodm sits on, as a plain program run
 * natively, preloaded without a policy, and preloaded with a typed policy.
 *   bench_sockets tcp N SERVER PORT   N x (socket, connect, close)
 *   bench_sockets udp N SERVER PORT   N x (socket, sendto, close)
 *   bench_sockets send N SERVER PORT  N sendto() on one socket
 * Prints the median ns per iteration over 11 batches of N/11. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "timing.h"

int main(int argc, char **argv)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	double t[11];
	int n, per, one = -1;

	if (argc != 5 || (n = atoi(argv[2])) < 11 ||
	    inet_pton(AF_INET6, argv[3], &dst.sin6_addr) != 1)
		return 64;
	dst.sin6_port = htons((uint16_t)atoi(argv[4]));
	per = n / 11;
	if (strcmp(argv[1], "send") == 0)
		one = socket(AF_INET6, SOCK_DGRAM, 0);
	for (int k = 0; k < 11; k++) {
		double t0 = now_ns();

		for (int i = 0; i < per; i++) {
			if (one >= 0) {
				sendto(one, "x", 1, 0, (struct sockaddr *)&dst,
				       sizeof dst);
				continue;
			}
			int tcp = argv[1][0] == 't';
			int s = socket(AF_INET6, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);

			if (tcp)
				connect(s, (struct sockaddr *)&dst, sizeof dst);
			else
				sendto(s, "x", 1, 0, (struct sockaddr *)&dst,
				       sizeof dst);
			close(s);
		}
		t[k] = (now_ns() - t0) / per;
	}
	qsort(t, 11, sizeof t[0], cmp_double);
	printf("%.0f\n", t[5]);
	return 0;
}
