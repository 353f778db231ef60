/* SPDX-License-Identifier: MIT */
/*
 * Files la reads and writes, one rule for every program (issue 12).
 *
 * Inputs are checked before they are read: stat first, and only a regular
 * file is opened, unless the caller accepts a pipe (standard input as "-",
 * a FIFO, a shell's <(...) /dev/fd/N). A regular file is read to exactly
 * its size, and a file that changes size meanwhile is an error; a pipe is
 * read up to a limit, and more is an error, never a silent truncation.
 * Opens never block (O_NONBLOCK): a FIFO with no writer reads as empty.
 *
 * Outputs never replace what they do not own: a regular file (or a path
 * that does not exist) gets the blob under a temporary name in the same
 * folder, renamed over it once complete (an existing file keeps its mode
 * and, where la may, its owner); a symlink is followed and its target gets
 * the same rule; anything else (a terminal, a device, a FIFO, a socket) is
 * opened and written through, as dtc, cp and tee do. Streams (a COM port's
 * file, debugcon) are always written through: truncated, or created.
 *
 * On failure why (LA_FILE_WHY_MAX bytes) is the reason in words, for the
 * caller's one line ("not a regular file", "larger than 16 MiB" (bytes
 * where the limit is not a whole number of MiB),
 * the system's strerror).
 */
#ifndef LA_FILEIO_H
#define LA_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LA_FILE_WHY_MAX 160

/* la_file_read flags */
#define LA_FILE_STDIN 0x1u /* "-" reads standard input (a stream, up to max bytes) */
#define LA_FILE_PIPE  0x2u /* a FIFO or pipe may be read (up to max bytes) */

/* la_out_open flags */
#define LA_OUT_STDOUT 0x1u /* "-" writes standard output */
#define LA_OUT_STREAM 0x2u /* write through, never rename: open, truncate, create if missing */

/* la_file_read - the whole of path (see flags) into *data, malloc'd, *len
 * bytes plus a NUL after them; at most max bytes.
 * returns: 0, -LA_ERR_IO (the system's reason in why), -LA_ERR_NOTREG (a
 * directory, device, socket), -LA_ERR_PIPE (a FIFO without LA_FILE_PIPE),
 * -LA_ERR_TOOLARGE (more than max bytes), -LA_ERR_CHANGED (a regular file
 * changed size while read), -LA_ERR_NOMEM */
int la_file_read(const char *path, unsigned flags, size_t max, void **data, size_t *len,
		 char *why);

/* la_file_open_regular - open a regular file for reading (for a caller
 * that needs its size before it reads it: a pipe is refused); *fd is
 * O_CLOEXEC, *size its length in bytes.
 * returns: 0, -LA_ERR_IO, -LA_ERR_NOTREG, -LA_ERR_PIPE */
int la_file_open_regular(const char *path, int *fd, uint64_t *size, char *why);

/* An output being written: la_out_open, la_out_write..., then
 * la_out_commit (or la_out_abort, which leaves a renamed-over file as it
 * was). */
struct la_out {
	int fd;          /* -1 once closed */
	char *tmp;       /* the temporary file renamed to dest, NULL when written through */
	char *dest;      /* path with its symlinks followed (malloc'd), NULL for streams */
	bool is_stdout;  /* "-": fd 1, never closed */
};

/* la_out_open - open path for writing (see flags and the rule above).
 * returns: 0, -LA_ERR_IO (why: the system's reason, "Is a directory"...),
 * -LA_ERR_NOMEM */
int la_out_open(struct la_out *o, const char *path, unsigned flags, char *why);

/* la_out_write - len bytes, all of them.
 * returns: 0, -LA_ERR_IO */
int la_out_write(struct la_out *o, const void *buf, size_t len, char *why);

/* la_out_commit - close; a temporary file replaces dest now.
 * returns: 0, -LA_ERR_IO (the temporary file is gone, dest untouched) */
int la_out_commit(struct la_out *o, char *why);

/* la_out_abort - close and remove the temporary file, if any. */
void la_out_abort(struct la_out *o);

/* la_file_write - open, write len bytes of buf, commit: one call.
 * returns: la_out_open's, la_out_write's and la_out_commit's codes */
int la_file_write(const char *path, unsigned flags, const void *buf, size_t len, char *why);

/* la_fd_write_all - write len bytes of buf to fd, again after EINTR and
 * short writes; a guest's console stream, where a reader that went away
 * loses the rest. returns: true if every byte was written */
bool la_fd_write_all(int fd, const void *buf, size_t len);

#endif
