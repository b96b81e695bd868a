/* sc_connect.c: the pseudo-code of draft-ietf-dmm-ondemand-mobility-16
 * section 4.1 as a real program: a TCP socket asks setsc() for a source
 * address of a type, binds to it, connects to a server, says hello and
 * prints the server's answer.
 *
 *   sc_connect [-o] TYPE SERVER_ADDRESS PORT
 *
 * TYPE is fixed, session-lasting, nonpersistent, graceful-replacement or a
 * number 0-7; -o sets IPV6_REQUIRE_SRC_ON_NET first. Exit status: 0 done,
 * 1 socket/bind/connect failed, 2 EAI_REQUIREDIPNOTSUPPORTED,
 * 3 EAI_REQUIREDIPFAILED, 4 setsc() rejected an argument, 64 usage.
 * Build: cc sc_connect.c -Iinclude -Lpreload -lodm */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <odm.h>

static int type_of(const char *s)
{
	static const char *const names[] = { "", "fixed", "session-lasting",
					     "nonpersistent",
					     "graceful-replacement" };
	char *end;
	long v;

	for (int i = 1; i <= 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	v = strtol(s, &end, 10);
	return (*s && !*end && v >= 0 && v <= 255) ? (int)v : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: sc_connect [-o] TYPE SERVER_ADDRESS PORT\n");
	return 64;
}

int main(int argc, char **argv)
{
	int s;                              /* socket id */
	struct sockaddr_in6 sourceInfo;     /* my address and port for bind() */
	struct in6_addr sourceAddress;      /* the provisioned source address */
	sc_type sc_type_wanted;             /* the type to ask setsc() for */
	struct sockaddr_in6 serverInfo;     /* server info for connect() */
	char text[INET6_ADDRSTRLEN], buf[256];
	int on_net = 0, status, t;
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "-o") == 0) {
		on_net = 1;
		argc--, argv++;
	}
	if (argc != 4 || (t = type_of(argv[1])) < 0)
		return usage();
	sc_type_wanted = (sc_type)t;
	memset(&serverInfo, 0, sizeof serverInfo);
	serverInfo.sin6_family = AF_INET6;
	serverInfo.sin6_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET6, argv[2], &serverInfo.sin6_addr) != 1)
		return usage();

	/* Create an IPv6 TCP socket. */
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0) {
		perror("socket");
		return 1;
	}
	if (on_net) {
		uint32_t prefs = IPV6_REQUIRE_SRC_ON_NET;

		if (setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs,
			       sizeof prefs)) {
			perror("setsockopt IPV6_ADDR_PREFERENCES");
			return 1;
		}
	}

	/* It cannot connect yet: it first asks for its source address. */
	status = setsc(s, &sourceAddress, sc_type_wanted);
	if (status != 0) {
		/* The application may connect without the service, or
		 * close the socket: this one reports and closes. */
		printf("setsc: %s\n",
		       status == EAI_REQUIREDIPNOTSUPPORTED
			       ? "EAI_REQUIREDIPNOTSUPPORTED"
		       : status == EAI_REQUIREDIPFAILED
			       ? "EAI_REQUIREDIPFAILED"
			       : "error");
		fprintf(stderr, "sc_connect: setsc: %s\n",
			odm_strerror(status));
		close(s);
		return status == EAI_REQUIREDIPNOTSUPPORTED ? 2
		       : status == EAI_REQUIREDIPFAILED    ? 3
							   : 4;
	}
	printf("setsc: %s\n",
	       inet_ntop(AF_INET6, &sourceAddress, text, sizeof text));

	/* Bind to that source address; the stack chooses the port. */
	memset(&sourceInfo, 0, sizeof sourceInfo);
	sourceInfo.sin6_family = AF_INET6;
	sourceInfo.sin6_port = 0;
	sourceInfo.sin6_addr = sourceAddress;
	if (bind(s, (struct sockaddr *)&sourceInfo, sizeof sourceInfo) != 0) {
		perror("bind");
		close(s);
		return 1;
	}

	/* Connect to the server: the handshake leaves from sourceAddress. */
	if (connect(s, (struct sockaddr *)&serverInfo, sizeof serverInfo)) {
		perror("connect");
		close(s);
		return 1;
	}
	snprintf(buf, sizeof buf, "hello from %s\n", text);
	if (write(s, buf, strlen(buf)) < 0) {
		perror("write");
		close(s);
		return 1;
	}
	n = read(s, buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = '\0';
		printf("server: %s", buf);
	}
	close(s);
	return 0;
}
