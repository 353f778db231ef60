/* SPDX-License-Identifier: MIT */
/*
 * crosvm's AddressAllocator (resources/src/address_allocator.rs): hands
 * out inclusive ranges of a set of pools, first fit upward or last fit
 * downward, with a minimum and a preferred alignment, and takes them back
 * with coalescing. Addresses are u64 up to 2^64-1; the same allocator
 * serves MMIO, IO ports, IRQ numbers, GPEs and PCI slots.
 *
 * Storage: the free list and the allocation table are malloc'd vectors
 * that grow by doubling (la_addr_alloc_destroy frees them). A fixed array
 * would put an arbitrary cap on how fragmented a pool may get; the growth
 * happens at most log2(n) times, and a failed growth is reported as
 * -LA_ERR_NOMEM with the allocator unchanged.
 */
#ifndef LA_ADDR_ALLOC_H
#define LA_ADDR_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "range.h"

#define LA_ALLOC_NAME_MAX 64
#define LA_ALLOC_DEFAULT_MIN_ALIGN 4

/* crosvm's Alloc: what an allocation is for. */
enum la_alloc_type {
	LA_ALLOC_ANON,    /* n: the system allocator's counter, from 1 */
	LA_ALLOC_NAMED,   /* name: given by a user */
	LA_ALLOC_PCI_BAR, /* bus, dev, func, bar */
};

struct la_alloc_id {
	enum la_alloc_type type;
	uint64_t n;
	uint8_t bus, dev, func, bar;
	char name[LA_ALLOC_NAME_MAX];
};

struct la_alloc_rec {
	struct la_alloc_id id;
	struct la_range range;
	char tag[LA_ALLOC_NAME_MAX];
};

/* Construction options; a has_ flag false means crosvm's None. */
struct la_addr_alloc_opts {
	bool has_min_align;
	uint64_t min_align;       /* default 4 */
	bool has_preferred_align;
	uint64_t preferred_align; /* default min_align */
};

struct la_addr_alloc {
	struct la_range *pools;    /* the non-empty pools, as given */
	unsigned npools;
	uint64_t min_align, preferred_align;
	struct la_range *free;     /* disjoint, sorted by start */
	unsigned nfree, capfree;
	struct la_alloc_rec *allocs; /* in allocation order */
	unsigned nallocs, capallocs;
};

/* Id constructors. la_alloc_id_named fails for names of 64 bytes or more.
 * returns: 0, -LA_ERR_NAMELEN */
struct la_alloc_id la_alloc_id_anon(uint64_t n);
int la_alloc_id_named(const char *name, struct la_alloc_id *out);
struct la_alloc_id la_alloc_id_pci_bar(uint8_t bus, uint8_t dev, uint8_t func, uint8_t bar);
bool la_alloc_id_eq(const struct la_alloc_id *a, const struct la_alloc_id *b);
/* la_alloc_id_format - "Anon(3)", "'name'", "PciBar(00:01.0 bar 0)". */
char *la_alloc_id_format(const struct la_alloc_id *id, char *buf, unsigned len);

/* la_addr_alloc_init - an allocator over pools (empty ones dropped).
 * Alignments are in the allocator's unit (bytes, ports, numbers).
 * returns: 0, -LA_ERR_BADALIGN (min 0 or not a power of two; preferred not
 * a power of two or below min), -LA_ERR_POOLOVERLAP, -LA_ERR_NOMEM */
int la_addr_alloc_init(struct la_addr_alloc *a, const struct la_range *pools,
		       unsigned npools, const struct la_addr_alloc_opts *opts);
void la_addr_alloc_destroy(struct la_addr_alloc *a);

/* la_addr_alloc_allocate_with_align - first fit, ascending, at
 * max(min_align, align); *out gets the start.
 * returns: 0, -LA_ERR_EXISTINGALLOC (id in use, checked first),
 * -LA_ERR_ALLOCSIZEZERO, -LA_ERR_BADALIGN, -LA_ERR_NOSPACE, -LA_ERR_NAMELEN
 * (tag), -LA_ERR_NOMEM */
int la_addr_alloc_allocate_with_align(struct la_addr_alloc *a, uint64_t size,
				      const struct la_alloc_id *id, const char *tag,
				      uint64_t align, uint64_t *out);
/* la_addr_alloc_reverse_allocate_with_align - last fit, descending: the
 * highest aligned start in the last free range that fits.
 * returns: as la_addr_alloc_allocate_with_align */
int la_addr_alloc_reverse_allocate_with_align(struct la_addr_alloc *a, uint64_t size,
					      const struct la_alloc_id *id,
					      const char *tag, uint64_t align,
					      uint64_t *out);
/* la_addr_alloc_allocate / _reverse_allocate - at the preferred alignment,
 * retried at the minimum alignment after any error.
 * returns: as la_addr_alloc_allocate_with_align */
int la_addr_alloc_allocate(struct la_addr_alloc *a, uint64_t size,
			   const struct la_alloc_id *id, const char *tag, uint64_t *out);
int la_addr_alloc_reverse_allocate(struct la_addr_alloc *a, uint64_t size,
				   const struct la_alloc_id *id, const char *tag,
				   uint64_t *out);

/* la_addr_alloc_allocate_at - exactly range, alignment not checked. On
 * overlap with an allocation, *conflict (may be NULL) gets its id.
 * returns: 0, -LA_ERR_EXISTINGALLOC (id in use, or range overlaps an
 * allocation), -LA_ERR_ALLOCSIZEZERO (empty range), -LA_ERR_NOSPACE,
 * -LA_ERR_NAMELEN, -LA_ERR_NOMEM */
int la_addr_alloc_allocate_at(struct la_addr_alloc *a, struct la_range range,
			      const struct la_alloc_id *id, const char *tag,
			      struct la_alloc_id *conflict);

/* la_addr_alloc_release - give an allocation back, coalescing it with the
 * free ranges right before and after it; *out (may be NULL) gets its range.
 * returns: 0, -LA_ERR_BADALLOC, -LA_ERR_REGIONOVERLAP, -LA_ERR_NOMEM */
int la_addr_alloc_release(struct la_addr_alloc *a, const struct la_alloc_id *id,
			  struct la_range *out);
/* la_addr_alloc_release_containing - release the allocation holding value.
 * returns: as la_addr_alloc_release, -LA_ERR_NOSPACE if none holds it */
int la_addr_alloc_release_containing(struct la_addr_alloc *a, uint64_t value);

/* la_addr_alloc_find - the allocation with this id, NULL if none. */
const struct la_alloc_rec *la_addr_alloc_find(const struct la_addr_alloc *a,
					      const struct la_alloc_id *id);
/* la_addr_alloc_max_addr - the highest end of any free range, 0 if none. */
uint64_t la_addr_alloc_max_addr(const struct la_addr_alloc *a);

/* la_addr_alloc_pci_offset - bar.start + offset, if [that, +size) lies in
 * the PciBar allocation id (size 0: the address alone must lie in it).
 * returns: 0, -LA_ERR_INVALIDALLOC (not a PciBar id, or unknown),
 * -LA_ERR_OUTOFBOUNDS */
int la_addr_alloc_pci_offset(const struct la_addr_alloc *a, const struct la_alloc_id *id,
			     uint64_t offset, uint64_t size, uint64_t *out);

#endif
