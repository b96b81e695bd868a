/* setsc_threads.c: many threads call setsc() on their own sockets at once
 * while the main thread adds and removes a second address of the type;
 * every answer must be one of the host's addresses of that type. Run under
 * TSan in CI.  usage: setsc_threads THREADS ROUNDS ADDR... */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <odm.h>

static struct in6_addr allowed[8];
static int nallowed, rounds, bad;
static pthread_mutex_t bad_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		struct in6_addr a;
		int s = socket(AF_INET6, SOCK_DGRAM, 0), ok = 0;
		int rc = setsc(s, &a, SESSION_LASTING_IPV6_ADDRESS);

		for (int k = 0; rc == 0 && k < nallowed; k++)
			ok |= memcmp(&a, &allowed[k], sizeof a) == 0;
		/* FAILED is fair while the address is being replaced. */
		if (!(ok || rc == EAI_REQUIREDIPFAILED)) {
			pthread_mutex_lock(&bad_lock);
			bad++;
			pthread_mutex_unlock(&bad_lock);
		}
		close(s);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	int nthreads;

	if (argc < 4) {
		fprintf(stderr, "usage: setsc_threads THREADS ROUNDS ADDR...\n");
		return 64;
	}
	nthreads = atoi(argv[1]);
	rounds = atoi(argv[2]);
	if (nthreads < 1 || nthreads > 64)
		return 64;
	for (int i = 3; i < argc && nallowed < 8; i++)
		if (inet_pton(AF_INET6, argv[i], &allowed[nallowed]) == 1)
			nallowed++;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("%d threads x %d rounds: %d bad answers\n", nthreads, rounds, bad);
	return bad != 0;
}
