/* engine.c: the setsc() engine: the address of each type this host has
 * now. The answer per type is published under a sequence counter and read
 * without a lock or a syscall while the generation it was read at is
 * current. The generation comes from odmd's page (genpage.h) or, with no
 * live odmd, from a netlink monitor thread (nladdr.c). A rebuild reads the
 * kernel's dump as it streams (bestaddr.c): no allocation, no cap.
 *
 * Safe in a signal handler: the lock is never waited for by the thread
 * that holds it (a handler that interrupts the locked part answers from
 * the last published view instead), and nothing under it allocates or
 * loads a library once odm_engine_warm() ran. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "agent.h"
#include "bestaddr.h"
#include "engine.h"
#include "genpage_layout.h"
#include "init.h"
#include "log.h"
#include "nladdr.h"
#include "proto.h"
#include "real.h"

static pthread_mutex_t eng_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set while this thread is inside the locked part. */
static __thread int eng_held;

/* The host config, loaded once (on the heap: a small .bss). */
static const struct odm_hostconf hc_none = { .log_level = -1, .log_target = -1 };
static const struct odm_hostconf *hc = &hc_none;
static bool hc_loaded, hc_broken, warned_watch;
static void *dump_buf;                    /* ODM_NL_BUF, mmap'ed once */
static const struct odm_genpage *page;    /* odmd's, mapped once */
static struct odm_best best;              /* of the last rebuild */
static bool snap_valid;
/* Own addresses the process uses (interpose.c caches them): each rebuild
 * says whether the host still has them usable. */
#define WATCH_MAX 16
static struct in6_addr watched[WATCH_MAX];
static size_t nwatched, next_watch;

/* The cached path (engine.h), written here under the lock. */
const uint64_t *odm_eng_gen_src;
struct odm_engine_fast odm_eng_fast;
#define gen_src odm_eng_gen_src
#define fast odm_eng_fast

static void publish(uint64_t gen, bool valid)
{
	unsigned seq = fast.seq;

	/* Fence-free (TSan understands it): a reader that sees any of the
	 * release stores below also sees the odd count. */
	__atomic_store_n(&fast.seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&fast.gen, gen, __ATOMIC_RELEASE);
	for (unsigned slot = ODM_TYPE_MIN; slot <= 2 * ODM_TYPE_MAX; slot++) {
		unsigned t = slot > ODM_TYPE_MAX ? slot - ODM_TYPE_MAX : slot;
		/* Public first for the plain slot, temporary first for the
		 * other; each falls back to what there is. */
		const struct odm_nladdr *pub = best.have[t] ? &best.a[t] : NULL,
			*tmp = best.have_tmp[t] ? &best.tmp[t] : NULL,
			*pick = slot > ODM_TYPE_MAX ? (tmp ? tmp : pub)
						    : (pub ? pub : tmp);
		uint64_t a[2] = { 0, 0 };
		bool have = valid && pick;

		if (have)
			memcpy(a, &pick->addr, sizeof a);
		__atomic_store_n(&fast.have[slot], have, __ATOMIC_RELEASE);
		__atomic_store_n(&fast.addr[slot][0], a[0], __ATOMIC_RELEASE);
		__atomic_store_n(&fast.addr[slot][1], a[1], __ATOMIC_RELEASE);
	}
	__atomic_store_n(&fast.seq, seq + 2, __ATOMIC_RELEASE);
}

void odm_engine_fork_prepare(void) { pthread_mutex_lock(&eng_lock); }
void odm_engine_fork_parent(void) { pthread_mutex_unlock(&eng_lock); }
void odm_engine_fork_child(void) { pthread_mutex_unlock(&eng_lock); }

/* --- under the lock ------------------------------------------------------ */

static void load_hostconf(void)
{
	const char *path = odm_hostconf_path();
	struct odm_hostconf *loaded;
	char err[512];
	struct stat st;

	hc_loaded = true;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		odm_log(ODM_LOG_INFO, "no host config %s: no typed prefixes",
			path);
		return;
	}
	if (!(loaded = malloc(sizeof *loaded))) {
		hc_broken = true;
		return;
	}
	if (odm_hostconf_load(path, odm_proc.strict, loaded, err, sizeof err)) {
		free(loaded);
		hc_broken = true;
		odm_log(ODM_LOG_ERROR, "%s; setsc() has no typed addresses",
			err);
		return;
	}
	hc = loaded;
	odm_log_configure(hc->log_level, hc->log_target);
}

static uint64_t now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec;
}

static bool page_alive(const struct odm_genpage *p)
{
	uint64_t beat = __atomic_load_n(&p->beat, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&p->live, __ATOMIC_ACQUIRE) &&
	       beat + ODM_GENPAGE_STALE_S >= now_s();
}

/* odmd's page beside its socket, if it is there, root's and not writable
 * by others: only then may it tell this process when to look again. */
static const struct odm_genpage *map_page(void)
{
	char path[sizeof hc->agent.socket + sizeof ODM_GENPAGE_SUFFIX];
	const struct odm_genpage *p;
	struct stat st;
	void *m;
	int fd;

	if (!hc->agent.configured)
		return NULL;
	snprintf(path, sizeof path, "%s%s", hc->agent.socket, ODM_GENPAGE_SUFFIX);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	m = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
			    !(st.st_mode & 022) && st.st_size >= ODM_GENPAGE_SIZE
		    ? mmap(NULL, ODM_GENPAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0)
		    : MAP_FAILED;
	odm_real.close(fd);
	if (m == MAP_FAILED)
		return NULL;
	p = m;
	if (p->magic != ODM_GENPAGE_MAGIC || p->version != ODM_GENPAGE_VERSION) {
		munmap(m, ODM_GENPAGE_SIZE);
		return NULL;
	}
	return p;
}

/* What tells this process that its view is stale: odmd's page while odmd
 * lives, else the monitor thread; NULL when neither can. */
static const uint64_t *watch(void)
{
	int rc;

	if (page && page_alive(page))
		return &page->gen;
	if (odm_nl_monitor_running())
		return &odm_nl_gen;
	rc = odm_nl_monitor_start();
	if (rc == 0)
		return &odm_nl_gen;
	if (!warned_watch) {
		warned_watch = true;
		odm_log(ODM_LOG_WARN, "no netlink monitor (%s): every setsc() "
			"asks the kernel", strerror(-rc));
	}
	return NULL;
}

static void warm_locked(void)
{
	if (!hc_loaded)
		load_hostconf();
	if (!dump_buf) {
		void *m = mmap(NULL, ODM_NL_BUF, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		dump_buf = m == MAP_FAILED ? NULL : m;
	}
	if (!page)
		page = map_page();
}

/* Makes the published view current; 0 or -errno. */
static int refresh(void)
{
	const uint64_t *src = watch();
	uint64_t gen = src ? __atomic_load_n(src, __ATOMIC_ACQUIRE) : 0;
	int rc;

	__atomic_store_n(&gen_src, src, __ATOMIC_RELEASE);
	if (snap_valid && src && gen == __atomic_load_n(&fast.gen,
							__ATOMIC_RELAXED))
		return 0;
	if (!dump_buf)
		return -ENOMEM;
	best.watch = watched;
	best.nwatch = nwatched;
	rc = odm_best_read(hc, dump_buf, ODM_NL_BUF, &best);
	snap_valid = rc == 0;
	publish(snap_valid ? gen : UINT64_MAX, snap_valid);
	return rc;
}

/* The address of type the host has now: 0, or -1 when it has none usable
 * (or cannot tell). */
static int pick_local(sc_type type, unsigned want, struct in6_addr *out)
{
	int rc = refresh();

	if (rc) {
		odm_log(ODM_LOG_WARN, "cannot read the host's addresses: %s",
			strerror(-rc));
		return -1;
	}
	/* What refresh() published, as the cached path reads it. */
	return odm_engine_read_fast(odm_engine_slot(type, want), false, out)
		       ? 0 : -1;
}

static void lock(void)
{
	pthread_mutex_lock(&eng_lock);
	eng_held = 1;
}

static void unlock(void)
{
	eng_held = 0;
	pthread_mutex_unlock(&eng_lock);
}

int odm_engine_warmed;

void odm_engine_warm(void)
{
	int saved = errno;

	if (eng_held || __atomic_load_n(&odm_engine_warmed, __ATOMIC_ACQUIRE))
		return;
	odm_fork_handlers();
	lock();
	warm_locked();
	__atomic_store_n(&odm_engine_warmed, 1, __ATOMIC_RELEASE);
	unlock();
	errno = saved;
}

/* --- odmd ---------------------------------------------------------------- */

/* Asks odmd; maps its answer to a setsc() status. */
static int ask_agent(const struct odm_hc_agent *ag, sc_type type,
		     bool on_net, bool declared, struct in6_addr *out)
{
	char reason[ODMD_REASON_MAX + 1] = "";
	int rc = odm_agent_request(ag, type, on_net, out, reason, sizeof reason);

	if (rc == ODMD_ST_OK) {
		odm_engine_invalidate(); /* the new address is there: re-read */
		return 0;
	}
	if (rc < 0)
		odm_log(ODM_LOG_WARN, "%s: odmd at %s: %s", odm_type_name(type),
			ag->socket, rc == -ETIMEDOUT ? "no answer in time"
						     : strerror(-rc));
	else
		odm_log(ODM_LOG_WARN, "%s: odmd says %s%s%s",
			odm_type_name(type),
			rc == ODMD_ST_NOT_SUPPORTED ? "the network does not offer it"
			: rc == ODMD_ST_DENIED      ? "denied"
						    : "no",
			reason[0] ? ": " : "", reason);
	if (rc == ODMD_ST_NOT_SUPPORTED && !declared)
		return EAI_REQUIREDIPNOTSUPPORTED;
	return EAI_REQUIREDIPFAILED;
}

int odm_engine_pick_slow(sc_type type, unsigned want, bool dry,
			 struct in6_addr *out)
{
	struct odm_hc_agent agent;
	bool declared, on_net = want & ODM_WANT_ON_NET;

	if (eng_held) {
		/* A signal handler interrupted this thread inside the engine:
		 * the last published view, whatever its age. */
		return !on_net && odm_engine_read_fast(odm_engine_slot(type, want),
						       false, out)
			       ? 0 : EAI_REQUIREDIPFAILED;
	}
	odm_fork_handlers();
	lock();
	warm_locked();
	declared = hc->types_declared & (1u << type);
	agent = hc->agent;
	if (!declared && !agent.configured) {
		unlock();
		return EAI_REQUIREDIPNOTSUPPORTED;
	}
	if (!on_net && pick_local(type, want, out) == 0) {
		unlock();
		return 0;
	}
	unlock();
	/* Only odmd can get more: asked without holding the lock. */
	if (agent.configured)
		return dry ? ODM_ASK_ODMD
			   : ask_agent(&agent, type, on_net, declared, out);
	if (on_net)
		odm_log(ODM_LOG_WARN, "%s: on-net needs a fresh prefix from the "
			"network, and no agent is configured to ask for one",
			odm_type_name(type));
	return EAI_REQUIREDIPFAILED;
}

void odm_engine_invalidate(void)
{
	if (eng_held)
		return;
	lock();
	snap_valid = false;
	/* No generation matches: the next pick rebuilds. The answers stay
	 * for a signal handler that interrupts the rebuild. */
	publish(UINT64_MAX, true);
	unlock();
}

/* --- own addresses -------------------------------------------------------- */

int odm_engine_own_ask(sc_type type, uint32_t rotate_s, uint64_t rotate_bytes,
		       struct in6_addr *out)
{
	char reason[ODMD_REASON_MAX + 1] = "";
	struct odm_hc_agent agent;
	int rc;

	if (eng_held)
		return EAI_REQUIREDIPFAILED;
	odm_fork_handlers();
	lock();
	warm_locked();
	agent = hc->agent;
	unlock();
	if (!agent.configured) {
		odm_log(ODM_LOG_WARN, "%s: an address of its own needs odmd, "
			"and no agent is configured", odm_type_name(type));
		return EAI_REQUIREDIPFAILED;
	}
	rc = odm_agent_own(&agent, type, ODMD_REQ_OWN, rotate_s, rotate_bytes,
			   out, reason, sizeof reason);
	if (rc == ODMD_ST_OK) {
		odm_engine_invalidate(); /* the new address is there */
		return 0;
	}
	odm_log(ODM_LOG_WARN, "%s: odmd gives no address of its own: %s",
		odm_type_name(type), rc < 0 ? strerror(-rc) : reason);
	return rc == ODMD_ST_NOT_SUPPORTED ? EAI_REQUIREDIPNOTSUPPORTED
					   : EAI_REQUIREDIPFAILED;
}

bool odm_engine_own_usable(const struct in6_addr *a, uint64_t *gen)
{
	size_t i;
	bool ok = false, fresh = false;

	if (eng_held)
		return false;
	odm_fork_handlers();
	lock();
	warm_locked();
	for (i = 0; i < nwatched; i++)
		if (!memcmp(&watched[i], a, sizeof *a))
			break;
	if (i == nwatched) { /* watched from now on: the view must say */
		i = nwatched < WATCH_MAX ? nwatched++ : next_watch++ % WATCH_MAX;
		watched[i] = *a;
		snap_valid = false;
	}
	if (refresh() == 0) {
		ok = best.watch_ok[i];
		fresh = true;
	}
	if (fresh && gen)
		*gen = __atomic_load_n(&fast.gen, __ATOMIC_RELAXED);
	unlock();
	return ok;
}

/* --- for the tools ------------------------------------------------------- */

int odm_engine_list(struct odm_typed_addr **out, size_t *n)
{
	struct odm_nladdr *all;
	size_t nall;
	int rc;

	lock();
	warm_locked();
	rc = odm_nl_dump_addrs(&odm_nl_real_io, &all, &nall);
	if (!rc) {
		*out = malloc((nall ? nall : 1) * sizeof **out);
		if (*out)
			*n = odm_classify(hc, all, nall, *out);
		else
			rc = -ENOMEM;
		free(all);
	}
	unlock();
	return rc;
}

const struct odm_hostconf *odm_engine_hostconf(bool *broken)
{
	lock();
	warm_locked();
	if (broken)
		*broken = hc_broken;
	unlock();
	return hc;
}

const char *odm_engine_watch_name(void)
{
	const uint64_t *src = __atomic_load_n(&gen_src, __ATOMIC_ACQUIRE);

	return !src ? "none" : src == &odm_nl_gen ? "monitor thread" : "odmd page";
}
