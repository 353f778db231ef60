/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge at 00:00.0: configuration mechanism #1 (0xcf8
 * address, 0xcfc data) with the reset control register at 0xcf9, and the
 * ECAM window, or a CAM window (aarch64, riscv64). The PCI room (root,
 * config space, MSI-X) grows here.
 */
#ifndef LA_PCI_HOST_H
#define LA_PCI_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/machine.h"
#include "pci/config.h"
#include "vm/bus.h"

#define LA_PCI_SLOTS 32

/* A byte access to 0xcf9 is the reset control register (RST_CPU, bit 2,
 * resets). */
struct la_pci {
	const struct la_machine *m;
	/* the one device on two buses (ports and ECAM): its config space
	 * has a lock taken inside either bus lock: the MMIO bus's own
	 * (recursive) lock when the endpoints' BARs live there, so a BAR
	 * move from a config access may change that bus; else its own */
	pthread_mutex_t own_lock;
	pthread_mutex_t *lock;
	uint32_t addr;        /* CONFIG_ADDRESS */
	uint8_t cf9;          /* reset control */
	uint8_t cfg[256];     /* 00:00.0 */
	struct la_pci_ep *slot[LA_PCI_SLOTS]; /* bus 0 device N, function 0 */
};

/* la_pci_init - the host bridge at 00:00.0, CONFIG_ADDRESS clear, no
 * endpoints. lock: the lock config accesses take (the MMIO bus's, where
 * the endpoints put their BARs), NULL: one of its own. */
void la_pci_init(struct la_pci *p, const struct la_machine *m, pthread_mutex_t *lock);

/* la_pci_add - the endpoint at bus 0 device dev (1-31), function 0.
 * returns: 0, -LA_ERR_RANGE (dev 0 or above 31), -LA_ERR_EXISTINGALLOC */
int la_pci_add(struct la_pci *p, unsigned dev, struct la_pci_ep *ep);
/* la_pci_remove - no endpoint at bus 0 device dev any more (hot-unplug).
 * returns: 0, -LA_ERR_NOTFOUND */
int la_pci_remove(struct la_pci *p, unsigned dev);
/* la_pci_destroy - release the lock; no access may be running. */
void la_pci_destroy(struct la_pci *p);
/* la_pci_io_ops - configuration mechanism #1 and the reset register, 8
 * bytes (0xcf8-0xcff on x86); la_pci_ecam_ops - the ECAM window (1 MiB
 * per bus), at any size; la_pci_cam_ops - a CAM window (crosvm's aarch64
 * and riscv64 PCI config: offset bus<<16 | dev<<11 | fn<<8 | reg, 64 KiB
 * per bus, 8-bit register numbers). ctx: struct la_pci */
#define LA_PCI_IO_PORT 0xcf8 /* not in the device table: fixed on every PC */
#define LA_PCI_IO_LEN 8
extern const struct la_bus_ops la_pci_io_ops, la_pci_ecam_ops, la_pci_cam_ops;
/* la_pci_config - read/write config register reg (bytes) of bus/dev/fn. */
void la_pci_config(struct la_pci *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		   bool write, uint8_t *data, unsigned size);

#endif
