/* odm_agent.c: the verbs that talk to odmd: `odm status [--json]` (the
 * host's typed addresses, their leases, and which sockets use each),
 * `odm move` (a move to a new point of attachment, in the simulator) and
 * `odm release ADDRESS` (hand a lease back). odmd says which sockets use
 * an address (uid, socket inode); this tool names their processes from
 * /proc, in one pass, as far as the caller may see them. */
#include <arpa/inet.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <json-c/json.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uthash.h>
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

	if (odm_hostconf_load(odm_hostconf_path(), false, hc, why, sizeof why))
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

static void ask(int fd, const struct odmd_msg *m)
{
	uint8_t buf[ODMD_MSG_MAX];
	int len = odmd_encode(m, buf, sizeof buf);

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

/* --- who uses which socket ---------------------------------------------- */

struct user {
	uint32_t inode;
	struct odmd_sock s;
	char comm[64];      /* the process's name, made printable */
	int pid, fd;        /* 0 and -1 when the caller cannot see it */
	UT_hash_handle hh;
};

/* A process name as it may be shown: bytes outside printable ASCII
 * become '?', so a name cannot break a table or a JSON document. */
static void printable(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i < cap - 1; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

/* One pass over /proc/PID/fd: names the owners of the sockets in users. */
static void name_users(struct user *users)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	unsigned left = HASH_COUNT(users);

	while (left && proc && (p = readdir(proc))) {
		char path[300], comm[32] = "?";
		struct dirent *d;
		DIR *fds;
		FILE *cf;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		if (!(fds = opendir(path)))
			continue;
		while ((d = readdir(fds))) {
			char fdpath[600], link[64];
			unsigned long ino;
			uint32_t key;
			struct user *u;
			ssize_t n;

			snprintf(fdpath, sizeof fdpath, "%s/%s", path, d->d_name);
			n = readlink(fdpath, link, sizeof link - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1)
				continue;
			key = (uint32_t)ino;
			HASH_FIND(hh, users, &key, sizeof key, u);
			if (!u || u->pid)
				continue;
			if (comm[0] == '?') {
				snprintf(fdpath, sizeof fdpath, "/proc/%s/comm",
					 p->d_name);
				if ((cf = fopen(fdpath, "re"))) {
					/* The name may hold a newline itself:
					 * only the last one is the file's. */
					size_t k = fread(comm, 1, sizeof comm - 1, cf);

					comm[k] = '\0';
					if (k && comm[k - 1] == '\n')
						comm[k - 1] = '\0';
					fclose(cf);
				}
			}
			printable(u->comm, sizeof u->comm, comm);
			u->pid = atoi(p->d_name);
			u->fd = atoi(d->d_name);
			left--;
		}
		closedir(fds);
	}
	if (proc)
		closedir(proc);
}

/* --- status -------------------------------------------------------------- */

static const char *const state_names[] = {
	[ODMD_LEASE_GRANTED] = "granted", [ODMD_LEASE_IN_USE] = "in-use",
	[ODMD_LEASE_IDLE] = "idle", [ODMD_LEASE_DRAINING] = "draining",
	[ODMD_LEASE_DEPRECATED] = "deprecated", [ODMD_LEASE_ABSENT] = "absent",
};

static void lifetime(uint32_t s, char *buf, size_t cap)
{
	if (s == ODMD_LIFETIME_INFINITE)
		snprintf(buf, cap, "forever");
	else
		snprintf(buf, cap, "%us", s);
}

static json_object *seconds(uint32_t s)
{
	return s == ODMD_LIFETIME_INFINITE ? NULL : json_object_new_int64(s);
}

static json_object *entry_json(const struct odmd_entry *e, struct user *users)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	char a[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE] = "";
	struct user *u, *tmp;

	inet_ntop(AF_INET6, &e->addr, a, sizeof a);
	if_indextoname(e->ifindex, ifn);
	json_object_object_add(o, "address", json_object_new_string(a));
	json_object_object_add(o, "prefix_length", json_object_new_int(e->plen));
	json_object_object_add(o, "type", json_object_new_string(odm_type_name(e->type)));
	json_object_object_add(o, "state", json_object_new_string(state_names[e->state]));
	json_object_object_add(o, "current",
			       json_object_new_boolean(e->flags & ODMD_ENT_CURRENT));
	json_object_object_add(o, "releasable",
			       json_object_new_boolean(e->flags & ODMD_ENT_RELEASABLE));
	json_object_object_add(o, "owner", e->owner == ODMD_NO_OWNER ? NULL
				   : json_object_new_int64(e->owner));
	json_object_object_add(o, "preferred", seconds(e->preferred));
	json_object_object_add(o, "valid", seconds(e->valid));
	json_object_object_add(o, "age", json_object_new_int64(e->age));
	json_object_object_add(o, "renew_in", seconds(e->renew));
	json_object_object_add(o, "interface", json_object_new_string(ifn));
	json_object_object_add(o, "in_use",
			       json_object_new_boolean(e->flags & ODMD_ENT_IN_USE));
	json_object_object_add(o, "sockets", json_object_new_int(e->sockets));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)e->bytes));
	json_object_object_add(o, "rotate_in", seconds(e->rotate));
	HASH_ITER(hh, users, u, tmp) {
		json_object *x;

		if (memcmp(&u->s.addr, &e->addr, sizeof e->addr))
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "program", u->pid
				       ? json_object_new_string(u->comm) : NULL);
		json_object_object_add(x, "pid", u->pid ? json_object_new_int(u->pid)
							: NULL);
		json_object_object_add(x, "fd", u->pid ? json_object_new_int(u->fd)
						       : NULL);
		json_object_object_add(x, "uid", json_object_new_int64(u->s.uid));
		json_object_object_add(x, "protocol", json_object_new_string(
			u->s.proto == IPPROTO_TCP ? "tcp" : "udp"));
		json_object_object_add(x, "port", json_object_new_int(u->s.port));
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "users", arr);
	return o;
}

static void entry_text(const struct odmd_entry *e, struct user *users)
{
	char a[INET6_ADDRSTRLEN], pref[16], valid[16], owner[16], rot[16];
	char ifn[IF_NAMESIZE] = "?", used[1024] = "";
	struct user *u, *tmp;
	size_t len = 0;

	inet_ntop(AF_INET6, &e->addr, a, sizeof a);
	if_indextoname(e->ifindex, ifn);
	lifetime(e->preferred, pref, sizeof pref);
	lifetime(e->valid, valid, sizeof valid);
	if (e->owner == ODMD_NO_OWNER)
		snprintf(owner, sizeof owner, "host");
	else
		snprintf(owner, sizeof owner, "%u", e->owner);
	HASH_ITER(hh, users, u, tmp) {
		int n;

		if (memcmp(&u->s.addr, &e->addr, sizeof e->addr) || len > 900)
			continue;
		if (u->pid)
			n = snprintf(used + len, sizeof used - len, "%s%s[%d] fd %d",
				     len ? ", " : "", u->comm, u->pid, u->fd);
		else
			n = snprintf(used + len, sizeof used - len, "%suid %u %s/%u",
				     len ? ", " : "", u->s.uid,
				     u->s.proto == IPPROTO_TCP ? "tcp" : "udp",
				     u->s.port);
		if (n > 0)
			len += (size_t)n;
	}
	if (!used[0] && e->sockets)
		snprintf(used, sizeof used, "(%u sockets)", e->sockets);
	lifetime(e->rotate, rot, sizeof rot);
	printf("%-40s %-20s %-10s %-9s %-9s %-6s %-6s %-7us %-10llu %-9s %s\n",
	       a, odm_type_name(e->type), state_names[e->state], pref, valid,
	       ifn, owner, e->age, (unsigned long long)e->bytes,
	       e->rotate == ODMD_LIFETIME_INFINITE ? "never" : rot,
	       used[0] ? used : "-");
}

int odm_cmd_status(int argc, char **argv)
{
	struct odm_hostconf hc;
	struct odmd_msg m = { .kind = ODMD_K_STATUS_REQUEST, .id = 1 };
	struct odmd_entry *rows = NULL;
	struct user *users = NULL, *u, *tmp;
	uint8_t buf[ODMD_MSG_MAX];
	size_t have = 0, n = 0;
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	int fd;

	if (argc > 2 || (argc == 2 && !json))
		return odm_usage("status");
	fd = agent_connect(&hc);
	m.stq.flags = ODMD_STQ_SOCKETS;
	ask(fd, &m);
	do {
		answer(fd, buf, &have, &m);
		if (m.kind != ODMD_K_STATUS_REPLY || m.version != ODMD_PROTO_VERSION)
			errx(ODM_EX_FAIL, "odmd: an answer this odm does not expect");
		rows = realloc(rows, (n + m.st.count + 1) * sizeof *rows);
		if (!rows)
			err(ODM_EX_FAIL, "status");
		memcpy(rows + n, m.st.e, m.st.count * sizeof *rows);
		n += m.st.count;
	} while (m.st.flags & ODMD_STATUS_MORE);
	do {
		answer(fd, buf, &have, &m);
		if (m.kind != ODMD_K_SOCKETS_REPLY)
			errx(ODM_EX_FAIL, "odmd: an answer this odm does not expect");
		for (unsigned i = 0; i < m.socks.count; i++) {
			uint32_t key = m.socks.s[i].inode;

			HASH_FIND(hh, users, &key, sizeof key, u);
			if (u || !(u = calloc(1, sizeof *u)))
				continue;
			u->inode = key;
			u->s = m.socks.s[i];
			u->fd = -1;
			HASH_ADD(hh, users, inode, sizeof u->inode, u);
		}
	} while (m.socks.flags & ODMD_STATUS_MORE);
	close(fd);
	name_users(users);
	if (json) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, entry_json(&rows[i], users));
		printf("%s\n", json_object_to_json_string_ext(arr,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else {
		printf("%-40s %-20s %-10s %-9s %-9s %-6s %-6s %-8s %-10s %-9s %s\n",
		       "ADDRESS", "TYPE", "STATE", "PREFERRED", "VALID", "IFACE",
		       "OWNER", "AGE", "TCP-BYTES", "ROTATES", "USED BY");
		for (size_t i = 0; i < n; i++)
			entry_text(&rows[i], users);
	}
	HASH_ITER(hh, users, u, tmp) {
		HASH_DEL(users, u);
		free(u);
	}
	free(rows);
	odm_hostconf_free(&hc);
	return 0;
}

/* A MOVE or RELEASE: one REPLY, OK or a failure. */
static int simple(struct odmd_msg *m, const char *what)
{
	struct odm_hostconf hc;
	uint8_t buf[ODMD_MSG_MAX];
	size_t have = 0;
	int fd = agent_connect(&hc);

	ask(fd, m);
	answer(fd, buf, &have, m);
	close(fd);
	odm_hostconf_free(&hc);
	if (m->kind != ODMD_K_REPLY || m->rep.status != ODMD_ST_OK)
		errx(ODM_EX_FAIL, "%s refused: %s", what, m->rep.reason);
	return 0;
}

int odm_cmd_move(int argc, char **argv)
{
	struct odmd_msg m = { .kind = ODMD_K_MOVE, .id = 1 };

	(void)argv;
	if (argc != 1)
		return odm_usage("move");
	simple(&m, "move");
	printf("moved to a new point of attachment\n");
	return 0;
}

int odm_cmd_release(int argc, char **argv)
{
	struct odmd_msg m = { .kind = ODMD_K_RELEASE, .id = 1 };

	if (argc != 2 || inet_pton(AF_INET6, argv[1], &m.rel.addr) != 1)
		return odm_usage("release");
	simple(&m, "release");
	printf("released %s\n", argv[1]);
	return 0;
}
