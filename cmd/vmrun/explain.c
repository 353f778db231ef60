/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --explain: what build_vm put where, from the same structures the
 * run uses. The memory regions print with la-layout's printer (lib/cli.c).
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"
#include "vmrun.h"

static void la_explain_row(const char *name, const char *kind, uint64_t start, uint64_t end,
			   const char *what)
{
	char range[48];

	if (!strcmp(kind, "irq"))
		snprintf(range, sizeof(range), "%llu", (unsigned long long)start);
	else
		snprintf(range, sizeof(range), "0x%016llx-0x%016llx", (unsigned long long)start,
			 (unsigned long long)end);
	printf("  %-20s %-8s %-37s %s\n", name, kind, range, what);
}

/* The rows the arch lists before the grants (other false: windows it
 * reserves) or after them (other true: devices outside the allocator). */
static unsigned la_explain_arch_rows(const struct la_vmrun *a, bool other,
				     struct la_explain_row *rows)
{
	return a->vm.cfg.arch->explain_rows(a->boot, other, rows, LA_EXPLAIN_MAX_ROWS);
}

static void la_explain_grants(const struct la_vmrun *a)
{
	const struct la_vm_res *r = &a->res;
	struct la_explain_row rows[LA_EXPLAIN_MAX_ROWS];
	unsigned n = la_explain_arch_rows(a, false, rows);

	printf("\ngrants (system allocator, %u physical address bits from %s):\n",
	       r->phys_bits, r->phys_bits_source);
	for (unsigned i = 0; i < n; i++)
		la_explain_row(rows[i].name, la_res_kind_name(rows[i].kind), rows[i].r.start,
			       rows[i].r.end, rows[i].what);
	for (unsigned i = 0; i < r->n; i++) {
		const struct la_grant *g = &r->g[i];

		if (g->kind == LA_RES_IRQ || g->kind == LA_RES_GPE) {
			la_explain_row(g->name, la_res_kind_name(g->kind), g->value, g->value, g->tag);
		} else if (g->kind == LA_RES_PCI) {
			char at[16];

			snprintf(at, sizeof(at), "%02x:%02x.%x", g->bus, g->dev, g->func);
			printf("  %-20s %-8s %-37s %s\n", g->name, "pci", at, g->tag);
		} else
			la_explain_row(g->name, la_res_kind_name(g->kind), g->range.start,
				       g->range.end, g->tag);
	}
	printf("\nother devices:\n");
	n = la_explain_arch_rows(a, true, rows);
	for (unsigned i = 0; i < n; i++)
		la_explain_row(rows[i].name, la_res_kind_name(rows[i].kind), rows[i].r.start,
			       rows[i].r.end, rows[i].what);
}

/* The --disk whose instance is name, NULL if none. */
static const struct la_vblk_opts *la_explain_disk(const struct la_vmrun *a, const char *name)
{
	for (unsigned i = 0; i < a->ndisks; i++)
		if (!strcmp(a->disk[i].name, name))
			return &a->disk[i].o;
	return NULL;
}

/* The --net whose instance is name, NULL if none. */
static const struct la_vnet_opts *la_explain_net(const struct la_vmrun *a, const char *name)
{
	for (unsigned i = 0; i < a->nnets; i++)
		if (!strcmp(a->net[i].name, name))
			return &a->net[i].o;
	return NULL;
}

static void la_explain_mac(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* What backs a virtio device, in a few words. */
static void la_explain_backing(const struct la_vmrun *a, const struct la_dev_inst *d, char *buf,
			       size_t len)
{
	const struct la_vblk_opts *o = la_explain_disk(a, d->name);
	const struct la_vnet_opts *n = la_explain_net(a, d->name);
	char mac[18];

	if (n)
		la_explain_mac(n->mac, mac, sizeof(mac));
	if (n && n->create)
		snprintf(buf, len, "a new tap, the kernel names it tapN (mac %s, %s)", mac,
			 la_vmrun_net_backend(n));
	else if (n)
		snprintf(buf, len, "tap %s (mac %s, %s)", n->tap, mac, la_vmrun_net_backend(n));
	else if (o)
		snprintf(buf, len, "%s (%llu bytes%s%s%s%s)", o->path,
			 (unsigned long long)o->size, o->ro ? ", ro" : "", o->direct ? ", direct" : "",
			 o->serial[0] ? ", serial " : "", o->serial);
	else if (d->desc == &la_dev_virtio_rng)
		snprintf(buf, len, "getrandom");
	else if (d->desc == &la_dev_virtio_console)
		snprintf(buf, len, "standard input and output (hvc0)");
	else if (d->desc == &la_dev_virtio_vsock)
		snprintf(buf, len, "%s, guest CID %llu", a->vsock.device,
			 (unsigned long long)a->vsock.o.cid);
	else
		snprintf(buf, len, "-");
}

/* Each virtio device: its instance, slot, BAR 0, INTx and backing. */
static void la_explain_virtio(const struct la_vmrun *a)
{
	const struct la_platform *p = &a->res.plat;
	bool any = false;

	for (unsigned i = 0; i < p->ninst; i++) {
		const struct la_dev_inst *d = &p->inst[i];
		const struct la_grant *slot = la_dev_inst_grant(d, LA_RES_PCI, 0);
		const struct la_grant *bar = la_dev_inst_grant(d, LA_RES_MMIO, 0);
		const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);
		char back[320];

		if (strcmp(d->desc->kind, "virtio-pci") || !slot || !bar || !irq)
			continue;
		if (!any)
			printf("\nvirtio devices (PCI):\n");
		any = true;
		la_explain_backing(a, d, back, sizeof(back));
		printf("  %-16s %02x:%02x.%x  bar0 0x%08llx-0x%08llx  irq %-3u %s\n", d->name,
		       slot->bus, slot->dev, slot->func, (unsigned long long)bar->range.start,
		       (unsigned long long)bar->range.end, irq->value, back);
	}
}

void la_vmrun_virtio_json(struct la_json *j, const struct la_vmrun *a)
{
	const struct la_platform *p = &a->res.plat;

	for (unsigned i = 0; i < p->ninst; i++) {
		const struct la_dev_inst *d = &p->inst[i];
		const struct la_grant *slot = la_dev_inst_grant(d, LA_RES_PCI, 0);
		const struct la_grant *bar = la_dev_inst_grant(d, LA_RES_MMIO, 0);
		const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);
		const struct la_vblk_opts *o = la_explain_disk(a, d->name);
		const struct la_vnet_opts *n = la_explain_net(a, d->name);
		char at[16], mac[18];

		if (strcmp(d->desc->kind, "virtio-pci") || !slot || !bar || !irq)
			continue;
		snprintf(at, sizeof(at), "%02x:%02x.%x", slot->bus, slot->dev, slot->func);
		la_json_obj_begin(j, NULL);
		la_json_str(j, "name", d->name);
		la_json_str(j, "type", d->desc->name);
		la_json_str(j, "slot", at);
		la_json_u64(j, "bar0_start", bar->range.start);
		la_json_u64(j, "bar0_end", bar->range.end);
		la_json_u64(j, "irq", irq->value);
		if (o) {
			la_json_obj_begin(j, "backing");
			la_json_str(j, "path", o->path);
			la_json_u64(j, "size", o->size);
			la_json_bool(j, "ro", o->ro);
			la_json_bool(j, "direct", o->direct);
			la_json_str(j, "serial", o->serial);
			la_json_obj_end(j);
		} else if (n) {
			la_explain_mac(n->mac, mac, sizeof(mac));
			la_json_obj_begin(j, "backing");
			if (n->create)
				la_json_null(j, "tap");
			else
				la_json_str(j, "tap", n->tap);
			la_json_bool(j, "create", n->create);
			la_json_str(j, "mac", mac);
			la_json_str(j, "backend", la_vmrun_net_backend(n));
			la_json_obj_end(j);
		} else if (d->desc == &la_dev_virtio_vsock) {
			la_json_obj_begin(j, "backing");
			la_json_str(j, "device", a->vsock.device);
			la_json_u64(j, "guest_cid", a->vsock.o.cid);
			la_json_obj_end(j);
		} else {
			la_json_str(j, "backing", d->desc == &la_dev_virtio_rng ? "getrandom" :
				    "stdio");
		}
		la_json_obj_end(j);
	}
}

/* What the dry run booted: the kernel, or the BIOS. */
static const char *la_explain_image_path(const struct la_vmrun *a)
{
	return a->kernel_path ? a->kernel_path : a->vm.cfg.bios_path;
}

/* One node and its subtree; the blob passed fdt_check_full, but a name
 * libfdt cannot give prints as "?", never as what a NULL points to. */
static void la_explain_node(const void *fdt, int node, int depth)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	int prop, child;

	printf("  %*s%s\n", 2 * depth, "", depth ? (name ? name : "?") : "/");
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *pname = NULL;
		int len = 0;

		if (!fdt_getprop_by_offset(fdt, prop, &pname, &len))
			len = 0;
		printf("  %*s  %s (%d bytes)\n", 2 * depth, "", pname ? pname : "?", len);
	}
	fdt_for_each_subnode(child, fdt, node)
		la_explain_node(fdt, child, depth + 1);
}

void la_vmrun_explain(const struct la_vmrun *a)
{
	const struct la_arch_ops *arch = a->vm.cfg.arch;

	la_regions_print(stdout, &a->vm.mem);
	if (a->hugepages)
		printf("\nguest RAM backing: hugetlbfs, %llu pages of 2 MiB reserved at start "
		       "(--hugepages)\n", (unsigned long long)la_gmem_huge_pages(&a->vm.mem));
	else
		printf("\nguest RAM backing: anonymous memory, each region of 2 MiB or more "
		       "2 MiB-aligned (transparent huge pages where the host has them)\n");

	la_explain_grants(a);
	la_explain_virtio(a);
	arch->explain_boot(a->boot, la_explain_image_path(a), a->initrd_path, stdout, NULL);
	if (a->dtb && a->fdt_path)
		printf("\ndevice tree ('%s', %zu bytes, %s):\n", a->fdt_path, a->dtb_len,
		       arch->fdt_where);
	else if (a->dtb)
		printf("\ndevice tree (la-mkfdt's %s tree with %u overlay%s, %zu bytes, %s):\n",
		       arch->name, a->overlays.n, a->overlays.n == 1 ? "" : "s", a->dtb_len,
		       arch->fdt_where);
	if (a->dtb)
		la_explain_node(a->dtb, 0, 0);
}

/* ---- --explain --json: the same dry run as one document ---- */

/* a row that is not an allocator grant, in a grant's shape */
static void la_explain_json_fixed(struct la_json *j, const char *name, enum la_res_kind kind,
				  uint64_t start, uint64_t end, const char *tag)
{
	struct la_grant g = { .kind = kind, .range = { start, end } };

	snprintf(g.name, sizeof(g.name), "%s", name);
	la_json_grant(j, &g, tag);
}

static void la_explain_json_rows(struct la_json *j, const struct la_vmrun *a, bool other)
{
	struct la_explain_row rows[LA_EXPLAIN_MAX_ROWS];
	unsigned n = la_explain_arch_rows(a, other, rows);

	for (unsigned i = 0; i < n; i++)
		la_explain_json_fixed(j, rows[i].name, rows[i].kind, rows[i].r.start, rows[i].r.end,
				      rows[i].what);
}

static void la_explain_json_layout(struct la_json *j, const struct la_vmrun *a)
{
	const struct la_vm_res *r = &a->res;

	la_json_str(j, "arch", a->vm.cfg.arch->name);
	la_json_u64(j, "memory_size", a->vm.cfg.mem_size);
	la_json_u64(j, "cpus", a->vm.cfg.cpus);
	la_regions_json(j, &a->vm.mem);
	la_json_str(j, "ram_backing", a->hugepages ? "hugetlb" : "anonymous");
	if (a->hugepages)
		la_json_u64(j, "ram_huge_pages", la_gmem_huge_pages(&a->vm.mem));
	la_json_u64(j, "phys_bits", r->phys_bits);
	la_json_str(j, "phys_bits_source", r->phys_bits_source);
	la_json_arr_begin(j, "grants");
	la_explain_json_rows(j, a, false);
	for (unsigned i = 0; i < r->n; i++)
		la_json_grant(j, &r->g[i], r->g[i].tag);
	la_json_arr_end(j);
	la_json_arr_begin(j, "other_devices");
	la_explain_json_rows(j, a, true);
	la_json_arr_end(j);
	la_json_arr_begin(j, "virtio_devices");
	la_vmrun_virtio_json(j, a);
	la_json_arr_end(j);
}

static void la_explain_json_node(struct la_json *j, const void *fdt, int node, const char *path)
{
	char sub[512];
	int prop, child;

	la_json_obj_begin(j, NULL);
	la_json_str(j, "path", path);
	la_json_arr_begin(j, "properties");
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *pname = NULL;
		int len = 0;

		if (!fdt_getprop_by_offset(fdt, prop, &pname, &len) || !pname)
			continue;
		la_json_obj_begin(j, NULL);
		la_json_str(j, "name", pname);
		la_json_u64(j, "length", (uint64_t)len);
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
	la_json_obj_end(j);
	fdt_for_each_subnode(child, fdt, node) {
		const char *name = fdt_get_name(fdt, child, NULL);

		snprintf(sub, sizeof(sub), "%s/%s", node ? path : "", name ? name : "?");
		la_explain_json_node(j, fdt, child, sub);
	}
}

void la_vmrun_explain_json(const struct la_vmrun *a)
{
	struct la_json j;

	la_json_init(&j, stdout);
	la_json_obj_begin(&j, NULL);
	la_json_str(&j, "schema", "la-vmrun-explain/" LA_JSON_SCHEMA_VERSION);
	la_explain_json_layout(&j, a);
	a->vm.cfg.arch->explain_boot(a->boot, la_explain_image_path(a), a->initrd_path, NULL, &j);
	if (a->dtb) {
		la_json_obj_begin(&j, "device_tree");
		la_json_str(&j, "source", a->fdt_path ? "--fdt" : "--overlay");
		la_json_u64(&j, "size", a->dtb_len);
		la_json_arr_begin(&j, "nodes");
		la_explain_json_node(&j, a->dtb, 0, "/");
		la_json_arr_end(&j);
		la_json_obj_end(&j);
	} else {
		la_json_null(&j, "device_tree");
	}
	la_json_obj_end(&j);
	fputc('\n', stdout);
}
