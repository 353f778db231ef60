/* SPDX-License-Identifier: MIT */
/*
 * x86_64 image loading and boot handoff (§3.8): Multiboot, ELF and bzImage
 * kernels, BIOS images, initrd placement, command line, setup_data,
 * boot_params and Multiboot information.
 */
#include <string.h>

#include "boot.h"
#include "bytes.h"
#include "err.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

/* Where la_kernel_probe found what to copy; this file only copies it
 * into guest memory and sets the entry state (§3.8 steps 1-3). */

/* A kernel without a setup header loaded at [start, end): its entry
 * state, and boot_params with cmdline_size 0x7ff. */
static void la_x86_headerless(struct la_x86_kernel *k, enum la_x86_image_kind kind,
			      enum la_x86_cpu_mode mode, uint64_t entry, uint64_t start,
			      uint64_t end)
{
	k->kind = kind;
	k->mode = mode;
	k->entry = entry;
	k->start = start;
	k->end = end;
	memset(k->params, 0, sizeof(k->params));
	la_put32(k->params + LA_BP_CMDLINE_SIZE, LA_X86_CMDLINE_MAX_SIZE - 1);
}

static int la_mb_load(const struct la_gmem *g, const uint8_t *img, struct la_x86_kernel *k)
{
	const struct la_kernel_info *i = &k->info;
	uint8_t *dst = la_gmem_ptr(g, i->mb_load, (uint64_t)i->mb_end - i->mb_load);

	if (!dst)
		return -LA_ERR_KERNELSIZE;
	memcpy(dst, img + i->mb_file_offset, i->mb_load_size);
	memset(dst + i->mb_load_size, 0, i->mb_end - i->mb_load - i->mb_load_size);
	la_x86_headerless(k, LA_X86_IMG_MULTIBOOT, LA_X86_MODE_FLAT32, i->mb_entry, i->mb_load,
			  i->mb_end);
	return 0;
}

/* Every PT_LOAD at its p_paddr (>= 2 MiB), p_filesz bytes from the file. */
static int la_elf_load(const struct la_gmem *g, const uint8_t *img, size_t len,
		       struct la_x86_kernel *k)
{
	const struct la_kernel_info *i = &k->info;

	for (unsigned n = 0; n < i->elf_phnum; n++) {
		struct la_elf_phdr p;
		uint8_t *dst;

		la_kernel_elf_phdr(img, i, n, &p);
		if (p.type != LA_ELF_PT_LOAD)
			continue;
		if (p.paddr < LA_X86_KERNEL_START_OFFSET || p.offset > len || p.filesz > len - p.offset ||
		    p.memsz < p.filesz)
			return -LA_ERR_ELFLOAD;
		dst = la_gmem_ptr(g, p.paddr, p.memsz);
		if (!dst)
			return -LA_ERR_ELFLOAD;
		memcpy(dst, img + p.offset, p.filesz);
	}
	if (i->elf_entry < i->elf_lo || i->elf_entry >= i->elf_hi)
		return -LA_ERR_ELFENTRY;
	/* a Multiboot kernel without load addresses loads through its ELF
	 * headers and is entered as Multiboot */
	la_x86_headerless(k, i->multiboot ? LA_X86_IMG_MULTIBOOT
					  : i->elf64 ? LA_X86_IMG_ELF64 : LA_X86_IMG_ELF32,
			  i->elf64 && !i->multiboot ? LA_X86_MODE_LONG : LA_X86_MODE_FLAT32,
			  i->elf_entry, i->elf_lo, i->elf_hi);
	return 0;
}

/* The whole file at 0x200000 - setup size; boot_params start from its
 * setup header. */
static int la_bzimage_load(const struct la_gmem *g, const uint8_t *img, size_t len,
			   struct la_x86_kernel *k)
{
	const struct la_kernel_info *i = &k->info;
	uint64_t load = LA_X86_KERNEL_START_OFFSET - i->setup_size;
	uint8_t *dst = la_gmem_ptr(g, load, len);

	if (!dst)
		return -LA_ERR_KERNELSIZE;
	memcpy(dst, img, len);
	memset(k->params, 0, sizeof(k->params));
	memcpy(k->params + LA_BP_SETUP_SECTS, img + LA_BP_SETUP_SECTS,
	       i->hdr_end - LA_BP_SETUP_SECTS);
	k->kind = LA_X86_IMG_BZIMAGE;
	k->start = load;
	k->end = load + len;
	if (i->xloadflags & LA_XLF_KERNEL_64) {
		k->mode = LA_X86_MODE_LONG;
		k->entry = LA_X86_KERNEL_START_OFFSET + LA_X86_KERNEL_64BIT_ENTRY_OFFSET;
	} else {
		k->mode = LA_X86_MODE_FLAT32;
		k->entry = LA_X86_KERNEL_START_OFFSET;
	}
	return 0;
}

int la_x86_kernel_load(const struct la_gmem *g, const uint8_t *img, size_t len,
		       struct la_x86_kernel *k)
{
	int err = la_kernel_probe(LA_ARCH_X86_64, img, len, len, &k->info);

	if (err)
		return err;
	switch (k->info.kind) {
	case LA_KERNEL_MULTIBOOT: return la_mb_load(g, img, k);
	case LA_KERNEL_ELF: return la_elf_load(g, img, len, k);
	case LA_KERNEL_BZIMAGE: return la_bzimage_load(g, img, len, k);
	default: return -LA_ERR_NOTKERNEL;
	}
}

int la_x86_bios_load(const struct la_gmem *g, const uint8_t *img, size_t len,
		     struct la_x86_kernel *k)
{
	int err;

	if (len == 0 || len > LA_X86_FIRST_ADDR_PAST_32BITS)
		return -LA_ERR_GPA;
	err = la_gmem_write(g, LA_X86_FIRST_ADDR_PAST_32BITS - len, img, len);
	if (err)
		return err;
	memset(k, 0, sizeof(*k));
	k->kind = LA_X86_IMG_BIOS;
	k->mode = LA_X86_MODE_RESET;
	k->entry = LA_X86_RESET_VECTOR;
	k->start = LA_X86_FIRST_ADDR_PAST_32BITS - len;
	k->end = LA_X86_FIRST_ADDR_PAST_32BITS;
	return 0;
}

/* ------------------------------------------------- header-given limits */

uint64_t la_x86_kernel_initrd_max(const struct la_kernel_info *k)
{
	if (k->kind != LA_KERNEL_BZIMAGE)
		return LA_X86_INITRD_ADDR_MAX_DEFAULT;
	if (k->xloadflags & LA_XLF_CAN_BE_LOADED_ABOVE_4G)
		return UINT64_MAX;
	return k->initrd_addr_max ? k->initrd_addr_max : LA_X86_INITRD_ADDR_MAX_DEFAULT;
}

uint64_t la_x86_kernel_cmdline_max(const struct la_kernel_info *k)
{
	uint64_t m = k->cmdline_size ? k->cmdline_size : LA_X86_CMDLINE_SIZE_DEFAULT;

	if (k->kind != LA_KERNEL_BZIMAGE || m > LA_X86_CMDLINE_MAX_SIZE - 1)
		return LA_X86_CMDLINE_MAX_SIZE - 1;
	return m;
}

/* -------------------------------------------------------------- cmdline */

int la_cmdline_add(struct la_cmdline *c, const char *tok)
{
	size_t l = strlen(tok), need = l + (c->len ? 1 : 0);

	for (size_t i = 0; i < l; i++)
		if (tok[i] < 0x20 || tok[i] > 0x7e)
			return -LA_ERR_CMDLINECHAR;
	if (l == 0)
		return 0;
	if (c->len + need >= sizeof(c->s))
		return -LA_ERR_CMDLINE;
	if (c->len)
		c->s[c->len++] = ' ';
	memcpy(c->s + c->len, tok, l + 1);
	c->len += l;
	return 0;
}

/* ----------------------------------------------------------- setup_data */

#define LA_ALIGN8(x) (((x) + 7) & ~7ULL)

static int la_setup_add(const struct la_gmem *g, uint64_t at, uint32_t type,
			const uint8_t *data, size_t len, size_t padded, struct la_x86_setup *out)
{
	uint8_t *p;

	if (at + 16 + padded >= LA_X86_SETUP_DATA_END)
		return -LA_ERR_SETUPDATA;
	p = la_gmem_ptr(g, at, 16 + padded);
	if (!p)
		return -LA_ERR_GPA;
	la_put64(p, 0);
	la_put32(p + 8, type);
	la_put32(p + 12, (uint32_t)padded);
	memcpy(p + 16, data, len);
	memset(p + 16 + len, 0, padded - len);
	if (out->n) { /* chain the previous entry to this one */
		uint8_t *prev = la_gmem_ptr(g, out->e[out->n - 1].addr, 8);

		la_put64(prev, at);
	}
	out->e[out->n].addr = at;
	out->e[out->n].type = type;
	out->e[out->n].len = (uint32_t)padded;
	out->n++;
	return 0;
}

int la_x86_setup_data_write(const struct la_gmem *g, const uint8_t *seed,
			    const uint8_t *dtb, size_t dtb_len, struct la_x86_setup *out)
{
	uint64_t at = LA_ALIGN8(LA_X86_SETUP_DATA_START);
	uint64_t remaining = LA_X86_SETUP_DATA_END - LA_X86_SETUP_DATA_START - LA_X86_RNG_SEED_SIZE;
	uint64_t limit = remaining < LA_X86_FDT_MAX_SIZE ? remaining : LA_X86_FDT_MAX_SIZE;
	int err;

	out->n = 0;
	err = la_setup_add(g, at, LA_X86_SETUP_RNG_SEED, seed, LA_X86_RNG_SEED_SIZE,
			   LA_X86_RNG_SEED_SIZE, out);
	if (err || !dtb)
		return err;
	if (dtb_len > limit)
		return -LA_ERR_DTBSIZE;
	at = LA_ALIGN8(at + 16 + LA_X86_RNG_SEED_SIZE);
	return la_setup_add(g, at, LA_X86_SETUP_DTB, dtb, dtb_len, (size_t)limit, out);
}

/* ---------------------------------------------------------- boot_params */

int la_x86_boot_params_fill(uint8_t *bp, const struct la_e820 *e, uint64_t setup_data,
			    uint64_t initrd, uint64_t initrd_size)
{
	if (e->n >= LA_X86_E820_MAX)
		return -LA_ERR_E820;
	bp[LA_BP_TYPE_OF_LOADER] = 0xff;
	la_put16(bp + LA_BP_BOOT_FLAG, 0xaa55);
	la_put32(bp + LA_BP_HEADER, LA_BZ_HDRS_MAGIC);
	la_put32(bp + LA_BP_CMD_LINE_PTR, (uint32_t)LA_X86_CMDLINE_OFFSET);
	la_put32(bp + LA_BP_EXT_CMD_LINE_PTR, 0);
	la_put32(bp + LA_BP_KERNEL_ALIGNMENT, 0x1000000);
	la_put64(bp + LA_BP_SETUP_DATA, setup_data);
	if (initrd_size) {
		la_put32(bp + LA_BP_RAMDISK_IMAGE, (uint32_t)initrd);
		la_put32(bp + LA_BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
		la_put32(bp + LA_BP_RAMDISK_SIZE, (uint32_t)initrd_size);
		la_put32(bp + LA_BP_EXT_RAMDISK_SIZE, 0);
	}
	for (unsigned i = 0; i < e->n; i++) {
		uint8_t *t = bp + LA_BP_E820_TABLE + 20 * i;

		la_put64(t, e->e[i].addr);
		la_put64(t + 8, e->e[i].size);
		la_put32(t + 16, e->e[i].type);
	}
	bp[LA_BP_E820_ENTRIES] = (uint8_t)e->n;
	return 0;
}

/* -------------------------------------------------------- Multiboot info */

#define LA_MBI_SIZE 116
#define LA_ALIGN16(x) (((x) + 15) & ~(size_t)15)

int la_x86_multiboot_info_write(uint8_t *buf, size_t len, const struct la_mem_layout *m,
				const struct la_e820 *e)
{
	const uint64_t base = LA_X86_MULTIBOOT_INFO_OFFSET;
	uint64_t lower = 0, upper = 0;
	size_t at = LA_ALIGN16((size_t)LA_MBI_SIZE), mmap = at;
	static const char name[] = "crosvm";

	if (len < LA_MBI_SIZE || len > LA_X86_MULTIBOOT_INFO_SIZE)
		return -LA_ERR_NOSPACE;
	memset(buf, 0, len);
	for (unsigned i = 0; i < m->n; i++) {
		if (m->r[i].purpose != LA_REGION_GUEST_MEMORY)
			continue;
		if (m->r[i].start < LA_MiB)
			lower += m->r[i].size;
		else if (m->r[i].start < LA_X86_FIRST_ADDR_PAST_32BITS)
			upper += m->r[i].size;
	}
	la_put32(buf, 0x245); /* MEM | CMDLINE | MMAP | BOOT_LOADER_NAME */
	la_put32(buf + 4, (uint32_t)(lower / 1024));
	la_put32(buf + 8, (uint32_t)(upper / 1024));
	la_put32(buf + 16, (uint32_t)LA_X86_CMDLINE_OFFSET);
	if (at + 24 * (size_t)e->n + sizeof(name) + 16 > len)
		return -LA_ERR_NOSPACE;
	for (unsigned i = 0; i < e->n; i++, at += 24) {
		la_put32(buf + at, 20);
		la_put64(buf + at + 4, e->e[i].addr);
		la_put64(buf + at + 12, e->e[i].size);
		la_put32(buf + at + 20, e->e[i].type);
	}
	la_put32(buf + 44, (uint32_t)(at - mmap));
	la_put32(buf + 48, (uint32_t)(base + mmap));
	at = LA_ALIGN16(at);
	memcpy(buf + at, name, sizeof(name));
	la_put32(buf + 64, (uint32_t)(base + at));
	return 0;
}
