/* SPDX-License-Identifier: MIT */
/*
 * Kernel images of every format and arch: la_kernel_probe on the file's
 * head (arm64 Image, riscv64 Image and raw, ELF32/64, bzImage, Multiboot),
 * the ELF program headers it accepted, la_boot_place's placement over the
 * arch's default layout (with or without an initrd, each --fdt-position),
 * and on x86_64 la_x86_kernel_load copying the image into 16 MiB of fake
 * guest RAM as la-vmrun does. Input: one byte (arch, position, initrd),
 * four bytes of file size beyond the input (0: the input is the whole
 * file), then the file.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "arch.h"
#include "arch/x86_64/x86boot.h"
#include "boot.h"
#include "fuzz.h"
#include "vm/guestmem.h"

#define RAM (16u << 20)

static struct la_gmem g;
static struct la_x86_kernel xk;

static void ram(void)
{
	if (g.n)
		return;
	g.s[0] = (struct la_gmem_slot){ .gpa = 0, .size = RAM, .purpose = LA_REGION_GUEST_MEMORY,
					.host = mmap(NULL, RAM, PROT_READ | PROT_WRITE,
						     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
						     -1, 0) };
	if (g.s[0].host == MAP_FAILED)
		abort();
	g.n = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum la_arch_id ids[3] = { LA_ARCH_X86_64, LA_ARCH_AARCH64, LA_ARCH_RISCV64 };
	static const char *names[3] = { "x86_64", "aarch64", "riscv64" };
	struct fz f = { data, size };
	uint8_t b = fz_u8(&f);
	uint32_t extra = fz_u32(&f);
	unsigned a = (b & 3) % 3;
	struct la_kernel_info k;
	struct la_elf_phdr ph;
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	struct la_boot_plan plan;
	uint8_t *img;

	/* a copy of exactly the file's bytes: a read past them is a bug */
	img = malloc(f.n ? f.n : 1);
	memcpy(img, f.p, f.n);
	if (la_kernel_probe(ids[a], img, f.n, (uint64_t)f.n + extra, &k) == 0) {
		la_kernel_kind_name(k.kind);
		if (k.kind == LA_KERNEL_ELF || (k.multiboot && k.elf_phnum))
			for (unsigned i = 0; i < k.elf_phnum; i++)
				la_kernel_elf_phdr(img, &k, i, &ph);
		la_vm_config_init(&cfg);
		cfg.arch = la_arch_lookup(names[a]);
		cfg.mem_size = (b & 0x40) ? (3ULL << 30) : (256ULL << 20);
		cfg.fdt_position = (enum la_fdt_position)((b >> 2) & 3) % 4;
		if (la_layout_compute(&cfg, &l, &m) == 0)
			la_boot_place(&cfg, &m, &k, b & 0x80, 0x300000 + extra, &plan);
	}
	if (a == 0 && extra == 0) {
		ram();
		la_x86_kernel_load(&g, img, f.n, &xk);
	}
	free(img);
	return 0;
}
