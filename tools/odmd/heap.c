/* heap.c: the timer heap. */
#include <stdlib.h>
#include "heap.h"

static void place(struct heap *h, size_t i, struct timer *t)
{
	h->v[i] = t;
	t->pos = i;
}

static void up(struct heap *h, size_t i)
{
	struct timer *t = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent]->due <= t->due)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void down(struct heap *h, size_t i)
{
	struct timer *t = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->due < h->v[c]->due)
			c++;
		if (h->v[c]->due >= t->due)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

int heap_set(struct heap *h, struct timer *t, uint64_t due)
{
	if (t->pos != HEAP_NONE) {
		uint64_t old = t->due;

		t->due = due;
		if (due < old)
			up(h, t->pos);
		else
			down(h, t->pos);
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct timer **v = realloc(h->v, cap * sizeof *v);

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	t->due = due;
	place(h, h->n++, t);
	up(h, t->pos);
	return 0;
}

void heap_del(struct heap *h, struct timer *t)
{
	size_t i = t->pos;
	struct timer *last;

	if (i == HEAP_NONE)
		return;
	t->pos = HEAP_NONE;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	place(h, i, last);
	if (i > 0 && h->v[(i - 1) / 2]->due > last->due)
		up(h, i);
	else
		down(h, i);
}

void heap_free(struct heap *h)
{
	free(h->v);
	*h = (struct heap){ 0 };
}
