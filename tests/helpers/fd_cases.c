/* fd_cases.c: a plain program (nothing of libodm in it) that moves sockets
 * between fds and processes the ways real programs do, so a test can run it
 * under LD_PRELOAD and check on the server which source address arrived.
 *
 *   fd_cases CASE SERVER PORT
 *
 * CASE: dup2 (connect through a dup2'ed copy after closing the original),
 * reuse (close_range a block of sockets, then a new socket at a reused
 * number), fork (the child connects a socket the parent made), exec (a
 * socket bound before execve is connected by the new image), cloexec
 * (fcntl F_DUPFD_CLOEXEC copy), spawn (posix_spawn of `fd_cases plain`),
 * plain (socket + connect). Each connection sends one line and prints the
 * answer; the exit status is 0 when every step worked. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static struct sockaddr_in6 server;

static int talk(int fd)
{
	char buf[128];
	ssize_t n;

	if (connect(fd, (struct sockaddr *)&server, sizeof server)) {
		perror("connect");
		return 1;
	}
	if (write(fd, "hi\n", 3) != 3)
		return 1;
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	printf("%s", buf);
	fflush(stdout);
	return 0;
}

static int tcp(void)
{
	return socket(AF_INET6, SOCK_STREAM, 0);
}

int main(int argc, char **argv)
{
	const char *c;
	int s, rc = 0;

	if (argc < 4)
		return 64;
	c = argv[1];
	server.sin6_family = AF_INET6;
	server.sin6_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET6, argv[2], &server.sin6_addr) != 1)
		return 64;
	if (!strcmp(c, "plain"))
		return talk(tcp());
	if (!strcmp(c, "dup2")) {
		s = tcp();
		if (dup2(s, 50) != 50 || close(s))
			return 1;
		return talk(50);
	}
	if (!strcmp(c, "cloexec")) {
		s = tcp();
		int d = fcntl(s, F_DUPFD_CLOEXEC, 60);

		close(s);
		return d < 60 ? 1 : talk(d);
	}
	if (!strcmp(c, "reuse")) {
		int first = tcp(), last = first;

		for (int i = 0; i < 9; i++)
			last = tcp();
		/* A bound socket at a number that will be reused. */
		struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
		bind(first + 3, (struct sockaddr *)&any, sizeof any);
		if (close_range((unsigned)first, (unsigned)last, 0))
			return 1;
		s = tcp(); /* the lowest number again */
		return s != first ? 1 : talk(s);
	}
	if (!strcmp(c, "fork")) {
		int status;
		pid_t pid;

		s = tcp();
		pid = fork();
		if (pid == 0)
			_exit(talk(s));
		close(s);
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	if (!strcmp(c, "exec")) {
		/* Bound to [::]:0 (which libodm holds back) and then handed
		 * over an execve: the new image connects it. */
		char fdtext[16];
		struct sockaddr_in6 any = { .sin6_family = AF_INET6 };

		s = tcp();
		bind(s, (struct sockaddr *)&any, sizeof any);
		snprintf(fdtext, sizeof fdtext, "%d", s);
		execl("/proc/self/exe", argv[0], "execd", argv[2], argv[3],
		      fdtext, (char *)NULL);
		return 1;
	}
	if (!strcmp(c, "execd") && argc == 5)
		return talk(atoi(argv[4]));
	if (!strcmp(c, "spawn")) {
		char *args[] = { argv[0], "plain", argv[2], argv[3], NULL };
		pid_t pid;
		int status;

		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ))
			return 1;
		waitpid(pid, &status, 0);
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		return rc;
	}
	return 64;
}
