/* SPDX-License-Identifier: MIT */
/*
 * What the five programs in cmd/ share: the argp skeleton around their own
 * options, the one line a failed run prints, and the guest memory regions
 * as la-layout and la-vmrun --explain print them.
 *
 * Like vmopts.c this is the CLI layer of lib/: la_cli_parse, la_cli_key and
 * la_cli_fail print to stderr and exit; the region printers write only to
 * the FILE or the JSON writer they are given. The rest of lib/ never prints.
 */
#ifndef LA_CLI_H
#define LA_CLI_H

#include <argp.h>
#include <stdio.h>

#include "arch.h"
#include "jsonw.h"
#include "sandbox.h"

struct la_vmopts;

/* LA_CLI_PROGRAM - the globals argp reads for --version and the bug
 * address, in a program's main.c (the one file built with LA_VERSION):
 * LA_CLI_PROGRAM("la-layout"); */
#define LA_CLI_PROGRAM(name)                                                \
	const char *argp_program_version = name " " LA_VERSION;            \
	const char *argp_program_bug_address = NULL

/* LA_CLI_VM_CHILD - the VM options (la_vmopts_argp or what
 * la_vmopts_argp_for gives) as an entry of a program's argp children,
 * under the heading every program's --help shows; group orders it among
 * the program's own option groups. */
#define LA_CLI_VM_CHILD(vm_argp, group) { (vm_argp), 0, "VM options:", (group) }

/* la_cli_vm_children - the children of a program whose only child is
 * la_vmopts_argp, its group right after the program's own options (1). */
extern const struct argp_child la_cli_vm_children[];

/* la_cli_key - the keys every program's parser handles alike; call it from
 * the parser's default case. ARGP_KEY_INIT hands vm (when not NULL) to the
 * first child, the VM options; ARGP_KEY_ARG refuses an operand: "PROG:
 * unexpected argument 'ARG'", exit 2.
 * returns: 0 when key was one of those, ARGP_ERR_UNKNOWN otherwise */
error_t la_cli_key(int key, char *arg, struct argp_state *state, struct la_vmopts *vm);

/* la_cli_parse - parse argv with argp, bad options exiting 2 (argp's own
 * messages, --help and --version exit 0); input is the parser's
 * state->input.
 * returns: nothing; it returns only when every option parsed */
void la_cli_parse(const struct argp *argp, int argc, char **argv, void *input);

/* la_cli_fail - print one line "PROG: OPT: 'VALUE': REASON" on stderr, OPT
 * and VALUE left out when NULL, REASON from fmt; PROG is the program's name
 * as argp prints it. Then exit(status): 2 for bad options, 1 for inputs
 * that cannot be used.
 * returns: never */
void la_cli_fail(const char *opt, const char *value, int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* la_cli_parser_child - parse untrusted input the one way la-mkfdt and
 * la-vmrun do: parse(ctx) runs in a child process under the "parser"
 * seccomp filter in mode (the test hook "parser" first), and hands what it
 * made back in memory shared with the parent (MAP_SHARED); it exits 0 when
 * done, or through la_cli_fail. Returns in the parent once the child
 * succeeded: the caller checks what it made again. A child that failed
 * ends the program with its status (it said why); one killed by a signal
 * with "PROG: the parser process was killed by signal N (NAME)", exit 1.
 * mode LA_SECCOMP_OFF: no child, no filter; parse(ctx) runs here.
 * returns: nothing; it returns only when parse succeeded */
void la_cli_parser_child(enum la_seccomp_mode mode, void (*parse)(void *ctx), void *ctx);

/* la_cli_flush - flush standard output at the end of a run; a write that
 * failed (a full disk, a closed pipe) prints "PROG: standard output:
 * REASON" on stderr.
 * returns: 0 if all output was written, 1 (the exit status) if not */
int la_cli_flush(void);

/* la_regions_print - the "guest memory regions:" table of m to f: start,
 * end (inclusive) and size of each region, its purpose, and the host
 * mapping alignment where one is asked for.
 * returns: nothing; errors show in ferror(f) */
void la_regions_print(FILE *f, const struct la_mem_layout *m);

/* la_regions_json - the same regions as the member "regions" of the
 * current JSON object: an array of objects with the range fields
 * (la_json_range_fields), "purpose" and "align" (bytes, 0 for none).
 * returns: nothing; errors show in ferror of j's FILE */
void la_regions_json(struct la_json *j, const struct la_mem_layout *m);

#endif
