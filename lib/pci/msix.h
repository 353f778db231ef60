/* SPDX-License-Identifier: MIT */
/*
 * MSI-X (PCI Local Bus 3.0, §6.8.2): the capability, its table (16 bytes
 * per vector: message address, data, vector control with the mask bit) and
 * pending-bit array in a memory BAR, the function mask and enable bits.
 * Each vector is delivered through KVM: a GSI routed to the vector's
 * message (KVM_SET_GSI_ROUTING, through la_machine.msi_route whenever the
 * guest writes the entry) and an eventfd bound to that GSI (KVM_IRQFD):
 * la_msix_signal writes the eventfd, or sets the pending bit while the
 * vector or the function is masked; unmasking delivers what is pending.
 *
 * The table is the guest's: whatever it writes there only ever becomes an
 * MSI route (an address and data KVM checks), never a host address.
 */
#ifndef LA_PCI_MSIX_H
#define LA_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/machine.h"
#include "pci/config.h"

#define LA_MSIX_MAX 32
#define LA_MSIX_CAP_ID 0x11
#define LA_MSIX_ENABLE 0x8000
#define LA_MSIX_FMASK 0x4000

struct la_msix {
	struct la_pci_ep *ep;
	const struct la_machine *m;
	unsigned n;                     /* vectors */
	uint8_t cap;                    /* the capability's offset */
	pthread_mutex_t lock;           /* all below; a leaf but for the routes */
	uint8_t table[LA_MSIX_MAX * 16];
	uint32_t pending;               /* bit per vector */
	int fd[LA_MSIX_MAX];            /* irqfd per vector, -1: none */
	int gsi[LA_MSIX_MAX];           /* its GSI, -1: none */
	bool routed[LA_MSIX_MAX];       /* its route is the entry's message */
	uint32_t devid;                 /* the PCI requester ID, for the routes */
	bool ready;
};

/* la_msix_init - n vectors (at most LA_MSIX_MAX) whose table is at
 * table_off and PBA at pba_off in BAR bar of ep, a function whose PCI
 * requester ID is devid (bus << 8 | dev << 3 | fn); adds the capability.
 * With m's msi_gsi, msi_route and irqfd hooks each vector gets a GSI and
 * an eventfd; without them the capability is not added (x->n = 0) and the
 * device stays on INTx. la_msix_bind binds the eventfds (KVM_IRQFD) once
 * the VM's irqchip is complete.
 * returns: 0, -LA_ERR_NOSPACE (config space) */
int la_msix_init(struct la_msix *x, struct la_pci_ep *ep, unsigned n, uint8_t bar,
		 uint32_t table_off, uint32_t pba_off, uint32_t devid,
		 const struct la_machine *m);

/* la_msix_bind - each vector's eventfd raises its GSI (KVM_IRQFD), after
 * the irqchip is complete and before the guest runs; where KVM refuses, the
 * capability leaves the list again (x->n = 0: INTx only).
 * returns: 0, -LA_ERR_KVMIOCTL (the capability is gone) */
int la_msix_bind(struct la_msix *x);

/* la_msix_release - hot-unplug: each vector's irqfd unbound and its GSI
 * given back (la_machine.msi_free: the route goes); la_msix_destroy
 * closes the eventfds after. */
void la_msix_release(struct la_msix *x);

/* la_msix_destroy - close the eventfds (the VM's routes go with it). */
void la_msix_destroy(struct la_msix *x);

/* la_msix_enabled - MSI-X enable bit set (INTx is not used then). */
bool la_msix_enabled(struct la_msix *x);

/* la_msix_table - an access at off bytes into the table (reads outside it
 * read 0); la_msix_pba - a read of the PBA. */
void la_msix_table(struct la_msix *x, uint64_t off, bool write, uint8_t *data, unsigned size);
void la_msix_pba(struct la_msix *x, uint64_t off, uint8_t *data, unsigned size);

/* la_msix_cfg_written - after a config write at [reg, reg+size): the
 * enable and function-mask bits may have changed. */
void la_msix_cfg_written(struct la_msix *x, unsigned reg, unsigned size);

/* la_msix_signal - send vector v (0xffff: none, nothing sent), or mark it
 * pending while masked. returns: false when MSI-X is not enabled (the
 * caller uses INTx) */
bool la_msix_signal(struct la_msix *x, unsigned v);

#endif
