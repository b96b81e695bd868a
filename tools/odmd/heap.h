/* heap.h: a binary min-heap of timers, each embedded in the object it
 * times (a lease, a client), which keeps its own position so it can be
 * moved or removed in O(log n). odmd's event loop sleeps until the top. */
#ifndef ODMD_HEAP_H
#define ODMD_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_NONE ((size_t)-1)
#define NEVER UINT64_MAX

enum timer_kind { TIMER_LEASE = 1, TIMER_CLIENT };

struct timer {
	uint64_t due;   /* ms, CLOCK_MONOTONIC */
	size_t pos;     /* index in the heap, HEAP_NONE when not in it */
	uint8_t kind;   /* enum timer_kind: whose timer it is */
};

struct heap {
	struct timer **v;
	size_t n, cap;
};

static inline void timer_init(struct timer *t, enum timer_kind kind)
{
	t->due = 0;
	t->pos = HEAP_NONE;
	t->kind = (uint8_t)kind;
}

static inline bool timer_armed(const struct timer *t)
{
	return t->pos != HEAP_NONE;
}

/* Puts t in h due at `due`, or moves it there. -1 when out of memory. */
int heap_set(struct heap *h, struct timer *t, uint64_t due);

/* Takes t out of h (no-op if it is not in). */
void heap_del(struct heap *h, struct timer *t);

/* The earliest timer, or NULL when h is empty. */
static inline struct timer *heap_top(const struct heap *h)
{
	return h->n ? h->v[0] : NULL;
}

void heap_free(struct heap *h);

#endif
