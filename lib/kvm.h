/* SPDX-License-Identifier: MIT */
/*
 * A thin layer over the KVM ioctls la-vmrun uses. Every failure returns
 * -LA_ERR_KVM* and leaves in struct la_kvm what failed (the device path, the
 * capability or the ioctl name) and errno, so the program can say which.
 */
#ifndef LA_KVM_H
#define LA_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"
#include "x86boot.h"

struct kvm_run;

struct la_kvm {
	int sys_fd;           /* /dev/kvm */
	int vm_fd;
	size_t run_size;      /* bytes of each vCPU's kvm_run mapping */
	const char *what;     /* what failed: path, KVM_CAP_* or ioctl name */
	int sys_errno;        /* errno of that failure, 0 if none */
	bool tsc_deadline;    /* KVM_CAP_TSC_DEADLINE_TIMER */
	unsigned max_vcpus;   /* KVM_CAP_MAX_VCPUS (or NR_VCPUS) */
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

/* la_kvm_check_caps - check every capability la-vmrun relies on; the
 * first missing one is named in k->what. returns: 0, -LA_ERR_KVMCAP */
int la_kvm_check_caps(struct la_kvm *k);

/* la_kvm_create_vm - create the VM. returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_create_vm(struct la_kvm *k);

/* la_kvm_set_memory - register every guest memory slot with KVM.
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_set_memory(struct la_kvm *k, const struct la_gmem *g);

/* la_kvm_vcpu_create - create vCPU id and map its kvm_run.
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_vcpu_create(struct la_kvm *k, unsigned id, struct la_kvm_vcpu *v);

void la_kvm_vcpu_close(struct la_kvm *k, struct la_kvm_vcpu *v);

/* la_kvm_irq_line - drive interrupt line gsi of the in-kernel irqchip.
 * returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_irq_line(struct la_kvm *k, unsigned gsi, int level);

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

/* ---- x86 (lib/kvm_x86.c) ---- */

/* la_kvm_x86_vm_setup - identity map and TSS addresses, in-kernel irqchip
 * (PIC, IOAPIC, LAPICs) and PIT. returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_x86_vm_setup(struct la_kvm *k);

/* la_kvm_x86_vcpu_configure - CPUID, FPU, MSRs (MTRRs only if the vCPU has
 * enough variable ranges), LAPIC LINT0/1 and, for the boot vCPU (boot
 * non-NULL), registers and segments. returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_x86_vcpu_configure(struct la_kvm *k, struct la_kvm_vcpu *v, unsigned ncpus,
			      const struct la_x86_boot_cpu *cpu, bool boot);

/* The registers printed when a guest crashes. */
struct la_x86_regs_dump {
	uint64_t gpr[18]; /* rax rbx rcx rdx rsi rdi rsp rbp r8-r15 rip rflags */
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint16_t cs, ss;
};

/* la_kvm_x86_vcpu_regs - read the vCPU's registers. returns: 0, -LA_ERR_KVMIOCTL */
int la_kvm_x86_vcpu_regs(struct la_kvm_vcpu *v, struct la_x86_regs_dump *out);

/* la_x86_host_phys_bits - guest physical address bits KVM gives: host
 * CPUID 0x80000008 EAX[7:0], 36 if the leaf is absent. */
unsigned la_x86_host_phys_bits(void);

/* la_x86_host_cpuid - the host's CPUID leaf/subleaf (zeros off x86). */
void la_x86_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]);

#endif
