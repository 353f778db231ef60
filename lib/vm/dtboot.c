/* SPDX-License-Identifier: MIT */
/*
 * build_vm of aarch64 and riscv64 (§4.5, §5.3): payload, initrd and tree
 * at the plan's addresses, and --explain's account of them.
 */
#include <libfdt.h>
#include <string.h>

#include "dev/dev.h"
#include "err.h"
#include "jsonw.h"
#include "vm/dtboot.h"
#include "vm/vm.h"

/* An ELF kernel by its PT_LOAD segments, moved as the plan moved it
 * (crosvm loads aarch64 ELF kernels at their physical addresses above the
 * start of RAM): file bytes copied, the rest of each segment zeroed. */
static int la_dt_load_elf(const struct la_gmem *g, const uint8_t *img, size_t len,
			  struct la_vm_boot *b)
{
	const struct la_kernel_info *k = &b->kernel;
	uint64_t off = b->plan.payload_start - k->elf_lo;

	for (unsigned i = 0; i < k->elf_phnum; i++) {
		struct la_elf_phdr p;
		uint8_t *dst;

		la_kernel_elf_phdr(img, k, i, &p);
		if (p.type != LA_ELF_PT_LOAD || p.memsz == 0)
			continue;
		if (p.filesz > p.memsz || p.offset > len || p.filesz > len - p.offset ||
		    p.paddr + off < p.paddr)
			return -LA_ERR_ELFLOAD;
		dst = la_gmem_ptr(g, p.paddr + off, p.memsz);
		if (!dst)
			return -LA_ERR_ELFLOAD;
		memcpy(dst, img + p.offset, p.filesz);
		memset(dst + p.filesz, 0, p.memsz - p.filesz);
	}
	b->load_start = b->plan.payload_start;
	b->load_end = k->elf_hi + off;
	b->entry = k->elf_entry + off;
	return 0;
}

/* The payload: a BIOS, an arm64 Image or a raw image copied whole at the
 * plan's payload_start (which is the entry), an ELF by its segments. */
static int la_dt_load_payload(const struct la_vm_config *cfg, const struct la_vm_image *img,
			      const struct la_gmem *g, struct la_vm_boot *b)
{
	int err;

	if (!img->is_bios) {
		err = la_kernel_probe(cfg->arch->id, img->image, img->image_len, img->image_len,
				      &b->kernel);
		if (err)
			return err;
		if (b->kernel.kind == LA_KERNEL_ELF)
			return la_dt_load_elf(g, img->image, img->image_len, b);
	}
	if (!b->plan.has_payload || b->plan.payload_size != img->image_len)
		return -LA_ERR_CHANGED; /* not the file the plan placed */
	b->load_start = b->plan.payload_start;
	b->load_end = b->plan.payload_start + img->image_len;
	b->entry = b->plan.payload_start;
	if (la_gmem_write(g, b->plan.payload_start, img->image, img->image_len))
		return -LA_ERR_KERNELFIT;
	return 0;
}

/* The tree at its address, and its bootargs for --explain. */
static int la_dt_load_fdt(const struct la_vm_config *cfg, const struct la_vm_image *img,
			  const struct la_gmem *g, struct la_vm_boot *b)
{
	const uint8_t *fdt;
	const char *args;
	int node, len;

	if (img->dtb_len > cfg->arch->fdt_max_size)
		return -LA_ERR_DTBSIZE;
	if (la_gmem_write(g, b->plan.fdt_address, img->dtb, img->dtb_len))
		return -LA_ERR_GPA;
	b->fdt_addr = b->plan.fdt_address;
	b->fdt_size = img->dtb_len;
	fdt = la_gmem_ptr(g, b->fdt_addr, b->fdt_size);
	node = fdt_path_offset(fdt, "/chosen");
	args = node >= 0 ? fdt_getprop(fdt, node, "bootargs", &len) : NULL;
	if (args && len > 0 && memchr(args, 0, (size_t)len)) {
		b->cmdline = args;
		b->cmdline_len = strlen(args);
	} else {
		b->cmdline = "";
	}
	return 0;
}

int la_dt_build_vm(const struct la_vm_config *cfg, const struct la_arch_layout *layout,
		   const struct la_mem_layout *mem, const struct la_vm_image *img,
		   const struct la_gmem *g, struct la_vm_boot *b)
{
	int err;

	memset(b, 0, sizeof(*b));
	if (!img->plan || !img->dtb)
		return -LA_ERR_INTERNAL;
	b->arch = cfg->arch->id;
	b->ncpus = cfg->cpus;
	b->plan = *img->plan;
	b->layout = *layout;
	b->mem = mem;
	if (img->facts)
		b->facts = *img->facts;
	err = la_dt_load_payload(cfg, img, g, b);
	if (!err && b->plan.has_initrd) {
		if (img->initrd_fd < 0 || img->initrd_size != b->plan.initrd_size)
			return -LA_ERR_CHANGED;
		err = la_gmem_read_fd(g, img->initrd_fd, b->plan.initrd_start,
				      b->plan.initrd_size);
	}
	if (!err)
		err = la_dt_load_fdt(cfg, img, g, b);
	return err;
}

const struct la_kernel_info *la_dt_boot_kernel(const struct la_vm_boot *b)
{
	return &b->kernel;
}

void la_dt_boot_cmdline(const struct la_vm_boot *b, size_t *len, size_t *max)
{
	*len = b->cmdline_len;
	*max = (size_t)b->plan.cmdline_max;
}

/* The PCI configuration window, the one row besides the grants (the
 * allocator does not hand it out: the layout fixes it). */
unsigned la_dt_explain_rows(const struct la_vm_boot *b, bool other, struct la_explain_row *out,
			    unsigned max)
{
	if (other || !b->layout.has_cam || max == 0)
		return 0;
	out[0] = (struct la_explain_row){ "pci-cam", LA_RES_RESERVE, b->layout.pci_cam,
					  "PCI config space (CAM, in the tree's /pci reg)" };
	return 1;
}

static const char *la_dt_kind(const struct la_vm_boot *b)
{
	return b->plan.bios ? "BIOS" : la_kernel_kind_name(b->kernel.kind);
}

void la_dt_explain_boot(const struct la_vm_boot *b, const char *image_path,
			const char *initrd_path, FILE *f, struct la_json *j)
{
	if (j) {
		la_json_obj_begin(j, "image");
		la_json_str(j, "kind", la_dt_kind(b));
		la_json_str(j, "path", image_path);
		la_json_range_fields(j, b->load_start, b->load_end - 1);
		la_json_u64(j, "entry", b->entry);
		if (b->kernel.version[0])
			la_json_str(j, "linux_release", b->kernel.version);
		la_json_obj_end(j);
		if (b->plan.has_initrd) {
			la_json_obj_begin(j, "initrd");
			la_json_str(j, "path", initrd_path);
			la_json_range_fields(j, b->plan.initrd_start,
					     b->plan.initrd_start + b->plan.initrd_size - 1);
			la_json_obj_end(j);
		} else {
			la_json_null(j, "initrd");
		}
		la_json_obj_begin(j, "cmdline");
		la_json_str(j, "where", "/chosen/bootargs");
		la_json_u64(j, "length", b->cmdline_len);
		la_json_str(j, "text", b->cmdline);
		la_json_obj_end(j);
		la_json_obj_begin(j, "fdt");
		la_json_range_fields(j, b->fdt_addr, b->fdt_addr + b->fdt_size - 1);
		la_json_str(j, "position", la_fdt_position_name(b->plan.fdt_position));
		la_json_obj_end(j);
		return;
	}
	fprintf(f, "\nimage: %s '%s', loaded at 0x%llx-0x%llx, entry 0x%llx\n", la_dt_kind(b),
		image_path, (unsigned long long)b->load_start,
		(unsigned long long)b->load_end - 1, (unsigned long long)b->entry);
	if (b->plan.has_initrd)
		fprintf(f, "initrd: '%s' at 0x%llx-0x%llx (%llu bytes)\n", initrd_path,
			(unsigned long long)b->plan.initrd_start,
			(unsigned long long)(b->plan.initrd_start + b->plan.initrd_size - 1),
			(unsigned long long)b->plan.initrd_size);
	fprintf(f, "cmdline (/chosen/bootargs, %zu characters): %s\n", b->cmdline_len,
		b->cmdline);
	fprintf(f, "fdt: at 0x%llx-0x%llx (%zu bytes, --fdt-position %s); the boot vCPU gets "
		"its address in %s\n", (unsigned long long)b->fdt_addr,
		(unsigned long long)(b->fdt_addr + b->fdt_size - 1), b->fdt_size,
		la_fdt_position_name(b->plan.fdt_position), b->arch == LA_ARCH_RISCV64 ? "a1" : "x0");
}
