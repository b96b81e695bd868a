/* agent.h: the engine's side of odmd, the host agent: one request for an
 * address of a type, one reply, within the configured timeout. */
#ifndef ODM_AGENT_H
#define ODM_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hostconf.h"

/* Asks odmd (at ag->socket) for an address of type; on_net asks for a fresh
 * prefix. Returns an ODMD_ST_* status (>= 0) with *out set on ODMD_ST_OK
 * and reason holding odmd's words otherwise, or -errno when odmd could not
 * be asked or did not answer in ag->timeout_ms (-ETIMEDOUT). Never blocks
 * longer; uses only odm_real for hooked calls. */
int odm_agent_request(const struct odm_hc_agent *ag, sc_type type,
		      bool on_net, struct in6_addr *out, char *reason,
		      size_t rlen);

/* The same with the request's flags (ODMD_REQ_ON_NET, ODMD_REQ_OWN: an
 * address of the caller's own in the type's current prefix, rotated by
 * odmd after rotate_s seconds or rotate_bytes TCP bytes, 0 for never). */
int odm_agent_own(const struct odm_hc_agent *ag, sc_type type, unsigned flags,
		  uint32_t rotate_s, uint64_t rotate_bytes, struct in6_addr *out,
		  char *reason, size_t rlen);

#endif
