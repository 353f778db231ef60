/* SPDX-License-Identifier: MIT */
/*
 * x86_64 image loading and boot handoff (§3.8): Multiboot, ELF and bzImage
 * kernels, BIOS images, initrd placement, command line, setup_data,
 * boot_params and Multiboot information.
 */
#include <elf.h>
#include <string.h>

#include "../bytes.h"
#include "../err.h"
#include "../x86boot.h"
#include "x86_64.h"

#define LA_MB_MAGIC 0x1badb002u
#define LA_MB_SEARCH 8192
#define LA_MB_FLAG_AOUT_KLUDGE (1u << 16)
#define LA_MB_KNOWN_FLAGS (0x7u | LA_MB_FLAG_AOUT_KLUDGE)

/* ----------------------------------------------------------- Multiboot */

/* Offset of a Multiboot header in the first 8 KiB, or -1. */
static long la_mb_find(const uint8_t *img, size_t len)
{
	size_t lim = len < LA_MB_SEARCH ? len : LA_MB_SEARCH;

	for (size_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t magic = la_get32(img + off), flags = la_get32(img + off + 4);

		if (magic == LA_MB_MAGIC && (uint32_t)(magic + flags + la_get32(img + off + 8)) == 0)
			return (long)off;
	}
	return -1;
}

static int la_mb_load(const struct la_gmem *g, const uint8_t *img, size_t len, size_t off,
		      struct la_x86_kernel *k)
{
	const uint8_t *h = img + off;
	uint32_t hdr_addr, load, load_end, bss_end, entry;
	uint64_t file_off, size;
	uint8_t *dst;

	if (off + 32 > len)
		return -LA_ERR_MULTIBOOT;
	hdr_addr = la_get32(h + 12);
	load = la_get32(h + 16);
	load_end = la_get32(h + 20);
	bss_end = la_get32(h + 24);
	entry = la_get32(h + 28);
	if (hdr_addr < load || hdr_addr - load > off)
		return -LA_ERR_MULTIBOOT;
	file_off = off - (hdr_addr - load);
	size = load_end ? (uint64_t)load_end - load : len - file_off;
	if (load_end && load_end < load)
		return -LA_ERR_MULTIBOOT;
	if (file_off + size > len)
		return -LA_ERR_MULTIBOOT;
	if (bss_end && bss_end < load + size)
		return -LA_ERR_MULTIBOOT;
	dst = la_gmem_ptr(g, load, bss_end ? (uint64_t)bss_end - load : size);
	if (!dst)
		return -LA_ERR_KERNELSIZE;
	memcpy(dst, img + file_off, size);
	if (bss_end)
		memset(dst + size, 0, bss_end - load - size);
	k->kind = LA_X86_IMG_MULTIBOOT;
	k->mode = LA_X86_MODE_FLAT32;
	k->entry = entry;
	k->start = load;
	k->end = bss_end ? bss_end : load + size;
	memset(k->params, 0, sizeof(k->params));
	la_put32(k->params + LA_BP_CMDLINE_SIZE, LA_X86_CMDLINE_MAX_SIZE - 1);
	return 0;
}

/* ------------------------------------------------------------------ ELF */

struct la_phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int la_elf_phdr(const uint8_t *img, size_t len, bool is64, uint64_t phoff,
		       unsigned i, unsigned phentsize, struct la_phdr *p)
{
	uint64_t at = phoff + (uint64_t)i * phentsize;

	if (phoff > len || at + (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) > len)
		return -LA_ERR_ELFLOAD;
	if (is64) {
		Elf64_Phdr ph;

		memcpy(&ph, img + at, sizeof(ph));
		*p = (struct la_phdr){ ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz, ph.p_memsz };
	} else {
		Elf32_Phdr ph;

		memcpy(&ph, img + at, sizeof(ph));
		*p = (struct la_phdr){ ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz, ph.p_memsz };
	}
	return 0;
}

static int la_elf_load(const struct la_gmem *g, const uint8_t *img, size_t len,
		       struct la_x86_kernel *k)
{
	bool is64 = img[EI_CLASS] == ELFCLASS64;
	uint64_t phoff, entry, first = 0, last = 0;
	unsigned phnum, phentsize, loads = 0;
	int err;

	if (is64) {
		Elf64_Ehdr eh;

		if (len < sizeof(eh))
			return -LA_ERR_NOTKERNEL;
		memcpy(&eh, img, sizeof(eh));
		if (eh.e_machine != EM_X86_64)
			return -LA_ERR_NOTKERNEL;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize, entry = eh.e_entry;
	} else if (img[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (len < sizeof(eh))
			return -LA_ERR_NOTKERNEL;
		memcpy(&eh, img, sizeof(eh));
		if (eh.e_machine != EM_386)
			return -LA_ERR_NOTKERNEL;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize, entry = eh.e_entry;
	} else {
		return -LA_ERR_NOTKERNEL;
	}
	if (img[EI_DATA] != ELFDATA2LSB || phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return -LA_ERR_NOTKERNEL;
	for (unsigned i = 0; i < phnum; i++) {
		struct la_phdr p;
		uint8_t *dst;

		err = la_elf_phdr(img, len, is64, phoff, i, phentsize, &p);
		if (err)
			return err;
		if (p.type != PT_LOAD)
			continue;
		if (p.paddr < LA_X86_KERNEL_START_OFFSET || p.offset > len || p.filesz > len - p.offset ||
		    p.memsz < p.filesz)
			return -LA_ERR_ELFLOAD;
		dst = la_gmem_ptr(g, p.paddr, p.memsz);
		if (!dst)
			return -LA_ERR_ELFLOAD;
		memcpy(dst, img + p.offset, p.filesz);
		if (!loads++)
			first = p.paddr;
		last = p.paddr + p.memsz;
	}
	if (!loads)
		return -LA_ERR_ELFLOAD;
	if (entry < first || entry >= last)
		return -LA_ERR_ELFENTRY;
	k->kind = is64 ? LA_X86_IMG_ELF64 : LA_X86_IMG_ELF32;
	k->mode = is64 ? LA_X86_MODE_LONG : LA_X86_MODE_FLAT32;
	k->entry = entry;
	k->start = first;
	k->end = last;
	memset(k->params, 0, sizeof(k->params));
	la_put32(k->params + LA_BP_CMDLINE_SIZE, LA_X86_CMDLINE_MAX_SIZE - 1);
	return 0;
}

/* -------------------------------------------------------------- bzImage */

static int la_bzimage_load(const struct la_gmem *g, const uint8_t *img, size_t len,
			   struct la_x86_kernel *k)
{
	uint8_t *bp = k->params;
	size_t hdr_end;
	uint64_t setup_size, sys_size, load;
	unsigned setup_sects;
	uint8_t *dst;

	if (len < 0x202 + 4)
		return -LA_ERR_NOTKERNEL;
	hdr_end = 0x202 + (size_t)img[0x201];
	if (hdr_end > len || hdr_end > LA_BP_E820_TABLE)
		return -LA_ERR_NOTKERNEL;
	memset(bp, 0, LA_X86_BOOT_PARAMS_SIZE);
	memcpy(bp + LA_BP_SETUP_SECTS, img + LA_BP_SETUP_SECTS, hdr_end - LA_BP_SETUP_SECTS);
	if (hdr_end < LA_BP_HEADER + 4 || la_get32(bp + LA_BP_HEADER) != LA_BZ_HDRS)
		return -LA_ERR_NOTKERNEL;
	setup_sects = bp[LA_BP_SETUP_SECTS] ? bp[LA_BP_SETUP_SECTS] : 4;
	setup_size = (setup_sects + 1ULL) * 512;
	sys_size = (uint64_t)la_get32(bp + LA_BP_SYSSIZE) * 16;
	if (setup_size + sys_size > len)
		return -LA_ERR_BZSIZE;
	load = LA_X86_KERNEL_START_OFFSET - setup_size;
	dst = la_gmem_ptr(g, load, len);
	if (!dst)
		return -LA_ERR_KERNELSIZE;
	memcpy(dst, img, len);
	k->kind = LA_X86_IMG_BZIMAGE;
	k->start = load;
	k->end = load + len;
	if (la_get16(bp + LA_BP_XLOADFLAGS) & LA_XLF_KERNEL_64) {
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
	long mb = la_mb_find(img, len);

	if (mb >= 0) {
		uint32_t flags = la_get32(img + mb + 4);

		if (flags & ~LA_MB_KNOWN_FLAGS)
			return -LA_ERR_MULTIBOOT;
		if (flags & LA_MB_FLAG_AOUT_KLUDGE)
			return la_mb_load(g, img, len, (size_t)mb, k);
	}
	if (len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG)) {
		int err = la_elf_load(g, img, len, k);

		if (!err && mb >= 0) { /* Multiboot kernel loaded through its ELF headers */
			k->kind = LA_X86_IMG_MULTIBOOT;
			k->mode = LA_X86_MODE_FLAT32;
		}
		return err;
	}
	return la_bzimage_load(g, img, len, k);
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

/* --------------------------------------------------------------- initrd */

int la_x86_image_high(const struct la_gmem *g, uint64_t size, uint64_t min, uint64_t max,
		      uint64_t align, uint64_t *addr)
{
	uint64_t max_size;

	if (size == 0)
		return -LA_ERR_INITRDEMPTY;
	if (align == 0 || (align & (align - 1)) || max < min)
		return -LA_ERR_INTERNAL;
	max_size = (max - min) & ~(align - 1);
	if (size > 0xffffffffULL || size > max_size)
		return -LA_ERR_INITRD;
	for (unsigned i = g->n; i-- > 0;) { /* slots are sorted: highest first */
		const struct la_gmem_slot *s = &g->s[i];
		uint64_t last = s->gpa + s->size - 1, top, cand, lo;

		if (s->purpose == LA_REGION_PROTECTED_FIRMWARE)
			continue;
		top = last < max ? last : max;
		if (top < size - 1)
			continue;
		cand = (top - (size - 1)) & ~(align - 1);
		lo = (s->gpa + align - 1) & ~(align - 1);
		if (cand >= lo && cand >= min) {
			*addr = cand;
			return 0;
		}
	}
	return -LA_ERR_INITRD;
}

uint64_t la_x86_initrd_max(const uint8_t *bp)
{
	uint32_t m = la_get32(bp + LA_BP_INITRD_ADDR_MAX);

	if (la_get16(bp + LA_BP_XLOADFLAGS) & LA_XLF_CAN_BE_LOADED_ABOVE_4G)
		return ~0ULL;
	return m ? m : 0x37ffffff;
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

size_t la_x86_cmdline_max(const uint8_t *bp)
{
	uint32_t m = la_get32(bp + LA_BP_CMDLINE_SIZE);

	if (m == 0)
		m = 255;
	return m < LA_X86_CMDLINE_MAX_SIZE - 1 ? m : LA_X86_CMDLINE_MAX_SIZE - 1;
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
	la_put32(bp + LA_BP_HEADER, LA_BZ_HDRS);
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
