/* SPDX-License-Identifier: MIT */
/* The goldfish battery (lib/dev/battery.c): its registers and values. */
#ifndef LA_DEV_BATTERY_H
#define LA_DEV_BATTERY_H

#include <stddef.h>
#include <stdint.h>

#define LA_BATTERY_MMIO_SIZE 0x1000
#define LA_BATTERY_AARCH64_IRQ 3 /* SPI */

#define LA_BATTERY_INT_STATUS 0x00
#define LA_BATTERY_INT_ENABLE 0x04
#define LA_BATTERY_AC_ONLINE 0x08
#define LA_BATTERY_STATUS 0x0c
#define LA_BATTERY_HEALTH 0x10
#define LA_BATTERY_PRESENT 0x14
#define LA_BATTERY_CAPACITY 0x18
#define LA_BATTERY_CYCLE_COUNT 0x40

#define LA_BATTERY_STATUS_UNKNOWN 0
#define LA_BATTERY_HEALTH_UNKNOWN 0

struct la_battery;

/* la_battery_size - bytes of a struct la_battery (for a caller's buffer). */
size_t la_battery_size(void);
/* la_battery_init - the values crosvm starts with: AC online, present,
 * 50 %, status and health unknown, no interrupt enabled or pending. */
void la_battery_init(struct la_battery *b);
/* la_battery_read, la_battery_write - an access at offset off of the
 * 4 KiB window (ctx: the struct la_battery). */
void la_battery_read(void *ctx, uint64_t off, uint8_t *data, unsigned size);
void la_battery_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size);

#endif
