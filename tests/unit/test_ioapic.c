/* SPDX-License-Identifier: MIT */
/* The userspace IOAPIC of the split irqchip (lib/dev/ioapic.c): the
 * redirection table through IOREGSEL/IOWIN, masking, edge and level pins,
 * remote IRR and EOI, the MSI messages it makes and the routes it reports,
 * and guest-written garbage, with fake delivery and route callbacks that
 * record what they are given. */
#include "bytes.h"
#include "dev/ioapic.h"
#include "err.h"
#include "t.h"

static unsigned fired;            /* deliveries */
static uint64_t last_addr;
static uint32_t last_data;
static unsigned routed;           /* route calls */
static unsigned route_pin;
static uint64_t route_addr;
static uint32_t route_data;

static void deliver(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	fired++;
	last_addr = addr;
	last_data = data;
}

static void route(void *ctx, unsigned pin, uint64_t addr, uint32_t data)
{
	(void)ctx;
	routed++;
	route_pin = pin;
	route_addr = addr;
	route_data = data;
}

static uint32_t rd(struct la_ioapic *io, uint32_t reg)
{
	uint8_t d[4];

	la_put32(d, reg);
	la_ioapic_ops.write(io, LA_IOAPIC_REGSEL, d, 4);
	la_ioapic_ops.read(io, LA_IOAPIC_WINDOW, d, 4);
	return la_get32(d);
}

static void wr(struct la_ioapic *io, uint32_t reg, uint32_t v)
{
	uint8_t d[4];

	la_put32(d, reg);
	la_ioapic_ops.write(io, LA_IOAPIC_REGSEL, d, 4);
	la_put32(d, v);
	la_ioapic_ops.write(io, LA_IOAPIC_WINDOW, d, 4);
}

/* pin's entry: low half last, as Linux writes an unmasking entry */
static void set_entry(struct la_ioapic *io, unsigned pin, uint64_t e)
{
	wr(io, LA_IOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(e >> 32));
	wr(io, LA_IOAPIC_REG_REDIR + 2 * pin, (uint32_t)e);
}

static struct la_ioapic *make(void)
{
	struct la_ioapic *io;

	T_CHECK(la_ioapic_create(deliver, route, NULL, &io) == 0);
	fired = routed = 0;
	return io;
}

static void test_registers(void)
{
	struct la_ioapic *io = make();

	T_EQ_U64(rd(io, LA_IOAPIC_REG_VER), 0x170011);
	T_EQ_U64(rd(io, LA_IOAPIC_REG_ID), 0);
	wr(io, LA_IOAPIC_REG_ID, 0xff000000);
	T_EQ_U64(rd(io, LA_IOAPIC_REG_ID), 0x0f000000);
	T_EQ_U64(rd(io, LA_IOAPIC_REG_ARB), 0x0f000000);
	/* every pin starts masked */
	for (unsigned pin = 0; pin < LA_IOAPIC_PINS; pin++)
		T_EQ_U64(rd(io, LA_IOAPIC_REG_REDIR + 2 * pin), LA_IOAPIC_MASKED);
	/* both halves read back; delivery status and remote IRR are not writable */
	set_entry(io, 5, 0x0300000000000000ULL | LA_IOAPIC_DELIVS | LA_IOAPIC_REMOTE_IRR |
			 LA_IOAPIC_MASKED | LA_IOAPIC_POLARITY | 0x31);
	T_EQ_U64(rd(io, LA_IOAPIC_REG_REDIR + 11), 0x03000000);
	T_EQ_U64(rd(io, LA_IOAPIC_REG_REDIR + 10),
		 LA_IOAPIC_MASKED | LA_IOAPIC_POLARITY | 0x31);
	T_EQ_U64(la_ioapic_entry(io, 5), 0x0300000000000000ULL | LA_IOAPIC_MASKED |
					 LA_IOAPIC_POLARITY | 0x31);
	/* the route follows the entry */
	T_EQ_U64(route_pin, 5);
	T_EQ_U64(route_addr, 0xfee03000);
	T_EQ_U64(route_data, 0x31);
	la_ioapic_destroy(io);
}

static void test_msi(void)
{
	uint64_t addr;
	uint32_t data;

	/* physical destination 2, fixed, edge, vector 0x40 */
	la_ioapic_msi(0x0200000000000040ULL, &addr, &data);
	T_EQ_U64(addr, 0xfee02000);
	T_EQ_U64(data, 0x40);
	/* logical destination 0xff, lowest priority (1), level, vector 0x51 */
	la_ioapic_msi(0xff00000000000000ULL | LA_IOAPIC_DESTMODE | LA_IOAPIC_LEVEL |
		      1u << LA_IOAPIC_DELMODE_SHIFT | 0x51, &addr, &data);
	T_EQ_U64(addr, 0xfeeff004);
	T_EQ_U64(data, 0xc151);
	/* NMI (4); extended destination ID bits 8-14 to address bits 5-11 */
	la_ioapic_msi((uint64_t)0x7f << LA_IOAPIC_EXT_DEST_SHIFT | 4u << LA_IOAPIC_DELMODE_SHIFT,
		      &addr, &data);
	T_EQ_U64(addr, 0xfee00fe0);
	T_EQ_U64(data, 0x400);
}

static void test_edge_and_mask(void)
{
	struct la_ioapic *io = make();

	/* masked: an edge waits for the unmask */
	set_entry(io, 4, LA_IOAPIC_MASKED | 0x24);
	la_ioapic_irq(io, 4, 1);
	la_ioapic_irq(io, 4, 0);
	T_EQ_U64(fired, 0);
	set_entry(io, 4, 0x24);
	T_EQ_U64(fired, 1);
	T_EQ_U64(last_addr, 0xfee00000);
	T_EQ_U64(last_data, 0x24);
	/* one rising edge, one delivery; a held line does not repeat */
	la_ioapic_irq(io, 4, 1);
	la_ioapic_irq(io, 4, 1);
	T_EQ_U64(fired, 2);
	la_ioapic_irq(io, 4, 0);
	la_ioapic_irq(io, 4, 1);
	T_EQ_U64(fired, 3);
	/* an edge pin awaits no EOI, and never sets remote IRR */
	T_CHECK(!(la_ioapic_entry(io, 4) & LA_IOAPIC_REMOTE_IRR));
	la_ioapic_destroy(io);
}

static void test_level_eoi(void)
{
	struct la_ioapic *io = make();

	set_entry(io, 10, LA_IOAPIC_LEVEL | 0x61);
	/* the route asks for the level vector's EOI */
	T_EQ_U64(route_pin, 10);
	T_EQ_U64(route_data, 0xc061);
	la_ioapic_irq(io, 10, 1);
	T_EQ_U64(fired, 1);
	T_EQ_U64(last_data, 0xc061);
	T_CHECK(la_ioapic_entry(io, 10) & LA_IOAPIC_REMOTE_IRR);
	/* remote IRR: no second delivery until the EOI */
	la_ioapic_irq(io, 10, 0);
	la_ioapic_irq(io, 10, 1);
	T_EQ_U64(fired, 1);
	/* an EOI of another vector changes nothing */
	la_ioapic_eoi(io, 0x62);
	T_EQ_U64(fired, 1);
	T_CHECK(la_ioapic_entry(io, 10) & LA_IOAPIC_REMOTE_IRR);
	/* EOI with the line still asserted: delivered again */
	la_ioapic_eoi(io, 0x61);
	T_EQ_U64(fired, 2);
	T_CHECK(la_ioapic_entry(io, 10) & LA_IOAPIC_REMOTE_IRR);
	/* line lowered, then EOI: remote IRR clears, nothing fires */
	la_ioapic_irq(io, 10, 0);
	la_ioapic_eoi(io, 0x61);
	T_EQ_U64(fired, 2);
	T_CHECK(!(la_ioapic_entry(io, 10) & LA_IOAPIC_REMOTE_IRR));
	/* masked level pin: asserted, nothing; unmasked: delivered */
	set_entry(io, 11, LA_IOAPIC_MASKED | LA_IOAPIC_LEVEL | 0x70);
	la_ioapic_irq(io, 11, 1);
	T_EQ_U64(fired, 2);
	set_entry(io, 11, LA_IOAPIC_LEVEL | 0x70);
	T_EQ_U64(fired, 3);
	T_EQ_U64(last_data, 0xc070);
	/* a pin made edge-triggered drops its remote IRR */
	set_entry(io, 11, 0x70);
	T_CHECK(!(la_ioapic_entry(io, 11) & LA_IOAPIC_REMOTE_IRR));
	la_ioapic_destroy(io);
}

static void test_garbage(void)
{
	struct la_ioapic *io = make();
	uint8_t d[8] = { 0 };

	/* registers past the table, pins past 23, odd sizes and offsets */
	wr(io, LA_IOAPIC_REG_REDIR + 2 * LA_IOAPIC_PINS, 0x12);
	T_EQ_U64(rd(io, LA_IOAPIC_REG_REDIR + 2 * LA_IOAPIC_PINS), 0);
	wr(io, 0xff, 0xffffffff);
	T_EQ_U64(rd(io, 0xff), 0);
	T_EQ_U64(routed, 0);
	la_ioapic_irq(io, LA_IOAPIC_PINS, 1);
	la_ioapic_irq(io, 1000, 1);
	la_ioapic_eoi(io, 0);
	T_EQ_U64(fired, 0);
	T_EQ_U64(la_ioapic_entry(io, LA_IOAPIC_PINS), 0);
	la_ioapic_ops.read(io, 0x20, d, 8);
	T_EQ_U64(la_get64(d), 0);
	la_ioapic_ops.read(io, LA_IOAPIC_WINDOW, d, 2);
	T_EQ_U64(la_get64(d), 0);
	la_put64(d, ~0ULL);
	la_ioapic_ops.write(io, LA_IOAPIC_WINDOW + 4, d, 4);
	la_ioapic_ops.write(io, LA_IOAPIC_REGSEL, d, 8);
	la_ioapic_ops.write(io, 0xfff, d, 1);
	for (unsigned pin = 0; pin < LA_IOAPIC_PINS; pin++)
		T_EQ_U64(la_ioapic_entry(io, pin), LA_IOAPIC_MASKED);
	T_EQ_U64(routed, 0);
	la_ioapic_destroy(io);
}

int main(void)
{
	test_registers();
	test_msi();
	test_edge_and_mask();
	test_level_eoi();
	test_garbage();
	return T_DONE();
}
