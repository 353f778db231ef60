/* SPDX-License-Identifier: MIT */
/*
 * aarch64's fixed guest addresses that both its halves use: the layout and
 * tree (lib/arch/aarch64/aarch64.c) and the hypervisor half
 * (lib/arch/aarch64/kvm.c, which puts the vGIC where the tree says it is),
 * plus the pure pieces of the hypervisor half that unit tests pin: the
 * KVM_IRQ_LINE word of an SPI and the crash report's registers.
 */
#ifndef LA_ARCH_AARCH64_H
#define LA_ARCH_AARCH64_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/arch_vm.h"

/* The GIC, below the ITS at 1 GiB (crosvm's §4.1): the distributor's 64 KiB
 * end at 1 GiB - 64 KiB; GICv3 redistributors (128 KiB per vCPU) grow down
 * from it; a GICv2's CPU interface takes the 128 KiB below it instead. */
#define LA_ARM_GIC_DIST_BASE 0x3fff0000ULL
#define LA_ARM_GIC_DIST_SIZE 0x10000ULL
#define LA_ARM_GIC_CPUI_BASE (LA_ARM_GIC_DIST_BASE - 0x20000ULL)
#define LA_ARM_GIC_CPUI_SIZE 0x20000ULL
#define LA_ARM_GIC_REDIST_SIZE 0x20000ULL
#define LA_ARM_GIC_ITS_BASE 0x40000000ULL
#define LA_ARM_GIC_ITS_SIZE 0x20000ULL
#define LA_ARM_GICV2_MAX_CPUS 8
/* 32 SPIs (device IRQs 0-31) after the 32 private interrupts */
#define LA_ARM_GIC_NR_SPIS 32
#define LA_ARM_GIC_NR_IRQS 64
#define LA_ARM_GIC_SPI_BASE 32   /* INTID of SPI 0 */
#define LA_ARM_GIC_PPI_BASE 16   /* INTID of PPI 0 */
#define LA_ARM_PMU_PPI 7         /* INTID 23 */
#define LA_ARM_GIC_MAINT_PPI 9
/* stolen-time structures (pvtime): 64 bytes per vCPU in 64 KiB */
#define LA_ARM_PVTIME_START 0x1ff0000ULL
#define LA_ARM_PVTIME_SIZE 0x10000ULL
#define LA_ARM_PVTIME_PER_VCPU 64

/* PSTATE of every vCPU at reset: EL1h with D, A, I and F masked. */
#define LA_ARM_PSTATE_BOOT 0x3c5ULL

/* KVM_IRQ_LINE's irq word on arm64, as upstream's asm/kvm.h lays it out
 * (KVM_ARM_IRQ_TYPE_SHIFT, KVM_ARM_IRQ_TYPE_SPI; the number is the INTID):
 * named here so that hosts without arm64 headers build and test it. */
#define LA_KVM_ARM_IRQ_TYPE_SHIFT 24
#define LA_KVM_ARM_IRQ_TYPE_SPI 1u

/* la_arm_irq_line_word - the KVM_IRQ_LINE irq word of device IRQ spi (an
 * SPI number, as the tree and la-alloc give it: INTID spi + 32). */
uint32_t la_arm_irq_line_word(unsigned spi);

/* The registers of a crash report, as KVM_GET_ONE_REG reads them. */
struct la_arm_regs {
	uint64_t x[31];
	uint64_t sp;             /* SP_EL0 (kvm_regs.regs.sp) */
	uint64_t pc, pstate;
	uint64_t sp_el1, elr_el1;
	bool has_sys;            /* ESR_EL1 and FAR_EL1 were readable */
	uint64_t esr_el1, far_el1;
};

/* la_arm_regs_report - the crash report's lines: x0-x30 and sp four a
 * line, then pc, pstate, sp_el1, elr_el1, then esr_el1 and far_el1 when
 * read. */
void la_arm_regs_report(const struct la_arm_regs *r, struct la_regs_dump *o);

extern const struct la_arch_vm_ops la_aarch64_vm_ops;

#endif
