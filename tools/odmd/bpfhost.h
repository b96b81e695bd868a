/* bpfhost.h: odmd's side of the cgroup BPF path (bpf/odm.bpf.c): in the
 * root parent, it loads the programs, pins what `odm run` attaches to a
 * program's cgroup (and the maps) under agent.bpf, attaches the guard of
 * premium addresses to the root cgroup, and keeps the maps of the host's
 * typed addresses current by following the kernel's address events. */
#ifndef ODMD_BPFHOST_H
#define ODMD_BPFHOST_H

#include "hostconf.h"

/* Starts it, unless agent.bpf is "" or the kernel cannot (logged once):
 * the netlink socket to poll, or -1. */
int bpfhost_start(const struct odm_hostconf *hc);

/* The socket is readable: the maps follow the host's addresses. */
void bpfhost_on_event(void);

/* Detaches the guard and removes the pins: programs already attached to a
 * cgroup keep their last view of the addresses. */
void bpfhost_stop(void);

#endif
