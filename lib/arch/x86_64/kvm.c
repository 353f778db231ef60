/* SPDX-License-Identifier: MIT */
/*
 * x86_64's hypervisor half (struct la_arch_vm_ops, lib/vm/arch_vm.h): the
 * only file with x86 KVM ioctls. VM setup (identity map, TSS, irqchip,
 * PIT), vCPU configuration from the pure boot state of
 * lib/arch/x86_64/cpu.c, interrupt lines and the crash report's
 * registers. The ioctls compile to stubs on other hosts (they do not
 * exist there).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vm/kvm.h"
#include "vm/arch_vm.h"
#include "vm/vm.h"
#include "pci/hotplug.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

#define LA_X86_IOAPIC_PINS 24

static void la_x86_platform(const struct la_vm_boot *b, struct la_vm_platform *out)
{
	*out = (struct la_vm_platform){
		.ecam = b->ecam, .cmos_below = b->cmos_below, .cmos_above = b->cmos_above,
		.pci_io = true,
	};
}

/* KVM's default routing for the PIC+IOAPIC irqchip: GSI n to IOAPIC pin
 * n, and below 16 also to pin n % 8 of the master (n < 8) or slave PIC. */
static unsigned la_x86_irq_routes(struct la_kvm_route *out, unsigned max)
{
	unsigned n = 0;

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

/* GSI n is IOAPIC pin n (and PIC line n below 16): no encoding. */
static int la_x86_irq_line(struct la_kvm *k, unsigned irq, int level)
{
	return la_kvm_irq_line(k, irq, level);
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

static int la_x86_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	uint64_t idmap = LA_X86_IDENTITY_MAP_ADDR;
	struct kvm_pit_config pit = { .flags = 0 };

	(void)ncpus;
	(void)b;
	if (ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		return la_kvmx_fail(k, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LA_X86_TSS_ADDR) < 0)
		return la_kvmx_fail(k, "KVM_SET_TSS_ADDR");
	if (ioctl(k->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return la_kvmx_fail(k, "KVM_CREATE_IRQCHIP");
	if (ioctl(k->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return la_kvmx_fail(k, "KVM_CREATE_PIT2");
	return 0;
}

/* KVM's supported CPUID, grown until it fits. Caller frees. */
static struct kvm_cpuid2 *la_kvm_supported_cpuid(struct la_kvm *k)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
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
	.regs_dump = la_x86_regs_dump,
	.exit = NULL,
	.register_pci_device = la_x86_register_pci_device,
	.unregister_pci_device = la_x86_unregister_pci_device,
};
