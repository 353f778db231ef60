/* SPDX-License-Identifier: MIT */
/*
 * Device-tree blobs from files: --overlay FILE[,filter=L:...] (parsed by
 * la_overlay_list_add, applied in order by la_overlay_list_apply, each
 * onto the result of the ones before, as la-mkfdt and la-vmrun do) and
 * --fdt's blob (la_fdt_check, la_fdt_memory_matches against the arch's
 * default layout). The arch's tree size limit is made 64 KiB (a copy of
 * its ops) so a run is cheap; the code paths are the programs'.
 *
 * Input: one byte (arch), then records: kind (1 byte), length (2 bytes,
 * little-endian), bytes. kind 0: the base tree (the first one that passes
 * la_fdt_check; else a small built-in tree), 1: an overlay, its option
 * argument up to a NUL then its blob, 2: a --fdt blob.
 */
#include <libfdt.h>
#include <stdlib.h>

#include "arch.h"
#include "fdt/fdt.h"
#include "fdt/overlay_opt.h"
#include "fuzz.h"

#define TREE_MAX 0x10000

static struct la_overlay_list ovl;

/* a base as the arch trees look to an overlay: labels in __symbols__, a
 * phandle, an interrupt controller */
static void base_default(void *t)
{
	int root, intc, sym;

	fdt_create_empty_tree(t, TREE_MAX);
	root = fdt_path_offset(t, "/");
	fdt_setprop_u32(t, root, "#address-cells", 2);
	fdt_setprop_u32(t, root, "#size-cells", 2);
	intc = fdt_add_subnode(t, root, "intc");
	fdt_setprop_empty(t, intc, "interrupt-controller");
	fdt_setprop_u32(t, intc, "phandle", 1);
	fdt_setprop_u32(t, intc, "#interrupt-cells", 3);
	sym = fdt_add_subnode(t, root, "__symbols__");
	fdt_setprop_string(t, sym, "intc", "/intc");
	fdt_pack(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[3] = { "x86_64", "aarch64", "riscv64" };
	struct fz f = { data, size };
	const struct la_arch_ops *real = la_arch_lookup(names[fz_u8(&f) % 3]);
	struct la_arch_ops arch = *real;
	struct la_vm_config cfg;
	struct la_arch_layout l;
	struct la_mem_layout m;
	bool have_base = false;
	char why[LA_OV_WHY_MAX], arg[512];
	unsigned failed;
	void *tree = malloc(TREE_MAX);

	arch.fdt_max_size = TREE_MAX;
	memset(&ovl, 0, sizeof(ovl));
	while (f.n) {
		uint8_t kind = fz_u8(&f) % 3;
		size_t len, alen;
		const uint8_t *p = fz_bytes(&f, fz_u16(&f), &len);
		struct fz r = { p, len };

		/* blobs are in buffers of their own, aligned, as a file read
		 * into memory is (la_fdt_check's contract) */
		if (kind == 0 && !have_base && len <= TREE_MAX) {
			memcpy(tree, p, len);
			have_base = !la_fdt_check(tree, len) &&
				    fdt_open_into(tree, tree, TREE_MAX) == 0;
		} else if (kind == 1 && ovl.n < 8) {
			fz_str(&r, arg, sizeof(arg));
			if (la_overlay_list_add(&ovl, arg, why))
				continue;
			alen = r.n;
			ovl.o[ovl.n - 1].blob = malloc(alen ? alen : 1);
			memcpy(ovl.o[ovl.n - 1].blob, r.p, alen);
			ovl.o[ovl.n - 1].len = alen;
		} else if (kind == 2) {
			uint8_t *blob = malloc(len ? len : 1);

			memcpy(blob, p, len);
			la_vm_config_init(&cfg);
			cfg.arch = real;
			if (!la_fdt_check(blob, len) && !la_layout_compute(&cfg, &l, &m))
				la_fdt_memory_matches(blob, &m);
			free(blob);
		}
	}
	if (!have_base)
		base_default(tree);
	if (!la_overlay_list_apply(&ovl, &arch, tree, &failed, why) &&
	    la_fdt_check(tree, fdt_totalsize(tree)))
		abort(); /* a tree the overlays made must be whole */
	la_overlay_list_free(&ovl);
	free(tree);
	return 0;
}
