/* peer_server: IPv6 test server that reports the peer address the kernel saw.
 *
 *   peer_server tcp|udp PORT COUNT [TIMEOUT_S]
 *
 * Binds [::]:PORT, says "listening" on stderr and creates the file named by
 * $PEER_READY (if set), then for each of COUNT connections (TCP) or datagrams
 * (UDP) prints "peer ADDR PORT" on stdout: getpeername() for TCP, recvfrom()'s
 * address for UDP. TCP: reads one line and answers "echo <line>", then closes.
 * UDP: answers "echo <payload>" to the sender. Exits 0 after COUNT, 1 on error
 * or when TIMEOUT_S (default 10) seconds have passed since start ("timeout" on
 * stderr). Every wait is a poll() against that deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_MAX 4096

static struct timespec deadline;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd has something to read; 0 when it does, -1 when the
 * deadline passed (after saying "timeout") or poll failed. */
static int wait_readable(int fd)
{
	long long end = (long long)deadline.tv_sec * 1000 + deadline.tv_nsec / 1000000;

	for (;;) {
		long long left = end - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n;

		if (left <= 0) {
			fprintf(stderr, "peer_server: timeout\n");
			return -1;
		}
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			perror("peer_server: poll");
			return -1;
		}
	}
}

static void print_peer(const struct sockaddr_in6 *sa)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, &sa->sin6_addr, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	printf("peer %s %u\n", ip, (unsigned)ntohs(sa->sin6_port));
	fflush(stdout);
}

/* Drops a trailing "\n" or "\r\n" from buf[0..len). */
static size_t chomp(char *buf, size_t len)
{
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	return len;
}

static void send_echo(int fd, const char *payload, size_t len,
		      const struct sockaddr_in6 *to)
{
	char out[BUF_MAX + 8];
	int n = snprintf(out, sizeof(out), "echo %.*s\n", (int)len, payload);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(out))
		n = sizeof(out) - 1;
	if (to)
		(void)sendto(fd, out, (size_t)n, 0, (const struct sockaddr *)to,
			     sizeof(*to));
	else
		(void)send(fd, out, (size_t)n, MSG_NOSIGNAL);
}

/* One TCP client: report it, read a line (or until EOF), echo it back. */
static int serve_tcp_client(int c)
{
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);
	char line[BUF_MAX];
	size_t len = 0;

	if (getpeername(c, (struct sockaddr *)&sa, &sl) < 0) {
		perror("peer_server: getpeername");
		return -1;
	}
	print_peer(&sa);
	while (len < sizeof(line) && !memchr(line, '\n', len)) {
		ssize_t n;

		if (wait_readable(c) < 0)
			return -1;
		n = recv(c, line + len, sizeof(line) - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	char *nl = memchr(line, '\n', len);
	if (nl)
		len = (size_t)(nl - line) + 1;
	send_echo(c, line, chomp(line, len), NULL);
	return 0;
}

static int serve(int s, int tcp, long count)
{
	for (long i = 0; i < count; i++) {
		if (wait_readable(s) < 0)
			return -1;
		if (tcp) {
			int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
			int rc;

			if (c < 0) {
				if (errno == EINTR || errno == ECONNABORTED) {
					i--;
					continue;
				}
				perror("peer_server: accept");
				return -1;
			}
			rc = serve_tcp_client(c);
			close(c);
			if (rc < 0)
				return -1;
		} else {
			struct sockaddr_in6 sa;
			socklen_t sl = sizeof(sa);
			char buf[BUF_MAX];
			ssize_t n = recvfrom(s, buf, sizeof(buf), 0,
					     (struct sockaddr *)&sa, &sl);

			if (n < 0) {
				if (errno == EINTR) {
					i--;
					continue;
				}
				perror("peer_server: recvfrom");
				return -1;
			}
			print_peer(&sa);
			send_echo(s, buf, chomp(buf, (size_t)n), &sa);
		}
	}
	return 0;
}

static long parse_num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0) {
		fprintf(stderr, "peer_server: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_ANY_INIT };
	const char *ready = getenv("PEER_READY");
	long port, count, timeout = 10;
	int tcp, s, one = 1;

	if (argc < 4 || argc > 5 ||
	    (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "udp") != 0)) {
		fprintf(stderr, "usage: peer_server tcp|udp PORT COUNT [TIMEOUT_S]\n");
		return 2;
	}
	tcp = strcmp(argv[1], "tcp") == 0;
	port = parse_num(argv[2], "port");
	count = parse_num(argv[3], "count");
	if (argc == 5)
		timeout = parse_num(argv[4], "timeout");
	if (port > 65535) {
		fprintf(stderr, "peer_server: bad port '%s'\n", argv[2]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;

	s = socket(AF_INET6, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (s < 0) {
		perror("peer_server: socket");
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin6_port = htons((unsigned short)port);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (tcp && listen(s, 16) < 0)) {
		fprintf(stderr, "peer_server: bind/listen [::]:%ld: %s\n", port,
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "peer_server: listening %s [::]:%ld\n", argv[1], port);
	if (ready && *ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0) {
			fprintf(stderr, "peer_server: %s: %s\n", ready, strerror(errno));
			return 1;
		}
		close(fd);
	}
	if (serve(s, tcp, count) < 0) {
		close(s);
		return 1;
	}
	close(s);
	return 0;
}
