/* SPDX-License-Identifier: MIT */
/* Kernel header probing and the placement dispatch; see boot.h. */
#include <string.h>

#include "boot.h"
#include "bytes.h"
#include "err.h"
#include "range.h"

#define LA_ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define LA_ARM64_TEXT_OFFSET_DEFAULT 0x80000ULL
#define LA_MULTIBOOT_MAGIC 0x1badb002u
#define LA_MULTIBOOT_SEARCH 8192
#define LA_MULTIBOOT_KNOWN_FLAGS 0x00010007u
#define LA_MULTIBOOT_AOUT_KLUDGE (1u << 16)
#define LA_EM_386 3
#define LA_EM_X86_64 62
#define LA_EM_AARCH64 183
#define LA_EM_RISCV 243
#define LA_BZ_HDR_END_MAX 0x2d0         /* boot_params e820_table */

const char *la_kernel_kind_name(enum la_kernel_kind k)
{
	switch (k) {
	case LA_KERNEL_ARM64_IMAGE: return "arm64 Image";
	case LA_KERNEL_ELF: return "ELF";
	case LA_KERNEL_BZIMAGE: return "bzImage";
	case LA_KERNEL_RAW: return "raw image";
	case LA_KERNEL_MULTIBOOT: return "Multiboot";
	default: return "none";
	}
}

static bool la_is_elf(const uint8_t *h, size_t len)
{
	return len >= 0x34 && !memcmp(h, "\x7f" "ELF", 4);
}

static bool la_is_arm64_image(const uint8_t *h, size_t len)
{
	return len >= 64 && la_get32(h + 56) == LA_ARM64_IMAGE_MAGIC;
}

static bool la_is_bzimage(const uint8_t *h, size_t len)
{
	return len >= 0x206 && la_get32(h + 0x202) == LA_BZ_HDRS_MAGIC;
}

void la_kernel_elf_phdr(const uint8_t *head, const struct la_kernel_info *k, unsigned i,
			struct la_elf_phdr *p)
{
	const uint8_t *h = head + k->elf_phoff + (uint64_t)i * k->elf_phentsize;

	p->type = la_get32(h);
	if (k->elf64) {
		p->offset = la_get64(h + 8);
		p->paddr = la_get64(h + 24);
		p->filesz = la_get64(h + 32);
		p->memsz = la_get64(h + 40);
	} else {
		p->offset = la_get32(h + 4);
		p->paddr = la_get32(h + 12);
		p->filesz = la_get32(h + 16);
		p->memsz = la_get32(h + 20);
	}
}

/* The physical range of the PT_LOAD segments: [first paddr, last paddr +
 * memsz), as crosvm's ELF loader reports it. want64/want32: the machine a
 * 64-bit/32-bit file must be for. */
static int la_probe_elf(const uint8_t *h, size_t len, uint16_t want64, uint16_t want32,
			struct la_kernel_info *k)
{
	bool elf64 = h[4] == 2, first = true;
	uint16_t machine = la_get16(h + 18);

	if ((h[4] != 1 && h[4] != 2) || h[5] != 1 || machine != (elf64 ? want64 : want32))
		return -LA_ERR_NOTKERNEL;
	if (elf64 && len < 0x40)
		return -LA_ERR_NOTKERNEL;
	k->elf64 = elf64;
	k->elf_phoff = elf64 ? la_get64(h + 32) : la_get32(h + 28);
	k->elf_phentsize = la_get16(h + (elf64 ? 54 : 42));
	k->elf_phnum = la_get16(h + (elf64 ? 56 : 44));
	k->elf_entry = elf64 ? la_get64(h + 24) : la_get32(h + 24);
	if (k->elf_phentsize < (elf64 ? 56u : 32u))
		return -LA_ERR_NOTKERNEL;
	if (k->elf_phoff > len || (uint64_t)k->elf_phnum * k->elf_phentsize > len - k->elf_phoff)
		return -LA_ERR_KERNELTRUNC;
	for (unsigned i = 0; i < k->elf_phnum; i++) {
		struct la_elf_phdr p;

		la_kernel_elf_phdr(h, k, i, &p);
		if (p.type != LA_ELF_PT_LOAD)
			continue;
		if (p.paddr + p.memsz < p.paddr)
			return -LA_ERR_NOTKERNEL;
		if (first)
			k->elf_lo = p.paddr;
		k->elf_hi = p.paddr + p.memsz;
		first = false;
	}
	if (first || k->elf_hi <= k->elf_lo)
		return -LA_ERR_NOTKERNEL;
	k->kind = LA_KERNEL_ELF;
	return 0;
}

static int la_probe_arm64_image(const uint8_t *h, struct la_kernel_info *k)
{
	uint64_t flags = la_get64(h + 24);

	if (flags & 1)
		return -LA_ERR_KERNELBE;
	k->text_offset = la_get64(h + 8);
	k->image_size = la_get64(h + 16);
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
	return size == 1 ? h[off] : size == 2 ? la_get16(h + off) : la_get32(h + off);
}

/* The first word of the kernel_version string (0x20e: its offset from
 * 0x200, protocol 2.00+) when it lies in the head and is printable: Linux
 * has one, other bzImages (our probe guest) leave the field 0. */
static void la_bz_version(const uint8_t *h, size_t len, size_t hdr_end, struct la_kernel_info *k)
{
	size_t off = la_bz_field(h, hdr_end, 0x20e, 2), n = 0;

	k->version[0] = '\0';
	if (off == 0 || la_bz_field(h, hdr_end, 0x206, 2) < 0x200)
		return;
	off += 0x200;
	if (off >= len)
		return;
	for (; off + n < len && n + 1 < sizeof(k->version); n++) {
		uint8_t c = h[off + n];

		if (c == 0 || c == ' ')
			break;
		if (c < 0x21 || c > 0x7e) {
			n = 0;
			break;
		}
	}
	memcpy(k->version, h + off, n);
	k->version[n] = '\0';
}

static int la_probe_bzimage(const uint8_t *h, size_t len, struct la_kernel_info *k)
{
	size_t hdr_end = 0x202 + (size_t)h[0x201];
	uint64_t sects, sys_size;

	/* the header must hold "HdrS" and fit boot_params before its e820 table */
	if (hdr_end < 0x206 || hdr_end > LA_BZ_HDR_END_MAX)
		return -LA_ERR_NOTKERNEL;
	if (hdr_end > len)
		return -LA_ERR_KERNELTRUNC;
	k->hdr_end = hdr_end;
	sects = la_bz_field(h, hdr_end, 0x1f1, 1);
	if (sects == 0)
		sects = 4;
	k->setup_size = (sects + 1) * 512;
	sys_size = (uint64_t)la_bz_field(h, hdr_end, 0x1f4, 4) * 16;
	if (k->setup_size + sys_size > k->file_size)
		return -LA_ERR_BZSIZE;
	k->initrd_addr_max = la_bz_field(h, hdr_end, 0x22c, 4);
	k->xloadflags = (uint16_t)la_bz_field(h, hdr_end, 0x236, 2);
	k->cmdline_size = la_bz_field(h, hdr_end, 0x238, 4);
	la_bz_version(h, len, hdr_end, k);
	k->kind = LA_KERNEL_BZIMAGE;
	return 0;
}

/* The load addresses of the Multiboot header at off (flag bit 16): the
 * file bytes from header_addr - load_addr before the header go to
 * load_addr, up to load_end_addr (0: the end of the file), then bss up to
 * bss_end_addr (0: none). */
static int la_probe_multiboot_load(const uint8_t *h, size_t len, size_t off,
				   struct la_kernel_info *k)
{
	uint32_t hdr_addr, load, load_end, bss_end;
	uint64_t file_off, size;

	if (off + 32 > len)
		return -LA_ERR_KERNELTRUNC;
	hdr_addr = la_get32(h + off + 12);
	load = la_get32(h + off + 16);
	load_end = la_get32(h + off + 20);
	bss_end = la_get32(h + off + 24);
	if (hdr_addr < load || hdr_addr - load > off || (load_end && load_end < load))
		return -LA_ERR_MBLOAD;
	file_off = off - (hdr_addr - load);
	size = load_end ? (uint64_t)load_end - load : k->file_size - file_off;
	if (file_off + size > k->file_size)
		return -LA_ERR_MBLOAD;
	if (load + size > UINT32_MAX)
		return -LA_ERR_MB4G;
	if (bss_end && bss_end < load + size)
		return -LA_ERR_MBLOAD;
	k->mb_file_offset = file_off;
	k->mb_load_size = size;
	k->mb_load = load;
	k->mb_end = bss_end ? bss_end : (uint32_t)(load + size);
	k->mb_entry = la_get32(h + off + 28);
	k->kind = LA_KERNEL_MULTIBOOT;
	return 0;
}

/* A Multiboot header (magic, flags, checksum summing to 0) in the first
 * 8 KiB at a 4-byte boundary. With load addresses it wins over ELF in
 * crosvm. */
static int la_probe_multiboot(const uint8_t *h, size_t len, struct la_kernel_info *k)
{
	size_t end = len < LA_MULTIBOOT_SEARCH ? len : LA_MULTIBOOT_SEARCH;

	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t magic = la_get32(h + off), flags = la_get32(h + off + 4);

		if (magic != LA_MULTIBOOT_MAGIC ||
		    (uint32_t)(magic + flags + la_get32(h + off + 8)) != 0)
			continue;
		if (flags & ~LA_MULTIBOOT_KNOWN_FLAGS)
			return -LA_ERR_MULTIBOOT;
		k->multiboot = true;
		if (flags & LA_MULTIBOOT_AOUT_KLUDGE)
			return la_probe_multiboot_load(h, len, off, k);
		return 0;
	}
	return 0;
}

static int la_probe_x86(const uint8_t *head, size_t len, struct la_kernel_info *k)
{
	int err = la_probe_multiboot(head, len, k);

	if (err || k->kind == LA_KERNEL_MULTIBOOT)
		return err;
	if (la_is_elf(head, len))
		return la_probe_elf(head, len, LA_EM_X86_64, LA_EM_386, k);
	if (la_is_bzimage(head, len))
		return la_probe_bzimage(head, len, k);
	return -LA_ERR_NOTKERNEL;
}

int la_kernel_probe(enum la_arch_id arch, const uint8_t *head, size_t len,
		    uint64_t file_size, struct la_kernel_info *k)
{
	memset(k, 0, sizeof(*k));
	k->file_size = file_size;
	if (file_size == 0 || len == 0)
		return -LA_ERR_NOTKERNEL;
	switch (arch) {
	case LA_ARCH_X86_64:
		return la_probe_x86(head, len, k);
	case LA_ARCH_AARCH64:
		if (la_is_elf(head, len))
			return la_probe_elf(head, len, LA_EM_AARCH64, LA_EM_AARCH64, k);
		if (la_is_arm64_image(head, len))
			return la_probe_arm64_image(head, k);
		return -LA_ERR_NOTKERNEL;
	case LA_ARCH_RISCV64:
		/* crosvm copies the file as is; we only refuse what is
		 * recognisably another arch's kernel */
		if ((la_is_elf(head, len) && la_get16(head + 18) != LA_EM_RISCV) ||
		    la_is_arm64_image(head, len) || la_is_bzimage(head, len))
			return -LA_ERR_NOTKERNEL;
		k->kind = LA_KERNEL_RAW;
		/* a riscv Image header ("RSC\x05" at 0x38, or the older
		 * "RISCV" at 0x30) says how much memory the kernel takes
		 * (its bss beyond the file): the initrd goes after that */
		if (len >= 64 && (la_get32(head + 0x38) == 0x05435352 ||
				  !memcmp(head + 0x30, "RISCV\0\0\0", 8)))
			k->image_size = la_get64(head + 0x10);
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

	if (size == 0)
		return -LA_ERR_INITRDEMPTY;
	if (align == 0 || (align & (align - 1)))
		return -LA_ERR_INTERNAL;
	if (max_addr < min_addr || size > UINT32_MAX)
		return -LA_ERR_INITRDFIT;
	max_size = (max_addr - min_addr) & ~(align - 1);
	if (size > max_size)
		return -LA_ERR_INITRDFIT;
	for (unsigned i = mem->n; i-- > 0;) { /* regions are sorted: highest first */
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
