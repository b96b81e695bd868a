/* fork_race.c: a plain program with threads that connect in a loop while
 * two other threads fork children that connect too; a child that inherited
 * a lock held by a thread that no longer exists hangs. Run under
 * LD_PRELOAD while the host's addresses change.
 *
 *   fork_race SERVER PORT FORKS
 *
 * Each child must connect and exit within 5 s. Prints "forks N hung H"
 * and exits 0 when none hung. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4 /* connecting */
#define FORKERS 2 /* forking at once */

static struct sockaddr_in6 server;
static volatile int stop;

/* Threads connect UDP sockets (the same path through libodm, and no
 * TIME_WAIT to exhaust the ports), children a TCP one. */
static int connect_once(int type)
{
	int s = socket(AF_INET6, type, 0), rc;

	if (s < 0)
		return -1;
	rc = connect(s, (struct sockaddr *)&server, sizeof server);
	close(s);
	return rc;
}

static void *churn(void *arg)
{
	(void)arg;
	while (!stop)
		connect_once(SOCK_DGRAM);
	return NULL;
}

/* Waits up to 5 s for pid; kills it if it is still there. */
static int reaped(pid_t pid)
{
	struct timespec step = { 0, 1000 * 1000 };
	int status;

	for (int i = 0; i < 5000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		nanosleep(&step, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static int hung, failed;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

/* Forks arg children, one at a time, each connecting once. */
static void *forker(void *arg)
{
	int forks = (int)(intptr_t)arg;

	for (int i = 0; i < forks; i++) {
		pid_t pid = fork();
		int r;

		if (pid == 0)
			_exit(connect_once(SOCK_STREAM) == 0 ? 0 : 1);
		if (pid < 0)
			continue;
		r = reaped(pid);
		pthread_mutex_lock(&count_lock);
		hung += r < 0;
		failed += r == 0;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS], f[FORKERS];
	int forks;

	if (argc != 4) {
		fprintf(stderr, "usage: fork_race SERVER PORT FORKS\n");
		return 64;
	}
	server.sin6_family = AF_INET6;
	server.sin6_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET6, argv[1], &server.sin6_addr) != 1)
		return 64;
	forks = atoi(argv[3]);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for (int i = 0; i < FORKERS; i++)
		pthread_create(&f[i], NULL, forker,
			       (void *)(intptr_t)(forks / FORKERS));
	for (int i = 0; i < FORKERS; i++)
		pthread_join(f[i], NULL);
	stop = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("forks %d hung %d failed %d\n", forks, hung, failed);
	return hung ? 1 : 0;
}
