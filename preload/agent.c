/* agent.c: one bounded exchange with odmd over its Unix socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "agent.h"
#include "proto.h"
#include "real.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_for(int fd, short events, long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long left;
	int rc;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static int exchange(int fd, const struct odm_hc_agent *ag, uint8_t *req,
		    int reqlen, uint32_t id, struct odmd_msg *rep)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long deadline = now_ms() + ag->timeout_ms;
	uint8_t buf[ODMD_MSG_MAX];
	size_t have = 0;
	ssize_t n;
	int rc;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", ag->socket);
	if (odm_real.connect(fd, (struct sockaddr *)&sun, sizeof sun) &&
	    errno != EINPROGRESS)
		return -errno;
	if ((rc = wait_for(fd, POLLOUT, deadline)))
		return rc;
	n = send(fd, req, (size_t)reqlen, MSG_NOSIGNAL);
	if (n != reqlen)
		return n < 0 ? -errno : -EIO;
	for (;;) {
		if ((rc = wait_for(fd, POLLIN, deadline)))
			return rc;
		n = odm_real.recv(fd, buf + have, sizeof buf - have, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		have += (size_t)n;
		rc = odmd_decode(buf, have, rep);
		if (rc < 0)
			return -EPROTO;
		if (rc > 0)
			return rep->kind == ODMD_K_REPLY && rep->id == id
				       ? 0 : -EPROTO;
	}
}

int odm_agent_request(const struct odm_hc_agent *ag, sc_type type,
		      bool on_net, struct in6_addr *out, char *reason,
		      size_t rlen)
{
	return odm_agent_own(ag, type, on_net ? ODMD_REQ_ON_NET : 0, 0, 0, out,
			     reason, rlen);
}

int odm_agent_own(const struct odm_hc_agent *ag, sc_type type, unsigned flags,
		  uint32_t rotate_s, uint64_t rotate_bytes, struct in6_addr *out,
		  char *reason, size_t rlen)
{
	static uint32_t next_id;
	struct odmd_msg m = { .kind = ODMD_K_REQUEST };
	uint8_t req[ODMD_MSG_MAX];
	int fd, len, rc, saved = errno;

	m.id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
	m.req.type = type;
	m.req.flags = (uint8_t)flags;
	if (flags & ODMD_REQ_OWN) {
		m.req.rotate_s = rotate_s;
		m.req.rotate_bytes = rotate_bytes;
	}
	len = odmd_encode(&m, req, sizeof req);
	if (len < 0)
		return -EINVAL;
	odm_real_init();
	fd = odm_real.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			     0);
	if (fd < 0)
		return -errno;
	rc = exchange(fd, ag, req, len, m.id, &m);
	odm_real.close(fd);
	errno = saved;
	if (rc)
		return rc;
	if (m.rep.status == ODMD_ST_OK)
		*out = m.rep.addr;
	else if (reason && rlen)
		snprintf(reason, rlen, "%s", m.rep.reason);
	return m.rep.status;
}
