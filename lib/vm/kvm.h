/* SPDX-License-Identifier: MIT */
/*
 * A thin layer over the generic KVM ioctls la-vmrun uses; it names no
 * arch (each arch's ioctls are in lib/arch/<arch>/kvm.c). Every failure
 * returns -LA_ERR_KVM* and leaves in struct la_kvm what failed (the device
 * path, the capability or the ioctl name) and errno, so the program can
 * say which.
 */
#ifndef LA_KVM_H
#define LA_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/guestmem.h"

struct kvm_run;
struct la_kvm_route;

struct la_kvm {
	int sys_fd;           /* /dev/kvm */
	int vm_fd;
	size_t run_size;      /* bytes of each vCPU's kvm_run mapping */
	const char *what;     /* what failed: path, KVM_CAP_* or ioctl name */
	int sys_errno;        /* errno of that failure, 0 if none */
	unsigned max_vcpus;   /* KVM_CAP_MAX_VCPUS (or NR_VCPUS) */
	unsigned long vm_type; /* KVM_CREATE_VM's argument (aarch64: the IPA
				* size), 0 by default */
	int dev_fd[2];        /* the arch's in-kernel irqchip devices
			       * (KVM_CREATE_DEVICE: aarch64's vGIC and ITS),
			       * -1: none; la_kvm_close closes them */
	/* the arch's own state of this VM (riscv64: vCPU fds, the userspace
	 * PLIC, the AIA device), made by its irqchip_create; la_kvm_close
	 * gives it to arch_free */
	void *arch;
	void (*arch_free)(void *arch);
	/* route_update - replace entry i of the irqchip's own routes (the
	 * arch's irq_routes) with r and give KVM the table again; set by the
	 * VM once its routes exist (NULL before). For an arch whose irqchip
	 * routes follow the guest (x86_64's userspace IOAPIC).
	 * returns: 0, -LA_ERR_RANGE, -LA_ERR_KVMIOCTL */
	int (*route_update)(void *ctx, unsigned i, const struct la_kvm_route *r);
	void *route_ctx;
};

struct la_kvm_vcpu {
	int fd;
	unsigned id;
	struct kvm_run *run;
};

/* la_kvm_open - open the KVM device at path and check the API version.
 * returns: 0, -LA_ERR_KVMOPEN, -LA_ERR_KVMAPI (k->sys_errno set: the
 * ioctl failed, so path is no KVM device; 0: another API version) */
int la_kvm_open(struct la_kvm *k, const char *path);

/* A KVM capability and its name, for the error. */
struct la_kvm_cap {
	int cap;              /* KVM_CAP_* */
	const char *name;     /* "KVM_CAP_IRQCHIP" */
};

/* la_kvm_check_caps - check every capability la-vmrun relies on: guest
 * memory first, then the arch's (ncaps entries at caps, in order),
 * then the vCPU kick; the first missing one is named in k->what. Reads
 * the vCPU limit and the kvm_run size. returns: 0, -LA_ERR_KVMCAP,
 * -LA_ERR_KVMIOCTL */
int la_kvm_check_caps(struct la_kvm *k, const struct la_kvm_cap *caps, unsigned ncaps);

/* la_kvm_create_vm - create the VM (of type k->vm_type).
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_create_vm(struct la_kvm *k);

/* la_kvm_set_memory - register every guest memory slot with KVM.
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_set_memory(struct la_kvm *k, const struct la_gmem *g);

/* la_kvm_vcpu_create - create vCPU id and map its kvm_run.
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_vcpu_create(struct la_kvm *k, unsigned id, struct la_kvm_vcpu *v);

void la_kvm_vcpu_close(struct la_kvm *k, struct la_kvm_vcpu *v);

/* la_kvm_irq_line - KVM_IRQ_LINE: drive line irq of the in-kernel
 * irqchip, as the arch encodes it. returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_irq_line(struct la_kvm *k, unsigned irq, int level);

/* la_kvm_ioeventfd - KVM_IOEVENTFD: a guest write of len bytes (1, 2, 4
 * or 8) to MMIO address gpa signals eventfd fd instead of exiting (on), or
 * no longer (off). returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_ioeventfd(struct la_kvm *k, uint64_t gpa, unsigned len, int fd, bool on);

/* One GSI routing entry (KVM_SET_GSI_ROUTING): an in-kernel irqchip pin or
 * an MSI message. */
struct la_kvm_route {
	uint32_t gsi;
	bool msi;
	uint32_t chip, pin;      /* irqchip */
	uint64_t addr;           /* msi */
	uint32_t data;
	bool has_devid;          /* msi: devid is the PCI requester ID (an ITS) */
	uint32_t devid;
};

/* la_kvm_set_routes - KVM_SET_GSI_ROUTING: the n entries replace the
 * whole table. returns: 0, -LA_ERR_NOMEM, -LA_ERR_KVMIOCTL */
int la_kvm_set_routes(struct la_kvm *k, const struct la_kvm_route *r, unsigned n);

/* la_kvm_signal_msi - KVM_SIGNAL_MSI: inject MSI message (addr, data)
 * (x86_64's userspace IOAPIC). A message the guest's LAPICs block counts
 * as sent. returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_signal_msi(struct la_kvm *k, uint64_t addr, uint32_t data);

/* la_kvm_irqfd - KVM_IRQFD: eventfd fd raises GSI gsi (on), or no longer.
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_irqfd(struct la_kvm *k, int fd, unsigned gsi, bool on);

/* la_kvm_close - close the VM and the device; safe to call twice. */
void la_kvm_close(struct la_kvm *k);

/* la_kvm_software_in_dir - the software KVM that serves /dev/kvm, as the
 * sysfs module folder dir ("/sys/module") shows it: "kvm_pvm" when that
 * module is loaded (no VMX/SVM: guest ring-0 code that is not PVM-aware
 * runs in KVM's instruction emulator), NULL otherwise. */
const char *la_kvm_software_in_dir(const char *dir);

/* la_kvm_sys_module_dir - "/sys/module"; test builds (tests/hooks) may
 * point it at a canned tree. */
const char *la_kvm_sys_module_dir(void);

#endif
