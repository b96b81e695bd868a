/* real.h: the real libc functions behind every hook, resolved once through
 * dlsym(RTLD_NEXT) so libodm stacks with other preloads. Library code that
 * needs one of these calls it through odm_real, never by name, so it never
 * re-enters its own hooks. */
#ifndef ODM_REAL_H
#define ODM_REAL_H

#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Every function behind a hook: X(name) each, in odm_real's order. */
#define ODM_REAL_FUNCS(X) \
	X(socket) X(connect) X(bind) X(listen) X(accept) X(accept4) \
	X(sendto) X(sendmsg) X(sendmmsg) X(close) X(close_range) X(dup) \
	X(dup2) X(dup3) X(fcntl) X(fcntl64) X(setsockopt) X(getsockopt) \
	X(getsockname) X(recv) X(recvfrom) X(recvmsg) X(recvmmsg) X(fclose) \
	X(syscall)

struct odm_real {
	int (*socket)(int, int, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	int (*close)(int);
	int (*close_range)(unsigned int, unsigned int, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
			    socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int,
			struct timespec *);
	int (*fclose)(FILE *);
	long (*syscall)(long, ...);
};

extern struct odm_real odm_real;

/* Resolves every pointer once; idempotent, thread-safe, async-signal-safe
 * after the first call. A symbol that cannot be found (or that resolves back
 * to libodm) is left to a stub that fails with ENOSYS. */
void odm_real_init(void);

#endif
