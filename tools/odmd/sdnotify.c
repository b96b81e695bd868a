/* sdnotify.c: systemd's readiness protocol (sd_notify(3)) without
 * libsystemd: one datagram to the socket $NOTIFY_SOCKET names, a path or
 * an abstract name ("@..."). The worker sends it, so the unit says
 * NotifyAccess=all. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "sdnotify.h"

void sd_notify_ready(pid_t mainpid)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char msg[64];
	size_t len;
	int fd, n;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof sun.sun_path)
		return;
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	n = snprintf(msg, sizeof msg, "READY=1\nMAINPID=%d", (int)mainpid);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}
