/* SPDX-License-Identifier: MIT */
/* The bus: sorted device ranges, one lock, one access function. */
#include <string.h>

#include "err.h"
#include "vm/bus.h"

void la_bus_init(struct la_bus *b)
{
	pthread_mutexattr_t a;

	memset(b, 0, sizeof(*b));
	/* recursive: a PCI config access (on this bus or under it) moves BARs
	 * on it; la_bus_access does not touch the device after its handler */
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&b->lock, &a);
	pthread_mutexattr_destroy(&a);
}

void la_bus_destroy(struct la_bus *b)
{
	pthread_mutex_destroy(&b->lock);
}

/* Index of the first device starting above addr (binary search). */
static unsigned la_bus_upper(const struct la_bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (b->d[mid].r.start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The device whose range holds addr, NULL if none. */
static const struct la_bus_dev *la_bus_find(const struct la_bus *b, uint64_t addr)
{
	unsigned i = la_bus_upper(b, addr);

	return i > 0 && addr <= b->d[i - 1].r.end ? &b->d[i - 1] : NULL;
}

int la_bus_add(struct la_bus *b, const char *name, struct la_range r,
	       const struct la_bus_ops *ops, void *ctx)
{
	unsigned i;
	int err = 0;

	if (la_range_is_empty(r))
		return -LA_ERR_RANGE;
	pthread_mutex_lock(&b->lock);
	i = la_bus_upper(b, r.start);
	if ((i > 0 && la_range_overlaps(b->d[i - 1].r, r)) ||
	    (i < b->n && la_range_overlaps(b->d[i].r, r)))
		err = -LA_ERR_OVERLAP;
	else if (b->n >= LA_BUS_MAX)
		err = -LA_ERR_TOOMANY;
	if (!err) {
		memmove(&b->d[i + 1], &b->d[i], (b->n - i) * sizeof(b->d[0]));
		b->d[i] = (struct la_bus_dev){ name, r, ops, ctx };
		b->n++;
	}
	pthread_mutex_unlock(&b->lock);
	return err;
}

int la_bus_remove(struct la_bus *b, struct la_range r)
{
	unsigned i;
	int err = -LA_ERR_NOTFOUND;

	pthread_mutex_lock(&b->lock);
	i = la_bus_upper(b, r.start);
	if (i > 0 && b->d[i - 1].r.start == r.start && b->d[i - 1].r.end == r.end) {
		memmove(&b->d[i - 1], &b->d[i], (b->n - i) * sizeof(b->d[0]));
		b->n--;
		err = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return err;
}

bool la_bus_access(struct la_bus *b, uint64_t addr, bool write, uint8_t *data, unsigned size)
{
	const struct la_bus_dev *d;

	pthread_mutex_lock(&b->lock);
	d = la_bus_find(b, addr);
	if (d && write && d->ops->write)
		d->ops->write(d->ctx, addr - d->r.start, data, size);
	else if (d && !write && d->ops->read)
		d->ops->read(d->ctx, addr - d->r.start, data, size);
	else if (!write)
		memset(data, 0xff, size);
	pthread_mutex_unlock(&b->lock);
	return d != NULL;
}
