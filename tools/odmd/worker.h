/* worker.h: what the modules of odmd's unprivileged worker share: the
 * configuration, the clock, the timer heap and the event loop's
 * registrations. One worker per odmd; its modules are: clients.c (the
 * connections), serve.c (the requests), life.c (each lease's life),
 * kevents.c (the kernel's address and link events), usage.c (which
 * sockets use which address), journal.c (state kept across restarts),
 * psclient.c (the parent's privileged operations), backend_*.c (the
 * network). */
#ifndef ODMD_WORKER_H
#define ODMD_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include "heap.h"
#include "hostconf.h"

struct backend;

/* A link odmd puts addresses on: the default interface, each `link`
 * section, each pool's interface. */
struct wlink {
	char name[IF_NAMESIZE];
	int ifindex;            /* 0 while it does not exist */
	bool up;
	unsigned table;         /* policy routing table, 0: none */
	struct in6_addr gateway;
};

#define MAX_LINKS 32

struct worker {
	struct odm_hostconf *hc;
	uint64_t now;           /* ms, CLOCK_MONOTONIC, at the loop's wake-up */
	int epfd;
	struct heap heap;       /* leases' and clients' timers */
	struct backend *backend;
	struct wlink links[MAX_LINKS];
	unsigned nlinks;        /* links[0] is the default interface */
	bool stopping;
};

extern struct worker W;

/* What an epoll registration stands for: its handler gets the events. */
struct watch {
	int fd;
	void (*on_event)(struct watch *w, uint32_t events);
};

/* Registers w (EPOLLIN, plus EPOLLOUT when out) or changes it; 0 or -1. */
int watch_add(struct watch *w, bool out);
int watch_mod(struct watch *w, bool out);
void watch_del(struct watch *w);

uint64_t odmd_now_ms(void);

/* The link of an ifindex, or of a name ("" the default); NULL if none. */
struct wlink *wlink_by_index(int ifindex);
struct wlink *wlink_by_name(const char *name);

/* Where the worker says it serves (one byte): a daemon's caller waits
 * for it (odmd.c); -1 when nobody does. */
extern int worker_ready_fd;

/* Runs the worker (after the parent forked it and it dropped its
 * privileges): ps_fd is its channel to the parent, listen_fd odmd's
 * socket, state_fd its state directory. Returns the exit status. */
int worker_main(struct odm_hostconf *hc, int ps_fd, int listen_fd,
		int state_fd);

#endif
