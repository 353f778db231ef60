/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "host_phys.h"
#include "vm_res.h"

#define LA_PM_IO_LEN 72   /* PM1 event 4 + PM1 control 4 + GPE0 64 */
#define LA_PM_IO_ALIGN 4  /* the allocator's minimum (0x400) wins */
#define LA_PM_SCI 5

static int la_vm_res_dev(struct la_devset *d, const char *name, struct la_vm_res *out)
{
	const struct la_dev_type *t = la_dev_lookup(name);
	const char *conflict = NULL;
	unsigned n = 0;
	int err;

	if (!t)
		return -LA_ERR_INTERNAL;
	if (out->n + LA_DEV_MAX_NEEDS > LA_VM_RES_MAX)
		return -LA_ERR_TOOMANY;
	err = la_devset_add(d, t, name, out->g + out->n, &n, &conflict);
	out->n += n;
	return err;
}

static int la_vm_res_pm(struct la_sys_alloc *sa, struct la_vm_res *out)
{
	struct la_grant *io = &out->g[out->n], *sci = &out->g[out->n + 1];
	uint64_t at;
	int err;

	if (out->n + 2 > LA_VM_RES_MAX)
		return -LA_ERR_TOOMANY;
	memset(io, 0, 2 * sizeof(*io));
	err = la_alloc_id_named("acpi-pm.io", &io->id);
	if (!err)
		err = la_sys_alloc_io(sa, LA_PM_IO_LEN, &io->id, "acpi-pm.io", true, LA_PM_IO_ALIGN, &at);
	if (err)
		return err;
	snprintf(io->name, sizeof(io->name), "acpi-pm.io");
	snprintf(io->tag, sizeof(io->tag), "ACPI PM1a event/control, GPE0");
	io->kind = LA_RES_IO;
	io->range = (struct la_range){ at, at + LA_PM_IO_LEN - 1 };
	snprintf(sci->name, sizeof(sci->name), "acpi-pm.sci");
	snprintf(sci->tag, sizeof(sci->tag), "SCI, level");
	sci->kind = LA_RES_IRQ;
	sci->value = LA_PM_SCI;
	sci->fixed = true;
	out->pm_iobase = (uint16_t)at;
	out->n += 2;
	return 0;
}

int la_vm_resources(const struct la_vm_config *cfg, const struct la_arch_layout *l,
		    const struct la_mem_layout *m, bool acpi, struct la_vm_res *out)
{
	static const char *const legacy[] = { "i8042", "rtc", "com1", "com2", "com3", "com4",
					      "debugcon" };
	struct la_sys_alloc sa;
	struct la_devset d;
	int err;

	memset(out, 0, sizeof(*out));
	out->phys_bits = la_vm_phys_bits(cfg, &out->phys_bits_source);
	err = cfg->arch->system_allocator_config(cfg, l, m, out->phys_bits, &out->config);
	if (err)
		return err;
	err = la_sys_alloc_init(&sa, &out->config, false, 0, NULL, 0);
	if (err)
		return err;
	err = la_devset_init(&d, cfg->arch, &sa);
	for (unsigned i = 0; !err && i < sizeof(legacy) / sizeof(legacy[0]); i++)
		err = la_vm_res_dev(&d, legacy[i], out);
	if (!err && acpi)
		err = la_vm_res_pm(&sa, out);
	la_devset_destroy(&d);
	la_sys_alloc_destroy(&sa);
	return err;
}

int la_vm_res_io(const struct la_vm_res *r, const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < r->n; i++)
		if (r->g[i].kind == LA_RES_IO && !strncmp(r->g[i].name, name, n) &&
		    r->g[i].name[n] == '.')
			return (int)r->g[i].range.start;
	return -1;
}

int la_vm_res_irq(const struct la_vm_res *r, const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < r->n; i++)
		if (r->g[i].kind == LA_RES_IRQ && !strncmp(r->g[i].name, name, n) &&
		    r->g[i].name[n] == '.')
			return (int)r->g[i].value;
	return -1;
}
