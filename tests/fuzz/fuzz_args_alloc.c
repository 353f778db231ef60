/* SPDX-License-Identifier: MIT */
/*
 * la-alloc's command line and run: every request's sub-syntax (--alloc,
 * --mmio, --io, --irq, --device, --reserve-mmio, the pool mode's options)
 * and the VM options, parsed by la-alloc's own argp parser, then the
 * requests carried out and printed (to the fuzzer's closed standard
 * output), as la-alloc does. See fuzz_args.h.
 */
#ifndef LA_VERSION
#define LA_VERSION "fuzz"
#endif
#define main la_alloc_main
#include "../../cmd/alloc/main.c"
#undef main

#include "fuzz_args.h"

static struct la_alloc_args a;
static struct fa_argv v;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	if (!fa_split(&v, "la-alloc", data, n))
		return 0;
	memset(&a, 0, sizeof(a));
	FA_RUN({
		la_cli_parse(&la_alloc_argp, v.argc, v.argv, &a);
		la_alloc_run(&a);
	});
	free(a.req);
	return 0;
}
