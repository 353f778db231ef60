/* SPDX-License-Identifier: MIT */
/* MSI-X: capability, table, PBA, delivery through KVM (lib/pci/msix.h). */
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "pci/msix.h"

#define LA_MSIX_VCTRL_MASK 1u

static uint16_t la_msix_ctrl(const struct la_msix *x)
{
	return la_get16(x->ep->cfg + x->cap + 2);
}

static bool la_msix_masked(const struct la_msix *x, unsigned v)
{
	return (la_msix_ctrl(x) & LA_MSIX_FMASK) ||
	       (la_get32(x->table + 16 * v + 12) & LA_MSIX_VCTRL_MASK);
}

/* Undo the first n irqfds and close every vector's eventfd. */
static void la_msix_drop(struct la_msix *x, unsigned n)
{
	for (unsigned v = 0; v < LA_MSIX_MAX; v++) {
		if (v < n && x->fd[v] >= 0 && x->gsi[v] >= 0)
			x->m->irqfd(x->m->vm, x->fd[v], (unsigned)x->gsi[v], false);
		if (x->fd[v] >= 0)
			close(x->fd[v]);
		x->fd[v] = -1;
	}
}

int la_msix_init(struct la_msix *x, struct la_pci_ep *ep, unsigned n, uint8_t bar,
		 uint32_t table_off, uint32_t pba_off, uint32_t devid,
		 const struct la_machine *m)
{
	uint8_t c[12] = { LA_MSIX_CAP_ID }, mask[12] = { 0 };
	int err = 0;

	memset(x, 0, sizeof(*x));
	x->ep = ep;
	x->m = m;
	x->devid = devid;
	for (unsigned v = 0; v < LA_MSIX_MAX; v++)
		x->fd[v] = x->gsi[v] = -1;
	pthread_mutex_init(&x->lock, NULL);
	x->ready = true;
	if (!m || !m->msi_gsi || !m->msi_route || !m->irqfd || n == 0 || n > LA_MSIX_MAX)
		return 0; /* INTx only */
	for (unsigned v = 0; v < n && !err; v++) {
		la_put32(x->table + 16 * v + 12, LA_MSIX_VCTRL_MASK); /* masked at reset */
		x->gsi[v] = m->msi_gsi(m->vm);
		x->fd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		err = x->gsi[v] < 0 || x->fd[v] < 0;
	}
	if (err) {
		la_msix_drop(x, 0);
		return 0; /* no GSIs left, or no eventfd: INTx only */
	}
	la_put16(c + 2, (uint16_t)(n - 1));
	la_put32(c + 4, table_off | bar);
	la_put32(c + 8, pba_off | bar);
	la_put16(mask + 2, LA_MSIX_ENABLE | LA_MSIX_FMASK);
	err = la_pci_ep_cap_add(ep, c, sizeof(c), mask, &x->cap);
	if (err) {
		la_msix_drop(x, 0);
		return err;
	}
	x->n = n;
	return 0;
}

/* Take the capability out of the list again (it is the last one). */
static void la_msix_unlink(struct la_msix *x)
{
	uint8_t *cfg = x->ep->cfg;
	unsigned at = LA_PCI_CAP_PTR;

	while (cfg[at] && cfg[at] != x->cap)
		at = cfg[at] + 1u;
	cfg[at] = 0;
	memset(cfg + x->cap, 0, 12);
	memset(x->ep->wmask + x->cap, 0, 12);
	if (x->ep->last_cap == x->cap)
		x->ep->last_cap = at == LA_PCI_CAP_PTR ? 0 : (uint8_t)(at - 1);
	x->n = 0;
}

int la_msix_bind(struct la_msix *x)
{
	int err = 0;
	unsigned v;

	for (v = 0; v < x->n && !err; v++)
		err = x->m->irqfd(x->m->vm, x->fd[v], (unsigned)x->gsi[v], true);
	if (!err)
		return 0;
	la_msix_drop(x, v - 1);
	la_msix_unlink(x);
	return err;
}

void la_msix_release(struct la_msix *x)
{
	if (!x->ready || !x->m)
		return;
	for (unsigned v = 0; v < LA_MSIX_MAX; v++) {
		if (x->gsi[v] < 0)
			continue;
		if (x->fd[v] >= 0 && x->n && x->m->irqfd)
			x->m->irqfd(x->m->vm, x->fd[v], (unsigned)x->gsi[v], false);
		if (x->m->msi_free)
			x->m->msi_free(x->m->vm, (unsigned)x->gsi[v]);
		x->gsi[v] = -1;
		x->routed[v] = false;
	}
}

void la_msix_destroy(struct la_msix *x)
{
	if (!x->ready)
		return;
	for (unsigned v = 0; v < LA_MSIX_MAX; v++)
		if (x->fd[v] >= 0)
			close(x->fd[v]);
	pthread_mutex_destroy(&x->lock);
	x->ready = false;
}

bool la_msix_enabled(struct la_msix *x)
{
	return x->n && (la_msix_ctrl(x) & LA_MSIX_ENABLE);
}

static void la_msix_fire(struct la_msix *x, unsigned v)
{
	uint64_t one = 1;

	if (x->fd[v] >= 0 && write(x->fd[v], &one, sizeof(one)) < 0) {
		/* a full counter is still an interrupt pending in KVM */
	}
}

/* Point vector v's GSI at its entry's message (lock held). */
static void la_msix_route(struct la_msix *x, unsigned v)
{
	const uint8_t *e = x->table + 16 * v;

	if (x->gsi[v] < 0)
		return;
	x->routed[v] = x->m->msi_route(x->m->vm, (unsigned)x->gsi[v], la_get64(e),
				       la_get32(e + 8), x->devid, true) == 0;
}

/* Deliver what is pending and may go now (lock held). */
static void la_msix_flush(struct la_msix *x)
{
	if (!la_msix_enabled(x))
		return;
	for (unsigned v = 0; v < x->n; v++) {
		if (!(x->pending & (1u << v)) || la_msix_masked(x, v))
			continue;
		x->pending &= ~(1u << v);
		if (!x->routed[v])
			la_msix_route(x, v);
		la_msix_fire(x, v);
	}
}

void la_msix_table(struct la_msix *x, uint64_t off, bool write, uint8_t *data, unsigned size)
{
	if (off >= 16ULL * x->n || off + size > 16ULL * x->n || (size != 4 && size != 8) ||
	    off % size) {
		if (!write)
			memset(data, 0, size); /* outside the table, or a torn access */
		return;
	}
	pthread_mutex_lock(&x->lock);
	if (!write) {
		memcpy(data, x->table + off, size);
	} else {
		unsigned v = (unsigned)(off / 16);
		uint8_t *ctrl = x->table + 16 * v + 12;

		for (unsigned i = 0; i < size; i++) {
			unsigned o = (unsigned)(off % 16) + i;

			if (o >= 12) /* vector control: only the mask bit */
				ctrl[o - 12] = (uint8_t)(o == 12 ? data[i] & LA_MSIX_VCTRL_MASK : 0);
			else
				x->table[16 * v + o] = data[i];
		}
		/* a new message: route it now while the vector is masked or
		 * not, so an unmasked vector's next interrupt uses it */
		if (off % 16 < 12)
			x->routed[v] = false;
		if (!(la_get32(ctrl) & LA_MSIX_VCTRL_MASK) && !x->routed[v])
			la_msix_route(x, v);
		la_msix_flush(x);
	}
	pthread_mutex_unlock(&x->lock);
}

void la_msix_pba(struct la_msix *x, uint64_t off, uint8_t *data, unsigned size)
{
	uint64_t bits;

	pthread_mutex_lock(&x->lock);
	bits = x->pending;
	pthread_mutex_unlock(&x->lock);
	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < 8 ? (uint8_t)(bits >> (8 * (off + i))) : 0;
}

void la_msix_cfg_written(struct la_msix *x, unsigned reg, unsigned size)
{
	if (!x->n || reg + size <= x->cap + 2u || reg > x->cap + 3u)
		return;
	pthread_mutex_lock(&x->lock);
	la_msix_flush(x);
	pthread_mutex_unlock(&x->lock);
}

bool la_msix_signal(struct la_msix *x, unsigned v)
{
	if (!la_msix_enabled(x))
		return false;
	if (v >= x->n)
		return true; /* NO_VECTOR, or one the driver never had: nothing */
	pthread_mutex_lock(&x->lock);
	/* (the device thread never routes: the vCPU that wrote the entry did) */
	if (la_msix_masked(x, v))
		x->pending |= 1u << v;
	else
		la_msix_fire(x, v);
	pthread_mutex_unlock(&x->lock);
	return true;
}
