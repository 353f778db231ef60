/* SPDX-License-Identifier: MIT */
/*
 * Every device la knows, in one explicit table (see lib/dev/dev.h for why
 * not constructors). A new device: its file below lib/dev/ or lib/virtio/,
 * one line here, and one in the device list of each arch whose build_vm
 * creates it.
 */
#include <stdio.h>
#include <string.h>

#include "dev/dev.h"

const struct la_dev_desc *const la_dev_registry[] = {
	&la_dev_com1, &la_dev_com2, &la_dev_com3, &la_dev_com4,
	&la_dev_rtc,
	&la_dev_i8042,
	&la_dev_debugcon,
	&la_dev_pstore,
	&la_dev_virtio_blk, &la_dev_virtio_net, &la_dev_virtio_rng, &la_dev_virtio_console,
	&la_dev_virtio_vsock,
	&la_dev_pvpanic,
	&la_dev_fw_cfg,
	&la_dev_pflash,
	&la_dev_vmwdt,
	&la_dev_cpufreq,
	&la_dev_acpi_pm,
	&la_dev_post,
	&la_dev_plic,
	&la_dev_vpmc,      /* la-vmrun adds it with --control (x86_64, ACPI) */
	&la_dev_battery,
	/* not here: pci-hotplug and hotplug-slot (lib/pci/hotplug.c), which
	 * only --pci-hotplug-slots adds, never a --device TYPE */
};

const unsigned la_dev_nregistry = sizeof(la_dev_registry) / sizeof(la_dev_registry[0]);

const struct la_dev_desc *la_dev_lookup(const char *name)
{
	for (unsigned i = 0; i < la_dev_nregistry; i++)
		if (!strcmp(la_dev_registry[i]->name, name))
			return la_dev_registry[i];
	return NULL;
}

void la_dev_names(char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < la_dev_nregistry && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       i == 0 ? "" : i + 1 == la_dev_nregistry ? " or " : ", ",
				       la_dev_registry[i]->name);
}

bool la_dev_on_arch(const struct la_dev_desc *t, const struct la_arch_ops *arch)
{
	return t->arch[arch->id].n > 0;
}
