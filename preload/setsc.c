/* setsc.c: setsc() for aware programs (odm.h): checks the socket, asks the
 * engine, and remembers which socket asked for which type and got which
 * address. A socket whose source address is already fixed (bound,
 * connected, listening, or that has sent) is refused: no type can apply
 * to it any more. */
#include <arpa/inet.h>
#include <errno.h>
#include "engine.h"
#include "fdtab.h"
#include "interpose.h"
#include "log.h"

/* Defined in the shim (interpose.c), absent from libodm.so.1: without
 * the hooks nothing tells the socket table that a socket closed, so the
 * API library alone asks the kernel about the socket on every call. */
extern const char odm_hooks_present __attribute__((weak));

#define FIXED (ODM_FD_APPBOUND | ODM_FD_ODMBOUND | ODM_FD_WILDPORT | \
	       ODM_FD_DECIDED)

static __attribute__((noinline, cold)) void log_pick(int fd, sc_type type,
						    const struct in6_addr *a)
{
	char text[INET6_ADDRSTRLEN];

	odm_log_write(ODM_LOG_DEBUG, "fd %d setsc %s -> %s", fd,
		      odm_type_name(type),
		      inet_ntop(AF_INET6, a, text, sizeof text));
}

static __attribute__((noinline)) int setsc_slow(int fd, struct in6_addr *out,
					       sc_type type);

int odm_setsc(int fd, struct in6_addr *out, sc_type type)
{
	struct fdslot *s = odm_fdtab_slot(fd);
	uint64_t a[2];
	uint32_t bits;

	if (!&odm_hooks_present) {
		odm_fdtab_forget(fd);
		return setsc_slow(fd, out, type);
	}

	/* The cached path: a socket known to be unused, an answer current. */
	if (__builtin_expect(s && out && odm_type_valid(type), 1)) {
		bits = __atomic_load_n(&s->bits, __ATOMIC_ACQUIRE);
		if ((bits & (ODM_FD_KNOWN | ODM_FD_INET6 | FIXED |
			     ODM_FD_ONNET)) == (ODM_FD_KNOWN | ODM_FD_INET6) &&
		    odm_engine_read_words(odm_engine_slot(type, odm_want_of(bits)),
					  true, a)) {
			__atomic_store_n(&s->type, type, __ATOMIC_RELAXED);
			__atomic_store_n(&s->addr[0], a[0], __ATOMIC_RELAXED);
			__atomic_store_n(&s->addr[1], a[1], __ATOMIC_RELAXED);
			__atomic_store_n(&s->bits, bits | ODM_FD_HASADDR,
					 __ATOMIC_RELEASE);
			__builtin_memcpy(out, a, sizeof a);
			if (odm_log_enabled(ODM_LOG_DEBUG))
				log_pick(fd, type, out);
			return 0;
		}
	}
	return setsc_slow(fd, out, type);
}

static __attribute__((noinline)) int setsc_slow(int fd, struct in6_addr *out,
					       sc_type type)
{
	struct odm_fdstate st;
	int status, saved = errno;

	if (!out) {
		errno = EFAULT;
		return -1;
	}
	if (!odm_type_valid(type)) {
		errno = EINVAL;
		return -1;
	}
	if (!odm_fd_state(fd, &st))
		return -1; /* EBADF, ENOTSOCK */
	if (!(st.bits & ODM_FD_INET6)) {
		errno = (st.bits & ODM_FD_OTHER) ? EAFNOSUPPORT : ENOTSOCK;
		return -1;
	}
	if (st.bits & FIXED) {
		errno = EINVAL; /* as bind() says of a bound socket */
		return -1;
	}
	status = odm_engine_pick(type, odm_want_of(st.bits), false, out);
	if (status == 0) {
		st.bits |= ODM_FD_HASADDR;
		st.type = type;
		st.addr = *out;
		odm_fdtab_put(fd, &st);
		if (odm_log_enabled(ODM_LOG_DEBUG))
			log_pick(fd, type, out);
	} else {
		odm_log(ODM_LOG_INFO, "fd %d setsc %s: %s", fd,
			odm_type_name(type), odm_strerror(status));
	}
	errno = saved;
	return status;
}
