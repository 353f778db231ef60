/* SPDX-License-Identifier: MIT */
/* Region computation per arch (lib/arch/ and lib/arch.c) and ranges. */
#include "arch.h"
#include "err.h"
#include "range.h"
#include "size.h"
#include "t.h"

static struct la_vm_config cfg(const char *arch, uint64_t mem)
{
	struct la_vm_config c;

	la_vm_config_init(&c);
	c.arch = la_arch_lookup(arch);
	c.mem_size = mem;
	return c;
}

static int compute(struct la_vm_config *c, struct la_arch_layout *l, struct la_mem_layout *m)
{
	return la_layout_compute(c, l, m);
}

#define REGION(m, i, s, z, p)                                           \
	do {                                                            \
		T_EQ_U64((m).r[i].start, s);                            \
		T_EQ_U64((m).r[i].size, z);                             \
		T_CHECK((m).r[i].purpose == (p));                       \
	} while (0)

static void test_x86(void)
{
	struct la_vm_config c = cfg("x86_64", 512 * LA_MiB);
	struct la_arch_layout l;
	struct la_mem_layout m;

	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 3);
	REGION(m, 0, 0, 0xa0000, LA_REGION_GUEST_MEMORY);
	REGION(m, 1, 0xa0000, 0x60000, LA_REGION_RESERVED);
	REGION(m, 2, 0x100000, 0x1ff00000, LA_REGION_GUEST_MEMORY);
	T_EQ_U64(l.pci_ecam.start, 0xf4000000);
	T_EQ_U64(l.pci_ecam.end, 0xf7ffffff);
	T_EQ_U64(l.pci_mem.start, 0xd0000000);
	T_EQ_U64(l.pci_mem.end, 0xf7ffffff);
	T_CHECK(!l.has_pvmfw);
	T_EQ_U64(la_mem_layout_end(&m), 0x20000000);

	c.mem_size = 8 * LA_GiB;
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 4);
	REGION(m, 2, 0x100000, 0xcff00000, LA_REGION_GUEST_MEMORY);
	REGION(m, 3, 0x100000000, 0x130000000, LA_REGION_GUEST_MEMORY);

	/* exactly the PCI hole start: no RAM above 4G */
	c.mem_size = 0xd0000000;
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 3);
	/* one page above it: one page above 4G */
	c.mem_size = 0xd0001000;
	T_CHECK(compute(&c, &l, &m) == 0);
	REGION(m, 3, 0x100000000, 0x1000, LA_REGION_GUEST_MEMORY);

	/* smallest: 1 MiB + 4 KiB */
	c.mem_size = LA_MiB + 4096;
	T_CHECK(compute(&c, &l, &m) == 0);
	REGION(m, 2, 0x100000, 0x1000, LA_REGION_GUEST_MEMORY);
	c.mem_size = LA_MiB;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_MEMTOOSMALL);

	/* BIOS ends at 4G */
	c.mem_size = 512 * LA_MiB;
	c.bios_path = "bios";
	c.bios_size = 0x10000;
	T_CHECK(compute(&c, &l, &m) == 0);
	REGION(m, 3, 0xffff0000, 0x10000, LA_REGION_BIOS);
	c.bios_size = 0x1001000;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_BIOSSIZE);
	c.bios_path = NULL;

	/* pVM firmware carved out of RAM */
	c.mem_size = 4 * LA_GiB;
	c.protection = LA_PROT_PROTECTED;
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 6);
	REGION(m, 2, 0x100000, 0x7fb00000, LA_REGION_GUEST_MEMORY);
	REGION(m, 3, 0x7fc00000, 0x400000, LA_REGION_PROTECTED_FIRMWARE);
	REGION(m, 4, 0x80000000, 0x50000000, LA_REGION_GUEST_MEMORY);
	REGION(m, 5, 0x100000000, 0x30000000, LA_REGION_GUEST_MEMORY);
	c.pci_mem = (struct la_window_opt){ .set = true, .has_size = true,
					    .start = 0x7f000000, .size = 0x10000000 };
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_PVMFWOVERLAP);
}

static void test_x86_ecam(void)
{
	struct la_vm_config c = cfg("x86_64", 512 * LA_MiB);
	struct la_arch_layout l;
	struct la_mem_layout m;

	c.pci_ecam = (struct la_window_opt){ .set = true, .has_size = true,
					     .start = 0xe0000000, .size = LA_GiB };
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(l.pci_ecam.end, 0xefffffff); /* capped at 256 MiB */
	T_EQ_U64(l.pci_mem.start, 0xd0000000);
	c.pci_ecam.start = 0xc0000000;
	c.pci_ecam.size = 256 * LA_MiB;
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(l.pci_mem.start, 0xc0000000); /* min(ecam start, 0xd0000000) */
	c.pci_ecam.start = 0xf4100000;
	c.pci_ecam.size = 64 * LA_MiB;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_ECAMALIGN);
	c.pci_ecam.start = 0xf0000000;
	c.pci_ecam.size = 0;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_ECAMSIZE);
	c.pci_ecam.start = 0x100000000;
	c.pci_ecam.size = 64 * LA_MiB;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_ECAMRANGE);
	c.pci_ecam.start = 0xfffffffffc000000;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_ECAMRANGE);
	c.pci_ecam = (struct la_window_opt){ .set = true, .start = 0xf0000000 };
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(l.pci_ecam.end, 0xf7ffffff);
	c.pci_ecam.start = 0xf8000000;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_ECAMRANGE);
}

static void test_aarch64(void)
{
	struct la_vm_config c = cfg("aarch64", LA_GiB);
	struct la_arch_layout l;
	struct la_mem_layout m;

	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 1);
	REGION(m, 0, 0x80000000, LA_GiB, LA_REGION_GUEST_MEMORY);
	T_EQ_U64(m.r[0].align, 2 * LA_MiB);
	T_EQ_U64(l.pci_cam.start, 0x10000);
	T_EQ_U64(l.pci_cam.end, 0x100ffff);
	T_EQ_U64(l.pci_mem.start, 0x2000000);
	T_EQ_U64(l.pci_mem.end, 0x3ffffff);

	c.protection = LA_PROT_PROTECTED;
	c.static_swiotlb = true;
	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 3);
	REGION(m, 0, 0x7fc00000, 0x400000, LA_REGION_PROTECTED_FIRMWARE);
	REGION(m, 1, 0x80000000, LA_GiB - 64 * LA_MiB, LA_REGION_GUEST_MEMORY);
	REGION(m, 2, 0x80000000 + LA_GiB - 64 * LA_MiB, 64 * LA_MiB, LA_REGION_STATIC_SWIOTLB);

	c = cfg("aarch64", LA_GiB);
	c.pci_cam = (struct la_window_opt){ .set = true, .has_size = true,
					    .start = 0x10000, .size = 8 * LA_MiB };
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_CAMSIZE);
	c.pci_cam = (struct la_window_opt){ .set = true, .start = 0x7f000001 };
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_CAMRANGE);
	c.pci_cam = (struct la_window_opt){ .set = true, .start = 0x7f000000 };
	T_CHECK(compute(&c, &l, &m) == 0);

	c = cfg("aarch64", 2 * LA_MiB - 4096);
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_MEMTOOSMALL);
	c.cpus = 513;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_CPUS);
}

static void test_riscv64(void)
{
	struct la_vm_config c = cfg("riscv64", 4 * LA_GiB);
	struct la_arch_layout l;
	struct la_mem_layout m;

	T_CHECK(compute(&c, &l, &m) == 0);
	T_EQ_U64(m.n, 1);
	REGION(m, 0, 0x80000000, 4 * LA_GiB, LA_REGION_GUEST_MEMORY);
	T_EQ_U64(l.pci_cam.start, 0x10000);
	T_CHECK(!l.has_pci_mem);
	c.pci_mem.set = true;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_UNSUPPORTED);
	c.pci_mem.set = false;
	c.fdt_position = LA_FDT_POS_START;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_FDTPOS);
	c.fdt_position = LA_FDT_POS_AFTER_PAYLOAD;
	T_CHECK(compute(&c, &l, &m) == 0);
	c.mem_size = 0;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_MEMTOOSMALL);
	c.mem_size = 4097;
	T_CHECK(compute(&c, &l, &m) == -LA_ERR_MEMALIGN);
}

static void test_ranges(void)
{
	struct la_range r, a, b;
	bool ok;

	T_CHECK(la_range_is_empty(LA_RANGE_EMPTY));
	T_CHECK(la_range_from_size(0, 0, &r) == 0 && la_range_is_empty(r));
	T_CHECK(la_range_from_size(UINT64_MAX, 1, &r) == 0 && r.end == UINT64_MAX);
	T_CHECK(la_range_from_size(UINT64_MAX, 2, &r) == -LA_ERR_RANGE);
	T_EQ_U64(la_range_len((struct la_range){ 0, UINT64_MAX }), UINT64_MAX);
	T_EQ_U64(la_range_len((struct la_range){ 0x1000, 0x1fff }), 0x1000);
	T_CHECK(la_range_overlaps((struct la_range){ 0, 10 }, (struct la_range){ 10, 20 }));
	T_CHECK(!la_range_overlaps((struct la_range){ 0, 9 }, (struct la_range){ 10, 20 }));
	la_range_subtract((struct la_range){ 0, 100 }, (struct la_range){ 10, 19 }, &a, &b);
	T_CHECK(a.start == 0 && a.end == 9 && b.start == 20 && b.end == 100);
	la_range_subtract((struct la_range){ 0, UINT64_MAX }, (struct la_range){ 0, UINT64_MAX }, &a, &b);
	T_CHECK(la_range_is_empty(a) && la_range_is_empty(b));
	la_range_split_at((struct la_range){ 5, 10 }, 8, &a, &b);
	T_CHECK(a.start == 5 && a.end == 7 && b.start == 8 && b.end == 10);
	T_CHECK(la_range_contains_range((struct la_range){ 0, 100 }, (struct la_range){ 0, 100 }));
	T_CHECK(!la_range_contains_range((struct la_range){ 0, 100 }, (struct la_range){ 0, 101 }));
	T_EQ_U64(la_align_up(0x1001, 0x1000, &ok), 0x2000);
	T_CHECK(ok);
	la_align_up(UINT64_MAX, 0x1000, &ok);
	T_CHECK(!ok);
}

int main(void)
{
	T_CHECK(la_arch_lookup("arm64") == &la_arch_aarch64);
	T_CHECK(la_arch_lookup("sparc") == NULL);
	test_x86();
	test_x86_ecam();
	test_aarch64();
	test_riscv64();
	test_ranges();
	return T_DONE();
}
