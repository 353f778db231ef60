/* SPDX-License-Identifier: MIT */
/* Size parsing and formatting (lib/size.c). */
#include <string.h>

#include "err.h"
#include "range.h"
#include "size.h"
#include "t.h"

static uint64_t parse(const char *s, int *err)
{
	uint64_t v = 0xdead;

	*err = la_parse_size(s, &v);
	return v;
}

int main(void)
{
	int err;
	char buf[32];
	uint64_t v;

	T_EQ_U64(parse("0", &err), 0);
	T_CHECK(err == 0);
	T_EQ_U64(parse("4096", &err), 4096);
	T_EQ_U64(parse("0x1000", &err), 4096);
	T_EQ_U64(parse("0X1000", &err), 4096);
	T_EQ_U64(parse("0xffffffffffffffff", &err), UINT64_MAX);
	T_CHECK(err == 0);
	T_EQ_U64(parse("18446744073709551615", &err), UINT64_MAX);
	T_CHECK(err == 0);
	T_EQ_U64(parse("4K", &err), 4096);
	T_EQ_U64(parse("4k", &err), 4096);
	T_EQ_U64(parse("512M", &err), 512ULL << 20);
	T_EQ_U64(parse("4G", &err), 4ULL << 30);
	T_EQ_U64(parse("1T", &err), 1ULL << 40);
	T_EQ_U64(parse("0x10G", &err), 16ULL << 30);
	T_EQ_U64(parse("16777215T", &err), 16777215ULL << 40);
	T_CHECK(err == 0);

	/* a decimal fraction of a unit, when it is whole bytes */
	T_EQ_U64(parse("1.5G", &err), 3ULL << 29);
	T_EQ_U64(parse("0.001953125K", &err), 2);
	T_EQ_U64(parse("16777215.5T", &err), (16777215ULL << 40) + (1ULL << 39));
	T_CHECK(err == 0);

	/* refused */
	parse("1.3K", &err); /* 1331.2 bytes */
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("1.5", &err); /* a fraction of a byte? no unit */
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("0x1.8G", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("1.G", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("1.0000000001G", &err); /* more than 9 fraction digits */
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("16777215.99999999T", &err); /* not whole bytes either */
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("16777216.5T", &err);
	T_CHECK(err == -LA_ERR_RANGE);
	parse("4Q", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("4GB", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("-1", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse(" 1", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("0x", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	parse("G", &err);
	T_CHECK(err == -LA_ERR_BADSIZE);
	T_CHECK(la_parse_size(NULL, &v) == -LA_ERR_BADSIZE);
	parse("18446744073709551616", &err);
	T_CHECK(err == -LA_ERR_RANGE);
	parse("0x10000000000000000", &err);
	T_CHECK(err == -LA_ERR_RANGE);
	parse("16777216T", &err);
	T_CHECK(err == -LA_ERR_RANGE);

	/* plain numbers take no suffix */
	T_CHECK(la_parse_u64("42", &v) == 0 && v == 42);
	T_CHECK(la_parse_u64("0x2a", &v) == 0 && v == 42);
	T_CHECK(la_parse_u64("4K", &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_u64("", &v) == -LA_ERR_BADNUM);

	/* START[,SIZE] */
	{
		uint64_t s, z;
		int has;

		T_CHECK(la_parse_start_size("0xf4000000,64M", &s, &z, &has) == 0);
		T_EQ_U64(s, 0xf4000000);
		T_EQ_U64(z, 64ULL << 20);
		T_CHECK(has == 1);
		T_CHECK(la_parse_start_size("3G", &s, &z, &has) == 0);
		T_EQ_U64(s, 3ULL << 30);
		T_CHECK(has == 0);
		T_CHECK(la_parse_start_size("3G,", &s, &z, &has) == -LA_ERR_BADSIZE);
		T_CHECK(la_parse_start_size(",1M", &s, &z, &has) == -LA_ERR_BADSIZE);
		T_CHECK(la_parse_start_size("1M,2M,3M", &s, &z, &has) == -LA_ERR_BADSIZE);
	}

	/* formatting: the largest unit that divides exactly */
	T_EQ_STR(la_format_size(0, buf, sizeof(buf)), "0 B");
	T_EQ_STR(la_format_size(17, buf, sizeof(buf)), "17 B");
	T_EQ_STR(la_format_size(640 << 10, buf, sizeof(buf)), "640 KiB");
	T_EQ_STR(la_format_size(0xcff00000, buf, sizeof(buf)), "3327 MiB");
	T_EQ_STR(la_format_size(4ULL << 30, buf, sizeof(buf)), "4 GiB");
	T_EQ_STR(la_format_size(1ULL << 40, buf, sizeof(buf)), "1 TiB");
	T_EQ_STR(la_format_size(UINT64_MAX, buf, sizeof(buf)), "~15.99 EiB");
	T_EQ_STR(la_format_size(9999ULL << 20, buf, sizeof(buf)), "9999 MiB");
	/* 64 TiB less the 8 GiB and change below it: no round unit */
	T_EQ_STR(la_format_size(0x3ffdc8000000ULL, buf, sizeof(buf)), "~63.99 TiB");
	T_EQ_STR(la_format_size(1ULL << 63, buf, sizeof(buf)), "8 EiB");

	/* error table */
	T_EQ_STR(la_strerror(-LA_ERR_BADSIZE), "not a size (use K, M, G or T)");
	T_EQ_STR(la_strerror(LA_ERR_BADSIZE), "not a size (use K, M, G or T)");
	T_EQ_STR(la_strerror(0), "success");
	T_EQ_STR(la_strerror(-9999), "unknown error");
	T_EQ_STR(la_strerror_name(-LA_ERR_NOSPACE), "NOSPACE");
	/* a field of a longer argument, parsed in place at any length */
	T_CHECK(la_parse_size_n("4K,align=8", 2, &v) == 0 && v == 4096);
	T_CHECK(la_parse_size_n("1GiB-2G", 4, &v) == 0 && v == 1ULL << 30);
	T_CHECK(la_parse_size_n("1Gi", 3, &v) == -LA_ERR_BADSIZE);
	T_CHECK(la_parse_size_n("0x", 2, &v) == -LA_ERR_BADSIZE);
	T_CHECK(la_parse_size_n("1.", 2, &v) == -LA_ERR_BADSIZE);
	T_CHECK(la_parse_size_n("12", 0, &v) == -LA_ERR_BADSIZE);
	{
		char longsz[300];

		memset(longsz, '0', 290);
		strcpy(longsz + 290, "1G,x");
		T_CHECK(la_parse_size_n(longsz, 292, &v) == 0 && v == 1ULL << 30);
		T_CHECK(la_parse_size(longsz, &v) == -LA_ERR_BADSIZE);
		longsz[292] = '-';
		strcpy(longsz + 293, "2G");
		struct la_range r;
		T_CHECK(la_parse_range(longsz, &r) == 0 && r.start == 1ULL << 30 &&
			r.end == 2ULL << 30);
	}
	/* canonical decimal: no sign, space, 0x or leading zero */
	T_CHECK(la_parse_dec("0", 4, &v) == 0 && v == 0);
	T_CHECK(la_parse_dec("4", 4, &v) == 0 && v == 4);
	T_CHECK(la_parse_dec("5", 4, &v) == -LA_ERR_RANGE);
	T_CHECK(la_parse_dec("18446744073709551615", UINT64_MAX, &v) == 0 && v == UINT64_MAX);
	T_CHECK(la_parse_dec("18446744073709551616", UINT64_MAX, &v) == -LA_ERR_RANGE);
	T_CHECK(la_parse_dec("-18446744073709551615", UINT64_MAX, &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_dec(" 1", 4, &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_dec("+1", 4, &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_dec("01", 4, &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_dec("0x1", 4, &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_dec("", 4, &v) == -LA_ERR_BADNUM);
	T_CHECK(la_parse_dec_n("3=null", 1, 4, &v) == 0 && v == 3);
	return T_DONE();
}
