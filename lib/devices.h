/* SPDX-License-Identifier: MIT */
/*
 * The devices la can give a VM and the resources each needs, per arch: one
 * table (la_dev_types) that la-alloc prints, and la-mkfdt and la-vmrun
 * build from, so what la-alloc shows is what a guest gets.
 *
 * A device describes itself: its name, its kind, and per arch a list of
 * needs, each either fixed (crosvm's legacy devices: §3.7 x86, §4.5
 * aarch64, §5.3 riscv64) or taken from the system allocator (PCI slot,
 * BARs, INTx per §1.6, the pstore region). A device with no needs on an
 * arch does not exist there.
 *
 * A struct la_devset hands out those resources in crosvm's order and keeps
 * what crosvm keeps across devices: the fixed ranges in use, the COM ports
 * taken, and the INTx pool of generate_pci_root.
 */
#ifndef LA_DEVICES_H
#define LA_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "addr_alloc.h"
#include "arch.h"
#include "range.h"
#include "sys_alloc.h"

/* Kinds of grants, as la-alloc names them. */
enum la_res_kind {
	LA_RES_MMIO,
	LA_RES_IO,
	LA_RES_IRQ,
	LA_RES_GPE,
	LA_RES_PCI,
	LA_RES_RESERVE,
};

/* "mmio", "io", "irq", "gpe", "pci", "reserve" */
const char *la_res_kind_name(enum la_res_kind k);

enum la_need_how {
	LA_NEED_FIXED,   /* at [base, base+size-1] (IRQ: number base); not
			  * from the allocator, checked against other fixed
			  * ranges */
	LA_NEED_PCI,     /* allocate_pci on bus 0 */
	LA_NEED_BAR,     /* allocate_mmio(size, PciBar(bus,dev,func,bar),
			  * align, prefetchable, max_address) */
	LA_NEED_INTX,    /* PCI INTx, PreferredIrq::Any (§1.6 step 4) */
	LA_NEED_PSTORE,  /* the reserved region at the start of high MMIO */
};

struct la_dev_need {
	enum la_res_kind kind;
	enum la_need_how how;
	const char *role;        /* grant name suffix: "io", "irq", "bar0"... */
	uint64_t base;           /* FIXED: address, port or IRQ number;
				  * BAR: the BAR index */
	uint64_t size;           /* FIXED and BAR: bytes or ports */
	uint64_t align;          /* BAR */
	uint64_t max_address;    /* BAR: 0xffffffff for a 32-bit BAR */
	bool prefetchable;       /* BAR */
	const char *tag;
};

#define LA_DEV_MAX_NEEDS 4
#define LA_DEV_NARCH 3 /* indexed by enum la_arch_id */

struct la_dev_type {
	const char *name;        /* "com1", "rtc", "virtio-blk"... */
	const char *kind;        /* "serial", "rtc", "i8042", "debugcon",
				  * "pstore", "virtio-pci" */
	const char *what;        /* one line for people */
	struct {
		unsigned n;      /* 0: not on this arch */
		struct la_dev_need need[LA_DEV_MAX_NEEDS];
	} arch[LA_DEV_NARCH];
};

extern const struct la_dev_type la_dev_types[];
extern const unsigned la_dev_ntypes;

/* la_dev_lookup - the table row for name ("serial" is not a row: see
 * la_devset_next_serial). returns: the row, NULL if unknown */
const struct la_dev_type *la_dev_lookup(const char *name);

/* One resource given to a device or a request. */
struct la_grant {
	char name[LA_ALLOC_NAME_MAX];
	enum la_res_kind kind;
	struct la_range range;      /* mmio, io, reserve */
	uint32_t value;             /* irq, gpe */
	uint8_t bus, dev, func;     /* pci */
	char tag[LA_ALLOC_NAME_MAX];
	bool fixed;                 /* not from the allocator */
	bool intx;                  /* a PCI INTx IRQ (kept for the VM's life) */
	bool shared;                /* an INTx IRQ another device got first */
	enum la_mmio_pool pool;     /* mmio from the allocator: low or high */
	struct la_alloc_id id;      /* mmio and io from the allocator */
};

/* la_json_grant - one grant as la-alloc and la-vmrun --explain --json print
 * it: name, kind, then value (irq, gpe), bus/dev/func (pci) or the range
 * members, then tag. */
struct la_json;
void la_json_grant(struct la_json *j, const struct la_grant *g, const char *tag);

struct la_intx_key {
	uint8_t bus, dev, pin;
	uint32_t gsi;
};

#define LA_DEVSET_MAX_FIXED 32

struct la_devset {
	const struct la_arch_ops *arch;
	struct la_sys_alloc *sa;
	unsigned npci;                    /* PCI devices so far: dev_idx */
	uint32_t *intx;                   /* the INTx pool, max_irqs long */
	unsigned nintx;
	struct la_intx_key *keys;         /* (bus, dev, pin) -> gsi */
	unsigned nkeys;
	unsigned nfixed;                  /* fixed ranges in use */
	struct {
		enum la_res_kind kind;
		struct la_range r;
		char owner[LA_ALLOC_NAME_MAX];
	} fixed[LA_DEVSET_MAX_FIXED];
};

/* la_devset_init - a device set over sa for arch. la_devset_destroy frees it.
 * returns: 0, -LA_ERR_NOMEM */
int la_devset_init(struct la_devset *d, const struct la_arch_ops *arch,
		   struct la_sys_alloc *sa);
void la_devset_destroy(struct la_devset *d);

/* la_devset_next_serial - the first of com1..com4 not in use.
 * returns: the row, NULL when all four are taken */
const struct la_dev_type *la_devset_next_serial(const struct la_devset *d);

/* la_devset_add - give device t, called name, its resources in table
 * order; out (room for LA_DEV_MAX_NEEDS) and *n get the grants, also
 * those made before a failure. Grants are named "NAME.ROLE".
 * returns: 0, -LA_ERR_UNSUPPORTED (not on this arch), -LA_ERR_EXISTINGALLOC
 * (a fixed range in use; *conflict gets its owner), -LA_ERR_NOPOOL (pstore
 * without a reserved region), -LA_ERR_NAMELEN, -LA_ERR_TOOMANY, the errors
 * of la_sys_alloc_pci, la_sys_alloc_mmio and la_sys_alloc_irq */
int la_devset_add(struct la_devset *d, const struct la_dev_type *t, const char *name,
		  struct la_grant *out, unsigned *n, const char **conflict);

/* la_devset_release - forget a fixed grant so its range can be used again
 * (allocator grants are released through the system allocator). */
void la_devset_release_fixed(struct la_devset *d, const struct la_grant *g);

#endif
