/* SPDX-License-Identifier: MIT */
/* Device tree overlays, crosvm's way; see fdt/overlay.h. */
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt/fdt.h"
#include "fdt/overlay.h"
#include "err.h"
#include "size.h"

#define LA_OV_MAX_DEPTH 64
#define LA_OV_MAX_RSV 64

static int la_ov_fail(struct la_fdt_overlay_ws *ws, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int la_ov_fail(struct la_fdt_overlay_ws *ws, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ws->detail, sizeof(ws->detail), fmt, ap);
	va_end(ap);
	return -code;
}

static uint32_t la_be32(const void *p)
{
	fdt32_t v;

	memcpy(&v, p, 4);
	return fdt32_to_cpu(v);
}

/* A NUL-terminated string property, or NULL. */
static const char *la_ov_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len <= 0 || s[len - 1] != 0 || memchr(s, 0, (size_t)len) != s + len - 1)
		return NULL;
	return s;
}

/* The child of parent named exactly name (libfdt's lookups also accept
 * "foo" for "foo@1"; crosvm's do not). */
static int la_ov_child(const void *fdt, int parent, const char *name, size_t len)
{
	int child;

	fdt_for_each_subnode(child, fdt, parent) {
		int l;
		const char *n = fdt_get_name(fdt, child, &l);

		if (n && (size_t)l == len && !memcmp(n, name, len))
			return child;
	}
	return -FDT_ERR_NOTFOUND;
}

/* The node at an absolute path, names matched exactly; < 0 if none. */
static int la_ov_path(const void *fdt, const char *path)
{
	int node = 0;

	if (path[0] != '/')
		return -FDT_ERR_BADPATH;
	for (const char *p = path + 1; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 0) {
			p++;
			continue;
		}
		node = la_ov_child(fdt, node, p, len);
		if (node < 0)
			return node;
		p += len;
	}
	return node;
}

static bool la_ov_is_within(const char *anc, const char *path)
{
	size_t n = strlen(anc);

	if (!strcmp(anc, "/"))
		return true;
	return !strncmp(anc, path, n) && (path[n] == 0 || path[n] == '/');
}

/* --- the merge writer: base rewritten with one node merged in --- */

struct la_ov_merge {
	struct la_fdt_w w;
	const void *base;
	int target;           /* base node that receives src_node, -1 none */
	const void *src;
	int src_node;
};

static void la_ov_emit_prop(struct la_ov_merge *m, const void *fdt, int prop)
{
	const char *name;
	int len;
	const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);

	/* libfdt 1.6 can give a value with a length below 0 (found by
	 * fuzz_fdt_overlay: its memcpy then copied -1 bytes) */
	if (!val || !name || len < 0) {
		m->w.err = m->w.err ? m->w.err : -LA_ERR_FDTBAD;
		return;
	}
	la_fdt_w_bytes(&m->w, name, val, (unsigned)len);
}

/* A node of src with its whole subtree, as it is. */
static void la_ov_emit_src(struct la_ov_merge *m, int node, int depth)
{
	int p, c;

	if (depth > LA_OV_MAX_DEPTH) {
		m->w.err = m->w.err ? m->w.err : -LA_ERR_FDTBAD;
		return;
	}
	la_fdt_w_begin_node(&m->w, fdt_get_name(m->src, node, NULL));
	fdt_for_each_property_offset(p, m->src, node)
		la_ov_emit_prop(m, m->src, p);
	fdt_for_each_subnode(c, m->src, node)
		la_ov_emit_src(m, c, depth + 1);
	la_fdt_w_end_node(&m->w);
}

/* Base node b, merged with src node s (-1: none): base properties in
 * place (values from s where s has them), then s's new properties; base
 * children (merged where s has the same name), then s's new children. */
static void la_ov_emit(struct la_ov_merge *m, int b, int s, int depth)
{
	const char *name;
	int p, c, len;

	if (depth > LA_OV_MAX_DEPTH) {
		m->w.err = m->w.err ? m->w.err : -LA_ERR_FDTBAD;
		return;
	}
	if (s < 0 && b == m->target)
		s = m->src_node;
	la_fdt_w_begin_node(&m->w, fdt_get_name(m->base, b, NULL));
	fdt_for_each_property_offset(p, m->base, b) {
		const void *val = fdt_getprop_by_offset(m->base, p, &name, &len);
		const void *sv = s >= 0 && val ? fdt_getprop(m->src, s, name, &len) : NULL;

		if (sv)
			la_fdt_w_bytes(&m->w, name, sv, (unsigned)len);
		else
			la_ov_emit_prop(m, m->base, p);
	}
	if (s >= 0)
		fdt_for_each_property_offset(p, m->src, s) {
			if (fdt_getprop_by_offset(m->src, p, &name, &len) &&
			    !fdt_getprop(m->base, b, name, NULL))
				la_ov_emit_prop(m, m->src, p);
		}
	fdt_for_each_subnode(c, m->base, b) {
		int l, sc = -1;
		const char *n = fdt_get_name(m->base, c, &l);

		if (s >= 0 && n)
			sc = la_ov_child(m->src, s, n, (size_t)l);
		la_ov_emit(m, c, sc < 0 ? -1 : sc, depth + 1);
	}
	if (s >= 0)
		fdt_for_each_subnode(c, m->src, s) {
			int l;
			const char *n = fdt_get_name(m->src, c, &l);

			if (n && la_ov_child(m->base, b, n, (size_t)l) < 0)
				la_ov_emit_src(m, c, depth + 1);
		}
	la_fdt_w_end_node(&m->w);
}

struct la_ov_rsv {
	unsigned n;
	uint64_t addr[LA_OV_MAX_RSV], size[LA_OV_MAX_RSV];
};

static int la_ov_rsv_add(struct la_ov_rsv *r, const void *fdt)
{
	int n = fdt_num_mem_rsv(fdt);

	for (int i = 0; i < n; i++) {
		if (r->n >= LA_OV_MAX_RSV)
			return -LA_ERR_TOOMANY;
		if (fdt_get_mem_rsv(fdt, i, &r->addr[r->n], &r->size[r->n]) < 0)
			return -LA_ERR_FDTBAD;
		r->n++;
	}
	return 0;
}

/* Sort by address and coalesce entries that overlap or touch. */
static void la_ov_rsv_merge(struct la_ov_rsv *r)
{
	unsigned out = 0;

	for (unsigned i = 1; i < r->n; i++)
		for (unsigned j = i; j > 0 && r->addr[j - 1] > r->addr[j]; j--) {
			uint64_t a = r->addr[j], s = r->size[j];

			r->addr[j] = r->addr[j - 1];
			r->size[j] = r->size[j - 1];
			r->addr[j - 1] = a;
			r->size[j - 1] = s;
		}
	for (unsigned i = 0; i < r->n; i++) {
		if (out && r->addr[i] <= r->addr[out - 1] + r->size[out - 1]) {
			uint64_t end = r->addr[i] + r->size[i], cur = r->addr[out - 1] + r->size[out - 1];

			if (end > cur)
				r->size[out - 1] = end - r->addr[out - 1];
			continue;
		}
		r->addr[out] = r->addr[i];
		r->size[out] = r->size[i];
		out++;
	}
	r->n = out;
}

/* Write base, with src_node of src merged into base node target (-1:
 * a plain copy) and reservations rsv (NULL: base's), into out. */
static int la_ov_rewrite(const void *base, int target, const void *src, int src_node,
			 const struct la_ov_rsv *rsv, void *out, size_t size)
{
	struct la_ov_merge m = { .base = base, .target = target, .src = src,
				 .src_node = src_node };
	struct la_ov_rsv own = { 0 };
	int err;

	if (!rsv) {
		err = la_ov_rsv_add(&own, base);
		if (err)
			return err;
		rsv = &own;
	}
	if (la_fdt_w_start(&m.w, out, size, rsv->addr, rsv->size, rsv->n))
		return m.w.err;
	la_ov_emit(&m, 0, -1, 0);
	return la_fdt_w_done(&m.w);
}

/* --- step 1-2: the filter's paths --- */

static int la_ov_path_add(struct la_fdt_overlay_ws *ws, const char *path)
{
	for (unsigned i = 0; i < ws->n_paths; i++)
		if (!strcmp(ws->paths[i], path))
			return 0;
	if (ws->n_paths >= LA_OV_MAX_PATHS || strlen(path) >= LA_OV_PATH_MAX)
		return la_ov_fail(ws, LA_ERR_TOOMANY, "more than %d filtered nodes",
				  LA_OV_MAX_PATHS);
	strcpy(ws->paths[ws->n_paths++], path);
	return 0;
}

static int la_ov_strcmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sort, and drop every path inside another one. */
static void la_ov_paths_minimise(struct la_fdt_overlay_ws *ws)
{
	unsigned out = 0;

	qsort(ws->paths, ws->n_paths, LA_OV_PATH_MAX, la_ov_strcmp);
	for (unsigned i = 0; i < ws->n_paths; i++) {
		bool inside = false;

		for (unsigned j = 0; j < ws->n_paths && !inside; j++)
			inside = j != i && la_ov_is_within(ws->paths[j], ws->paths[i]) &&
				 strcmp(ws->paths[j], ws->paths[i]);
		if (!inside)
			memmove(ws->paths[out++], ws->paths[i], LA_OV_PATH_MAX);
	}
	ws->n_paths = out;
}

/* Phandles referenced from the properties of tree node t that local
 * fixup node f lists; each referenced node's path joins the set. */
static int la_ov_refs_of(struct la_fdt_overlay_ws *ws, const void *ov, int f, int t)
{
	char path[LA_OV_PATH_MAX];
	const char *name;
	int p, len, tlen, err;

	fdt_for_each_property_offset(p, ov, f) {
		const uint8_t *offs = fdt_getprop_by_offset(ov, p, &name, &len);
		const uint8_t *tv = fdt_getprop(ov, t, name, &tlen);

		if (!offs || len % 4)
			return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "__local_fixups__ %s", name);
		for (int i = 0; i < len; i += 4) {
			uint32_t off = la_be32(offs + i);
			int node;

			if (!tv || off > (uint32_t)tlen || (uint32_t)tlen - off < 4)
				return la_ov_fail(ws, LA_ERR_OVPHANDLE, "property %s", name);
			node = fdt_node_offset_by_phandle(ov, la_be32(tv + off));
			if (node < 0 || fdt_get_path(ov, node, path, sizeof(path)) < 0)
				return la_ov_fail(ws, LA_ERR_OVPHANDLE, "phandle 0x%x in %s",
						  la_be32(tv + off), name);
			err = la_ov_path_add(ws, path);
			if (err)
				return err;
		}
	}
	return 0;
}

/* References from the nodes along path (not from their children). */
static int la_ov_refs_along(struct la_fdt_overlay_ws *ws, const void *ov, int lf,
			    const char *path)
{
	int t = 0, f = lf, err;

	for (const char *p = path + 1; *p;) {
		size_t len = strcspn(p, "/");

		t = la_ov_child(ov, t, p, len);
		if (t < 0)
			return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s", path);
		f = la_ov_child(ov, f, p, len);
		if (f < 0)
			return 0;
		err = la_ov_refs_of(ws, ov, f, t);
		if (err)
			return err;
		p += len + (p[len] == '/');
	}
	return 0;
}

static int la_ov_filter_paths(struct la_fdt_overlay_ws *ws, const void *ov,
			      const char *const *filter, unsigned n_filter)
{
	int syms = la_ov_path(ov, "/__symbols__"), lf, err;

	ws->n_paths = 0;
	if (syms < 0)
		return la_ov_fail(ws, LA_ERR_OVNOSYMBOLS, "filter %s", filter[0]);
	for (unsigned i = 0; i < n_filter; i++) {
		const char *path = la_ov_str(ov, syms, filter[i]);

		if (!path)
			return la_ov_fail(ws, LA_ERR_OVLABEL, "%s", filter[i]);
		if (la_ov_path(ov, path) < 0)
			return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s = %s", filter[i], path);
		err = la_ov_path_add(ws, path);
		if (err)
			return err;
	}
	la_ov_paths_minimise(ws);
	lf = la_ov_path(ov, "/__local_fixups__");
	if (lf < 0)
		return 0;
	/* breadth first: the list grows while we walk it */
	for (unsigned i = 0; i < ws->n_paths; i++) {
		char path[LA_OV_PATH_MAX];

		strcpy(path, ws->paths[i]);
		err = la_ov_refs_along(ws, ov, lf, path);
		if (err)
			return err;
	}
	la_ov_paths_minimise(ws);
	return 0;
}

/* --- step 3: phandles of the overlay above the base's --- */

static uint32_t la_ov_max_phandle(const void *fdt)
{
	uint32_t max = 0;

	for (int n = 0; n >= 0; n = fdt_next_node(fdt, n, NULL)) {
		uint32_t ph = fdt_get_phandle(fdt, n);

		if (ph != (uint32_t)-1 && ph > max)
			max = ph;
	}
	return max;
}

static int la_ov_add_u32_at(struct la_fdt_overlay_ws *ws, void *ov, int node, const char *name,
			    uint32_t off, uint32_t delta, bool set, uint32_t value)
{
	int len;
	const uint8_t *v = fdt_getprop(ov, node, name, &len);
	uint32_t old;
	char path[LA_OV_PATH_MAX];

	if (!v || off > (uint32_t)len || (uint32_t)len - off < 4) {
		if (fdt_get_path(ov, node, path, sizeof(path)) < 0)
			strcpy(path, "?");
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s:%s:%u", path, name, off);
	}
	old = la_be32(v + off);
	if (!set && old > UINT32_MAX - delta)
		return la_ov_fail(ws, LA_ERR_OVPHANDLE, "phandle 0x%x + 0x%x overflows", old,
				  delta);
	value = set ? value : old + delta;
	value = cpu_to_fdt32(value);
	if (fdt_setprop_inplace_namelen_partial(ov, node, name, (int)strlen(name), off,
						&value, 4) < 0)
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s", name);
	return 0;
}

static int la_ov_offset_phandles(struct la_fdt_overlay_ws *ws, void *ov, uint32_t delta)
{
	static const char *const names[] = { "phandle", "linux,phandle" };
	int err;

	for (int n = 0; n >= 0; n = fdt_next_node(ov, n, NULL))
		for (unsigned i = 0; i < 2; i++) {
			int len;

			if (!fdt_getprop(ov, n, names[i], &len))
				continue;
			if (len != 4)
				return la_ov_fail(ws, LA_ERR_OVPHANDLE, "%s of %s is not one cell",
						  names[i], fdt_get_name(ov, n, NULL));
			err = la_ov_add_u32_at(ws, ov, n, names[i], 0, delta, false, 0);
			if (err)
				return err;
		}
	return 0;
}

/* Walk __local_fixups__ (f) and the tree (t) side by side. */
static int la_ov_local_fixups(struct la_fdt_overlay_ws *ws, void *ov, int f, int t,
			      uint32_t delta, int depth)
{
	const char *name;
	int p, c, len, err;

	if (depth > LA_OV_MAX_DEPTH)
		return la_ov_fail(ws, LA_ERR_FDTBAD, "__local_fixups__ nested too deep");
	fdt_for_each_property_offset(p, ov, f) {
		const uint8_t *offs = fdt_getprop_by_offset(ov, p, &name, &len);

		if (!offs || len % 4)
			return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "__local_fixups__ %s", name);
		for (int i = 0; i < len; i += 4) {
			err = la_ov_add_u32_at(ws, ov, t, name, la_be32(offs + i), delta, false, 0);
			if (err)
				return err;
		}
	}
	fdt_for_each_subnode(c, ov, f) {
		int l, tc;
		const char *n = fdt_get_name(ov, c, &l);

		tc = n ? la_ov_child(ov, t, n, (size_t)l) : -1;
		if (tc < 0)
			return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "__local_fixups__ node %s",
					  n ? n : "?");
		err = la_ov_local_fixups(ws, ov, c, tc, delta, depth + 1);
		if (err)
			return err;
	}
	return 0;
}

/* --- step 4: references to base labels --- */

/* Split "/path:prop:offset" (copied into buf) into its three parts. */
static int la_ov_parse_fixup(struct la_fdt_overlay_ws *ws, const char *s, char *buf,
			     size_t len, char **prop, uint32_t *off)
{
	char *c1, *c2;
	uint64_t v;

	if (strlen(s) >= len)
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%.64s...", s);
	strcpy(buf, s);
	c2 = strrchr(buf, ':');
	if (!c2)
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s", s);
	*c2 = 0;
	c1 = strrchr(buf, ':');
	if (!c1 || buf[0] != '/')
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s", s);
	*c1 = 0;
	if (la_parse_dec(c2 + 1, UINT32_MAX, &v)) /* dtc writes it so: no sign, space or 0 */
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s", s);
	*prop = c1 + 1;
	*off = (uint32_t)v;
	return 0;
}

/* The base's (path, phandle) for label sym. */
static int la_ov_base_symbol(struct la_fdt_overlay_ws *ws, const void *base, const char *sym,
			     const char **path, uint32_t *phandle)
{
	int syms = la_ov_path(base, "/__symbols__"), node;

	*path = syms >= 0 ? la_ov_str(base, syms, sym) : NULL;
	node = *path ? la_ov_path(base, *path) : -1;
	*phandle = node >= 0 ? fdt_get_phandle(base, node) : 0;
	if (!*phandle || *phandle == (uint32_t)-1)
		return la_ov_fail(ws, LA_ERR_OVFIXUP, "%s", sym);
	return 0;
}

/* The first label of __fixups__ whose base node has phandle ph, and its
 * path (for a message); "?" if none. */
static const char *la_ov_label_of(const void *base, const void *ov, uint32_t ph,
				  const char **path)
{
	int fx = la_ov_path(ov, "/__fixups__"), p, syms = la_ov_path(base, "/__symbols__");

	*path = "?";
	if (fx < 0 || syms < 0)
		return "?";
	fdt_for_each_property_offset(p, ov, fx) {
		const char *sym, *bp;
		int node;

		if (!fdt_getprop_by_offset(ov, p, &sym, NULL) || !sym)
			continue;
		bp = la_ov_str(base, syms, sym);
		node = bp ? la_ov_path(base, bp) : -1;
		if (node >= 0 && fdt_get_phandle(base, node) == ph) {
			*path = bp;
			return sym;
		}
	}
	return "?";
}

/* Fragment frag's target, fixed to label sym (bpath, phandle ph) by
 * pass 0 at offset off: 0 if its target-path names that node already, 1
 * once it is given it (the blob moved), < 0 if the fragment's target is
 * another label's too (pass 0 left that one's phandle in the cell) or ph
 * is not the label's node alone: a fragment's target resolves to one node,
 * so no fixup can take back what another set. */
static int la_ov_fix_target(struct la_fdt_overlay_ws *ws, const void *base, void *ov, int frag,
			    uint32_t off, const char *sym, const char *bpath, uint32_t ph)
{
	int len, node = la_ov_path(base, bpath);
	const uint8_t *cell = fdt_getprop(ov, frag, "target", &len);
	const char *cur = la_ov_str(ov, frag, "target-path"), *other, *opath;
	char fpath[LA_OV_PATH_MAX];

	if (fdt_get_path(ov, frag, fpath, sizeof(fpath)) < 0)
		strcpy(fpath, "?");
	if (!cell || off > (uint32_t)len || (uint32_t)len - off < 4)
		return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s:target:%u", fpath, off);
	if (la_be32(cell + off) != ph) {
		other = la_ov_label_of(base, ov, la_be32(cell + off), &opath);
		return la_ov_fail(ws, LA_ERR_OVTARGET2, "%s: %s (%s) and %s (%s)", fpath, sym,
				  bpath, other, opath);
	}
	if (fdt_node_offset_by_phandle(base, ph) != node)
		return la_ov_fail(ws, LA_ERR_OVPHANDLE, "phandle 0x%x of %s (%s) is not unique in "
				  "the base tree", ph, sym, bpath);
	if (cur && (!strcmp(cur, bpath) || la_ov_path(base, cur) == node))
		return 0;
	if (fdt_setprop_string(ov, frag, "target-path", bpath) < 0)
		return la_ov_fail(ws, LA_ERR_FDTSIZE, "overlay workspace");
	return 1;
}

/* One pass over __fixups__. Pass 0 writes the phandles (in place, so
 * offsets stay valid). Pass 1 gives a fragment whose `target` was fixed
 * a `target-path`; that moves the blob, so it returns 1 to be called
 * again until nothing changes (each fragment is given its path once:
 * la_ov_fix_target). */
static int la_ov_fixups_pass(struct la_fdt_overlay_ws *ws, const void *base, void *ov, int pass)
{
	int fx = la_ov_path(ov, "/__fixups__"), p, len, err;
	char buf[LA_OV_PATH_MAX + 64];

	if (fx < 0)
		return 0;
	fdt_for_each_property_offset(p, ov, fx) {
		const char *sym, *bpath, *v = fdt_getprop_by_offset(ov, p, &sym, &len);
		uint32_t ph;

		if (!v)
			return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "__fixups__");
		err = la_ov_base_symbol(ws, base, sym, &bpath, &ph);
		if (err)
			return err;
		for (int i = 0; i < len;) {
			const char *t = v + i;
			size_t tl = strnlen(t, (size_t)(len - i));
			char *prop = NULL;
			uint32_t off = 0;
			int node;

			if (tl == (size_t)(len - i))
				return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "__fixups__ %s", sym);
			err = la_ov_parse_fixup(ws, t, buf, sizeof(buf), &prop, &off);
			if (err)
				return err;
			node = la_ov_path(ov, buf);
			if (node < 0)
				return la_ov_fail(ws, LA_ERR_OVBADFIXUP, "%s", t);
			if (pass == 0)
				err = la_ov_add_u32_at(ws, ov, node, prop, off, 0, true, ph);
			else if (!strcmp(prop, "target") &&
				 la_ov_child(ov, node, "__overlay__", 11) >= 0)
				err = la_ov_fix_target(ws, base, ov, node, off, sym, bpath, ph);
			if (err)
				return err;
			i += (int)tl + 1;
		}
	}
	return 0;
}

static int la_ov_external_fixups(struct la_fdt_overlay_ws *ws, const void *base, void *ov)
{
	int err = la_ov_fixups_pass(ws, base, ov, 0);

	if (err)
		return err;
	do
		err = la_ov_fixups_pass(ws, base, ov, 1);
	while (err == 1);
	return err;
}

/* --- step 5: the overlay's labels in the base's __symbols__ --- */

static bool la_ov_in_filter(const char *sym, const char *const *filter, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(sym, filter[i]))
			return true;
	return false;
}

/* "/FRAG/__overlay__/rest" -> target-path of FRAG + "/rest". */
static int la_ov_symbol_path(struct la_fdt_overlay_ws *ws, const void *ov, const char *sym,
			     const char *val, char *out, size_t len)
{
	const char *frag = val + 1, *rest, *tp;
	size_t fl = strcspn(frag, "/");
	int node;

	rest = frag + fl;
	if (val[0] != '/' || !*rest || !rest[1])
		return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s = %s", sym, val);
	rest = strchr(rest + 1, '/');
	if (!rest || !rest[1])
		return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s = %s", sym, val);
	node = la_ov_child(ov, 0, frag, fl);
	tp = node >= 0 ? la_ov_str(ov, node, "target-path") : NULL;
	if (!tp || tp[0] != '/')
		return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s = %s", sym, val);
	if ((size_t)snprintf(out, len, "%s%s", strcmp(tp, "/") ? tp : "", rest) >= len)
		return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s: path too long", sym);
	return 0;
}

/* Build { __symbols__ { sym = path; ... } } in out; returns 1 if it has
 * any symbol, 0 if none, < 0 on error. */
static int la_ov_symbols_blob(struct la_fdt_overlay_ws *ws, const void *ov,
			      const char *const *filter, unsigned n_filter, void *out,
			      size_t size)
{
	int syms = la_ov_path(ov, "/__symbols__"), p, len, n = 0, err;
	char path[LA_OV_PATH_MAX];
	struct la_fdt_w w;

	if (syms < 0)
		return 0;
	if (la_fdt_w_create(&w, out, size))
		return w.err;
	la_fdt_w_begin_node(&w, "__symbols__");
	fdt_for_each_property_offset(p, ov, syms) {
		const char *sym, *val = fdt_getprop_by_offset(ov, p, &sym, &len);

		if (n_filter && !la_ov_in_filter(sym, filter, n_filter))
			continue;
		if (!val || len <= 0 || val[len - 1])
			return la_ov_fail(ws, LA_ERR_OVSYMPATH, "%s", sym);
		err = la_ov_symbol_path(ws, ov, sym, val, path, sizeof(path));
		if (err)
			return err;
		la_fdt_w_str(&w, sym, path);
		n++;
	}
	la_fdt_w_end_node(&w);
	err = la_fdt_w_finish(&w);
	return err ? err : n > 0;
}

/* --- step 6: the filtered overlay --- */

static void la_ov_emit_filtered(struct la_fdt_overlay_ws *ws, struct la_fdt_w *w,
				const void *ov, int node, int depth)
{
	char path[LA_OV_PATH_MAX];
	int p, c;

	fdt_for_each_property_offset(p, ov, node) {
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(ov, p, &name, &len);

		if (depth > 0 && v)
			la_fdt_w_bytes(w, name, v, (unsigned)len);
	}
	fdt_for_each_subnode(c, ov, node) {
		bool on = false;

		if (fdt_get_path(ov, c, path, sizeof(path)) < 0)
			continue;
		for (unsigned i = 0; i < ws->n_paths && !on; i++)
			on = la_ov_is_within(path, ws->paths[i]);
		if (!on || depth > LA_OV_MAX_DEPTH)
			continue;
		la_fdt_w_begin_node(w, fdt_get_name(ov, c, NULL));
		la_ov_emit_filtered(ws, w, ov, c, depth + 1);
		la_fdt_w_end_node(w);
	}
}

static int la_ov_filter(struct la_fdt_overlay_ws *ws, const void *ov, void *out, size_t size)
{
	struct la_fdt_w w;

	if (la_fdt_w_create(&w, out, size))
		return w.err;
	la_ov_emit_filtered(ws, &w, ov, 0, 0);
	return la_fdt_w_finish(&w);
}

/* --- step 7: fragments --- */

static int la_ov_fragments(struct la_fdt_overlay_ws *ws, const void *ov, void **cur,
			   void **spare)
{
	int frag, err;

	fdt_for_each_subnode(frag, ov, 0) {
		int ovl = la_ov_child(ov, frag, "__overlay__", 11), target;
		const char *tp = la_ov_str(ov, frag, "target-path");
		void *t;

		if (ovl < 0 || !tp)
			continue; /* crosvm skips these silently */
		target = la_ov_path(*cur, tp);
		if (target < 0)
			return la_ov_fail(ws, LA_ERR_OVTARGET, "%s", tp);
		err = la_ov_rewrite(*cur, target, ov, ovl, NULL, *spare, ws->size);
		if (err)
			return la_ov_fail(ws, -err, "merging %s", tp);
		t = *cur;
		*cur = *spare;
		*spare = t;
	}
	return 0;
}

static int la_ov_merge_rsv(const void *base, const void *ov, struct la_ov_rsv *r)
{
	int err = la_ov_rsv_add(r, base);

	if (!err)
		err = la_ov_rsv_add(r, ov);
	la_ov_rsv_merge(r);
	return err;
}

int la_fdt_overlay_apply(struct la_fdt_overlay_ws *ws, const void *base, const void *ov,
			 size_t ov_len, const char *const *filter, unsigned n_filter, void *out,
			 size_t out_size)
{
	void *ovw = ws->buf[0], *ovf = ws->buf[1], *cur = ws->buf[2], *spare = ws->buf[3];
	struct la_ov_rsv rsv = { 0 };
	uint32_t delta;
	int err;

	ws->detail[0] = 0;
	ws->n_paths = 0;
	err = la_fdt_check(ov, ov_len);
	if (err || (err = la_fdt_check(base, fdt_totalsize(base))))
		return err;
	if (fdt_totalsize(base) > ws->size || fdt_open_into(ov, ovw, (int)ws->size) < 0)
		return la_ov_fail(ws, LA_ERR_FDTSIZE, "overlay workspace");
	memcpy(cur, base, fdt_totalsize(base));
	/* 1-2: what the filter keeps (before phandles move) */
	if (n_filter && (err = la_ov_filter_paths(ws, ovw, filter, n_filter)))
		return err;
	/* 3: phandles above the base's, local references with them */
	delta = la_ov_max_phandle(cur);
	err = la_ov_offset_phandles(ws, ovw, delta);
	if (!err && la_ov_path(ovw, "/__local_fixups__") >= 0)
		err = la_ov_local_fixups(ws, ovw, la_ov_path(ovw, "/__local_fixups__"), 0, delta,
					 0);
	/* 4: references to base labels */
	if (!err)
		err = la_ov_external_fixups(ws, cur, ovw);
	if (err)
		return err;
	/* 5: the overlay's labels into the base */
	err = la_ov_symbols_blob(ws, ovw, filter, n_filter, ovf, ws->size);
	if (err < 0)
		return err;
	if (err == 1) {
		err = la_ov_rewrite(cur, 0, ovf, 0, NULL, spare, ws->size);
		if (err)
			return la_ov_fail(ws, -err, "__symbols__");
		void *t = cur;

		cur = spare;
		spare = t;
	}
	/* 6: keep only what the filter selects */
	if (n_filter) {
		err = la_ov_filter(ws, ovw, ovf, ws->size);
		if (err)
			return err;
	} else {
		ovf = ovw;
	}
	/* 7: merge fragments, 8: reservations, into out */
	err = la_ov_fragments(ws, ovf, &cur, &spare);
	if (!err)
		err = la_ov_merge_rsv(cur, ovw, &rsv);
	if (!err)
		err = la_ov_rewrite(cur, -1, NULL, -1, &rsv, out, out_size);
	return err;
}
