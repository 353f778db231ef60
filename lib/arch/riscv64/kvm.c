/* SPDX-License-Identifier: MIT */
/*
 * riscv64's hypervisor half (struct la_arch_vm_ops, lib/vm/arch_vm.h): the
 * only file with riscv KVM ioctls. What this KVM offers (its AIA device,
 * the timer's frequency), the interrupt controller (KVM's AIA where it is
 * offered, else la's userspace PLIC, lib/dev/plic.c, delivering through
 * KVM_INTERRUPT), the harts' first registers, the SBI calls KVM hands to
 * the VMM (system reset, debug console) and the crash report's registers.
 * The SBI decisions and the AIA's attributes are pure and run anywhere
 * (lib/arch/riscv64/rv_kvm.h, tests/unit/test_rv_kvm.c); the ioctls
 * compile to "unsupported" on other hosts.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/riscv64/kvm_uapi.h"
#include "arch/riscv64/riscv64.h"
#include "arch/riscv64/rv_kvm.h"
#include "dev/machine.h"
#include "dev/plic.h"
#include "err.h"
#include "vm/arch_vm.h"
#include "vm/dtboot.h"
#include "vm/kvm.h"
#include "vm/vm.h"

#define LA_RV_MAX_HARTS 256

/* ---- pure: SBI calls and the AIA's attributes ---- */

static void la_rv_sbi_answer(struct la_rv_sbi_action *a, int64_t err, uint64_t value)
{
	a->what = LA_RV_SBI_ANSWER;
	a->err = err;
	a->value = value;
}

static void la_rv_sbi_srst(const struct la_rv_sbi_call *c, struct la_rv_sbi_action *a)
{
	if (c->fid != LA_SBI_SRST_RESET || c->args[0] > UINT32_MAX)
		return la_rv_sbi_answer(a, LA_SBI_ERR_NOT_SUPPORTED, 0);
	switch (c->args[0]) {
	case LA_SBI_SRST_SHUTDOWN:
		a->what = LA_RV_SBI_POWEROFF;
		return;
	case LA_SBI_SRST_COLD_REBOOT:
	case LA_SBI_SRST_WARM_REBOOT:
		a->what = LA_RV_SBI_RESET;
		return;
	default: /* reserved and vendor reset types */
		return la_rv_sbi_answer(a, LA_SBI_ERR_INVALID_PARAM, 0);
	}
}

/* DBCN: the buffer is base_lo + 2^64 * base_hi; on RV64 base_hi must be 0. */
static void la_rv_sbi_dbcn(const struct la_rv_sbi_call *c, struct la_rv_sbi_action *a)
{
	switch (c->fid) {
	case LA_SBI_DBCN_WRITE:
		if (c->args[2] != 0 || c->args[1] + (c->args[0] ? c->args[0] - 1 : 0) < c->args[1])
			return la_rv_sbi_answer(a, LA_SBI_ERR_INVALID_PARAM, 0);
		a->what = LA_RV_SBI_WRITE;
		a->gpa = c->args[1];
		a->len = c->args[0] > LA_SBI_DBCN_MAX ? LA_SBI_DBCN_MAX : c->args[0];
		a->err = LA_SBI_SUCCESS;
		a->value = a->len;
		return;
	case LA_SBI_DBCN_READ:
		/* no input through the debug console: it reads 0 bytes */
		if (c->args[2] != 0)
			return la_rv_sbi_answer(a, LA_SBI_ERR_INVALID_PARAM, 0);
		return la_rv_sbi_answer(a, LA_SBI_SUCCESS, 0);
	case LA_SBI_DBCN_WRITE_BYTE:
		a->what = LA_RV_SBI_WRITE_BYTE;
		a->byte = (uint8_t)c->args[0];
		a->err = LA_SBI_SUCCESS;
		a->value = 0;
		return;
	default:
		return la_rv_sbi_answer(a, LA_SBI_ERR_NOT_SUPPORTED, 0);
	}
}

void la_rv_sbi_decide(const struct la_rv_sbi_call *c, struct la_rv_sbi_action *a)
{
	memset(a, 0, sizeof(*a));
	switch (c->eid) {
	case LA_SBI_EXT_SRST:
		return la_rv_sbi_srst(c, a);
	case LA_SBI_EXT_DBCN:
		return la_rv_sbi_dbcn(c, a);
	case LA_SBI_EXT_0_1_CONSOLE_PUTCHAR: /* legacy: a0 is the result */
		a->what = LA_RV_SBI_WRITE_BYTE;
		a->byte = (uint8_t)c->args[0];
		return;
	case LA_SBI_EXT_0_1_CONSOLE_GETCHAR:
		return la_rv_sbi_answer(a, -1, 0); /* no character */
	case LA_SBI_EXT_0_1_SHUTDOWN:
		a->what = LA_RV_SBI_POWEROFF;
		return;
	default:
		return la_rv_sbi_answer(a, LA_SBI_ERR_NOT_SUPPORTED, 0);
	}
}

static void la_rv_aia_add(struct la_rv_aia_attr *out, unsigned *n, uint32_t group, uint64_t attr,
			  uint64_t value, const char *what)
{
	out[(*n)++] = (struct la_rv_aia_attr){ group, attr, value, what };
}

unsigned la_rv_aia_plan(unsigned ncpus, uint32_t ids, uint32_t sources,
			struct la_rv_aia_attr *out, unsigned max)
{
	unsigned n = 0, bits = 0;

	if (ncpus == 0 || ncpus > LA_RV_MAX_HARTS || max < 4 + ncpus)
		return 0;
	while ((1u << bits) < ncpus)
		bits++;
	la_rv_aia_add(out, &n, KVM_DEV_RISCV_AIA_GRP_CONFIG, KVM_DEV_RISCV_AIA_CONFIG_IDS, ids,
		      "AIA interrupt ids");
	la_rv_aia_add(out, &n, KVM_DEV_RISCV_AIA_GRP_CONFIG, KVM_DEV_RISCV_AIA_CONFIG_SRCS,
		      sources, "AIA wired sources");
	la_rv_aia_add(out, &n, KVM_DEV_RISCV_AIA_GRP_CONFIG, KVM_DEV_RISCV_AIA_CONFIG_HART_BITS,
		      bits, "AIA hart index bits");
	la_rv_aia_add(out, &n, KVM_DEV_RISCV_AIA_GRP_ADDR, KVM_DEV_RISCV_AIA_ADDR_APLIC,
		      LA_RV_AIA_IMSIC_BASE + LA_RV_AIA_IMSIC_PER_HART * ncpus, "APLIC address");
	for (unsigned i = 0; i < ncpus; i++)
		la_rv_aia_add(out, &n, KVM_DEV_RISCV_AIA_GRP_ADDR,
			      KVM_DEV_RISCV_AIA_ADDR_IMSIC(i),
			      LA_RV_AIA_IMSIC_BASE + LA_RV_AIA_IMSIC_PER_HART * i, "IMSIC address");
	return n;
}

/* ---- the VM's own state, shared by every host ---- */

struct la_rv_vm {
	struct la_plic *plic;         /* the userspace PLIC; NULL: KVM's AIA */
	int aia_fd;                   /* KVM's AIA device, -1: none */
	unsigned ncpus;
	int vcpu_fd[LA_RV_MAX_HARTS]; /* each hart's vCPU, -1 until made */
};

/* PCI config space: the CAM window goes on the bus with the PCI host
 * (lib/pci); riscv64 has no ECAM nor port IO. */
static void la_rv_platform(const struct la_vm_boot *b, struct la_vm_platform *out)
{
	/* the PCI CAM window on the MMIO bus, as on aarch64 */
	*out = (struct la_vm_platform){
		.ecam = b->layout.has_cam ? b->layout.pci_cam : LA_RANGE_EMPTY,
		.cam = true,
	};
}

static int la_rv_mmio_devices(struct la_kvm *k, struct la_bus *mmio)
{
	struct la_rv_vm *st = k->arch;

	if (!st || !st->plic)
		return 0;
	return la_bus_add(mmio, "plic",
			  (struct la_range){ LA_PLIC_RV_BASE, LA_PLIC_RV_BASE + LA_PLIC_RV_SIZE - 1 },
			  &la_plic_ops, st->plic);
}

/* A device's line: into the PLIC, or KVM's APLIC source irq. */
static int la_rv_irq_line(struct la_kvm *k, unsigned irq, int level)
{
	struct la_rv_vm *st = k->arch;

	if (st && st->plic) {
		la_plic_irq(st->plic, irq, level);
		return 0;
	}
	return la_kvm_irq_line(k, irq, level);
}

#if defined(__riscv)
#include <sys/ioctl.h>

static const struct la_kvm_cap la_rv_kvm_caps[] = {
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
};

static void la_rv_vm_free(void *p)
{
	struct la_rv_vm *st = p;

	la_plic_destroy(st->plic);
	if (st->aia_fd >= 0)
		close(st->aia_fd);
	free(st);
}

static int la_rv_fail(struct la_kvm *k, const char *what)
{
	k->what = what;
	k->sys_errno = errno;
	return -LA_ERR_KVMIOCTL;
}

#define LA_RV_CORE(name) \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(name))
#define LA_RV_CSR(name) \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_REG(name))
#define LA_RV_TIMER_FREQ                                                                \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_TIMER |                        \
	 KVM_REG_RISCV_TIMER_REG(frequency))
#define LA_RV_SBI_EXT_REG(ext)                                                          \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_SBI_EXT | KVM_REG_RISCV_SBI_SINGLE | \
	 (ext))

static int la_rv_get_reg(int fd, uint64_t id, uint64_t *v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)v };

	return ioctl(fd, KVM_GET_ONE_REG, &r);
}

static int la_rv_set_reg(int fd, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	return ioctl(fd, KVM_SET_ONE_REG, &r);
}

/* The AIA device is there when KVM can make it (a test creation); the
 * timebase is a vCPU register, the same on every vCPU of a VM, so a
 * scratch vCPU of the scratch VM reads it: the tree (which needs it) is
 * written before the real VM's vCPUs exist. */
static int la_rv_facts(struct la_kvm *k, struct la_vm_facts *f)
{
	struct kvm_create_device d = {
		.type = KVM_DEV_TYPE_RISCV_AIA, .flags = KVM_CREATE_DEVICE_TEST,
	};
	uint64_t hz = 0;
	int fd;

	f->aia = ioctl(k->vm_fd, KVM_CREATE_DEVICE, &d) == 0;
	fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, 0UL);
	if (fd < 0)
		return la_rv_fail(k, "KVM_CREATE_VCPU (to read the timer frequency)");
	if (la_rv_get_reg(fd, LA_RV_TIMER_FREQ, &hz) < 0) {
		int e = la_rv_fail(k, "KVM_GET_ONE_REG (timer frequency)");

		close(fd);
		return e;
	}
	close(fd);
	if (hz == 0 || hz > UINT32_MAX) {
		k->what = "the timer frequency (not 1 to 2^32-1 Hz, as the tree needs)";
		k->sys_errno = 0;
		return -LA_ERR_UNSUPPORTED;
	}
	f->timebase_hz = (uint32_t)hz;
	return 0;
}

/* KVM_INTERRUPT on the hart's vCPU: its S-mode external interrupt, raised
 * or lowered (KVM accepts it from any thread). */
static void la_rv_deliver(void *ctx, unsigned context, int level)
{
	struct la_rv_vm *st = ctx;
	struct kvm_interrupt irq = { .irq = level ? KVM_INTERRUPT_SET : KVM_INTERRUPT_UNSET };

	if (context < st->ncpus && st->vcpu_fd[context] >= 0)
		ioctl(st->vcpu_fd[context], KVM_INTERRUPT, &irq);
}

static int la_rv_aia_create(struct la_kvm *k, struct la_rv_vm *st, unsigned ncpus)
{
	struct kvm_create_device d = { .type = KVM_DEV_TYPE_RISCV_AIA };
	struct la_rv_aia_attr plan[LA_RV_AIA_MAX_ATTRS];
	unsigned n = la_rv_aia_plan(ncpus, LA_RV_AIA_IDS_DEFAULT, LA_RV_AIA_SOURCES_DEFAULT, plan,
				    LA_RV_AIA_MAX_ATTRS);

	if (ioctl(k->vm_fd, KVM_CREATE_DEVICE, &d) < 0) {
		if (errno != ENODEV)
			return la_rv_fail(k, "KVM_CREATE_DEVICE (riscv AIA)");
		k->what = "KVM's riscv AIA device: not offered by this KVM, and the tree has an "
			  "AIA (la-mkfdt --irqchip plic makes one for la's userspace PLIC)";
		k->sys_errno = ENODEV;
		return -LA_ERR_UNSUPPORTED;
	}
	st->aia_fd = (int)d.fd;
	for (unsigned i = 0; i < n; i++) {
		uint32_t v32 = (uint32_t)plan[i].value;
		uint64_t v64 = plan[i].value;
		struct kvm_device_attr a = {
			.group = plan[i].group, .attr = plan[i].attr,
			.addr = plan[i].group == KVM_DEV_RISCV_AIA_GRP_CONFIG ? (uintptr_t)&v32
									      : (uintptr_t)&v64,
		};

		if (ioctl(st->aia_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
			return la_rv_fail(k, plan[i].what);
	}
	return 0;
}

static int la_rv_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	struct la_rv_vm *st;

	if (ncpus == 0 || ncpus > LA_RV_MAX_HARTS)
		return -LA_ERR_CPUS;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -LA_ERR_NOMEM;
	st->aia_fd = -1;
	st->ncpus = ncpus;
	for (unsigned i = 0; i < LA_RV_MAX_HARTS; i++)
		st->vcpu_fd[i] = -1;
	k->arch = st;
	k->arch_free = la_rv_vm_free;
	if (b->facts.aia)
		return la_rv_aia_create(k, st, ncpus);
	return la_plic_create(ncpus, LA_PLIC_NDEV, la_rv_deliver, st, &st->plic);
}

/* Every hart: a0 = its hart id, a1 = the tree, pc = the entry (as
 * crosvm); the boot hart runs, the others wait stopped for the guest's
 * SBI HSM hart_start, which KVM serves. The debug console is turned on
 * where KVM has it (KVM hands its calls to us). */
static int la_rv_vcpu_init(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			   const struct la_vm_boot *b)
{
	struct la_rv_vm *st = k->arch;
	struct kvm_mp_state stopped = { .mp_state = KVM_MP_STATE_STOPPED };

	(void)ncpus;
	if (v->id < LA_RV_MAX_HARTS)
		st->vcpu_fd[v->id] = v->fd;
	la_rv_set_reg(v->fd, LA_RV_SBI_EXT_REG(LA_KVM_RISCV_SBI_EXT_DBCN), 1);
	if (la_rv_set_reg(v->fd, LA_RV_CORE(regs.a0), v->id) < 0 ||
	    la_rv_set_reg(v->fd, LA_RV_CORE(regs.a1), b->fdt_addr) < 0 ||
	    la_rv_set_reg(v->fd, LA_RV_CORE(regs.pc), b->entry) < 0)
		return la_rv_fail(k, "KVM_SET_ONE_REG (pc, a0, a1)");
	if (v->id != 0 && ioctl(v->fd, KVM_SET_MP_STATE, &stopped) < 0)
		return la_rv_fail(k, "KVM_SET_MP_STATE (stopped)");
	return 0;
}

static int la_rv_irqchip_finalize(struct la_kvm *k)
{
	struct la_rv_vm *st = k->arch;
	struct kvm_device_attr a = {
		.group = KVM_DEV_RISCV_AIA_GRP_CTRL, .attr = KVM_DEV_RISCV_AIA_CTRL_INIT,
	};

	if (st->aia_fd >= 0 && ioctl(st->aia_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		return la_rv_fail(k, "KVM_SET_DEVICE_ATTR (AIA init)");
	return 0;
}

/* The SBI calls KVM hands to the VMM: system reset ends the VM, the debug
 * console writes to ours; the answer goes back in a0/a1 at the next
 * KVM_RUN. */
static bool la_rv_exit(struct la_vm *vm, struct la_kvm *k, struct la_kvm_vcpu *v)
{
	struct kvm_run *r = v->run;
	struct la_rv_sbi_call c = { .eid = r->riscv_sbi.extension_id,
				    .fid = r->riscv_sbi.function_id };
	struct la_rv_sbi_action a;
	const uint8_t *p;

	(void)k;
	if (r->exit_reason != KVM_EXIT_RISCV_SBI)
		return false;
	for (unsigned i = 0; i < 6; i++)
		c.args[i] = r->riscv_sbi.args[i];
	la_rv_sbi_decide(&c, &a);
	switch (a.what) {
	case LA_RV_SBI_WRITE:
		p = la_vm_guest_ptr(vm, a.gpa, a.len);
		if (!p && a.len) {
			a.err = LA_SBI_ERR_INVALID_PARAM;
			a.value = 0;
		} else if (a.len) {
			la_vm_console_write(vm, p, a.len);
		}
		break;
	case LA_RV_SBI_WRITE_BYTE:
		la_vm_console_write(vm, &a.byte, 1);
		break;
	case LA_RV_SBI_POWEROFF:
		la_vm_guest_exit(vm, LA_FATE_POWEROFF, "SBI system reset: shutdown");
		break;
	case LA_RV_SBI_RESET:
		la_vm_guest_exit(vm, LA_FATE_RESET, "SBI system reset: reboot");
		break;
	case LA_RV_SBI_ANSWER:
		break;
	}
	r->riscv_sbi.ret[0] = (unsigned long)a.err;
	r->riscv_sbi.ret[1] = (unsigned long)a.value;
	return true;
}

static void la_rv_reg(struct la_regs_dump *o, const char *name, uint64_t value, bool eol)
{
	if (o->n < LA_REGS_MAX)
		o->r[o->n++] = (struct la_reg){ name, value, 8, eol };
}

/* pc, ra, sp, gp, tp, t0-t6, s0-s11, a0-a7 (four a line), then sstatus,
 * scause and stval where KVM gives them. */
static int la_rv_regs_dump(struct la_kvm_vcpu *v, struct la_regs_dump *o)
{
	static const struct { const char *name; uint64_t id; } core[] = {
		{ "pc", LA_RV_CORE(regs.pc) }, { "ra", LA_RV_CORE(regs.ra) },
		{ "sp", LA_RV_CORE(regs.sp) }, { "gp", LA_RV_CORE(regs.gp) },
		{ "tp", LA_RV_CORE(regs.tp) }, { "t0", LA_RV_CORE(regs.t0) },
		{ "t1", LA_RV_CORE(regs.t1) }, { "t2", LA_RV_CORE(regs.t2) },
		{ "t3", LA_RV_CORE(regs.t3) }, { "t4", LA_RV_CORE(regs.t4) },
		{ "t5", LA_RV_CORE(regs.t5) }, { "t6", LA_RV_CORE(regs.t6) },
		{ "s0", LA_RV_CORE(regs.s0) }, { "s1", LA_RV_CORE(regs.s1) },
		{ "s2", LA_RV_CORE(regs.s2) }, { "s3", LA_RV_CORE(regs.s3) },
		{ "s4", LA_RV_CORE(regs.s4) }, { "s5", LA_RV_CORE(regs.s5) },
		{ "s6", LA_RV_CORE(regs.s6) }, { "s7", LA_RV_CORE(regs.s7) },
		{ "s8", LA_RV_CORE(regs.s8) }, { "s9", LA_RV_CORE(regs.s9) },
		{ "s10", LA_RV_CORE(regs.s10) }, { "s11", LA_RV_CORE(regs.s11) },
		{ "a0", LA_RV_CORE(regs.a0) }, { "a1", LA_RV_CORE(regs.a1) },
		{ "a2", LA_RV_CORE(regs.a2) }, { "a3", LA_RV_CORE(regs.a3) },
		{ "a4", LA_RV_CORE(regs.a4) }, { "a5", LA_RV_CORE(regs.a5) },
		{ "a6", LA_RV_CORE(regs.a6) }, { "a7", LA_RV_CORE(regs.a7) },
	};
	static const struct { const char *name; uint64_t id; } csr[] = {
		{ "sstatus", LA_RV_CSR(sstatus) }, { "scause", LA_RV_CSR(scause) },
		{ "stval", LA_RV_CSR(stval) },
	};
	uint64_t val;

	o->n = 0;
	for (unsigned i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
		if (la_rv_get_reg(v->fd, core[i].id, &val) < 0)
			return -LA_ERR_KVMIOCTL;
		la_rv_reg(o, core[i].name, val, i % 4 == 3);
	}
	for (unsigned i = 0; i < sizeof(csr) / sizeof(csr[0]); i++)
		if (la_rv_get_reg(v->fd, csr[i].id, &val) == 0)
			la_rv_reg(o, csr[i].name, val, i == 2);
	if (o->n)
		o->r[o->n - 1].eol = true;
	return 0;
}

#else /* not a riscv64 host: no riscv KVM (nor its register numbers) */

static const struct la_kvm_cap la_rv_kvm_caps[1];

static int la_rv_facts(struct la_kvm *k, struct la_vm_facts *f)
{
	(void)f;
	k->what = "riscv64 KVM on a non-riscv64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_rv_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	(void)ncpus, (void)b;
	k->what = "riscv64 KVM on a non-riscv64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_rv_vcpu_init(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			   const struct la_vm_boot *b)
{
	(void)v, (void)ncpus, (void)b;
	k->what = "riscv64 KVM on a non-riscv64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_rv_irqchip_finalize(struct la_kvm *k)
{
	(void)k;
	return -LA_ERR_UNSUPPORTED;
}

static bool la_rv_exit(struct la_vm *vm, struct la_kvm *k, struct la_kvm_vcpu *v)
{
	(void)vm, (void)k, (void)v;
	return false;
}

static int la_rv_regs_dump(struct la_kvm_vcpu *v, struct la_regs_dump *o)
{
	(void)v, (void)o;
	return -LA_ERR_UNSUPPORTED;
}
#endif

const struct la_arch_vm_ops la_riscv64_vm_ops = {
	.caps = la_rv_kvm_caps,
#if defined(__riscv)
	.ncaps = sizeof(la_rv_kvm_caps) / sizeof(la_rv_kvm_caps[0]),
#endif
	.nirqs = LA_PLIC_NDEV + 1, /* sources 1..1023, as the PLIC's and the APLIC's */
	.platform = la_rv_platform,
	.facts = la_rv_facts,
	.irqchip_create = la_rv_irqchip_create,
	.vcpu_init = la_rv_vcpu_init,
	.irqchip_finalize = la_rv_irqchip_finalize,
	.mmio_devices = la_rv_mmio_devices,
	.irq_line = la_rv_irq_line,
	.regs_dump = la_rv_regs_dump,
	.exit = la_rv_exit,
	.register_pci_device = NULL, /* crosvm's riscv64: Unsupported */
};
