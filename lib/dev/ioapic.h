/* SPDX-License-Identifier: MIT */
/*
 * An IOAPIC (82093AA-style, 24 pins): la's userspace interrupt controller
 * for x86_64 VMs with a split irqchip (la-vmrun --irqchip split: the LAPICs
 * in KVM, the IOAPIC here, no PIC, no PIT). Each pin has a redirection
 * entry; a pin that fires becomes an MSI message (the LAPIC address with
 * the entry's destination, data with its vector, delivery and trigger
 * mode) handed to a delivery callback (la-vmrun: KVM_SIGNAL_MSI,
 * lib/arch/x86_64/kvm.c). Every entry's message is also told to a route
 * callback whenever it changes, so KVM's GSI route of the pin (an MSI
 * route) asks for the EOI exits of level-triggered vectors
 * (KVM_EXIT_IOAPIC_EOI), which come back as la_ioapic_eoi.
 *
 * Edge-triggered pins fire on a rising line (remembered while masked and
 * delivered when unmasked); level-triggered pins fire while the line is
 * asserted, then wait with remote IRR set until the guest's EOI of their
 * vector. Line levels are logical (asserted or not): the polarity bit is
 * kept for the guest but not applied, as KVM's own IOAPIC does.
 *
 * Registers (offsets in its 4 KiB MMIO range, 32-bit accesses): 0x00
 * IOREGSEL, 0x10 IOWIN. Indirect registers: 0x00 ID, 0x01 version
 * (0x11: no EOI register; the guest EOIs through the LAPIC), 0x02
 * arbitration, 0x10 + 2n / 0x11 + 2n the low / high half of pin n's
 * entry. Any other offset, size or register reads zero and takes no
 * writes: the guest cannot reach outside the IOAPIC's state.
 */
#ifndef LA_DEV_IOAPIC_H
#define LA_DEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/bus.h"

#define LA_IOAPIC_PINS 24
#define LA_IOAPIC_SIZE 0x1000ULL
#define LA_IOAPIC_VERSION 0x11

#define LA_IOAPIC_REGSEL 0x00
#define LA_IOAPIC_WINDOW 0x10
#define LA_IOAPIC_REG_ID 0x00
#define LA_IOAPIC_REG_VER 0x01
#define LA_IOAPIC_REG_ARB 0x02
#define LA_IOAPIC_REG_REDIR 0x10

/* redirection entry bits */
#define LA_IOAPIC_VECTOR 0xffULL
#define LA_IOAPIC_DELMODE_SHIFT 8
#define LA_IOAPIC_DESTMODE (1ULL << 11)
#define LA_IOAPIC_DELIVS (1ULL << 12)
#define LA_IOAPIC_POLARITY (1ULL << 13)
#define LA_IOAPIC_REMOTE_IRR (1ULL << 14)
#define LA_IOAPIC_LEVEL (1ULL << 15)
#define LA_IOAPIC_MASKED (1ULL << 16)
#define LA_IOAPIC_EXT_DEST_SHIFT 49 /* destination ID bits 8-14 (Linux's
				     * virt_destid_8_14), MSI address 5-11 */
#define LA_IOAPIC_DEST_SHIFT 56

#define LA_MSI_ADDR_BASE 0xfee00000ULL

/* deliver - fire MSI (addr, data); route - pin's message is now (addr,
 * data). Both called with the IOAPIC's lock held. */
typedef void (*la_ioapic_msi_fn)(void *ctx, uint64_t addr, uint32_t data);
typedef void (*la_ioapic_route_fn)(void *ctx, unsigned pin, uint64_t addr, uint32_t data);

struct la_ioapic;

/* la_ioapic_create - an IOAPIC with every pin masked, edge, vector 0.
 * returns: 0, -LA_ERR_NOMEM */
int la_ioapic_create(la_ioapic_msi_fn deliver, la_ioapic_route_fn route, void *ctx,
		     struct la_ioapic **out);
void la_ioapic_destroy(struct la_ioapic *io);

/* la_ioapic_msi - the MSI message of redirection entry e. */
void la_ioapic_msi(uint64_t e, uint64_t *addr, uint32_t *data);

/* la_ioapic_irq - pin's line is now level (asserted or not). Out of
 * range: ignored. */
void la_ioapic_irq(struct la_ioapic *io, unsigned pin, int level);

/* la_ioapic_eoi - the guest ended the interrupt of vector: the
 * level-triggered pins with that vector leave remote IRR, and fire again
 * if their line is still asserted. */
void la_ioapic_eoi(struct la_ioapic *io, uint8_t vector);

/* la_ioapic_entry - pin's redirection entry as the guest reads it (0 out
 * of range). */
uint64_t la_ioapic_entry(struct la_ioapic *io, unsigned pin);

/* The registers, for the MMIO bus (ctx: the struct la_ioapic). */
extern const struct la_bus_ops la_ioapic_ops;

#endif
