/* SPDX-License-Identifier: MIT */
/* What every arch's device tree builder shares; see fdt/fdt.h. */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "err.h"
#include "fdt/fdt.h"
#include "dev/platform.h"
#include "sys_alloc.h"

/* libfdt's codes, in the words of our own list. */
static int la_fdt_err(int fdt_err)
{
	switch (-fdt_err) {
	case FDT_ERR_NOSPACE:
		return -LA_ERR_FDTSIZE;
	case FDT_ERR_TRUNCATED:
		return -LA_ERR_FDTTRUNC;
	default:
		return -LA_ERR_FDTBAD;
	}
}

static void la_fdt_w_check(struct la_fdt_w *w, int ret)
{
	if (ret < 0 && !w->err)
		w->err = la_fdt_err(ret);
}

/* The blob starts in the first LA_FDT_W_FIRST bytes of its buffer (libfdt's
 * fdt_create clears all the room it is given: 2 MiB for an aarch64 tree,
 * most of la-mkfdt's run) and grows in place, four times at a step, when a
 * call finds no room (fdt_resize). */
#define LA_FDT_W_FIRST (64u << 10)

static bool la_fdt_w_grow(struct la_fdt_w *w)
{
	size_t cap = w->cap * 4 < w->max ? w->cap * 4 : w->max;

	if (cap <= w->cap || fdt_resize(w->fdt, w->fdt, (int)cap) != 0)
		return false;
	w->cap = cap;
	return true;
}

/* LA_FDT_W_DO - a libfdt sequential-write call, again after each growth
 * while it finds no room (libfdt undoes what a call that found none did) */
#define LA_FDT_W_DO(w, call)                                                  \
	do {                                                                  \
		int r_;                                                       \
		while ((r_ = (call)) == -FDT_ERR_NOSPACE && la_fdt_w_grow(w)) \
			;                                                     \
		la_fdt_w_check((w), r_);                                      \
	} while (0)

void la_fdt_w_begin_node(struct la_fdt_w *w, const char *name)
{
	if (!w->err)
		LA_FDT_W_DO(w, fdt_begin_node(w->fdt, name));
}

void la_fdt_w_begin_nodef(struct la_fdt_w *w, const char *fmt, ...)
{
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	la_fdt_w_begin_node(w, name);
}

void la_fdt_w_end_node(struct la_fdt_w *w)
{
	if (!w->err)
		LA_FDT_W_DO(w, fdt_end_node(w->fdt));
}

void la_fdt_w_bytes(struct la_fdt_w *w, const char *name, const void *p, unsigned len)
{
	if (!w->err)
		LA_FDT_W_DO(w, fdt_property(w->fdt, name, p, (int)len));
}

void la_fdt_w_empty(struct la_fdt_w *w, const char *name)
{
	la_fdt_w_bytes(w, name, NULL, 0);
}

void la_fdt_w_u32(struct la_fdt_w *w, const char *name, uint32_t v)
{
	la_fdt_w_u32s(w, name, &v, 1);
}

void la_fdt_w_u64(struct la_fdt_w *w, const char *name, uint64_t v)
{
	la_fdt_w_u64s(w, name, &v, 1);
}

void la_fdt_w_str(struct la_fdt_w *w, const char *name, const char *s)
{
	la_fdt_w_bytes(w, name, s, (unsigned)strlen(s) + 1);
}

void la_fdt_w_strs(struct la_fdt_w *w, const char *name, const char *const *s, unsigned n)
{
	char buf[256];
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;

		if (len + l > sizeof(buf)) {
			w->err = w->err ? w->err : -LA_ERR_INTERNAL;
			return;
		}
		memcpy(buf + len, s[i], l);
		len += l;
	}
	la_fdt_w_bytes(w, name, buf, (unsigned)len);
}

void la_fdt_w_u32s(struct la_fdt_w *w, const char *name, const uint32_t *v, unsigned n)
{
	void *p;

	if (w->err)
		return;
	LA_FDT_W_DO(w, fdt_property_placeholder(w->fdt, name, (int)(4 * n), &p));
	if (w->err)
		return;
	for (unsigned i = 0; i < n; i++) {
		fdt32_t be = cpu_to_fdt32(v[i]);

		memcpy((char *)p + 4 * i, &be, 4);
	}
}

void la_fdt_w_u64s(struct la_fdt_w *w, const char *name, const uint64_t *v, unsigned n)
{
	void *p;

	if (w->err)
		return;
	LA_FDT_W_DO(w, fdt_property_placeholder(w->fdt, name, (int)(8 * n), &p));
	if (w->err)
		return;
	for (unsigned i = 0; i < n; i++) {
		fdt64_t be = cpu_to_fdt64(v[i]);

		memcpy((char *)p + 8 * i, &be, 8);
	}
}

int la_fdt_w_start(struct la_fdt_w *w, void *buf, size_t size, const uint64_t *rsv_addr,
		   const uint64_t *rsv_size, unsigned n_rsv)
{
	w->fdt = buf;
	w->err = 0;
	w->max = size > INT32_MAX ? INT32_MAX : size;
	w->cap = w->max < LA_FDT_W_FIRST ? w->max : LA_FDT_W_FIRST;
	la_fdt_w_check(w, fdt_create(buf, (int)w->cap));
	for (unsigned i = 0; i < n_rsv && !w->err; i++)
		LA_FDT_W_DO(w, fdt_add_reservemap_entry(buf, rsv_addr[i], rsv_size[i]));
	if (!w->err)
		LA_FDT_W_DO(w, fdt_finish_reservemap(buf));
	return w->err;
}

int la_fdt_w_create(struct la_fdt_w *w, void *buf, size_t size)
{
	la_fdt_w_start(w, buf, size, NULL, NULL, 0);
	la_fdt_w_begin_node(w, "");
	return w->err;
}

int la_fdt_w_done(struct la_fdt_w *w)
{
	if (!w->err)
		LA_FDT_W_DO(w, fdt_finish(w->fdt));
	if (w->err)
		return w->err;
	return la_fdt_check(w->fdt, fdt_totalsize(w->fdt));
}

int la_fdt_w_finish(struct la_fdt_w *w)
{
	la_fdt_w_end_node(w);
	return la_fdt_w_done(w);
}

int la_fdt_check(const void *blob, size_t len)
{
	int next;

	if (len < 4) /* not even the magic: nothing to read */
		return -LA_ERR_FDTTRUNC;
	if (len < sizeof(struct fdt_header))
		return fdt_magic(blob) == FDT_MAGIC ? -LA_ERR_FDTTRUNC : -LA_ERR_FDTBAD;
	if (fdt_magic(blob) != FDT_MAGIC)
		return -LA_ERR_FDTBAD;
	if (fdt_totalsize(blob) > len)
		return -LA_ERR_FDTTRUNC;
	/* libfdt 1.6's fdt_check_full dereferences the NULL name
	 * fdt_get_name gives for a version below 16: ask it nothing older
	 * than the version it writes */
	if (fdt_version(blob) < 17)
		return -LA_ERR_FDTVERSION;
	if (fdt_check_full(blob, len) != 0)
		return -LA_ERR_FDTBAD;
	/* fdt_check_full takes a structure block that ends before any node
	 * (FDT_END first): every tree has a root node, and the overlay code
	 * asks for its name (NULL for such a blob) */
	if (fdt_next_tag(blob, 0, &next) != FDT_BEGIN_NODE)
		return -LA_ERR_FDTBAD;
	return 0;
}

/* crosvm's /memory reg: (start, size) pairs of every region but the
 * BIOS, adjacent ones merged. returns: the number of pairs */
static unsigned la_fdt_memory_cells(const struct la_mem_layout *mem, uint64_t *cells)
{
	unsigned n = 0;

	for (unsigned i = 0; i < mem->n; i++) {
		const struct la_region *r = &mem->r[i];

		if (r->purpose == LA_REGION_BIOS)
			continue;
		if (n && cells[2 * (n - 1)] + cells[2 * (n - 1) + 1] == r->start) {
			cells[2 * (n - 1) + 1] += r->size;
			continue;
		}
		cells[2 * n] = r->start;
		cells[2 * n + 1] = r->size;
		n++;
	}
	return n;
}

void la_fdt_w_memory(struct la_fdt_w *w, const struct la_mem_layout *mem)
{
	uint64_t cells[2 * LA_MAX_REGIONS];
	unsigned n = la_fdt_memory_cells(mem, cells);

	la_fdt_w_begin_node(w, "memory");
	la_fdt_w_str(w, "device_type", "memory");
	la_fdt_w_u64s(w, "reg", cells, 2 * n);
	la_fdt_w_end_node(w);
}

void la_fdt_w_chosen_seeds(struct la_fdt_w *w, const struct la_fdt_config *fc)
{
	la_fdt_w_u64(w, "kaslr-seed", fc->kaslr_seed);
	la_fdt_w_bytes(w, "rng-seed", fc->rng_seed, sizeof(fc->rng_seed));
}

void la_fdt_w_initrd(struct la_fdt_w *w, const struct la_boot_plan *b)
{
	if (!b->has_initrd)
		return;
	la_fdt_w_u64(w, "linux,initrd-start", b->initrd_start);
	la_fdt_w_u64(w, "linux,initrd-end", b->initrd_start + b->initrd_size);
}

void la_fdt_w_pci_ranges(struct la_fdt_w *w, const struct la_fdt_config *fc, uint32_t low,
			 uint32_t high)
{
	uint32_t cells[7 * 2 * LA_FDT_MAX_PCI_RANGES];
	unsigned n = 0;

	for (unsigned p = 0; p < 2; p++)
		for (unsigned i = 0; i < fc->n_pools[p]; i++) {
			struct la_range r = fc->pools[p][i];
			uint64_t size = la_range_len(r);
			uint32_t *c = &cells[7 * n++];

			c[0] = p == 0 ? low : high;
			c[1] = c[3] = (uint32_t)(r.start >> 32);
			c[2] = c[4] = (uint32_t)r.start;
			c[5] = (uint32_t)(size >> 32);
			c[6] = (uint32_t)size;
		}
	la_fdt_w_u32s(w, "ranges", cells, 7 * n);
}

int la_fdt_config_pci_pools(struct la_fdt_config *fc, unsigned phys_bits, uint64_t pstore)
{
	const struct la_arch_ops *arch = fc->cfg->arch;
	struct la_sys_alloc_config c;
	struct la_sys_alloc s;
	int err;

	err = arch->system_allocator_config(fc->cfg, fc->layout, fc->mem, phys_bits, &c);
	if (err)
		return err;
	err = la_sys_alloc_init(&s, &c, pstore != 0, pstore, NULL, 0);
	if (err)
		return err;
	for (unsigned p = 0; p < 2 && !err; p++) {
		const struct la_addr_alloc *a = &s.mmio[p == 0 ? LA_MMIO_LOW : LA_MMIO_HIGH];

		if (a->npools > LA_FDT_MAX_PCI_RANGES)
			err = -LA_ERR_TOOMANY;
		fc->n_pools[p] = err ? 0 : a->npools;
		for (unsigned i = 0; i < fc->n_pools[p]; i++)
			fc->pools[p][i] = a->pools[i];
	}
	la_sys_alloc_destroy(&s);
	return err;
}

/* splitmix64: a tiny, well-mixed generator; only for --seed. */
static uint64_t la_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void la_fdt_seed_fill(struct la_fdt_config *fc, uint64_t seed)
{
	uint64_t st = seed;

	fc->kaslr_seed = la_splitmix64(&st);
	for (size_t i = 0; i < sizeof(fc->rng_seed); i += 8) {
		uint64_t v = la_splitmix64(&st);

		memcpy(&fc->rng_seed[i], &v, 8);
	}
}

int la_fdt_seed_random(struct la_fdt_config *fc)
{
	uint8_t buf[8 + LA_FDT_RNG_SEED_SIZE];
	size_t got = 0;

	while (got < sizeof(buf)) {
		ssize_t n = getrandom(buf + got, sizeof(buf) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -LA_ERR_IO;
		}
		got += (size_t)n;
	}
	memcpy(&fc->kaslr_seed, buf, 8);
	memcpy(fc->rng_seed, buf + 8, LA_FDT_RNG_SEED_SIZE);
	return 0;
}

int la_fdt_build(const struct la_fdt_config *fc, void *buf, size_t size)
{
	return fc->cfg->arch->fdt_build(fc, buf, size);
}

unsigned la_fdt_reserved_count(const struct la_mem_layout *mem)
{
	unsigned n = 0;

	for (unsigned i = 0; i < mem->n; i++)
		n += mem->r[i].purpose == LA_REGION_RESERVED;
	return n;
}

void la_fdt_w_reserved_begin(struct la_fdt_w *w, const struct la_mem_layout *mem)
{
	la_fdt_w_begin_node(w, "reserved-memory");
	la_fdt_w_u32(w, "#address-cells", 2);
	la_fdt_w_u32(w, "#size-cells", 2);
	la_fdt_w_empty(w, "ranges");
	for (unsigned i = 0; i < mem->n; i++) {
		const struct la_region *r = &mem->r[i];
		uint64_t reg[2] = { r->start, r->size };

		if (r->purpose != LA_REGION_RESERVED)
			continue;
		la_fdt_w_begin_nodef(w, "reserved@%llx", (unsigned long long)r->start);
		la_fdt_w_u64s(w, "reg", reg, 2);
		la_fdt_w_empty(w, "no-map");
		la_fdt_w_end_node(w);
	}
}

void la_fdt_w_reg(struct la_fdt_w *w, uint64_t addr, uint64_t size)
{
	uint64_t c[2] = { addr, size };

	la_fdt_w_u64s(w, "reg", c, 2);
}

void la_fdt_w_irq(struct la_fdt_w *w, const struct la_irq_cells *ic, uint32_t irq,
		  uint32_t type, bool ppi)
{
	uint32_t c[4];

	ic->encode(ic, c, irq, type, ppi);
	if (ic->node_parent)
		la_fdt_w_u32(w, "interrupt-parent", ic->phandle);
	la_fdt_w_u32s(w, "interrupts", c, ic->ncells);
}

void la_fdt_w_pci_interrupt_map(struct la_fdt_w *w, const struct la_fdt_config *fc,
				 const struct la_irq_cells *ic)
{
	uint32_t cells[LA_FDT_MAX_PCI_IRQS * 10];
	unsigned n = 0;

	if (fc->plat && ic) {
		n = la_platform_pci_interrupt_map(fc->plat, ic, NULL);
		if (n > sizeof(cells) / sizeof(cells[0])) {
			la_fdt_w_fail(w, -LA_ERR_TOOMANY);
			return;
		}
		la_platform_pci_interrupt_map(fc->plat, ic, cells);
	}
	la_fdt_w_u32s(w, "interrupt-map", cells, n);
}

void la_fdt_w_fail(struct la_fdt_w *w, int err)
{
	if (!w->err)
		w->err = err;
}

int la_fdt_memory_matches(const void *blob, const struct la_mem_layout *mem)
{
	uint64_t cells[2 * LA_MAX_REGIONS];
	unsigned n = la_fdt_memory_cells(mem, cells);
	int off = fdt_path_offset(blob, "/memory"), len;
	const fdt32_t *reg = off >= 0 ? fdt_getprop(blob, off, "reg", &len) : NULL;

	if (!reg || fdt_address_cells(blob, 0) != 2 || fdt_size_cells(blob, 0) != 2)
		return 0; /* no /memory, or cells la never writes */
	if ((size_t)len != 2 * n * sizeof(uint64_t))
		return 0;
	for (unsigned i = 0; i < 2 * n; i++) {
		uint64_t v = (uint64_t)fdt32_to_cpu(reg[2 * i]) << 32 | fdt32_to_cpu(reg[2 * i + 1]);

		if (v != cells[i])
			return 0;
	}
	return 1;
}

const char *la_fdt_arch_of(const void *blob, const char **why)
{
	int off = fdt_path_offset(blob, "/cpus/cpu@0"), len;
	const char *c = off >= 0 ? fdt_getprop(blob, off, "compatible", &len) : NULL;

	*why = NULL;
	if (!c || len < 1 || c[len - 1] != '\0')
		return NULL;
	*why = c;
	if (!strncmp(c, "arm,", 4))
		return "aarch64";
	if (!strcmp(c, "riscv"))
		return "riscv64";
	return NULL;
}
