/* journal.h: odmd's state across restarts: one line per lease change
 * appended to odmd.journal in the state directory, written once per turn
 * of the event loop and compacted when it has grown to several times the
 * table. A restarted odmd reads back owners, flags, states and lease times
 * (CLOCK_MONOTONIC: a journal of an earlier boot, told by the boot id, is
 * ignored). The format is in docs/odmd-protocol.md's last section. */
#ifndef ODMD_JOURNAL_H
#define ODMD_JOURNAL_H

#include <net/if.h>
#include <stdint.h>
#include "lease.h"

/* One lease as the journal last had it. */
struct jrec {
	struct in6_addr addr;
	unsigned plen;
	char link[IF_NAMESIZE];
	sc_type type;
	uint32_t owner;
	unsigned flags;
	uint8_t state;
	uint64_t granted, valid_until, preferred_until;
	uint32_t backend_id;
};

/* Opens the journal in the state directory dirfd and reads it: each(rec,
 * arg) for every lease it holds. 0, or -errno (the journal is then
 * started afresh). */
int journal_open(int dirfd, void (*each)(const struct jrec *r, void *arg),
		 void *arg);

/* The lease as it is now / gone. Buffered until journal_flush(). */
void journal_put(const struct lease *l);
void journal_drop(const struct in6_addr *addr);

/* A new journal holding the table as it is now, in place of the old
 * (after a start, and when the journal has grown). */
void journal_rewrite(void);

/* Writes what is buffered (and compacts when it is time). */
void journal_flush(void);

#endif
