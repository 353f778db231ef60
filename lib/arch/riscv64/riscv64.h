/* SPDX-License-Identifier: MIT */
/*
 * riscv64 facts that its tree (riscv64.c) and its hypervisor half (kvm.c)
 * share: where the AIA's IMSICs and APLIC are (the address map is at the
 * top of riscv64.c), and the S-mode external interrupt every hart's
 * interrupt controller raises.
 */
#ifndef LA_ARCH_RISCV64_H
#define LA_ARCH_RISCV64_H

#define LA_RV_AIA_IMSIC_BASE 0x8000000ULL
#define LA_RV_AIA_IMSIC_PER_HART 0x1000ULL
#define LA_RV_AIA_APLIC_SIZE 0x4000ULL  /* after the IMSICs */
#define LA_RV_S_MODE_EXT_IRQ 9
/* what la-mkfdt writes by default and la-vmrun asks KVM's AIA for */
#define LA_RV_AIA_IDS_DEFAULT 255
#define LA_RV_AIA_SOURCES_DEFAULT 1023

struct la_arch_vm_ops;
extern const struct la_arch_vm_ops la_riscv64_vm_ops;

#endif
