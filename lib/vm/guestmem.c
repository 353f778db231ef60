/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "vm/guestmem.h"

/* KVM maps guest memory with 2 MiB (nested) page-table entries only where
 * the host address and the guest address agree modulo 2 MiB; otherwise every
 * 4 KiB page the guest touches costs its own fault. */
#define LA_GMEM_HUGE 0x200000ULL

static void *la_gmem_mmap(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

/* the bytes of whole huge pages holding guest [gpa, gpa+size) */
static uint64_t la_gmem_huge_len(uint64_t gpa, uint64_t size)
{
	uint64_t head = gpa % LA_GMEM_HUGE_PAGE;

	if (size > UINT64_MAX - head - LA_GMEM_HUGE_PAGE)
		return UINT64_MAX;
	return (head + size + LA_GMEM_HUGE_PAGE - 1) & ~(LA_GMEM_HUGE_PAGE - 1);
}

/* Private hugetlbfs pages, reserved at mmap (no MAP_NORESERVE: a pool too
 * small fails here with ENOMEM instead of a SIGBUS at a guest's touch).
 * The mapping is 2 MiB-aligned by construction. */
static void *la_gmem_map_huge(uint64_t len, int *err)
{
	void *p;

	if (len > SIZE_MAX) {
		*err = -LA_ERR_GUESTMEM;
		return NULL;
	}
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (p != MAP_FAILED)
		return p;
	*err = errno == ENOMEM ? -LA_ERR_HUGEPAGES : -LA_ERR_GUESTMEM;
	return NULL;
}

uint64_t la_gmem_huge_pages(const struct la_mem_layout *m)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->n; i++)
		n += la_gmem_huge_len(m->r[i].start, m->r[i].size) / LA_GMEM_HUGE_PAGE;
	return n;
}

/* Zeroed anonymous memory for guest bytes [gpa, gpa+size). Regions of at
 * least 2 MiB get a host address congruent to gpa modulo 2 MiB (map 2 MiB
 * more, trim both ends), as QEMU aligns guest RAM. No MADV_HUGEPAGE: with
 * the usual defrag=madvise it makes faults compact memory synchronously
 * (a suspect, not proven, in emulated-host freezes seen with it); where THP
 * is "always" (Debian's default) aligned memory gets huge pages anyway. */
static void *la_gmem_map_region(uint64_t gpa, uint64_t size)
{
	uint8_t *p;
	size_t head;

	if (size > SIZE_MAX - LA_GMEM_HUGE)
		return NULL;
	if (size < LA_GMEM_HUGE)
		return la_gmem_mmap(size);
	p = la_gmem_mmap(size + LA_GMEM_HUGE);
	if (!p)
		return NULL;
	head = (size_t)((gpa - (uintptr_t)p) % LA_GMEM_HUGE);
	if (head)
		munmap(p, head);
	if (LA_GMEM_HUGE - head)
		munmap(p + head + size, LA_GMEM_HUGE - head);
	return p + head;
}

int la_gmem_map(struct la_gmem *g, const struct la_mem_layout *m, enum la_gmem_backing b)
{
	memset(g, 0, sizeof(*g));
	g->backing = b;
	for (unsigned i = 0; i < m->n; i++) {
		uint64_t gpa = m->r[i].start, size = m->r[i].size, len = size, head = 0;
		int err = -LA_ERR_GUESTMEM;
		uint8_t *p;

		if (b == LA_GMEM_HUGETLB) {
			len = la_gmem_huge_len(gpa, size);
			head = gpa % LA_GMEM_HUGE_PAGE;
			p = la_gmem_map_huge(len, &err);
		} else {
			p = la_gmem_map_region(gpa, size);
		}
		if (!p) {
			la_gmem_unmap(g);
			return err;
		}
		g->s[g->n++] = (struct la_gmem_slot){
			.gpa = gpa, .size = size, .host = p + head, .purpose = m->r[i].purpose,
			.map_base = p, .map_len = len,
		};
	}
	return 0;
}

int la_gmem_add_file(struct la_gmem *g, uint64_t gpa, uint64_t size, int fd,
		     enum la_region_purpose purpose)
{
	void *p;

	if (g->n >= LA_MAX_REGIONS)
		return -LA_ERR_TOOMANY;
	if (size == 0 || size > SIZE_MAX)
		return -LA_ERR_GUESTMEM;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -LA_ERR_GUESTMEM;
	g->s[g->n++] = (struct la_gmem_slot){
		.gpa = gpa, .size = size, .host = p, .purpose = purpose,
		.map_base = p, .map_len = size,
	};
	return 0;
}

void la_gmem_unmap(struct la_gmem *g)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->s[i].map_len)
			munmap(g->s[i].map_base, g->s[i].map_len);
		else
			munmap(g->s[i].host, g->s[i].size);
	g->n = 0;
}

uint8_t *la_gmem_ptr(const struct la_gmem *g, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < g->n; i++) {
		const struct la_gmem_slot *s = &g->s[i];

		if (gpa >= s->gpa && gpa - s->gpa <= s->size && len <= s->size - (gpa - s->gpa))
			return s->host + (gpa - s->gpa);
	}
	return NULL;
}

int la_gmem_write(const struct la_gmem *g, uint64_t gpa, const void *buf, uint64_t len)
{
	uint8_t *p = la_gmem_ptr(g, gpa, len);

	if (!p)
		return -LA_ERR_GPA;
	memcpy(p, buf, len);
	return 0;
}

uint64_t la_gmem_mapped_bytes(const struct la_gmem *g)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < g->n; i++)
		t += g->s[i].size;
	return t;
}

int la_gmem_read_fd(const struct la_gmem *g, int fd, uint64_t gpa, uint64_t size)
{
	uint8_t *p = la_gmem_ptr(g, gpa, size);
	uint64_t done = 0;
	uint8_t extra;
	ssize_t r;

	if (!p)
		return -LA_ERR_GPA;
	while (done < size) {
		r = pread(fd, p + done, size - done > (1u << 30) ? 1u << 30 : size - done,
			  (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -LA_ERR_CHANGED; /* shorter than when it was placed */
		if (r < 0)
			return -LA_ERR_IO;
		done += (uint64_t)r;
	}
	/* longer than when it was placed: the guest would get a cut copy */
	do
		r = pread(fd, &extra, 1, (off_t)size);
	while (r < 0 && errno == EINTR);
	if (r != 0)
		return r > 0 ? -LA_ERR_CHANGED : -LA_ERR_IO;
	return 0;
}
