/* interpose.h: what the hooks do for a process that a policy governs. Each
 * returns 0 to let the hook call libc as the program asked, or -1 with errno
 * set to fail the call (the address type could not be had and the policy
 * says on-failure = fail). The hooks themselves are trampolines in
 * hook_*.c. */
#ifndef ODM_INTERPOSE_H
#define ODM_INTERPOSE_H

#include <netinet/in.h>
#include <sys/socket.h>
#include "odm.h"

/* Before connect() (or a stream's send with a destination): a client
 * socket that is unbound, or that the program bound to [::]:PORT, gets the
 * type its rule names (the latter keeps its port: rebind.h). */
int odm_before_connect(int fd, const struct sockaddr *dst, socklen_t len);

/* connect() for a governed process, the call to libc included. */
int odm_connect(int fd, const struct sockaddr *dst, socklen_t len);

/* Before a send with a destination: as odm_before_connect, except for a
 * datagram socket the program bound to the wildcard: 1 then, with *src the
 * typed source the datagram must carry (IPV6_PKTINFO). */
int odm_before_send(int fd, const struct sockaddr *dst, socklen_t len,
		    struct in6_addr *src);

/* sendto() for a governed process whose socket must be decided first,
 * including the call to libc (interpose.c, so the decision inlines). */
ssize_t odm_sendto(int fd, const void *buf, size_t n, int flags,
		   const struct sockaddr *addr, socklen_t len);

/* sendto() as a sendmsg() that carries src (hook_send.c). */
ssize_t odm_sendto_from(int fd, const void *buf, size_t n, int flags,
			const struct sockaddr *addr, socklen_t len,
			const struct in6_addr *src);

/* bind() for a governed process, including the call to libc: [::]:0 is
 * held back (the socket counts as unbound); [::]:PORT is bound as asked
 * and decided later, unless a rule for servers matches it. */
int odm_bind(int fd, const struct sockaddr *sa, socklen_t len);

/* Before listen(): a server socket gets (or is checked for) its type. */
int odm_before_listen(int fd);

/* accept() on listener returned fd. */
void odm_on_accept(int listener, int fd);

/* A datagram arrived on a socket bound to [::]:PORT that had not sent:
 * a server (the hook checks the bits first). */
void odm_on_recv(int fd);

/* Before getsockname(): a held-back bind is made real. */
void odm_before_getsockname(int fd);

/* setsc() itself (odm.h). */
int odm_setsc(int fd, struct in6_addr *out, sc_type type);

#endif
