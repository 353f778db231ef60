/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/mman.h>

#include "err.h"
#include "guestmem.h"

int la_gmem_map(struct la_gmem *g, const struct la_mem_layout *m)
{
	memset(g, 0, sizeof(*g));
	for (unsigned i = 0; i < m->n; i++) {
		void *p = mmap(NULL, m->r[i].size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED) {
			la_gmem_unmap(g);
			return -LA_ERR_GUESTMEM;
		}
		g->s[g->n++] = (struct la_gmem_slot){
			.gpa = m->r[i].start, .size = m->r[i].size,
			.host = p, .purpose = m->r[i].purpose,
		};
	}
	return 0;
}

void la_gmem_unmap(struct la_gmem *g)
{
	for (unsigned i = 0; i < g->n; i++)
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
