/* SPDX-License-Identifier: MIT */
/*
 * Device tree blobs the way crosvm's build_vm makes them (crosvm-arch.md
 * §1.8, §1.9, §3.8, §4.7, §5.4): the inputs every arch's tree builder takes
 * (struct la_fdt_config), the sequential-write helpers the builders share,
 * the nodes all arches have (/memory, /reserved-memory), and the checks on
 * every blob we emit or read (fdt_check_full, the arch's size limit).
 *
 * Builders write with libfdt's sequential-write API into a caller-owned
 * buffer; "no space" is reported as -LA_ERR_FDTSIZE, never grown behind
 * the caller's back.
 */
#ifndef LA_FDT_FDT_H
#define LA_FDT_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "boot.h"
#include "dev/dev.h"
#include "vcpu_props.h"

#define LA_FDT_RNG_SEED_SIZE 256 /* bytes of /chosen/rng-seed */
#define LA_FDT_MAX_PCI_RANGES 8
#define LA_FDT_MAX_SERIAL LA_SERIAL_MAX

enum la_gic_version { LA_GIC_V3, LA_GIC_V2 };
enum la_virt_cpufreq { LA_VIRT_CPUFREQ_NONE, LA_VIRT_CPUFREQ_V1, LA_VIRT_CPUFREQ_V2 };
/* riscv64's interrupt controller: crosvm's in-kernel AIA (IMSIC + APLIC),
 * or la's userspace PLIC (lib/dev/plic.h) where KVM offers no AIA. */
enum la_rv_irqchip { LA_RV_IRQCHIP_AIA, LA_RV_IRQCHIP_PLIC };

/* Everything a tree depends on besides the VM options. */
struct la_platform;

struct la_fdt_config {
	const struct la_vm_config *cfg;
	const struct la_arch_layout *layout;
	const struct la_mem_layout *mem;
	const struct la_boot_plan *boot;   /* placement of payload and initrd */
	const char *cmdline;               /* assembled bootargs */
	/* aarch64 */
	enum la_gic_version gic;
	bool its;
	bool pmu;
	unsigned psci_major, psci_minor;
	bool nested;
	enum la_virt_cpufreq virt_cpufreq;
	/* riscv64: the interrupt controller, and values KVM reports at run
	 * time */
	enum la_rv_irqchip irqchip;
	uint32_t aia_num_ids;
	uint32_t aia_num_sources;
	uint32_t timebase_hz;
	/* vCPU properties (cfg->cpus entries) and clusters */
	const struct la_vcpu_props *vcpu;
	const struct la_cpu_clusters *clusters;
	/* randomness for /chosen */
	uint64_t kaslr_seed;
	uint8_t rng_seed[LA_FDT_RNG_SEED_SIZE];
	/* the VM's devices (lib/dev/platform.h); NULL: a tree without them */
	const struct la_platform *plat;
	/* PCI host bridge windows: the system allocator's low and high MMIO
	 * pools (la_fdt_config_pci_pools) */
	unsigned n_pools[2];
	struct la_range pools[2][LA_FDT_MAX_PCI_RANGES];
};

/* Error-accumulating sequential writer: after the first failure every call
 * is a no-op and w->err keeps the first code (-LA_ERR_*). */
struct la_fdt_w {
	void *fdt;
	int err;
	size_t cap; /* the blob's room so far: it starts small and grows */
	size_t max; /* the buffer's size */
};

void la_fdt_w_begin_node(struct la_fdt_w *w, const char *name);
void la_fdt_w_begin_nodef(struct la_fdt_w *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void la_fdt_w_end_node(struct la_fdt_w *w);
void la_fdt_w_empty(struct la_fdt_w *w, const char *name);
void la_fdt_w_u32(struct la_fdt_w *w, const char *name, uint32_t v);
void la_fdt_w_u64(struct la_fdt_w *w, const char *name, uint64_t v);
void la_fdt_w_str(struct la_fdt_w *w, const char *name, const char *s);
/* la_fdt_w_strs - a string list of n strings. */
void la_fdt_w_strs(struct la_fdt_w *w, const char *name, const char *const *s, unsigned n);
void la_fdt_w_u32s(struct la_fdt_w *w, const char *name, const uint32_t *v, unsigned n);
void la_fdt_w_u64s(struct la_fdt_w *w, const char *name, const uint64_t *v, unsigned n);
void la_fdt_w_bytes(struct la_fdt_w *w, const char *name, const void *p, unsigned len);

/* la_fdt_w_reg - reg as one u64 address and one u64 size (the root's
 * two address and two size cells). */
void la_fdt_w_reg(struct la_fdt_w *w, uint64_t addr, uint64_t size);
/* la_fdt_w_irq - "interrupts": irq with trigger type as ic encodes it. */
void la_fdt_w_irq(struct la_fdt_w *w, const struct la_irq_cells *ic, uint32_t irq,
		  uint32_t type, bool ppi);
/* la_fdt_w_pci_interrupt_map - a PCI host bridge's `interrupt-map`, one
 * entry per PCI device of fc->plat with an INTx grant, routed to the
 * controller ic (NULL, or no platform: empty, as crosvm's without PCI
 * devices). Fails the writer with -LA_ERR_TOOMANY past
 * LA_FDT_MAX_PCI_IRQS entries. */
#define LA_FDT_MAX_PCI_IRQS 256
void la_fdt_w_pci_interrupt_map(struct la_fdt_w *w, const struct la_fdt_config *fc,
				const struct la_irq_cells *ic);
/* la_fdt_w_fail - fail the writer with err (-LA_ERR_*) unless it has
 * failed already. */
void la_fdt_w_fail(struct la_fdt_w *w, int err);

/* la_fdt_w_start - start a blob in buf (size bytes) with n_rsv memory
 * reservations, no node yet; la_fdt_w_create: with none, the root begun.
 * returns: 0, -LA_ERR_FDTSIZE if size cannot hold even an empty tree */
int la_fdt_w_start(struct la_fdt_w *w, void *buf, size_t size, const uint64_t *rsv_addr,
		   const uint64_t *rsv_size, unsigned n_rsv);
int la_fdt_w_create(struct la_fdt_w *w, void *buf, size_t size);
/* la_fdt_w_done - finish the blob (every node ended) and fdt_check_full
 * it; la_fdt_w_finish: close the root first.
 * returns: 0, w->err, -LA_ERR_FDTSIZE, -LA_ERR_FDTBAD */
int la_fdt_w_done(struct la_fdt_w *w);
int la_fdt_w_finish(struct la_fdt_w *w);

/* la_fdt_memory_matches - whether blob's /memory reg is the one
 * la_fdt_w_memory writes for mem (two address and two size cells).
 * returns: 1 it is, 0 it is not (or there is none) */
int la_fdt_memory_matches(const void *blob, const struct la_mem_layout *mem);

/* la_fdt_arch_of - the arch a tree was made for, from /cpus/cpu@0's
 * compatible ("arm,..." aarch64, "riscv" riscv64; *why is that string);
 * NULL where it does not say (x86_64 trees have no /cpus). */
const char *la_fdt_arch_of(const void *blob, const char **why);

/* la_fdt_w_memory - crosvm's /memory: all regions but the BIOS, sorted,
 * a region starting at the previous one's end merged into it. */
void la_fdt_w_memory(struct la_fdt_w *w, const struct la_mem_layout *mem);

/* la_fdt_reserved_count - regions of purpose RESERVED in mem. */
unsigned la_fdt_reserved_count(const struct la_mem_layout *mem);
/* la_fdt_w_reserved_begin - open /reserved-memory and write one no-map
 * child per RESERVED region; the caller adds its own children and closes
 * the node. */
void la_fdt_w_reserved_begin(struct la_fdt_w *w, const struct la_mem_layout *mem);

/* la_fdt_w_chosen_seeds - kaslr-seed (u64) and rng-seed (256 bytes). */
void la_fdt_w_chosen_seeds(struct la_fdt_w *w, const struct la_fdt_config *fc);
/* la_fdt_w_initrd - linux,initrd-start/-end (u64, end exclusive) if any. */
void la_fdt_w_initrd(struct la_fdt_w *w, const struct la_boot_plan *b);
/* PCI `ranges` space codes: (space << 24) | (prefetchable << 30). */
#define LA_PCI_RANGE_MEM32 0x02000000u
#define LA_PCI_RANGE_MEM64 0x03000000u
#define LA_PCI_RANGE_PREFETCH 0x40000000u

/* la_fdt_w_pci_ranges - the `ranges` of a PCI host bridge, 7 cells per
 * pool (bus address = CPU address): the low pools with code low, then the
 * high pools with code high. */
void la_fdt_w_pci_ranges(struct la_fdt_w *w, const struct la_fdt_config *fc, uint32_t low,
			 uint32_t high);

/* la_fdt_config_pci_pools - fc->pools from the arch's system allocator
 * config with phys_bits address bits (crosvm's mmio_pools()): high MMIO
 * after the pstore region of pstore bytes (0: none), which crosvm carves
 * before it makes the high pool.
 * returns: 0, -LA_ERR_PHYSBITS, -LA_ERR_NOMEM, -LA_ERR_TOOMANY,
 * -LA_ERR_NOSPACE (pstore larger than high MMIO) */
int la_fdt_config_pci_pools(struct la_fdt_config *fc, unsigned phys_bits, uint64_t pstore);

/* la_fdt_seed_fill - deterministic seeds from seed (splitmix64), so trees
 * diff and golden-test. */
void la_fdt_seed_fill(struct la_fdt_config *fc, uint64_t seed);
/* la_fdt_seed_random - fresh seeds from the kernel (getrandom).
 * returns: 0, -LA_ERR_IO */
int la_fdt_seed_random(struct la_fdt_config *fc);

/* la_fdt_check - fdt_check_full on a blob of len bytes, whose totalsize
 * must be len at most; nothing past len is read (a blob of under 4 bytes
 * is truncated). Every blob la reads from a file goes through it.
 * returns: 0, -LA_ERR_FDTBAD (not a DTB), -LA_ERR_FDTTRUNC (truncated),
 * -LA_ERR_FDTVERSION (version below 17: libfdt cannot check it safely) */
int la_fdt_check(const void *blob, size_t len);

/* la_fdt_build - build the arch's tree into buf (size bytes, at least the
 * arch's fdt_max_size to reach its limit).
 * returns: 0, -LA_ERR_FDTSIZE (larger than size), -LA_ERR_* */
int la_fdt_build(const struct la_fdt_config *fc, void *buf, size_t size);

#endif
