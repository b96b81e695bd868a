/* interpose.c: the decisions of the hooks for a process a policy governs:
 * which socket gets which type, when it is bound, and what happens when the
 * type cannot be had. Every function keeps errno unless it fails the call. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "engine.h"
#include "fdtab.h"
#include "init.h"
#include "interpose.h"
#include "log.h"
#include "real.h"

static int proto_of(const struct odm_fdstate *st)
{
	return (st->bits & ODM_FD_STREAM) ? IPPROTO_TCP : IPPROTO_UDP;
}

static int bind_to(int fd, const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = *a,
	};

	return odm_real.bind(fd, (struct sockaddr *)&sin6, sizeof sin6);
}

/* One debug line per decision:
 *   fd 5 tcp [2001:db8:e::1]:80 -> session-lasting 2001:db8:5::10 (rule default) */
static void log_decision(int fd, const struct odm_fdstate *st,
			 const struct odm_sockinfo *si, const struct odm_rule *r,
			 const char *outcome)
{
	char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];

	if (!odm_log_enabled(ODM_LOG_DEBUG))
		return;
	dst[0] = src[0] = '\0';
	if (si->dest)
		inet_ntop(AF_INET6, si->dest, dst, sizeof dst);
	if (st->bits & ODM_FD_HASADDR)
		inet_ntop(AF_INET6, &st->addr, src, sizeof src);
	odm_log_write(ODM_LOG_DEBUG, "fd %d %s %s%s%s:%u -> %s%s%s (rule %s)",
		      fd, si->proto == IPPROTO_TCP ? "tcp" : "udp",
		      si->dest ? "[" : "server [", si->dest ? dst : "::",
		      "]", (unsigned)si->port, outcome, src[0] ? " " : "",
		      src, r->name);
}

/* Gives socket fd an address of the rule's type: binds it to that address
 * (and port) when bind_it is set, else only checks that one exists. */
static int apply(int fd, struct odm_fdstate *st, const struct odm_rule *r,
		 const struct odm_sockinfo *si, bool bind_it, uint16_t port)
{
	struct in6_addr a;
	int status, tries = 0;

	st->bits = (st->bits | ODM_FD_DECIDED) & ~ODM_FD_DEFERBIND;
	if (r->type == ODM_TYPE_LEGACY) {
		odm_fdtab_put(fd, st);
		log_decision(fd, st, si, r, "legacy");
		return 0;
	}
	do {
		status = odm_engine_pick(r->type, r->on_net ||
					 (st->bits & ODM_FD_ONNET), &a);
		if (status || !bind_it || bind_to(fd, &a, port) == 0)
			break;
		if (errno != EADDRNOTAVAIL)
			return -1; /* the program's own problem: EADDRINUSE... */
		odm_engine_invalidate(); /* the address went away: look again */
		status = EAI_REQUIREDIPFAILED;
	} while (++tries < 2);
	if (status == 0) {
		st->bits |= ODM_FD_HASADDR | (bind_it ? ODM_FD_ODMBOUND : 0);
		st->type = r->type;
		st->addr = a;
		odm_fdtab_put(fd, st);
		log_decision(fd, st, si, r, odm_type_name(r->type));
		return 0;
	}
	if (r->on_failure == ODM_ONFAIL_LEGACY) {
		odm_fdtab_put(fd, st);
		odm_log(ODM_LOG_WARN, "fd %d: no %s address (%s); rule %s "
			"falls back to legacy", fd, odm_type_name(r->type),
			odm_strerror(status), r->name);
		return 0;
	}
	st->bits &= ~ODM_FD_DECIDED; /* a retry decides again */
	odm_fdtab_put(fd, st);
	odm_log(ODM_LOG_WARN, "fd %d: no %s address (%s); rule %s fails the "
		"call with EADDRNOTAVAIL", fd, odm_type_name(r->type),
		odm_strerror(status),
		r->name);
	errno = EADDRNOTAVAIL;
	return -1;
}

/* Destinations that never leave the host or the link: no mobility type. */
static bool local_destination(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_LOOPBACK(a) ||
	       IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a) ||
	       IN6_IS_ADDR_UNSPECIFIED(a);
}

int odm_before_connect(int fd, const struct sockaddr *dst, socklen_t len)
{
	const struct sockaddr_in6 *d = (const struct sockaddr_in6 *)dst;
	struct odm_fdstate st;
	struct odm_sockinfo si;
	int saved = errno, rc = 0;

	if (!dst || len < sizeof *d || dst->sa_family != AF_INET6)
		return 0;
	if (!odm_fd_state(fd, &st) || !(st.bits & ODM_FD_INET6) ||
	    (st.bits & (ODM_FD_APPBOUND | ODM_FD_ODMBOUND | ODM_FD_DECIDED)))
		goto out;
	if (local_destination(&d->sin6_addr)) {
		odm_fdtab_update(fd, ODM_FD_DECIDED, ODM_FD_DEFERBIND);
		goto out;
	}
	si = (struct odm_sockinfo){ &d->sin6_addr, ntohs(d->sin6_port),
				    proto_of(&st), ODM_ROLE_CLIENT };
	rc = apply(fd, &st, odm_policy_decide(odm_proc.policy, &si), &si,
		   true, 0);
out:
	if (rc == 0)
		errno = saved;
	return rc;
}

int odm_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
	struct odm_fdstate st;
	struct odm_sockinfo si;
	const struct odm_rule *r;
	int saved = errno, rc;

	if (!sa || len < sizeof *s || sa->sa_family != AF_INET6 ||
	    !odm_fd_state(fd, &st) || !(st.bits & ODM_FD_INET6))
		return odm_real.bind(fd, sa, len);
	if (!IN6_IS_ADDR_UNSPECIFIED(&s->sin6_addr) ||
	    (st.bits & (ODM_FD_APPBOUND | ODM_FD_ODMBOUND))) {
		rc = odm_real.bind(fd, sa, len);
		if (rc == 0)
			odm_fdtab_update(fd, ODM_FD_APPBOUND | ODM_FD_DECIDED, 0);
		return rc;
	}
	if (s->sin6_port == 0) { /* [::]:0 is unbound: hold it back */
		odm_fdtab_update(fd, ODM_FD_DEFERBIND, 0);
		return 0;
	}
	si = (struct odm_sockinfo){ NULL, ntohs(s->sin6_port), proto_of(&st),
				    ODM_ROLE_SERVER };
	r = odm_policy_decide(odm_proc.policy, &si);
	if (r->type != ODM_TYPE_LEGACY &&
	    odm_proc.policy->server_bind == ODM_SERVER_ADDRESS) {
		rc = apply(fd, &st, r, &si, true, si.port);
		if (rc == 0)
			errno = saved;
		return rc;
	}
	/* Stays on the wildcard; a datagram server needs its type now, a
	 * stream server when it listens. */
	if (r->type != ODM_TYPE_LEGACY && (st.bits & ODM_FD_DGRAM) &&
	    apply(fd, &st, r, &si, false, 0))
		return -1;
	errno = saved;
	rc = odm_real.bind(fd, sa, len);
	if (rc == 0)
		odm_fdtab_update(fd, ODM_FD_APPBOUND |
				 ((st.bits & ODM_FD_STREAM) && r->type
					  ? ODM_FD_WILDSRV : ODM_FD_DECIDED), 0);
	return rc;
}

int odm_before_listen(int fd)
{
	struct sockaddr_in6 local;
	socklen_t len = sizeof local;
	struct odm_fdstate st;
	struct odm_sockinfo si;
	const struct odm_rule *r;
	bool unbound;
	int saved = errno, rc = 0;

	if (!odm_fd_state(fd, &st) || !(st.bits & ODM_FD_INET6))
		return 0;
	unbound = !(st.bits & (ODM_FD_APPBOUND | ODM_FD_ODMBOUND));
	if (!unbound && !(st.bits & ODM_FD_WILDSRV))
		goto out;
	si = (struct odm_sockinfo){ NULL, 0, IPPROTO_TCP, ODM_ROLE_SERVER };
	if (!unbound &&
	    odm_real.getsockname(fd, (struct sockaddr *)&local, &len) == 0)
		si.port = ntohs(local.sin6_port);
	r = odm_policy_decide(odm_proc.policy, &si);
	rc = apply(fd, &st, r, &si,
		   unbound && odm_proc.policy->server_bind == ODM_SERVER_ADDRESS,
		   0);
	if (rc == 0)
		odm_fdtab_update(fd, ODM_FD_DECIDED, ODM_FD_WILDSRV);
out:
	odm_fdtab_update(fd, ODM_FD_LISTEN, 0);
	if (rc == 0)
		errno = saved;
	return rc;
}

void odm_on_accept(int listener, int fd)
{
	struct odm_fdstate st;

	if (!odm_fdtab_get(listener, &st) || !(st.bits & ODM_FD_INET6)) {
		odm_fdtab_forget(fd);
		return;
	}
	st.bits = ODM_FD_KNOWN | ODM_FD_INET6 | ODM_FD_STREAM |
		  ODM_FD_ACCEPTED | ODM_FD_APPBOUND | ODM_FD_DECIDED |
		  (st.bits & ODM_FD_ODMBOUND ? ODM_FD_HASADDR : 0);
	odm_fdtab_put(fd, &st);
}

void odm_before_getsockname(int fd)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;
	struct odm_fdstate st;
	int saved = errno;

	if (!odm_fdtab_get(fd, &st) || !(st.bits & ODM_FD_DEFERBIND))
		return;
	/* The program wants to see its port: the held-back bind happens. */
	if (bind_to(fd, &any, 0) == 0)
		odm_fdtab_update(fd, ODM_FD_APPBOUND | ODM_FD_DECIDED,
				 ODM_FD_DEFERBIND);
	errno = saved;
}
