/* SPDX-License-Identifier: MIT */
/*
 * x86_64 constants (crosvm's x86_64 crate, spec §3.1) shared by the
 * layout, boot and table builders in lib/arch/x86_64/. The address map
 * is drawn at the top of lib/arch/x86_64/layout.c.
 */
#ifndef LA_ARCH_X86_64_H
#define LA_ARCH_X86_64_H

#include "size.h"

#define LA_X86_FIRST_ADDR_PAST_32BITS 0x100000000ULL
#define LA_X86_MEM_32BIT_GAP_SIZE (768 * LA_MiB)
#define LA_X86_END_ADDR_BEFORE_32BITS (LA_X86_FIRST_ADDR_PAST_32BITS - LA_X86_MEM_32BIT_GAP_SIZE)
#define LA_X86_RESERVED_MEM_SIZE 0x08000000ULL
#define LA_X86_PCI_MEM_END (LA_X86_FIRST_ADDR_PAST_32BITS - LA_X86_RESERVED_MEM_SIZE - 1)
#define LA_X86_PCIE_CFG_MMIO_SIZE 0x04000000ULL
#define LA_X86_PCIE_CFG_MMIO_END LA_X86_PCI_MEM_END
#define LA_X86_PCIE_CFG_MMIO_START (LA_X86_PCIE_CFG_MMIO_END - LA_X86_PCIE_CFG_MMIO_SIZE + 1)
#define LA_X86_ECAM_MAX_SIZE (256 * LA_MiB)
#define LA_X86_HIGH_MMIO_MAX_END ((1ULL << 46) - 1)

#define LA_X86_LOW_RAM_SIZE 0xa0000ULL                /* 640 KiB */
#define LA_X86_LOW_RESERVED_SIZE (LA_MiB - LA_X86_LOW_RAM_SIZE) /* 384 KiB */

#define LA_X86_BOOT_GDT_OFFSET 0x1500ULL
#define LA_X86_BOOT_IDT_OFFSET 0x1528ULL
#define LA_X86_MULTIBOOT_INFO_OFFSET 0x6000ULL
#define LA_X86_MULTIBOOT_INFO_SIZE 0x1000ULL
#define LA_X86_ZERO_PAGE_OFFSET 0x7000ULL
#define LA_X86_BOOT_STACK_POINTER 0x8000ULL
#define LA_X86_BOOT_PML4 0x9000ULL
#define LA_X86_BOOT_PDPTE 0xa000ULL
#define LA_X86_BOOT_PDE 0xb000ULL
#define LA_X86_CMDLINE_OFFSET 0x20000ULL
#define LA_X86_CMDLINE_MAX_SIZE 0x800ULL
#define LA_X86_SETUP_DATA_START (LA_X86_CMDLINE_OFFSET + LA_X86_CMDLINE_MAX_SIZE)
#define LA_X86_MPTABLE_START 0x9e800ULL
#define LA_X86_SETUP_DATA_END LA_X86_MPTABLE_START
#define LA_X86_MPTABLE_END 0x9ffefULL
#define LA_X86_MP_FLOATING_POINTER 0x9fff0ULL
#define LA_X86_ACPI_HI_RSDP_WINDOW_BASE 0xe0000ULL
#define LA_X86_SMBIOS_START 0xf0000ULL
#define LA_X86_KERNEL_START_OFFSET 0x200000ULL
#define LA_X86_KERNEL_64BIT_ENTRY_OFFSET 0x200ULL
#define LA_X86_INITRD_ADDR_MAX_DEFAULT 0x37ffffffULL
#define LA_X86_CMDLINE_SIZE_DEFAULT 255ULL
#define LA_X86_PAGE_SIZE 0x1000ULL /* initrd alignment: the host's page size */
#define LA_X86_FDT_MAX_SIZE 0x4000ULL
#define LA_X86_BIOS_MAX_SIZE 0x1000000ULL
#define LA_X86_IDENTITY_MAP_ADDR (LA_X86_FIRST_ADDR_PAST_32BITS - LA_X86_BIOS_MAX_SIZE - 4 * 0x1000ULL)
#define LA_X86_TSS_ADDR (LA_X86_IDENTITY_MAP_ADDR + 0x1000ULL)
#define LA_X86_IOAPIC_BASE 0xfec00000ULL
#define LA_X86_IOAPIC_SIZE 0x1000ULL
#define LA_X86_APIC_BASE 0xfee00000ULL
#define LA_X86_RESET_VECTOR 0xfffffff0ULL

/* Interrupts (spec §3.1, §3.7). */
#define LA_X86_SERIAL_1_3_IRQ 4
#define LA_X86_SERIAL_2_4_IRQ 3
#define LA_X86_SCI_IRQ 5
#define LA_X86_RTC_IRQ 8
#define LA_X86_IRQ_BASE 9

/* Legacy IO ports (spec §3.7). */
#define LA_X86_PCI_CONFIG_IO 0xcf8
#define LA_X86_I8042_IO 0x62      /* len 3: the in-kernel PIT owns 0x61 */
#define LA_X86_CMOS_IO 0x70
#define LA_X86_DEBUGCON_IO 0x402
#define LA_X86_POST_IO 0x80
#define LA_X86_RESET_IO 0xcf9
#define LA_X86_RESET_VALUE 6
#define LA_X86_PM_IO_LEN 72       /* PM1 event 4 + PM1 control 4 + GPE0 64 */
#define LA_X86_IO_START 0xc000ULL  /* system allocator IO pool */
#define LA_X86_IO_END 0xffffULL
#define LA_X86_IO_ALIGN 0x400ULL

#define LA_X86_SETUP_DTB 2
#define LA_X86_SETUP_RNG_SEED 9
#define LA_X86_RNG_SEED_SIZE 256
#define LA_X86_MPTABLE_MAX_CPUS 254
#define LA_X86_E820_MAX 128
#define LA_X86_ACPI_WINDOW_SIZE 0x10000ULL /* 0xe0000..0xeffff */
#define LA_X86_SMBIOS_WINDOW_SIZE 0x10000ULL

/* lib/arch/x86_64/vm.c: the build_vm hook (pure). */
#include "arch.h"
int la_x86_build_vm(const struct la_vm_config *cfg, const struct la_arch_layout *l,
		    const struct la_mem_layout *m, const struct la_vm_image *img,
		    const struct la_gmem *g, struct la_vm_boot *b);
/* lib/arch/x86_64/kvm.c: the hypervisor half (lib/vm/arch_vm.h). */
extern const struct la_arch_vm_ops la_x86_64_vm_ops;

/* la-vmrun's view of the build_vm result (lib/arch/x86_64/explain.c; see
 * la_arch_ops). */
struct la_explain_row;
struct la_json;
unsigned la_x86_explain_rows(const struct la_vm_boot *b, bool other, struct la_explain_row *out,
			     unsigned max);
void la_x86_explain_boot(const struct la_vm_boot *b, const char *image_path,
			 const char *initrd_path, FILE *f, struct la_json *j);
const struct la_kernel_info *la_x86_boot_kernel(const struct la_vm_boot *b);
void la_x86_boot_cmdline(const struct la_vm_boot *b, size_t *len, size_t *max);

#endif
