/* SPDX-License-Identifier: MIT */
/*
 * The few constants of Linux's riscv KVM interface that Debian 12's
 * kernel headers (6.1) predate, named as upstream names them: KVM's AIA
 * device (Linux 6.5, arch/riscv/include/uapi/asm/kvm.h and
 * include/uapi/linux/kvm.h) and the per-vCPU SBI extension registers
 * (Linux 6.4) that turn on the debug console (DBCN, Linux 6.8), which KVM
 * hands to the VMM. Each is defined only where the headers lack it.
 */
#ifndef LA_ARCH_RISCV64_KVM_UAPI_H
#define LA_ARCH_RISCV64_KVM_UAPI_H

/* enum kvm_device_type: after KVM_DEV_TYPE_ARM_PV_TIME (10) */
#ifndef KVM_DEV_TYPE_RISCV_AIA
#define KVM_DEV_TYPE_RISCV_AIA 11
#endif

#ifndef KVM_DEV_RISCV_AIA_GRP_CONFIG
#define KVM_DEV_RISCV_AIA_GRP_CONFIG 0
#define KVM_DEV_RISCV_AIA_CONFIG_MODE 0
#define KVM_DEV_RISCV_AIA_CONFIG_IDS 1
#define KVM_DEV_RISCV_AIA_CONFIG_SRCS 2
#define KVM_DEV_RISCV_AIA_CONFIG_GROUP_BITS 3
#define KVM_DEV_RISCV_AIA_CONFIG_GROUP_SHIFT 4
#define KVM_DEV_RISCV_AIA_CONFIG_HART_BITS 5
#define KVM_DEV_RISCV_AIA_CONFIG_GUEST_BITS 6
#define KVM_DEV_RISCV_AIA_GRP_ADDR 1
#define KVM_DEV_RISCV_AIA_ADDR_APLIC 0
#define KVM_DEV_RISCV_AIA_ADDR_IMSIC(__vcpu) (1 + (__vcpu))
#define KVM_DEV_RISCV_AIA_GRP_CTRL 2
#define KVM_DEV_RISCV_AIA_CTRL_INIT 0
#endif

/* the register numbers exist only in a riscv host's headers */
#if defined(KVM_REG_RISCV_TYPE_SHIFT) && !defined(KVM_REG_RISCV_SBI_EXT)
#define KVM_REG_RISCV_SUBTYPE_SHIFT 16
#define KVM_REG_RISCV_SBI_EXT (0x08 << KVM_REG_RISCV_TYPE_SHIFT)
#define KVM_REG_RISCV_SBI_SINGLE (0x0 << KVM_REG_RISCV_SUBTYPE_SHIFT)
#endif
/* enum KVM_RISCV_SBI_EXT_ID: V01, TIME, IPI, RFENCE, SRST, HSM, PMU,
 * EXPERIMENTAL, VENDOR, DBCN */
#define LA_KVM_RISCV_SBI_EXT_DBCN 9

#endif
