/* SPDX-License-Identifier: MIT */
/*
 * Error codes of libla, the libfdt way: functions return >= 0 on success
 * and -LA_ERR_* on failure. The code list and the message table are one
 * X-macro, so la_strerror() can never drift from the codes.
 */
#ifndef LA_ERR_H
#define LA_ERR_H

#define LA_ERRORS(X)                                                          \
	/* input that does not parse */                                       \
	X(BADSIZE,      "not a size (use K, M, G or T)")                      \
	X(BADNUM,       "not a number")                                       \
	X(RANGE,        "value out of range")                                 \
	X(BADARCH,      "unknown architecture (use x86_64, aarch64 or riscv64)") \
	X(BADVALUE,     "invalid value")                                      \
	X(UNSUPPORTED,  "not supported on this architecture")                 \
	/* layout rules */                                                    \
	X(MEMTOOSMALL,  "memory too small for this architecture")             \
	X(MEMTOOLARGE,  "memory does not fit the architecture's address space") \
	X(MEMALIGN,     "memory size is not a multiple of the 4 KiB page size") \
	X(CPUS,         "vCPU count out of range for this architecture")      \
	X(ECAMSIZE,     "PCI ECAM size must be a non-zero multiple of 1 MiB") \
	X(ECAMALIGN,    "PCI ECAM start must be a multiple of 1 MiB and of the window size") \
	X(ECAMRANGE,    "PCI ECAM window must end below 4 GiB")               \
	X(CAMSIZE,      "PCI CAM size must be exactly 16 MiB")                \
	X(CAMRANGE,     "PCI CAM window must end below 2 GiB")                \
	X(PCIMEM,       "PCI memory window is empty or overflows the address space") \
	X(PCIMEMRANGE,  "PCI memory window below 4 GiB must start at or above 1 MiB and end below 4 GiB") \
	X(PVMFWOVERLAP, "PCI memory window overlaps the pVM firmware region") \
	X(BIOSSIZE,     "BIOS image must be a non-zero multiple of 4 KiB, at most 16 MiB") \
	X(SWIOTLB,      "swiotlb must be a non-zero multiple of 64 KiB, smaller than memory") \
	X(FDTPOS,       "FDT position not supported on this architecture")   \
	X(OVERLAP,      "regions overlap")                                    \
	/* boot placement and kernels (la-mkfdt, la-vmrun) */                 \
	X(NOTKERNEL,    "not a kernel image for this architecture")          \
	X(KERNELBE,     "big-endian arm64 Image is not supported")            \
	X(KERNELTRUNC,  "kernel file is shorter than its header says")        \
	X(MULTIBOOT,    "Multiboot header has flags la does not know")        \
	X(MBLOAD,       "Multiboot header's load addresses do not match the file (header, load, load end and bss end out of order, or past the file)") \
	X(MB4G,         "Multiboot load range (file and bss) ends past 4 GiB, where Multiboot cannot load") \
	X(KERNELFIT,    "kernel does not fit in guest memory")                \
	X(INITRDFIT,    "initrd does not fit in guest memory after the kernel") \
	X(INITRDBIOS,   "an initrd needs a kernel, not a BIOS")               \
	X(FDTPLACE,     "not enough memory for the device tree after the payload") \
	X(CMDLINE,      "command line is too long for this architecture")    \
	X(CMDLINECHAR,  "command line must be printable ASCII")               \
	/* vCPU properties */                                                 \
	X(CPUSET,       "not a CPU list (N or A-B, comma-separated)")         \
	X(VCPUID,       "vCPU id out of range (not below --cpus)")            \
	X(DUPCPU,       "CPU given twice")                                    \
	X(HOSTJSON,     "no usable host CPU topology")                                \
	/* device trees and overlays */                                       \
	X(GICV2CPUS,    "GICv2 supports at most 8 vCPUs")                     \
	X(ITSGICV2,     "the GIC ITS needs GICv3")                            \
	X(VIRTFREQ,     "virtual cpufreq registers overflow their 64 KiB window") \
	X(AIAIDS,       "AIA IMSIC interrupt ids must be 1 to 2047")          \
	X(FDTSIZE,      "device tree is larger than the architecture's limit") \
	X(FDTBAD,       "not a valid device tree blob")                       \
	X(FDTTRUNC,     "device tree blob is truncated")                      \
	X(FDTVERSION,   "device tree blob version is below 17, which la reads (dtc writes 17)") \
	X(OVNOSYMBOLS,  "overlay has no __symbols__ node")                    \
	X(OVLABEL,      "filter label is not defined in the overlay")         \
	X(OVFIXUP,      "unresolved fixup: symbol not in the base tree")      \
	X(OVBADFIXUP,   "malformed fixup entry")                              \
	X(OVTARGET,     "overlay targets a node the base tree lacks")         \
	X(OVTARGET2,    "an overlay fragment's target resolves to two nodes") \
	X(OVPHANDLE,    "dangling or invalid phandle reference")              \
	X(OVSYMPATH,    "overlay symbol is not /FRAGMENT/__overlay__/NODE")   \
	/* host CPU information (sysfs) */                                   \
	X(CPULIST,      "not a CPU list (use N or A-B, comma-separated)")     \
	X(CPURANGE,     "CPU range end is below its start")                   \
	X(CPUID,        "CPU id above 8191, the largest the kernel allows")   \
	X(BADFREQ,      "not a frequency in kHz (a 32-bit unsigned decimal number)") \
	X(BADU32,       "not a 32-bit unsigned decimal number")               \
	X(ZEROFREQ,     "maximum frequency is 0, cannot normalise capacity")  \
	X(CAPOVERFLOW,  "normalised capacity does not fit in 32 bits")        \
	X(NOENT,        "no such file")                                       \
	X(HOSTREAD,     "cannot read host file")                              \
	X(FILETOOBIG,   "file larger than 8 KiB")                             \
	X(NOCPUS,       "no CPUs found")                                      \
	/* resources: the address allocator (crosvm's resources::Error) */    \
	X(NOSPACE,      "out of space")                                       \
	X(BADALIGN,     "bad alignment (zero, not a power of two, or below the minimum)") \
	X(EXISTINGALLOC, "existing allocation")                               \
	X(ALLOCSIZEZERO, "allocation size is zero")                           \
	X(BADALLOC,     "no such allocation")                                 \
	X(REGIONOVERLAP, "released region overlaps a free region")            \
	X(INVALIDALLOC, "not a PCI BAR allocation")                           \
	X(OUTOFBOUNDS,  "offset and size lie outside the PCI BAR")            \
	X(POOLOVERLAP,  "address pools overlap")                              \
	/* resources: the system allocator and devices */                    \
	X(IOPORTRANGE,  "IO port range ends above 0xffff")                   \
	X(NOPOOL,       "this architecture has no such address pool")         \
	X(PHYSBITS,     "guest physical address space too small for memory and platform MMIO") \
	X(NAMELEN,      "name or tag too long")                               \
	X(NOMEM,        "out of memory")                                      \
	X(TOOMANY,      "too many entries")                                   \
	X(SANDBOX,      "cannot set up the sandbox")                          \
	X(IO,           "input/output error")                                 \
	X(INTERNAL,     "internal error")                                     \
	/* building a VM (la-vmrun) */                                        \
	X(GUESTMEM,     "cannot map guest memory")                            \
	X(HUGEPAGES,    "not enough free 2 MiB huge pages (/proc/sys/vm/nr_hugepages)") \
	X(GPA,          "guest address range is not backed by guest memory")  \
	X(BZSIZE,       "bzImage: setup and system size exceed the file")      \
	X(ELFLOAD,      "ELF kernel: a segment is below 0x200000 or outside guest memory") \
	X(ELFENTRY,     "ELF kernel: entry point outside the loaded segments") \
	X(KERNELSIZE,   "kernel does not fit in guest memory")                \
	X(INITRDEMPTY,  "initrd is empty")                                    \
	X(DTBSIZE,      "device tree larger than the 16 KiB setup_data limit") \
	X(BADDTB,       "not a flattened device tree")                        \
	X(SETUPDATA,    "setup_data does not fit below the MP table")         \
	X(E820,         "too many e820 entries")                              \
	X(MPTABLE,      "MP table does not fit its window")                   \
	X(VIRTQ,        "the guest broke a virtqueue")                       \
	X(LOCKED,       "in use: another process holds a lock on it")          \
	X(ACPISPACE,    "ACPI tables do not fit their window")                \
	X(BIOSPROT,     "a BIOS cannot boot a VM that runs protected firmware") \
	/* KVM */                                                             \
	X(KVMOPEN,      "cannot open the KVM device")                         \
	X(KVMAPI,       "KVM API version is not 12")                          \
	X(KVMCAP,       "KVM lacks a capability la-vmrun needs")              \
	X(KVMIOCTL,     "a KVM ioctl failed")                                 \
	X(THREAD,       "cannot start a thread")                              \
	/* files: inputs checked before they are read (lib/fileio.c) */      \
	X(NOTREG,       "not a regular file")                                 \
	X(PIPE,         "a pipe, not a regular file")                         \
	X(TOOLARGE,     "larger than the limit for this input")               \
	X(CHANGED,      "changed size while being read")                      \
	/* the running VM's buses */                                          \
	X(NOTFOUND,     "no device at that address range")                    \
	/* vhost (lib/virtio/vhost.c) */                                      \
	X(VHOST,        "a vhost ioctl failed")                               \
	X(ADDRINUSE,    "address in use")                                     \
	/* the control socket (lib/ctl.c) */                                  \
	X(CTLINUSE,     "in use by a running VM")                             \
	X(CTLNOTSOCK,   "not a socket; not replacing it")                     \
	/* PCI hot-plug (lib/vm/vm.c) */                                      \
	X(NOHOTPLUG,    "no PCI hot-plug slots (la-vmrun --pci-hotplug-slots N)") \
	X(SLOTSFULL,    "every PCI hot-plug slot holds a device")             \
	X(NOTPLUGGED,   "no hot-plugged device at that address")              \
	X(EJECTTIMEOUT, "the guest did not release the device in time")

enum la_err {
	LA_OK = 0,
#define LA_ERR_ENUM(name, msg) LA_ERR_##name,
	LA_ERRORS(LA_ERR_ENUM)
#undef LA_ERR_ENUM
	LA_ERR_MAX
};

/* la_strerror - the message for an error code; accepts err or -err.
 * returns: a static string, "unknown error" for codes outside the table. */
const char *la_strerror(int err);

/* la_strerror_name - the code's name without prefix ("NOSPACE"). */
const char *la_strerror_name(int err);

#endif
