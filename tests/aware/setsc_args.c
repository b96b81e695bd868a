/* setsc_args.c: setsc()'s argument errors, each checked against the errno
 * setsc(3) documents, and errno kept on success. Prints TAP. Needs an
 * ODM_CONF declaring session-lasting with an address on the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <odm.h>

static int n, failed;

static void expect(const char *what, int rc, int want_rc, int err, int want_err)
{
	int ok = rc == want_rc && (want_rc != -1 || err == want_err);

	n++;
	failed += !ok;
	printf("%sok %d - %s", ok ? "" : "not ", n, what);
	if (!ok)
		printf(" (got %d errno %s)", rc, strerror(err));
	printf("\n");
}

/* Sockets whose source is fixed already, and fd numbers closed behind
 * the hooks' back then reused for a file: setsc(3)'s EINVAL, ENOTSOCK. */
static int fixed_source_cases(struct in6_addr *a)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 lo = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				   .sin6_port = htons(9) };
	int s, f, rc;

	s = socket(AF_INET6, SOCK_DGRAM, 0);
	bind(s, (struct sockaddr *)&any, sizeof any);
	getsockname(s, (struct sockaddr *)&any, &(socklen_t){ sizeof any });
	rc = setsc(s, a, SESSION_LASTING_IPV6_ADDRESS);
	expect("bound socket: EINVAL", rc, -1, errno, EINVAL);
	close(s);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	connect(s, (struct sockaddr *)&lo, sizeof lo);
	rc = setsc(s, a, SESSION_LASTING_IPV6_ADDRESS);
	expect("connected socket: EINVAL", rc, -1, errno, EINVAL);
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	listen(s, 1);
	rc = setsc(s, a, SESSION_LASTING_IPV6_ADDRESS);
	expect("listening socket: EINVAL", rc, -1, errno, EINVAL);
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	fclose(fdopen(s, "r+"));
	f = open("/dev/null", O_RDONLY);
	rc = setsc(f, a, SESSION_LASTING_IPV6_ADDRESS);
	expect(f == s ? "fclose(fdopen()) then a file at the number: ENOTSOCK"
		      : "(number not reused)", rc, -1, errno, ENOTSOCK);
	close(f);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	syscall(SYS_close, s);
	f = open("/dev/null", O_RDONLY);
	rc = setsc(f, a, SESSION_LASTING_IPV6_ADDRESS);
	expect(f == s ? "syscall(SYS_close) then a file at the number: ENOTSOCK"
		      : "(number not reused)", rc, -1, errno, ENOTSOCK);
	close(f);
	return 0;
}

int main(void)
{
	struct in6_addr a;
	int s6 = socket(AF_INET6, SOCK_STREAM, 0);
	int s4 = socket(AF_INET, SOCK_STREAM, 0);
	int file = open("/dev/null", O_RDONLY);
	int rc;

	errno = 0;
	rc = setsc(1000, &a, SESSION_LASTING_IPV6_ADDRESS);
	expect("closed fd: EBADF", rc, -1, errno, EBADF);
	rc = setsc(file, &a, SESSION_LASTING_IPV6_ADDRESS);
	expect("not a socket: ENOTSOCK", rc, -1, errno, ENOTSOCK);
	rc = setsc(s4, &a, SESSION_LASTING_IPV6_ADDRESS);
	expect("AF_INET socket: EAFNOSUPPORT", rc, -1, errno, EAFNOSUPPORT);
	rc = setsc(s6, NULL, SESSION_LASTING_IPV6_ADDRESS);
	expect("NULL address: EFAULT", rc, -1, errno, EFAULT);
	rc = setsc(s6, &a, 0);
	expect("reserved type 0: EINVAL", rc, -1, errno, EINVAL);
	rc = setsc(s6, &a, 5);
	expect("reserved type 5: EINVAL", rc, -1, errno, EINVAL);
	errno = 1234;
	rc = setsc(s6, &a, SESSION_LASTING_IPV6_ADDRESS);
	expect("success keeps errno", rc, 0, 0, 0);
	n++;
	failed += errno != 1234;
	printf("%sok %d - errno untouched after success\n",
	       errno == 1234 ? "" : "not ", n);
	errno = 4321;
	rc = setsc(s6, &a, NON_PERSISTENT_IPV6_ADDRESS);
	expect("status return", rc, EAI_REQUIREDIPNOTSUPPORTED, 0, 0);
	n++;
	failed += errno != 4321;
	printf("%sok %d - errno untouched after a status\n",
	       errno == 4321 ? "" : "not ", n);
	rc = fixed_source_cases(&a);
	n++;
	failed += EAI_REQUIREDIPFAILED == -1 || EAI_REQUIREDIPNOTSUPPORTED == -1;
	printf("ok %d - statuses differ from -1\n", n);
	printf("1..%d\n", n);
	return failed != 0;
}
