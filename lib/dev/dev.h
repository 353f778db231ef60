/* SPDX-License-Identifier: MIT */
/*
 * Devices describe themselves once. A struct la_dev_desc says, for one
 * kind of device: what it needs on each arch, either fixed (crosvm's
 * build_vm devices: §3.7 x86, §4.5 aarch64, §5.3 riscv64) or taken from
 * the system allocator (PCI slot, BARs, INTx per §1.6, IO ports, the
 * pstore region), and how it appears in a device tree, written with the
 * interrupt encoding the arch passes in (struct la_irq_cells), so a device
 * never knows a GIC from an APLIC. A device with no needs on an arch does
 * not exist there.
 *
 * One file per device below lib/dev/ (and lib/virtio/); every descriptor
 * is in one explicit table, la_dev_registry (lib/dev/registry.c): libla is
 * a static archive, and a device that registered itself from a
 * constructor would never be linked. Each arch lists the devices its
 * build_vm creates (la_arch_ops.devices); lib/dev/platform.h turns that
 * list and the user's devices into instances and grants, which la-alloc
 * prints, la-mkfdt writes into the tree and la-vmrun builds.
 */
#ifndef LA_DEV_DEV_H
#define LA_DEV_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr_alloc.h"
#include "arch.h"
#include "range.h"
#include "sys_alloc.h"

/* 16550 UARTs, COM1..COM4 (lib/dev/serial.c): IO ports on x86, the same
 * addresses on the MMIO bus on aarch64 and riscv64, 8 bytes each. */
#define LA_SERIAL_MAX 4
#define LA_SERIAL_SIZE 8
extern const uint64_t la_serial_addr[LA_SERIAL_MAX];

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
	LA_NEED_IO,      /* allocate_io(size, Named(grant name), align) */
	LA_NEED_GPE,     /* the lowest free GPE (allocate_gpe) */
	LA_NEED_MMIO,    /* allocate_mmio(size, Named(grant name), align),
			  * non-prefetchable: low MMIO (the goldfish battery) */
	LA_NEED_PFLASH,  /* x86_64's pflash: la_platform.pflash_size bytes
			  * below the BIOS at the top of 4 GiB (fixed) */
};

struct la_dev_need {
	enum la_res_kind kind;
	enum la_need_how how;
	const char *role;        /* grant name suffix: "io", "irq", "bar0"... */
	uint64_t base;           /* FIXED: address, port or IRQ number;
				  * BAR: the BAR index */
	uint64_t size;           /* FIXED, BAR, IO and MMIO: bytes or ports */
	uint64_t align;          /* BAR, IO and MMIO */
	uint64_t max_address;    /* BAR: 0xffffffff for a 32-bit BAR */
	bool prefetchable;       /* BAR */
	const char *tag;
};

#define LA_DEV_MAX_NEEDS 4
#define LA_DEV_NARCH 3 /* indexed by enum la_arch_id */
#define LA_DEV_NAME_MAX 40 /* an instance's name; leaves room for ".ROLE" */

/* Describing the needs (designated initializers of struct la_dev_need). */
#define LA_NEED_FIXED_IO(b, s, t) \
	{ .kind = LA_RES_IO, .how = LA_NEED_FIXED, .role = "io", .base = (b), .size = (s), .tag = (t) }
#define LA_NEED_FIXED_MMIO(b, s, t) \
	{ .kind = LA_RES_MMIO, .how = LA_NEED_FIXED, .role = "mmio", .base = (b), .size = (s), \
	  .tag = (t) }
#define LA_NEED_FIXED_IRQ(n, t) \
	{ .kind = LA_RES_IRQ, .how = LA_NEED_FIXED, .role = "irq", .base = (n), .size = 1, \
	  .tag = (t) }

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

/* A device of one VM: what it is, its name and its grants, in the order
 * of its descriptor's needs. */
struct la_dev_inst {
	const struct la_dev_desc *desc;
	char name[LA_DEV_NAME_MAX + 1];
	unsigned n;
	struct la_grant g[LA_DEV_MAX_NEEDS];
};

/* la_dev_inst_grant - the index-th grant of kind (0: the first), NULL if
 * the instance has fewer. */
const struct la_grant *la_dev_inst_grant(const struct la_dev_inst *d, enum la_res_kind kind,
					 unsigned index);

struct la_fdt_w;          /* fdt/fdt.h */

/* la_dev_fdt_open - open the node of a platform device with an MMIO and an
 * IRQ grant: named name, or name@BASE (unit_address, BASE in hex), with
 * its compatible and its reg (the MMIO grant); *irq gets the IRQ grant.
 * Close it with la_fdt_w_end_node. returns: false (nothing written) if d
 * lacks either grant */
bool la_dev_fdt_open(struct la_fdt_w *w, const struct la_dev_inst *d, const char *name,
		     bool unit_address, const char *compatible, const struct la_grant **irq);

/* Device-tree interrupt trigger types (the last cell of a GIC or APLIC
 * specifier). */
#define LA_DT_IRQ_EDGE_RISING 1u
#define LA_DT_IRQ_LEVEL_HIGH 4u
#define LA_DT_IRQ_LEVEL_LOW 8u

/* How the arch's interrupt controller wants an interrupt written: the
 * arch fills this in for its tree, the devices call encode. */
struct la_irq_cells {
	uint32_t phandle;     /* the controller's phandle */
	unsigned addr_cells;  /* its #address-cells (zeros in an interrupt-map) */
	unsigned ncells;      /* its #interrupt-cells, at most 4 */
	unsigned ncpus;       /* vCPUs, for per-CPU interrupt masks */
	bool node_parent;     /* each node names the controller (interrupt-parent):
			       * riscv64, whose root has none, since the harts'
			       * own controllers must be roots */
	/* encode - irq (an SPI number, or a PPI when ppi) with trigger type
	 * into cells (ncells of them). */
	void (*encode)(const struct la_irq_cells *ic, uint32_t *cells, uint32_t irq,
		       uint32_t type, bool ppi);
};

struct la_aml;            /* acpi/aml.h */
struct la_dev_env;        /* dev/machine.h */
struct la_bus_ops;        /* vm/bus.h */
struct la_fdt_config;
struct la_pci_ep;         /* pci/config.h */

/* What a device is; see the top of this file. */
struct la_dev_desc {
	const char *name;        /* "com1", "rtc", "virtio-blk"... */
	const char *kind;        /* "serial", "rtc", "i8042", "debugcon",
				  * "pstore", "vmwdt", "cpufreq", "acpi-pm",
				  * "battery",
				  * "virtio-pci", "pvpanic", "vpmc", "fw-cfg", "pflash" */
	const char *what;        /* one line for people */
	struct {
		unsigned n;      /* 0: not on this arch */
		struct la_dev_need need[LA_DEV_MAX_NEEDS];
	} arch[LA_DEV_NARCH];
	/* fdt_node - write the instance's node (aarch64, riscv64 trees); NULL:
	 * the device has none. Errors stay in w (the writer keeps the first). */
	void (*fdt_node)(struct la_fdt_w *w, const struct la_dev_inst *d,
			 const struct la_irq_cells *ic, const struct la_fdt_config *fc);
	/* fdt_order - where the node goes among the devices' nodes (lower
	 * first; equal: in platform order): below LA_FDT_ORDER_LATE with the
	 * UARTs, before the arch's own psci and pci nodes; from it on, after
	 * them, as crosvm's create_fdt orders them. */
	unsigned fdt_order;
	/* aml - the instance's part of the DSDT, inside \_SB_ (x86_64); NULL:
	 * none (the legacy devices have none, as in crosvm). Errors stay in
	 * a. */
	void (*aml)(struct la_aml *a, const struct la_dev_inst *d);
	/* create - make the running device for instance d (la-vmrun): *state
	 * gets its state and *ops its registers, which the VM puts at each of
	 * d's IO grants (IO bus) and MMIO grants (MMIO bus). NULL: nothing
	 * runs yet (cpufreq: the tree describes it).
	 * returns: 0, -LA_ERR_NOMEM, -LA_ERR_UNSUPPORTED (not on this arch) */
	int (*create)(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		      const struct la_bus_ops **ops);
	/* destroy - release what create made (stopping its thread); NULL:
	 * free(state). */
	void (*destroy)(void *state);
	/* pci_ep - the PCI endpoint of a running PCI device (state from
	 * create): la-vmrun puts it at its slot instead of putting its MMIO
	 * grants on the bus, and its BARs go on the bus when the guest enables
	 * them. NULL: not a PCI device. */
	struct la_pci_ep *(*pci_ep)(void *state);
	/* start - start the device's own thread, before the vCPUs run; NULL:
	 * it has none. returns: 0, -LA_ERR_THREAD */
	int (*start)(void *state);
	/* input - bytes typed for the device (a console); NULL: it takes none.
	 * returns: the bytes taken (its buffer may be full) */
	unsigned (*input)(void *state, const uint8_t *buf, unsigned len);
	/* gpe - set (set) or clear general-purpose event status bit gpe
	 * (the ACPI PM block: its SCI follows); NULL: the device has no GPE
	 * block. Called with the lock of the bus its registers are on held. */
	void (*gpe)(void *state, unsigned gpe, bool set);
	/* unplug - before destroy, when the device leaves a running VM
	 * (hot-unplug): stop its thread and give back what it holds of the
	 * VM (BARs on the bus, ioeventfds, MSI routes); NULL: nothing. */
	void (*unplug)(void *state);
};

/* fdt_order values, in crosvm's create_fdt order (§4.7). */
#define LA_FDT_ORDER_SERIAL 10
#define LA_FDT_ORDER_LATE 20      /* after the arch's psci and pci nodes */
#define LA_FDT_ORDER_RTC 20
#define LA_FDT_ORDER_BATTERY 25
#define LA_FDT_ORDER_VMWDT 30
#define LA_FDT_ORDER_CPUFREQ 40

/* The registry: every device la knows, in the order la-alloc --help and
 * la-mkfdt --help name them. */
extern const struct la_dev_desc *const la_dev_registry[];
extern const unsigned la_dev_nregistry;

/* la_dev_lookup - the descriptor called name ("serial" is not one: see
 * la_platform_next_serial). returns: the descriptor, NULL if unknown */
const struct la_dev_desc *la_dev_lookup(const char *name);

/* la_dev_names - "com1, com2, ... or acpi-pm": every device's name, for
 * messages; cut short if len is too small. */
void la_dev_names(char *buf, size_t len);

/* la_dev_on_arch - whether the device exists on arch. */
bool la_dev_on_arch(const struct la_dev_desc *t, const struct la_arch_ops *arch);

/* The descriptors (one file each below lib/dev/ and lib/virtio/). */
extern const struct la_dev_desc la_dev_com1, la_dev_com2, la_dev_com3, la_dev_com4;
extern const struct la_dev_desc la_dev_rtc, la_dev_i8042, la_dev_debugcon, la_dev_pstore;
extern const struct la_dev_desc la_dev_vmwdt, la_dev_cpufreq, la_dev_acpi_pm, la_dev_post;
extern const struct la_dev_desc la_dev_plic, la_dev_pvpanic, la_dev_battery, la_dev_fw_cfg,
	la_dev_pflash;
extern const struct la_dev_desc la_dev_pci_hotplug, la_dev_pci_slot; /* lib/pci/hotplug.c */
extern const struct la_dev_desc la_dev_vpmc; /* lib/dev/pmc.c: la-vmrun --control only */
extern const struct la_dev_desc la_dev_virtio_blk, la_dev_virtio_net, la_dev_virtio_rng,
	la_dev_virtio_console, la_dev_virtio_vsock;

#endif
