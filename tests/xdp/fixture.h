/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fixture.h - what the packet suite's scenario files share (fixture.c):
 * the loaded programs and maps (T), queries built by hand or from a
 * description, running one through a program, and the expectations
 * computed from the zone file with ldns.  One file per scenario
 * (cases_*.c, csum.c) includes it; test_xdp.c runs them in order.
 */
#ifndef RX_TEST_XDP_FIXTURE_H
#define RX_TEST_XDP_FIXTURE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <time.h>
#include "rootxdp.h"
#include "rootxdp.skel.h"
#include "config.h"
#include "image.h"
#include "zone_maps.h"
#include "pkt.h"
#include "csum.h"
#include "../unit/check.h"

#define IDENT	"test-instance"
/* the cookie secret of both paths: "0123456789abcdef" */
#define TEST_COOKIE_HEX "30313233343536373839616263646566"
#define MTU	1500

struct xdp_state {
	struct rootxdp *skel;
	struct rx_maps maps;
	int fd[2];		/* [0] XDP, [1] TC */
	ldns_zone *zone;
	ldns_rr *soa;
	int ncpu;
	int verbose;
	unsigned rrl_rate, rrl_slip;
	int rrl_exempt, rrl_log_only, cookie_prev;
	unsigned tap_rate;		/* dnstap-sample-rate, 0 but in cases_tap */
	char tmpdir[64];
	/* TLDs picked from the zone */
	ldns_rdf *signed_tld, *unsigned_tld, *big_tld;
};
extern struct xdp_state T;
/* what a case expects of a program */
enum { EXP_ANSWER, EXP_PASS, EXP_DROP };
extern const char *const stat_names[];
extern const struct pkt_spec V4, V6;

struct q {
	const char *name;
	ldns_rr_type type;
	ldns_rr_class cls;
	int edns, dobit, nsid, version;
	uint16_t udp;
	int rd, cd;
};
struct raw {
	uint8_t b[1024];
	size_t n;
};
struct result {
	ldns_pkt *pkt;			/* decoded DNS response (XDP) */
	uint8_t dns[2][PKT_MAX];	/* raw DNS payload, per path */
	size_t dnslen[2];
};

const char *path_name(int tc);
__u64 stat_get(int path, int idx);
ldns_rdf *dname(const char *s);
ldns_rr_list *zone_rrs(const ldns_rdf *owner, ldns_rr_type type, ldns_rr_type covered);
ldns_rr_list *want_set(const char *owner, ldns_rr_type type, int dobit);
void set_ttl(ldns_rr_list *l, uint32_t ttl);
ldns_rr_list *want_neg_soa(int dobit);
int same_rrs(const char *what, ldns_rr_list *got, ldns_rr_list *want);
size_t q_wire(const struct q *q, uint8_t *buf, size_t max);
void raw_hdr(struct raw *r, uint16_t flags, int qd, int an, int ns, int ar);
void raw_put(struct raw *r, const void *b, size_t n);
void raw_q(struct raw *r, const char *wire_name, size_t nlen, uint16_t type);
void raw_opt(struct raw *r, const uint8_t *opts, size_t olen);
int verdict_ok(int tc, int exp, uint32_t ret);
int run_case(const char *desc, const struct pkt_spec *ps, const uint8_t *qdns, size_t qlen,
		    int exp, int reason, size_t limit, struct result *res);
void result_free(struct result *r);
int ask(const char *desc, const struct pkt_spec *ps, const struct q *q, int exp,
	       int reason, struct result *res);
int hdr(const ldns_pkt *p, int rcode, int aa, int tc);
int is_glue_for(const ldns_rr *rr, ldns_rr_list *ns);
void check_referral(const char *desc, const ldns_pkt *p, const char *tld, int dobit);
void check_answer(const char *desc, const ldns_pkt *p, const char *owner,
			 ldns_rr_type type, int dobit);
void check_nodata(const char *desc, const ldns_pkt *p, const char *owner, int dobit);
void check_nxdomain(const char *desc, const ldns_pkt *p, const char *qname, int dobit);
void check_opt(const char *desc, const ldns_pkt *p, int edns, int dobit);
int run_cmd(char *const argv[]);
int zone_setup(const char *dir, char *image, size_t len);
void pick_tlds(void);
char *tld_str(const ldns_rdf *r);
void cfg_set(const char *version, unsigned mtu);
int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list ap);
struct pkt_spec spec(int v6, int nvlan);
uint32_t run1(int tc, const struct pkt_spec *ps, const uint8_t *dns, size_t n,
		     struct pkt_dec *d, uint8_t *out);
int answered(int tc, uint32_t ret);
int dropped(int tc, uint32_t ret);

/* a FORMERR answer to q: header only, QR (RD kept), rcode 1, counts 0 */
int res_ok_formerr(const uint8_t *a, size_t n, const uint8_t *q);

/* the cookie oracle (cases_cookie.c), also for the RRL cases */
extern const uint8_t CK_SECRET[16];	/* the secret cfg_set() gives both paths */
uint32_t away_from_second_edge(void);
int cookie_is_fresh(const uint8_t sc[16], const uint8_t secret[16], const uint8_t cc[8],
		    int v6, uint32_t t0);

/* the scenarios (cases_*.c), in the order test_xdp.c runs them */
void cases_no_zone(void);
void cases_referral(void);
void cases_ds(void);
void cases_nxdomain(void);
void cases_apex(void);
void cases_chaos(void);
void cases_edns(void);
void cases_size(void);
void cases_pass_drop(void);
void cases_formerr(void);
void cases_cookie(void);
void cases_rrl(void);
void cases_rssac(void);
void cases_tap(void);

#endif
