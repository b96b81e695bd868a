/* agent.h: the engine's side of odmd, the host agent: one request for an
 * address of a type, one reply, within the configured timeout. */
#ifndef ODM_AGENT_H
#define ODM_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include "hostconf.h"

/* Asks odmd (at ag->socket) for an address of type; on_net asks for a fresh
 * prefix. Returns an ODMD_ST_* status (>= 0) with *out set on ODMD_ST_OK
 * and reason holding odmd's words otherwise, or -errno when odmd could not
 * be asked or did not answer in ag->timeout_ms (-ETIMEDOUT). Never blocks
 * longer; uses only odm_real for hooked calls. */
int odm_agent_request(const struct odm_hc_agent *ag, sc_type type,
		      bool on_net, struct in6_addr *out, char *reason,
		      size_t rlen);

#endif
