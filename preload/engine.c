/* engine.c: the setsc() engine. One mutex guards the host config and the
 * address snapshot; it is taken around fork() so a child never inherits it
 * locked. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include "agent.h"
#include "engine.h"
#include "fdtab.h"
#include "init.h"
#include "log.h"
#include "proto.h"
#include "real.h"

static pthread_mutex_t eng_lock = PTHREAD_MUTEX_INITIALIZER;

/* The host config, loaded once (on the heap: the shim keeps its .bss
 * small, so loading it costs no extra mapping). */
static const struct odm_hostconf hc_none = { .log_level = -1, .log_target = -1 };
static const struct odm_hostconf *hc = &hc_none;
static bool hc_loaded, hc_broken;
static struct odm_typed_addr *snap;  /* typed addresses of the last dump */
static size_t nsnap;
static int best[ODM_TYPE_MAX + 1];  /* odm_pick() per type, or -1 */
static bool snap_valid;
static uint64_t snap_gen;

/* The cached path, read without the lock: the chosen address per type and
 * the netlink generation they were read at, under a sequence counter
 * (odd while eng_lock's holder rewrites them). Every field is accessed
 * atomically. */
static struct {
	unsigned seq;
	uint64_t gen;
	uint8_t have[ODM_TYPE_MAX + 1];
	uint64_t addr[ODM_TYPE_MAX + 1][2];
} fast;

/* Called with eng_lock held: valid = false withdraws the cached path. */
static void publish(bool valid)
{
	unsigned seq = fast.seq;

	/* Fence-free (TSan understands it): a reader that sees any of the
	 * release stores below also sees the odd count. */
	__atomic_store_n(&fast.seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&fast.gen, snap_gen, __ATOMIC_RELEASE);
	for (unsigned t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++) {
		uint64_t a[2] = { 0, 0 };
		bool have = valid && best[t] >= 0;

		if (have)
			memcpy(a, &snap[best[t]].nl.addr, sizeof a);
		__atomic_store_n(&fast.have[t], have, __ATOMIC_RELEASE);
		__atomic_store_n(&fast.addr[t][0], a[0], __ATOMIC_RELEASE);
		__atomic_store_n(&fast.addr[t][1], a[1], __ATOMIC_RELEASE);
	}
	__atomic_store_n(&fast.seq, seq + 2, __ATOMIC_RELEASE);
}

/* The cached answer without the lock or a syscall: true with *out set when
 * the snapshot is current and has an address of type. */
static bool pick_fast(sc_type type, struct in6_addr *out)
{
	unsigned seq = __atomic_load_n(&fast.seq, __ATOMIC_ACQUIRE);
	uint64_t a[2];
	bool have;

	if ((seq & 1) || !odm_nl_monitor_running() ||
	    __atomic_load_n(&fast.gen, __ATOMIC_ACQUIRE) != odm_nl_generation())
		return false;
	have = __atomic_load_n(&fast.have[type], __ATOMIC_ACQUIRE);
	a[0] = __atomic_load_n(&fast.addr[type][0], __ATOMIC_ACQUIRE);
	a[1] = __atomic_load_n(&fast.addr[type][1], __ATOMIC_ACQUIRE);
	if (!have || __atomic_load_n(&fast.seq, __ATOMIC_RELAXED) != seq)
		return false;
	memcpy(out, a, sizeof a);
	return true;
}
static bool monitor_warned;

void odm_engine_fork_prepare(void) { pthread_mutex_lock(&eng_lock); }
void odm_engine_fork_parent(void) { pthread_mutex_unlock(&eng_lock); }
void odm_engine_fork_child(void) { pthread_mutex_unlock(&eng_lock); }

/* Called with eng_lock held. */
static void load_hostconf(void)
{
	const char *path = odm_hostconf_path();
	char err[512];
	struct stat st;

	hc_loaded = true;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		odm_log(ODM_LOG_INFO, "no host config %s: no typed prefixes",
			path);
		return;
	}
	struct odm_hostconf *loaded = malloc(sizeof *loaded);

	if (!loaded) {
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

/* Re-reads the kernel's addresses unless the snapshot is current.
 * Called with eng_lock held. Returns 0 or -errno. */
static int refresh(void)
{
	struct odm_nladdr *all;
	struct odm_typed_addr *typed;
	size_t n;
	uint64_t gen;
	int rc;

	if (!odm_nl_monitor_running()) {
		rc = odm_nl_monitor_start(); /* again after a fork */
		if (rc && !monitor_warned) {
			monitor_warned = true;
			odm_log(ODM_LOG_WARN, "no netlink monitor (%s): every "
				"setsc() asks the kernel", strerror(-rc));
		}
	}
	gen = odm_nl_generation();
	if (snap_valid && gen == snap_gen && odm_nl_monitor_running())
		return 0;
	rc = odm_nl_dump_addrs(&odm_nl_real_io, &all, &n);
	if (rc)
		return rc;
	typed = malloc((n ? n : 1) * sizeof *typed);
	if (!typed) {
		free(all);
		return -ENOMEM;
	}
	free(snap);
	snap = typed;
	nsnap = odm_classify(hc, all, n, typed);
	free(all);
	for (unsigned t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++)
		best[t] = odm_pick(snap, nsnap, (sc_type)t);
	snap_gen = gen;
	snap_valid = true;
	publish(true);
	return 0;
}

static void ensure_loaded(void)
{
	odm_fork_handlers();
	if (!hc_loaded)
		load_hostconf();
}

/* The address of type the host has now: 0, or -1 when it has none usable
 * (or cannot tell). Called with eng_lock held. */
static int pick_local(sc_type type, struct in6_addr *out)
{
	int rc = refresh();

	if (rc) {
		odm_log(ODM_LOG_WARN, "cannot read the host's addresses: %s",
			strerror(-rc));
		return -1;
	}
	if (best[type] < 0)
		return -1;
	*out = snap[best[type]].nl.addr;
	return 0;
}

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

int odm_engine_pick(sc_type type, bool on_net, struct in6_addr *out)
{
	struct odm_hc_agent agent;
	bool declared;

	if (!on_net && pick_fast(type, out))
		return 0;
	pthread_mutex_lock(&eng_lock);
	ensure_loaded();
	declared = hc->types_declared & (1u << type);
	agent = hc->agent;
	if (!declared && !agent.configured) {
		pthread_mutex_unlock(&eng_lock);
		return EAI_REQUIREDIPNOTSUPPORTED;
	}
	if (!on_net && pick_local(type, out) == 0) {
		pthread_mutex_unlock(&eng_lock);
		return 0;
	}
	pthread_mutex_unlock(&eng_lock);
	/* Only odmd can get more: ask it without holding the lock. */
	if (agent.configured)
		return ask_agent(&agent, type, on_net, declared, out);
	if (on_net)
		odm_log(ODM_LOG_WARN, "%s: on-net needs a fresh prefix from the "
			"network, and no agent is configured to ask for one",
			odm_type_name(type));
	return EAI_REQUIREDIPFAILED;
}

void odm_engine_invalidate(void)
{
	pthread_mutex_lock(&eng_lock);
	snap_valid = false;
	publish(false);
	pthread_mutex_unlock(&eng_lock);
}

int odm_engine_list(struct odm_typed_addr **out, size_t *n)
{
	int rc;

	pthread_mutex_lock(&eng_lock);
	ensure_loaded();
	snap_valid = false;
	rc = refresh();
	if (!rc) {
		*out = malloc((nsnap ? nsnap : 1) * sizeof **out);
		if (*out) {
			memcpy(*out, snap, nsnap * sizeof **out);
			*n = nsnap;
		} else {
			rc = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&eng_lock);
	return rc;
}

const struct odm_hostconf *odm_engine_hostconf(bool *broken)
{
	pthread_mutex_lock(&eng_lock);
	ensure_loaded();
	if (broken)
		*broken = hc_broken;
	pthread_mutex_unlock(&eng_lock);
	return hc;
}

int odm_engine_setsc(int fd, struct in6_addr *out, sc_type type)
{
	struct odm_fdstate st;
	char text[INET6_ADDRSTRLEN];
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
		errno = EAFNOSUPPORT;
		return -1;
	}
	status = odm_engine_pick(type, st.bits & ODM_FD_ONNET, out);
	if (status == 0) {
		st.bits |= ODM_FD_HASADDR;
		st.type = type;
		st.addr = *out;
		odm_fdtab_put(fd, &st);
		if (odm_log_enabled(ODM_LOG_DEBUG))
			odm_log_write(ODM_LOG_DEBUG, "fd %d setsc %s -> %s", fd,
				      odm_type_name(type),
				      inet_ntop(AF_INET6, out, text,
						sizeof text));
	} else {
		odm_log(ODM_LOG_INFO, "fd %d setsc %s: %s", fd,
			odm_type_name(type), odm_strerror(status));
	}
	errno = saved;
	return status;
}
