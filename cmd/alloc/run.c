/* SPDX-License-Identifier: MIT */
/* la-alloc: build the allocator and carry out the requests in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dev/pflash.h"
#include "err.h"
#include "host_phys.h"
#include "size.h"

static bool la_req_is_arch_only(enum la_req_type t)
{
	return t != LA_REQ_AT && t != LA_REQ_RELEASE && t != LA_REQ_POOL && t != LA_REQ_ALLOC;
}

static bool la_req_is_pstore(const struct la_req *r)
{
	return r->type == LA_REQ_PSTORE ||
	       (r->type == LA_REQ_DEVICE && r->dev && !strcmp(r->dev->name, "pstore"));
}

void la_alloc_check_mode(struct argp_state *state, struct la_alloc_args *a)
{
	const struct la_req *pstore = NULL;
	unsigned nranges = 0;

	for (unsigned i = 0; i < a->nreq; i++)
		a->pool_mode |= a->req[i].type == LA_REQ_POOL;
	for (unsigned i = 0; i < a->nreq; i++) {
		const struct la_req *r = &a->req[i];

		if (a->pool_mode && la_req_is_arch_only(r->type))
			argp_failure(state, 2, 0, "%s: '%s': not available with --pool", r->opt, r->arg);
		if (!a->pool_mode && r->type == LA_REQ_ALLOC)
			argp_failure(state, 2, 0, "%s: '%s': needs --pool", r->opt, r->arg);
		if (la_req_is_pstore(r) && pstore)
			argp_failure(state, 2, 0, "%s: '%s': a VM has one pstore region (already %s '%s')",
				     r->opt, r->arg, pstore->opt, pstore->arg);
		if (la_req_is_pstore(r))
			pstore = r;
		if (r->type == LA_REQ_HOTPLUG && !a->pool_mode &&
		    a->vm.cfg.arch->id != LA_ARCH_X86_64)
			argp_failure(state, 2, 0, "%s: '%s': PCI hot-plug is x86_64's (ACPI); %s "
				     "guests have none", r->opt, r->arg, a->vm.cfg.arch->name);
		if (r->type == LA_REQ_MMIO_RANGE && ++nranges > LA_SYS_MAX_MMIO_RANGES)
			argp_failure(state, 2, 0, "%s: '%s': at most %u windows", r->opt, r->arg,
				     LA_SYS_MAX_MMIO_RANGES);
	}
	if (a->pool_mode && a->platform)
		argp_failure(state, 2, 0, "--platform: not available with --pool");
	if (!a->pool_mode && a->min_align_arg)
		argp_failure(state, 2, 0, "--min-align: '%s': needs --pool", a->min_align_arg);
	if (!a->pool_mode && a->pref_align_arg)
		argp_failure(state, 2, 0, "--preferred-align: '%s': needs --pool", a->pref_align_arg);
}

static int la_alloc_setup_pool(struct la_alloc_args *a)
{
	struct la_range pools[256];
	unsigned n = 0;
	int err;

	for (unsigned i = 0; i < a->nreq; i++) {
		if (a->req[i].type != LA_REQ_POOL)
			continue;
		if (n == 256) {
			fprintf(stderr, "la-alloc: --pool: at most 256 pools\n");
			return 2;
		}
		pools[n++] = a->req[i].range;
	}
	err = la_addr_alloc_init(&a->pool, pools, n, &a->pool_opts);
	if (err == -LA_ERR_BADALIGN)
		fprintf(stderr, "la-alloc: --preferred-align: '%s': %s\n",
			a->pref_align_arg ? a->pref_align_arg : "", "below --min-align");
	else if (err)
		fprintf(stderr, "la-alloc: --pool: %s\n", la_strerror(err));
	return err ? 2 : 0;
}

/* A grant slot at the end of the list. */
static struct la_grant *la_alloc_new_grant(struct la_alloc_args *a)
{
	struct la_grant *g = realloc(a->grants, (a->ngrants + 1) * sizeof(*g));

	if (!g) {
		fprintf(stderr, "la-alloc: out of memory\n");
		exit(1);
	}
	a->grants = g;
	g = &a->grants[a->ngrants];
	memset(g, 0, sizeof(*g));
	return g;
}

static void la_alloc_push(struct la_alloc_args *a, const struct la_grant *g)
{
	*la_alloc_new_grant(a) = *g;
	a->ngrants++;
}

static void la_alloc_reserve_pieces(struct la_alloc_args *a, const char *name,
				    const struct la_reserve_piece *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct la_grant g = { .kind = LA_RES_RESERVE, .range = p[i].range,
				      .pool = p[i].pool, .id = p[i].id };

		snprintf(g.name, sizeof(g.name), "%s", name);
		snprintf(g.tag, sizeof(g.tag), "pci mmio reserve");
		la_alloc_push(a, &g);
	}
}

static int la_alloc_arch_reservations(struct la_alloc_args *a)
{
	struct la_reserve_piece pieces[LA_SYS_MAX_RESERVE * LA_SYS_MAX_PIECES];
	unsigned n, failed = 0;
	int err = la_sys_alloc_reserve_config(&a->sa, &a->config, pieces, &n, &failed);

	for (unsigned i = 0; i < n; i++)
		la_alloc_reserve_pieces(a, pieces[i].name, &pieces[i], 1);
	if (err) {
		fprintf(stderr, "la-alloc: %s: 0x%llx-0x%llx: %s\n", a->config.reserve_name[failed],
			(unsigned long long)a->config.reserve[failed].start,
			(unsigned long long)a->config.reserve[failed].end, la_strerror(err));
		return 1;
	}
	return 0;
}

/* --platform: the devices the arch's build_vm creates, as la-vmrun and
 * la-mkfdt have them, before the requests. */
static int la_alloc_platform(struct la_alloc_args *a)
{
	struct la_platform_opts o = LA_PLATFORM_OPTS_DEFAULT;
	const char *failed = NULL, *conflict = NULL;
	int err;

	if (!a->platform)
		return 0;
	err = la_platform_add_arch(&a->devs, &o, &failed, &conflict);
	for (unsigned i = 0; i < a->devs.ninst; i++)
		for (unsigned k = 0; k < a->devs.inst[i].n; k++)
			la_alloc_push(a, &a->devs.inst[i].g[k]);
	if (err) {
		fprintf(stderr, "la-alloc: --platform: %s: %s\n", failed ? failed : a->vm.cfg.arch->name,
			la_strerror(err));
		return 1;
	}
	return 0;
}

static int la_alloc_setup_arch(struct la_alloc_args *a)
{
	const struct la_vm_config *cfg = &a->vm.cfg;
	struct la_range ranges[LA_SYS_MAX_MMIO_RANGES];
	const struct la_req *pstore = NULL;
	unsigned nranges = 0;
	int err;

	a->phys_bits = la_vm_phys_bits(cfg, &a->phys_bits_source);
	err = cfg->arch->system_allocator_config(cfg, &a->vm.layout, &a->vm.mem, a->phys_bits,
						 &a->config);
	if (err) {
		fprintf(stderr, "la-alloc: %s: '%u': %s (%s, %s of memory)\n",
			cfg->phys_bits ? "--phys-bits" : "--mem", a->phys_bits, la_strerror(err),
			cfg->arch->name, a->vm.arg[LA_VMOPT_MEM] ? a->vm.arg[LA_VMOPT_MEM] : "256M");
		return 2;
	}
	for (unsigned i = 0; i < a->nreq; i++) {
		if (a->req[i].type == LA_REQ_MMIO_RANGE)
			ranges[nranges++] = a->req[i].range;
		if (la_req_is_pstore(&a->req[i]))
			pstore = &a->req[i];
	}
	err = la_sys_alloc_init(&a->sa, &a->config, pstore != NULL, pstore ? pstore->size : 0,
				ranges, nranges);
	if (err) {
		fprintf(stderr, "la-alloc: %s: '%s': %s%s\n", pstore ? pstore->opt : "--arch",
			pstore ? pstore->arg : cfg->arch->name, la_strerror(err),
			err == -LA_ERR_NOSPACE ? " (larger than high MMIO)" : "");
		return 1;
	}
	if (la_platform_init(&a->devs, cfg->arch, &a->sa)) {
		fprintf(stderr, "la-alloc: out of memory\n");
		return 1;
	}
	err = la_alloc_arch_reservations(a);
	return err ? err : la_alloc_platform(a);
}

/* A grant with this name, or a device with this name ("NAME.ROLE"). */
static bool la_alloc_name_matches(const struct la_grant *g, const char *name)
{
	size_t n = strlen(name);

	return !strcmp(g->name, name) || (!strncmp(g->name, name, n) && g->name[n] == '.');
}

static bool la_alloc_name_taken(const struct la_alloc_args *a, const char *name)
{
	for (unsigned i = 0; i < a->ngrants; i++) {
		const char *gn = a->grants[i].name;

		/* "x" is taken by "x" and by device "x" ("x.io"); device "x"
		 * is taken by a grant "x.io" given with --mmio too */
		if (la_alloc_name_matches(&a->grants[i], name) ||
		    (!strncmp(gn, name, strlen(gn)) && name[strlen(gn)] == '.'))
			return true;
	}
	return false;
}

/* Name what an allocator conflict id belongs to. */
static void la_alloc_conflict(const struct la_alloc_args *a, const struct la_alloc_id *id,
			      struct la_failure *f)
{
	char buf[LA_ALLOC_NAME_MAX + 32];

	for (unsigned i = 0; i < a->ngrants; i++) {
		const struct la_grant *g = &a->grants[i];

		if ((g->kind == LA_RES_MMIO || g->kind == LA_RES_IO || g->kind == LA_RES_RESERVE) &&
		    !g->fixed && la_alloc_id_eq(&g->id, id)) {
			snprintf(f->reason, sizeof(f->reason), "%s (overlaps '%s')",
				 la_strerror(f->err), g->name);
			return;
		}
	}
	snprintf(f->reason, sizeof(f->reason), "%s (overlaps %s)", la_strerror(f->err),
		 la_alloc_id_format(id, buf, sizeof(buf)));
}

static int la_alloc_named_id(const struct la_req *r, struct la_alloc_id *id)
{
	return la_alloc_id_named(r->name, id);
}

static int la_alloc_do_mmio(struct la_alloc_args *a, const struct la_req *r, struct la_grant *g)
{
	uint64_t at;
	int err = la_alloc_named_id(r, &g->id);

	if (!err)
		err = la_sys_alloc_mmio(&a->sa, r->size, &g->id, r->name, &r->mmio, &at, &g->pool);
	if (err)
		return err;
	g->range = (struct la_range){ at, at + r->size - 1 };
	snprintf(g->tag, sizeof(g->tag), "%s", g->pool == LA_MMIO_HIGH ? "high mmio" : "low mmio");
	return 0;
}

static int la_alloc_do_io(struct la_alloc_args *a, const struct la_req *r, struct la_grant *g)
{
	uint64_t at;
	int err = la_alloc_named_id(r, &g->id);

	if (!err)
		err = la_sys_alloc_io(&a->sa, r->size, &g->id, r->name, r->has_align, r->align, &at);
	if (err)
		return err;
	g->range = (struct la_range){ at, at + r->size - 1 };
	snprintf(g->tag, sizeof(g->tag), "io ports");
	return 0;
}

static int la_alloc_do_at(struct la_alloc_args *a, const struct la_req *r, struct la_grant *g,
			  struct la_failure *f)
{
	struct la_alloc_id conflict;
	int err = la_alloc_named_id(r, &g->id);

	conflict = g->id; /* stays g->id unless an allocation is in the way */
	if (!err && a->pool_mode)
		err = la_addr_alloc_allocate_at(&a->pool, r->range, &g->id, r->name, &conflict);
	else if (!err)
		err = la_sys_alloc_mmio_at(&a->sa, r->range, &g->id, r->name, &conflict, &g->pool);
	if (err == -LA_ERR_EXISTINGALLOC && !la_alloc_id_eq(&conflict, &g->id)) {
		f->err = err;
		la_alloc_conflict(a, &conflict, f);
	}
	if (err)
		return err;
	g->range = r->range;
	snprintf(g->tag, sizeof(g->tag), "%s", a->pool_mode ? "pool"
		 : g->pool == LA_MMIO_HIGH ? "high mmio" : "low mmio");
	return 0;
}

static int la_alloc_do_alloc(struct la_alloc_args *a, const struct la_req *r, struct la_grant *g)
{
	uint64_t at;
	int err = la_alloc_named_id(r, &g->id);

	if (err)
		return err;
	if (r->has_align && r->reverse)
		err = la_addr_alloc_reverse_allocate_with_align(&a->pool, r->size, &g->id, r->name,
								r->align, &at);
	else if (r->has_align)
		err = la_addr_alloc_allocate_with_align(&a->pool, r->size, &g->id, r->name,
							r->align, &at);
	else if (r->reverse)
		err = la_addr_alloc_reverse_allocate(&a->pool, r->size, &g->id, r->name, &at);
	else
		err = la_addr_alloc_allocate(&a->pool, r->size, &g->id, r->name, &at);
	if (err)
		return err;
	g->range = (struct la_range){ at, at + r->size - 1 };
	snprintf(g->tag, sizeof(g->tag), "pool");
	return 0;
}

/* The one-grant requests: fill g; the caller names and keeps it. */
static int la_alloc_do_one(struct la_alloc_args *a, const struct la_req *r, struct la_grant *g,
			   struct la_failure *f)
{
	int err;

	switch (r->type) {
	case LA_REQ_MMIO:
		g->kind = LA_RES_MMIO;
		return la_alloc_do_mmio(a, r, g);
	case LA_REQ_IO:
		g->kind = LA_RES_IO;
		return la_alloc_do_io(a, r, g);
	case LA_REQ_AT:
		g->kind = LA_RES_MMIO;
		return la_alloc_do_at(a, r, g, f);
	case LA_REQ_ALLOC:
		g->kind = LA_RES_MMIO;
		return la_alloc_do_alloc(a, r, g);
	case LA_REQ_IRQ:
		g->kind = LA_RES_IRQ;
		snprintf(g->tag, sizeof(g->tag), "irq");
		return la_sys_alloc_irq(&a->sa, r->name, &g->value);
	case LA_REQ_GPE:
		g->kind = LA_RES_GPE;
		snprintf(g->tag, sizeof(g->tag), "gpe");
		return la_sys_alloc_gpe(&a->sa, r->name, &g->value);
	case LA_REQ_PCI:
		g->kind = LA_RES_PCI;
		g->bus = r->bus;
		snprintf(g->tag, sizeof(g->tag), "pci bus %u", r->bus);
		err = la_sys_alloc_pci(&a->sa, r->bus, r->name, &g->dev, &g->func);
		return err;
	default:
		return -LA_ERR_INTERNAL;
	}
}

static int la_alloc_do_reserve(struct la_alloc_args *a, const struct la_req *r,
			       struct la_failure *f)
{
	struct la_reserve_piece pieces[LA_SYS_MAX_PIECES];
	struct la_alloc_id conflict = la_alloc_id_anon(0);
	char name[32];
	unsigned n;
	int err;

	snprintf(name, sizeof(name), "reserve%u", ++a->nreserve);
	if (la_alloc_name_taken(a, name))
		return -LA_ERR_EXISTINGALLOC;
	err = la_sys_alloc_reserve_mmio(&a->sa, r->range, pieces, &n, &conflict);
	la_alloc_reserve_pieces(a, name, pieces, n);
	if (err == -LA_ERR_EXISTINGALLOC) {
		f->err = err;
		la_alloc_conflict(a, &conflict, f);
	}
	return err;
}

static const struct la_dev_desc *la_alloc_device_type(const struct la_alloc_args *a,
						      const struct la_req *r)
{
	return r->serial_auto ? la_platform_next_serial(&a->devs) : r->dev;
}

static int la_alloc_do_device(struct la_alloc_args *a, const struct la_req *r,
			      struct la_failure *f)
{
	const struct la_dev_desc *t = la_alloc_device_type(a, r);
	struct la_grant out[LA_DEV_MAX_NEEDS];
	const char *conflict = NULL;
	char name[LA_ALLOC_NAME_MAX];
	unsigned n, row;
	int err;

	if (!t) {
		f->err = -LA_ERR_NOSPACE;
		snprintf(f->reason, sizeof(f->reason), "out of space (COM1 to COM4 are in use)");
		return f->err;
	}
	for (row = 0; la_dev_registry[row] != t; row++)
		;
	if (r->name[0])
		snprintf(name, sizeof(name), "%s", r->name);
	else if (!strcmp(t->kind, "virtio-pci"))
		snprintf(name, sizeof(name), "%s%u", t->name, a->devcount[row]);
	else
		snprintf(name, sizeof(name), "%s", t->name);
	a->devcount[row]++;
	if (la_alloc_name_taken(a, name)) {
		f->err = -LA_ERR_EXISTINGALLOC;
		snprintf(f->reason, sizeof(f->reason), "%s (the name '%s' is in use)",
			 la_strerror(f->err), name);
		return f->err;
	}
	if (t == &la_dev_pflash) { /* below the BIOS, as la-vmrun --pflash puts it */
		a->devs.bios_size = a->vm.cfg.bios_path ? a->vm.cfg.bios_size : 0;
		a->devs.pflash_size = r->size;
		err = la_pflash_check(r->size, LA_PFLASH_BLOCK_DEFAULT, a->devs.bios_size);
		if (err == -LA_ERR_TOOLARGE)
			snprintf(f->reason, sizeof(f->reason), "%s (with the BIOS, more than the 16 "
				 "MiB below 4 GiB)", la_strerror(err));
		else if (err)
			snprintf(f->reason, sizeof(f->reason), "%s (the size is not a multiple of "
				 "%u, the block size)", la_strerror(err), LA_PFLASH_BLOCK_DEFAULT);
		if (err)
			return f->err = err;
	}
	err = la_platform_add(&a->devs, t, name, out, &n, &conflict);
	for (unsigned i = 0; i < n; i++)
		la_alloc_push(a, &out[i]);
	if (err == -LA_ERR_EXISTINGALLOC && conflict)
		snprintf(f->reason, sizeof(f->reason), "%s (%s overlaps '%s')", la_strerror(err),
			 t->name, conflict);
	else if (err == -LA_ERR_UNSUPPORTED)
		snprintf(f->reason, sizeof(f->reason), "%s has no %s", a->vm.cfg.arch->name,
			 t->name);
	return err;
}

/* --pci-hotplug-slots N: the controller, then N slots, named as la-vmrun
 * names them. */
static int la_alloc_do_hotplug(struct la_alloc_args *a, const struct la_req *r,
			       struct la_failure *f)
{
	struct la_grant out[LA_DEV_MAX_NEEDS];
	char name[LA_ALLOC_NAME_MAX];
	int err = 0;

	for (unsigned i = 0; !err && i <= r->size; i++) {
		const struct la_dev_desc *t = i ? &la_dev_pci_slot : &la_dev_pci_hotplug;
		unsigned n = 0;

		snprintf(name, sizeof(name), "%s%u", t->name, i ? i - 1 : 0);
		err = la_platform_add(&a->devs, t, name, out, &n, NULL);
		for (unsigned k = 0; k < n; k++)
			la_alloc_push(a, &out[k]);
		if (err)
			snprintf(f->reason, sizeof(f->reason), "%s: %s", name, la_strerror(err));
	}
	return err;
}

static int la_alloc_release_grant(struct la_alloc_args *a, const struct la_grant *g)
{
	if (a->pool_mode)
		return la_addr_alloc_release(&a->pool, &g->id, NULL);
	la_platform_release(&a->devs, g);
	if (g->fixed)
		return 0;
	switch (g->kind) {
	case LA_RES_MMIO:
	case LA_RES_RESERVE:
		return la_addr_alloc_release(&a->sa.mmio[g->pool], &g->id, NULL);
	case LA_RES_IO:
		return la_addr_alloc_release(&a->sa.io, &g->id, NULL);
	case LA_RES_IRQ:
		/* INTx IRQs stay in generate_pci_root's pool for the VM's life */
		return g->intx ? 0 : la_sys_alloc_release_irq(&a->sa, g->value);
	case LA_RES_GPE:
		return la_sys_alloc_release_gpe(&a->sa, g->value);
	case LA_RES_PCI:
		return la_sys_alloc_release_pci(&a->sa, g->bus, g->dev, g->func);
	}
	return -LA_ERR_INTERNAL;
}

static int la_alloc_do_release(struct la_alloc_args *a, const struct la_req *r)
{
	unsigned kept = 0, released = 0;
	int err = 0;

	for (unsigned i = 0; i < a->ngrants; i++) {
		if (!err && la_alloc_name_matches(&a->grants[i], r->name)) {
			err = la_alloc_release_grant(a, &a->grants[i]);
			if (!err) {
				released++;
				continue;
			}
		}
		a->grants[kept++] = a->grants[i];
	}
	a->ngrants = kept;
	return err ? err : released ? 0 : -LA_ERR_BADALLOC;
}

static int la_alloc_do(struct la_alloc_args *a, const struct la_req *r, struct la_failure *f)
{
	struct la_grant g = { 0 };
	int err;

	switch (r->type) {
	case LA_REQ_POOL:
	case LA_REQ_MMIO_RANGE:
		return 0; /* applied when the allocator was built */
	case LA_REQ_RELEASE:
		return la_alloc_do_release(a, r);
	case LA_REQ_RESERVE:
		return la_alloc_do_reserve(a, r, f);
	case LA_REQ_PSTORE:
	case LA_REQ_DEVICE:
		return la_alloc_do_device(a, r, f);
	case LA_REQ_HOTPLUG:
		return la_alloc_do_hotplug(a, r, f);
	default:
		break;
	}
	if (la_alloc_name_taken(a, r->name)) {
		f->err = -LA_ERR_EXISTINGALLOC;
		snprintf(f->reason, sizeof(f->reason), "%s (the name '%s' is in use)",
			 la_strerror(f->err), r->name);
		return f->err;
	}
	err = la_alloc_do_one(a, r, &g, f);
	if (err)
		return err;
	snprintf(g.name, sizeof(g.name), "%s", r->name);
	la_alloc_push(a, &g);
	return 0;
}

/* The reason for a failure when the request did not give a better one. */
static void la_alloc_reason(const struct la_alloc_args *a, const struct la_req *r,
			    struct la_failure *f)
{
	if (f->reason[0])
		return;
	if (f->err == -LA_ERR_NOPOOL && r->type == LA_REQ_IO)
		snprintf(f->reason, sizeof(f->reason), "%s (%s has no IO ports)",
			 la_strerror(f->err), a->vm.cfg.arch->name);
	else if (f->err == -LA_ERR_NOSPACE && r->type == LA_REQ_MMIO &&
		 r->mmio.max_address < UINT32_MAX)
		snprintf(f->reason, sizeof(f->reason),
			 "%s (a limit below 0xffffffff cannot be guaranteed)", la_strerror(f->err));
	else
		snprintf(f->reason, sizeof(f->reason), "%s", la_strerror(f->err));
}

static void la_alloc_cleanup(struct la_alloc_args *a)
{
	if (a->pool_mode) {
		la_addr_alloc_destroy(&a->pool);
	} else {
		la_platform_destroy(&a->devs);
		la_sys_alloc_destroy(&a->sa);
	}
	free(a->grants);
	free(a->failures);
}

int la_alloc_run(struct la_alloc_args *a)
{
	int status = a->pool_mode ? la_alloc_setup_pool(a) : la_alloc_setup_arch(a);

	if (status == 0) {
		a->failures = calloc(a->nreq ? a->nreq : 1, sizeof(*a->failures));
		if (!a->failures) {
			fprintf(stderr, "la-alloc: out of memory\n");
			status = 1;
		}
	}
	if (status) {
		la_alloc_cleanup(a);
		return status;
	}
	for (unsigned i = 0; i < a->nreq; i++) {
		struct la_failure *f = &a->failures[a->nfailures];

		memset(f, 0, sizeof(*f));
		f->err = la_alloc_do(a, &a->req[i], f);
		if (!f->err)
			continue;
		f->req = &a->req[i];
		la_alloc_reason(a, &a->req[i], f);
		a->nfailures++;
		status = 1;
		if (!a->keep_going)
			break;
	}
	if (a->json)
		la_alloc_print_json(a);
	else
		la_alloc_print_text(a);
	if (a->nfailures && !a->keep_going) {
		fflush(stdout);
		fprintf(stderr, "la-alloc: %s: '%s': %s\n", a->failures[0].req->opt,
			a->failures[0].req->arg, a->failures[0].reason);
	}
	la_alloc_cleanup(a);
	return status;
}
