/* serve.h: the requests of odmd's clients: REQUEST (authorized for every
 * answer, held addresses included, then answered from the type's current
 * lease or with a new grant), STATUS, MOVE, RELEASE. The identity is the
 * kernel's: the uid of SO_PEERCRED, and, only where a program grant could
 * change the answer, the program behind the connection's pidfd, looked up
 * by the parent at connect time and again at the request; a connection
 * whose program changed (exec) or whose messages come from another
 * process gets no program grant. */
#ifndef ODMD_SERVE_H
#define ODMD_SERVE_H

#include "clients.h"

/* Can a program grant change any answer? (Only then does odmd look up
 * who runs behind a connection.) */
bool serve_needs_program(void);

/* A new connection: looks up its program now if grants may need it. */
void serve_connected(struct client *c);

void serve_msg(struct client *c, const struct odmd_msg *m);

/* A malformed message: an ERROR, then the connection is closed. */
void serve_protocol_error(struct client *c, int code);

/* c is being closed: what waits for it is dropped. */
void serve_forget(struct client *c);

#endif
