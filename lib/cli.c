/* SPDX-License-Identifier: MIT */
/* The CLI layer the programs share: region printers. */
#include "cli.h"
#include "size.h"

void la_regions_print(FILE *f, const struct la_mem_layout *m)
{
	char sz[32];

	fprintf(f, "guest memory regions:\n");
	fprintf(f, "  %-18s %-18s %10s  %s\n", "start", "end", "size", "purpose");
	for (unsigned i = 0; i < m->n; i++) {
		const struct la_region *r = &m->r[i];

		fprintf(f, "  0x%016llx 0x%016llx %10s  %s", (unsigned long long)r->start,
			(unsigned long long)(r->start + r->size - 1),
			la_format_size(r->size, sz, sizeof(sz)),
			la_region_purpose_name(r->purpose));
		if (r->align)
			fprintf(f, " (host mapping aligned to %s)",
				la_format_size(r->align, sz, sizeof(sz)));
		fputc('\n', f);
	}
}

void la_regions_json(struct la_json *j, const struct la_mem_layout *m)
{
	la_json_arr_begin(j, "regions");
	for (unsigned i = 0; i < m->n; i++) {
		const struct la_region *r = &m->r[i];

		la_json_obj_begin(j, NULL);
		la_json_range_fields(j, r->start, r->start + r->size - 1);
		la_json_str(j, "purpose", la_region_purpose_name(r->purpose));
		la_json_u64(j, "align", r->align);
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
}
