/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM as the VMM sees it: one anonymous host mapping per region of
 * the arch layout (crosvm's GuestMemory). Needs no /dev/kvm: la-vmrun
 * --explain and the unit tests build a whole VM image in it.
 */
#ifndef LA_GUESTMEM_H
#define LA_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

struct la_gmem_slot {
	uint64_t gpa;    /* guest physical start */
	uint64_t size;   /* bytes */
	uint8_t *host;   /* host mapping */
	enum la_region_purpose purpose;
	uint8_t *map_base; /* the mapping holding host (hugetlbfs: whole pages) */
	uint64_t map_len;  /* its bytes; 0: host and size (a slot made by hand) */
};

/* How guest RAM is backed: anonymous memory (transparent huge pages where
 * the host has them) or hugetlbfs 2 MiB pages reserved up front
 * (la-vmrun --hugepages). */
enum la_gmem_backing { LA_GMEM_ANON, LA_GMEM_HUGETLB };

/* the size of a hugetlbfs page la_gmem_map asks for */
#define LA_GMEM_HUGE_PAGE 0x200000ULL

struct la_gmem {
	unsigned n;
	enum la_gmem_backing backing;
	struct la_gmem_slot s[LA_MAX_REGIONS];
};

/* la_gmem_map - map every region of m, zeroed. LA_GMEM_ANON: anonymous,
 * reserved lazily; regions of 2 MiB or more sit at host addresses
 * congruent to their guest address modulo 2 MiB, so KVM can use 2 MiB
 * mappings where the host has transparent huge pages. LA_GMEM_HUGETLB:
 * 2 MiB hugetlbfs pages, each region in whole pages at a host address
 * congruent to its guest address modulo 2 MiB, reserved now, so a host without enough free pages fails here and not
 * at the guest's first touch. returns: 0, -LA_ERR_GUESTMEM,
 * -LA_ERR_HUGEPAGES (too few free huge pages; nothing stays mapped) */
int la_gmem_map(struct la_gmem *g, const struct la_mem_layout *m, enum la_gmem_backing b);

/* la_gmem_huge_pages - the 2 MiB pages LA_GMEM_HUGETLB needs for m. */
uint64_t la_gmem_huge_pages(const struct la_mem_layout *m);

/* la_gmem_add_file - one more region: bytes [0, size) of file fd mapped
 * shared at guest address gpa (the pstore file: what the guest writes
 * there is in the file), purpose as given. KVM registers it with the rest.
 * returns: 0, -LA_ERR_TOOMANY (LA_MAX_REGIONS), -LA_ERR_GUESTMEM (mmap
 * failed) */
int la_gmem_add_file(struct la_gmem *g, uint64_t gpa, uint64_t size, int fd,
		     enum la_region_purpose purpose);

/* la_gmem_unmap - undo la_gmem_map; safe on a zeroed struct. */
void la_gmem_unmap(struct la_gmem *g);

/* la_gmem_ptr - host address of guest bytes [gpa, gpa+len), which must
 * lie inside one region. returns: the pointer, NULL if not backed */
uint8_t *la_gmem_ptr(const struct la_gmem *g, uint64_t gpa, uint64_t len);

/* la_gmem_write - copy len bytes to guest address gpa.
 * returns: 0, -LA_ERR_GPA */
int la_gmem_write(const struct la_gmem *g, uint64_t gpa, const void *buf, uint64_t len);

/* la_gmem_read_fd - read file fd's bytes [0, size) to guest address gpa
 * (an initrd); the file must be exactly size bytes still.
 * returns: 0, -LA_ERR_GPA, -LA_ERR_CHANGED (shorter or longer than size
 * now), -LA_ERR_IO */
int la_gmem_read_fd(const struct la_gmem *g, int fd, uint64_t gpa, uint64_t size);

/* la_gmem_mapped_bytes - total bytes of guest RAM mappings. */
uint64_t la_gmem_mapped_bytes(const struct la_gmem *g);

#endif
