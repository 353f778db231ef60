/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio spec 1.2, §5.2) over a raw image: IN, OUT, FLUSH
 * (fdatasync before the completion is visible), GET_ID, DISCARD (a hole
 * punched, the size kept) and WRITE_ZEROES; every request bounds-checked
 * against the capacity; a read-only disk answers writes with IOERR.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "virtio/devices.h"
#include "virtio/transport.h"

/* feature bits */
#define VBLK_F_SEG_MAX 2
#define VBLK_F_RO 5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH 9
#define VBLK_F_DISCARD 13
#define VBLK_F_WRITE_ZEROES 14

/* request types and status */
enum { VBLK_T_IN = 0, VBLK_T_OUT = 1, VBLK_T_FLUSH = 4, VBLK_T_GET_ID = 8,
       VBLK_T_DISCARD = 11, VBLK_T_WRITE_ZEROES = 13 };
enum { VBLK_S_OK = 0, VBLK_S_IOERR = 1, VBLK_S_UNSUPP = 2 };

#define VBLK_SECTOR 512u
#define VBLK_QUEUE 256u
#define VBLK_SEG_MAX (VBLK_QUEUE - 2)
#define VBLK_CONFIG_LEN 60u
#define VBLK_MAX_RANGES 32u       /* discard and write-zeroes segments */
#define VBLK_MAX_SECTORS 0x3fffffu

struct la_vblk {
	struct la_vtpci t;            /* first: the generic hooks cast */
	struct la_vblk_opts o;
	uint64_t sectors;
	uint8_t config[VBLK_CONFIG_LEN];
	struct iovec iov[LA_VIRTQ_MAX_SEG];
	uint8_t *bounce;              /* direct: VBLK_BOUNCE bytes, aligned */
};

/* direct: the largest offset and length alignment a file system may want,
 * and the bounce buffer for guest buffers that are not aligned so */
#define VBLK_DIO_ALIGN_MAX 4096u
#define VBLK_BOUNCE (128u << 10)

/* The smallest alignment (512 .. 4096) at which an O_DIRECT read of the
 * image's first block works (a file shorter than that keeps 512, and reads
 * past its end are refused anyway). returns: 0, -1 (errno) */
static int la_vblk_probe_align(struct la_vblk_opts *o)
{
	void *buf;
	int err = EINVAL;

	if (posix_memalign(&buf, VBLK_DIO_ALIGN_MAX, VBLK_DIO_ALIGN_MAX))
		return errno = ENOMEM, -1;
	for (unsigned a = VBLK_SECTOR; a <= VBLK_DIO_ALIGN_MAX; a *= 2) {
		if (o->size < a || pread(o->fd, buf, a, 0) >= 0) {
			o->align = a;
			free(buf);
			return 0;
		}
		err = errno;
		if (err != EINVAL)
			break;
	}
	free(buf);
	errno = err;
	return -1;
}

bool la_vblk_serial_ok(const char *s)
{
	if (strlen(s) > LA_VBLK_SERIAL_MAX)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == ',')
			return false;
	return true;
}

int la_vblk_open(struct la_vblk_opts *o, char *why, size_t whylen)
{
	int flags = (o->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | (o->direct ? O_DIRECT : 0);

	o->fd = open(o->path, flags);
	if (o->fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return errno == ENOENT ? -LA_ERR_NOENT : -LA_ERR_IO;
	}
	return la_vblk_adopt(o, why, whylen);
}

int la_vblk_adopt(struct la_vblk_opts *o, char *why, size_t whylen)
{
	struct flock l = { .l_type = o->ro ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };
	int fl = fcntl(o->fd, F_GETFL);
	struct stat st;

	if (fl < 0 || (!o->ro && (fl & O_ACCMODE) == O_RDONLY) ||
	    (o->direct && !(fl & O_DIRECT) && fcntl(o->fd, F_SETFL, fl | O_DIRECT))) {
		snprintf(why, whylen, "%s", fl < 0 || (fl & O_ACCMODE) != O_RDONLY || o->ro ?
			 strerror(errno) : "opened read-only (give ro)");
		close(o->fd);
		o->fd = -1;
		return -LA_ERR_IO;
	}
	if (fstat(o->fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(why, whylen, "%s", la_strerror(-LA_ERR_NOTREG));
		close(o->fd);
		o->fd = -1;
		return -LA_ERR_NOTREG;
	}
	if (fcntl(o->fd, F_OFD_SETLK, &l)) {
		int e = errno;

		snprintf(why, whylen, "%s", e == EAGAIN || e == EACCES ?
			 (o->ro ? "in use: another process holds a write lock on it" :
				  "in use: another process holds a lock on it (another VM's disk?)") :
			 strerror(e));
		close(o->fd);
		o->fd = -1;
		return e == EAGAIN || e == EACCES ? -LA_ERR_LOCKED : -LA_ERR_IO;
	}
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(o->fd, 0, SEEK_END);

		o->size = end > 0 ? (uint64_t)end : 0;
	} else {
		o->size = (uint64_t)st.st_size;
	}
	o->align = VBLK_SECTOR;
	if (o->direct && la_vblk_probe_align(o)) {
		snprintf(why, whylen, "cannot read it with O_DIRECT at any alignment up to %u "
			 "bytes (%s)", VBLK_DIO_ALIGN_MAX, strerror(errno));
		close(o->fd);
		o->fd = -1;
		return -LA_ERR_IO;
	}
	return 0;
}

/* ---- requests ---- */

/* The iovecs of len bytes of segments [first, first+n) from byte skip. */
static unsigned la_vblk_iov(struct la_vblk *b, const struct la_virtq_chain *c, unsigned first,
			    unsigned n, uint64_t skip, uint64_t len)
{
	unsigned k = 0;

	for (unsigned i = first; i < first + n && len && k < LA_VIRTQ_MAX_SEG; i++) {
		uint64_t l = c->seg[i].len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len)
			l = len;
		b->iov[k++] = (struct iovec){ c->seg[i].p + skip, (size_t)l };
		len -= l;
		skip = 0;
	}
	return k;
}

/* preadv/pwritev until done. returns: 0, -1 (errno, or a short file) */
static int la_vblk_rw(int fd, struct iovec *iov, unsigned n, uint64_t off, bool write)
{
	while (n) {
		unsigned batch = n > IOV_MAX ? IOV_MAX : n;
		ssize_t r = write ? pwritev(fd, iov, (int)batch, (off_t)off) :
				    preadv(fd, iov, (int)batch, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (uint64_t)r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++, n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* Whether every buffer suits O_DIRECT at alignment a. */
static bool la_vblk_aligned(const struct iovec *iov, unsigned n, unsigned a)
{
	for (unsigned i = 0; i < n; i++)
		if ((uintptr_t)iov[i].iov_base % a || iov[i].iov_len % a)
			return false;
	return true;
}

/* O_DIRECT through the aligned bounce buffer, a chunk at a time, for guest
 * buffers that are not aligned as the file wants (off and the length are:
 * the guest's block size is the alignment). returns: 0, -1 */
static int la_vblk_rw_bounce(struct la_vblk *b, struct iovec *iov, unsigned n, uint64_t off,
			     bool write)
{
	size_t left = 0;

	for (unsigned i = 0; i < n; i++)
		left += iov[i].iov_len;
	while (left) {
		size_t chunk = left < VBLK_BOUNCE ? left : VBLK_BOUNCE;
		struct iovec bi = { b->bounce, chunk };
		size_t done = 0;

		if (write) {
			while (done < chunk) {
				size_t l = iov->iov_len < chunk - done ? iov->iov_len : chunk - done;

				memcpy(b->bounce + done, iov->iov_base, l);
				done += l;
				iov->iov_base = (uint8_t *)iov->iov_base + l;
				if (!(iov->iov_len -= l))
					iov++;
			}
			if (la_vblk_rw(b->o.fd, &bi, 1, off, true))
				return -1;
		} else {
			if (la_vblk_rw(b->o.fd, &bi, 1, off, false))
				return -1;
			while (done < chunk) {
				size_t l = iov->iov_len < chunk - done ? iov->iov_len : chunk - done;

				memcpy(iov->iov_base, b->bounce + done, l);
				done += l;
				iov->iov_base = (uint8_t *)iov->iov_base + l;
				if (!(iov->iov_len -= l))
					iov++;
			}
		}
		off += chunk;
		left -= chunk;
	}
	return 0;
}

/* Read or write the data of a request: straight from and into the guest's
 * buffers, or through the bounce buffer where O_DIRECT cannot take them. */
static int la_vblk_data(struct la_vblk *b, unsigned n, uint64_t off, bool write)
{
	if (b->bounce && !la_vblk_aligned(b->iov, n, b->o.align))
		return la_vblk_rw_bounce(b, b->iov, n, off, write);
	return la_vblk_rw(b->o.fd, b->iov, n, off, write);
}

static bool la_vblk_in_range(const struct la_vblk *b, uint64_t sector, uint64_t n)
{
	return sector <= b->sectors && n <= b->sectors - sector;
}

/* DISCARD and WRITE_ZEROES: the ranges in the data (16 bytes each). */
static uint8_t la_vblk_ranges(struct la_vblk *b, const struct la_virtq_chain *c, uint32_t type)
{
	uint64_t bytes = c->out_bytes - 16;
	uint8_t seg[16];

	if (b->o.ro)
		return VBLK_S_IOERR;
	if (bytes % 16 || bytes / 16 > VBLK_MAX_RANGES)
		return VBLK_S_UNSUPP;
	for (uint64_t i = 0; i < bytes / 16; i++) {
		uint64_t sector, n;
		uint32_t flags;
		int mode = FALLOC_FL_KEEP_SIZE;

		la_virtq_read(c, 16 + 16 * i, seg, 16);
		sector = la_get64(seg);
		n = la_get32(seg + 8);
		flags = la_get32(seg + 12);
		if (!la_vblk_in_range(b, sector, n) || n > VBLK_MAX_SECTORS)
			return VBLK_S_IOERR;
		if (type == VBLK_T_DISCARD && flags)
			return VBLK_S_UNSUPP;
		if (type == VBLK_T_WRITE_ZEROES && flags & ~1u)
			return VBLK_S_UNSUPP;
		mode |= type == VBLK_T_DISCARD || (flags & 1) ? FALLOC_FL_PUNCH_HOLE :
			FALLOC_FL_ZERO_RANGE;
		if (n && fallocate(b->o.fd, mode, (off_t)(sector * VBLK_SECTOR),
				   (off_t)(n * VBLK_SECTOR)))
			return VBLK_S_IOERR;
	}
	return VBLK_S_OK;
}

/* One request. returns: the bytes written into the chain, status included */
static uint32_t la_vblk_request(struct la_vblk *b, const struct la_virtq_chain *c)
{
	uint8_t hdr[16], st = VBLK_S_OK;
	uint64_t data_in, data_out, sector;
	uint32_t type, written = 0;
	unsigned n;

	if (c->in_bytes < 1)
		return 0; /* nowhere to put a status: dropped */
	data_in = c->in_bytes - 1;
	if (c->out_bytes < 16) {
		st = VBLK_S_IOERR;
		goto done;
	}
	data_out = c->out_bytes - 16;
	la_virtq_read(c, 0, hdr, 16);
	type = la_get32(hdr);
	sector = la_get64(hdr + 8);
	switch (type) {
	case VBLK_T_IN:
		if (data_in % b->o.align || sector * VBLK_SECTOR % b->o.align ||
		    !la_vblk_in_range(b, sector, data_in / VBLK_SECTOR)) {
			st = VBLK_S_IOERR;
			break;
		}
		n = la_vblk_iov(b, c, c->nout, c->nin, 0, data_in);
		if (la_vblk_data(b, n, sector * VBLK_SECTOR, false))
			st = VBLK_S_IOERR;
		else
			written = (uint32_t)data_in;
		break;
	case VBLK_T_OUT:
		if (b->o.ro || data_out % b->o.align || sector * VBLK_SECTOR % b->o.align ||
		    !la_vblk_in_range(b, sector, data_out / VBLK_SECTOR)) {
			st = VBLK_S_IOERR;
			break;
		}
		n = la_vblk_iov(b, c, 0, c->nout, 16, data_out);
		if (la_vblk_data(b, n, sector * VBLK_SECTOR, true))
			st = VBLK_S_IOERR;
		break;
	case VBLK_T_FLUSH:
		if (!b->o.ro && fdatasync(b->o.fd))
			st = VBLK_S_IOERR;
		break;
	case VBLK_T_GET_ID: {
		uint8_t id[LA_VBLK_SERIAL_MAX] = { 0 };

		memcpy(id, b->o.serial, strlen(b->o.serial));
		written = (uint32_t)la_virtq_write(c, 0, id, data_in < sizeof(id) ? data_in :
							      sizeof(id));
		break;
	}
	case VBLK_T_DISCARD:
	case VBLK_T_WRITE_ZEROES:
		st = la_vblk_ranges(b, c, type);
		break;
	default:
		st = VBLK_S_UNSUPP;
		break;
	}
done:
	la_virtq_write(c, data_in, &st, 1);
	return written + 1;
}

static void la_vblk_work(void *dev, struct la_vtpci *t, int q)
{
	struct la_vblk *b = dev;

	if (q != 0)
		return;
	while (la_vtpci_pop(t, 0, t->chain))
		la_vtpci_push(t, 0, t->chain->head, la_vblk_request(b, t->chain));
}

static void la_vblk_config_read(void *dev, unsigned off, uint8_t *data, unsigned size)
{
	struct la_vblk *b = dev;

	memcpy(data, b->config + off, size);
}

static const struct la_virtio_ops la_vblk_ops = {
	.what = "virtio-blk", .device_id = 2, .class_code = 0x018000, .nqueues = 1,
	.queue_max = VBLK_QUEUE, .config_len = VBLK_CONFIG_LEN, .kind = LA_THREAD_VIRTIO_BLK,
	.config_read = la_vblk_config_read, .work = la_vblk_work,
};

/* struct virtio_blk_config */
static void la_vblk_config(struct la_vblk *b)
{
	uint8_t *c = b->config;

	la_put64(c + 0, b->sectors);
	la_put32(c + 12, VBLK_SEG_MAX);      /* seg_max */
	la_put32(c + 20, b->o.align);        /* blk_size: the guest's logical block */
	la_put16(c + 34, 1);                 /* num_queues */
	la_put32(c + 36, VBLK_MAX_SECTORS);  /* max_discard_sectors */
	la_put32(c + 40, VBLK_MAX_RANGES);   /* max_discard_seg */
	la_put32(c + 44, 8);                 /* discard_sector_alignment: 4 KiB */
	la_put32(c + 48, VBLK_MAX_SECTORS);  /* max_write_zeroes_sectors */
	la_put32(c + 52, VBLK_MAX_RANGES);   /* max_write_zeroes_seg */
	c[56] = 1;                           /* write_zeroes_may_unmap */
}

int la_vblk_create(const struct la_dev_inst *d, const struct la_dev_env *env, void **state,
		   const struct la_bus_ops **ops)
{
	const struct la_vblk_opts *o = env->backend;
	uint64_t f = 1ULL << VBLK_F_SEG_MAX | 1ULL << VBLK_F_BLK_SIZE | 1ULL << VBLK_F_FLUSH;
	struct la_vblk *b;
	int err;

	if (!o || o->fd < 0)
		return -LA_ERR_BADVALUE; /* a disk needs its image */
	b = calloc(1, sizeof(*b));
	if (!b)
		return -LA_ERR_NOMEM;
	b->o = *o;
	if (!b->o.align)
		b->o.align = VBLK_SECTOR;
	if (o->direct && posix_memalign((void **)&b->bounce, VBLK_DIO_ALIGN_MAX, VBLK_BOUNCE)) {
		free(b);
		return -LA_ERR_NOMEM;
	}
	b->sectors = o->size / VBLK_SECTOR;
	la_vblk_config(b);
	f |= o->ro ? 1ULL << VBLK_F_RO : 1ULL << VBLK_F_DISCARD | 1ULL << VBLK_F_WRITE_ZEROES;
	err = la_vtpci_init(&b->t, d, env, &la_vblk_ops, b, f, env->g, env->mmio);
	if (err) {
		la_vtpci_destroy(&b->t);
		free(b->bounce);
		free(b);
		return err;
	}
	/* "virtio-blk0" runs as la-vblk0 */
	snprintf(b->t.thread_name, sizeof(b->t.thread_name), "la-vblk%.7s",
		 d->name + strcspn(d->name, "0123456789"));
	*state = b;
	*ops = &la_vtpci_bar_ops;
	return 0;
}

/* The image's fd is la-vmrun's (it holds the lock): not closed here. */
void la_vblk_destroy(void *state)
{
	struct la_vblk *b = state;

	la_vtpci_destroy(&b->t);
	free(b->bounce);
	free(b);
}
