/* SPDX-License-Identifier: MIT */
/*
 * Where the payload, the initrd and the device tree go in guest memory
 * (crosvm-arch.md §3.8, §4.5 steps 2-4, §5.3 steps 5 and 8). Kernel
 * headers are probed from the first bytes of the file, so nothing here
 * reads files: the caller passes the head and the file size. la-mkfdt and
 * la-vmrun share these computations, so the tree's /chosen and /config
 * and the address the guest finds its tree at agree with what boots.
 */
#ifndef LA_BOOT_H
#define LA_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* Bytes of a kernel file la_kernel_probe wants to see (headers and ELF
 * program headers must lie within them). */
#define LA_KERNEL_HEAD_SIZE 0x10000

#define LA_BZ_HDRS_MAGIC 0x53726448u /* "HdrS" at 0x202 */

enum la_kernel_kind {
	LA_KERNEL_NONE,
	LA_KERNEL_ARM64_IMAGE, /* aarch64 Image header, magic "ARM\x64" */
	LA_KERNEL_ELF,
	LA_KERNEL_BZIMAGE,     /* x86 boot protocol, "HdrS" */
	LA_KERNEL_RAW,         /* riscv64: copied as is */
	LA_KERNEL_MULTIBOOT,   /* x86: Multiboot header with load addresses */
};

/* What a kernel's headers say (crosvm-arch.md §3.8, §4.5, §5.3). The one
 * parser of kernel headers: la-mkfdt places from it, la-vmrun's loader
 * copies from it. */
struct la_kernel_info {
	enum la_kernel_kind kind;
	uint64_t file_size;        /* bytes */
	/* arm64 Image (and riscv64's image_size, from a riscv Image header) */
	uint64_t text_offset;      /* bytes; 0x80000 when image_size is 0 */
	uint64_t image_size;       /* bytes, as the header says */
	/* ELF: physical range of the PT_LOAD segments, [lo, hi) */
	bool elf64;
	uint64_t elf_lo, elf_hi, elf_entry;
	uint64_t elf_phoff;        /* program headers: file offset, count, entry size */
	unsigned elf_phnum, elf_phentsize;
	/* x86: a Multiboot header in the first 8 KiB (kind MULTIBOOT when it
	 * has load addresses, else the kernel loads through its ELF headers) */
	bool multiboot;
	uint64_t mb_file_offset;   /* file bytes [offset, offset + size) */
	uint64_t mb_load_size;     /* go to [mb_load, mb_load + size) */
	uint32_t mb_load;          /* guest physical */
	uint32_t mb_end;           /* end of load and bss, exclusive */
	uint32_t mb_entry;
	/* bzImage */
	uint64_t setup_size;       /* (setup_sects + 1) * 512 */
	uint64_t hdr_end;          /* setup header: file bytes [0x1f1, hdr_end) */
	uint16_t xloadflags;
	uint32_t initrd_addr_max;  /* 0: not in the header */
	uint32_t cmdline_size;     /* 0: not in the header */
	char version[64];          /* Linux's release from the header's kernel_version
				    * string (first word, e.g. "6.1.0-57-cloud-amd64");
				    * "": none (not a Linux kernel, or too old to say) */
};

/* la_kernel_probe - recognise a kernel for arch from its first len bytes
 * (at least LA_KERNEL_HEAD_SIZE of them when the file has that many; the
 * whole file also does) and its file size in bytes. x86_64 follows
 * crosvm's order: Multiboot with load addresses, ELF, bzImage.
 * returns: 0, -LA_ERR_NOTKERNEL (not a kernel for this arch),
 * -LA_ERR_KERNELBE (big-endian arm64 Image), -LA_ERR_KERNELTRUNC (header
 * says more than the file holds), -LA_ERR_BZSIZE (bzImage setup and
 * system size exceed the file), -LA_ERR_MULTIBOOT (a Multiboot header
 * with unknown flags), -LA_ERR_MBLOAD (its load addresses out of order or
 * outside the file), -LA_ERR_MB4G (its load range ends past 4 GiB) */
int la_kernel_probe(enum la_arch_id arch, const uint8_t *head, size_t len,
		    uint64_t file_size, struct la_kernel_info *out);

const char *la_kernel_kind_name(enum la_kernel_kind k);

/* One ELF program header (fields widened to 64 bits). */
struct la_elf_phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

#define LA_ELF_PT_LOAD 1

/* la_kernel_elf_phdr - program header i (< k->elf_phnum) of the ELF
 * kernel k that la_kernel_probe accepted from the same head. */
void la_kernel_elf_phdr(const uint8_t *head, const struct la_kernel_info *k, unsigned i,
			struct la_elf_phdr *p);

/* The placement of one boot. Addresses are guest physical; ranges are
 * [start, start + size). */
struct la_boot_plan {
	bool has_payload;          /* a kernel or a BIOS */
	bool bios;
	uint64_t payload_start;    /* /config kernel-address */
	uint64_t payload_size;     /* /config kernel-size: bytes of the file */
	uint64_t payload_end;      /* last byte of kernel (range) or initrd */
	bool has_initrd;
	uint64_t initrd_start;
	uint64_t initrd_size;      /* bytes */
	uint64_t fdt_address;      /* where the tree is written */
	enum la_fdt_position fdt_position; /* resolved (never DEFAULT on arm) */
	uint64_t cmdline_max;      /* characters, without the NUL */
};

/* la_boot_place - place kernel k (NULL: none given; a BIOS comes from
 * cfg->bios_path) and an initrd of initrd_size bytes (has_initrd) for the
 * arch of cfg, over the memory layout mem.
 * returns: 0, -LA_ERR_KERNELFIT, -LA_ERR_INITRDFIT, -LA_ERR_INITRDEMPTY
 * (has_initrd with initrd_size 0), -LA_ERR_FDTPLACE,
 * -LA_ERR_INITRDBIOS, -LA_ERR_UNSUPPORTED */
int la_boot_place(const struct la_vm_config *cfg, const struct la_mem_layout *mem,
		  const struct la_kernel_info *k, bool has_initrd, uint64_t initrd_size,
		  struct la_boot_plan *out);

/* la_load_image_high - crosvm's load_image_high over the regions of mem
 * that are not pVM firmware: the highest address >= min_addr, aligned to
 * align (a power of two), where size bytes fit below max_addr (inclusive).
 * The one "as high as allowed" placement: la-mkfdt's plan and la-vmrun's
 * initrd both come from it.
 * returns: 0, -LA_ERR_INITRDEMPTY (size 0), -LA_ERR_INITRDFIT,
 * -LA_ERR_INTERNAL (align not a power of two) */
int la_load_image_high(const struct la_mem_layout *mem, uint64_t size, uint64_t min_addr,
		       uint64_t max_addr, uint64_t align, uint64_t *addr);

#endif
