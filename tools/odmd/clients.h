/* clients.h: odmd's connections. No client can stall odmd: sockets are
 * non-blocking; a message must arrive whole within agent.read-timeout and
 * a connection with nothing under way is closed after agent.idle-timeout;
 * at most agent.max-clients connections, of which agent.max-clients-per-user
 * for each uid but root's (root is never locked out by others); answers a
 * client does not read are buffered up to a bound, then the connection is
 * dropped. The requests themselves are serve.c's. */
#ifndef ODMD_CLIENTS_H
#define ODMD_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "heap.h"
#include "proto.h"
#include "uth.h"
#include "worker.h"

#define CLIENT_MAX_BUSY 16       /* requests under way before odmd stops reading */
#define CLIENT_OUT_MAX (8u << 20) /* bytes of answers not yet read */

enum exe_state { EXE_UNKNOWN = 0, EXE_PENDING, EXE_KNOWN, EXE_FAILED };

struct client {
	uint64_t id;               /* never reused: answers find their client */
	struct watch w;
	struct ucred cred;         /* the connecting process, by the kernel */
	int pidfd;                 /* SO_PEERPIDFD, -1 without */
	enum exe_state exe_state;  /* the program at connect time */
	char *exe;
	bool sender_changed;       /* a message came from another process */
	uint8_t in[ODMD_MSG_MAX];
	size_t have;
	uint64_t partial_since;    /* ms: first byte of an incomplete message */
	uint64_t active;           /* ms: last request or answer */
	uint8_t *out;
	size_t outlen, outoff, outcap;
	unsigned busy;             /* requests under way */
	bool reading;              /* EPOLLIN armed */
	uint32_t events;           /* what epoll watches for it */
	struct timer timer;
	struct parked *parked;     /* requests waiting for the program's name */
	bool dead;                 /* closed: freed at the end of the turn */
	struct client *next_dead;
	UT_hash_handle hh;
};

int clients_init(int listen_fd);

struct client *client_find(uint64_t id);

/* Encodes m and queues it for c (drops c when it cannot). */
void client_send(struct client *c, const struct odmd_msg *m);

/* A request of c starts / has been answered. */
void client_busy(struct client *c);
void client_done(struct client *c);

/* Closes c; it stays readable (c->dead) until clients_reap(), and
 * client_find() no longer finds it. Answering may close a client whose
 * peer has gone: callers check c->dead after client_send(). */
void client_close(struct client *c, const char *why);

/* Frees the clients closed in this turn of the loop. */
void clients_reap(void);

/* Its timer fired. */
void client_due(struct client *c);

static inline struct client *client_of_timer(struct timer *t)
{
	return (struct client *)((char *)t - __builtin_offsetof(struct client, timer));
}

unsigned clients_count(void);

/* A STATUS answer costs odmd a walk of its table: each user but root may
 * have 10 a second (20 at once). */
bool client_may_status(struct client *c);

#endif
