/* rebind.h: a socket the program bound to [::]:PORT that turns out to be
 * a client (or a server whose policy binds servers to their typed
 * address) gets that address and keeps its port. Linux cannot move a
 * bound socket, so a new one takes its place: same kind, same options,
 * bound to ADDR:PORT, put on the same fd number with dup3(). Copies of
 * the old fd made with dup() and epoll registrations of it made before
 * this point stay with the old socket (libodm(7)). */
#ifndef ODM_REBIND_H
#define ODM_REBIND_H

#include <netinet/in.h>
#include <stdint.h>

/* 0, or -1 with errno (fd untouched). */
int odm_rebind(int fd, const struct in6_addr *addr, uint16_t port);

#endif
