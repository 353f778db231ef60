/* SPDX-License-Identifier: MIT */
/*
 * The probe guest's port and MMIO accessors, COM1 and the TSC: the machine
 * side that main.c and hostile.c share (guest only; report.c stays plain C).
 */
#ifndef LA_PROBE_IO_H
#define LA_PROBE_IO_H

#include <stdint.h>

#define PROBE_COM1      0x3f8
#define PROBE_COM1_IER  (PROBE_COM1 + 1)
#define PROBE_COM1_FCR  (PROBE_COM1 + 2)
#define PROBE_COM1_LCR  (PROBE_COM1 + 3)
#define PROBE_COM1_MCR  (PROBE_COM1 + 4)
#define PROBE_COM1_LSR  (PROBE_COM1 + 5)
#define PROBE_LSR_DR    0x01
#define PROBE_LSR_THRE  0x20

static inline void probe_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void probe_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void probe_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t probe_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t probe_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t probe_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t probe_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* probe_com1_init: 8N1, no interrupts, no loopback, divisor latch off:
 * what the probe needs to print again after a guest wrote garbage there */
static inline void probe_com1_init(void)
{
	probe_outb(PROBE_COM1_LCR, 0x03);
	probe_outb(PROBE_COM1_IER, 0x00);
	probe_outb(PROBE_COM1_FCR, 0x00);
	probe_outb(PROBE_COM1_MCR, 0x03);
}

#endif
