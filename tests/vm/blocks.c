/*
 * la-blocks: numbered blocks written to a disk one at a time, each flushed
 * before its number is printed, and the check that they are all there, for
 * the "nothing lost on a disk" tests (tests/bats/vmrun_vm_disk.bats). Static,
 * so the same program runs in the test guest (the writer) and in the
 * emulated host (the check).
 *
 *   la-blocks write [-p K] DEV COUNT SEED
 *       block N (0 .. COUNT-1) at byte N * 4096 of DEV, O_DIRECT, then
 *       fdatasync (on a Linux block device: a cache flush request to the
 *       disk), then "la-blocks: flushed N ok" on standard output (one
 *       write(2)): a number printed is a block the disk said was durable.
 *       -p K: once K's line is out, a child powers the machine off
 *       (reboot(2), no sync: what poweroff -f does, minus its sync) while
 *       the writes go on, so the power-off comes with writes in flight.
 *       Ends with "la-blocks: done COUNT".
 *   la-blocks check IMAGE LAST SEED
 *       blocks 0 .. LAST of IMAGE (a file or a block device) are each what
 *       the writer wrote: "la-blocks: check blocks 0..LAST intact", exit 0;
 *       else "la-blocks: check block N: REASON" for the first that is not
 *       (all zeros, another block's number, a bad checksum, a difference),
 *       exit 1. LAST -1 (no number was printed) checks nothing: "la-blocks:
 *       check no block was flushed, none to check".
 *
 * A block: "la-block" (8 bytes), its number and the seed (64-bit little
 * endian each), a xorshift64 stream seeded by both, and the FNV-1a 64 of
 * all that in its last 8 bytes. Errors: one line on standard error, exit 1;
 * usage errors exit 2.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#define BLOCK 4096u
#define MAGIC "la-block"
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* block n of the run seeded by seed */
static void block_make(uint8_t *b, uint64_t n, uint64_t seed)
{
	uint64_t s = (seed ^ (n + 1) * 0x9e3779b97f4a7c15ULL) | 1;

	memcpy(b, MAGIC, 8);
	put64(b + 8, n);
	put64(b + 16, seed);
	for (unsigned i = 24; i < BLOCK - 8; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		b[i] = (uint8_t)(s >> 24);
	}
	put64(b + BLOCK - 8, fnv1a(b, BLOCK - 8));
}

static void usage(const char *why)
{
	fprintf(stderr, "la-blocks: %s\n", why);
	fprintf(stderr, "usage: la-blocks write [-p K] DEV COUNT SEED | check IMAGE LAST SEED\n");
	exit(2);
}

/* a decimal number min .. max, or a usage error naming what */
static long long number(const char *s, const char *what, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s: '%.40s' is not a number from %lld to %lld", what, s,
			 min, max);
		usage(msg);
	}
	return v;
}

static void fail(const char *what, const char *path)
{
	fprintf(stderr, "la-blocks: %s '%s': %s\n", what, path, strerror(errno));
	exit(1);
}

/* a line on standard output in one write(2), so the console never carries
 * half of it before the whole is true */
static void say(const char *fmt, long long v)
{
	char line[80];
	int n = snprintf(line, sizeof(line), fmt, v);

	if (write(1, line, (size_t)n) != n)
		exit(1);
}

static int blocks_write(const char *dev, long long count, uint64_t seed, long long poweroff_at)
{
	uint8_t *b;
	int fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);

	if (fd < 0)
		fail("cannot open", dev);
	if (posix_memalign((void **)&b, BLOCK, BLOCK))
		fail("no memory for a block of", dev);
	for (long long n = 0; n < count; n++) {
		block_make(b, (uint64_t)n, seed);
		if (pwrite(fd, b, BLOCK, (off_t)n * BLOCK) != BLOCK)
			fail("cannot write a block to", dev);
		if (fdatasync(fd))
			fail("cannot flush", dev);
		say("la-blocks: flushed %lld ok\n", n);
		if (n == poweroff_at && fork() == 0) {
			reboot(RB_POWER_OFF);
			fail("cannot power off after writing to", dev);
		}
	}
	say("la-blocks: done %lld\n", count);
	return 0;
}

/* why block n (read into got) is not what the writer wrote, or NULL */
static const char *block_wrong(const uint8_t *got, const uint8_t *want, uint64_t n, char *why,
			       size_t len)
{
	unsigned i;

	if (!memcmp(got, want, BLOCK))
		return NULL;
	for (i = 0; i < BLOCK && !got[i]; i++)
		;
	if (i == BLOCK)
		return "all zeros (never written)";
	if (!memcmp(got, MAGIC, 8) && get64(got + 8) != n) {
		snprintf(why, len, "holds block %" PRIu64 " instead", get64(got + 8));
		return why;
	}
	if (get64(got + BLOCK - 8) != fnv1a(got, BLOCK - 8))
		return "bad checksum (torn or corrupted)";
	for (i = 0; got[i] == want[i]; i++)
		;
	snprintf(why, len, "differs from byte %u (another seed?)", i);
	return why;
}

static int blocks_check(const char *image, long long last, uint64_t seed)
{
	uint8_t got[BLOCK], want[BLOCK];
	char why[80];
	int fd = open(image, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail("cannot open", image);
	for (long long n = 0; n <= last; n++) {
		ssize_t r = pread(fd, got, BLOCK, (off_t)n * BLOCK);
		const char *wrong;

		if (r < 0)
			fail("cannot read", image);
		block_make(want, (uint64_t)n, seed);
		if (r != BLOCK) {
			printf("la-blocks: check block %lld: past the end of %s\n", n, image);
			return 1;
		}
		wrong = block_wrong(got, want, (uint64_t)n, why, sizeof(why));
		if (wrong) {
			printf("la-blocks: check block %lld: %s\n", n, wrong);
			return 1;
		}
	}
	if (last < 0)
		printf("la-blocks: check no block was flushed, none to check\n");
	else
		printf("la-blocks: check blocks 0..%lld intact\n", last);
	return 0;
}

int main(int argc, char **argv)
{
	long long poweroff_at = -1;
	int opt;

	if (argc < 2)
		usage("write or check?");
	if (!strcmp(argv[1], "check")) {
		if (argc != 5)
			usage("check takes IMAGE LAST SEED");
		return blocks_check(argv[2], number(argv[3], "LAST", -1, 1LL << 40),
				    (uint64_t)number(argv[4], "SEED", 0, INT64_MAX));
	}
	if (strcmp(argv[1], "write"))
		usage("the first word is write or check");
	optind = 2;
	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p')
			usage("write's only option is -p K");
		poweroff_at = number(optarg, "-p", 0, 1LL << 40);
	}
	if (argc - optind != 3)
		usage("write takes DEV COUNT SEED");
	return blocks_write(argv[optind], number(argv[optind + 1], "COUNT", 1, 1LL << 40),
			    (uint64_t)number(argv[optind + 2], "SEED", 0, INT64_MAX), poweroff_at);
}
