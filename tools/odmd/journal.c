/* journal.c: the lease journal. Lines:
 *   odmd-journal 1 BOOT-ID
 *   L ADDR PLEN LINK TYPE OWNER FLAGS STATE GRANTED VALID PREFERRED ID
 *   D ADDR
 * times in ms of CLOCK_MONOTONIC, "-" for never; the last line of an
 * address wins. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dlog.h"
#include "journal.h"
#include "uth.h"
#include "worker.h"
#include "writeall.h"

#define JOURNAL     "odmd.journal"
#define JOURNAL_NEW "odmd.journal.new"
#define LINE_MAX_J  256

static int dir = -1, fd = -1;
static char boot_id[40];
static char *buf;
static size_t len, cap;
static size_t lines;      /* in the file since its last compaction */

struct jent {
	struct jrec r;
	UT_hash_handle hh;
};

static void read_boot_id(void)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (!f || !fgets(boot_id, sizeof boot_id, f))
		snprintf(boot_id, sizeof boot_id, "unknown");
	boot_id[strcspn(boot_id, "\n")] = '\0';
	if (f)
		fclose(f);
}

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (cap - len < LINE_MAX_J) {
		size_t c = cap ? 2 * cap : 65536;
		char *b = realloc(buf, c);

		if (!b)
			return; /* the line is lost; the next compaction heals */
		buf = b;
		cap = c;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < cap - len) {
		len += (size_t)n;
		lines++;
	}
}

static const char *t(uint64_t v, char *b)
{
	if (v == NEVER)
		return "-";
	snprintf(b, 24, "%" PRIu64, v);
	return b;
}

static void put_line(const struct lease *l)
{
	char a[INET6_ADDRSTRLEN], t1[24], t2[24], t3[24];
	struct wlink *link = wlink_by_index(l->ifindex);

	inet_ntop(AF_INET6, &l->addr, a, sizeof a);
	emit("L %s %u %s %u %u %u %u %s %s %s %u\n", a, l->plen,
	     link && link->name[0] ? link->name : "-", (unsigned)l->type,
	     l->owner, l->flags, l->state, t(l->granted, t1),
	     t(l->valid_until, t2), t(l->preferred_until, t3), l->backend_id);
}

void journal_put(const struct lease *l)
{
	if (fd >= 0)
		put_line(l);
}

void journal_drop(const struct in6_addr *addr)
{
	char a[INET6_ADDRSTRLEN];

	if (fd >= 0)
		emit("D %s\n", inet_ntop(AF_INET6, addr, a, sizeof a));
}

void journal_rewrite(void)
{
	int nfd = openat(dir, JOURNAL_NEW, O_WRONLY | O_CREAT | O_TRUNC |
			 O_CLOEXEC, 0600);

	if (nfd < 0) {
		dlog_warn("journal: %s: %s", JOURNAL_NEW, strerror(errno));
		return;
	}
	len = 0;
	lines = 0;
	emit("odmd-journal 1 %s\n", boot_id);
	for (struct lease *l = lease_first(); l; l = lease_next(l))
		put_line(l);
	if (odm_write_all(nfd, buf, len) || fsync(nfd) ||
	    renameat(dir, JOURNAL_NEW, dir, JOURNAL)) {
		dlog_warn("journal: cannot compact: %s", strerror(errno));
		close(nfd);
		return;
	}
	close(fd);
	fd = nfd;
	len = 0;
}

void journal_flush(void)
{
	if (fd < 0)
		return;
	if (len && odm_write_all(fd, buf, len))
		dlog_warn("journal: %s", strerror(errno));
	len = 0;
	if (lines > 4 * lease_count() + 1024)
		journal_rewrite();
}

static int parse_time(const char *s, uint64_t *v)
{
	char *end;

	if (strcmp(s, "-") == 0) {
		*v = NEVER;
		return 0;
	}
	*v = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

/* One L line into r; -1 if it is not one. */
static int parse_l(char *line, struct jrec *r)
{
	char a[64], link[32], g[24], v[24], p[24];
	unsigned plen, type, owner, flags, state, id;

	if (sscanf(line, "L %63s %u %31s %u %u %u %u %23s %23s %23s %u", a,
		   &plen, link, &type, &owner, &flags, &state, g, v, p, &id) != 11 ||
	    inet_pton(AF_INET6, a, &r->addr) != 1 || plen > 128 ||
	    !odm_type_valid(type) || state < 1 || state > ODMD_LEASE_MAX ||
	    strlen(link) >= sizeof r->link || parse_time(g, &r->granted) ||
	    parse_time(v, &r->valid_until) || parse_time(p, &r->preferred_until))
		return -1;
	r->plen = plen;
	if (strcmp(link, "-"))
		memcpy(r->link, link, strlen(link) + 1); /* fits: checked */
	else
		r->link[0] = '\0';
	r->type = (sc_type)type;
	r->owner = owner;
	r->flags = flags;
	r->state = (uint8_t)state;
	r->backend_id = id;
	return 0;
}

static void load(FILE *f, void (*each)(const struct jrec *, void *), void *arg)
{
	struct jent *ents = NULL, *e, *tmp;
	char line[LINE_MAX_J], head[64];
	unsigned bad = 0;

	if (!fgets(line, sizeof line, f) ||
	    sscanf(line, "odmd-journal 1 %63s", head) != 1) {
		dlog_warn("journal: not a journal of this odmd: started afresh");
		return;
	}
	if (strcmp(head, boot_id)) {
		dlog_info("journal: from an earlier boot: started afresh");
		return;
	}
	while (fgets(line, sizeof line, f)) {
		struct jrec r;
		struct in6_addr a;
		char text[64];

		memset(&r, 0, sizeof r);
		if (line[0] == 'L' && parse_l(line, &r) == 0) {
			HASH_FIND(hh, ents, &r.addr, sizeof r.addr, e);
			if (!e && (e = calloc(1, sizeof *e))) {
				e->r.addr = r.addr;
				if (!UTH_ADDED(HASH_ADD(hh, ents, r.addr,
							sizeof e->r.addr, e))) {
					free(e);
					e = NULL;
				}
			}
			if (e)
				e->r = r;
		} else if (sscanf(line, "D %63s", text) == 1 &&
			   inet_pton(AF_INET6, text, &a) == 1) {
			HASH_FIND(hh, ents, &a, sizeof a, e);
			if (e) {
				HASH_DEL(ents, e);
				free(e);
			}
		} else {
			bad++;
		}
	}
	if (bad)
		dlog_warn("journal: %u lines not understood, left out", bad);
	HASH_ITER(hh, ents, e, tmp) {
		each(&e->r, arg);
		HASH_DEL(ents, e);
		free(e);
	}
}

int journal_open(int dirfd, void (*each)(const struct jrec *, void *),
		 void *arg)
{
	int rfd;
	FILE *f;

	dir = dirfd;
	read_boot_id();
	rfd = openat(dir, JOURNAL, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (rfd >= 0 && (f = fdopen(rfd, "re"))) {
		load(f, each, arg);
		fclose(f);
	} else if (rfd >= 0) {
		close(rfd);
	}
	fd = openat(dir, JOURNAL, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0) {
		int e = errno;

		dlog_warn("journal: %s: %s: lease state will not survive a "
			  "restart", JOURNAL, strerror(e));
		return -e;
	}
	return 0;
}
