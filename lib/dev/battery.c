/* SPDX-License-Identifier: MIT */
/*
 * The goldfish battery (la-vmrun --battery), as crosvm adds it on aarch64
 * (§4.5 step 22, §1.7): 4 KiB of MMIO from low MMIO (aligned to 4 KiB),
 * level-high SPI 3, and the node "goldfish_battery" (§4.7 node 16,
 * compatible "google,goldfish-battery") that Linux's goldfish_battery
 * driver (CONFIG_BATTERY_GOLDFISH) binds to.
 *
 * Registers (that driver's, crosvm's devices/src/bat.rs): 32-bit words at
 * INT_STATUS 0x00 (read and cleared: bit 0 battery changed, bit 1 AC
 * changed), INT_ENABLE 0x04 (read, write), AC_ONLINE 0x08, STATUS 0x0c,
 * HEALTH 0x10, PRESENT 0x14, CAPACITY 0x18 (percent), VOLTAGE 0x1c, TEMP
 * 0x20, CHARGE_COUNTER 0x24, VOLTAGE_MAX 0x28, CURRENT_MAX 0x2c,
 * CURRENT_NOW 0x30, CURRENT_AVG 0x34, CHARGE_FULL_UAH 0x38, CYCLE_COUNT
 * 0x40. The values are crosvm's without a power monitor: on AC, a battery
 * present at 50 %, status and health unknown, the rest 0. la-vmrun never
 * changes them, so no change is ever pending and the interrupt stays low.
 * Accesses other than an aligned word, and other offsets: reads give 0
 * (crosvm leaves the bytes as they were), writes are ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "dev/battery.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "err.h"
#include "fdt/fdt.h"

struct la_battery {
	uint32_t int_status, int_enable;
	uint32_t ac_online, status, health, present, capacity;
};

void la_battery_init(struct la_battery *b)
{
	*b = (struct la_battery){
		.ac_online = 1, .status = LA_BATTERY_STATUS_UNKNOWN,
		.health = LA_BATTERY_HEALTH_UNKNOWN, .present = 1, .capacity = 50,
	};
}

void la_battery_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_battery *b = ctx;
	uint32_t v = 0;

	memset(data, 0, size);
	if (size != 4 || off % 4)
		return;
	switch (off) {
	case LA_BATTERY_INT_STATUS:
		v = b->int_status;
		b->int_status = 0; /* read to clear */
		break;
	case LA_BATTERY_INT_ENABLE: v = b->int_enable; break;
	case LA_BATTERY_AC_ONLINE: v = b->ac_online; break;
	case LA_BATTERY_STATUS: v = b->status; break;
	case LA_BATTERY_HEALTH: v = b->health; break;
	case LA_BATTERY_PRESENT: v = b->present; break;
	case LA_BATTERY_CAPACITY: v = b->capacity; break;
	default: break; /* voltage, temperature, currents, charge: 0 */
	}
	la_put32(data, v);
}

void la_battery_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_battery *b = ctx;

	if (size == 4 && off == LA_BATTERY_INT_ENABLE)
		b->int_enable = la_get32(data);
}

size_t la_battery_size(void)
{
	return sizeof(struct la_battery);
}

static const struct la_bus_ops la_battery_ops = { la_battery_read, la_battery_write };

static int la_battery_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			     void **state, const struct la_bus_ops **ops)
{
	struct la_battery *b;

	(void)env;
	if (!la_dev_inst_grant(d, LA_RES_MMIO, 0))
		return -LA_ERR_UNSUPPORTED;
	b = malloc(sizeof(*b));
	if (!b)
		return -LA_ERR_NOMEM;
	la_battery_init(b);
	*state = b;
	*ops = &la_battery_ops;
	return 0;
}

static void la_battery_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
				const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *irq;

	(void)fc;
	if (!la_dev_fdt_open(w, d, "goldfish_battery", false, "google,goldfish-battery", &irq))
		return;
	la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_LEVEL_HIGH, false);
	la_fdt_w_end_node(w);
}

const struct la_dev_desc la_dev_battery = {
	.name = "battery", .kind = "battery", .what = "goldfish battery (--battery)",
	.arch = {
		[LA_ARCH_AARCH64] = { 2, {
			{ .kind = LA_RES_MMIO, .how = LA_NEED_MMIO, .role = "mmio",
			  .size = LA_BATTERY_MMIO_SIZE, .align = LA_BATTERY_MMIO_SIZE,
			  .tag = "goldfish battery" },
			LA_NEED_FIXED_IRQ(LA_BATTERY_AARCH64_IRQ, "SPI, level"),
		} },
	},
	.fdt_node = la_battery_fdt_node,
	.fdt_order = LA_FDT_ORDER_BATTERY,
	.create = la_battery_create,
};
