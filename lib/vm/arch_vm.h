/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor half of LinuxArch (crosvm's LinuxArch::configure_vcpu,
 * its irqchip and exit handling): what each arch does with KVM, behind one
 * ops table, la_arch_ops.vm, so lib/vm/vm.c and cmd/vmrun name no arch. Each
 * arch implements it in one file, lib/arch/<arch>/kvm.c, the only file
 * with that arch's #if and ioctls.
 *
 * A header of its own rather than lib/vm/kvm.h or lib/arch.h: kvm.h is the
 * generic ioctl layer the arches call, and must not know the VM, its
 * devices or its crash report; arch.h is the pure layout contract that
 * la-layout, la-alloc and la-mkfdt build against without any KVM type.
 */
#ifndef LA_VM_ARCH_VM_H
#define LA_VM_ARCH_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/kvm.h"
#include "range.h"

struct la_vm;
struct la_vm_boot;  /* the arch's build_vm result (x86_64: lib/arch/x86_64/x86boot.h) */
/* A PCI device hot-plugged into a running VM: where, and its endpoint. */
struct la_pci_dev {
	unsigned bus, dev, func;
	struct la_pci_ep *ep;
};
struct la_bus;      /* vm/bus.h */

/* One register of a crash report. bytes: its width (8: printed in an
 * aligned column; less: compact, as segment selectors); eol: the report's
 * line ends after it. */
struct la_reg {
	const char *name;   /* static text */
	uint64_t value;
	uint8_t bytes;
	bool eol;
};

#define LA_REGS_MAX 40

/* The registers printed when a guest crashes, in the arch's order. */
struct la_regs_dump {
	unsigned n;
	struct la_reg r[LA_REGS_MAX];
};

/* What the VM's devices need from build_vm's result. */
struct la_vm_platform {
	struct la_range ecam;    /* PCI ECAM window (MMIO bus); empty: none */
	bool cam;                /* ecam is a CAM window instead (8-bit register
				  * numbers: aarch64, riscv64) */
	uint16_t cmos_below;     /* CMOS memory-size values, 64 KiB units */
	uint32_t cmos_above;
	bool pci_io;             /* PCI configuration mechanism #1 at 0xcf8 */
};

/* What the host's KVM offers that the guest's device tree describes.
 * la-vmrun starts from its options' values (the same defaults as
 * la-mkfdt's), lets la_vm_facts correct them on a real run, then builds
 * the tree; --explain (no KVM) keeps the options' values. */
struct la_vm_facts {
	/* aarch64 */
	bool gic_v2;             /* the vGIC is a v2 (only v2 offered) */
	bool its;                /* an in-kernel GICv3 ITS */
	bool pmu;                /* KVM_ARM_VCPU_PMU_V3 */
	unsigned psci_major, psci_minor;
	/* riscv64 */
	bool aia;                /* in-kernel AIA (IMSIC + APLIC) offered */
	uint32_t timebase_hz;    /* the guest timer's frequency */
};

struct la_arch_vm_ops {
	/* KVM capabilities this arch's VM needs beyond the generic ones
	 * (la_kvm_check_caps), in the order they are checked */
	const struct la_kvm_cap *caps;
	unsigned ncaps;
	/* interrupt lines irq_line takes (x86_64: the IOAPIC's 24 GSIs) */
	unsigned nirqs;
	/* platform - read out of build_vm's result what the devices need. */
	void (*platform)(const struct la_vm_boot *b, struct la_vm_platform *out);
	/* vm_type - KVM_CREATE_VM's argument on this host's KVM (aarch64: its
	 * largest IPA size, as crosvm asks); NULL: 0. */
	unsigned long (*vm_type)(struct la_kvm *k);
	/* facts - on a created scratch VM (k), correct f to what this KVM
	 * gives; NULL: the options' values stand.
	 * returns: 0, -LA_ERR_KVMIOCTL, -LA_ERR_UNSUPPORTED */
	int (*facts)(struct la_kvm *k, struct la_vm_facts *f);
	/* irqchip_create - after KVM_CREATE_VM, before memory and vCPUs: the
	 * in-kernel interrupt controller and what else the VM needs first
	 * (x86_64: identity map and TSS addresses, PIC+IOAPIC+LAPICs, PIT).
	 * returns: 0, -LA_ERR_KVMIOCTL, -LA_ERR_UNSUPPORTED */
	int (*irqchip_create)(struct la_kvm *k, unsigned ncpus, const struct la_vm_boot *b);
	/* vcpu_init - vCPU v (of ncpus) from build_vm's result b (x86_64:
	 * CPUID, FPU, MSRs, LAPIC LINT0/1, the boot vCPU's registers).
	 * returns: 0, -LA_ERR_KVMIOCTL, -LA_ERR_UNSUPPORTED */
	int (*vcpu_init)(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			 const struct la_vm_boot *b);
	/* irqchip_finalize - after every vCPU exists; NULL: nothing to do.
	 * returns: 0, -LA_ERR_KVMIOCTL */
	int (*irqchip_finalize)(struct la_kvm *k);
	/* vcpu_finalize - vCPU v once the irqchip is final (aarch64: the PMU,
	 * which KVM initializes only after the vGIC); NULL: nothing to do.
	 * returns: 0, -LA_ERR_KVMIOCTL */
	int (*vcpu_finalize)(struct la_kvm *k, struct la_kvm_vcpu *v, const struct la_vm_boot *b);
	/* mmio_devices - after the platform's devices: the devices the arch's
	 * hypervisor half runs itself, on the MMIO bus (riscv64: the
	 * userspace PLIC, where KVM offers no AIA); NULL: none.
	 * returns: 0, -LA_ERR_OVERLAP, -LA_ERR_TOOMANY */
	int (*mmio_devices)(struct la_kvm *k, struct la_bus *mmio);
	/* irq_routes - the GSI routing table KVM's in-kernel irqchip starts
	 * with (x86_64: GSIs 0-15 to IOAPIC and PIC pins, 16-23 to IOAPIC
	 * pins; with a split irqchip one MSI route per userspace IOAPIC pin,
	 * which the arch changes through k->route_update), into out (room for
	 * max); the VM adds MSI routes after them (KVM_SET_GSI_ROUTING
	 * replaces the whole table). NULL: no MSI routes on this arch yet
	 * (PCI devices stay on INTx).
	 * returns: the number of entries */
	unsigned (*irq_routes)(struct la_kvm *k, struct la_kvm_route *out, unsigned max);
	/* msi_devid - MSI routes carry the PCI requester ID (aarch64: the GIC
	 * ITS translates by device ID) */
	bool msi_devid;
	/* irq_line - drive interrupt line irq (below nirqs); the arch
	 * encodes it for KVM_IRQ_LINE. returns: 0, -LA_ERR_KVMIOCTL */
	int (*irq_line)(struct la_kvm *k, unsigned irq, int level);
	/* regs_dump - the crash report's registers.
	 * returns: 0, -LA_ERR_KVMIOCTL, -LA_ERR_UNSUPPORTED */
	int (*regs_dump)(struct la_kvm_vcpu *v, struct la_regs_dump *out);
	/* exit - a KVM exit the generic loop does not handle (SBI calls, …);
	 * NULL: none. returns: true if handled (the vCPU runs on) */
	bool (*exit)(struct la_vm *vm, struct la_kvm *k, struct la_kvm_vcpu *v);
	/* register_pci_device - tell the guest that d now answers at its
	 * slot (the VM put it there; x86_64: an ACPI bus check through the
	 * hot-plug controller, lib/pci/hotplug.h); unregister_pci_device -
	 * ask the guest to release d (an eject request): the VM hears
	 * la_machine.pci_ejected once it has, and only then takes d away.
	 * Called from la_vm_hotplug_add / _remove. NULL: no hot-plug on this
	 * arch (aarch64, riscv64: their PCI has no root ports or ACPI yet).
	 * returns: 0, -LA_ERR_NOHOTPLUG (no controller in this VM) */
	int (*register_pci_device)(struct la_vm *vm, struct la_pci_dev *d);
	int (*unregister_pci_device)(struct la_vm *vm, struct la_pci_dev *d);
};

#endif
