/* SPDX-License-Identifier: MIT */
/*
 * Allocator requests (lib/sys_alloc.c, lib/addr_alloc.c, lib/dev/platform.c)
 * as la-alloc and la-vmrun make them: the system allocator of an arch's
 * default VM (its memory size, phys bits, a pstore reservation and
 * --mmio-range windows from the input), then a stream of requests: MMIO
 * with every option, at fixed ranges, reservations, IO, platform MMIO,
 * IRQs, GPEs, PCI slots, releases, and devices of the registry added to
 * the platform. Afterwards no two allocations of a pool may overlap, nor
 * an allocation a free range.
 */
#include <stdlib.h>

#include "arch.h"
#include "dev/dev.h"
#include "dev/platform.h"
#include "fuzz.h"
#include "sys_alloc.h"

extern const struct la_dev_desc *const la_dev_registry[];
extern const unsigned la_dev_nregistry;

static struct la_sys_alloc sa;
static struct la_platform plat;

static uint64_t fz_size(struct fz *f)
{
	uint8_t b = fz_u8(f);

	/* mostly powers of two and their neighbours, sometimes anything */
	if (b & 0x80)
		return fz_u64(f);
	return (1ULL << (b & 63)) + (uint64_t)(int8_t)fz_u8(f);
}

static bool overlap(struct la_range a, struct la_range b)
{
	return a.start <= b.end && b.start <= a.end;
}

static void check(const struct la_addr_alloc *a)
{
	for (unsigned i = 0; i < a->nallocs; i++) {
		for (unsigned j = i + 1; j < a->nallocs; j++)
			if (overlap(a->allocs[i].range, a->allocs[j].range))
				abort();
		for (unsigned j = 0; j < a->nfree; j++)
			if (overlap(a->allocs[i].range, a->free[j]))
				abort();
	}
}

static void request(struct fz *f)
{
	struct la_alloc_id id = la_sys_alloc_anon(&sa), conflict;
	struct la_mmio_opts o = LA_MMIO_OPTS_DEFAULT;
	struct la_reserve_piece pieces[LA_SYS_MAX_PIECES];
	struct la_grant g[LA_DEV_MAX_NEEDS];
	struct la_range r;
	enum la_mmio_pool pool;
	uint64_t out;
	uint32_t v;
	uint8_t b, d, fn, op = fz_u8(f);
	unsigned n;
	const char *c;
	char name[16];

	switch (op % 14) {
	case 0:
		b = fz_u8(f);
		o.prefetchable = b & 1;
		o.top_down = b & 2;
		if (b & 4)
			o.max_address = fz_size(f);
		if (b & 8)
			o.has_align = true, o.align = fz_size(f);
		la_sys_alloc_mmio(&sa, fz_size(f), &id, "mmio", &o, &out, &pool);
		break;
	case 1:
		r.start = fz_u64(f), r.end = r.start + fz_size(f);
		la_sys_alloc_mmio_at(&sa, r, &id, "at", &conflict, &pool);
		break;
	case 2:
		r.start = fz_u64(f), r.end = r.start + fz_size(f);
		la_sys_alloc_reserve_mmio(&sa, r, pieces, &n, &conflict);
		break;
	case 3:
		b = fz_u8(f);
		la_sys_alloc_io(&sa, fz_size(f), &id, "io", b & 1, fz_size(f), &out);
		break;
	case 4: la_sys_alloc_platform_mmio(&sa, fz_size(f), &id, "platform", &out); break;
	case 5: la_sys_alloc_irq(&sa, "irq", &v); break;
	case 6: la_sys_alloc_reserve_irq(&sa, fz_u16(f), "irq"); break;
	case 7: la_sys_alloc_release_irq(&sa, fz_u16(f)); break;
	case 8:
		if (!la_sys_alloc_gpe(&sa, "gpe", &v) && (fz_u8(f) & 1))
			la_sys_alloc_release_gpe(&sa, v);
		break;
	case 9: la_sys_alloc_pci(&sa, fz_u8(f), "pci", &d, &fn); break;
	case 10:
		b = fz_u8(f), d = fz_u8(f), fn = fz_u8(f);
		la_sys_alloc_reserve_pci(&sa, b, d, fn, "pci");
		la_sys_alloc_pci_bus_empty(&sa, b);
		break;
	case 11:
		b = fz_u8(f), d = fz_u8(f), fn = fz_u8(f);
		la_sys_alloc_release_pci(&sa, b, d, fn);
		break;
	case 12:
		b = fz_u8(f);
		snprintf(name, sizeof(name), "dev%u", b & 7);
		la_platform_add(&plat, la_dev_registry[b % la_dev_nregistry], name, g, &n, &c);
		break;
	case 13:
		la_addr_alloc_release_containing(&sa.mmio[fz_u8(f) & 1], fz_u64(f));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[3] = { "x86_64", "aarch64", "riscv64" };
	struct fz f = { data, size };
	uint8_t b = fz_u8(&f);
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_sys_alloc_config c;
	struct la_range ranges[4];
	unsigned nranges = (b >> 2) & 3, failed;
	struct la_reserve_piece pieces[LA_SYS_MAX_RESERVE * LA_SYS_MAX_PIECES];
	struct la_platform_opts po = LA_PLATFORM_OPTS_DEFAULT;
	const char *fail, *conflict;

	la_vm_config_init(&cfg);
	cfg.arch = la_arch_lookup(names[(b & 3) % 3]);
	cfg.mem_size = (uint64_t)(1 + fz_u8(&f)) << 26;
	if (la_layout_compute(&cfg, &l, &m) ||
	    cfg.arch->system_allocator_config(&cfg, &l, &m, 36 + fz_u8(&f) % 13, &c))
		return 0;
	for (unsigned i = 0; i < nranges; i++)
		ranges[i].start = fz_u64(&f), ranges[i].end = ranges[i].start + fz_size(&f);
	if (la_sys_alloc_init(&sa, &c, b & 0x10, fz_size(&f), ranges, nranges))
		return 0;
	la_sys_alloc_reserve_config(&sa, &c, pieces, &nranges, &failed);
	if (la_platform_init(&plat, cfg.arch, &sa) == 0) {
		po.serials = (b >> 5) % 5;
		po.acpi = b & 0x80;
		la_platform_add_arch(&plat, &po, &fail, &conflict);
		while (f.n)
			request(&f);
		la_platform_destroy(&plat);
	}
	check(&sa.mmio[0]);
	check(&sa.mmio[1]);
	if (sa.has_io)
		check(&sa.io);
	if (sa.has_platform)
		check(&sa.platform);
	check(&sa.irq);
	la_sys_alloc_destroy(&sa);
	return 0;
}
