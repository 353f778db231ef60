/* SPDX-License-Identifier: MIT */
/*
 * x86_64's hypervisor half (struct la_arch_vm_ops, lib/vm/arch_vm.h): the
 * only file with x86 KVM ioctls. VM setup (identity map, TSS, and the
 * irqchip: KVM's PIC+IOAPIC+LAPICs and PIT, or a split irqchip, the LAPICs
 * in KVM and la's IOAPIC, lib/dev/ioapic.h, with no PIC and no PIT), vCPU
 * configuration from the pure boot state of
 * lib/arch/x86_64/cpu.c, interrupt lines and the crash report's
 * registers. The ioctls compile to stubs on other hosts (they do not
 * exist there).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "dev/ioapic.h"
#include "err.h"
#include "vm/bus.h"
#include "vm/kvm.h"
#include "vm/arch_vm.h"
#include "vm/vm.h"
#include "pci/hotplug.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

#define LA_X86_IOAPIC_PINS LA_IOAPIC_PINS

/* The split irqchip's state (k->arch; NULL with KVM's own irqchip): the
 * userspace IOAPIC and the MSI route of each of its pins (GSI = pin),
 * through which KVM knows which vectors' EOIs to hand back
 * (KVM_EXIT_IOAPIC_EOI: it scans the MSI routes of the reserved GSIs). */
struct la_x86_vm {
	struct la_kvm *k;
	struct la_ioapic *ioapic;
	struct la_kvm_route route[LA_X86_IOAPIC_PINS];
};

/* A pin fired: its message through KVM. A failure can only be a message
 * KVM refuses, and the IOAPIC composes only LAPIC-address messages; the
 * guest cannot make it fail, so it is not an error of the VM. */
static void la_x86_ioapic_deliver(void *ctx, uint64_t addr, uint32_t data)
{
	struct la_x86_vm *st = ctx;

	(void)la_kvm_signal_msi(st->k, addr, data);
}

/* The guest reprogrammed pin: its route follows, so a level-triggered
 * vector's EOI exits. (A refused table leaves the old one: the pin's
 * EOIs may then be missed, never memory touched.) */
static void la_x86_ioapic_route(void *ctx, unsigned pin, uint64_t addr, uint32_t data)
{
	struct la_x86_vm *st = ctx;

	st->route[pin].addr = addr;
	st->route[pin].data = data;
	if (st->k->route_update)
		(void)st->k->route_update(st->k->route_ctx, pin, &st->route[pin]);
}

static void la_x86_vm_free(void *p)
{
	struct la_x86_vm *st = p;

	la_ioapic_destroy(st->ioapic);
	free(st);
}

/* The split irqchip's state, its IOAPIC's pins masked. */
static int la_x86_split_state(struct la_kvm *k)
{
	struct la_x86_vm *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -LA_ERR_NOMEM;
	st->k = k;
	for (unsigned i = 0; i < LA_X86_IOAPIC_PINS; i++)
		st->route[i] = (struct la_kvm_route){ .gsi = i, .msi = true,
						      .addr = LA_MSI_ADDR_BASE };
	err = la_ioapic_create(la_x86_ioapic_deliver, la_x86_ioapic_route, st, &st->ioapic);
	if (err) {
		free(st);
		return err;
	}
	k->arch = st;
	k->arch_free = la_x86_vm_free;
	return 0;
}

static void la_x86_platform(const struct la_vm_boot *b, struct la_vm_platform *out)
{
	*out = (struct la_vm_platform){
		.ecam = b->ecam, .cmos_below = b->cmos_below, .cmos_above = b->cmos_above,
		.pci_io = true,
	};
}

/* KVM's default routing for the PIC+IOAPIC irqchip: GSI n to IOAPIC pin
 * n, and below 16 also to pin n % 8 of the master (n < 8) or slave PIC.
 * Split: the userspace IOAPIC's pins as MSI routes (GSI n: pin n). */
static unsigned la_x86_irq_routes(struct la_kvm *k, struct la_kvm_route *out, unsigned max)
{
	struct la_x86_vm *st = k->arch;
	unsigned n = 0;

	if (st) {
		for (unsigned i = 0; i < LA_X86_IOAPIC_PINS && i < max; i++)
			out[i] = st->route[i];
		return LA_X86_IOAPIC_PINS;
	}
	for (unsigned gsi = 0; gsi < LA_X86_IOAPIC_PINS; gsi++) {
		if (n < max)
			out[n] = (struct la_kvm_route){ .gsi = gsi, .chip = 2 /* IOAPIC */,
							.pin = gsi };
		n++;
		if (gsi >= 16)
			continue;
		if (n < max)
			out[n] = (struct la_kvm_route){ .gsi = gsi, .chip = gsi < 8 ? 0 : 1,
							.pin = gsi % 8 };
		n++;
	}
	return n;
}

/* GSI n is IOAPIC pin n (and PIC line n below 16): no encoding. Split:
 * the userspace IOAPIC's pin n. */
static int la_x86_irq_line(struct la_kvm *k, unsigned irq, int level)
{
	struct la_x86_vm *st = k->arch;

	if (st) {
		la_ioapic_irq(st->ioapic, irq, level);
		return 0;
	}
	return la_kvm_irq_line(k, irq, level);
}

/* Split: the IOAPIC at its address on the MMIO bus (KVM's own IOAPIC
 * takes the range in the kernel otherwise). */
static int la_x86_mmio_devices(struct la_kvm *k, struct la_bus *mmio)
{
	struct la_x86_vm *st = k->arch;

	if (!st)
		return 0;
	return la_bus_add(mmio, "ioapic",
			  (struct la_range){ LA_X86_IOAPIC_BASE,
					     LA_X86_IOAPIC_BASE + LA_X86_IOAPIC_SIZE - 1 },
			  &la_ioapic_ops, st->ioapic);
}

/* Split: the guest's EOI of a level-triggered IOAPIC vector. */
static bool la_x86_exit(struct la_vm *vm, struct la_kvm *k, struct la_kvm_vcpu *v)
{
	struct la_x86_vm *st = k->arch;

	(void)vm;
	if (!st || v->run->exit_reason != KVM_EXIT_IOAPIC_EOI)
		return false;
	la_ioapic_eoi(st->ioapic, v->run->eoi.vector);
	return true;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/ioctl.h>

#include "bytes.h"

/* Beyond the generic ones (lib/vm/kvm.c), in the order la-vmrun has always
 * checked them. */
static const struct la_kvm_cap la_x86_kvm_caps[] = {
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
};

static int la_kvmx_fail(struct la_kvm *k, const char *what)
{
	k->what = what;
	k->sys_errno = errno;
	return -LA_ERR_KVMIOCTL;
}

static void la_x86_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	__cpuid_count(leaf, sub, out[0], out[1], out[2], out[3]);
}

/* Split: the LAPICs in KVM, GSIs 0-23 reserved for the userspace IOAPIC's
 * routes; no PIC, no PIT. */
static int la_x86_split_create(struct la_kvm *k)
{
	struct kvm_enable_cap c = { .cap = KVM_CAP_SPLIT_IRQCHIP,
				    .args[0] = LA_X86_IOAPIC_PINS };

	if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0) {
		k->what = "KVM_CAP_SPLIT_IRQCHIP";
		k->sys_errno = 0;
		return -LA_ERR_KVMCAP;
	}
	if (ioctl(k->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI) <= 0) {
		k->what = "KVM_CAP_SIGNAL_MSI";
		k->sys_errno = 0;
		return -LA_ERR_KVMCAP;
	}
	if (ioctl(k->vm_fd, KVM_ENABLE_CAP, &c) < 0)
		return la_kvmx_fail(k, "KVM_ENABLE_CAP (KVM_CAP_SPLIT_IRQCHIP)");
	return la_x86_split_state(k);
}

static int la_x86_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	uint64_t idmap = LA_X86_IDENTITY_MAP_ADDR;
	struct kvm_pit_config pit = { .flags = 0 };

	(void)ncpus;
	if (ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		return la_kvmx_fail(k, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LA_X86_TSS_ADDR) < 0)
		return la_kvmx_fail(k, "KVM_SET_TSS_ADDR");
	if (b->split_irqchip)
		return la_x86_split_create(k);
	if (ioctl(k->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return la_kvmx_fail(k, "KVM_CREATE_IRQCHIP");
	if (ioctl(k->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return la_kvmx_fail(k, "KVM_CREATE_PIT2");
	return 0;
}

/* KVM's supported CPUID, grown until it fits; first asked with room for
 * KVM_MAX_CPUID_ENTRIES (256 in Linux since 5.x), so one call does (a
 * smaller first try fails E2BIG and costs a second). Caller frees. */
static struct kvm_cpuid2 *la_kvm_supported_cpuid(struct la_kvm *k)
{
	for (unsigned n = 256; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(k->sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

static int la_kvm_x86_cpuid(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus)
{
	bool tsc_deadline = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	struct kvm_cpuid2 *c = la_kvm_supported_cpuid(k);
	struct la_cpuid_entry *t;
	struct la_x86_cpuid_cfg cfg = {
		.vcpu_id = v->id, .ncpus = ncpus, .x2apic = true,
		.tsc_deadline = tsc_deadline, .host = la_x86_host_cpuid,
	};
	int rc = 0;

	if (!c)
		return la_kvmx_fail(k, "KVM_GET_SUPPORTED_CPUID");
	t = calloc(c->nent ? c->nent : 1, sizeof(*t));
	if (!t) {
		free(c);
		return la_kvmx_fail(k, "KVM_GET_SUPPORTED_CPUID");
	}
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		t[i] = (struct la_cpuid_entry){ e->function, e->index, e->flags,
						e->eax, e->ebx, e->ecx, e->edx };
	}
	la_x86_cpuid_adjust(t, c->nent, &cfg);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		e->eax = t[i].eax, e->ebx = t[i].ebx, e->ecx = t[i].ecx, e->edx = t[i].edx;
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
		rc = la_kvmx_fail(k, "KVM_SET_CPUID2");
	free(t);
	free(c);
	return rc;
}

static void la_kvm_seg(struct kvm_segment *d, const struct la_x86_segment *s)
{
	*d = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
		.present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l,
		.g = s->g, .avl = s->avl,
	};
}

static int la_kvm_x86_boot_regs(struct la_kvm *k, struct la_kvm_vcpu *v,
				const struct la_x86_boot_cpu *c)
{
	struct kvm_regs r = {
		.rip = c->rip, .rsp = c->rsp, .rsi = c->rsi, .rax = c->rax, .rbx = c->rbx,
		.rflags = c->rflags,
	};
	struct kvm_sregs s;

	if (c->mode == LA_X86_MODE_RESET)
		return 0; /* the reset state KVM gives is the BIOS entry */
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return la_kvmx_fail(k, "KVM_GET_SREGS");
	la_kvm_seg(&s.cs, &c->cs);
	la_kvm_seg(&s.ds, &c->data);
	s.es = s.fs = s.gs = s.ss = s.ds;
	la_kvm_seg(&s.tr, &c->tr);
	s.gdt.base = c->gdt_base;
	s.gdt.limit = c->gdt_limit;
	s.idt.base = c->idt_base;
	s.idt.limit = c->idt_limit;
	s.cr0 = c->cr0;
	s.cr3 = c->cr3;
	s.cr4 = c->cr4;
	s.efer = c->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return la_kvmx_fail(k, "KVM_SET_SREGS");
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return la_kvmx_fail(k, "KVM_SET_REGS");
	return 0;
}

static int la_msr_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct kvm_msr_entry *)a)->index;
	uint32_t y = ((const struct kvm_msr_entry *)b)->index;

	return x < y ? -1 : x > y;
}

static bool la_msr_is_mtrr(uint32_t i)
{
	return (i >= 0x200 && i <= 0x2fe) || i == 0x2ff;
}

/* Variable MTRRs the vCPU has: MTRRcap[7:0], 0 if unreadable. */
static unsigned la_kvm_mtrr_vcnt(struct la_kvm_vcpu *v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1];
	} m = { .h.nmsrs = 1, .e[0].index = 0xfe };

	if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
		return 0;
	return (unsigned)(m.e[0].data & 0xff);
}

static int la_kvm_x86_msrs(struct la_kvm *k, struct la_kvm_vcpu *v,
			   const struct la_x86_boot_cpu *c)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[LA_X86_MAX_BOOT_MSRS];
	} m;
	unsigned mtrrs = 0, n = 0;
	bool skip_mtrr;

	for (unsigned i = 0; i < c->nmsrs; i++)
		mtrrs += la_msr_is_mtrr(c->msrs[i].index);
	skip_mtrr = mtrrs / 2 > la_kvm_mtrr_vcnt(v);
	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < c->nmsrs; i++) {
		if (skip_mtrr && la_msr_is_mtrr(c->msrs[i].index))
			continue;
		m.e[n].index = c->msrs[i].index;
		m.e[n].data = c->msrs[i].value;
		n++;
	}
	qsort(m.e, n, sizeof(m.e[0]), la_msr_cmp);
	m.h.nmsrs = n;
	if (ioctl(v->fd, KVM_SET_MSRS, &m) != (int)n)
		return la_kvmx_fail(k, "KVM_SET_MSRS");
	return 0;
}

static int la_kvm_x86_fpu_lint(struct la_kvm *k, struct la_kvm_vcpu *v)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_lapic_state l;
	uint8_t *lvt0 = (uint8_t *)l.regs + 0x350, *lvt1 = (uint8_t *)l.regs + 0x360;

	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return la_kvmx_fail(k, "KVM_SET_FPU");
	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return la_kvmx_fail(k, "KVM_GET_LAPIC");
	la_put32(lvt0, (la_get32(lvt0) & ~0x700u) | (7u << 8)); /* ExtINT */
	la_put32(lvt1, (la_get32(lvt1) & ~0x700u) | (4u << 8)); /* NMI */
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0)
		return la_kvmx_fail(k, "KVM_SET_LAPIC");
	return 0;
}

/* CPUID, FPU, MSRs (MTRRs only if the vCPU has enough variable ranges),
 * LAPIC LINT0/1 and, for the boot vCPU (id 0), registers and segments. */
static int la_x86_vcpu_init(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			    const struct la_vm_boot *b)
{
	int err = la_kvm_x86_cpuid(k, v, ncpus);

	if (!err && v->id == 0)
		err = la_kvm_x86_boot_regs(k, v, &b->cpu);
	if (!err)
		err = la_kvm_x86_fpu_lint(k, v);
	if (!err)
		err = la_kvm_x86_msrs(k, v, &b->cpu);
	return err;
}

static void la_x86_reg(struct la_regs_dump *o, const char *name, uint64_t value,
		       uint8_t bytes, bool eol)
{
	if (o->n < LA_REGS_MAX)
		o->r[o->n++] = (struct la_reg){ name, value, bytes, eol };
}

/* Three 64-bit registers a line, then the control registers, EFER and
 * the CS and SS selectors. */
static int la_x86_regs_dump(struct la_kvm_vcpu *v, struct la_regs_dump *o)
{
	static const char *const names[18] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
		"r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
	};
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -LA_ERR_KVMIOCTL;
	uint64_t g[18] = { r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.r8, r.r9,
			   r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags };
	o->n = 0;
	for (unsigned i = 0; i < 18; i++)
		la_x86_reg(o, names[i], g[i], 8, i % 3 == 2);
	la_x86_reg(o, "cr0", s.cr0, 8, false);
	la_x86_reg(o, "cr2", s.cr2, 8, false);
	la_x86_reg(o, "cr3", s.cr3, 8, true);
	la_x86_reg(o, "cr4", s.cr4, 8, false);
	la_x86_reg(o, "efer", s.efer, 8, false);
	la_x86_reg(o, "cs", s.cs.selector, 2, false);
	la_x86_reg(o, "ss", s.ss.selector, 2, true);
	return 0;
}

#else /* not an x86 host: no x86 KVM (nor its capability numbers) */

static const struct la_kvm_cap la_x86_kvm_caps[1];

static int la_x86_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	(void)ncpus;
	(void)b;
	k->what = "x86 KVM on a non-x86 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_x86_vcpu_init(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			    const struct la_vm_boot *b)
{
	(void)v, (void)ncpus, (void)b;
	k->what = "x86 KVM on a non-x86 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_x86_regs_dump(struct la_kvm_vcpu *v, struct la_regs_dump *o)
{
	(void)v, (void)o;
	return -LA_ERR_UNSUPPORTED;
}
#endif

/* ---- PCI hot-plug: ACPI, through the controller (lib/pci/hotplug.h) ---- */

static int la_x86_pci_hotplug(struct la_vm *vm, const struct la_pci_dev *d, bool plug)
{
	struct la_pcihp *h = la_vm_dev_state(vm, &la_dev_pci_hotplug);

	if (!h || d->bus != 0)
		return -LA_ERR_NOHOTPLUG;
	la_vm_io_lock(vm, true);
	if (plug)
		la_pcihp_plug(h, d->dev);
	else
		la_pcihp_unplug(h, d->dev);
	la_vm_io_lock(vm, false);
	return 0;
}

static int la_x86_register_pci_device(struct la_vm *vm, struct la_pci_dev *d)
{
	return la_x86_pci_hotplug(vm, d, true);
}

static int la_x86_unregister_pci_device(struct la_vm *vm, struct la_pci_dev *d)
{
	return la_x86_pci_hotplug(vm, d, false);
}

const struct la_arch_vm_ops la_x86_64_vm_ops = {
	.caps = la_x86_kvm_caps,
#if defined(__x86_64__)
	.ncaps = sizeof(la_x86_kvm_caps) / sizeof(la_x86_kvm_caps[0]),
#endif
	.nirqs = LA_X86_IOAPIC_PINS,
	.platform = la_x86_platform,
	.irqchip_create = la_x86_irqchip_create,
	.vcpu_init = la_x86_vcpu_init,
	.irqchip_finalize = NULL,
	.irq_routes = la_x86_irq_routes,
	.irq_line = la_x86_irq_line,
	.mmio_devices = la_x86_mmio_devices,
	.regs_dump = la_x86_regs_dump,
	.exit = la_x86_exit,
	.register_pci_device = la_x86_register_pci_device,
	.unregister_pci_device = la_x86_unregister_pci_device,
};
