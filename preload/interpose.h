/* interpose.h: what the hooks do for a process that a policy governs. Each
 * returns 0 to let the hook call libc as the program asked, or -1 with errno
 * set to fail the call (the address type could not be had and the policy
 * says on-failure = fail). The hooks themselves are trampolines in
 * hook_*.c. */
#ifndef ODM_INTERPOSE_H
#define ODM_INTERPOSE_H

#include <sys/socket.h>

/* Before connect() or a send with a destination: binds an unbound IPv6
 * socket to an address of the type its rule names. */
int odm_before_connect(int fd, const struct sockaddr *dst, socklen_t len);

/* bind() for a governed process, including the call to libc: a bind to
 * [::]:0 is held back (the socket counts as unbound), a server bind to
 * [::]:port gets its type. */
int odm_bind(int fd, const struct sockaddr *sa, socklen_t len);

/* Before listen(): a server socket gets (or is checked for) its type. */
int odm_before_listen(int fd);

/* accept() on listener returned fd. */
void odm_on_accept(int listener, int fd);

/* Before getsockname(): a held-back bind is made real. */
void odm_before_getsockname(int fd);

#endif
