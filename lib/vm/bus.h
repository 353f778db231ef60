/* SPDX-License-Identifier: MIT */
/*
 * One bus type for IO ports and MMIO: address ranges (64-bit, inclusive,
 * lib/range.h) to devices. A device is a struct la_bus_ops and its ctx; it
 * sees offsets inside its range and never knows which bus it sits on, so
 * the 16550 is the same device at IO port 0x3f8 (x86_64) and at MMIO
 * address 0x3f8 (aarch64, riscv64).
 */
#ifndef LA_VM_BUS_H
#define LA_VM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "range.h"

/* A device's registers: off is bytes from the start of its range, size
 * 1, 2, 4 or 8 bytes; a read fills data[0..size). Either may be NULL: an
 * absent read gives all ones, an absent write is ignored. Called with the
 * bus lock held. */
struct la_bus_ops {
	void (*read)(void *ctx, uint64_t off, uint8_t *data, unsigned size);
	void (*write)(void *ctx, uint64_t off, const uint8_t *data, unsigned size);
};

struct la_bus_dev {
	const char *name;             /* static text, for messages */
	struct la_range r;
	const struct la_bus_ops *ops;
	void *ctx;
};

#define LA_BUS_MAX 64

struct la_bus {
	/* one lock for every device on the bus: they are slow paths. Held
	 * around each handler; take it to touch a device's state from outside
	 * the bus (console input into a UART). Recursive: a handler may add
	 * and remove devices (a PCI BAR the guest moves). */
	pthread_mutex_t lock;
	unsigned n;
	struct la_bus_dev d[LA_BUS_MAX];  /* sorted by start */
};

/* la_bus_init - an empty bus. */
void la_bus_init(struct la_bus *b);

/* la_bus_destroy - release the lock; the bus must be idle. */
void la_bus_destroy(struct la_bus *b);

/* la_bus_add - put a device (ops, ctx) at range r; name is static text.
 * returns: 0, -LA_ERR_OVERLAP (r meets a device's range),
 * -LA_ERR_TOOMANY (LA_BUS_MAX devices), -LA_ERR_RANGE (r is empty) */
int la_bus_add(struct la_bus *b, const char *name, struct la_range r,
	       const struct la_bus_ops *ops, void *ctx);

/* la_bus_remove - take away the device at exactly range r (hot-unplug, a
 * BAR the guest moves). returns: 0, -LA_ERR_NOTFOUND */
int la_bus_remove(struct la_bus *b, struct la_range r);

/* la_bus_access - one access of size bytes (1, 2, 4 or 8) at addr. An
 * unclaimed read gives all-ones bytes, an unclaimed write is ignored.
 * returns: true if a device's range holds addr */
bool la_bus_access(struct la_bus *b, uint64_t addr, bool write, uint8_t *data, unsigned size);

#endif
