/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun's command line, every option and sub-syntax (--disk, --net,
 * --vsock, --pstore, --serial, --console, --overlay, --print-seccomp, the
 * VM options --mem, --cpus, --cpu-* and the device-tree options), through
 * la-vmrun's own argp parser and its checks at the end of parsing. Nothing
 * after parsing runs: no file is read, no KVM is opened. See fuzz_args.h.
 */
#ifndef LA_VERSION
#define LA_VERSION "fuzz"
#endif
#define main la_vmrun_main
#include "../../cmd/vmrun/main.c"
#undef main

#include "fuzz_args.h"

static struct la_vmrun a;
static struct fa_argv v;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	if (!fa_split(&v, "la-vmrun", data, n))
		return 0;
	memset(&a, 0, sizeof(a));
	FA_RUN(la_cli_parse(&la_vmrun_argp, v.argc, v.argv, &a));
	la_vmrun_free(&a);
	return 0;
}
