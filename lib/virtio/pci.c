/* SPDX-License-Identifier: MIT */
/*
 * Virtio devices on PCI, as crosvm grants them: a slot on bus 0, BAR 0 and
 * an INTx IRQ (§1.6). BAR 0 holds common config, ISR, device config,
 * notification and the MSI-X table and PBA: one 32 KiB non-prefetchable
 * 32-bit memory BAR, naturally aligned (crosvm's virtio capability BAR;
 * the spec does not give a size, see la-alloc(1)). A 32-bit BAR has
 * max_address 0xffffffff, so it always comes from low MMIO. blk, net, rng,
 * console and vsock have no shared-memory BARs.
 */
#include "dev/dev.h"
#include "virtio/devices.h"

#define LA_VIRTIO_BAR_SIZE 0x8000ULL
#define LA_BAR32_MAX 0xffffffffULL

#define LA_VIRTIO_ARCH(t)                                                                 \
	{ 3, {                                                                            \
		{ .kind = LA_RES_PCI, .how = LA_NEED_PCI, .role = "slot", .tag = t },       \
		{ .kind = LA_RES_MMIO, .how = LA_NEED_BAR, .role = "bar0",                  \
		  .size = LA_VIRTIO_BAR_SIZE, .align = LA_VIRTIO_BAR_SIZE,                  \
		  .max_address = LA_BAR32_MAX, .tag = t " settings BAR" },                  \
		{ .kind = LA_RES_IRQ, .how = LA_NEED_INTX, .role = "intx", .tag = t " INTx" }, \
	} }
/* create/destroy NULL: la-alloc and la-mkfdt know it, la-vmrun does not
 * run it yet (vsock). A running one is a PCI endpoint with a thread. */
#define LA_VIRTIO(var, nm, what_, create_, destroy_, input_)                              \
	const struct la_dev_desc var = {                                                  \
		.name = nm, .kind = "virtio-pci", .what = what_,                          \
		.arch = { LA_VIRTIO_ARCH(nm), LA_VIRTIO_ARCH(nm), LA_VIRTIO_ARCH(nm) },   \
		.create = create_, .destroy = destroy_, .input = input_,                  \
		.pci_ep = la_virtio_pci_ep, .start = la_virtio_start,                     \
	}

LA_VIRTIO(la_dev_virtio_blk, "virtio-blk", "virtio block device (PCI)", la_vblk_create,
	  la_vblk_destroy, NULL);
LA_VIRTIO(la_dev_virtio_net, "virtio-net", "virtio network device (PCI)", la_vnet_create,
	  la_vnet_destroy, NULL);
LA_VIRTIO(la_dev_virtio_rng, "virtio-rng", "virtio entropy device (PCI)", la_vrng_create,
	  la_vrng_destroy, NULL);
LA_VIRTIO(la_dev_virtio_console, "virtio-console", "virtio console (PCI)", la_vcons_create,
	  la_vcons_destroy, la_vcons_input);
LA_VIRTIO(la_dev_virtio_vsock, "virtio-vsock", "virtio vsock (PCI)", NULL, NULL, NULL);
