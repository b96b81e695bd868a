/* fd_churn.c: THREADS threads each make ROUNDS IPv6 TCP connections to
 * SERVER PORT, duplicating and closing fds between them, and check with
 * getsockname() that every connected socket's source is EXPECTED. A plain
 * program; the test runs it under LD_PRELOAD (also under TSan).
 *   fd_churn THREADS ROUNDS SERVER PORT EXPECTED */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in6 server;
static struct in6_addr expected;
static int rounds;
static int bad, failed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *churn(void *arg)
{
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		struct sockaddr_in6 me;
		socklen_t len = sizeof me;
		int s = socket(AF_INET6, SOCK_STREAM, 0), d = dup(s), ok;

		close(s); /* the dup carries on */
		ok = connect(d, (struct sockaddr *)&server, sizeof server) == 0 &&
		     getsockname(d, (struct sockaddr *)&me, &len) == 0;
		pthread_mutex_lock(&lock);
		if (!ok)
			failed++;
		else if (memcmp(&me.sin6_addr, &expected, sizeof expected))
			bad++;
		pthread_mutex_unlock(&lock);
		close(d);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	int n;

	if (argc != 6 || (n = atoi(argv[1])) < 1 || n > 64)
		return 64;
	rounds = atoi(argv[2]);
	server.sin6_family = AF_INET6;
	server.sin6_port = htons((uint16_t)atoi(argv[4]));
	if (inet_pton(AF_INET6, argv[3], &server.sin6_addr) != 1 ||
	    inet_pton(AF_INET6, argv[5], &expected) != 1)
		return 64;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("%d threads x %d connections: %d from another source, %d failed\n",
	       n, rounds, bad, failed);
	return bad || failed;
}
