/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <linux/kvm.h>
#endif

#include "host_phys.h"

#define LA_CPUID_ADDR_SIZES 0x80000008u

#if defined(__x86_64__) || defined(__i386__)
/* CPUID 0x80000008 EAX[7:0], 0 if the leaf does not exist. */
static unsigned la_host_cpuid_phys_bits(void)
{
	unsigned eax, ebx, ecx, edx;

	/* an int in clang's cpuid.h, unsigned in gcc's */
	if ((unsigned)__get_cpuid_max(0x80000000u, NULL) < LA_CPUID_ADDR_SIZES)
		return 0;
	__cpuid(LA_CPUID_ADDR_SIZES, eax, ebx, ecx, edx);
	(void)ebx;
	(void)ecx;
	(void)edx;
	return eax & 0xff;
}
#endif

#if defined(__aarch64__)
/* KVM_CHECK_EXTENSION(KVM_CAP_ARM_VM_IPA_SIZE), 0 if KVM cannot say. */
static unsigned la_host_kvm_ipa_bits(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int r;

	if (fd < 0)
		return 0;
	r = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	close(fd);
	return r > 0 ? (unsigned)r : 0;
}
#endif

unsigned la_host_phys_bits(const struct la_arch_ops *arch, const char **source)
{
	unsigned bits = 0;
	const char *src = "default";

#if defined(__x86_64__) || defined(__i386__)
	if (arch->id == LA_ARCH_X86_64) {
		bits = la_host_cpuid_phys_bits();
		src = bits ? "host CPUID 0x80000008" : "default (no CPUID leaf 0x80000008)";
	}
#endif
#if defined(__aarch64__)
	if (arch->id == LA_ARCH_AARCH64) {
		bits = la_host_kvm_ipa_bits();
		src = bits ? "KVM_CAP_ARM_VM_IPA_SIZE" : "default (KVM gave no IPA size)";
	}
#endif
	if (!bits)
		bits = arch->default_phys_bits;
	if (source)
		*source = src;
	return bits;
}

unsigned la_vm_phys_bits(const struct la_vm_config *cfg, const char **source)
{
	if (cfg->phys_bits) {
		if (source)
			*source = "--phys-bits";
		return cfg->phys_bits;
	}
	return la_host_phys_bits(cfg->arch, source);
}
