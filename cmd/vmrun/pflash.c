/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --pflash path=FILE[,block_size=N] (crosvm's spelling): the
 * image of the pflash device (lib/dev/pflash.c), checked and mapped shared
 * here, so what the guest programs is in FILE.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "size.h"
#include "vmrun.h"

#define LA_PFLASH_USAGE "path=FILE[,block_size=N]"

void la_vmrun_pflash_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	const char *p = arg, *bs = NULL;
	uint64_t block = LA_PFLASH_BLOCK_DEFAULT;

	if (a->pflash.arg)
		argp_failure(state, 2, 0, "--pflash: '%s': one pflash only ('%s' given already)",
			     arg, a->pflash.arg);
	a->pflash.arg = arg;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (!strncmp(p, "path=", 5) && len > 5 && !a->pflash.path)
			a->pflash.path = strndup(p + 5, len - 5);
		else if (!strncmp(p, "block_size=", 11) && !bs)
			bs = p + 11;
		else
			argp_failure(state, 2, 0, "--pflash: '%s': unknown or repeated option "
				     "'%.*s' (" LA_PFLASH_USAGE ")", arg, (int)len, p);
		p += len + (p[len] == ',');
	}
	if (!a->pflash.path)
		argp_failure(state, 2, 0, "--pflash: '%s': needs path=FILE (" LA_PFLASH_USAGE ")",
			     arg);
	if (bs && (la_parse_size_n(bs, strcspn(bs, ","), &block) || block > UINT32_MAX ||
		   la_pflash_check(block, (uint32_t)block, 0) == -LA_ERR_BADALIGN))
		argp_failure(state, 2, 0, "--pflash: '%s': block_size= is not a power of two "
			     "(4096, 64K...)", arg);
	a->pflash.o.block_size = (uint32_t)block;
}

void la_vmrun_pflash_check(struct argp_state *state, const struct la_vmrun *a)
{
	if (a->pflash.arg && a->vm.cfg.arch->id != LA_ARCH_X86_64)
		argp_failure(state, 2, 0, "--pflash: '%s': pflash is on x86_64 only, not %s",
			     a->pflash.arg, a->vm.cfg.arch->name);
}

void la_vmrun_pflash_open(struct la_vmrun *a)
{
	const char *path = a->pflash.path;
	uint64_t bios = a->vm.cfg.bios_path ? a->vm.cfg.bios_size : 0;
	char why[200];
	struct stat st;
	void *m;
	int fd, err;

	a->pflash.fd = -1;
	if (!a->pflash.arg)
		return;
	fd = open(path, (a->explain ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	la_vmrun_regular_fd("--pflash", path, fd, &st);
	err = la_pflash_check((uint64_t)st.st_size, a->pflash.o.block_size, bios);
	if (err == -LA_ERR_RANGE)
		snprintf(why, sizeof(why), "is %llu bytes, not a non-zero multiple of block_size=%u",
			 (unsigned long long)st.st_size, a->pflash.o.block_size);
	else if (err)
		snprintf(why, sizeof(why), "is %llu bytes; with the BIOS's %llu it is more than the "
			 "16 MiB below 4 GiB they share", (unsigned long long)st.st_size,
			 (unsigned long long)bios);
	if (err)
		la_cli_fail("--pflash", path, 2, "%s", why);
	a->pflash.o.size = (uint64_t)st.st_size;
	if (a->explain) {
		close(fd);
		return;
	}
	m = mmap(NULL, a->pflash.o.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		la_cli_fail("--pflash", path, 1, "%s", strerror(errno));
	a->pflash.o.image = m;
	a->pflash.fd = fd;
}

int la_vmrun_pflash_add(struct la_vmrun *a)
{
	if (!a->pflash.arg)
		return 0;
	a->res.plat.pflash_size = a->pflash.o.size;
	a->res.plat.bios_size = a->vm.cfg.bios_path ? a->vm.cfg.bios_size : 0;
	return la_vm_res_add_named(&a->res, &la_dev_pflash, la_dev_pflash.name);
}

void la_vmrun_pflash_close(struct la_vmrun *a)
{
	if (a->pflash.o.image)
		munmap(a->pflash.o.image, a->pflash.o.size);
	if (a->pflash.fd >= 0)
		close(a->pflash.fd);
	free(a->pflash.path);
}
