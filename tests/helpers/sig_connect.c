/* sig_connect.c: a plain program whose SIGALRM handler connects (connect()
 * is async-signal-safe in POSIX) every millisecond while its main thread
 * connects in a loop, so that the handler lands inside libodm's own
 * calls. UDP sockets: a connect() takes the same path through libodm as
 * TCP's, and leaves no TIME_WAIT behind to exhaust the ports. Run under LD_PRELOAD while the host's addresses change: a hook
 * that waits for a lock its own thread holds hangs it.
 *
 *   sig_connect SERVER PORT SECONDS
 *
 * Prints "main N handler M" (connections made) and exits 0 when both
 * went on for the whole time. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in6 server;
static volatile sig_atomic_t handler_ok, handler_bad;

static void on_alarm(int sig)
{
	int saved = errno, s;

	(void)sig;
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s >= 0) {
		if (connect(s, (struct sockaddr *)&server, sizeof server) == 0)
			handler_ok++;
		else
			handler_bad++;
		close(s);
	}
	errno = saved;
}

int main(int argc, char **argv)
{
	struct itimerval every = { { 0, 1000 }, { 0, 1000 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	time_t end;
	long n = 0, bad = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: sig_connect SERVER PORT SECONDS\n");
		return 64;
	}
	server.sin6_family = AF_INET6;
	server.sin6_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET6, argv[1], &server.sin6_addr) != 1)
		return 64;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end) {
		int s = socket(AF_INET6, SOCK_DGRAM, 0);

		if (s < 0)
			continue;
		if (connect(s, (struct sockaddr *)&server, sizeof server) == 0)
			n++;
		else if (errno != EINTR)
			bad++;
		close(s);
	}
	every = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &every, NULL);
	printf("main %ld handler %ld failed %ld\n", n, (long)handler_ok,
	       bad + handler_bad);
	return n > 0 && handler_ok > 0 ? 0 : 1;
}
