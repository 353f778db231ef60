/* SPDX-License-Identifier: MIT */
/* Unit tests of la-mkfdt's library parts: kernel probing, boot placement,
 * command lines, vCPU option parsing, and the overlay engine on blobs made
 * here with libfdt. */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "boot.h"
#include "cmdline.h"
#include "fdt/fdt.h"
#include "fdt/overlay.h"
#include "err.h"
#include "size.h"
#include "t.h"
#include "vcpu_props.h"

static uint8_t head[LA_KERNEL_HEAD_SIZE];

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void arm64_image(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(head, 0, sizeof(head));
	put64(head + 8, text_offset);
	put64(head + 16, image_size);
	put64(head + 24, flags);
	memcpy(head + 56, "ARM\x64", 4);
}

static void layout(struct la_vm_config *cfg, const char *arch, uint64_t mem,
		   struct la_arch_layout *l, struct la_mem_layout *m)
{
	la_vm_config_init(cfg);
	cfg->arch = la_arch_lookup(arch);
	cfg->mem_size = mem;
	memset(l, 0, sizeof(*l));
	memset(m, 0, sizeof(*m));
	T_CHECK(la_layout_compute(cfg, l, m) == 0);
}

static void test_probe(void)
{
	struct la_kernel_info k;

	arm64_image(0x80000, 0x1400000, 0);
	T_CHECK(la_kernel_probe(LA_ARCH_AARCH64, head, 64, 0x1000000, &k) == 0);
	T_CHECK(k.kind == LA_KERNEL_ARM64_IMAGE);
	T_EQ_U64(k.text_offset, 0x80000);
	arm64_image(0x1234, 0, 0);
	T_CHECK(la_kernel_probe(LA_ARCH_AARCH64, head, 64, 4096, &k) == 0);
	T_EQ_U64(k.text_offset, 0x80000); /* image_size 0: text_offset forced */
	arm64_image(0, 0, 1);
	T_EQ_U64(la_kernel_probe(LA_ARCH_AARCH64, head, 64, 4096, &k), -LA_ERR_KERNELBE);
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 64, 4096, &k), -LA_ERR_NOTKERNEL);
	T_EQ_U64(la_kernel_probe(LA_ARCH_RISCV64, head, 64, 4096, &k), -LA_ERR_NOTKERNEL);

	memset(head, 0, sizeof(head));
	T_CHECK(la_kernel_probe(LA_ARCH_RISCV64, head, 64, 4096, &k) == 0);
	T_CHECK(k.kind == LA_KERNEL_RAW);
	T_EQ_U64(la_kernel_probe(LA_ARCH_RISCV64, head, 0, 0, &k), -LA_ERR_NOTKERNEL);

	/* bzImage: setup_sects 0 means 4; fields past the header end read 0 */
	memset(head, 0, sizeof(head));
	head[0x201] = 0x2a; /* header ends at 0x22c: no initrd_addr_max */
	memcpy(head + 0x202, "HdrS", 4);
	head[0x1f4] = 0x10; /* syssize 16 paragraphs */
	put64(head + 0x22c, 0x7fffffff);
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k) == 0);
	T_EQ_U64(k.setup_size, 5 * 512);
	T_EQ_U64(k.initrd_addr_max, 0);
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0xa00, &k), -LA_ERR_BZSIZE);
	head[0x201] = 0xcf;
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k), -LA_ERR_NOTKERNEL);

	/* Linux's release: the first word of the kernel_version string at
	 * 0x200 + the field at 0x20e (protocol 2.00+), printable, within
	 * the head; otherwise none */
	memset(head, 0, sizeof(head));
	head[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(head + 0x202, "HdrS", 4);
	head[0x206] = 0x0f, head[0x207] = 0x02; /* protocol 2.15 */
	head[0x20e] = 0x00, head[0x20f] = 0x01; /* string at 0x300 */
	head[0x1f4] = 0x10;
	strcpy((char *)head + 0x300, "6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) #1");
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k) == 0);
	T_EQ_STR(k.version, "6.1.0-57-cloud-amd64");
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x310, 0x1000, &k) == 0);
	T_EQ_STR(k.version, "6.1.0-57-cloud-a"); /* cut where the head ends */
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x300, 0x1000, &k) == 0);
	T_EQ_STR(k.version, ""); /* the string is past the head */
	head[0x303] = 0x07;
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k) == 0);
	T_EQ_STR(k.version, ""); /* not printable: not a version */
	head[0x303] = '0';
	head[0x206] = 0x05, head[0x207] = 0x01; /* protocol 1.05: no kernel_version */
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k) == 0);
	T_EQ_STR(k.version, "");
	head[0x207] = 0x02;
	head[0x20e] = 0, head[0x20f] = 0; /* field 0: our probe guest */
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k) == 0);
	T_EQ_STR(k.version, "");
	memset(head + 0x300, 'x', 200); /* no end within 63 bytes: cut */
	head[0x20f] = 0x01;
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 0x1000, 0x1000, &k) == 0);
	T_EQ_U64(strlen(k.version), 63);

	/* ELF64 aarch64 with two PT_LOADs: range first paddr .. last end */
	memset(head, 0, sizeof(head));
	memcpy(head, "\x7f" "ELF\x02\x01", 6);
	head[18] = 183;
	put64(head + 32, 64);   /* e_phoff */
	head[54] = 56;          /* e_phentsize */
	head[56] = 2;           /* e_phnum */
	for (int i = 0; i < 2; i++) {
		uint8_t *ph = head + 64 + 56 * i;

		ph[0] = 1;
		put64(ph + 24, 0x200000 + 0x100000 * (uint64_t)i);
		put64(ph + 40, 0x1000);
	}
	T_CHECK(la_kernel_probe(LA_ARCH_AARCH64, head, 256, 0x4000, &k) == 0);
	T_CHECK(k.kind == LA_KERNEL_ELF);
	T_EQ_U64(k.elf_lo, 0x200000);
	T_EQ_U64(k.elf_hi, 0x301000);
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 256, 0x4000, &k), -LA_ERR_NOTKERNEL);

	/* a multiboot header with load addresses: the file from 0 goes to
	 * 0x400000, bss up to 0x500000 */
	memset(head, 0, sizeof(head));
	put64(head + 16, 0x1badb002u | (uint64_t)0x00010000u << 32);
	put64(head + 24, (uint32_t)-(0x1badb002u + 0x00010000u) | (uint64_t)0x400010 << 32);
	put64(head + 32, 0x400000);            /* load_addr; load_end_addr 0: whole file */
	put64(head + 40, 0x500000 | (uint64_t)0x400100 << 32); /* bss_end_addr, entry */
	T_CHECK(la_kernel_probe(LA_ARCH_X86_64, head, 64, 4096, &k) == 0);
	T_CHECK(k.kind == LA_KERNEL_MULTIBOOT);
	T_EQ_U64(k.mb_file_offset, 0);
	T_EQ_U64(k.mb_load, 0x400000);
	T_EQ_U64(k.mb_load_size, 4096);
	T_EQ_U64(k.mb_end, 0x500000);
	T_EQ_U64(k.mb_entry, 0x400100);
	/* bss ending before the loaded bytes */
	put64(head + 40, 0x400800 | (uint64_t)0x400100 << 32);
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 64, 4096, &k), -LA_ERR_MBLOAD);
	/* a load range past 4 GiB says so (issue 17) */
	put64(head + 24, (uint32_t)-(0x1badb002u + 0x00010000u) | (uint64_t)0xfffff810 << 32);
	put64(head + 32, 0xfffff800);
	put64(head + 40, 0 | (uint64_t)0xfffff900 << 32);
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 64, 4096, &k), -LA_ERR_MB4G);
	put64(head + 24, (uint32_t)-(0x1badb002u + 0x00010000u) | (uint64_t)0x400010 << 32);
	put64(head + 32, 0x400000);
	/* unknown required flags */
	put64(head + 16, 0x1badb002u | (uint64_t)0x00010010u << 32);
	put64(head + 24, (uint32_t)-(0x1badb002u + 0x00010010u) | (uint64_t)0x400010 << 32);
	T_EQ_U64(la_kernel_probe(LA_ARCH_X86_64, head, 64, 4096, &k), -LA_ERR_MULTIBOOT);
}

static void test_place_arm(void)
{
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_kernel_info k;
	struct la_boot_plan b;

	layout(&cfg, "aarch64", LA_GiB, &l, &m);
	T_CHECK(la_boot_place(&cfg, &m, NULL, false, 0, &b) == 0);
	T_EQ_U64(b.fdt_address, 0xbfe00000);
	T_CHECK(b.fdt_position == LA_FDT_POS_END);
	arm64_image(0x80000, 0x1400000, 0);
	la_kernel_probe(LA_ARCH_AARCH64, head, 64, 0x1000000, &k);
	T_CHECK(la_boot_place(&cfg, &m, &k, true, 0x300000, &b) == 0);
	T_EQ_U64(b.payload_start, 0x80080000);
	T_EQ_U64(b.payload_size, 0x1000000);  /* the file, not image_size */
	T_EQ_U64(b.initrd_start, 0x82000000); /* 16 MiB after the image end */
	T_EQ_U64(b.payload_end, 0x822fffff);
	cfg.fdt_position = LA_FDT_POS_AFTER_PAYLOAD;
	T_CHECK(la_boot_place(&cfg, &m, &k, true, 0x300000, &b) == 0);
	T_EQ_U64(b.fdt_address, 0x82400000);
	cfg.fdt_position = LA_FDT_POS_START;
	T_CHECK(la_boot_place(&cfg, &m, &k, false, 0, &b) == 0);
	T_EQ_U64(b.fdt_address, 0x80000000);
	T_EQ_U64(b.payload_start, 0x80280000);
	cfg.fdt_position = LA_FDT_POS_DEFAULT;
	T_EQ_U64(la_boot_place(&cfg, &m, &k, true, LA_GiB, &b), -LA_ERR_INITRDFIT);
	T_EQ_U64(la_boot_place(&cfg, &m, &k, true, 0, &b), -LA_ERR_INITRDEMPTY);
	T_EQ_U64(la_boot_place(&cfg, &m, &k, true, 0x3df00000, &b), -LA_ERR_FDTPLACE);
}

static void test_place_rv_x86(void)
{
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_kernel_info k = { .kind = LA_KERNEL_RAW, .file_size = 0x123456 };
	struct la_boot_plan b;
	uint64_t at;

	layout(&cfg, "riscv64", 512 * LA_MiB, &l, &m);
	T_CHECK(la_boot_place(&cfg, &m, &k, true, 0x300000, &b) == 0);
	T_EQ_U64(b.initrd_start, 0x80323458);
	T_EQ_U64(b.fdt_address, 0x80800000);
	T_CHECK(la_boot_place(&cfg, &m, NULL, false, 0, &b) == 0);
	T_EQ_U64(b.fdt_address, 0x80400000);
	/* an empty initrd is said to be empty, on every arch */
	T_EQ_U64(la_boot_place(&cfg, &m, &k, true, 0, &b), -LA_ERR_INITRDEMPTY);

	layout(&cfg, "x86_64", LA_GiB, &l, &m);
	/* highest page-aligned fit below the limit, above the kernel */
	T_CHECK(la_load_image_high(&m, 0x300000, 0x400000, UINT64_MAX, 4096, &at) == 0);
	T_EQ_U64(at, 0x3fd00000);
	T_CHECK(la_load_image_high(&m, 0x300000, 0x400000, 0x37ffffff, 4096, &at) == 0);
	T_EQ_U64(at, 0x37d00000);
	T_EQ_U64(la_load_image_high(&m, 0x300000, 0x3ff00000, UINT64_MAX, 4096, &at),
		 -LA_ERR_INITRDFIT);
	T_CHECK(la_boot_place(&cfg, &m, NULL, false, 0, &b) == 0);
	T_EQ_U64(b.fdt_address, 0x20920); /* after the RNG seed in setup_data */
	/* a Multiboot kernel: its load range through bss, the initrd after it */
	k = (struct la_kernel_info){ .kind = LA_KERNEL_MULTIBOOT, .file_size = 0x1000,
				     .mb_load = 0x400000, .mb_load_size = 0x1000,
				     .mb_end = 0x500000 };
	T_CHECK(la_boot_place(&cfg, &m, &k, true, 0x1000, &b) == 0);
	T_EQ_U64(b.payload_start, 0x400000);
	T_EQ_U64(b.payload_size, 0x100000);
	T_EQ_U64(b.cmdline_max, 0x7ff);
	T_EQ_U64(b.initrd_start, 0x37fff000);
	T_EQ_U64(la_boot_place(&cfg, &m, &k, true, 0, &b), -LA_ERR_INITRDEMPTY);
}

static void test_cmdline(void)
{
	struct la_serial_opts s = { 4, 1, 3 };
	struct la_range ram = { 0x108000000, 0x1080fffff };
	char buf[160];

	T_CHECK(la_cmdline_build(LA_ARCH_AARCH64, &s, "ro", NULL, 63, buf, sizeof(buf)) == 0);
	T_EQ_STR(buf, "panic=-1 console=ttyS0 earlycon=uart8250,mmio,0x3e8 ro");
	/* the pstore's ramoops: after the user's parameters, but first on riscv64 */
	T_CHECK(la_cmdline_build(LA_ARCH_AARCH64, &s, "ro", &ram, 159, buf, sizeof(buf)) == 0);
	T_EQ_STR(buf, "panic=-1 console=ttyS0 earlycon=uart8250,mmio,0x3e8 ro "
		 "ramoops.mem_address=0x108000000 ramoops.mem_size=0x100000");
	T_CHECK(la_cmdline_build(LA_ARCH_RISCV64, &s, "ro", &ram, 159, buf, sizeof(buf)) == 0);
	T_EQ_STR(buf, "panic=-1 ramoops.mem_address=0x108000000 ramoops.mem_size=0x100000 "
		 "console=ttyS0 earlycon=uart8250,mmio,0x3e8 ro");
	T_EQ_U64(la_cmdline_build(LA_ARCH_RISCV64, &s, "ro", &ram, 63, buf, sizeof(buf)),
		 -LA_ERR_CMDLINE);
	s = (struct la_serial_opts){ 1, 0, 2 }; /* earlycon on a missing port: skipped */
	T_CHECK(la_cmdline_build(LA_ARCH_X86_64, &s, NULL, NULL, 63, buf, sizeof(buf)) == 0);
	T_EQ_STR(buf, "panic=-1");
	T_EQ_U64(la_cmdline_build(LA_ARCH_AARCH64, &s, "0123456789", NULL, 12, buf, sizeof(buf)),
		 -LA_ERR_CMDLINE);
	T_EQ_U64(la_cmdline_build(LA_ARCH_AARCH64, &s, "\x01", NULL, 63, buf, sizeof(buf)),
		 -LA_ERR_CMDLINECHAR);
}

static void test_vcpu(void)
{
	static struct la_vcpu_props p[4];
	static struct la_cpu_clusters c;

	T_CHECK(la_cpu_clusters_parse("2,0-1;3", 4, &c) == 0);
	T_EQ_U64(c.n, 2);
	T_EQ_U64(c.first[1], 3);
	T_EQ_U64(c.cpu[0], 2); /* crosvm's CpuSet keeps the given order */
	T_EQ_U64(la_cpu_clusters_parse("1-0", 4, &c), -LA_ERR_CPUSET);
	T_EQ_U64(la_cpu_clusters_parse("0,", 4, &c), -LA_ERR_CPUSET);
	T_CHECK(la_vcpu_parse_freqs("1=100:200:300", 4, p) == 0);
	T_EQ_U64(p[1].n_freqs, 3);
	T_EQ_U64(p[1].freqs_khz[2], 300);
	T_EQ_U64(la_vcpu_parse_freqs("1=", 4, p), -LA_ERR_BADVALUE);
	T_CHECK(la_vcpu_parse_capacity("3=77", 4, p) == 0);
	T_CHECK(p[3].has_capacity && p[3].capacity == 77);
	T_EQ_U64(la_vcpu_parse_capacity("=1", 4, p), -LA_ERR_BADVALUE);
}

/* Base: / { a { phandle = <5>; x = <1>; }; b { }; __symbols__ { a = "/a"; }; } */
static void make_base(void *buf)
{
	fdt_create(buf, 4096);
	fdt_add_reservemap_entry(buf, 0x1000, 0x1000);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_begin_node(buf, "a");
	fdt_property_u32(buf, "phandle", 5);
	fdt_property_u32(buf, "x", 1);
	fdt_end_node(buf);
	fdt_begin_node(buf, "b");
	fdt_end_node(buf);
	fdt_begin_node(buf, "__symbols__");
	fdt_property_string(buf, "a", "/a");
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_finish(buf);
}

/* Overlay: fragment@0 targets /a: x = <2>, y = <&a> (external fixup),
 * child n { phandle = <1>; self = <1> (local fixup) }. */
static void make_overlay(void *buf)
{
	fdt_create(buf, 4096);
	fdt_add_reservemap_entry(buf, 0x1800, 0x1000);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_begin_node(buf, "fragment@0");
	fdt_property_string(buf, "target-path", "/a");
	fdt_begin_node(buf, "__overlay__");
	fdt_property_u32(buf, "y", 0xffffffff);
	fdt_property_u32(buf, "x", 2);
	fdt_begin_node(buf, "n");
	fdt_property_u32(buf, "phandle", 1);
	fdt_property_u32(buf, "self", 1);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_begin_node(buf, "__symbols__");
	fdt_property_string(buf, "n", "/fragment@0/__overlay__/n");
	fdt_end_node(buf);
	fdt_begin_node(buf, "__fixups__");
	fdt_property_string(buf, "a", "/fragment@0/__overlay__:y:0");
	fdt_end_node(buf);
	fdt_begin_node(buf, "__local_fixups__");
	fdt_begin_node(buf, "fragment@0");
	fdt_begin_node(buf, "__overlay__");
	fdt_begin_node(buf, "n");
	fdt_property_u32(buf, "self", 0);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_finish(buf);
}

static void test_overlay(void)
{
	static struct la_fdt_overlay_ws ws;
	static char base[4096], ov[4096], out[8192], scratch[4][8192];
	const fdt32_t *v;
	uint64_t addr, size;
	int a, p, len;
	const char *name;

	for (int i = 0; i < 4; i++)
		ws.buf[i] = scratch[i];
	ws.size = sizeof(scratch[0]);
	make_base(base);
	make_overlay(ov);
	T_CHECK(la_fdt_overlay_apply(&ws, base, ov, fdt_totalsize(ov), NULL, 0, out,
				     sizeof(out)) == 0);
	T_CHECK(fdt_check_full(out, sizeof(out)) == 0);
	a = fdt_path_offset(out, "/a");
	/* x keeps its place with the new value; y is appended after it */
	p = fdt_first_property_offset(out, a);
	fdt_getprop_by_offset(out, p, &name, &len);
	T_EQ_STR(name, "phandle");
	p = fdt_next_property_offset(out, p);
	v = fdt_getprop_by_offset(out, p, &name, &len);
	T_EQ_STR(name, "x");
	T_EQ_U64(fdt32_to_cpu(*v), 2);
	p = fdt_next_property_offset(out, p);
	v = fdt_getprop_by_offset(out, p, &name, &len);
	T_EQ_STR(name, "y");
	T_EQ_U64(fdt32_to_cpu(*v), 5); /* the base's phandle of label a */
	/* local phandle 1 + base max 5 */
	v = fdt_getprop(out, fdt_path_offset(out, "/a/n"), "self", &len);
	T_EQ_U64(fdt32_to_cpu(*v), 6);
	T_EQ_STR(fdt_getprop(out, fdt_path_offset(out, "/__symbols__"), "n", NULL), "/a/n");
	/* reservations sorted and coalesced */
	T_EQ_U64(fdt_num_mem_rsv(out), 1);
	fdt_get_mem_rsv(out, 0, &addr, &size);
	T_EQ_U64(addr, 0x1000);
	T_EQ_U64(size, 0x1800);

	/* a filter label the overlay lacks */
	const char *bad[] = { "nope" };
	T_EQ_U64(la_fdt_overlay_apply(&ws, base, ov, fdt_totalsize(ov), bad, 1, out, sizeof(out)),
		 -LA_ERR_OVLABEL);
	T_EQ_STR(ws.detail, "nope");
	/* the output does not fit */
	T_EQ_U64(la_fdt_overlay_apply(&ws, base, ov, fdt_totalsize(ov), NULL, 0, out, 200),
		 -LA_ERR_FDTSIZE);
	/* every truncation of the overlay is refused cleanly */
	for (size_t n = 0; n < fdt_totalsize(ov); n += 7)
		T_CHECK(la_fdt_overlay_apply(&ws, base, ov, n, NULL, 0, out, sizeof(out)) < 0);
	/* flipped bytes: refused or applied, never a crash */
	for (size_t n = 0; n < fdt_totalsize(ov); n++) {
		static char bent[4096];

		memcpy(bent, ov, sizeof(bent));
		bent[n] ^= 0x5a;
		(void)la_fdt_overlay_apply(&ws, base, bent, fdt_totalsize(ov), NULL, 0, out,
					   sizeof(out));
	}
	T_CHECK(1);
}

/* la_fdt_check reads nothing past len: blobs of 0 to 3 bytes in buffers
 * of exactly that size (the sanitizer build sees any over-read). */
static void test_check_short(void)
{
	static const uint8_t magic[4] = { 0xd0, 0x0d, 0xfe, 0xed };

	for (size_t n = 0; n < 4; n++) {
		uint8_t *b = malloc(n ? n : 1);

		memcpy(b, magic, n);
		T_EQ_U64(la_fdt_check(b, n), -LA_ERR_FDTTRUNC);
		free(b);
	}
}

/* A blob whose structure block has no node, which libfdt's
 * fdt_check_full lets through (found by fuzz_fdt_overlay: a base tree
 * without a root crashed the merge), is not a tree. */
static void test_check_no_root(void)
{
	static uint8_t b[256];
	/* FDT_END first; unknown tokens (fdt_check_full refuses those) */
	static const uint32_t first[3] = { FDT_END, 0, 0x77 };

	for (unsigned i = 0; i < 3; i++) {
		T_CHECK(fdt_create_empty_tree(b, sizeof(b)) == 0);
		T_EQ_U64(la_fdt_check(b, fdt_totalsize(b)), 0);
		*(fdt32_t *)(b + fdt_off_dt_struct(b)) = cpu_to_fdt32(first[i]);
		if (first[i] == FDT_END) /* the gap: libfdt takes it */
			T_CHECK(fdt_check_full(b, fdt_totalsize(b)) == 0);
		T_EQ_U64(la_fdt_check(b, fdt_totalsize(b)), -LA_ERR_FDTBAD);
	}
}

/* The writer starts a blob in the first 64 KiB of its buffer and grows it
 * in place (fdt_resize) until the buffer's size: a tree of about 600 KiB
 * lands whole in a 2 MiB buffer, every property where it was written, and
 * the same tree in a 256 KiB buffer is -LA_ERR_FDTSIZE. */
static void w_big(struct la_fdt_w *w, void *buf, size_t size)
{
	static uint32_t cells[256];

	la_fdt_w_create(w, buf, size);
	for (unsigned n = 0; n < 600; n++) {
		la_fdt_w_begin_nodef(w, "node@%u", n);
		for (unsigned i = 0; i < 256; i++)
			cells[i] = n * 1000 + i;
		la_fdt_w_u32s(w, "cells", cells, 256);
		la_fdt_w_u64(w, n % 2 ? "odd" : "even", n);
		la_fdt_w_end_node(w);
	}
}

static void test_writer_grows(void)
{
	size_t size = 2u << 20;
	uint8_t *buf = malloc(size);
	struct la_fdt_w w;
	const fdt32_t *p;
	int node, len;

	memset(buf, 0xa5, size);
	w_big(&w, buf, size);
	T_EQ_U64(la_fdt_w_finish(&w), 0);
	T_CHECK(fdt_totalsize(buf) > (512u << 10) && fdt_totalsize(buf) < size);
	node = fdt_path_offset(buf, "/node@257");
	T_CHECK(node >= 0);
	p = fdt_getprop(buf, node, "cells", &len);
	T_EQ_U64(len, 1024);
	T_CHECK(p && fdt32_to_cpu(p[0]) == 257000 && fdt32_to_cpu(p[255]) == 257255);
	T_CHECK(fdt_getprop(buf, node, "odd", &len) != NULL && len == 8);
	T_CHECK(fdt_path_offset(buf, "/node@257") == node);
	w_big(&w, buf, 256u << 10);
	T_EQ_U64(la_fdt_w_finish(&w), -LA_ERR_FDTSIZE);
	free(buf);
}

int main(void)
{
	test_writer_grows();
	test_probe();
	test_place_arm();
	test_place_rv_x86();
	test_cmdline();
	test_vcpu();
	test_overlay();
	test_check_short();
	test_check_no_root();
	return T_DONE();
}
