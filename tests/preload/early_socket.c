/* early_socket.c: a preload whose constructor sends a UDP datagram to
 * $EARLY_DST port $EARLY_PORT before libodm's own constructor has run
 * (LD_PRELOAD="libodm.so early_socket.so": the later one starts first).
 * The hook must initialize libodm on the spot and type the socket. Built
 * by tests/bats/21-programs.bats. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void send_early(void)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	const char *addr = getenv("EARLY_DST"), *port = getenv("EARLY_PORT");
	int s;

	if (!addr || !port || inet_pton(AF_INET6, addr, &dst.sin6_addr) != 1)
		return;
	dst.sin6_port = htons((uint16_t)atoi(port));
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	sendto(s, "early\n", 6, 0, (struct sockaddr *)&dst, sizeof dst);
	close(s);
}
