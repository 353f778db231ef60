/* SPDX-License-Identifier: MIT */
/*
 * crosvm's SystemAllocator (resources/src/system_allocator.rs): the address
 * allocators of one VM, as the arch's get_system_allocator_config sets them
 * up: IO ports, low and high MMIO, platform MMIO, IRQs, GPEs and one PCI
 * slot allocator per bus, plus the reserved region (pstore) carved from the
 * start of high MMIO.
 */
#ifndef LA_SYS_ALLOC_H
#define LA_SYS_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "addr_alloc.h"
#include "range.h"

#define LA_SYS_IO_MIN_ALIGN 0x400
#define LA_SYS_IO_MAX 0xffff
#define LA_SYS_PAGE_SIZE 4096
#define LA_SYS_MAX_IRQ 1023
#define LA_SYS_MAX_GPE 255
#define LA_SYS_PCI_BUSES 256
#define LA_SYS_PCI_PREFERRED_ALIGN 8 /* whole devices (8 functions) first */
#define LA_SYS_MAX_MMIO_RANGES 32    /* --mmio-range windows */
#define LA_SYS_MAX_RESERVE 8         /* mmio reservations an arch asks for */

/* What get_system_allocator_config returns, plus the MMIO windows the arch
 * reserves right away (x86: ECAM, build_vm step 2). */
struct la_sys_alloc_config {
	bool has_io;
	struct la_range io;
	struct la_range low_mmio;   /* may be empty */
	struct la_range high_mmio;  /* may be empty */
	bool has_platform_mmio;
	struct la_range platform_mmio;
	uint32_t first_irq;
	unsigned phys_bits;         /* guest physical address bits used */
	bool has_vcfg;              /* x86: PCIe virtual config window */
	struct la_range vcfg;
	unsigned nreserve;
	struct la_range reserve[LA_SYS_MAX_RESERVE];
	const char *reserve_name[LA_SYS_MAX_RESERVE];
};

enum la_mmio_pool { LA_MMIO_LOW, LA_MMIO_HIGH };

/* crosvm's AllocOptions. */
struct la_mmio_opts {
	bool prefetchable;       /* default false */
	uint64_t max_address;    /* default UINT64_MAX */
	bool has_align;          /* default None */
	uint64_t align;
	bool top_down;           /* default false */
};

#define LA_MMIO_OPTS_DEFAULT ((struct la_mmio_opts){ .max_address = UINT64_MAX })

struct la_sys_alloc {
	bool has_io;
	struct la_addr_alloc io;
	struct la_addr_alloc mmio[2];        /* enum la_mmio_pool */
	bool has_platform;
	struct la_addr_alloc platform;
	struct la_addr_alloc irq;
	struct la_addr_alloc gpe;
	struct la_addr_alloc *pci[LA_SYS_PCI_BUSES]; /* created on first use */
	bool has_reserved;
	struct la_range reserved;
	uint64_t anon;                       /* last anonymous id handed out */
};

/* la_sys_alloc_init - crosvm's SystemAllocator::new. has_reserve/reserve_size
 * carve the reserved region from the start of high MMIO; a non-empty
 * mmio_ranges list replaces the low and high pools by their intersections
 * with those windows.
 * returns: 0, -LA_ERR_NOSPACE (reserve larger than high MMIO),
 * -LA_ERR_IOPORTRANGE, -LA_ERR_TOOMANY (more than LA_SYS_MAX_MMIO_RANGES),
 * -LA_ERR_NOMEM */
int la_sys_alloc_init(struct la_sys_alloc *s, const struct la_sys_alloc_config *c,
		      bool has_reserve, uint64_t reserve_size,
		      const struct la_range *mmio_ranges, unsigned nranges);
void la_sys_alloc_destroy(struct la_sys_alloc *s);

/* la_sys_alloc_anon - the next anonymous id: Anon(1), Anon(2), ... */
struct la_alloc_id la_sys_alloc_anon(struct la_sys_alloc *s);

/* la_sys_alloc_mmio - allocate_mmio: high MMIO only for a prefetchable
 * request without an address limit, falling back to low MMIO when high is
 * out of space; *pool says where it went.
 * returns: 0, -LA_ERR_NOSPACE (also: max_address below 4 GiB - 1), the
 * errors of la_addr_alloc_allocate_with_align */
int la_sys_alloc_mmio(struct la_sys_alloc *s, uint64_t size, const struct la_alloc_id *id,
		      const char *tag, const struct la_mmio_opts *opts, uint64_t *out,
		      enum la_mmio_pool *pool);
/* la_sys_alloc_mmio_at - allocate_at on low, then high MMIO (crosvm's
 * AddressAllocatorSet): the first success, else the last error.
 * returns: 0, the errors of la_addr_alloc_allocate_at */
int la_sys_alloc_mmio_at(struct la_sys_alloc *s, struct la_range range,
			 const struct la_alloc_id *id, const char *tag,
			 struct la_alloc_id *conflict, enum la_mmio_pool *pool);

/* One piece of a reserve_mmio: the id it got and the part of range. */
struct la_reserve_piece {
	struct la_alloc_id id;
	struct la_range range;
	enum la_mmio_pool pool;
};

/* la_sys_alloc_reserve_mmio - reserve range in every MMIO pool it touches
 * (pools taken in address order), tag "pci mmio reserve"; out (room for
 * 2 * LA_SYS_MAX_MMIO_RANGES pieces) and *n list what was reserved, also
 * when a later piece fails.
 * returns: 0, the errors of la_addr_alloc_allocate_at */
int la_sys_alloc_reserve_mmio(struct la_sys_alloc *s, struct la_range range,
			      struct la_reserve_piece *out, unsigned *n,
			      struct la_alloc_id *conflict);

/* la_sys_alloc_io - an IO port range from 0xc000 up (min alignment 0x400).
 * returns: 0, -LA_ERR_NOPOOL (no IO allocator on this arch), the errors of
 * la_addr_alloc_allocate_with_align */
int la_sys_alloc_io(struct la_sys_alloc *s, uint64_t size, const struct la_alloc_id *id,
		    const char *tag, bool has_align, uint64_t align, uint64_t *out);
/* la_sys_alloc_platform_mmio - a page-aligned range of platform MMIO.
 * returns: 0, -LA_ERR_NOPOOL, the errors of la_addr_alloc_allocate */
int la_sys_alloc_platform_mmio(struct la_sys_alloc *s, uint64_t size,
			       const struct la_alloc_id *id, const char *tag, uint64_t *out);

/* la_sys_alloc_irq - the lowest free IRQ number (first_irq..1023).
 * returns: 0, -LA_ERR_NOSPACE */
int la_sys_alloc_irq(struct la_sys_alloc *s, const char *tag, uint32_t *irq);
/* la_sys_alloc_reserve_irq - take IRQ irq if it is free and allocatable. */
bool la_sys_alloc_reserve_irq(struct la_sys_alloc *s, uint32_t irq, const char *tag);
/* la_sys_alloc_release_irq - returns: 0, -LA_ERR_NOSPACE (not allocated) */
int la_sys_alloc_release_irq(struct la_sys_alloc *s, uint32_t irq);
/* la_sys_alloc_gpe - the lowest free GPE (0..255). returns: 0, -LA_ERR_NOSPACE */
int la_sys_alloc_gpe(struct la_sys_alloc *s, const char *tag, uint32_t *gpe);
/* la_sys_alloc_release_gpe - returns: 0, -LA_ERR_NOSPACE (not allocated) */
int la_sys_alloc_release_gpe(struct la_sys_alloc *s, uint32_t gpe);

/* la_sys_alloc_pci - the next PCI address on bus: whole devices first
 * (bus 0 from 00:01.0), then single functions.
 * returns: 0, -LA_ERR_NOSPACE, -LA_ERR_NOMEM */
int la_sys_alloc_pci(struct la_sys_alloc *s, uint8_t bus, const char *tag, uint8_t *dev,
		     uint8_t *func);
/* la_sys_alloc_reserve_pci - take bus:dev.func if free. */
bool la_sys_alloc_reserve_pci(struct la_sys_alloc *s, uint8_t bus, uint8_t dev, uint8_t func,
			      const char *tag);
/* la_sys_alloc_release_pci - returns: 0, -LA_ERR_NOSPACE (not allocated) */
int la_sys_alloc_release_pci(struct la_sys_alloc *s, uint8_t bus, uint8_t dev, uint8_t func);
/* la_sys_alloc_pci_bus_empty - no address allocated on bus. */
bool la_sys_alloc_pci_bus_empty(const struct la_sys_alloc *s, uint8_t bus);

#endif
