/* SPDX-License-Identifier: MIT */
/*
 * x86_64 boot builders and devices, without KVM: table layouts and
 * checksums, loaders and their errors, the boot vCPU state, CPUID, and a
 * whole build_vm checked by the probe guest's own table walkers
 * (tests/guest/report.c) running natively over the guest memory.
 */
#include <elf.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "../guest/probe.h"
#include "arch.h"
#include "bytes.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/serial.h"
#include "pci/host.h"
#include "err.h"
#include "t.h"
#include "vm/vm.h"
#include "dev/resources.h"
#include "arch/x86_64/x86boot.h"

#define MEM (256ULL << 20)

static char out[65536];
static size_t outlen;

static void buf_putc(void *ctx, char c)
{
	(void)ctx;
	if (outlen + 1 < sizeof(out))
		out[outlen++] = c;
	out[outlen] = 0;
}

#define HAS(s) T_CHECK(strstr(out, s) != NULL)

/* A VM config and its layout for mem bytes and n vCPUs. */
static void vm_layout(uint64_t mem, unsigned n, struct la_vm_config *c, struct la_arch_layout *l,
		      struct la_mem_layout *m)
{
	la_vm_config_init(c);
	c->arch = &la_arch_x86_64;
	c->mem_size = mem;
	c->cpus = n;
	memset(l, 0, sizeof(*l));
	memset(m, 0, sizeof(*m));
	T_EQ_U64(la_layout_compute(c, l, m), 0);
}

/* Guest memory [0, MEM) as one host mapping, the way the probe reads it. */
static uint8_t *flat_gmem(const struct la_mem_layout *m, struct la_gmem *g)
{
	uint8_t *base = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(g, 0, sizeof(*g));
	for (unsigned i = 0; i < m->n; i++)
		g->s[g->n++] = (struct la_gmem_slot){ m->r[i].start, m->r[i].size,
						      base + m->r[i].start, m->r[i].purpose,
						      NULL, 0 };
	return base;
}

static void test_e820(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_e820 e;

	vm_layout(512ULL << 20, 1, &c, &l, &m);
	T_EQ_U64(la_x86_e820_build(&l, &m, &e), 0);
	T_EQ_U64(e.n, 6);
	T_EQ_U64(e.e[2].addr, 0x100000);
	T_EQ_U64(e.e[2].size, 0x1ff00000);
	T_EQ_U64(e.e[3].addr, 0xf4000000);
	T_EQ_U64(e.e[4].addr, 0x100000000);
	T_EQ_U64(e.e[4].size, 0x8000000);
	T_EQ_U64(e.e[5].addr, 0xfeffc000);
	T_EQ_U64(e.e[5].size, 0x4000);
	T_EQ_U64(e.e[5].type, LA_E820_RESERVED);
	vm_layout(8ULL << 30, 1, &c, &l, &m);
	T_EQ_U64(la_x86_vcfg_range(&l, &m).start, 0x230000000);
	T_EQ_U64(la_x86_high_mmio(&l, &m, 46).start, 0x238000000);
	T_EQ_U64(la_x86_high_mmio(&l, &m, 46).end, 0x3fffffffffff);
	T_EQ_U64(la_x86_high_mmio(&l, &m, 40).end, 0xffffffffff);
}

static void test_cpu_state(void)
{
	struct la_msr msr[16];
	struct la_x86_segment s;
	unsigned n = la_x86_mtrr_msrs(0xd0000000, 46, msr, 16);

	T_EQ_U64(la_x86_gdt_entry(0xa09b, 0, 0xfffff), 0x00af9b000000ffff);
	T_EQ_U64(la_x86_gdt_entry(0xc093, 0, 0xfffff), 0x00cf93000000ffff);
	T_EQ_U64(la_x86_gdt_entry(0x808b, 0, 0xfffff), 0x008f8b000000ffff);
	s = la_x86_segment_from_gdt(0x00af9b000000ffff, 0x10);
	T_EQ_U64(s.limit, 0xffffffff);
	T_CHECK(s.l == 1 && s.db == 0 && s.g == 1 && s.type == 0xb && s.present && s.s);
	T_EQ_U64(n, 5);
	T_EQ_U64(msr[0].index, 0x200);
	T_EQ_U64(msr[0].value, 0xd0000000);
	T_EQ_U64(msr[1].value, 0x3ffff0000800);
	T_EQ_U64(msr[2].value, 0xe0000000);
	T_EQ_U64(msr[3].value, 0x3fffe0000800);
	T_EQ_U64(msr[4].index, 0x2ff);
	T_EQ_U64(msr[4].value, 0x806);
}

static void fake_host(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	r[0] = 0xfc000000u | leaf, r[1] = sub, r[2] = 0x11, r[3] = 0x22;
}

static void test_cpuid(void)
{
	struct la_cpuid_entry e[] = {
		{ 1, 0, 0, 0, 0xff, 0x20, 0 }, { 4, 1, 0, 0, 0, 0, 0 },
		{ 0xb, 0, 0, 0, 0, 0, 0 }, { 0xb, 1, 0, 0, 0, 0, 0 }, { 0xb, 2, 0, 9, 9, 9, 9 },
		{ 0x80000001, 0, 0, 0, 0, 0x4, 0 }, { 0x80000002, 0, 0, 0, 0, 0, 0 },
	};
	struct la_x86_cpuid_cfg c = { .vcpu_id = 2, .ncpus = 4, .x2apic = true, .host = fake_host };

	la_x86_cpuid_adjust(e, sizeof(e) / sizeof(e[0]), &c);
	T_EQ_U64(e[0].ebx, 2u << 24 | 4u << 16 | 8u << 8);
	T_EQ_U64(e[0].ecx, 1u << 31 | 1u << 21); /* VMX cleared, x2APIC, hypervisor */
	T_EQ_U64(e[0].edx, 1u << 28);
	T_EQ_U64(e[1].eax, 4u | 1u << 26);       /* host leaf, 2 cores per package */
	T_EQ_U64(e[2].eax, 1);
	T_EQ_U64(e[2].ebx, 2);
	T_EQ_U64(e[2].ecx, 0x100);
	T_EQ_U64(e[2].edx, 2);
	T_EQ_U64(e[3].eax, 2);
	T_EQ_U64(e[3].ebx, 4);
	T_EQ_U64(e[3].ecx, 0x201);
	T_EQ_U64(e[4].eax | e[4].ebx | e[4].ecx, 0);
	T_EQ_U64(e[5].ecx, 0);                   /* SVM cleared */
	T_EQ_U64(e[6].eax, 0xfc000000u | 0x80000002u);
}

static void test_cmdline(void)
{
	struct la_cmdline c = { 0 };
	uint8_t bp[4096] = { 0 };

	T_EQ_U64(la_cmdline_add(&c, "panic=-1"), 0);
	T_EQ_U64(la_cmdline_add(&c, "a b"), 0);
	T_EQ_STR(c.s, "panic=-1 a b");
	T_EQ_U64(la_cmdline_add(&c, "tab\there"), (uint64_t)-LA_ERR_CMDLINECHAR);
	(void)bp;
}

/* The limits a kernel's header gives (one reading for la-mkfdt's plan and
 * la-vmrun's loader). */
static void test_header_limits(void)
{
	struct la_kernel_info k = { .kind = LA_KERNEL_BZIMAGE };

	T_EQ_U64(la_x86_kernel_cmdline_max(&k), 255);
	T_EQ_U64(la_x86_kernel_initrd_max(&k), 0x37ffffff);
	k.cmdline_size = 0x100000;
	k.initrd_addr_max = 0x7fffffff;
	T_EQ_U64(la_x86_kernel_cmdline_max(&k), 0x7ff);
	T_EQ_U64(la_x86_kernel_initrd_max(&k), 0x7fffffff);
	k.xloadflags = LA_XLF_CAN_BE_LOADED_ABOVE_4G;
	T_EQ_U64(la_x86_kernel_initrd_max(&k), ~0ULL);
	k.kind = LA_KERNEL_ELF;
	T_EQ_U64(la_x86_kernel_cmdline_max(&k), 0x7ff);
	T_EQ_U64(la_x86_kernel_initrd_max(&k), 0x37ffffff);
	k = (struct la_kernel_info){ 0 }; /* a BIOS */
	T_EQ_U64(la_x86_kernel_cmdline_max(&k), 0x7ff);
}

static void test_aml(void)
{
	struct la_x86_acpi_cfg c = {
		.ncpus = 2, .pm_iobase = 0xc000, .sci_irq = 5,
		.ecam = { 0xf4000000, 0xf7ffffff }, .low_mmio = { 0xd0000000, 0xf7ffffff },
		.high_mmio = { 0x108000000, 0x3fffffffffff }, .vcfg = { 0x100000000, 0x107ffffff },
	};
	uint8_t aml[1024];
	int n = la_x86_dsdt_aml(aml, sizeof(aml), &c);

	T_CHECK(n > 0);
	T_EQ_U64(probe_s5_slp_typ(aml, (uint64_t)n), LA_X86_S5_SLP_TYP);
	/* PNP0A03 as AML stores it */
	T_CHECK(memmem(aml, (size_t)n, "\x0c\x41\xd0\x0a\x03", 5) != NULL);
	T_CHECK(memmem(aml, (size_t)n, "PC00", 4) != NULL);
	T_EQ_U64(la_x86_dsdt_aml(aml, 16, &c), (uint64_t)-LA_ERR_ACPISPACE);
	/* no PCI devices: no _PRT */
	T_CHECK(memmem(aml, (size_t)n, "_PRT", 4) == NULL);
}

/* The DSDT routes each PCI device's INTx that the platform granted. */
static void test_aml_prt(void)
{
	struct la_platform_opts o = { .serials = 4, .acpi = true };
	struct la_x86_acpi_cfg c = {
		.ncpus = 1, .pm_iobase = 0xc000, .sci_irq = 5,
		.ecam = { 0xf4000000, 0xf7ffffff }, .low_mmio = { 0xd0000000, 0xf7ffffff },
		.high_mmio = { 0x108000000, 0x3fffffffffff }, .vcfg = { 0x100000000, 0x107ffffff },
	};
	struct la_vm_config vc;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_vm_res res;
	struct la_grant g[LA_DEV_MAX_NEEDS];
	struct la_pci_intx x[2];
	uint8_t aml[2048], *prt;
	unsigned ng;
	int n;

	vm_layout(MEM, 1, &vc, &l, &m);
	vc.phys_bits = 46;
	T_EQ_U64(la_vm_resources(&vc, &l, &m, &o, &res), 0);
	T_EQ_U64(la_platform_add(&res.plat, &la_dev_virtio_blk, "b", g, &ng, NULL), 0);
	T_EQ_U64(la_platform_add(&res.plat, &la_dev_virtio_net, "n", g, &ng, NULL), 0);
	T_EQ_U64(la_platform_pci_intx(&res.plat, x, 2), 2);
	c.plat = &res.plat;
	n = la_x86_dsdt_aml(aml, sizeof(aml), &c);
	T_CHECK(n > 0);
	prt = memmem(aml, (size_t)n, "_PRT", 4);
	T_CHECK(prt != NULL);
	if (prt) {
		/* Package(2) { Package(4) { 0x0001ffff, 0, 0, IRQ }, { 0x0002ffff... } } */
		const uint8_t e1[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
				       0x0a, (uint8_t)x[0].irq };
		const uint8_t e2[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00,
				       0x0a, (uint8_t)x[1].irq };

		T_EQ_U64(prt[4], 0x12);
		T_EQ_U64(prt[6], 2);
		T_CHECK(!memcmp(prt + 7, e1, sizeof(e1)));
		T_CHECK(!memcmp(prt + 7 + sizeof(e1), e2, sizeof(e2)));
	}
	T_CHECK(x[0].irq != x[1].irq);
	la_vm_res_destroy(&res);
}

static void test_image_high(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	uint64_t a = 0;

	vm_layout(8ULL << 30, 1, &c, &l, &m);
	T_EQ_U64(la_load_image_high(&m, 0x1234, 0x300000, ~0ULL, 4096, &a), 0);
	T_EQ_U64(a, 0x230000000 - 0x2000);
	T_EQ_U64(la_load_image_high(&m, 0x1000, 0x300000, 0x7fffffff, 4096, &a), 0);
	T_EQ_U64(a, 0x7ffff000);
	T_EQ_U64(la_load_image_high(&m, 0, 0x300000, ~0ULL, 4096, &a),
		 (uint64_t)-LA_ERR_INITRDEMPTY);
	T_EQ_U64(la_load_image_high(&m, 0xd0000000, 0x300000, 0x7fffffff, 4096, &a),
		 (uint64_t)-LA_ERR_INITRDFIT);
	/* the kernel ends above the kernel's initrd limit */
	T_EQ_U64(la_load_image_high(&m, 0x1000, 0x40000000, 0x37ffffff, 4096, &a),
		 (uint64_t)-LA_ERR_INITRDFIT);
	T_EQ_U64(la_load_image_high(&m, 0x1000, 0x300000, ~0ULL, 3000, &a),
		 (uint64_t)-LA_ERR_INTERNAL);
}

/* Guest RAM of 2 MiB or more sits at a host address congruent to its guest
 * address modulo 2 MiB (KVM's condition for 2 MiB mappings); smaller
 * regions are mapped as they are. Every byte is usable and zero. */
static void test_gmem_alignment(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_gmem g;
	unsigned big = 0;

	vm_layout(8ULL << 30, 1, &c, &l, &m);
	T_EQ_U64(la_gmem_map(&g, &m, LA_GMEM_ANON), 0);
	T_EQ_U64(g.n, m.n);
	for (unsigned i = 0; i < g.n; i++) {
		const struct la_gmem_slot *s = &g.s[i];

		if (s->size >= 0x200000) {
			big++;
			T_EQ_U64(((uintptr_t)s->host - s->gpa) % 0x200000, 0);
		}
		T_EQ_U64(s->host[0] | s->host[s->size - 1], 0);
		s->host[0] = s->host[s->size - 1] = 0xa5;
	}
	T_EQ_U64(big, 2); /* [1 MiB, 0xd0000000) and the RAM above 4 GiB */
	T_EQ_U64(*la_gmem_ptr(&g, 0x100000, 1), 0xa5);
	la_gmem_unmap(&g);
}

/* HugePages_Free from /proc/meminfo; 0 when it says nothing */
static uint64_t free_huge_pages(void)
{
	char line[128];
	unsigned long long n = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %llu", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/* --hugepages: whole 2 MiB pages per region, a region's host address
 * congruent to its guest address modulo 2 MiB (x86's [1 MiB, ...) starts
 * half a page in); a pool too small fails with LA_ERR_HUGEPAGES and
 * leaves nothing mapped. Which of the two this host shows depends on its
 * pool (/proc/sys/vm/nr_hugepages): both are checked for what they must
 * be. */
static void test_gmem_hugetlb(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_gmem g;
	uint64_t need;
	int err;

	vm_layout(64ULL << 20, 1, &c, &l, &m);
	/* [0, 640 KiB), the reserved [640 KiB, 1 MiB): a page each;
	 * [1 MiB, 64 MiB): 32 pages, from 0 to 64 MiB */
	need = la_gmem_huge_pages(&m);
	T_EQ_U64(need, 1 + 1 + 32);
	/* and [1 MiB, 0xd0000000): 1664 pages, [4 GiB, 4 GiB + 4864 MiB): 2432 */
	vm_layout(8ULL << 30, 1, &c, &l, &m);
	T_EQ_U64(la_gmem_huge_pages(&m), 1 + 1 + 1664 + 2432);
	vm_layout(64ULL << 20, 1, &c, &l, &m);
	memset(&g, 0xa5, sizeof(g));
	err = la_gmem_map(&g, &m, LA_GMEM_HUGETLB);
	if (free_huge_pages() < need) {
		/* qemu-user (tests/bats/cross.bats) refuses MAP_HUGETLB with
		 * another errno than the kernel's ENOMEM */
		if (getenv("LA_TEST_QEMU_USER") && err == -LA_ERR_GUESTMEM)
			err = -LA_ERR_HUGEPAGES;
		T_EQ_U64((uint64_t)err, (uint64_t)-LA_ERR_HUGEPAGES);
		T_EQ_U64(g.n, 0);
		return;
	}
	T_EQ_U64(err, 0);
	T_EQ_U64(g.n, m.n);
	for (unsigned i = 0; i < g.n; i++) {
		const struct la_gmem_slot *s = &g.s[i];

		T_EQ_U64(((uintptr_t)s->host - s->gpa) % 0x200000, 0);
		T_EQ_U64((uintptr_t)s->map_base % 0x200000, 0);
		T_EQ_U64(s->host[0] | s->host[s->size - 1], 0);
		s->host[0] = s->host[s->size - 1] = 0x5a;
	}
	la_gmem_unmap(&g);
}

static void test_setup_data(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_x86_setup s;
	struct la_gmem g;
	uint8_t seed[256], dtb[64], big[0x4001];
	uint8_t *mem;

	memset(seed, 0xab, sizeof(seed));
	memset(dtb, 0xcd, sizeof(dtb));
	vm_layout(MEM, 1, &c, &l, &m);
	mem = flat_gmem(&m, &g);
	T_EQ_U64(la_x86_setup_data_write(&g, seed, dtb, sizeof(dtb), &s), 0);
	T_EQ_U64(s.n, 2);
	T_EQ_U64(s.e[0].addr, 0x20800);
	T_EQ_U64(s.e[1].addr, 0x20910);
	T_EQ_U64(la_get64(mem + 0x20800), 0x20910);
	T_EQ_U64(la_get32(mem + 0x20808), 9);
	T_EQ_U64(la_get32(mem + 0x2091c), 0x4000);
	T_EQ_U64(mem[0x20920], 0xcd);
	T_EQ_U64(mem[0x20920 + 64], 0);
	T_EQ_U64(la_get64(mem + 0x20910), 0);
	T_EQ_U64(la_x86_setup_data_write(&g, seed, big, sizeof(big), &s),
		 (uint64_t)-LA_ERR_DTBSIZE);
	munmap(mem, MEM);
}

static const uint8_t *probe_bz;
static size_t probe_bz_len;

/* Build a whole VM for the probe bzImage and walk it as the probe does. */
static void test_build_vm(unsigned cpus, bool acpi)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_vm_res res;
	struct la_vm_boot b;
	struct la_gmem g;
	struct la_vm_image img = {
		.image = probe_bz, .image_len = probe_bz_len, .initrd_fd = -1,
		.cmdline = "probe.mode=reboot", .console = 0, .console_port = 0x3f8,
		.earlycon = true,
		.no_acpi = !acpi, .phys_bits = 46,
	};
	struct probe p = { .putc = buf_putc, .slp_typ_s5 = -1, .memsize = MEM };
	uint8_t *mem;

	vm_layout(MEM, cpus, &c, &l, &m);
	c.phys_bits = 46;
	struct la_platform_opts o = { .serials = 4, .acpi = acpi };

	T_EQ_U64(la_vm_resources(&c, &l, &m, &o, &res), 0);
	T_EQ_U64(res.pm_iobase, acpi ? 0xc000 : 0);
	T_EQ_U64(la_vm_res_io(&res, "com1"), 0x3f8);
	T_EQ_U64(la_vm_res_irq(&res, "com2"), 3);
	img.pm_iobase = res.pm_iobase;
	la_vm_res_destroy(&res);
	mem = flat_gmem(&m, &g);
	p.mem = mem;
	T_EQ_U64(c.arch->build_vm(&c, &l, &m, &img, &g, &b), 0);
	T_EQ_U64(b.kernel.kind, LA_X86_IMG_BZIMAGE);
	T_EQ_U64(b.cpu.rip, 0x200200);
	T_EQ_U64(b.cpu.rsi, 0x7000);
	T_EQ_U64(b.cpu.cr0, 0xc0000011);
	T_EQ_U64(b.cpu.efer, 0x500);
	T_EQ_U64(b.cpu.cr3, 0x9000);
	T_EQ_U64(la_get64(mem + 0x9000), 0xa003);
	T_EQ_U64(la_get64(mem + 0xb000 + 8 * 513), (1ULL << 30) | (1ULL << 21) | 0x83);
	T_EQ_STR((char *)mem + 0x20000, "panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 "
		 "pci=lastbus=0 probe.mode=reboot");
	outlen = 0;
	probe_report_boot_params(&p, 0x7000);
	probe_report_mptable(&p);
	probe_report_acpi(&p);
	T_EQ_U64(p.errors, 0);
	if (p.errors)
		printf("# %s", out);
	HAS("probe: e820-entries 6\n");
	HAS("probe: setup_data 0x20800 type 9 len 256");
	T_EQ_U64(p.mp_cpus, cpus);
	T_EQ_U64(p.acpi_cpus, acpi ? cpus : 0);
	T_EQ_U64(p.pm1a_cnt, acpi ? 0xc004 : 0);
	T_EQ_U64((uint64_t)p.slp_typ_s5, acpi ? LA_X86_S5_SLP_TYP : (uint64_t)-1);
	/* SMBIOS entry point checksum */
	T_EQ_U64(la_checksum8(mem + 0xf0000, 0x18), 0);
	T_CHECK(!memcmp(mem + 0xf0000, "_SM3_", 5));
	/* Multiboot info: 640 KiB lower, 255 MiB upper */
	T_EQ_U64(la_get32(mem + 0x6000), 0x245);
	T_EQ_U64(la_get32(mem + 0x6004), 640);
	T_EQ_U64(la_get32(mem + 0x6008), 255 * 1024);
	munmap(mem, MEM);
}

/* The MP table's PCI entries: one per (bus, device, pin), functions
 * sharing a pin folded as in the _PRT, source IRQ dev << 2 | pin on the
 * PCI bus, the ISA identity entries from past the last PCI IRQ; the
 * probe's walk of the table agrees with its entry count and checksum. */
static void test_mptable_pci(void)
{
	const size_t len = 0xa0000 - 0x9e800;
	uint8_t *mem = calloc(1, 0xa0000);
	struct probe p = { .putc = buf_putc, .slp_typ_s5 = -1, .memsize = 0xa0000, .mem = mem };
	struct la_pci_intx x[4] = {
		{ .bus = 0, .dev = 1, .func = 0, .pin = 0, .irq = 9 },
		{ .bus = 0, .dev = 2, .func = 0, .pin = 0, .irq = 10 },
		{ .bus = 0, .dev = 2, .func = 1, .pin = 0, .irq = 10 },
		{ .bus = 0, .dev = 3, .func = 0, .pin = 1, .irq = 12 },
	};
	struct la_pci_intx bad = { .dev = 1, .irq = 24 };

	T_CHECK(mem != NULL);
	if (!mem)
		return;
	T_EQ_U64(la_x86_mptable_write(mem + 0x9e800, len, 2, x, 4), 0);
	outlen = 0;
	probe_report_mptable(&p);
	T_EQ_U64(p.errors, 0);
	HAS("probe: mp bus 0 PCI   \n");
	HAS("probe: mp bus 1 ISA   \n");
	HAS("probe: mp intsrc type 0 flags 0x0 bus 0 irq 4 apic 0x3 pin 9\n");
	HAS("probe: mp intsrc type 0 flags 0x0 bus 0 irq 8 apic 0x3 pin 10\n");
	HAS("probe: mp intsrc type 0 flags 0x0 bus 0 irq 13 apic 0x3 pin 12\n");
	T_CHECK(strstr(out, "irq 9 apic 0x3 pin 10") == NULL); /* dev 2 func 1 folded */
	T_CHECK(strstr(out, "bus 1 irq 12 apic") == NULL);     /* ISA from 13 */
	HAS("probe: mp intsrc type 0 flags 0x0 bus 1 irq 13 apic 0x3 pin 13\n");
	HAS("probe: mp intsrc type 0 flags 0x0 bus 1 irq 15 apic 0x3 pin 15\n");
	T_EQ_U64(p.mp_cpus, 2);
	if (p.errors)
		printf("# %s", out);
	/* no PCI: ISA 9..15, and errors */
	memset(mem, 0, 0xa0000);
	T_EQ_U64(la_x86_mptable_write(mem + 0x9e800, len, 1, NULL, 0), 0);
	outlen = 0;
	p.mp_cpus = 0;
	probe_report_mptable(&p);
	T_EQ_U64(p.errors, 0);
	HAS("probe: mp intsrc type 0 flags 0x0 bus 1 irq 9 apic 0x2 pin 9\n");
	T_CHECK(strstr(out, "bus 0 irq") == NULL);
	T_EQ_U64(la_x86_mptable_write(mem + 0x9e800, len, 1, &bad, 1), (uint64_t)-LA_ERR_MPTABLE);
	T_EQ_U64(la_x86_mptable_write(mem + 0x9e800, len, 1, x, LA_X86_MAX_PRT + 1),
		 (uint64_t)-LA_ERR_TOOMANY);
	free(mem);
}

static void test_load_errors(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_x86_kernel k;
	struct la_gmem g;
	uint8_t junk[4096] = "not a kernel";
	uint8_t elf[512] = { 0 };
	Elf64_Ehdr eh = { .e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, 1 },
			  .e_machine = EM_X86_64, .e_entry = 0x100000, .e_phoff = 64,
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1 };
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = 0, .p_paddr = 0x100000,
			  .p_filesz = 256, .p_memsz = 256 };
	uint8_t *mem, *bz = malloc(probe_bz_len);

	vm_layout(MEM, 1, &c, &l, &m);
	mem = flat_gmem(&m, &g);
	T_EQ_U64(la_x86_kernel_load(&g, junk, sizeof(junk), &k), (uint64_t)-LA_ERR_NOTKERNEL);
	memcpy(elf, &eh, sizeof(eh));
	memcpy(elf + 64, &ph, sizeof(ph));
	T_EQ_U64(la_x86_kernel_load(&g, elf, sizeof(elf), &k), (uint64_t)-LA_ERR_ELFLOAD);
	ph.p_paddr = 0x200000;
	memcpy(elf + 64, &ph, sizeof(ph));
	T_EQ_U64(la_x86_kernel_load(&g, elf, sizeof(elf), &k), (uint64_t)-LA_ERR_ELFENTRY);
	eh.e_entry = 0x200010;
	memcpy(elf, &eh, sizeof(eh));
	T_EQ_U64(la_x86_kernel_load(&g, elf, sizeof(elf), &k), 0);
	T_EQ_U64(k.kind, LA_X86_IMG_ELF64);
	T_EQ_U64(k.mode, LA_X86_MODE_LONG);
	/* a bzImage whose syssize claims more than the file */
	memcpy(bz, probe_bz, probe_bz_len);
	la_put32(bz + LA_BP_SYSSIZE, 0x100000);
	T_EQ_U64(la_x86_kernel_load(&g, bz, probe_bz_len, &k), (uint64_t)-LA_ERR_BZSIZE);
	free(bz);
	munmap(mem, MEM);
}

/* A 32-bit ELF and a Multiboot kernel with load addresses. */
static void test_load_32(void)
{
	struct la_vm_config c;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_x86_kernel k;
	struct la_x86_boot_cpu cpu;
	struct la_gmem g;
	uint8_t img[1024] = { 0 };
	Elf32_Ehdr eh = { .e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, 1 },
			  .e_machine = EM_386, .e_entry = 0x300004, .e_phoff = 52,
			  .e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1 };
	Elf32_Phdr ph = { .p_type = PT_LOAD, .p_offset = 0, .p_paddr = 0x300000,
			  .p_filesz = 128, .p_memsz = 4096 };
	uint8_t *mem;

	vm_layout(MEM, 1, &c, &l, &m);
	mem = flat_gmem(&m, &g);
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + 52, &ph, sizeof(ph));
	T_EQ_U64(la_x86_kernel_load(&g, img, sizeof(img), &k), 0);
	T_EQ_U64(k.kind, LA_X86_IMG_ELF32);
	T_EQ_U64(k.mode, LA_X86_MODE_FLAT32);
	T_EQ_U64(k.start, 0x300000);
	T_EQ_U64(k.end, 0x301000);
	T_EQ_U64(mem[0x300000], 0x7f);
	T_EQ_U64(la_x86_boot_cpu_setup(&g, &k, 0xd0000000, 46, &cpu), 0);
	T_EQ_U64(cpu.cr0, 0x40000011);
	T_EQ_U64(cpu.efer, 0);
	T_EQ_U64(cpu.gdt_limit, 39);
	T_EQ_U64(cpu.cs.db, 1);
	T_EQ_U64(cpu.cs.l, 0);
	T_EQ_U64(la_get64(mem + 0x1510), 0x00cf9b000000ffff);

	/* Multiboot: header at 0x40 says load the file at 0x400000, bss to
	 * 0x402000, entry 0x400100 */
	memset(img, 0, sizeof(img));
	memset(mem + 0x400000, 0x55, 0x3000);
	la_put32(img + 0x40, 0x1badb002);
	la_put32(img + 0x44, 0x10003);
	la_put32(img + 0x48, (uint32_t)(0u - 0x1badb002u - 0x10003u));
	la_put32(img + 0x4c, 0x400040);  /* header_addr */
	la_put32(img + 0x50, 0x400000);  /* load_addr */
	la_put32(img + 0x54, 0x400400);  /* load_end_addr */
	la_put32(img + 0x58, 0x402000);  /* bss_end_addr */
	la_put32(img + 0x5c, 0x400100);  /* entry */
	img[0x3ff] = 0xee;
	T_EQ_U64(la_x86_kernel_load(&g, img, sizeof(img), &k), 0);
	T_EQ_U64(k.kind, LA_X86_IMG_MULTIBOOT);
	T_EQ_U64(k.entry, 0x400100);
	T_EQ_U64(mem[0x4003ff], 0xee);
	T_EQ_U64(mem[0x400400], 0);      /* bss zeroed */
	T_EQ_U64(mem[0x402000], 0x55);   /* and no further */
	T_EQ_U64(la_x86_boot_cpu_setup(&g, &k, 0xd0000000, 46, &cpu), 0);
	T_EQ_U64(cpu.rax, 0x2badb002);
	T_EQ_U64(cpu.rbx, 0x6000);
	/* unknown required flags are refused */
	la_put32(img + 0x44, 0x10013);
	la_put32(img + 0x48, (uint32_t)(0u - 0x1badb002u - 0x10013u));
	T_EQ_U64(la_x86_kernel_load(&g, img, sizeof(img), &k), (uint64_t)-LA_ERR_MULTIBOOT);
	munmap(mem, MEM);
}

/* ---- devices ---- */

static int exits, last_fate, irq_level;

static void m_irq(void *vm, unsigned gsi, unsigned src, int level)
{
	(void)vm, (void)gsi, (void)src;
	irq_level = level;
}

static void m_exit(void *vm, enum la_fate f, const char *why)
{
	(void)vm, (void)why;
	exits++;
	last_fate = f;
}

static const struct la_machine machine = { .irq = m_irq, .request_exit = m_exit };

static uint8_t io_in(struct la_bus *b, uint16_t port)
{
	uint8_t v;

	la_bus_access(b, port, false, &v, 1);
	return v;
}

static void io_out(struct la_bus *b, uint16_t port, uint8_t v)
{
	la_bus_access(b, port, true, &v, 1);
}

/* Add len bytes at start. returns: as la_bus_add */
static int bus_add(struct la_bus *b, uint64_t start, uint64_t len,
		   const struct la_bus_ops *ops, void *ctx)
{
	return la_bus_add(b, "dev", (struct la_range){ start, start + len - 1 }, ops, ctx);
}

/* Make device t through its descriptor, as la-vmrun does, with one grant
 * of kind at [base, base + len) (and IRQ irq), and put it on b. */
static void *make_dev(struct la_bus *b, const struct la_dev_desc *t, enum la_res_kind kind,
		      uint64_t base, uint64_t len, uint32_t irq)
{
	static const int fds[4] = { -1, -1, -1, -1 };
	struct la_dev_env env = { .m = &machine, .source = 1, .serial_fd = fds,
				  .debugcon_fd = -1, .cmos_below = 0x1234, .cmos_above = 0x56789a };
	struct la_dev_inst d = { .desc = t, .n = 2 };
	const struct la_bus_ops *ops = NULL;
	void *state = NULL;

	d.g[0].kind = kind;
	d.g[0].range = (struct la_range){ base, base + len - 1 };
	d.g[1].kind = LA_RES_IRQ;
	d.g[1].value = irq;
	T_EQ_U64(t->create(&d, &env, &state, &ops), 0);
	T_EQ_U64(bus_add(b, base, len, ops, state), 0);
	return state;
}

static void test_devices(void)
{
	struct la_bus b, mmio;
	struct la_serial *s;
	void *pm;
	struct la_pci pci;
	uint8_t w[4];

	la_bus_init(&b);
	la_bus_init(&mmio);
	s = make_dev(&b, &la_dev_com1, LA_RES_IO, 0x3f8, LA_SERIAL_LEN, 4);
	T_EQ_U64(bus_add(&b, 0x3f8, LA_SERIAL_LEN, &la_serial_ops, s),
		 (uint64_t)-LA_ERR_OVERLAP);
	pm = make_dev(&b, &la_dev_acpi_pm, LA_RES_IO, 0xc000, 72, 5);
	la_pci_init(&pci, &machine, NULL);
	T_EQ_U64(bus_add(&b, LA_PCI_IO_PORT, LA_PCI_IO_LEN, &la_pci_io_ops, &pci), 0);
	T_EQ_U64(bus_add(&mmio, 0xf4000000, 0x4000000, &la_pci_ecam_ops, &pci), 0);

	T_EQ_U64(io_in(&b, 0x1234), 0xff);          /* nobody there */
	/* Linux's 8250 probe: loopback with RTS|OUT2 reads CTS|DCD */
	io_out(&b, 0x3fc, 0x1a);
	T_EQ_U64(io_in(&b, 0x3fe) & 0xf0, 0x90);
	io_out(&b, 0x3fc, 0x08);
	io_out(&b, 0x3fa, 0x01);                    /* FIFO on: 16550A */
	T_EQ_U64(io_in(&b, 0x3fa) >> 6, 3);
	io_out(&b, 0x3f9, 0x02);                    /* THRE interrupt: raised */
	T_EQ_U64(irq_level, 1);
	T_EQ_U64(io_in(&b, 0x3fa) & 0x0f, 0x02);    /* reading IIR acknowledges */
	T_EQ_U64(irq_level, 0);
	io_out(&b, 0x3f9, 0x01);                    /* received data interrupt */
	T_EQ_U64(la_serial_input(s, (const uint8_t *)"hi", 2), 2);
	T_EQ_U64(irq_level, 1);
	T_EQ_U64(io_in(&b, 0x3fd) & 1, 1);
	T_EQ_U64(io_in(&b, 0x3f8), 'h');
	T_EQ_U64(io_in(&b, 0x3f8), 'i');
	T_EQ_U64(io_in(&b, 0x3fd) & 1, 0);
	T_EQ_U64(irq_level, 0);

	/* PCI: the host bridge answers at 00:00.0, nothing else does */
	la_put32(w, 0x80000000);
	la_bus_access(&b, 0xcf8, true, w, 4);
	la_bus_access(&b, 0xcfc, false, w, 4);
	T_EQ_U64(la_get16(w), 0x8086);
	la_put32(w, 0x80000800);
	la_bus_access(&b, 0xcf8, true, w, 4);
	la_bus_access(&b, 0xcfc, false, w, 4);
	T_EQ_U64(la_get32(w), 0xffffffff);
	T_CHECK(la_bus_access(&mmio, 0xf4000008, false, w, 4));
	T_EQ_U64(la_get32(w) >> 8, 0x060000);
	T_CHECK(!la_bus_access(&mmio, 0xf3fffffc, false, w, 4));
	T_EQ_U64(la_get32(w), 0xffffffff);

	/* the ends: 0xcf9 reset, then S5 through PM1a control */
	exits = 0;
	io_out(&b, 0xcf9, 0x02);
	T_EQ_U64(exits, 0);
	io_out(&b, 0xcf9, 0x06);
	T_EQ_U64(exits, 1);
	T_EQ_U64(last_fate, LA_FATE_RESET);
	la_put16(w, LA_X86_S5_SLP_TYP << 10);
	la_bus_access(&b, 0xc004, true, w, 2);
	T_EQ_U64(exits, 1);                         /* no SLP_EN yet */
	la_put16(w, LA_X86_S5_SLP_TYP << 10 | 1u << 13);
	la_bus_access(&b, 0xc004, true, w, 2);
	T_EQ_U64(exits, 2);
	T_EQ_U64(last_fate, LA_FATE_POWEROFF);
	la_bus_access(&b, 0xc004, false, w, 2);
	T_EQ_U64(la_get16(w) & 1, 1);               /* SCI_EN */
	la_bus_destroy(&b);
	la_bus_destroy(&mmio);
	la_pci_destroy(&pci);
	free(s);
	free(pm);
}

static void test_cmos(void)
{
	struct la_bus b;
	void *cmos;

	la_bus_init(&b);
	cmos = make_dev(&b, &la_dev_rtc, LA_RES_IO, 0x70, 2, 8);
	make_dev(&b, &la_dev_i8042, LA_RES_IO, 0x62, 3, 0);
	io_out(&b, 0x70, 0x34);
	T_EQ_U64(io_in(&b, 0x71), 0x34);
	io_out(&b, 0x70, 0x35);
	T_EQ_U64(io_in(&b, 0x71), 0x12);
	io_out(&b, 0x70, 0x5d);
	T_EQ_U64(io_in(&b, 0x71), 0x56);
	io_out(&b, 0x70, 0x0a);
	T_EQ_U64(io_in(&b, 0x71) & 0x80, 0);        /* no update in progress */
	exits = 0;
	io_out(&b, 0x64, 0xfe);
	T_EQ_U64(exits, 1);
	T_EQ_U64(last_fate, LA_FATE_RESET);
	T_EQ_U64(io_in(&b, 0x60), 0xff);            /* 0x60 is not the i8042's here */
	la_bus_destroy(&b);
	free(cmos);
}

/* The aarch64 RTC, the PL030, through the bus as a guest sees it. */
static void test_pl030(void)
{
	struct la_bus b;
	uint8_t w[4];
	void *rtc;
	uint32_t t0;

	la_bus_init(&b);
	rtc = make_dev(&b, &la_dev_rtc, LA_RES_MMIO, 0x2000, 0x1000, 1);
	la_bus_access(&b, 0x2000, false, w, 4);              /* RTCDR: host time */
	t0 = la_get32(w);
	T_CHECK(t0 >= (uint32_t)time(NULL) - 1 && t0 <= (uint32_t)time(NULL) + 1);
	la_put32(w, 1000);
	la_bus_access(&b, 0x200c, true, w, 4);               /* RTCLR: set it */
	la_bus_access(&b, 0x2000, false, w, 4);
	T_CHECK(la_get32(w) >= 1000 && la_get32(w) <= 1002);
	la_put32(w, 5000);
	la_bus_access(&b, 0x2004, true, w, 4);               /* RTCMR */
	la_bus_access(&b, 0x2004, false, w, 4);
	T_EQ_U64(la_get32(w), 5000);
	la_put32(w, 3);
	la_bus_access(&b, 0x2010, true, w, 4);               /* RTCCR: bit 0 only */
	la_bus_access(&b, 0x2010, false, w, 4);
	T_EQ_U64(la_get32(w), 1);
	/* PeriphID 0x00041030, PCellID 0xb105f00d, a byte a word */
	la_bus_access(&b, 0x2fe0, false, w, 4);
	T_EQ_U64(la_get32(w), 0x30);
	la_bus_access(&b, 0x2fe8, false, w, 4);
	T_EQ_U64(la_get32(w), 0x04);
	la_bus_access(&b, 0x2ffc, false, w, 4);
	T_EQ_U64(la_get32(w), 0xb1);
	la_bus_access(&b, 0x2020, false, w, 4);              /* nothing there */
	T_EQ_U64(la_get32(w), 0);
	la_bus_destroy(&b);
	free(rtc);
}

/* The 16550 is one device: at MMIO 0x3f8 (aarch64, riscv64) as at IO port
 * 0x3f8 (x86_64). */
static void test_serial_mmio(void)
{
	struct la_bus mmio;
	struct la_serial *s;
	uint8_t v = 0x5a;

	la_bus_init(&mmio);
	s = make_dev(&mmio, &la_dev_com1, LA_RES_MMIO, 0x3f8, LA_SERIAL_LEN, 0);
	la_bus_access(&mmio, 0x3ff, true, &v, 1);           /* scratch register */
	v = 0;
	T_CHECK(la_bus_access(&mmio, 0x3ff, false, &v, 1));
	T_EQ_U64(v, 0x5a);
	T_EQ_U64(la_serial_input(s, (const uint8_t *)"x", 1), 1);
	T_CHECK(la_bus_access(&mmio, 0x3fd, false, &v, 1)); /* LSR: data ready */
	T_EQ_U64(v & 1, 1);
	T_CHECK(la_bus_access(&mmio, 0x3f8, false, &v, 1));
	T_EQ_U64(v, 'x');
	la_bus_destroy(&mmio);
	free(s);
}

static void load_probe(void)
{
	const char *build = getenv("LA_BUILD");
	char path[4096];
	FILE *f;
	static uint8_t buf[1 << 20];

	snprintf(path, sizeof(path), "%s/guest/probe.bzImage", build ? build : "build");
	f = fopen(path, "rb");
	if (!f) {
		snprintf(path, sizeof(path), "build/guest/probe.bzImage");
		f = fopen(path, "rb");
	}
	T_CHECK(f != NULL);
	if (!f)
		return;
	probe_bz_len = fread(buf, 1, sizeof(buf), f);
	probe_bz = buf;
	fclose(f);
}

int main(void)
{
	test_e820();
	test_cpu_state();
	test_cpuid();
	test_cmdline();
	test_header_limits();
	test_aml();
	test_aml_prt();
	test_mptable_pci();
	test_image_high();
	test_gmem_alignment();
	test_gmem_hugetlb();
	test_setup_data();
	load_probe();
	if (probe_bz) {
		test_build_vm(1, true);
		test_build_vm(4, true);
		test_build_vm(2, false);
		test_load_errors();
	}
	test_load_32();
	test_devices();
	test_cmos();
	test_pl030();
	test_serial_mmio();
	return T_DONE();
}
