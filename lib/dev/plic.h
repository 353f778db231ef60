/* SPDX-License-Identifier: MIT */
/*
 * A RISC-V PLIC (platform-level interrupt controller, "riscv,plic0"): la's
 * userspace interrupt controller for riscv64 VMs where KVM offers no
 * in-kernel AIA. Sources 1..ndev (0 is "none"), a priority each (0: never
 * delivered, 1..7), one context per hart (its S-mode external interrupt),
 * each with enable bits, a threshold and claim/complete. A context's
 * output goes to a delivery callback (la-vmrun: KVM_INTERRUPT on the
 * hart's vCPU, lib/arch/riscv64/kvm.c), called with the PLIC's lock held
 * whenever the output changes.
 *
 * Registers (offsets in its MMIO range, 32-bit accesses):
 *   0x000000 + 4*s        priority of source s
 *   0x001000 + 4*w        pending bits of sources 32w..32w+31 (read only)
 *   0x002000 + 0x80*c     enable bits of context c, one word per 32 sources
 *   0x200000 + 0x1000*c   threshold of context c; +4: claim (read) and
 *                         complete (write)
 * Any other offset, size or source number reads zero and takes no writes:
 * the guest cannot reach outside the PLIC's state.
 */
#ifndef LA_DEV_PLIC_H
#define LA_DEV_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/bus.h"

/* Where riscv64 VMs have it: QEMU virt's PLIC address (free in crosvm's
 * map, between the AIA window and RAM), 4 MiB: room for 512 contexts. */
#define LA_PLIC_RV_BASE 0x0c000000ULL
#define LA_PLIC_RV_SIZE 0x400000ULL
#define LA_PLIC_NDEV 1023      /* sources 1..1023: the most a PLIC has */
#define LA_PLIC_MAX_PRIORITY 7
#define LA_PLIC_MAX_CONTEXTS 512

#define LA_PLIC_PRIORITY 0x0
#define LA_PLIC_PENDING 0x1000
#define LA_PLIC_ENABLE 0x2000
#define LA_PLIC_ENABLE_STRIDE 0x80
#define LA_PLIC_CONTEXT 0x200000
#define LA_PLIC_CONTEXT_STRIDE 0x1000
#define LA_PLIC_CLAIM 4

/* deliver - context's external interrupt is now level (1 raised, 0 lowered). */
typedef void (*la_plic_deliver_fn)(void *ctx, unsigned context, int level);

struct la_plic;

/* la_plic_create - a PLIC with ncontexts contexts (1..LA_PLIC_MAX_CONTEXTS)
 * and sources 1..ndev (at most LA_PLIC_NDEV), every source level-triggered,
 * priority 0, disabled. returns: 0, -LA_ERR_NOMEM, -LA_ERR_RANGE */
int la_plic_create(unsigned ncontexts, unsigned ndev, la_plic_deliver_fn deliver, void *ctx,
		   struct la_plic **out);
void la_plic_destroy(struct la_plic *p);

/* la_plic_set_edge - source src's gateway: edge (a rising edge is one
 * request, remembered while the source is claimed) or level (pending
 * while the line is high and the source not claimed). Out of range:
 * ignored. */
void la_plic_set_edge(struct la_plic *p, unsigned src, bool edge);

/* la_plic_irq - the line of source src is now level. Out of range: ignored. */
void la_plic_irq(struct la_plic *p, unsigned src, int level);

/* The registers, for the MMIO bus (ctx: the struct la_plic). */
extern const struct la_bus_ops la_plic_ops;

#endif
