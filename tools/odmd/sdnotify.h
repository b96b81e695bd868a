/* sdnotify.h: tells systemd (Type=notify) that odmd is ready. */
#ifndef ODMD_SDNOTIFY_H
#define ODMD_SDNOTIFY_H

#include <sys/types.h>

/* Sends "READY=1" and MAINPID=mainpid to $NOTIFY_SOCKET, if it is set;
 * nothing otherwise. Never blocks (a datagram). */
void sd_notify_ready(pid_t mainpid);

#endif
