/* SPDX-License-Identifier: MIT */
/*
 * The probe's protected-mode code, linked at 0x200000 like a bzImage's.
 *   0x200000  startup_32: flat 32-bit protected mode, ESI = boot_params
 *             (Linux boot protocol); builds a 0-4 GiB identity map with 2 MiB
 *             pages and enters long mode. Used when a loader starts the
 *             32-bit entry (tests/guest/setup.S under QEMU's -kernel).
 *   0x200200  startup_64: long mode with a 0-4 GiB identity map, RSI =
 *             boot_params (the 64-bit boot protocol, XLF_KERNEL_64; also the
 *             ELF entry point).
 * Both set their own stack, clear .bss and call probe_main(boot_params,
 * entry_bits).
 */
	.section .text.entry, "ax"
	.code32
	.globl startup_32
startup_32:
	cli
	cld
	/* zero the six page-table pages: PML4, PDPT, 4 page directories */
	movl $pgtbl, %edi
	xorl %eax, %eax
	movl $(6 * 1024), %ecx
	rep stosl
	movl $pgtbl, %edi
	leal 0x1003(%edi), %eax
	movl %eax, (%edi)                /* PML4[0] -> PDPT */
	leal 0x1000(%edi), %ebx
	leal 0x2003(%edi), %eax
	movl $4, %ecx
1:	movl %eax, (%ebx)                /* PDPT[i] -> PD i */
	addl $0x1000, %eax
	addl $8, %ebx
	loop 1b
	leal 0x2000(%edi), %ebx
	movl $0x83, %eax                 /* present, writable, 2 MiB page */
	movl $2048, %ecx
2:	movl %eax, (%ebx)
	addl $0x200000, %eax
	addl $8, %ebx
	loop 2b
	movl %edi, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                  /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx           /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	lgdt gdt64_desc
	movl %cr0, %eax
	orl $0x80000001, %eax            /* PG | PE */
	movl %eax, %cr0
	ljmp $0x10, $from32

	.code64
from32:
	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl %esi, %esi                  /* zero-extend boot_params */
	movl $32, %edx
	jmp common

	.balign 8
gdt64:
	.quad 0
	.quad 0
	.quad 0x00af9b000000ffff         /* 0x10: 64-bit code */
	.quad 0x00cf93000000ffff         /* 0x18: data */
gdt64_desc:
	.word gdt64_desc - gdt64 - 1
	.long gdt64

	.org 0x200
	.globl startup_64
startup_64:
	cli
	cld
	movl $64, %edx
common:
	leaq stack_top(%rip), %rsp
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq %rsi, %rdi
	movl %edx, %esi
	call probe_main
3:	cli
	hlt
	jmp 3b

	.section .bss
	.balign 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
