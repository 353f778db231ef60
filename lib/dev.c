/* SPDX-License-Identifier: MIT */
/* The IO bus: port ranges to devices. */
#include <string.h>

#include "dev.h"
#include "err.h"

void la_iobus_init(struct la_iobus *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
}

int la_iobus_add(struct la_iobus *b, const struct la_io_dev *d)
{
	if (b->n >= LA_IOBUS_MAX)
		return -LA_ERR_TOOMANY;
	for (unsigned i = 0; i < b->n; i++) {
		const struct la_io_dev *o = &b->d[i];

		if (d->base < o->base + o->len && o->base < d->base + d->len)
			return -LA_ERR_OVERLAP;
	}
	b->d[b->n++] = *d;
	return 0;
}

void la_iobus_io(struct la_iobus *b, uint16_t port, bool write, uint8_t *data, unsigned size)
{
	pthread_mutex_lock(&b->lock);
	for (unsigned i = 0; i < b->n; i++) {
		const struct la_io_dev *d = &b->d[i];

		if (port < d->base || port >= d->base + d->len)
			continue;
		if (write && d->write)
			d->write(d->ctx, (uint16_t)(port - d->base), data, size);
		else if (!write && d->read)
			d->read(d->ctx, (uint16_t)(port - d->base), data, size);
		else if (!write)
			memset(data, 0xff, size);
		pthread_mutex_unlock(&b->lock);
		return;
	}
	if (!write)
		memset(data, 0xff, size);
	pthread_mutex_unlock(&b->lock);
}
