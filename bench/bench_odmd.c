/* bench_odmd.c: what odmd costs its clients, as the engine meets it: a
 * connection per request (connect, REQUEST, REPLY, close).
 *   bench_odmd setsc N          N setsc() calls through odmd to a newly
 *                               configured address (IPV6_REQUIRE_SRC_ON_NET):
 *                               median and p99 in microseconds
 *   bench_odmd grants SOCKET CLIENTS N
 *                               CLIENTS threads, N requests in all, each for
 *                               a fresh prefix (ON_NET): grants per second,
 *                               median and p99
 *   bench_odmd held SOCKET CLIENTS N
 *                               the same, answered from the address odmd
 *                               holds (no ON_NET): answers per second
 *   bench_odmd idle SOCKET COUNT SECONDS
 *                               holds COUNT idle connections (run it as
 *                               another user: a slowloris)
 *   bench_odmd status SOCKET SECONDS
 *                               asks for STATUS with its sockets, back to
 *                               back, for SECONDS (a flood, from another
 *                               user): how many it got
 * Timing only: a benchmark, not a test. */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <odm.h>
#include "proto.h"
#include "timing.h"

static int bench_setsc(int n)
{
	double *t = calloc((size_t)n, sizeof *t);
	uint32_t prefs = IPV6_REQUIRE_SRC_ON_NET;
	int failures = 0;

	for (int i = 0; i < n; i++) {
		struct in6_addr a;
		int s = socket(AF_INET6, SOCK_DGRAM, 0);
		double t0;

		setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs,
			   sizeof prefs);
		t0 = now_ns() / 1e3;
		failures += setsc(s, &a, SESSION_LASTING_IPV6_ADDRESS) != 0;
		t[i] = now_ns() / 1e3 - t0;
		close(s);
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	printf("setsc via odmd (fresh prefix): median %.0f us, p99 %.0f us, "
	       "%d calls, %d failed\n", t[n / 2], t[n * 99 / 100], n, failures);
	free(t);
	return failures != 0;
}

struct job {
	const char *path;
	bool on_net;
	int n;
	double *lat;        /* microseconds, one per request */
	int ok, failed;
	pthread_t th;
};

/* One request over a connection of its own: 0 when granted. */
static int one(const char *path, bool on_net, uint32_t id)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct odmd_msg m = { .kind = ODMD_K_REQUEST, .id = id }, r;
	uint8_t req[ODMD_MSG_MAX], buf[ODMD_MSG_MAX];
	size_t have = 0;
	int fd, len, used, rc = -1;

	m.req.type = SESSION_LASTING_IPV6_ADDRESS;
	m.req.flags = on_net ? ODMD_REQ_ON_NET : 0;
	len = odmd_encode(&m, req, sizeof req);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) ||
	    send(fd, req, (size_t)len, MSG_NOSIGNAL) != len)
		goto out;
	while ((used = odmd_decode(buf, have, &r)) == 0) {
		ssize_t got = recv(fd, buf + have, sizeof buf - have, 0);

		if (got <= 0)
			goto out;
		have += (size_t)got;
	}
	rc = used > 0 && r.kind == ODMD_K_REPLY && r.rep.status == ODMD_ST_OK
		     ? 0 : -1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void *client(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < j->n; i++) {
		double t0 = now_ns();

		if (one(j->path, j->on_net, (uint32_t)i) == 0)
			j->ok++;
		else
			j->failed++;
		j->lat[i] = (now_ns() - t0) / 1e3;
	}
	return NULL;
}

static int bench_clients(const char *path, int clients, int n, bool on_net)
{
	struct job *jobs = calloc((size_t)clients, sizeof *jobs);
	double *all = calloc((size_t)n, sizeof *all), t0, secs;
	int per = n / clients, k = 0, ok = 0, failed = 0;

	for (int c = 0; c < clients; c++) {
		jobs[c] = (struct job){ .path = path, .on_net = on_net, .n = per,
					.lat = all + c * per };
	}
	t0 = now_ns();
	for (int c = 0; c < clients; c++)
		pthread_create(&jobs[c].th, NULL, client, &jobs[c]);
	for (int c = 0; c < clients; c++) {
		pthread_join(jobs[c].th, NULL);
		ok += jobs[c].ok;
		failed += jobs[c].failed;
		k += per;
	}
	secs = (now_ns() - t0) / 1e9;
	qsort(all, (size_t)k, sizeof *all, cmp_double);
	printf("%d clients, %s: %.0f %s/s, median %.0f us, p99 %.0f us "
	       "(%d ok, %d failed)\n", clients,
	       on_net ? "each a fresh prefix" : "answered from what odmd holds",
	       ok / secs, on_net ? "grants" : "answers", all[k / 2],
	       all[k * 99 / 100], ok, failed);
	free(all);
	free(jobs);
	return failed != 0;
}

static int hold_idle(const char *path, int count, int seconds)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int open_ = 0;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	for (int i = 0; i < count; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
			open_++;
	}
	printf("%d connections made\n", open_);
	fflush(stdout);
	sleep((unsigned)seconds);
	return 0;
}

static int status_flood(const char *path, int seconds)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct odmd_msg m = { .kind = ODMD_K_STATUS_REQUEST }, r;
	uint8_t req[ODMD_MSG_MAX], buf[ODMD_MSG_MAX];
	double end = now_ns() + seconds * 1e9;
	size_t have = 0;
	long answers = 0, refused = 0;
	int fd, len, used = 0;

	m.stq.flags = ODMD_STQ_SOCKETS;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	fd = -1;
	while (now_ns() < end) {
		/* odmd closes a connection that asks too often: again. */
		if (fd < 0) {
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			have = 0;
			if (connect(fd, (struct sockaddr *)&sun, sizeof sun))
				return 1;
		}
		bool more = true;

		len = odmd_encode(&m, req, sizeof req);
		if (send(fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
			close(fd);
			fd = -1;
			continue;
		}
		/* Everything: the entries, then the sockets. */
		while (more) {
			while ((used = odmd_decode(buf, have, &r)) == 0) {
				ssize_t got = recv(fd, buf + have, sizeof buf - have, 0);

				if (got <= 0)
					break;
				have += (size_t)got;
			}
			if (used <= 0 || r.kind == ODMD_K_ERROR) {
				close(fd);
				fd = -1;
				refused++;
				break;
			}
			memmove(buf, buf + used, have - (size_t)used);
			have -= (size_t)used;
			more = r.kind != ODMD_K_SOCKETS_REPLY ||
			       (r.socks.flags & ODMD_STATUS_MORE);
		}
		answers += !more && fd >= 0;
	}
	printf("%ld STATUS answers, %ld refused, in %d s\n", answers, refused,
	       seconds);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "setsc") == 0 && atoi(argv[2]) > 0)
		return bench_setsc(atoi(argv[2]));
	if (argc == 5 && (!strcmp(argv[1], "grants") || !strcmp(argv[1], "held")) &&
	    atoi(argv[3]) > 0 && atoi(argv[4]) >= atoi(argv[3]))
		return bench_clients(argv[2], atoi(argv[3]), atoi(argv[4]),
				     argv[1][0] == 'g');
	if (argc == 5 && strcmp(argv[1], "idle") == 0)
		return hold_idle(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "status") == 0)
		return status_flood(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: bench_odmd setsc N | grants|held SOCKET CLIENTS N"
		" | idle SOCKET COUNT SECONDS | status SOCKET SECONDS\n");
	return 64;
}
