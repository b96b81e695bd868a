/* status.c: STATUS answers (status.h). */
#include <string.h>
#include "lease.h"
#include "life.h"
#include "status.h"

static void entry(const struct lease *l, unsigned version, struct odmd_entry *e)
{
	memset(e, 0, sizeof *e);
	e->addr = l->addr;
	e->type = (uint8_t)l->type;
	e->plen = (uint8_t)l->plen;
	e->ifindex = (uint32_t)l->ifindex;
	e->preferred = l->state == ODMD_LEASE_DEPRECATED
			       ? 0 : life_secs_left(l->preferred_until, 0);
	e->valid = life_secs_left(l->valid_until, 0);
	e->flags = ODMD_ENT_ODMD | (e->preferred == 0 ? ODMD_ENT_DEPRECATED : 0) |
		   (l->sockets ? ODMD_ENT_IN_USE : 0);
	if (version == ODMD_PROTO_V1)
		return;
	e->flags |= (l->flags & LEASE_CURRENT ? ODMD_ENT_CURRENT : 0) |
		    (l->flags & LEASE_RELEASABLE ? ODMD_ENT_RELEASABLE : 0);
	e->owner = l->owner;
	e->age = (uint32_t)((W.now - l->granted) / 1000);
	e->renew = l->renew_at == NEVER || l->renewing
			   ? ODMD_LIFETIME_INFINITE : life_secs_left(l->renew_at, 0);
	e->sockets = l->sockets > 0xffff ? 0xffff : (uint16_t)l->sockets;
	e->state = l->state;
	if (version == ODMD_PROTO_V2)
		return;
	e->bytes = l->bytes;
	e->rotate = !l->rotate_at || (l->flags & LEASE_RETIRED)
			    ? ODMD_LIFETIME_INFINITE
			    : life_secs_left(l->rotate_at, 0);
}

void status_send(struct client *c, const struct odmd_msg *req)
{
	unsigned v = req->version,
		 max = v == ODMD_PROTO_V1 ? ODMD_STATUS_MAX_V1
		       : v == ODMD_PROTO_V2 ? ODMD_STATUS_MAX_V2 : ODMD_STATUS_MAX;
	bool all = c->cred.uid == 0;
	uint64_t id = c->id;
	struct odmd_msg r;
	const struct lease *l = lease_first();

	memset(&r, 0, sizeof r);
	r.version = (uint8_t)v;
	r.kind = ODMD_K_STATUS_REPLY;
	r.id = req->id;
	do {
		r.st.count = 0;
		for (; l && r.st.count < max; l = lease_next(l))
			entry(l, v, &r.st.e[r.st.count++]);
		r.st.flags = l ? ODMD_STATUS_MORE : 0;
		client_send(c, &r);
		if (!client_find(id))
			return; /* it does not read */
	} while (l);
	if (v == ODMD_PROTO_V1 || !(req->stq.flags & ODMD_STQ_SOCKETS))
		return;
	memset(&r, 0, sizeof r);
	r.version = (uint8_t)v;
	r.kind = ODMD_K_SOCKETS_REPLY;
	r.id = req->id;
	for (l = lease_first(); l; l = lease_next(l))
		for (unsigned i = 0; i < l->nsocks; i++) {
			if (!all && l->socks[i].uid != c->cred.uid)
				continue;
			r.socks.s[r.socks.count++] = l->socks[i];
			if (r.socks.count == ODMD_SOCKETS_MAX) {
				r.socks.flags = ODMD_STATUS_MORE;
				client_send(c, &r);
				if (!client_find(id))
					return;
				r.socks.count = 0;
			}
		}
	r.socks.flags = 0;
	client_send(c, &r);
}
