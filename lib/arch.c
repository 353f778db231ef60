/* SPDX-License-Identifier: MIT */
/* The one place that binds arch names to ops tables, and what the arch
 * backends share. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "arch.h"
#include "err.h"
#include "hostcpu.h"
#include "size.h"

static const struct {
	const char *name;
	const struct la_arch_ops *ops;
} la_arch_names[] = {
	{ "x86_64", &la_arch_x86_64 },
	{ "amd64", &la_arch_x86_64 },
	{ "aarch64", &la_arch_aarch64 },
	{ "arm64", &la_arch_aarch64 },
	{ "riscv64", &la_arch_riscv64 },
	{ "riscv", &la_arch_riscv64 },
};

const struct la_arch_ops *la_arch_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(la_arch_names) / sizeof(la_arch_names[0]); i++)
		if (name && !strcmp(name, la_arch_names[i].name))
			return la_arch_names[i].ops;
	return NULL;
}

const struct la_arch_ops *la_arch_host(const char **machine)
{
	static struct utsname u;

	if (uname(&u) != 0)
		strcpy(u.machine, "unknown");
	if (machine)
		*machine = u.machine;
	return la_arch_lookup(u.machine);
}

int la_arch_host_cpu_none(const struct la_hostcpu_opts *opts, struct la_hostcpu *out)
{
	(void)opts;
	la_hostcpu_empty(out);
	return 0;
}

void la_vm_config_init(struct la_vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch = la_arch_host(NULL);
	cfg->mem_size = 256 * LA_MiB;
	cfg->cpus = 1;
	cfg->protection = LA_PROT_UNPROTECTED;
	cfg->fdt_position = LA_FDT_POS_DEFAULT;
}

static const char *const la_protection_names[] = {
	[LA_PROT_UNPROTECTED] = "unprotected",
	[LA_PROT_PROTECTED] = "protected",
	[LA_PROT_PROTECTED_WITH_CUSTOM_FIRMWARE] = "protected-with-custom-firmware",
	[LA_PROT_UNPROTECTED_WITH_FIRMWARE] = "unprotected-with-firmware",
};

bool la_protection_runs_firmware(enum la_protection p)
{
	return p != LA_PROT_UNPROTECTED;
}

bool la_protection_needs_firmware_loaded(enum la_protection p)
{
	return p == LA_PROT_PROTECTED_WITH_CUSTOM_FIRMWARE ||
	       p == LA_PROT_UNPROTECTED_WITH_FIRMWARE;
}

const char *la_protection_name(enum la_protection p)
{
	return la_protection_names[p];
}

int la_protection_parse(const char *s, enum la_protection *out)
{
	for (unsigned i = 0; i < sizeof(la_protection_names) / sizeof(la_protection_names[0]); i++) {
		if (!strcmp(s, la_protection_names[i])) {
			*out = (enum la_protection)i;
			return 0;
		}
	}
	return -LA_ERR_BADVALUE;
}

static const char *const la_fdt_position_names[] = {
	[LA_FDT_POS_DEFAULT] = "default",
	[LA_FDT_POS_START] = "start",
	[LA_FDT_POS_END] = "end",
	[LA_FDT_POS_AFTER_PAYLOAD] = "after-payload",
};

const char *la_fdt_position_name(enum la_fdt_position p)
{
	return la_fdt_position_names[p];
}

int la_fdt_position_parse(const char *s, enum la_fdt_position *out)
{
	for (unsigned i = LA_FDT_POS_START; i <= LA_FDT_POS_AFTER_PAYLOAD; i++) {
		if (!strcmp(s, la_fdt_position_names[i])) {
			*out = (enum la_fdt_position)i;
			return 0;
		}
	}
	return -LA_ERR_BADVALUE;
}

uint64_t la_vm_swiotlb(const struct la_vm_config *cfg)
{
	if (cfg->swiotlb_set)
		return cfg->swiotlb;
	return cfg->protection == LA_PROT_UNPROTECTED ? 0 : 64 * LA_MiB;
}

const char *la_region_purpose_name(enum la_region_purpose p)
{
	static const char *const names[] = {
		[LA_REGION_BIOS] = "bios",
		[LA_REGION_GUEST_MEMORY] = "guest-memory",
		[LA_REGION_PROTECTED_FIRMWARE] = "protected-firmware",
		[LA_REGION_RESERVED] = "reserved",
		[LA_REGION_STATIC_SWIOTLB] = "static-swiotlb",
		[LA_REGION_PSTORE] = "pstore",
	};
	return names[p];
}

int la_mem_layout_add(struct la_mem_layout *m, uint64_t start, uint64_t size,
		      uint64_t align, enum la_region_purpose purpose)
{
	if (m->n >= LA_MAX_REGIONS)
		return -LA_ERR_TOOMANY;
	m->r[m->n++] = (struct la_region){
		.start = start, .size = size, .align = align, .purpose = purpose,
	};
	return 0;
}

static int la_region_cmp(const void *pa, const void *pb)
{
	const struct la_region *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return (int)a->purpose - (int)b->purpose;
}

int la_mem_layout_sort(struct la_mem_layout *m)
{
	qsort(m->r, m->n, sizeof(m->r[0]), la_region_cmp);
	for (unsigned i = 1; i < m->n; i++)
		if (m->r[i].start - m->r[i - 1].start < m->r[i - 1].size)
			return -LA_ERR_OVERLAP;
	return 0;
}

uint64_t la_mem_layout_end(const struct la_mem_layout *m)
{
	const struct la_region *top = NULL;

	for (unsigned i = 0; i < m->n; i++)
		if (!top || m->r[i].start > top->start)
			top = &m->r[i];
	return top ? top->start + top->size : 0;
}

int la_layout_compute(const struct la_vm_config *cfg,
		      struct la_arch_layout *layout, struct la_mem_layout *mem)
{
	const struct la_arch_ops *arch = cfg->arch;
	int err;

	memset(layout, 0, sizeof(*layout));
	memset(mem, 0, sizeof(*mem));
	if (cfg->cpus < 1 || cfg->cpus > arch->max_cpus)
		return -LA_ERR_CPUS;
	if (cfg->mem_size == 0)
		return -LA_ERR_MEMTOOSMALL;
	if (cfg->mem_size % (4 * LA_KiB))
		return -LA_ERR_MEMALIGN;
	if (cfg->mem_size > arch->max_phys_addr)
		return -LA_ERR_MEMTOOLARGE;
	err = arch->arch_memory_layout(cfg, layout);
	if (err)
		return err;
	err = arch->guest_memory_layout(cfg, layout, mem);
	if (err)
		return err;
	if (la_mem_layout_end(mem) > arch->max_phys_addr)
		return -LA_ERR_MEMTOOLARGE;
	return 0;
}

void la_boot_info_add(struct la_boot_info *b, const char *name, uint64_t value,
		      bool is_size, const char *what)
{
	if (b->n >= LA_MAX_BOOT_ITEMS)
		return;
	b->item[b->n++] = (struct la_boot_item){
		.name = name, .value = value, .what = what, .is_size = is_size,
	};
}

void la_boot_info_add_text(struct la_boot_info *b, const char *name,
			   const char *text, const char *what)
{
	if (b->n >= LA_MAX_BOOT_ITEMS)
		return;
	b->item[b->n++] = (struct la_boot_item){
		.name = name, .text = text, .what = what,
	};
}
