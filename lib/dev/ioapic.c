/* SPDX-License-Identifier: MIT */
/*
 * The userspace IOAPIC (lib/dev/ioapic.h) of x86_64's split irqchip.
 * Written from Intel's 82093AA datasheet (registers, redirection entry
 * layout, remote IRR) and the x86 MSI format (Intel SDM vol. 3, 11.11):
 * facts only.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dev/ioapic.h"
#include "err.h"

/* what the guest may write of an entry: all but delivery status and
 * remote IRR */
#define LA_IOAPIC_RO (LA_IOAPIC_DELIVS | LA_IOAPIC_REMOTE_IRR)

struct la_ioapic {
	pthread_mutex_t lock;
	la_ioapic_msi_fn deliver;
	la_ioapic_route_fn route;
	void *ctx;
	uint32_t regsel;
	uint32_t id;                    /* bits 24-27 of the ID register */
	uint32_t line;                  /* lines as last driven */
	uint32_t edge_pending;          /* a rising edge seen while masked */
	uint64_t redir[LA_IOAPIC_PINS];
};

void la_ioapic_msi(uint64_t e, uint64_t *addr, uint32_t *data)
{
	uint64_t dest = e >> LA_IOAPIC_DEST_SHIFT & 0xff;
	uint64_t ext = e >> LA_IOAPIC_EXT_DEST_SHIFT & 0x7f;

	*addr = LA_MSI_ADDR_BASE | dest << 12 | ext << 5 |
		((e & LA_IOAPIC_DESTMODE) ? 1u << 2 : 0);
	*data = (uint32_t)(e & LA_IOAPIC_VECTOR) |
		(uint32_t)(e >> LA_IOAPIC_DELMODE_SHIFT & 7) << 8 |
		((e & LA_IOAPIC_LEVEL) ? 1u << 15 | 1u << 14 : 0);
}

static void la_ioapic_fire(struct la_ioapic *io, unsigned pin)
{
	uint64_t addr;
	uint32_t data;

	la_ioapic_msi(io->redir[pin], &addr, &data);
	io->deliver(io->ctx, addr, data);
}

/* Fire pin if it should now: unmasked, and for a level pin its line
 * asserted and no EOI awaited, for an edge pin an edge remembered. */
static void la_ioapic_service(struct la_ioapic *io, unsigned pin)
{
	uint64_t *e = &io->redir[pin];
	uint32_t bit = 1u << pin;

	if (*e & LA_IOAPIC_MASKED)
		return;
	if (*e & LA_IOAPIC_LEVEL) {
		if (!(io->line & bit) || (*e & LA_IOAPIC_REMOTE_IRR))
			return;
		*e |= LA_IOAPIC_REMOTE_IRR;
		la_ioapic_fire(io, pin);
	} else if (io->edge_pending & bit) {
		io->edge_pending &= ~bit;
		la_ioapic_fire(io, pin);
	}
}

static void la_ioapic_route(struct la_ioapic *io, unsigned pin)
{
	uint64_t addr;
	uint32_t data;

	la_ioapic_msi(io->redir[pin], &addr, &data);
	io->route(io->ctx, pin, addr, data);
}

int la_ioapic_create(la_ioapic_msi_fn deliver, la_ioapic_route_fn route, void *ctx,
		     struct la_ioapic **out)
{
	struct la_ioapic *io = calloc(1, sizeof(*io));

	*out = NULL;
	if (!io)
		return -LA_ERR_NOMEM;
	pthread_mutex_init(&io->lock, NULL);
	io->deliver = deliver;
	io->route = route;
	io->ctx = ctx;
	for (unsigned i = 0; i < LA_IOAPIC_PINS; i++)
		io->redir[i] = LA_IOAPIC_MASKED;
	*out = io;
	return 0;
}

void la_ioapic_destroy(struct la_ioapic *io)
{
	if (!io)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io);
}

void la_ioapic_irq(struct la_ioapic *io, unsigned pin, int level)
{
	uint32_t bit;

	if (pin >= LA_IOAPIC_PINS)
		return;
	bit = 1u << pin;
	pthread_mutex_lock(&io->lock);
	if (level && !(io->line & bit)) {
		io->line |= bit;
		if (!(io->redir[pin] & LA_IOAPIC_LEVEL))
			io->edge_pending |= bit;
		la_ioapic_service(io, pin);
	} else if (!level) {
		io->line &= ~bit;
	}
	pthread_mutex_unlock(&io->lock);
}

void la_ioapic_eoi(struct la_ioapic *io, uint8_t vector)
{
	pthread_mutex_lock(&io->lock);
	for (unsigned pin = 0; pin < LA_IOAPIC_PINS; pin++) {
		uint64_t *e = &io->redir[pin];

		if ((*e & LA_IOAPIC_VECTOR) != vector || !(*e & LA_IOAPIC_LEVEL) ||
		    !(*e & LA_IOAPIC_REMOTE_IRR))
			continue;
		*e &= ~LA_IOAPIC_REMOTE_IRR;
		la_ioapic_service(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
}

uint64_t la_ioapic_entry(struct la_ioapic *io, unsigned pin)
{
	uint64_t e;

	if (pin >= LA_IOAPIC_PINS)
		return 0;
	pthread_mutex_lock(&io->lock);
	e = io->redir[pin];
	pthread_mutex_unlock(&io->lock);
	return e;
}

static uint32_t la_ioapic_read_reg(const struct la_ioapic *io, uint32_t reg)
{
	switch (reg) {
	case LA_IOAPIC_REG_ID:
	case LA_IOAPIC_REG_ARB:
		return io->id;
	case LA_IOAPIC_REG_VER:
		return LA_IOAPIC_VERSION | (LA_IOAPIC_PINS - 1) << 16;
	}
	if (reg >= LA_IOAPIC_REG_REDIR && reg < LA_IOAPIC_REG_REDIR + 2 * LA_IOAPIC_PINS) {
		uint64_t e = io->redir[(reg - LA_IOAPIC_REG_REDIR) / 2];

		return (uint32_t)(reg % 2 ? e >> 32 : e);
	}
	return 0;
}

static void la_ioapic_write_reg(struct la_ioapic *io, uint32_t reg, uint32_t v)
{
	unsigned pin = (reg - LA_IOAPIC_REG_REDIR) / 2;
	uint64_t *e, old;

	if (reg == LA_IOAPIC_REG_ID) {
		io->id = v & 0x0f000000u;
		return;
	}
	if (reg < LA_IOAPIC_REG_REDIR || reg >= LA_IOAPIC_REG_REDIR + 2 * LA_IOAPIC_PINS)
		return;
	e = &io->redir[pin];
	old = *e;
	if (reg % 2)
		*e = (*e & 0xffffffffULL) | (uint64_t)v << 32;
	else
		*e = (*e & 0xffffffff00000000ULL) | (v & ~(uint32_t)LA_IOAPIC_RO) |
		     (*e & LA_IOAPIC_RO);
	/* a pin made edge-triggered awaits no EOI */
	if (!(*e & LA_IOAPIC_LEVEL))
		*e &= ~LA_IOAPIC_REMOTE_IRR;
	if ((*e & ~LA_IOAPIC_RO) != (old & ~LA_IOAPIC_RO))
		la_ioapic_route(io, pin);
	la_ioapic_service(io, pin);
}

static void la_ioapic_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_ioapic *io = ctx;

	memset(data, 0, size);
	if (size != 4)
		return;
	pthread_mutex_lock(&io->lock);
	if (off == LA_IOAPIC_REGSEL)
		la_put32(data, io->regsel);
	else if (off == LA_IOAPIC_WINDOW)
		la_put32(data, la_ioapic_read_reg(io, io->regsel));
	pthread_mutex_unlock(&io->lock);
}

static void la_ioapic_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_ioapic *io = ctx;

	if (size != 4)
		return;
	pthread_mutex_lock(&io->lock);
	if (off == LA_IOAPIC_REGSEL)
		io->regsel = la_get32(data) & 0xff;
	else if (off == LA_IOAPIC_WINDOW)
		la_ioapic_write_reg(io, io->regsel, la_get32(data));
	pthread_mutex_unlock(&io->lock);
}

const struct la_bus_ops la_ioapic_ops = { .read = la_ioapic_read, .write = la_ioapic_write };
