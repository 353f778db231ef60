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
#include "vm/bus.h"

/* A byte access to 0xcf9 is the reset control register (RST_CPU, bit 2,
 * resets). */
struct la_pci {
	const struct la_machine *m;
	/* the one device on two buses (ports and ECAM): its config space
	 * has a lock of its own, taken inside either bus lock */
	pthread_mutex_t lock;
	uint32_t addr;        /* CONFIG_ADDRESS */
	uint8_t cf9;          /* reset control */
	uint8_t cfg[256];     /* 00:00.0 */
};

/* la_pci_init - the host bridge at 00:00.0, CONFIG_ADDRESS clear. */
void la_pci_init(struct la_pci *p, const struct la_machine *m);
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
