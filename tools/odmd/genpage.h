/* genpage.h: odmd's side of the generation page (common/genpage.h): made
 * by the root parent before the worker forks, so both share the mapping;
 * the worker bumps it on every change of a typed address and beats it
 * each loop turn, the parent says when odmd has stopped. */
#ifndef ODMD_GENPAGE_H
#define ODMD_GENPAGE_H

#include <stdbool.h>
#include "nl.h"

struct odm_hostconf;

/* SOCKET.gen: made (or taken over, keeping its count) and mapped; 0, or
 * -1 after logging why (odmd then runs without it: engines watch netlink
 * themselves). */
int genpage_open(const char *socket_path);

/* Does a change of this address concern the engines (is it typed, by
 * odmd's mark or by the host config)? */
bool genpage_typed(const struct odm_hostconf *hc, const struct odm_nladdr *a);

void genpage_bump(void);
void genpage_beat(void);

/* odmd is stopping: engines go back to watching on their own. */
void genpage_close(void);

#endif
