/* SPDX-License-Identifier: MIT */
/*
 * aarch64's hypervisor half (struct la_arch_vm_ops, lib/vm/arch_vm.h): the
 * only file with arm64 KVM ioctls. What the host's KVM offers (facts: vGIC
 * v3 or v2, ITS, PMU), the in-kernel vGIC at the addresses the tree gives
 * (lib/arch/aarch64/aarch64.h), vCPU init as crosvm's §4.6 (PSCI 0.2,
 * secondaries powered off until the guest's PSCI CPU_ON, the PMU with its
 * PPI), the boot vCPU's registers (PC = entry, x0 = the tree), device
 * interrupts as SPIs, the stolen-time (pvtime) structures and the crash
 * report's registers. The ioctls exist on
 * arm64 hosts only; elsewhere every hook that needs them says so
 * (-LA_ERR_UNSUPPORTED), while the pure parts (the SPI word, the report's
 * layout) build and are unit-tested on any host.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "err.h"
#include "vm/kvm.h"
#include "vm/arch_vm.h"
#include "vm/dtboot.h"
#include "arch/aarch64/aarch64.h"

uint32_t la_arm_irq_line_word(unsigned spi)
{
	return (LA_KVM_ARM_IRQ_TYPE_SPI << LA_KVM_ARM_IRQ_TYPE_SHIFT) |
	       ((spi + LA_ARM_GIC_SPI_BASE) & 0xffffu);
}

static void la_arm_reg(struct la_regs_dump *o, const char *name, uint64_t value, bool eol)
{
	if (o->n < LA_REGS_MAX)
		o->r[o->n++] = (struct la_reg){ name, value, 8, eol };
}

void la_arm_regs_report(const struct la_arm_regs *r, struct la_regs_dump *o)
{
	static const char *const xn[31] = {
		"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
		"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
		"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
	};

	o->n = 0;
	for (unsigned i = 0; i < 31; i++)
		la_arm_reg(o, xn[i], r->x[i], i % 4 == 3);
	la_arm_reg(o, "sp", r->sp, true);
	la_arm_reg(o, "pc", r->pc, false);
	la_arm_reg(o, "pstate", r->pstate, false);
	la_arm_reg(o, "sp_el1", r->sp_el1, false);
	la_arm_reg(o, "elr_el1", r->elr_el1, true);
	if (r->has_sys) {
		la_arm_reg(o, "esr_el1", r->esr_el1, false);
		la_arm_reg(o, "far_el1", r->far_el1, true);
	}
}

/* The PCI CAM window (8-bit register numbers) where the layout put it. */
static void la_arm_platform(const struct la_vm_boot *b, struct la_vm_platform *out)
{
	*out = (struct la_vm_platform){
		.ecam = b->layout.has_cam ? b->layout.pci_cam : LA_RANGE_EMPTY,
		.cam = true,
	};
}

/* Device IRQ n is SPI n (INTID n + 32). */
static int la_arm_irq_line(struct la_kvm *k, unsigned irq, int level)
{
	return la_kvm_irq_line(k, la_arm_irq_line_word(irq), level);
}

#if defined(__aarch64__)
#include <sys/ioctl.h>
#include <sys/mman.h>

static const struct la_kvm_cap la_arm_kvm_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL" },
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
};

/* The largest guest physical address space this KVM gives a VM (crosvm's
 * get_vm_type): the allocator's windows reach 2^ipa (lib/host_phys.c asks
 * the same), so the VM must too; 0 (40 bits) where KVM cannot say. */
static unsigned long la_arm_vm_type(struct la_kvm *k)
{
	int ipa = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);

	return ipa > 0 ? KVM_VM_TYPE_ARM_IPA_SIZE((unsigned long)ipa) : 0;
}

static int la_kvma_fail(struct la_kvm *k, const char *what)
{
	k->what = what;
	k->sys_errno = errno;
	return -LA_ERR_KVMIOCTL;
}

static bool la_arm_device_offered(struct la_kvm *k, uint32_t type)
{
	struct kvm_create_device d = { .type = type, .flags = KVM_CREATE_DEVICE_TEST };

	return ioctl(k->vm_fd, KVM_CREATE_DEVICE, &d) == 0;
}

/* A vGICv3 where KVM has one (a v2 only where asked and offered, or where
 * there is no v3); the ITS and the PMU where asked and offered. */
static int la_arm_facts(struct la_kvm *k, struct la_vm_facts *f)
{
	bool v3 = la_arm_device_offered(k, KVM_DEV_TYPE_ARM_VGIC_V3);
	bool v2 = la_arm_device_offered(k, KVM_DEV_TYPE_ARM_VGIC_V2);

	if (!v3 && !v2)
		return la_kvma_fail(k, "KVM_CREATE_DEVICE (neither a vGICv3 nor a vGICv2)");
	f->gic_v2 = !v3 || (f->gic_v2 && v2);
	f->its = f->its && !f->gic_v2 && la_arm_device_offered(k, KVM_DEV_TYPE_ARM_VGIC_ITS);
	f->pmu = f->pmu && ioctl(k->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3) > 0;
	return 0;
}

static int la_arm_dev_attr(int fd, uint32_t group, uint64_t attr, const void *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static int la_arm_create_device(struct la_kvm *k, uint32_t type, const char *what, int *fd)
{
	struct kvm_create_device d = { .type = type };

	if (ioctl(k->vm_fd, KVM_CREATE_DEVICE, &d) < 0)
		return la_kvma_fail(k, what);
	*fd = (int)d.fd;
	return 0;
}

/* The stolen-time structures (64 bytes per vCPU, crosvm's 64 KiB at
 * 0x1ff0000) where KVM offers them: anonymous memory in a slot of its own,
 * the last one KVM has, which lives as long as the process. */
static int la_arm_pvtime_map(struct la_kvm *k)
{
	struct kvm_userspace_memory_region r = {
		.guest_phys_addr = LA_ARM_PVTIME_START, .memory_size = LA_ARM_PVTIME_SIZE,
	};
	int slots = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	void *m;

	if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_STEAL_TIME) <= 0 || slots <= 8)
		return 0; /* no pvtime: the guest's stolen time stays 0 */
	m = mmap(NULL, LA_ARM_PVTIME_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return la_kvma_fail(k, "mmap(pvtime)");
	r.slot = (uint32_t)slots - 1;
	r.userspace_addr = (uint64_t)(uintptr_t)m;
	if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		munmap(m, LA_ARM_PVTIME_SIZE);
		return la_kvma_fail(k, "KVM_SET_USER_MEMORY_REGION(pvtime)");
	}
	return 0;
}

/* vCPU v's stolen-time structure, where the vCPU supports it and the
 * region is mapped. */
static int la_arm_pvtime_vcpu(struct la_kvm *k, struct la_kvm_vcpu *v)
{
	struct kvm_device_attr a = {
		.group = KVM_ARM_VCPU_PVTIME_CTRL, .attr = KVM_ARM_VCPU_PVTIME_IPA,
	};
	uint64_t ipa = LA_ARM_PVTIME_START + (uint64_t)v->id * LA_ARM_PVTIME_PER_VCPU;

	if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_STEAL_TIME) <= 0 ||
	    ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS) <= 8 ||
	    ioctl(v->fd, KVM_HAS_DEVICE_ATTR, &a) < 0)
		return 0;
	if (la_arm_dev_attr(v->fd, KVM_ARM_VCPU_PVTIME_CTRL, KVM_ARM_VCPU_PVTIME_IPA, &ipa))
		return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(pvtime)");
	return 0;
}

/* The vGIC's distributor and redistributors (v3) or CPU interface (v2),
 * its 64 interrupts, and an ITS when the facts say so. An MMIO access
 * KVM cannot decode (no valid syndrome: a load pair, say) comes out as
 * KVM_EXIT_ARM_NISV where KVM can do that (a guest crash, not a VMM
 * error). */
static int la_arm_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	const struct la_vm_facts *f = &b->facts;
	uint64_t dist = LA_ARM_GIC_DIST_BASE;
	uint64_t redist = LA_ARM_GIC_DIST_BASE - LA_ARM_GIC_REDIST_SIZE * ncpus;
	uint64_t cpui = LA_ARM_GIC_CPUI_BASE, its = LA_ARM_GIC_ITS_BASE;
	uint32_t nirqs = LA_ARM_GIC_NR_IRQS;
	int fd, err;

	if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_NISV_TO_USER) > 0) {
		struct kvm_enable_cap c = { .cap = KVM_CAP_ARM_NISV_TO_USER };

		if (ioctl(k->vm_fd, KVM_ENABLE_CAP, &c) < 0)
			return la_kvma_fail(k, "KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER)");
	}
	err = la_arm_pvtime_map(k);
	if (err)
		return err;
	if (f->gic_v2) {
		if (ncpus > LA_ARM_GICV2_MAX_CPUS) {
			k->what = "vGICv2 (at most 8 vCPUs)";
			k->sys_errno = 0;
			return -LA_ERR_UNSUPPORTED;
		}
		err = la_arm_create_device(k, KVM_DEV_TYPE_ARM_VGIC_V2,
					   "KVM_CREATE_DEVICE(vGICv2)", &fd);
		if (err)
			return err;
		k->dev_fd[0] = fd;
		if (la_arm_dev_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &dist) ||
		    la_arm_dev_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &cpui))
			return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(vGICv2 addresses)");
	} else {
		err = la_arm_create_device(k, KVM_DEV_TYPE_ARM_VGIC_V3,
					   "KVM_CREATE_DEVICE(vGICv3)", &fd);
		if (err)
			return err;
		k->dev_fd[0] = fd;
		if (la_arm_dev_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
		    la_arm_dev_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				    &redist))
			return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(vGICv3 addresses)");
	}
	if (la_arm_dev_attr(fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nirqs))
		return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(vGIC interrupts)");
	if (!f->its || f->gic_v2)
		return 0;
	err = la_arm_create_device(k, KVM_DEV_TYPE_ARM_VGIC_ITS, "KVM_CREATE_DEVICE(ITS)", &fd);
	if (err)
		return err;
	k->dev_fd[1] = fd;
	if (la_arm_dev_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &its))
		return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(ITS address)");
	return 0;
}

/* The PMU where the tree has one and this KVM has it (a --fdt run takes
 * the options' facts without asking KVM). */
static bool la_arm_use_pmu(struct la_kvm *k, const struct la_vm_boot *b)
{
	return b->facts.pmu && ioctl(k->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3) > 0;
}

#define LA_ARM_CORE(r) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(r))

static int la_arm_set_reg(struct la_kvm_vcpu *v, uint64_t id, uint64_t value)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&value };

	return ioctl(v->fd, KVM_SET_ONE_REG, &r);
}

static int la_arm_get_reg(struct la_kvm_vcpu *v, uint64_t id, uint64_t *value)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)value };

	return ioctl(v->fd, KVM_GET_ONE_REG, &r);
}

/* KVM_ARM_VCPU_INIT for the preferred target with PSCI 0.2, the PMU when
 * the facts have it, secondaries powered off (PSCI CPU_ON starts them);
 * PSTATE EL1h with DAIF masked; the boot vCPU at the entry with x0 the
 * tree's address; the PMU's interrupt (PPI 7); its stolen-time
 * structure. */
static int la_arm_vcpu_init(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			    const struct la_vm_boot *b)
{
	struct kvm_vcpu_init init;
	int pmu_irq = LA_ARM_GIC_PPI_BASE + LA_ARM_PMU_PPI;

	(void)ncpus;
	memset(&init, 0, sizeof(init));
	if (ioctl(k->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return la_kvma_fail(k, "KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (v->id != 0)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (la_arm_use_pmu(k, b))
		init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return la_kvma_fail(k, "KVM_ARM_VCPU_INIT");
	if (la_arm_set_reg(v, LA_ARM_CORE(regs.pstate), LA_ARM_PSTATE_BOOT))
		return la_kvma_fail(k, "KVM_SET_ONE_REG(pstate)");
	if (v->id == 0 && (la_arm_set_reg(v, LA_ARM_CORE(regs.pc), b->entry) ||
			   la_arm_set_reg(v, LA_ARM_CORE(regs.regs[0]), b->fdt_addr)))
		return la_kvma_fail(k, "KVM_SET_ONE_REG(pc, x0)");
	if (la_arm_use_pmu(k, b) && la_arm_dev_attr(v->fd, KVM_ARM_VCPU_PMU_V3_CTRL,
						    KVM_ARM_VCPU_PMU_V3_IRQ, &pmu_irq))
		return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(PMU interrupt)");
	return la_arm_pvtime_vcpu(k, v);
}

/* Once every vCPU exists: the vGIC, then the ITS. */
static int la_arm_irqchip_finalize(struct la_kvm *k)
{
	if (la_arm_dev_attr(k->dev_fd[0], KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
			    NULL))
		return la_kvma_fail(k, "KVM_DEV_ARM_VGIC_CTRL_INIT");
	if (k->dev_fd[1] >= 0 && la_arm_dev_attr(k->dev_fd[1], KVM_DEV_ARM_VGIC_GRP_CTRL,
						 KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		return la_kvma_fail(k, "KVM_DEV_ARM_VGIC_CTRL_INIT(ITS)");
	return 0;
}

/* After the vGIC: the PMU (KVM wants an initialized vGIC first). */
static int la_arm_vcpu_finalize(struct la_kvm *k, struct la_kvm_vcpu *v,
				const struct la_vm_boot *b)
{
	if (la_arm_use_pmu(k, b) && la_arm_dev_attr(v->fd, KVM_ARM_VCPU_PMU_V3_CTRL,
						    KVM_ARM_VCPU_PMU_V3_INIT, NULL))
		return la_kvma_fail(k, "KVM_SET_DEVICE_ATTR(PMU init)");
	return 0;
}

static int la_arm_regs_dump(struct la_kvm_vcpu *v, struct la_regs_dump *o)
{
	struct la_arm_regs r;
	int bad = 0;

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < 31; i++)
		bad |= la_arm_get_reg(v, LA_ARM_CORE(regs.regs[i]), &r.x[i]);
	bad |= la_arm_get_reg(v, LA_ARM_CORE(regs.sp), &r.sp);
	bad |= la_arm_get_reg(v, LA_ARM_CORE(regs.pc), &r.pc);
	bad |= la_arm_get_reg(v, LA_ARM_CORE(regs.pstate), &r.pstate);
	bad |= la_arm_get_reg(v, LA_ARM_CORE(sp_el1), &r.sp_el1);
	bad |= la_arm_get_reg(v, LA_ARM_CORE(elr_el1), &r.elr_el1);
	if (bad)
		return -LA_ERR_KVMIOCTL;
	r.has_sys = !la_arm_get_reg(v, ARM64_SYS_REG(3, 0, 5, 2, 0), &r.esr_el1) &&
		    !la_arm_get_reg(v, ARM64_SYS_REG(3, 0, 6, 0, 0), &r.far_el1);
	la_arm_regs_report(&r, o);
	return 0;
}

#else /* not an arm64 host: no arm64 KVM (nor its capability numbers) */

static const struct la_kvm_cap la_arm_kvm_caps[1];

static int la_arm_facts(struct la_kvm *k, struct la_vm_facts *f)
{
	(void)f;
	k->what = "arm64 KVM on a non-arm64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_arm_irqchip_create(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b)
{
	(void)ncpus, (void)b;
	k->what = "arm64 KVM on a non-arm64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_arm_vcpu_init(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			    const struct la_vm_boot *b)
{
	(void)v, (void)ncpus, (void)b;
	k->what = "arm64 KVM on a non-arm64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_arm_irqchip_finalize(struct la_kvm *k)
{
	k->what = "arm64 KVM on a non-arm64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_arm_vcpu_finalize(struct la_kvm *k, struct la_kvm_vcpu *v,
				const struct la_vm_boot *b)
{
	(void)v, (void)b;
	k->what = "arm64 KVM on a non-arm64 host";
	return -LA_ERR_UNSUPPORTED;
}

static int la_arm_regs_dump(struct la_kvm_vcpu *v, struct la_regs_dump *o)
{
	(void)v, (void)o;
	return -LA_ERR_UNSUPPORTED;
}
#endif

/* MSI routes need no irqchip entries beside them: SPIs are injected with
 * KVM_IRQ_LINE, not through routes. An MSI reaches the guest only through
 * an ITS (la-vmrun --its; without one the tree has no msi-parent and the
 * guest's PCI drivers stay on INTx), which translates by device ID. */
static unsigned la_arm_irq_routes(struct la_kvm *k, struct la_kvm_route *out, unsigned max)
{
	(void)k, (void)out, (void)max;
	return 0;
}

const struct la_arch_vm_ops la_aarch64_vm_ops = {
	.caps = la_arm_kvm_caps,
#if defined(__aarch64__)
	.ncaps = sizeof(la_arm_kvm_caps) / sizeof(la_arm_kvm_caps[0]),
#endif
	.nirqs = LA_ARM_GIC_NR_SPIS,
	.platform = la_arm_platform,
#if defined(__aarch64__)
	.vm_type = la_arm_vm_type,
#endif
	.facts = la_arm_facts,
	.irqchip_create = la_arm_irqchip_create,
	.vcpu_init = la_arm_vcpu_init,
	.irqchip_finalize = la_arm_irqchip_finalize,
	.vcpu_finalize = la_arm_vcpu_finalize,
	.irq_routes = la_arm_irq_routes,
	.msi_devid = true,
	.irq_line = la_arm_irq_line,
	.regs_dump = la_arm_regs_dump,
	.exit = NULL, /* PSCI SYSTEM_OFF/RESET are KVM_EXIT_SYSTEM_EVENT (lib/vm/vm.c) */
	.register_pci_device = NULL, /* crosvm: Unsupported on aarch64 */
};
