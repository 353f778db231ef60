/* SPDX-License-Identifier: MIT */
/*
 * The probe's bzImage: a boot sector and one setup sector holding the Linux
 * boot protocol header (version 2.15, XLF_KERNEL_64), then the protected-mode
 * payload (probe.bin, linked at 0x200000) from file offset 0x400.
 *
 * A 64-bit loader such as la-vmrun only reads the header: it loads the file
 * at 0x200000 - 0x400 and enters startup_64 at 0x200200 with RSI pointing at
 * boot_params. The real-mode code below is for loaders that run the setup
 * (QEMU's -kernel), so the probe can be checked without la-vmrun: it copies
 * the header into a zero page at setup+0x1000, fills its e820 table from
 * INT 15h/E820, enters flat protected mode, copies the payload from
 * code32_start to 0x200000 and jumps to startup_32 with ESI = zero page.
 *
 * PAYLOAD_SIZE (bytes of probe.bin) comes from the build (--defsym).
 */
#define ZP           0x1000   /* zero page, offset in the setup segment */
#define SETUP_SECTS  1

	.code16
	.section .text
	.globl _start
_start:
	.org 0x1f1
hdr_start:
	.byte SETUP_SECTS                /* 0x1f1 setup_sects */
	.word 0                          /* 0x1f2 root_flags */
	.long (PAYLOAD_SIZE + 15) / 16   /* 0x1f4 syssize, 16-byte units */
	.word 0                          /* 0x1f8 ram_size */
	.word 0xffff                     /* 0x1fa vid_mode: normal */
	.word 0                          /* 0x1fc root_dev */
	.word 0xaa55                     /* 0x1fe boot_flag */
	.byte 0xeb, start_of_setup - 0x202 /* 0x200 jmp; byte 0x201 = header length */
	.ascii "HdrS"                    /* 0x202 header */
	.word 0x020f                     /* 0x206 version 2.15 */
	.long 0                          /* 0x208 realmode_swtch */
	.word 0x1000                     /* 0x20c start_sys_seg */
	.word 0                          /* 0x20e kernel_version */
	.byte 0                          /* 0x210 type_of_loader */
	.byte 0x01                       /* 0x211 loadflags: LOADED_HIGH */
	.word 0                          /* 0x212 setup_move_size */
	.long 0x100000                   /* 0x214 code32_start */
	.long 0                          /* 0x218 ramdisk_image */
	.long 0                          /* 0x21c ramdisk_size */
	.long 0                          /* 0x220 bootsect_kludge */
	.word 0                          /* 0x224 heap_end_ptr */
	.byte 0                          /* 0x226 ext_loader_ver */
	.byte 0                          /* 0x227 ext_loader_type */
	.long 0                          /* 0x228 cmd_line_ptr */
	.long 0x7fffffff                 /* 0x22c initrd_addr_max */
	.long 0x200000                   /* 0x230 kernel_alignment */
	.byte 0                          /* 0x234 relocatable_kernel */
	.byte 21                         /* 0x235 min_alignment (2 MiB) */
	.word 0x0001                     /* 0x236 xloadflags: XLF_KERNEL_64 */
	.long 2047                       /* 0x238 cmdline_size */
	.long 0                          /* 0x23c hardware_subarch */
	.quad 0                          /* 0x240 hardware_subarch_data */
	.long 0                          /* 0x248 payload_offset */
	.long 0                          /* 0x24c payload_length */
	.quad 0                          /* 0x250 setup_data */
	.quad 0x200000                   /* 0x258 pref_address */
	.long 0x100000                   /* 0x260 init_size: 1 MiB covers bss + page tables */
	.long 0                          /* 0x264 handover_offset */
	.long 0                          /* 0x268 kernel_info_offset */
hdr_end:

/* real mode, CS = setup segment + 0x20, DS = ES = SS = setup segment */
start_of_setup:
	cli
	cld
	movw %ds, %ax
	movw %ax, %es
	movzwl %ax, %ebp
	shll $4, %ebp                    /* EBP = linear address of the setup */
	movw $ZP, %di                    /* zero the zero page */
	xorl %eax, %eax
	movw $1024, %cx
	rep stosl
	movw $hdr_start, %si             /* copy the header (with what the loader wrote) */
	movw $(ZP + 0x1f1), %di
	movw $(hdr_end - hdr_start), %cx
	rep movsb
	xorl %ebx, %ebx                  /* INT 15h E820 into zero page e820_table */
	movw $(ZP + 0x2d0), %di
1:	movl $0xe820, %eax
	movl $20, %ecx
	movl $0x534d4150, %edx           /* "SMAP" */
	int $0x15
	jc 2f
	cmpl $0x534d4150, %eax
	jne 2f
	movl 8(%di), %eax                /* keep only non-empty entries */
	orl 12(%di), %eax
	jz 3f
	incb (ZP + 0x1e8)                /* e820_entries */
	addw $20, %di
	cmpb $128, (ZP + 0x1e8)
	jae 2f
3:	testl %ebx, %ebx
	jnz 1b
2:	movl %ebp, %eax                  /* GDT and far pointer need linear addresses */
	addl $gdt32, %eax
	movl %eax, (gdt32_desc + 2)
	movl %ebp, %eax
	addl $pm32, %eax
	movl %eax, (pm32_ptr)
	movw $0x10, (pm32_ptr + 4)
	lgdtl (gdt32_desc)
	movl %ebp, %esi
	addl $ZP, %esi                   /* ESI = boot_params */
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl *(pm32_ptr)

	.code32
pm32:
	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	leal ZP(%ebp), %esp              /* a stack below the zero page */
	movl %esi, %ebx
	movl 0x214(%ebx), %esi           /* code32_start: where the payload is */
	movl $0x200000, %edi             /* where it is linked */
	movl 0x1f4(%ebx), %ecx
	shll $4, %ecx
	rep movsb
	movl %ebx, %esi
	movl $0x200000, %eax             /* startup_32 */
	jmp *%eax

	.balign 8
gdt32:
	.quad 0
	.quad 0
	.quad 0x00cf9b000000ffff         /* 0x10: flat 32-bit code */
	.quad 0x00cf93000000ffff         /* 0x18: flat data */
gdt32_desc:
	.word gdt32_desc - gdt32 - 1
	.long 0
pm32_ptr:
	.long 0
	.word 0

	.org (SETUP_SECTS + 1) * 512
payload:
	.incbin "probe.bin"
	.balign 16, 0

	.section .note.GNU-stack, "", @progbits
