/* odm_agent.c: the verbs that talk to odmd: `odm status [--json]` (the
 * host's typed addresses, their lifetimes, and which sockets use each) and
 * `odm move` (a move to a new point of attachment, in the simulator). */
#include <arpa/inet.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "hostconf.h"
#include "odmtool.h"
#include "proto.h"

/* Connects to odmd as odm.conf says; exits on failure. */
static int agent_connect(struct odm_hostconf *hc)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv;
	char why[512];
	int fd;

	if (odm_hostconf_load(odm_hostconf_path(), hc, why, sizeof why))
		errx(ODM_EX_FAIL, "%s", why);
	if (!hc->agent.configured)
		errx(ODM_EX_FAIL, "%s: no agent or network section: no odmd",
		     hc->path);
	tv.tv_sec = hc->agent.timeout_ms / 1000;
	tv.tv_usec = (hc->agent.timeout_ms % 1000) * 1000;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", hc->agent.socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun))
		err(ODM_EX_FAIL, "odmd at %s", hc->agent.socket);
	return fd;
}

static void ask(int fd, uint8_t kind)
{
	struct odmd_msg m = { .kind = kind, .id = 1 };
	uint8_t buf[ODMD_MSG_MAX];
	int len = odmd_encode(&m, buf, sizeof buf);

	if (len < 0 || send(fd, buf, (size_t)len, MSG_NOSIGNAL) != len)
		err(ODM_EX_FAIL, "odmd");
}

/* The next message from odmd; exits on error or silence. */
static void answer(int fd, uint8_t *buf, size_t *have, struct odmd_msg *m)
{
	for (;;) {
		int used = odmd_decode(buf, *have, m);
		ssize_t n;

		if (used < 0)
			errx(ODM_EX_FAIL, "odmd: %s", odmd_strerror(used));
		if (used > 0) {
			memmove(buf, buf + used, *have - (size_t)used);
			*have -= (size_t)used;
			if (m->kind == ODMD_K_ERROR)
				errx(ODM_EX_FAIL, "odmd: %s", m->err.reason);
			return;
		}
		n = recv(fd, buf + *have, ODMD_MSG_MAX - *have, 0);
		if (n <= 0)
			errx(ODM_EX_FAIL, "odmd: %s",
			     n ? strerror(errno) : "closed the connection");
		*have += (size_t)n;
	}
}

/* Sockets whose local address is a, from /proc/net/{tcp6,udp6}, as
 * "program[pid] fd N" words appended to out. */
static void users_of(const struct in6_addr *a, char *out, size_t cap)
{
	static const char *const tables[] = { "/proc/net/tcp6", "/proc/net/udp6" };
	unsigned long inodes[256];
	size_t ninodes = 0;

	for (int t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t], "re");
		char line[512], hex[33];
		unsigned long inode;

		while (f && fgets(line, sizeof line, f)) {
			uint32_t w[4];
			struct in6_addr local;

			if (sscanf(line, " %*d: %32[0-9A-Fa-f]:%*x %*s %*x %*s %*s "
				   "%*s %*d %*d %lu", hex, &inode) != 2 || !inode)
				continue;
			for (int i = 0; i < 4; i++)
				sscanf(hex + 8 * i, "%8x", &w[i]);
			memcpy(&local, w, sizeof local); /* host order words */
			if (!memcmp(&local, a, sizeof local) && ninodes < 256)
				inodes[ninodes++] = inode;
		}
		if (f)
			fclose(f);
	}
	out[0] = '\0';
	DIR *proc = opendir("/proc");
	struct dirent *p;

	while (ninodes && proc && (p = readdir(proc))) {
		char path[300], link[64], comm[32] = "?";
		DIR *fds;
		struct dirent *d;
		FILE *cf;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/comm", p->d_name);
		if ((cf = fopen(path, "re"))) {
			if (fgets(comm, sizeof comm, cf))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(cf);
		}
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		if (!(fds = opendir(path)))
			continue;
		while ((d = readdir(fds))) {
			char fdpath[600];
			ssize_t n;
			unsigned long ino;

			snprintf(fdpath, sizeof fdpath, "%s/%s", path, d->d_name);
			n = readlink(fdpath, link, sizeof link - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1)
				continue;
			for (size_t i = 0; i < ninodes; i++)
				if (ino == inodes[i] && strlen(out) < cap - 64)
					snprintf(out + strlen(out), cap - strlen(out),
						 "%s%s[%s] fd %s", out[0] ? ", " : "",
						 comm, p->d_name, d->d_name);
		}
		closedir(fds);
	}
	if (proc)
		closedir(proc);
}

static void lifetime(uint32_t s, char *buf, size_t cap)
{
	if (s == ODMD_LIFETIME_INFINITE)
		snprintf(buf, cap, "forever");
	else
		snprintf(buf, cap, "%us", s);
}

int odm_cmd_status(int argc, char **argv)
{
	struct odm_hostconf hc;
	struct odmd_msg m;
	uint8_t buf[ODMD_MSG_MAX];
	size_t have = 0;
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0, first = true;
	int fd;

	if (argc > 2 || (argc == 2 && !json))
		return odm_usage("status");
	fd = agent_connect(&hc);
	ask(fd, ODMD_K_STATUS_REQUEST);
	if (json)
		printf("[");
	else
		printf("%-26s %-20s %-9s %-9s %-6s %s\n", "ADDRESS", "TYPE",
		       "PREFERRED", "VALID", "IFACE", "USED BY");
	do {
		answer(fd, buf, &have, &m);
		if (m.kind != ODMD_K_STATUS_REPLY)
			errx(ODM_EX_FAIL, "odmd: unexpected answer");
		for (int i = 0; i < m.st.count; i++) {
			struct odmd_entry *e = &m.st.e[i];
			char a[INET6_ADDRSTRLEN], pref[16], valid[16];
			char ifn[IF_NAMESIZE] = "?", users[2048];

			inet_ntop(AF_INET6, &e->addr, a, sizeof a);
			if_indextoname(e->ifindex, ifn);
			lifetime(e->preferred, pref, sizeof pref);
			lifetime(e->valid, valid, sizeof valid);
			users_of(&e->addr, users, sizeof users);
			if (json)
				printf("%s\n {\"address\": \"%s/%u\", \"type\": "
				       "\"%s\", \"preferred\": %u, \"valid\": %u, "
				       "\"interface\": \"%s\", \"in_use\": %s, "
				       "\"users\": \"%s\"}", first ? "" : ",",
				       a, e->plen, odm_type_name(e->type),
				       e->preferred, e->valid, ifn,
				       e->flags & ODMD_ENT_IN_USE ? "true" : "false",
				       users);
			else
				printf("%-26s %-20s %-9s %-9s %-6s %s\n", a,
				       odm_type_name(e->type), pref, valid, ifn,
				       users[0] ? users
				       : e->flags & ODMD_ENT_IN_USE ? "(in use)" : "-");
			first = false;
		}
	} while (m.st.flags & ODMD_STATUS_MORE);
	if (json)
		printf("\n]\n");
	close(fd);
	odm_hostconf_free(&hc);
	return 0;
}

int odm_cmd_move(int argc, char **argv)
{
	struct odm_hostconf hc;
	struct odmd_msg m;
	uint8_t buf[ODMD_MSG_MAX];
	size_t have = 0;
	int fd;

	(void)argv;
	if (argc != 1)
		return odm_usage("move");
	fd = agent_connect(&hc);
	ask(fd, ODMD_K_MOVE);
	answer(fd, buf, &have, &m);
	close(fd);
	odm_hostconf_free(&hc);
	if (m.kind != ODMD_K_REPLY || m.rep.status != ODMD_ST_OK)
		errx(ODM_EX_FAIL, "move refused: %s", m.rep.reason);
	printf("moved to a new point of attachment\n");
	return 0;
}
