/* backend_sim.c: the built-in network simulator. The network offers some
 * types (odm.conf network.offer) and hands out /64 prefixes of each from
 * its pools: next-fit, so a prefix handed back is not handed out again at
 * once (after a move the host gets a new prefix, as from a real network),
 * and a pool is exhausted only when every /64 of it is out. Lifetimes are
 * the pool's; a renewal always succeeds; `odm move` is a move. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "lease.h"
#include "life.h"
#include "proto.h"
#include "uth.h"

struct out64 {
	uint64_t key;            /* pool index << 48 | /64 index in the pool */
	UT_hash_handle hh;
};

struct sim {
	uint64_t cursor[64];     /* per pool: where the next search starts */
	uint64_t nout[64];       /* per pool: /64s out */
	struct out64 *out;
};

#define SIM_MAX_POOLS 64

/* How many /64s pool p holds (capped at 2^40: more is never exhausted). */
static uint64_t pool_size(const struct odm_hc_pool *p)
{
	unsigned bits = 64 - p->p.len;

	return bits >= 40 ? (uint64_t)1 << 40 : (uint64_t)1 << bits;
}

static uint64_t key_of(size_t pool, uint64_t index)
{
	return (uint64_t)pool << 48 | index;
}

static void nth_64(const struct odm_hc_pool *p, uint64_t index,
		   struct in6_addr *out)
{
	uint64_t hi = 0;

	for (int i = 0; i < 8; i++)
		hi = hi << 8 | p->p.net.s6_addr[i];
	hi |= index;
	memset(out, 0, sizeof *out);
	for (int i = 7; i >= 0; i--, hi >>= 8)
		out->s6_addr[i] = (uint8_t)hi;
}

/* The pool and index of a /64, or -1. */
static int locate(const struct odm_hc_network *net, const struct in6_addr *pfx,
		  unsigned plen, size_t *pool, uint64_t *index)
{
	if (plen != 64)
		return -1;
	for (size_t i = 0; i < net->npools && i < SIM_MAX_POOLS; i++) {
		const struct odm_hc_pool *p = &net->pools[i];
		uint64_t hi = 0, mask;

		if (!odm_prefix_contains(&p->p.net, p->p.len, pfx))
			continue;
		for (int k = 0; k < 8; k++)
			hi = hi << 8 | pfx->s6_addr[k];
		mask = p->p.len == 0 ? ~0ull : (((uint64_t)1 << (64 - p->p.len)) - 1);
		*pool = i;
		*index = hi & mask;
		return 0;
	}
	return -1;
}

static bool is_out(struct sim *s, uint64_t key)
{
	struct out64 *o;

	HASH_FIND(hh, s->out, &key, sizeof key, o);
	return o != NULL;
}

static int mark_out(struct sim *s, size_t pool, uint64_t index)
{
	struct out64 *o;
	uint64_t key = key_of(pool, index);

	if (is_out(s, key))
		return 0;
	if (!(o = calloc(1, sizeof *o)))
		return -1;
	o->key = key;
	if (!UTH_ADDED(HASH_ADD(hh, s->out, key, sizeof o->key, o))) {
		free(o);
		return -1;
	}
	s->nout[pool]++;
	return 0;
}

static void fill(const struct odm_hc_pool *p, struct grant *g)
{
	g->plen = 64;
	g->valid = p->lifetime_s;
	g->preferred = p->preferred_s;
	snprintf(g->link, sizeof g->link, "%s", p->link);
}

static void sim_request(struct backend *b, sc_type type, backend_done *done,
			void *arg)
{
	struct sim *s = b->state;
	const struct odm_hc_network *net = b->net;
	bool pool_of_type = false;
	char reason[ODMD_REASON_MAX + 1];
	struct grant g;

	if (!(net->offer & (1u << type))) {
		snprintf(reason, sizeof reason, "the network does not offer "
			 "%s addresses", odm_type_name(type));
		done(arg, ODMD_ST_NOT_SUPPORTED, NULL, reason);
		return;
	}
	for (size_t i = 0; i < net->npools && i < SIM_MAX_POOLS; i++) {
		const struct odm_hc_pool *p = &net->pools[i];
		uint64_t size = pool_size(p), idx;

		if (p->p.type != type)
			continue;
		pool_of_type = true;
		if (s->nout[i] >= size)
			continue;
		/* Next fit: the first /64 not out from the cursor on. */
		idx = s->cursor[i] % size;
		while (is_out(s, key_of(i, idx)))
			idx = (idx + 1) % size;
		if (mark_out(s, i, idx)) {
			done(arg, ODMD_ST_FAILED, NULL, "out of memory");
			return;
		}
		s->cursor[i] = idx + 1;
		memset(&g, 0, sizeof g);
		nth_64(p, idx, &g.prefix);
		fill(p, &g);
		done(arg, ODMD_ST_OK, &g, "");
		return;
	}
	snprintf(reason, sizeof reason, pool_of_type ? "the %s pools are "
		 "exhausted" : "no pool of %s prefixes", odm_type_name(type));
	done(arg, ODMD_ST_FAILED, NULL, reason);
}

static void sim_renew(struct backend *b, const struct lease *l,
		      backend_done *done, void *arg)
{
	struct sim *s = b->state;
	struct grant g;
	size_t pool;
	uint64_t idx;

	if (locate(b->net, &l->prefix, l->plen, &pool, &idx)) {
		done(arg, ODMD_ST_FAILED, NULL, "not a prefix of this network");
		return;
	}
	mark_out(s, pool, idx);
	memset(&g, 0, sizeof g);
	g.prefix = l->prefix;
	fill(&b->net->pools[pool], &g);
	done(arg, ODMD_ST_OK, &g, "");
}

static void sim_release(struct backend *b, const struct lease *l)
{
	struct sim *s = b->state;
	struct out64 *o;
	size_t pool;
	uint64_t idx, key;

	if (locate(b->net, &l->prefix, l->plen, &pool, &idx))
		return;
	key = key_of(pool, idx);
	HASH_FIND(hh, s->out, &key, sizeof key, o);
	if (!o)
		return;
	HASH_DEL(s->out, o);
	free(o);
	s->nout[pool]--;
}

static void sim_adopt(struct backend *b, const struct lease *l)
{
	struct sim *s = b->state;
	size_t pool;
	uint64_t idx;

	if (locate(b->net, &l->prefix, l->plen, &pool, &idx))
		return;
	mark_out(s, pool, idx);
	if (idx + 1 > s->cursor[pool])
		s->cursor[pool] = idx + 1;
}

static int sim_move(struct backend *b)
{
	(void)b;
	net_move();
	return 0;
}

static void sim_tick(struct backend *b)
{
	(void)b;
}

static void sim_close(struct backend *b)
{
	struct sim *s = b->state;
	struct out64 *o, *tmp;

	HASH_ITER(hh, s->out, o, tmp) {
		HASH_DEL(s->out, o);
		free(o);
	}
	free(s);
	free(b);
}

struct backend *backend_sim_open(const struct odm_hc_network *net, char *err,
				 size_t errlen)
{
	struct backend *b = calloc(1, sizeof *b);
	struct sim *s = calloc(1, sizeof *s);

	if (!b || !s) {
		free(b);
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (net->npools > SIM_MAX_POOLS) {
		free(b);
		free(s);
		snprintf(err, errlen, "network: at most %d pools",
			 SIM_MAX_POOLS);
		return NULL;
	}
	*b = (struct backend){
		.name = "sim", .request = sim_request, .renew = sim_renew,
		.release = sim_release, .adopt = sim_adopt, .move = sim_move,
		.tick = sim_tick, .close = sim_close, .net = net, .state = s,
	};
	return b;
}

struct backend *backend_open(const struct odm_hc_network *net, char *err,
			     size_t errlen)
{
	return net->backend == ODM_BACKEND_EXEC
		       ? backend_exec_open(net, err, errlen)
		       : backend_sim_open(net, err, errlen);
}
