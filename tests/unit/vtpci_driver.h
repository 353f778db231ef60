/* SPDX-License-Identifier: MIT */
/* The driver's side of the unit tests of the virtio PCI transport and its
 * devices (test_vtpci, test_vhost, test_vnet): BAR 0 read and written as a
 * guest would (little-endian, size bytes at off). */
#ifndef LA_TEST_VTPCI_DRIVER_H
#define LA_TEST_VTPCI_DRIVER_H

#include "bytes.h"
#include "virtio/transport.h"

static inline uint64_t rd(struct la_vtpci *t, unsigned off, unsigned size)
{
	uint8_t d[8] = { 0 };

	la_vtpci_bar_ops.read(t, off, d, size);
	return la_get64(d);
}

static inline void wr(struct la_vtpci *t, unsigned off, uint64_t v, unsigned size)
{
	uint8_t d[8];

	la_put64(d, v);
	la_vtpci_bar_ops.write(t, off, d, size);
}

#endif
