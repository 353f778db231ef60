/* SPDX-License-Identifier: MIT */
/*
 * One VM's devices: the instances, their grants and the walk that
 * la-alloc (--platform), la-mkfdt and la-vmrun share, so what la-alloc
 * shows is what the tree describes and what the guest gets.
 *
 * A struct la_platform hands out resources in crosvm's order and keeps
 * what crosvm keeps across devices: the fixed ranges in use, the COM ports
 * taken, and the INTx pool of generate_pci_root. la_platform_add_arch
 * adds the devices the arch's build_vm creates (la_arch_ops.devices), in
 * its order; la_platform_add adds one more (a user's --device).
 */
#ifndef LA_DEV_PLATFORM_H
#define LA_DEV_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/dev.h"

/* One entry of an arch's device list (la_arch_ops.devices). */
struct la_platform_dev {
	const char *name;                  /* the instance's name */
	const struct la_dev_desc *desc;
	unsigned when;                     /* enum la_platform_when */
};

enum la_platform_when {
	LA_PLAT_ALWAYS = 0,
	LA_PLAT_SERIAL = 1 << 0, /* one of the COM ports: while fewer than
				  * la_platform_opts.serials are in */
	LA_PLAT_ACPI = 1 << 1,   /* only with ACPI tables */
};

/* --pci-hotplug-slots N (la-vmrun, la-alloc): at most this many */
#define LA_HOTPLUG_SLOTS_MAX 16

/* Each arch's list, in lib/arch/<arch>/devices.c. */
extern const struct la_platform_dev la_x86_64_devices[], la_aarch64_devices[],
	la_riscv64_devices[];

/* What varies between VMs of one arch. */
struct la_platform_opts {
	unsigned serials;   /* COM1..COMn, 0 to 4 (crosvm: 4) */
	bool acpi;          /* x86_64: ACPI tables (la-vmrun --no-acpi: none) */
	uint64_t pstore;    /* bytes of the pstore (ramoops) region carved from
			     * the start of high MMIO (la-vmrun --pstore); 0: none */
};

#define LA_PLATFORM_OPTS_DEFAULT ((struct la_platform_opts){ .serials = 4, .acpi = true })

struct la_intx_key {
	uint8_t bus, dev, pin;
	uint32_t gsi;
};

#define LA_PLATFORM_MAX_FIXED 32

struct la_platform {
	const struct la_arch_ops *arch;
	struct la_sys_alloc *sa;
	unsigned ninst;
	struct la_dev_inst *inst;         /* in the order they were added */
	unsigned npci;                    /* PCI devices so far: dev_idx */
	uint32_t *intx;                   /* the INTx pool, max_irqs long */
	unsigned nintx;
	struct la_intx_key *keys;         /* (bus, dev, pin) -> gsi */
	unsigned nkeys;
	uint64_t pflash_size, bios_size;  /* pflash (LA_NEED_PFLASH): its image's
					   * and the BIOS's bytes; 0: no pflash */
	unsigned nfixed;                  /* fixed ranges in use */
	struct {
		enum la_res_kind kind;
		struct la_range r;
		char owner[LA_ALLOC_NAME_MAX];
	} fixed[LA_PLATFORM_MAX_FIXED];
};

/* la_platform_init - no devices yet, over sa for arch. la_platform_destroy
 * frees it. returns: 0, -LA_ERR_NOMEM */
int la_platform_init(struct la_platform *p, const struct la_arch_ops *arch,
		     struct la_sys_alloc *sa);
void la_platform_destroy(struct la_platform *p);

/* la_platform_next_serial - the first of com1..com4 not in use.
 * returns: the descriptor, NULL when all four are taken */
const struct la_dev_desc *la_platform_next_serial(const struct la_platform *p);

/* la_platform_add - give device t, called name, its resources in the
 * order of its needs; out (room for LA_DEV_MAX_NEEDS) and *n get the
 * grants, also those made before a failure. Grants are named "NAME.ROLE".
 * On success the device is an instance of p.
 * returns: 0, -LA_ERR_UNSUPPORTED (not on this arch), -LA_ERR_EXISTINGALLOC
 * (a fixed range in use; *conflict gets its owner), -LA_ERR_NOPOOL (pstore
 * without a reserved region, pflash without pflash_size), -LA_ERR_NAMELEN, -LA_ERR_TOOMANY,
 * -LA_ERR_NOMEM, the errors of la_sys_alloc_pci, la_sys_alloc_mmio,
 * la_sys_alloc_io and la_sys_alloc_irq */
int la_platform_add(struct la_platform *p, const struct la_dev_desc *t, const char *name,
		    struct la_grant *out, unsigned *n, const char **conflict);

/* la_platform_add_arch - add the devices the arch's build_vm creates, in
 * its order, as o asks; *failed gets the name of a device that could not
 * be added. returns: 0, the errors of la_platform_add */
int la_platform_add_arch(struct la_platform *p, const struct la_platform_opts *o,
			 const char **failed, const char **conflict);

/* la_platform_release - drop grant g from its instance (and an instance
 * left without grants); a fixed grant's range can be used again.
 * Allocator grants are given back through the system allocator. */
void la_platform_release(struct la_platform *p, const struct la_grant *g);

/* la_platform_find - the instance called name, NULL if none. */
const struct la_dev_inst *la_platform_find(const struct la_platform *p, const char *name);

/* la_platform_fdt_nodes - the nodes of every instance that has one and
 * whose fdt_order is in [from, to), by fdt_order, then in platform order. */
void la_platform_fdt_nodes(struct la_fdt_w *w, const struct la_platform *p, unsigned from,
			   unsigned to, const struct la_irq_cells *ic,
			   const struct la_fdt_config *fc);

/* One PCI function's INTx: where it is, its pin (0 = INTA) and IRQ. */
struct la_pci_intx {
	uint8_t bus, dev, func, pin;
	uint32_t irq;
};

/* la_platform_pci_intx - the INTx of every PCI device with an INTx grant,
 * in instance order; out (room for max) gets the first max of them.
 * returns: how many there are */
unsigned la_platform_pci_intx(const struct la_platform *p, struct la_pci_intx *out,
			      unsigned max);

/* la_platform_aml - the DSDT parts of the instances that have one, in
 * order, into a (lib/acpi/aml.h; errors stay in a). */
struct la_aml;
void la_platform_aml(struct la_aml *a, const struct la_platform *p);

/* la_platform_pci_interrupt_map - the `interrupt-map` cells of a PCI host
 * bridge node: one entry per PCI device with an INTx grant (child unit
 * address bus<<16|dev<<11|func<<8, 0, 0, pin INTA=1.., then the
 * controller's phandle, addr_cells zeros and its specifier for the IRQ,
 * level high), in instance order. cells NULL: only count.
 * returns: the number of cells */
unsigned la_platform_pci_interrupt_map(const struct la_platform *p,
				       const struct la_irq_cells *ic, uint32_t *cells);

#endif
