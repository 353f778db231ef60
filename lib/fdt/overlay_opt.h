/* SPDX-License-Identifier: MIT */
/*
 * The --overlay option of la-mkfdt and la-vmrun (crosvm-arch.md §1.8,
 * crosvm's DtbOverlay {file, symbol_allowlist}): FILE[,filter=L[:L...]],
 * repeatable, applied in order onto the arch's tree with
 * la_fdt_overlay_apply. One parser and one loop, so both programs accept
 * the same arguments and give the guest the same blob.
 */
#ifndef LA_FDT_OVERLAY_OPT_H
#define LA_FDT_OVERLAY_OPT_H

#include <stdbool.h>
#include <stddef.h>

#include "arch.h"

#define LA_OV_MAX_OVERLAYS 32
#define LA_OV_MAX_FILTER 32
#define LA_OV_MAX_FILE (16ULL << 20) /* bytes of one overlay file */
#define LA_OV_WHY_MAX 512            /* a reason, for the caller's one line */

struct la_overlay_arg {
	const char *arg;          /* as given, for messages */
	char *buf;                /* malloc'd copy of arg, split in place */
	const char *path;         /* FILE; "-" reads standard input, a pipe may too */
	bool has_filter;          /* filter= given: with no labels, skip the overlay */
	unsigned n_filter;
	const char *filter[LA_OV_MAX_FILTER];
	char *blob;               /* the file, once read (la_overlay_list_read) */
	size_t len;
};

struct la_overlay_list {
	unsigned n;
	struct la_overlay_arg o[LA_OV_MAX_OVERLAYS];
};

/* la_overlay_list_add - parse one FILE[,filter=L[:L...]] argument and
 * append it to l. On failure why (LA_OV_WHY_MAX bytes) says what is wrong.
 * returns: 0, -LA_ERR_TOOMANY (over LA_OV_MAX_OVERLAYS), -LA_ERR_BADVALUE
 * (bad syntax), -LA_ERR_NOMEM */
int la_overlay_list_add(struct la_overlay_list *l, const char *arg, char *why);

/* la_overlay_list_read - read every overlay file now (a program that
 * parses them under a seccomp filter reads them before). On failure
 * *failed is the overlay's index and why the reason.
 * returns: 0, la_file_read's codes (-LA_ERR_IO, -LA_ERR_NOTREG,
 * -LA_ERR_TOOLARGE, -LA_ERR_CHANGED, -LA_ERR_NOMEM) */
int la_overlay_list_read(struct la_overlay_list *l, unsigned *failed, char *why);

/* la_overlay_list_apply - read every overlay file not read yet, in order,
 * and apply it to
 * tree, a buffer of arch->fdt_max_size bytes holding the arch's base tree
 * (the result must fit it). On failure *failed is the overlay's index and
 * why (LA_OV_WHY_MAX bytes) the reason.
 * returns: 0, la_file_read's codes (the file cannot be read: why says
 * why), -LA_ERR_NOMEM, la_fdt_check's and la_fdt_overlay_apply's codes */
int la_overlay_list_apply(const struct la_overlay_list *l, const struct la_arch_ops *arch,
			  void *tree, unsigned *failed, char *why);

/* la_overlay_list_free - free what la_overlay_list_add and _read allocated. */
void la_overlay_list_free(struct la_overlay_list *l);

#endif
