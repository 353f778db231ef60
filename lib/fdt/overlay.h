/* SPDX-License-Identifier: MIT */
/*
 * Device tree overlays with crosvm's semantics (crosvm-arch.md §1.8,
 * cros_fdt's apply_overlay), not libfdt's fdt_overlay_apply: phandles of
 * the overlay are offset by the base's largest, local references
 * (__local_fixups__) follow, references to base labels (__fixups__) are
 * resolved through the base's __symbols__, the overlay's symbols are
 * rewritten into the base's, a label filter keeps only the labelled nodes
 * and what they reference, and every fragment is merged into its
 * target-path: existing properties keep their place, new properties and
 * nodes are appended (so the blob reads in crosvm's order).
 *
 * The edits on the overlay use libfdt's read-write API; each merge writes
 * a fresh blob with the sequential-write API, because libfdt's read-write
 * API inserts new properties and nodes first, not last.
 */
#ifndef LA_FDT_OVERLAY_H
#define LA_FDT_OVERLAY_H

#include <stddef.h>

#define LA_OV_MAX_PATHS 128
#define LA_OV_PATH_MAX 256
#define LA_OV_SCRATCH 4

/* Caller-owned workspace: LA_OV_SCRATCH scratch buffers of size bytes
 * each (a blob in flight must fit one), and room for the filter's paths. */
struct la_fdt_overlay_ws {
	void *buf[LA_OV_SCRATCH];
	size_t size;
	/* after a failure: the label, symbol, path or fixup at fault */
	char detail[LA_OV_PATH_MAX + 64];
	/* internal */
	unsigned n_paths;
	char paths[LA_OV_MAX_PATHS][LA_OV_PATH_MAX];
	unsigned n_queue;
	char queue[LA_OV_MAX_PATHS][LA_OV_PATH_MAX];
};

/* la_fdt_overlay_apply - apply overlay ov (ov_len bytes, as `dtc -@`
 * makes them) to the blob base and write the result to out (out_size
 * bytes). filter: n_filter labels of the overlay's __symbols__ to keep
 * (n_filter 0: the whole overlay). base and out may be the same buffer.
 * returns: 0, -LA_ERR_FDTBAD, -LA_ERR_FDTTRUNC (overlay not a whole
 * DTB), -LA_ERR_OVNOSYMBOLS, -LA_ERR_OVLABEL, -LA_ERR_OVFIXUP,
 * -LA_ERR_OVBADFIXUP, -LA_ERR_OVTARGET, -LA_ERR_OVTARGET2 (a fragment's
 * target claimed by two labels of different nodes), -LA_ERR_OVPHANDLE,
 * -LA_ERR_OVSYMPATH, -LA_ERR_FDTSIZE (a blob outgrew a buffer),
 * -LA_ERR_TOOMANY (more filtered paths than LA_OV_MAX_PATHS) */
int la_fdt_overlay_apply(struct la_fdt_overlay_ws *ws, const void *base, const void *ov,
			 size_t ov_len, const char *const *filter, unsigned n_filter, void *out,
			 size_t out_size);

#endif
