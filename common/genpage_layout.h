/* genpage_layout.h: the page odmd publishes beside its socket (SOCKET.gen, mode
 * 0644, owned by root): a counter it bumps whenever an address that has a
 * type appears, changes or goes, and a heartbeat. Every engine on the host
 * maps it read-only and knows by one load whether its view of the typed
 * addresses is still current, with no thread and no syscall of its own.
 * An engine that finds no live page watches netlink itself (a thread). */
#ifndef ODM_GENPAGE_LAYOUT_H
#define ODM_GENPAGE_LAYOUT_H

#include <stdint.h>

#define ODM_GENPAGE_MAGIC   0x676d646fu /* "odmg" */
#define ODM_GENPAGE_VERSION 1
#define ODM_GENPAGE_SIZE    4096
#define ODM_GENPAGE_SUFFIX  ".gen"
#define ODM_GENPAGE_STALE_S 5 /* a heartbeat older than this: odmd is gone */

struct odm_genpage {
	uint32_t magic;
	uint32_t version;
	uint64_t gen;   /* bumped on every change of a typed address */
	uint64_t beat;  /* CLOCK_MONOTONIC seconds of odmd's last tick */
	uint32_t pid;   /* odmd's */
	uint32_t live;  /* 1 while odmd runs; 0 once it has stopped */
};

#endif
