/* SPDX-License-Identifier: MIT */
/*
 * x86_64 boot vCPU state (§3.9) and CPUID adjustments (§3.10): GDT/IDT,
 * identity page tables, registers, segments, MSRs and MTRRs. Pure: the
 * results go to guest memory and to struct la_x86_boot_cpu; lib/arch/x86_64/kvm.c
 * hands them to KVM.
 */
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "arch/x86_64/x86boot.h"
#include "arch/x86_64/x86_64.h"

#define LA_X86_CR0_PE 0x1ULL
#define LA_X86_CR0_ET 0x10ULL
#define LA_X86_CR0_CD 0x40000000ULL
#define LA_X86_CR0_PG 0x80000000ULL
#define LA_X86_CR4_PAE 0x20ULL
#define LA_X86_EFER_LME 0x100ULL
#define LA_X86_EFER_LMA 0x400ULL

#define LA_MSR_TSC 0x10
#define LA_MSR_SYSENTER_CS 0x174
#define LA_MSR_SYSENTER_ESP 0x175
#define LA_MSR_SYSENTER_EIP 0x176
#define LA_MSR_MISC_ENABLE 0x1a0
#define LA_MSR_MTRR_PHYSBASE0 0x200
#define LA_MSR_MTRR_DEF_TYPE 0x2ff
#define LA_MSR_STAR 0xc0000081
#define LA_MSR_LSTAR 0xc0000082
#define LA_MSR_CSTAR 0xc0000083
#define LA_MSR_SYSCALL_MASK 0xc0000084
#define LA_MSR_KERNEL_GS_BASE 0xc0000102

uint64_t la_x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ffu) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (uint64_t)(limit & 0xffffu);
}

struct la_x86_segment la_x86_segment_from_gdt(uint64_t e, uint16_t selector)
{
	struct la_x86_segment s = {
		.base = ((e >> 16) & 0xffffff) | (((e >> 56) & 0xff) << 24),
		.selector = selector,
		.type = (uint8_t)((e >> 40) & 0xf),
		.s = (uint8_t)((e >> 44) & 1),
		.dpl = (uint8_t)((e >> 45) & 3),
		.present = (uint8_t)((e >> 47) & 1),
		.avl = (uint8_t)((e >> 52) & 1),
		.l = (uint8_t)((e >> 53) & 1),
		.db = (uint8_t)((e >> 54) & 1),
		.g = (uint8_t)((e >> 55) & 1),
	};
	uint32_t limit = (uint32_t)((e & 0xffff) | (((e >> 48) & 0xf) << 16));

	s.limit = s.g ? limit * 4096u + 4095u : limit;
	return s;
}

unsigned la_x86_mtrr_msrs(uint64_t pci_start, unsigned phys_bits, struct la_msr *out,
			  unsigned max)
{
	uint64_t base = pci_start, left = LA_X86_FIRST_ADDR_PAST_32BITS - pci_start;
	uint64_t mask = phys_bits >= 64 ? ~0ULL : (1ULL << phys_bits) - 1;
	unsigned n = 0, k = 0;

	while (left && n + 3 <= max && pci_start < LA_X86_FIRST_ADDR_PAST_32BITS) {
		uint64_t size = 1ULL << (63 - __builtin_clzll(left));

		while (base % size)
			size >>= 1;
		out[n++] = (struct la_msr){ LA_MSR_MTRR_PHYSBASE0 + 2 * k, base /* UC */ };
		out[n++] = (struct la_msr){ LA_MSR_MTRR_PHYSBASE0 + 2 * k + 1,
					    ((0 - size) & mask) | 0x800 };
		k++;
		base += size;
		left -= size;
	}
	if (n < max)
		out[n++] = (struct la_msr){ LA_MSR_MTRR_DEF_TYPE, 0x806 }; /* enabled, WB */
	return n;
}

static void la_msr_add(struct la_x86_boot_cpu *c, uint32_t index, uint64_t value)
{
	if (c->nmsrs < LA_X86_MAX_BOOT_MSRS)
		c->msrs[c->nmsrs++] = (struct la_msr){ index, value };
}

/* GDT and IDT at 0x1500/0x1528 and the segment registers they give. */
static int la_x86_gdt_setup(const struct la_gmem *g, bool long_mode, struct la_x86_boot_cpu *c)
{
	uint64_t gdt[6] = {
		0, 0,
		la_x86_gdt_entry(long_mode ? 0xa09b : 0xc09b, 0, 0xfffff),
		la_x86_gdt_entry(0xc093, 0, 0xfffff),
		la_x86_gdt_entry(0x808b, 0, 0xfffff),
		0,
	};
	unsigned n = long_mode ? 6 : 5;
	uint8_t *p = la_gmem_ptr(g, LA_X86_BOOT_GDT_OFFSET, 8 * 6);
	uint8_t *idt = la_gmem_ptr(g, LA_X86_BOOT_IDT_OFFSET, 8);

	if (!p || !idt)
		return -LA_ERR_GPA;
	for (unsigned i = 0; i < n; i++)
		la_put64(p + 8 * i, gdt[i]);
	la_put64(idt, 0);
	c->gdt_base = LA_X86_BOOT_GDT_OFFSET;
	c->gdt_limit = (uint16_t)(8 * n - 1);
	c->idt_base = LA_X86_BOOT_IDT_OFFSET;
	c->idt_limit = 7;
	c->cs = la_x86_segment_from_gdt(gdt[2], 0x10);
	c->data = la_x86_segment_from_gdt(gdt[3], 0x18);
	c->tr = la_x86_segment_from_gdt(gdt[4], 0x20);
	return 0;
}

/* Identity map of 0-4 GiB with 2 MiB pages: PML4 0x9000, PDPT 0xa000,
 * four page directories from 0xb000. */
static int la_x86_page_tables(const struct la_gmem *g)
{
	uint8_t *pml4 = la_gmem_ptr(g, LA_X86_BOOT_PML4, 4096);
	uint8_t *pdpt = la_gmem_ptr(g, LA_X86_BOOT_PDPTE, 4096);
	uint8_t *pde = la_gmem_ptr(g, LA_X86_BOOT_PDE, 4 * 4096);

	if (!pml4 || !pdpt || !pde)
		return -LA_ERR_GPA;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	la_put64(pml4, LA_X86_BOOT_PDPTE | 3);
	for (uint64_t i = 0; i < 4; i++) {
		la_put64(pdpt + 8 * i, (LA_X86_BOOT_PDE + i * 0x1000) | 3);
		for (uint64_t j = 0; j < 512; j++)
			la_put64(pde + 8 * (i * 512 + j), (i << 30) | (j << 21) | 0x83);
	}
	return 0;
}

static void la_x86_reset_state(struct la_x86_boot_cpu *c)
{
	memset(c, 0, sizeof(*c));
	c->rflags = 2;
	c->cr0 = LA_X86_CR0_ET | LA_X86_CR0_CD;
	c->cs = (struct la_x86_segment){ .base = 0xffff0000, .limit = 0xffff, .selector = 0xf000,
					 .type = 11, .present = 1, .s = 1 };
	c->data = (struct la_x86_segment){ .limit = 0xffff, .type = 3, .present = 1, .s = 1 };
	c->tr = (struct la_x86_segment){ .limit = 0xffff, .type = 11, .present = 1 };
	c->gdt_limit = c->idt_limit = 0xffff;
	c->rip = 0xfff0;
}

int la_x86_boot_cpu_setup(const struct la_gmem *g, const struct la_x86_kernel *k,
			  uint64_t pci_start, unsigned phys_bits, struct la_x86_boot_cpu *c)
{
	int err;

	la_x86_reset_state(c);
	c->mode = k->mode;
	if (k->mode == LA_X86_MODE_RESET) {
		la_msr_add(c, LA_MSR_TSC, 0);
		la_msr_add(c, LA_MSR_MISC_ENABLE, 1);
		return 0;
	}
	c->rip = k->entry;
	if (k->kind == LA_X86_IMG_MULTIBOOT) {
		c->rax = 0x2badb002;
		c->rbx = LA_X86_MULTIBOOT_INFO_OFFSET;
	} else {
		c->rsp = LA_X86_BOOT_STACK_POINTER;
		c->rsi = LA_X86_ZERO_PAGE_OFFSET;
	}
	err = la_x86_gdt_setup(g, k->mode == LA_X86_MODE_LONG, c);
	if (err)
		return err;
	c->cr0 |= LA_X86_CR0_PE;
	if (k->mode == LA_X86_MODE_LONG) {
		err = la_x86_page_tables(g);
		if (err)
			return err;
		c->cr3 = LA_X86_BOOT_PML4;
		c->cr4 |= LA_X86_CR4_PAE;
		c->cr0 |= LA_X86_CR0_PG;
		c->efer |= LA_X86_EFER_LME | LA_X86_EFER_LMA;
		la_msr_add(c, LA_MSR_SYSENTER_CS, 0);
		la_msr_add(c, LA_MSR_SYSENTER_ESP, 0);
		la_msr_add(c, LA_MSR_SYSENTER_EIP, 0);
		la_msr_add(c, LA_MSR_STAR, 0);
		la_msr_add(c, LA_MSR_CSTAR, 0);
		la_msr_add(c, LA_MSR_KERNEL_GS_BASE, 0);
		la_msr_add(c, LA_MSR_SYSCALL_MASK, 0);
		la_msr_add(c, LA_MSR_LSTAR, 0);
	} else {
		c->cr0 &= ~LA_X86_CR0_PG;
	}
	la_msr_add(c, LA_MSR_TSC, 0);
	la_msr_add(c, LA_MSR_MISC_ENABLE, 1); /* fast strings */
	c->nmsrs += la_x86_mtrr_msrs(pci_start, phys_bits, c->msrs + c->nmsrs,
				     LA_X86_MAX_BOOT_MSRS - c->nmsrs);
	return 0;
}

/* ---------------------------------------------------------------- CPUID */

static uint32_t la_bitlen(uint32_t x)
{
	return x ? 32u - (uint32_t)__builtin_clz(x) : 0;
}

static void la_cpuid_host(const struct la_x86_cpuid_cfg *c, struct la_cpuid_entry *e)
{
	uint32_t r[4] = { 0 };

	if (c->host)
		c->host(e->function, e->index, r);
	e->eax = r[0], e->ebx = r[1], e->ecx = r[2], e->edx = r[3];
}

static void la_cpuid_topology(struct la_cpuid_entry *e, const struct la_x86_cpuid_cfg *c)
{
	uint32_t n = c->ncpus;

	e->edx = c->vcpu_id;
	if (e->index == 0) {
		if (n == 1)
			e->eax = 0, e->ebx = 1;
		else if (n % 2 == 0)
			e->eax = 1, e->ebx = 2;
		else
			e->eax = la_bitlen(n - 1), e->ebx = n;
		e->ecx = 1u << 8;
	} else if (e->index == 1) {
		e->eax = la_bitlen(n - 1);
		e->ebx = n & 0xffff;
		e->ecx = 2u << 8 | 1;
	} else {
		e->eax = e->ebx = e->ecx = 0;
	}
}

void la_x86_cpuid_adjust(struct la_cpuid_entry *t, unsigned n, const struct la_x86_cpuid_cfg *c)
{
	for (unsigned i = 0; i < n; i++) {
		struct la_cpuid_entry *e = &t[i];

		switch (e->function) {
		case 1:
			if (e->index != 0)
				break;
			e->ecx |= 1u << 31; /* hypervisor */
			e->ecx = c->x2apic ? e->ecx | 1u << 21 : e->ecx & ~(1u << 21);
			if (c->tsc_deadline)
				e->ecx |= 1u << 24;
			e->ecx &= ~(1u << 5); /* no nested VMX */
			e->ebx = c->vcpu_id << 24 | 8u << 8; /* APIC id, CLFLUSH 64 bytes */
			if (c->ncpus > 1) {
				e->ebx |= c->ncpus << 16;
				e->edx |= 1u << 28; /* HTT */
			}
			break;
		case 2:
		case 0x80000002: case 0x80000003: case 0x80000004:
		case 0x80000005: case 0x80000006:
			la_cpuid_host(c, e);
			break;
		case 4:
			la_cpuid_host(c, e);
			e->eax &= ~0xfc000000u;
			if (c->ncpus > 1) {
				uint32_t cores = c->ncpus % 2 == 0 ? c->ncpus / 2 : 1;

				e->eax |= (cores - 1) << 26;
			}
			break;
		case 0xb:
		case 0x1f:
			la_cpuid_topology(e, c);
			break;
		case 0x80000001:
			e->ecx &= ~(1u << 2); /* no nested SVM */
			break;
		default:
			break;
		}
	}
}
