/* SPDX-License-Identifier: MIT */
/*
 * What the programs in cmd/ share: the guest memory regions as la-layout
 * and la-vmrun --explain print them.
 *
 * The printers write only to the FILE or the JSON writer they are given.
 */
#ifndef LA_CLI_H
#define LA_CLI_H

#include <stdio.h>

#include "arch.h"
#include "jsonw.h"

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
