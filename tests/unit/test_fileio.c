/* SPDX-License-Identifier: MIT */
/* Inputs checked before they are read, outputs that replace only what they
 * own (lib/fileio.c), in a scratch folder of their own. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "t.h"

static char dir[64];
static char why[LA_FILE_WHY_MAX];

static const char *at(const char *name)
{
	static char p[2][128];
	static int i;

	i ^= 1;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void put(const char *name, const char *text, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(name);
	fchmod(fd, mode);
	close(fd);
}

static int rd(const char *path, unsigned flags, size_t max, char **data, size_t *len)
{
	void *p;
	int err = la_file_read(path, flags, max, &p, len, why);

	*data = p;
	return err;
}

static void test_read_regular(void)
{
	char *d;
	size_t n;

	put("a.txt", "hello", 0644);
	T_CHECK(rd(at("a.txt"), 0, 16, &d, &n) == 0);
	T_EQ_U64(n, 5);
	T_EQ_STR(d, "hello"); /* NUL-terminated */
	free(d);
	/* exactly the limit is fine, one byte less is not */
	T_CHECK(rd(at("a.txt"), 0, 5, &d, &n) == 0);
	free(d);
	T_CHECK(rd(at("a.txt"), 0, 4, &d, &n) == -LA_ERR_TOOLARGE);
	T_EQ_STR(why, "larger than 4 bytes");
	T_CHECK(d == NULL);
	put("empty", "", 0644);
	T_CHECK(rd(at("empty"), 0, 16, &d, &n) == 0);
	T_EQ_U64(n, 0);
	free(d);
	T_CHECK(rd(at("none"), 0, 16, &d, &n) == -LA_ERR_IO);
	T_EQ_STR(why, "No such file or directory");
}

static void test_read_refused(void)
{
	struct timespec t0, t1;
	char *d;
	size_t n;

	T_CHECK(rd(dir, LA_FILE_PIPE, 16, &d, &n) == -LA_ERR_NOTREG);
	T_EQ_STR(why, "not a regular file");
	/* a character device, even with pipes allowed (/dev/zero never ends) */
	T_CHECK(rd("/dev/zero", LA_FILE_STDIN | LA_FILE_PIPE, 16, &d, &n) == -LA_ERR_NOTREG);
	/* a FIFO: refused unless pipes are allowed; with no writer it is
	 * empty at once, never a blocked open */
	T_CHECK(mkfifo(at("fifo"), 0600) == 0);
	T_CHECK(rd(at("fifo"), 0, 16, &d, &n) == -LA_ERR_PIPE);
	T_EQ_STR(why, "a pipe, not a regular file");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_CHECK(rd(at("fifo"), LA_FILE_PIPE, 16, &d, &n) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T_EQ_U64(n, 0);
	T_CHECK(t1.tv_sec - t0.tv_sec < 2);
	free(d);
	/* "-" is a path unless LA_FILE_STDIN says otherwise */
	T_CHECK(rd("-", 0, 16, &d, &n) == -LA_ERR_IO);
}

/* A pipe as a shell's <(...) gives it: path is /dev/fd/N, its read end,
 * holding text and no writer. returns: N */
static int pipe_with(const char *text, char *path, size_t len)
{
	int p[2];

	if (pipe(p) != 0 || write(p[1], text, strlen(text)) != (ssize_t)strlen(text))
		perror("pipe");
	close(p[1]);
	snprintf(path, len, "/dev/fd/%d", p[0]);
	return p[0];
}

static void test_read_pipe(void)
{
	char path[32], *d;
	int fd = pipe_with("0123456789", path, sizeof(path));
	size_t n;

	T_CHECK(rd(path, 0, 64, &d, &n) == -LA_ERR_PIPE);
	T_CHECK(rd(path, LA_FILE_PIPE, 64, &d, &n) == 0);
	T_EQ_U64(n, 10);
	T_EQ_STR(d, "0123456789");
	free(d);
	close(fd);
	/* more than the limit from a pipe: an error, not a truncation */
	fd = pipe_with("0123456789", path, sizeof(path));
	T_CHECK(rd(path, LA_FILE_PIPE, 9, &d, &n) == -LA_ERR_TOOLARGE);
	T_EQ_STR(why, "larger than 9 bytes");
	close(fd);
}

/* la_fd_write_all: every byte through a pipe; a pipe with no reader
 * fails (SIGPIPE ignored here, as a closed console would give EPIPE) */
static void test_fd_write_all(void)
{
	int p[2];
	char buf[16] = { 0 };

	T_CHECK(pipe(p) == 0);
	T_CHECK(la_fd_write_all(p[1], "console", 7));
	T_CHECK(read(p[0], buf, sizeof(buf)) == 7);
	T_EQ_STR(buf, "console");
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	T_CHECK(!la_fd_write_all(p[1], "lost", 4));
	close(p[1]);
}

static void test_open_regular(void)
{
	uint64_t size = 0;
	int fd = -1;

	put("b.bin", "12345678", 0644);
	T_CHECK(la_file_open_regular(at("b.bin"), &fd, &size, why) == 0);
	T_EQ_U64(size, 8);
	T_CHECK(fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
	T_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	T_CHECK(la_file_open_regular(at("fifo"), &fd, &size, why) == -LA_ERR_PIPE);
	T_CHECK(la_file_open_regular(dir, &fd, &size, why) == -LA_ERR_NOTREG);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

static bool has(const char *path, const char *text)
{
	char *d;
	size_t n;
	bool ok = rd(path, 0, 4096, &d, &n) == 0 && n == strlen(text) && !memcmp(d, text, n);

	free(d);
	return ok;
}

/* a regular file is replaced whole (a new inode), keeping its mode */
static void test_write_regular(void)
{
	ino_t before;

	put("out.dtb", "old", 0640);
	before = ino_of(at("out.dtb"));
	T_CHECK(la_file_write(at("out.dtb"), 0, "new blob", 8, why) == 0);
	T_CHECK(has(at("out.dtb"), "new blob"));
	T_EQ_U64(mode_of(at("out.dtb")) & 07777, 0640);
	T_CHECK(ino_of(at("out.dtb")) != before);
	/* created: the umask applies to 0666 */
	umask(027);
	T_CHECK(la_file_write(at("fresh.dtb"), 0, "x", 1, why) == 0);
	T_EQ_U64(mode_of(at("fresh.dtb")) & 07777, 0640);
	umask(022);
	/* a directory is refused; a missing folder too */
	T_CHECK(la_file_write(dir, 0, "x", 1, why) == -LA_ERR_IO);
	T_EQ_STR(why, "Is a directory");
	T_CHECK(la_file_write(at("no/such.dtb"), 0, "x", 1, why) == -LA_ERR_IO);
}

/* an abort leaves the old file and no temporary file behind */
static void test_write_abort(void)
{
	struct la_out o;
	char cmd[160];

	put("keep.dtb", "keep", 0644);
	T_CHECK(la_out_open(&o, at("keep.dtb"), 0, why) == 0);
	T_CHECK(o.tmp != NULL);
	T_CHECK(la_out_write(&o, "partial", 7, why) == 0);
	la_out_abort(&o);
	T_CHECK(has(at("keep.dtb"), "keep"));
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls %s | grep 'keep.dtb.')\"", dir);
	T_CHECK(system(cmd) == 0);
}

/* a symlink: its target is written, the link stays; a dangling one
 * creates its target */
static void test_write_symlink(void)
{
	put("target.dtb", "old", 0600);
	T_CHECK(symlink("target.dtb", at("link.dtb")) == 0);
	T_CHECK(la_file_write(at("link.dtb"), 0, "via link", 8, why) == 0);
	T_CHECK(S_ISLNK(mode_of(at("link.dtb"))));
	T_CHECK(has(at("target.dtb"), "via link"));
	T_EQ_U64(mode_of(at("target.dtb")) & 07777, 0600);
	T_CHECK(symlink("made.dtb", at("dangling")) == 0);
	T_CHECK(la_file_write(at("dangling"), 0, "made", 4, why) == 0);
	T_CHECK(S_ISLNK(mode_of(at("dangling"))));
	T_CHECK(has(at("made.dtb"), "made"));
}

/* a FIFO is written through to its reader, never replaced */
static void test_write_fifo(void)
{
	char buf[16] = { 0 };
	int r;

	T_CHECK(mkfifo(at("out.fifo"), 0600) == 0);
	r = open(at("out.fifo"), O_RDONLY | O_NONBLOCK); /* a reader, so the open goes on */
	T_CHECK(la_file_write(at("out.fifo"), 0, "through", 7, why) == 0);
	T_CHECK(read(r, buf, sizeof(buf)) == 7 && !strcmp(buf, "through"));
	T_CHECK(S_ISFIFO(mode_of(at("out.fifo"))));
	close(r);
}

/* a device node of our own (/dev/null's numbers) stays a device */
static void test_write_device(void)
{
	if (mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)) != 0) {
		T_SKIP("mknod needs root");
		return;
	}
	T_CHECK(la_file_write(at("null"), 0, "gone", 4, why) == 0);
	T_CHECK(S_ISCHR(mode_of(at("null"))));
}

/* streams: truncated in place (the same inode), or created */
static void test_write_stream(void)
{
	struct la_out o;
	ino_t before;

	put("log", "a long old log", 0644);
	before = ino_of(at("log"));
	T_CHECK(la_out_open(&o, at("log"), LA_OUT_STREAM, why) == 0);
	T_CHECK(o.tmp == NULL && o.fd >= 0);
	T_CHECK(la_out_write(&o, "new", 3, why) == 0);
	T_CHECK(la_out_commit(&o, why) == 0);
	T_CHECK(has(at("log"), "new"));
	T_CHECK(ino_of(at("log")) == before);
	T_CHECK(la_file_write(at("newlog"), LA_OUT_STREAM, "x", 1, why) == 0);
	T_CHECK(has(at("newlog"), "x"));
}

static void test_write_stdout(void)
{
	struct la_out o;

	T_CHECK(la_out_open(&o, "-", LA_OUT_STDOUT, why) == 0);
	T_CHECK(o.is_stdout && o.fd == STDOUT_FILENO && !o.tmp);
	la_out_abort(&o);
	T_CHECK(fcntl(STDOUT_FILENO, F_GETFD) >= 0); /* not closed */
	/* without LA_OUT_STDOUT, "-" is a file name */
	T_CHECK(chdir(dir) == 0);
	T_CHECK(la_file_write("-", 0, "dash", 4, why) == 0);
	T_CHECK(has(at("-"), "dash"));
	T_CHECK(chdir("/") == 0);
}

int main(void)
{
	char cmd[96];

	snprintf(dir, sizeof(dir), "/tmp/la-fileio-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_read_regular();
	test_read_refused();
	test_read_pipe();
	test_fd_write_all();
	test_open_regular();
	test_write_regular();
	test_write_abort();
	test_write_symlink();
	test_write_fifo();
	test_write_device();
	test_write_stream();
	test_write_stdout();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror(cmd);
	return T_DONE();
}
