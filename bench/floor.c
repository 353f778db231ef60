/* SPDX-License-Identifier: MIT */
/*
 * la-bench-floor: the least a VMM must do to run the bench firmware
 * (bench/fw.S) on an x86_64 KVM platform, so the bench can show how far
 * la-vmrun's firmware run is from the floor of the platform it builds.
 *
 *   la-bench-floor la|split FW.bin [MEM_MIB]
 *
 * Both variants open /dev/kvm, create the VM, set the identity map and TSS
 * addresses, create their interrupt controller, register MEM_MIB (default
 * 256) of RAM at 0 and the firmware below 4 GiB (its last 16 bytes at the
 * reset vector), create one vCPU and run it until the firmware's reset
 * (0xfe to port 0x64), then exit 32 as la-vmrun does, without tearing
 * anything down by hand.
 *   la     the KVM objects la-vmrun creates with --irqchip kernel:
 *          KVM_CREATE_IRQCHIP (PIC, IOAPIC, LAPIC) and KVM_CREATE_PIT2
 *   split  the leanest platform that still boots Linux well:
 *          KVM_CAP_SPLIT_IRQCHIP (LAPIC only in KVM), no PIT
 * Exit status: 32 the firmware reset; 1 a KVM call failed or the guest did
 * something else (said on standard error); 2 usage.
 * Statically linked so it runs in the emulated host as is.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLOOR_TSS 0xfffbd000UL
#define FLOOR_IDMAP 0xfffbc000ULL
#define FLOOR_FW_MAX (16u << 20)

static int die(const char *what)
{
	perror(what);
	exit(1);
}

static void *guest_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void slot(int vm, unsigned n, uint64_t gpa, void *host, size_t len)
{
	struct kvm_userspace_memory_region r = {
		.slot = n, .guest_phys_addr = gpa, .memory_size = len,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
}

/* The firmware file, read into a mapping of its size (64 KiB units). */
static void *firmware(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	if (st.st_size <= 0 || st.st_size > FLOOR_FW_MAX || st.st_size % 0x10000) {
		fprintf(stderr, "la-bench-floor: %s: not a firmware of 64 KiB units\n", path);
		exit(2);
	}
	*len = (size_t)st.st_size;
	p = guest_map(*len);
	if (read(fd, p, *len) != (ssize_t)*len)
		die(path);
	close(fd);
	return p;
}

int main(int argc, char **argv)
{
	uint64_t idmap = FLOOR_IDMAP;
	unsigned long mib = argc > 3 ? strtoul(argv[3], NULL, 10) : 256;
	struct kvm_run *run;
	int kvm, vm, cpu;
	bool split;
	size_t fw_len, run_len;
	void *fw;

	if (argc < 3 || argc > 4 || (strcmp(argv[1], "la") && strcmp(argv[1], "split")) ||
	    mib == 0 || mib > 3072) {
		fprintf(stderr, "usage: la-bench-floor la|split FW.bin [MEM_MIB (1-3072)]\n");
		return 2;
	}
	split = !strcmp(argv[1], "split");
	fw = firmware(argv[2], &fw_len);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		die("KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm, KVM_SET_TSS_ADDR, FLOOR_TSS) < 0)
		die("KVM_SET_TSS_ADDR");
	if (split) {
		struct kvm_enable_cap c = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args[0] = 24 };

		if (ioctl(vm, KVM_ENABLE_CAP, &c) < 0)
			die("KVM_ENABLE_CAP (KVM_CAP_SPLIT_IRQCHIP)");
	} else {
		struct kvm_pit_config pit = { .flags = 0 };

		if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
			die("KVM_CREATE_IRQCHIP");
		if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
			die("KVM_CREATE_PIT2");
	}
	slot(vm, 0, 0, guest_map(mib << 20), mib << 20);
	slot(vm, 1, (1ULL << 32) - fw_len, fw, fw_len);
	cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (cpu < 0)
		die("KVM_CREATE_VCPU");
	run_len = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, run_len, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	for (;;) {
		if (ioctl(cpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "la-bench-floor: KVM exit %u\n", run->exit_reason);
			return 1;
		}
		/* the firmware: 0x2a to 0xf4 (ignored), then the i8042 reset */
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x64 &&
		    *((uint8_t *)run + run->io.data_offset) == 0xfe)
			return 32;
	}
}
