/* SPDX-License-Identifier: MIT */
/* Reading inputs and writing outputs by one rule; see fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"

#define LA_FILE_STREAM_CHUNK (64u << 10) /* a pipe's first buffer, bytes */
#define LA_OUT_MAX_LINKS 40              /* symlinks followed, as the kernel's limit */

/* ---- reasons ---- */

static int la_file_sys(char *why, int e)
{
	snprintf(why, LA_FILE_WHY_MAX, "%s", strerror(e));
	return -LA_ERR_IO;
}

static int la_file_fail(char *why, int err)
{
	snprintf(why, LA_FILE_WHY_MAX, "%s", la_strerror(err));
	return err;
}

/* "larger than 16 MiB" (a whole number of MiB), else in bytes */
static int la_file_too_large(char *why, size_t max)
{
	if (max && max % (1u << 20) == 0)
		snprintf(why, LA_FILE_WHY_MAX, "larger than %zu MiB", max >> 20);
	else
		snprintf(why, LA_FILE_WHY_MAX, "larger than %zu bytes", max);
	return -LA_ERR_TOOLARGE;
}

/* ---- inputs ---- */

/* 0 where flags accept what st describes, else why not. */
static int la_file_kind(const struct stat *st, unsigned flags, char *why)
{
	if (S_ISREG(st->st_mode) || ((flags & LA_FILE_PIPE) && S_ISFIFO(st->st_mode)))
		return 0;
	return la_file_fail(why, S_ISFIFO(st->st_mode) ? -LA_ERR_PIPE : -LA_ERR_NOTREG);
}

/* stat, then open without blocking (a FIFO swapped in after the stat
 * cannot hold us), then check what was opened; *st describes it. The fd
 * is blocking again on return. */
static int la_file_open_in(const char *path, unsigned flags, int *fd, struct stat *st,
			   char *why)
{
	int fl, err;

	if (stat(path, st) != 0)
		return la_file_sys(why, errno);
	err = la_file_kind(st, flags, why);
	if (err)
		return err;
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0)
		return la_file_sys(why, errno);
	if (fstat(*fd, st) != 0 || (fl = fcntl(*fd, F_GETFL)) < 0 ||
	    fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		int e = errno;

		close(*fd);
		return la_file_sys(why, e);
	}
	err = la_file_kind(st, flags, why);
	if (err)
		close(*fd);
	return err;
}

/* read(2) that retries EINTR, and waits where the descriptor was left
 * non-blocking by someone else (standard input). */
static ssize_t la_file_read_some(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t r = read(fd, buf, len);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (r >= 0)
			return r;
		if (errno == EAGAIN && poll(&p, 1, -1) < 0 && errno != EINTR)
			return -1;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

/* A stream (pipe, FIFO, standard input, a file with no size): up to max
 * bytes, growing the buffer as they come; one more is an error. */
static int la_file_read_stream(int fd, size_t max, void **data, size_t *len, char *why)
{
	size_t cap = 0, n = 0;
	uint8_t *buf = NULL;

	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t want = cap ? cap * 2 : LA_FILE_STREAM_CHUNK;
			uint8_t *nb;

			if (want > max + 1 || want < cap)
				want = max + 1;
			nb = realloc(buf, want + 1); /* + the NUL */
			if (!nb) {
				free(buf);
				return la_file_fail(why, -LA_ERR_NOMEM);
			}
			buf = nb, cap = want;
		}
		r = la_file_read_some(fd, buf + n, cap - n);
		if (r < 0) {
			int e = errno;

			free(buf);
			return la_file_sys(why, e);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			return la_file_too_large(why, max);
		}
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

/* A regular file: exactly its size; a short read or a byte past it means
 * it changed while we read it. */
static int la_file_read_regular(int fd, const struct stat *st, size_t max, void **data,
				size_t *len, char *why)
{
	size_t size = (size_t)st->st_size, n = 0;
	uint8_t *buf, extra;
	ssize_t r = 0;

	if ((uint64_t)st->st_size > max)
		return la_file_too_large(why, max);
	buf = malloc(size + 1);
	if (!buf)
		return la_file_fail(why, -LA_ERR_NOMEM);
	while (n < size && (r = la_file_read_some(fd, buf + n, size - n)) > 0)
		n += (size_t)r;
	if (n == size)
		r = la_file_read_some(fd, &extra, 1);
	if (r < 0 || n < size || r > 0) {
		int e = errno;

		free(buf);
		return r < 0 ? la_file_sys(why, e) : la_file_fail(why, -LA_ERR_CHANGED);
	}
	buf[size] = 0;
	*data = buf;
	*len = size;
	return 0;
}

int la_file_read(const char *path, unsigned flags, size_t max, void **data, size_t *len,
		 char *why)
{
	struct stat st;
	int fd, err;

	*data = NULL;
	*len = 0;
	if ((flags & LA_FILE_STDIN) && !strcmp(path, "-"))
		return la_file_read_stream(STDIN_FILENO, max, data, len, why);
	err = la_file_open_in(path, flags, &fd, &st, why);
	if (err)
		return err;
	/* a regular file of size 0 may be a kernel file (/proc) that has
	 * content all the same: read it as a stream */
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		err = la_file_read_regular(fd, &st, max, data, len, why);
	else
		err = la_file_read_stream(fd, max, data, len, why);
	close(fd);
	return err;
}

int la_file_open_regular(const char *path, int *fd, uint64_t *size, char *why)
{
	struct stat st;
	int err = la_file_open_in(path, 0, fd, &st, why);

	if (!err)
		*size = (uint64_t)st.st_size;
	return err;
}

/* ---- outputs ---- */

/* link's target, relative to the folder link is in. */
static char *la_out_link_target(const char *link, size_t size_hint)
{
	size_t cap = size_hint ? size_hint + 1 : 256;
	const char *slash;
	char *t = NULL, *joined;
	ssize_t n;

	for (;;) {
		char *nt = realloc(t, cap);

		if (!nt) {
			free(t);
			return NULL;
		}
		t = nt;
		n = readlink(link, t, cap);
		if (n < 0) {
			free(t);
			return NULL;
		}
		if ((size_t)n < cap)
			break;
		cap *= 2;
	}
	t[n] = 0;
	slash = strrchr(link, '/');
	if (t[0] == '/' || !slash)
		return t;
	if (asprintf(&joined, "%.*s/%s", (int)(slash - link), link, t) < 0)
		joined = NULL;
	free(t);
	return joined;
}

/* A symlink that leads nowhere: follow it link by link to the name it
 * would create. */
static int la_out_dangling(const char *path, char **dest, struct stat *st, bool *exists,
			   char *why)
{
	char *p = strdup(path), *next;

	for (int hops = 0; p; hops++) {
		*exists = lstat(p, st) == 0;
		if (!*exists || !S_ISLNK(st->st_mode))
			break;
		if (hops == LA_OUT_MAX_LINKS) {
			free(p);
			return la_file_sys(why, ELOOP);
		}
		next = la_out_link_target(p, (size_t)st->st_size);
		free(p);
		p = next;
	}
	if (!p)
		return la_file_sys(why, errno);
	if (!*exists && errno != ENOENT) {
		int e = errno;

		free(p);
		return la_file_sys(why, e);
	}
	*dest = p;
	return 0;
}

/* What path names, its symlinks followed: *dest (malloc'd) is where a
 * regular file is replaced or created; *exists and *st say what is there. */
static int la_out_resolve(const char *path, char **dest, struct stat *st, bool *exists,
			  char *why)
{
	*exists = lstat(path, st) == 0;
	if (!*exists && errno != ENOENT)
		return la_file_sys(why, errno);
	if (*exists && S_ISLNK(st->st_mode)) {
		if (stat(path, st) != 0)
			return errno == ENOENT ? la_out_dangling(path, dest, st, exists, why)
					       : la_file_sys(why, errno);
		/* a regular file is replaced in its own folder; anything else
		 * (/dev/stdout's pipe, a terminal) is opened through the link */
		*dest = S_ISREG(st->st_mode) ? realpath(path, NULL) : strdup(path);
	} else {
		*dest = strdup(path);
	}
	return *dest ? 0 : la_file_sys(why, errno);
}

/* A new file next to o->dest, dest.XXXXXX: O_EXCL, and mode 0666 less the
 * umask, as a file the shell creates. */
static int la_out_tmp(struct la_out *o, char *why)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int e;

	for (int tries = 0; tries < 100; tries++) {
		unsigned char r[6];
		char sfx[7];

		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return la_file_sys(why, errno);
		for (int i = 0; i < 6; i++)
			sfx[i] = chars[r[i] % (sizeof(chars) - 1)];
		sfx[6] = 0;
		free(o->tmp);
		if (asprintf(&o->tmp, "%s.%s", o->dest, sfx) < 0) {
			o->tmp = NULL;
			return la_file_fail(why, -LA_ERR_NOMEM);
		}
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666);
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	e = errno;
	free(o->tmp);
	o->tmp = NULL;
	return la_file_sys(why, e);
}

/* The temporary file takes the mode (and, where we may, the owner) of the
 * file it replaces. */
static int la_out_keep_mode(struct la_out *o, const struct stat *st, char *why)
{
	mode_t mode = st->st_mode & 07777;

	if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(o->fd, st->st_uid, st->st_gid) != 0)
		mode &= (mode_t)~(S_ISUID | S_ISGID); /* not ours to give away */
	if (fchmod(o->fd, mode) != 0)
		return la_file_sys(why, errno);
	return 0;
}

int la_out_open(struct la_out *o, const char *path, unsigned flags, char *why)
{
	struct stat st;
	bool exists;
	int err;

	*o = (struct la_out){ .fd = -1 };
	if ((flags & LA_OUT_STDOUT) && !strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		o->is_stdout = true;
		return 0;
	}
	if (flags & LA_OUT_STREAM) {
		o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0666);
		return o->fd < 0 ? la_file_sys(why, errno) : 0;
	}
	err = la_out_resolve(path, &o->dest, &st, &exists, why);
	if (err)
		return err;
	if (exists && S_ISDIR(st.st_mode))
		err = la_file_sys(why, EISDIR);
	else if (exists && !S_ISREG(st.st_mode)) { /* a device, FIFO, socket: through */
		o->fd = open(o->dest, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		err = o->fd < 0 ? la_file_sys(why, errno) : 0;
	} else {
		err = la_out_tmp(o, why);
		if (!err && exists)
			err = la_out_keep_mode(o, &st, why);
	}
	if (err)
		la_out_abort(o);
	return err;
}

int la_out_write(struct la_out *o, const void *buf, size_t len, char *why)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = write(o->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return la_file_sys(why, errno);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int la_out_commit(struct la_out *o, char *why)
{
	int err = 0;

	if (!o->is_stdout && o->fd >= 0 && close(o->fd) != 0)
		err = la_file_sys(why, errno);
	o->fd = -1;
	if (!err && o->tmp && rename(o->tmp, o->dest) != 0)
		err = la_file_sys(why, errno);
	if (err) {
		la_out_abort(o);
		return err;
	}
	free(o->tmp);
	free(o->dest);
	o->tmp = o->dest = NULL;
	return 0;
}

void la_out_abort(struct la_out *o)
{
	if (!o->is_stdout && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->dest);
	o->tmp = o->dest = NULL;
}

int la_file_write(const char *path, unsigned flags, const void *buf, size_t len, char *why)
{
	struct la_out o;
	int err = la_out_open(&o, path, flags, why);

	if (err)
		return err;
	err = la_out_write(&o, buf, len, why);
	if (err) {
		la_out_abort(&o);
		return err;
	}
	return la_out_commit(&o, why);
}

bool la_fd_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}
