/* SPDX-License-Identifier: MIT */
/* la-alloc output: for people, and --json. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "jsonw.h"
#include "size.h"

/* A named free list: the pool name (JSON key) and the allocator. */
struct la_free_pool {
	char name[16];
	const struct la_addr_alloc *a;
	bool pci;           /* values are dev << 3 | func */
	bool numbers;       /* IRQs, GPEs: decimal */
	unsigned bus;       /* pci */
};

static unsigned la_free_pools(const struct la_alloc_args *a, struct la_free_pool *out)
{
	unsigned n = 0;

	if (a->pool_mode) {
		out[n++] = (struct la_free_pool){ "pool", &a->pool, false, false, 0 };
		return n;
	}
	if (a->sa.has_io)
		out[n++] = (struct la_free_pool){ "io", &a->sa.io, false, false, 0 };
	out[n++] = (struct la_free_pool){ "low_mmio", &a->sa.mmio[LA_MMIO_LOW], false, false, 0 };
	out[n++] = (struct la_free_pool){ "high_mmio", &a->sa.mmio[LA_MMIO_HIGH], false, false, 0 };
	if (a->sa.has_platform)
		out[n++] = (struct la_free_pool){ "platform_mmio", &a->sa.platform, false, false, 0 };
	out[n++] = (struct la_free_pool){ "irq", &a->sa.irq, false, true, 0 };
	out[n++] = (struct la_free_pool){ "gpe", &a->sa.gpe, false, true, 0 };
	for (unsigned b = 0; b < LA_SYS_PCI_BUSES; b++) {
		if (!a->sa.pci[b])
			continue;
		out[n] = (struct la_free_pool){ "", a->sa.pci[b], true, false, b };
		snprintf(out[n].name, sizeof(out[n].name), "pci_bus%u", b);
		n++;
	}
	return n;
}

#define LA_MAX_FREE_POOLS (6 + LA_SYS_PCI_BUSES)

static void la_tag(const struct la_grant *g, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", g->tag, g->fixed && g->kind != LA_RES_RESERVE ? " (fixed)" : "",
		 g->shared ? " (shared)" : "");
}

static void la_print_range_line(const char *label, struct la_range r, const char *note)
{
	char sz[32];

	printf("  %-16s 0x%016llx-0x%016llx %12s%s%s\n", label, (unsigned long long)r.start,
	       (unsigned long long)r.end, la_format_size(la_range_len(r), sz, sizeof(sz)),
	       note ? "  " : "", note ? note : "");
}

static void la_print_opt_range(const char *label, bool has, struct la_range r)
{
	if (has && !la_range_is_empty(r))
		la_print_range_line(label, r, NULL);
	else
		printf("  %-16s none\n", label);
}

static void la_print_config_text(const struct la_alloc_args *a)
{
	const struct la_sys_alloc_config *c = &a->config;
	const struct la_vm_config *v = &a->vm.cfg;
	char sz[32];

	printf("arch %s, memory %s, %u physical address bits (%s)\n\n", v->arch->name,
	       la_format_size(v->mem_size, sz, sizeof(sz)), a->phys_bits, a->phys_bits_source);
	printf("configuration:\n");
	la_print_opt_range("io", c->has_io, c->io);
	la_print_opt_range("low mmio", true, c->low_mmio);
	la_print_opt_range("high mmio", true, c->high_mmio);
	la_print_opt_range("platform mmio", c->has_platform_mmio, c->platform_mmio);
	la_print_opt_range("reserved", a->sa.has_reserved, a->sa.reserved);
	if (c->has_vcfg)
		la_print_range_line("pcie vcfg", c->vcfg, "PCIe virtual config window");
	printf("  %-16s %u\n", "first irq", c->first_irq);
	printf("  %-16s %u\n", "pci max irqs", v->arch->pci_max_irqs);
}

static void la_print_pool_config_text(const struct la_alloc_args *a)
{
	printf("pool mode: min align 0x%llx, preferred align 0x%llx\n\npools:\n",
	       (unsigned long long)a->pool.min_align, (unsigned long long)a->pool.preferred_align);
	for (unsigned i = 0; i < a->pool.npools; i++)
		la_print_range_line("pool", a->pool.pools[i], NULL);
	if (a->pool.npools == 0)
		printf("  (none)\n");
}

static void la_print_grants_text(const struct la_alloc_args *a)
{
	char tag[2 * LA_ALLOC_NAME_MAX], sz[32];

	printf("\ngrants:\n");
	if (a->ngrants == 0)
		printf("  (none)\n");
	for (unsigned i = 0; i < a->ngrants; i++) {
		const struct la_grant *g = &a->grants[i];

		la_tag(g, tag, sizeof(tag));
		printf("  %-20s %-8s ", g->name, la_res_kind_name(g->kind));
		if (g->kind == LA_RES_IRQ || g->kind == LA_RES_GPE)
			printf("%-48u %s\n", g->value, tag);
		else if (g->kind == LA_RES_PCI)
			printf("%02x:%02x.%-42x %s\n", g->bus, g->dev, g->func, tag);
		else
			printf("0x%016llx-0x%016llx %12s %s\n", (unsigned long long)g->range.start,
			       (unsigned long long)g->range.end,
			       la_format_size(la_range_len(g->range), sz, sizeof(sz)), tag);
	}
}

static void la_print_free_text(const struct la_alloc_args *a)
{
	struct la_free_pool pools[LA_MAX_FREE_POOLS];
	unsigned n = la_free_pools(a, pools);

	printf("\nfree:\n");
	for (unsigned p = 0; p < n; p++) {
		const struct la_addr_alloc *al = pools[p].a;

		if (al->nfree == 0)
			printf("  %-16s none\n", pools[p].name);
		for (unsigned i = 0; i < al->nfree; i++) {
			struct la_range r = al->free[i];

			if (pools[p].pci)
				printf("  %-16s %02x:%02llx.%llx-%02x:%02llx.%llx\n", pools[p].name,
				       pools[p].bus, (unsigned long long)(r.start >> 3),
				       (unsigned long long)(r.start & 7), pools[p].bus,
				       (unsigned long long)(r.end >> 3), (unsigned long long)(r.end & 7));
			else if (pools[p].numbers)
				printf("  %-16s %llu-%llu\n", pools[p].name, (unsigned long long)r.start,
				       (unsigned long long)r.end);
			else
				la_print_range_line(pools[p].name, r, NULL);
		}
	}
}

void la_alloc_print_text(const struct la_alloc_args *a)
{
	if (a->pool_mode)
		la_print_pool_config_text(a);
	else
		la_print_config_text(a);
	la_print_grants_text(a);
	if (a->nfailures && a->keep_going) {
		printf("\nfailed:\n");
		for (unsigned i = 0; i < a->nfailures; i++)
			printf("  %s '%s': %s\n", a->failures[i].req->opt, a->failures[i].req->arg,
			       a->failures[i].reason);
	}
	la_print_free_text(a);
}

static void la_json_opt_range(struct la_json *j, const char *key, bool has, struct la_range r)
{
	if (has && !la_range_is_empty(r))
		la_json_range(j, key, r.start, r.end);
	else
		la_json_null(j, key);
}

static void la_print_config_json(struct la_json *j, const struct la_alloc_args *a)
{
	const struct la_sys_alloc_config *c = &a->config;

	la_json_str(j, "mode", "arch");
	la_json_str(j, "arch", a->vm.cfg.arch->name);
	la_json_u64(j, "memory_size", a->vm.cfg.mem_size);
	la_json_obj_begin(j, "config");
	la_json_opt_range(j, "io", c->has_io, c->io);
	la_json_opt_range(j, "low_mmio", true, c->low_mmio);
	la_json_opt_range(j, "high_mmio", true, c->high_mmio);
	la_json_opt_range(j, "platform_mmio", c->has_platform_mmio, c->platform_mmio);
	la_json_opt_range(j, "reserved", a->sa.has_reserved, a->sa.reserved);
	la_json_u64(j, "first_irq", c->first_irq);
	la_json_u64(j, "phys_bits", a->phys_bits);
	la_json_str(j, "phys_bits_source", a->phys_bits_source);
	la_json_opt_range(j, "pcie_vcfg", c->has_vcfg, c->vcfg);
	la_json_u64(j, "pci_max_irqs", a->vm.cfg.arch->pci_max_irqs);
	la_json_obj_end(j);
}

static void la_print_pool_config_json(struct la_json *j, const struct la_alloc_args *a)
{
	la_json_str(j, "mode", "pool");
	la_json_obj_begin(j, "config");
	la_json_arr_begin(j, "pools");
	for (unsigned i = 0; i < a->pool.npools; i++)
		la_json_range(j, NULL, a->pool.pools[i].start, a->pool.pools[i].end);
	la_json_arr_end(j);
	la_json_u64(j, "min_align", a->pool.min_align);
	la_json_u64(j, "preferred_align", a->pool.preferred_align);
	la_json_obj_end(j);
}

static void la_print_grant_json(struct la_json *j, const struct la_grant *g)
{
	char tag[2 * LA_ALLOC_NAME_MAX];

	la_tag(g, tag, sizeof(tag));
	la_json_grant(j, g, tag);
}

static void la_print_free_json(struct la_json *j, const struct la_alloc_args *a)
{
	struct la_free_pool pools[LA_MAX_FREE_POOLS];
	unsigned n = la_free_pools(a, pools);

	la_json_obj_begin(j, "free");
	for (unsigned p = 0; p < n; p++) {
		la_json_arr_begin(j, pools[p].name);
		for (unsigned i = 0; i < pools[p].a->nfree; i++)
			la_json_range(j, NULL, pools[p].a->free[i].start, pools[p].a->free[i].end);
		la_json_arr_end(j);
	}
	la_json_obj_end(j);
}

void la_alloc_print_json(const struct la_alloc_args *a)
{
	struct la_json j;

	la_json_init(&j, stdout);
	la_json_obj_begin(&j, NULL);
	la_json_str(&j, "schema", "la-alloc/" LA_JSON_SCHEMA_VERSION);
	if (a->pool_mode)
		la_print_pool_config_json(&j, a);
	else
		la_print_config_json(&j, a);
	la_json_arr_begin(&j, "grants");
	for (unsigned i = 0; i < a->ngrants; i++)
		la_print_grant_json(&j, &a->grants[i]);
	la_json_arr_end(&j);
	la_json_arr_begin(&j, "failures");
	for (unsigned i = 0; i < a->nfailures; i++) {
		la_json_obj_begin(&j, NULL);
		la_json_str(&j, "option", a->failures[i].req->opt);
		la_json_str(&j, "request", a->failures[i].req->arg);
		la_json_str(&j, "error", la_strerror_name(a->failures[i].err));
		la_json_str(&j, "reason", a->failures[i].reason);
		la_json_obj_end(&j);
	}
	la_json_arr_end(&j);
	la_print_free_json(&j, a);
	la_json_obj_end(&j);
}
