/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "host_phys.h"
#include "dev/resources.h"

int la_vm_resources(const struct la_vm_config *cfg, const struct la_arch_layout *l,
		    const struct la_mem_layout *m, const struct la_platform_opts *o,
		    struct la_vm_res *out)
{
	const struct la_dev_inst *pm;
	int err;

	memset(out, 0, sizeof(*out));
	out->phys_bits = la_vm_phys_bits(cfg, &out->phys_bits_source);
	err = cfg->arch->system_allocator_config(cfg, l, m, out->phys_bits, &out->config);
	if (err)
		return err;
	err = la_sys_alloc_init(&out->sa, &out->config, o->pstore != 0, o->pstore, NULL, 0);
	if (err)
		return err;
	err = la_platform_init(&out->plat, cfg->arch, &out->sa);
	if (err) {
		la_sys_alloc_destroy(&out->sa);
		return err;
	}
	out->ready = true;
	err = la_platform_add_arch(&out->plat, o, &out->failed, &out->conflict);
	if (!err && o->pstore) {
		struct la_grant g[LA_DEV_MAX_NEEDS];
		unsigned n;

		err = la_platform_add(&out->plat, &la_dev_pstore, la_dev_pstore.name, g, &n,
				      &out->conflict);
		if (err)
			out->failed = la_dev_pstore.name;
	}
	for (unsigned i = 0; !err && i < out->plat.ninst; i++) {
		const struct la_dev_inst *d = &out->plat.inst[i];

		if (out->n + d->n > LA_VM_RES_MAX)
			return -LA_ERR_TOOMANY;
		memcpy(out->g + out->n, d->g, d->n * sizeof(d->g[0]));
		out->n += d->n;
	}
	pm = la_platform_find(&out->plat, "acpi-pm");
	if (!err && pm)
		out->pm_iobase = (uint16_t)la_dev_inst_grant(pm, LA_RES_IO, 0)->range.start;
	return err;
}

void la_vm_res_destroy(struct la_vm_res *r)
{
	if (!r->ready)
		return;
	la_platform_destroy(&r->plat);
	la_sys_alloc_destroy(&r->sa);
	r->ready = false;
}

/* The first grant of kind given to device name. */
static const struct la_grant *la_vm_res_find(const struct la_vm_res *r, const char *name,
					     enum la_res_kind kind)
{
	const struct la_dev_inst *d = la_platform_find(&r->plat, name);

	return d ? la_dev_inst_grant(d, kind, 0) : NULL;
}

int la_vm_res_io(const struct la_vm_res *r, const char *name)
{
	const struct la_grant *g = la_vm_res_find(r, name, LA_RES_IO);

	return g ? (int)g->range.start : -1;
}

int la_vm_res_irq(const struct la_vm_res *r, const char *name)
{
	const struct la_grant *g = la_vm_res_find(r, name, LA_RES_IRQ);

	return g ? (int)g->value : -1;
}

int la_vm_res_add(struct la_vm_res *r, const struct la_dev_desc *t, char *name)
{
	unsigned same = 0;

	for (unsigned i = 0; i < r->plat.ninst; i++)
		same += r->plat.inst[i].desc == t;
	snprintf(name, LA_DEV_NAME_MAX + 1, "%s%u", t->name, same);
	return la_vm_res_add_named(r, t, name);
}

int la_vm_res_add_named(struct la_vm_res *r, const struct la_dev_desc *t, const char *name)
{
	struct la_grant g[LA_DEV_MAX_NEEDS];
	unsigned n = 0;
	int err;

	if (r->n + t->arch[r->plat.arch->id].n > LA_VM_RES_MAX)
		return -LA_ERR_TOOMANY;
	err = la_platform_add(&r->plat, t, name, g, &n, &r->conflict);
	if (err) {
		r->failed = t->name;
		return err;
	}
	memcpy(r->g + r->n, g, n * sizeof(g[0]));
	r->n += n;
	return 0;
}
