/* SPDX-License-Identifier: MIT */
/* Kernel header probing and the placement dispatch; see boot.h. */
#include <string.h>

#include "boot.h"
#include "err.h"
#include "range.h"

#define LA_ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define LA_ARM64_TEXT_OFFSET_DEFAULT 0x80000ULL
#define LA_BZ_HDRS_MAGIC 0x53726448u     /* "HdrS" at 0x202 */
#define LA_MULTIBOOT_MAGIC 0x1badb002u
#define LA_MULTIBOOT_SEARCH 8192
#define LA_MULTIBOOT_KNOWN_FLAGS 0x00010007u
#define LA_MULTIBOOT_AOUT_KLUDGE (1u << 16)
#define LA_EM_386 3
#define LA_EM_X86_64 62
#define LA_EM_AARCH64 183
#define LA_EM_RISCV 243
#define LA_PT_LOAD 1

static uint16_t la_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t la_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t la_le64(const uint8_t *p)
{
	return la_le32(p) | (uint64_t)la_le32(p + 4) << 32;
}

const char *la_kernel_kind_name(enum la_kernel_kind k)
{
	switch (k) {
	case LA_KERNEL_ARM64_IMAGE: return "arm64 Image";
	case LA_KERNEL_ELF: return "ELF";
	case LA_KERNEL_BZIMAGE: return "bzImage";
	case LA_KERNEL_RAW: return "raw image";
	default: return "none";
	}
}

static bool la_is_elf(const uint8_t *h, size_t len)
{
	return len >= 0x34 && !memcmp(h, "\x7f" "ELF", 4);
}

static bool la_is_arm64_image(const uint8_t *h, size_t len)
{
	return len >= 64 && la_le32(h + 56) == LA_ARM64_IMAGE_MAGIC;
}

static bool la_is_bzimage(const uint8_t *h, size_t len)
{
	return len >= 0x206 && la_le32(h + 0x202) == LA_BZ_HDRS_MAGIC;
}

/* One ELF program header's (type, paddr, memsz). */
static void la_elf_phdr(const uint8_t *p, bool elf64, uint32_t *type, uint64_t *paddr,
			uint64_t *memsz)
{
	*type = la_le32(p);
	if (elf64) {
		*paddr = la_le64(p + 24);
		*memsz = la_le64(p + 40);
	} else {
		*paddr = la_le32(p + 12);
		*memsz = la_le32(p + 20);
	}
}

/* The physical range of the PT_LOAD segments: [first paddr, last paddr +
 * memsz), as crosvm's ELF loader reports it. */
static int la_probe_elf(const uint8_t *h, size_t len, uint16_t want1, uint16_t want2,
			struct la_kernel_info *k)
{
	bool elf64 = h[4] == 2, first = true;
	uint64_t phoff, entsz, phnum;
	uint16_t machine = la_le16(h + 18);

	if ((h[4] != 1 && h[4] != 2) || h[5] != 1 || (machine != want1 && machine != want2))
		return -LA_ERR_NOTKERNEL;
	if (elf64 && len < 0x40)
		return -LA_ERR_NOTKERNEL;
	phoff = elf64 ? la_le64(h + 32) : la_le32(h + 28);
	entsz = la_le16(h + (elf64 ? 54 : 42));
	phnum = la_le16(h + (elf64 ? 56 : 44));
	k->elf64 = elf64;
	k->elf_entry = elf64 ? la_le64(h + 24) : la_le32(h + 24);
	if (entsz < (elf64 ? 56u : 32u) || phoff > len || phnum * entsz > len - phoff)
		return -LA_ERR_KERNELTRUNC;
	for (uint64_t i = 0; i < phnum; i++) {
		uint32_t type;
		uint64_t paddr, memsz;

		la_elf_phdr(h + phoff + i * entsz, elf64, &type, &paddr, &memsz);
		if (type != LA_PT_LOAD)
			continue;
		if (paddr + memsz < paddr)
			return -LA_ERR_NOTKERNEL;
		if (first)
			k->elf_lo = paddr;
		k->elf_hi = paddr + memsz;
		first = false;
	}
	if (first || k->elf_hi <= k->elf_lo)
		return -LA_ERR_NOTKERNEL;
	k->kind = LA_KERNEL_ELF;
	return 0;
}

static int la_probe_arm64_image(const uint8_t *h, struct la_kernel_info *k)
{
	uint64_t flags = la_le64(h + 24);

	if (flags & 1)
		return -LA_ERR_KERNELBE;
	k->text_offset = la_le64(h + 8);
	k->image_size = la_le64(h + 16);
	if (k->image_size == 0)
		k->text_offset = LA_ARM64_TEXT_OFFSET_DEFAULT;
	k->kind = LA_KERNEL_ARM64_IMAGE;
	return 0;
}

/* Header bytes crosvm copies: [0x1f1, 0x202 + byte at 0x201); fields
 * beyond read as 0. */
static uint32_t la_bz_field(const uint8_t *h, size_t hdr_end, size_t off, size_t size)
{
	if (off + size > hdr_end)
		return 0;
	return size == 1 ? h[off] : size == 2 ? la_le16(h + off) : la_le32(h + off);
}

static int la_probe_bzimage(const uint8_t *h, size_t len, struct la_kernel_info *k)
{
	size_t hdr_end = 0x202 + (size_t)h[0x201];
	uint64_t sects, sys_size;

	if (hdr_end > len)
		return -LA_ERR_KERNELTRUNC;
	sects = la_bz_field(h, hdr_end, 0x1f1, 1);
	if (sects == 0)
		sects = 4;
	k->setup_size = (sects + 1) * 512;
	sys_size = (uint64_t)la_bz_field(h, hdr_end, 0x1f4, 4) * 16;
	if (k->setup_size + sys_size > k->file_size)
		return -LA_ERR_KERNELTRUNC;
	k->initrd_addr_max = la_bz_field(h, hdr_end, 0x22c, 4);
	k->xloadflags = (uint16_t)la_bz_field(h, hdr_end, 0x236, 2);
	k->cmdline_size = la_bz_field(h, hdr_end, 0x238, 4);
	k->kind = LA_KERNEL_BZIMAGE;
	return 0;
}

/* A multiboot header with load addresses wins over ELF in crosvm. */
static int la_probe_multiboot(const uint8_t *h, size_t len)
{
	size_t end = len < LA_MULTIBOOT_SEARCH ? len : LA_MULTIBOOT_SEARCH;

	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t magic = la_le32(h + off), flags = la_le32(h + off + 4);

		if (magic != LA_MULTIBOOT_MAGIC ||
		    (uint32_t)(magic + flags + la_le32(h + off + 8)) != 0)
			continue;
		if (flags & ~LA_MULTIBOOT_KNOWN_FLAGS)
			return -LA_ERR_NOTKERNEL;
		return flags & LA_MULTIBOOT_AOUT_KLUDGE ? -LA_ERR_MULTIBOOT : 0;
	}
	return 0;
}

int la_kernel_probe(enum la_arch_id arch, const uint8_t *head, size_t len,
		    uint64_t file_size, struct la_kernel_info *k)
{
	int err;

	memset(k, 0, sizeof(*k));
	k->file_size = file_size;
	if (file_size == 0 || len == 0)
		return -LA_ERR_NOTKERNEL;
	switch (arch) {
	case LA_ARCH_X86_64:
		err = la_probe_multiboot(head, len);
		if (err)
			return err;
		if (la_is_elf(head, len))
			return la_probe_elf(head, len, LA_EM_X86_64, LA_EM_386, k);
		if (la_is_bzimage(head, len))
			return la_probe_bzimage(head, len, k);
		return -LA_ERR_NOTKERNEL;
	case LA_ARCH_AARCH64:
		if (la_is_elf(head, len))
			return la_probe_elf(head, len, LA_EM_AARCH64, LA_EM_AARCH64, k);
		if (la_is_arm64_image(head, len))
			return la_probe_arm64_image(head, k);
		return -LA_ERR_NOTKERNEL;
	case LA_ARCH_RISCV64:
		/* crosvm copies the file as is; we only refuse what is
		 * recognisably another arch's kernel */
		if ((la_is_elf(head, len) && la_le16(head + 18) != LA_EM_RISCV) ||
		    la_is_arm64_image(head, len) || la_is_bzimage(head, len))
			return -LA_ERR_NOTKERNEL;
		k->kind = LA_KERNEL_RAW;
		return 0;
	}
	return -LA_ERR_NOTKERNEL;
}

int la_boot_place(const struct la_vm_config *cfg, const struct la_mem_layout *mem,
		  const struct la_kernel_info *k, bool has_initrd, uint64_t initrd_size,
		  struct la_boot_plan *out)
{
	memset(out, 0, sizeof(*out));
	return cfg->arch->boot_place(cfg, mem, k, has_initrd, initrd_size, out);
}

int la_load_image_high(const struct la_mem_layout *mem, uint64_t size, uint64_t min_addr,
		       uint64_t max_addr, uint64_t align, uint64_t *addr)
{
	uint64_t max_size;

	if (max_addr < min_addr || size == 0 || size > UINT32_MAX)
		return -LA_ERR_INITRDFIT;
	max_size = (max_addr - min_addr) & ~(align - 1);
	if (size > max_size)
		return -LA_ERR_INITRDFIT;
	for (unsigned i = mem->n; i-- > 0;) {
		const struct la_region *r = &mem->r[i];
		uint64_t last = r->start + r->size - 1, top, cand, floor;
		bool ok = true;

		if (r->purpose == LA_REGION_PROTECTED_FIRMWARE)
			continue;
		top = last < max_addr ? last : max_addr;
		if (top < size - 1)
			continue;
		cand = (top - (size - 1)) & ~(align - 1);
		floor = la_align_up(r->start, align, &ok);
		if (!ok || cand < floor || cand < min_addr)
			continue;
		*addr = cand;
		return 0;
	}
	return -LA_ERR_INITRDFIT;
}
