/* SPDX-License-Identifier: MIT */
/*
 * Host facts for the system allocator: how many guest physical address bits
 * KVM gives a VM. Kept apart from the pure layout and allocator code, which
 * take the number as an input (--phys-bits makes output host-independent).
 */
#ifndef LA_HOST_PHYS_H
#define LA_HOST_PHYS_H

#include "arch.h"

/* la_host_phys_bits - guest physical address bits on this host for arch:
 * x86_64 guests on an x86 host: CPUID 0x80000008 EAX[7:0]; aarch64 guests
 * on an arm64 host: KVM_CAP_ARM_VM_IPA_SIZE; otherwise the arch default
 * (36, 40, 48). *source (may be NULL) says which. */
unsigned la_host_phys_bits(const struct la_arch_ops *arch, const char **source);

/* la_vm_phys_bits - cfg->phys_bits if set (source "--phys-bits"), else
 * la_host_phys_bits. */
unsigned la_vm_phys_bits(const struct la_vm_config *cfg, const char **source);

#endif
