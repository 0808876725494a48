// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_ld_upgrade.c - the BTF layout signature behind `rootxdp upgrade`:
 * equal for the same layout (through typedefs and qualifiers), different
 * for a same-size struct whose members moved, were renamed or changed type,
 * and for a longer array. */
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "check.h"
#include "upgrade.h"

/* struct NAME { __u32 F1; __u32 F2; T[N] arr; } with __u32 a typedef of
 * unsigned int; swap exchanges F1 and F2's names, wide makes F2 a u64
 * (and the struct larger), n is the array length. */
static char *sig(const char *f1, const char *f2, int n, int wide, int qual)
{
	struct btf *b = btf__new_empty();
	int uint, u32, u64, arr, s, cq;
	char *out;

	uint = btf__add_int(b, "unsigned int", 4, 0);
	u32 = btf__add_typedef(b, "__u32", uint);
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	cq = qual ? btf__add_const(b, u32) : u32;
	arr = btf__add_array(b, uint, cq, n);
	s = btf__add_struct(b, "rx_thing", (wide ? 16 : 8) + 4 * n);
	btf__add_field(b, f1, cq, 0, 0);
	btf__add_field(b, f2, wide ? u64 : u32, wide ? 64 : 32, 0);
	btf__add_field(b, "arr", arr, wide ? 128 : 64, 0);
	out = rx_btf_sig(b, (unsigned)s);
	btf__free(b);
	return out;
}

int main(void)
{
	char *base = sig("serial", "slot", 4, 0, 0);
	char *same = sig("serial", "slot", 4, 0, 0);
	char *qual = sig("serial", "slot", 4, 0, 1);
	char *swapped = sig("slot", "serial", 4, 0, 0);
	char *renamed = sig("serial", "gen", 4, 0, 0);
	char *wide = sig("serial", "slot", 4, 1, 0);
	char *longer = sig("serial", "slot", 5, 0, 0);

	CHECK(base && same && qual && swapped && renamed && wide && longer);
	CHECK_MSG(!strcmp(base, same), "same layout: %s vs %s", base, same);
	CHECK_MSG(!strcmp(base, qual), "a const is not a layout change: %s vs %s", base, qual);
	CHECK_MSG(strcmp(base, swapped), "members swapped: %s", swapped);
	CHECK_MSG(strcmp(base, renamed), "member renamed: %s", renamed);
	CHECK_MSG(strcmp(base, wide), "member widened: %s", wide);
	CHECK_MSG(strcmp(base, longer), "array longer: %s", longer);
	CHECK(strstr(base, "struct rx_thing/24{serial@0=int4:32:0,slot@32=") == base);
	free(base);
	free(same);
	free(qual);
	free(swapped);
	free(renamed);
	free(wide);
	free(longer);
	return check_done();
}
