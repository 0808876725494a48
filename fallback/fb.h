/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fb.h - rootxdpd's internal interface.
 *
 *   zone.c    an image + its RR table (every RR of the zone, indexed in
 *             place as struct fb_rr), refcounted; the live zone is swapped
 *             atomically on reload
 *   wire.c    DNS names and a message writer with name compression
 *   answer.c  the responder: query bytes + transport + client -> response
 *             bytes (pure: no I/O, no globals but what is passed in); its
 *             parts edns.c (OPT), tsig.c (TSIG), acl.c (address lists)
 *             share answer.h
 *   axfr.c    AXFR / IXFR message streams over TCP
 *   cookie.c  DNS cookies (RFC 7873, server cookie as RFC 9018: SipHash-2-4)
 *   server.c  sockets, worker threads, epoll loop, UDP, TCP (RFC 7766)
 *   stats.c   counters, written as "name value" lines to run-dir
 *   dnstap.c  dnstap (AUTH_QUERY, AUTH_RESPONSE) as Frame Streams to a file
 *             or a unix socket, through fstrm's I/O thread
 *   main.c    options, config, signals, privileges, reload, sd_notify
 */
#ifndef RX_FB_H
#define RX_FB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>
#include "dname.h"
#include "image.h"
#include "rootxdp.h"
#include "tsig.h"
#include "dnsproto.h"	/* DNS_T_*, DNS_C_*, DNS_R_*, EDNS_O_* */

/* ---------------------------------------------------------------- zone */

/* One RR of the zone: the image's RR table, indexed at load. */
struct fb_rr {
	const uint8_t *owner;	/* wire, case as in the zone */
	const uint8_t *rdata;	/* wire, uncompressed */
	uint32_t ttl;
	uint16_t type, rclass, rdlen, covered;	/* covered: RRSIG only */
	uint8_t owner_len;
	uint8_t nlabels;
};

struct fb_zone {
	atomic_int refs;
	struct rx_image img;
	uint32_t serial;
	uint64_t loaded;	/* unix seconds */
	/* every RR in the RR table's order (rx_image_rr_cmp(): owner, then
	 * type, an RRSIG right after the RRset it covers), no duplicates;
	 * owner and rdata point into img */
	struct fb_rr *rrs;
	uint32_t nrrs;
	uint32_t soa;		/* index of the apex SOA */
	uint32_t apex_end;	/* rrs[0 .. apex_end) are owned by "." */
};

/* Open and validate an image and index its RR table.  NULL with one line
 * in err on any failure (nothing is half-loaded). */
struct fb_zone *fb_zone_load(const char *path, char *err, size_t errlen);
void fb_zone_ref(struct fb_zone *z);
void fb_zone_unref(struct fb_zone *z);

/* First RR with this owner (names compare case-insensitively) and, if
 * type != 0, this type; for type RRSIG, covered must name the covered
 * type.  Returns the index or -1; the RRset runs while fb_rr_same_set()
 * holds. */
long fb_zone_find(const struct fb_zone *z, const uint8_t *owner, uint16_t type,
		  uint16_t covered);
bool fb_rr_same_set(const struct fb_rr *a, const struct fb_rr *b);

/* The live zone: one pointer, swapped under a lock; readers cache it per
 * worker and re-take it only when the generation moves (fb_live_sync). */
void fb_live_set(struct fb_zone *z);		/* takes over the caller's ref */
struct fb_zone *fb_live_ref(void);		/* +1 ref, or NULL */
/* Refresh a worker's cached pointer if the live zone changed. */
void fb_live_sync(struct fb_zone **mine, unsigned *gen);

#include "serial.h"	/* rx_serial_newer(), RFC 1982 */

/* ---------------------------------------------------------------- wire */

/* A message being written, with RFC 1035 4.1.4 name compression. */
#define FB_CT_SLOTS 2048
struct fb_wr {
	uint8_t *buf;
	size_t len, cap;
	bool full;		/* a write did not fit: len unchanged */
	uint16_t ct_used;
	struct { uint32_t hash; uint16_t off; } ct[FB_CT_SLOTS];
};

void fb_wr_init(struct fb_wr *w, uint8_t *buf, size_t cap);
void fb_wr_reset_ct(struct fb_wr *w);
int fb_wr_bytes(struct fb_wr *w, const void *p, size_t n);
int fb_wr_u16(struct fb_wr *w, uint16_t v);
int fb_wr_u32(struct fb_wr *w, uint32_t v);
/* Write a name, compressed against names already written when compress;
 * either way its suffixes become available to later names. */
int fb_wr_name(struct fb_wr *w, const uint8_t *name, bool compress);
/* Write a whole RR (owner compressed; NS/SOA/CNAME/PTR/MX RDATA names
 * compressed too, RFC 3597 4).  Returns 0, or -1 if it does not fit
 * (w->len is then unchanged). */
int fb_wr_rr(struct fb_wr *w, const struct fb_rr *rr);

/* ---------------------------------------------------------------- answer */

enum fb_transport { FB_UDP = 0, FB_TCP = 1 };

/* Answer kinds, for the stats. */
#define FB_KINDS(X)				\
	X(FB_K_DROP,		"drop")		\
	X(FB_K_REFERRAL,	"referral")	\
	X(FB_K_DS,		"ds")		\
	X(FB_K_NXDOMAIN,	"nxdomain")	\
	X(FB_K_APEX,		"apex")		\
	X(FB_K_NODATA,		"apex_nodata")	\
	X(FB_K_ANY,		"any")		\
	X(FB_K_RRSIG,		"apex_rrsig")	\
	X(FB_K_CHAOS,		"chaos")	\
	X(FB_K_AXFR,		"axfr")		\
	X(FB_K_IXFR,		"ixfr")		\
	X(FB_K_XFR_REFUSED,	"xfr_refused")	\
	X(FB_K_ERROR,		"error")
#define FB_KIND_ENUM(e, s) e,
enum fb_kind { FB_KINDS(FB_KIND_ENUM) FB_K_MAX };
#undef FB_KIND_ENUM

struct fb_acl {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned plen;
};

/* TSIG keys (tsig-key, tsig-key-file) and which of them may transfer the
 * zone (axfr-allow-key); swapped whole on SIGHUP like the cookie keys. */
struct fb_tsig {
	struct rx_tsig_keys keys;
	bool axfr_need_key;			/* axfr-allow-key given */
	bool axfr_key[RX_TSIG_KEYS_MAX];	/* by index in keys */
};

/* Everything the responder needs besides the zone; read-only once the
 * workers run. */
struct fb_conf {
	unsigned max_payload;		/* 512..4096 */
	bool nsid;
	uint8_t ident[RX_IDENT_MAX];
	unsigned ident_len;
	uint8_t version[RX_IDENT_MAX];
	unsigned version_len;		/* 0 = hidden (REFUSED) */
	bool minimal_any;
	struct fb_acl axfr_allow[16];
	int naxfr_allow;
	unsigned tcp_idle_timeout_ms;	/* for the keepalive option */
	/* cookie secrets: swapped whole on SIGHUP (__atomic builtins), the
	 * old ones freed a swap later */
	const struct rx_cookie_keys *cookie_keys;
	const struct fb_tsig *tsig;	/* NULL: no keys; swapped as cookie_keys */
	/* SIGHUP's copy with the config read again (NULL: none yet): the
	 * responder answers from it; swapped whole, freed a swap later */
	const struct fb_conf *live;
	struct fb_rrl *rrl;		/* NULL: RRL off */
	struct fb_dnstap *dnstap;	/* NULL: dnstap off */
	struct fb_top *top;		/* NULL: top-names off */
};

struct fb_client {
	enum fb_transport transport;
	struct sockaddr_storage addr;	/* source of the query */
	uint32_t now;			/* unix seconds (cookie timestamps) */
	bool slip;			/* RRL slip: header, question, OPT only */
};

struct fb_result {
	enum fb_kind kind;
	int rcode;			/* incl. extended (BADVERS 16) */
	bool tc;
	bool edns, do_bit, cookie, nsid;
	uint8_t cookie_verdict;		/* enum rx_cookie_verdict */
	bool cookie_minted;
	bool cookie_formerr;
	uint32_t rrl_name;		/* RRL bucket name (design.md 14a) */
	uint16_t qtype;
	/* AXFR/IXFR over TCP: more messages follow (axfr.c) */
	bool xfr;
	uint32_t xfr_pos;		/* next RR index to send */
	uint16_t xfr_id;
	uint8_t xfr_f1, xfr_f2;		/* header flag bytes of the query */
	uint8_t xfr_q[RX_NAME_MAX + 4];	/* question, echoed in each message */
	unsigned xfr_qlen;
	/* TSIG: the query was signed with a key we hold and verified (tsig:
	 * each response message is signed, tsig_ctx chains the MACs), or it
	 * failed (tsig_error, said in the log over TCP) */
	bool tsig;
	uint16_t tsig_error;		/* RX_TSIG_BADSIG, BADKEY, BADTIME */
	char tsig_key[256];		/* the key name the query named */
	const char *refused;		/* why a transfer was refused, or NULL */
	struct rx_tsig_ctx tsig_ctx;
};

/* Answer one query.  Returns the response length (<= cap), or 0: send
 * nothing (a response, an unreadable header).  cap must be >= 512 for UDP
 * and DNS_MSG_MAX for TCP.  zone may be NULL (no image: SERVFAIL). */
size_t fb_answer(const struct fb_conf *cf, const struct fb_zone *zone,
		 const uint8_t *q, size_t qlen, const struct fb_client *cl,
		 uint8_t *out, size_t cap, struct fb_result *res);

/* Is this client allowed to transfer the zone? */
bool fb_acl_match(const struct fb_acl *acl, int n, const struct sockaddr_storage *ss);
int fb_acl_parse(const char *s, struct fb_acl *a);

/* The next AXFR message for res (after fb_answer set res->xfr): fills out
 * and advances res->xfr_pos; clears res->xfr with the last message. */
size_t fb_xfr_next(const struct fb_zone *z, struct fb_result *res,
		   uint8_t *out, size_t cap);

/* ---------------------------------------------------------------- cookie */

/* bpf/cookie.h's rx_cookie_answer() for a socket address: the server
 * cookie to send for this client cookie (and the query's server cookie,
 * sclen bytes, 0 = none); returns the enum rx_cookie_verdict. */
int fb_cookie_answer(const struct rx_cookie_keys *k, const uint8_t client[8],
		     const uint8_t *server, size_t sclen, const struct sockaddr_storage *addr,
		     uint32_t now, uint8_t out[16], bool *minted);

/* ---------------------------------------------------------------- rrl */

/* Response rate limiting of the UDP answers (rrl.c), with bpf/rrl.h's
 * arithmetic: a fixed table of buckets, 4-way sets, each set behind one
 * of a few striped locks; a new bucket takes the slot of the set's most
 * nearly whole one (its owner loses at most a little debt). */
enum fb_rrl_verdict { FB_RRL_SEND = 0, FB_RRL_DROP, FB_RRL_SLIP };
struct fb_rrl;
struct fb_rrl *fb_rrl_new(const struct rx_rrl_params *p, unsigned entries,
			  const struct fb_acl *exempt, int nexempt);
void fb_rrl_free(struct fb_rrl *r);
struct fb_stats;
/* Decide for a response of rlen bytes described by res to addr, counting
 * the decision in st.  TCP is never limited (the caller does not ask). */
enum fb_rrl_verdict fb_rrl_check(struct fb_rrl *r, const struct fb_result *res, size_t rlen,
				 const struct sockaddr_storage *addr, uint64_t now_ns,
				 struct fb_stats *st);

/* ---------------------------------------------------------------- stats */

#define FB_STATS(X)							\
	X(FB_S_QUERIES_UDP,	"queries_udp")				\
	X(FB_S_QUERIES_TCP,	"queries_tcp")				\
	X(FB_S_ANSWERS_UDP,	"answers_udp")				\
	X(FB_S_ANSWERS_TCP,	"answers_tcp")				\
	X(FB_S_DROPPED,		"dropped")				\
	X(FB_S_IPV4,		"ipv4")					\
	X(FB_S_IPV6,		"ipv6")					\
	/* transport x family, for rootxdp_queries_total (loader/prometheus.c) */ \
	X(FB_S_Q_UDP4,		"queries_udp_ipv4")			\
	X(FB_S_Q_UDP6,		"queries_udp_ipv6")			\
	X(FB_S_Q_TCP4,		"queries_tcp_ipv4")			\
	X(FB_S_Q_TCP6,		"queries_tcp_ipv6")			\
	/* responses by QTYPE, FORMERR not counted: the kernel's buckets	\
	 * (bpf/stats.h stat_qtype) */					\
	X(FB_S_QT_A,		"qtype_a")				\
	X(FB_S_QT_NS,		"qtype_ns")				\
	X(FB_S_QT_SOA,		"qtype_soa")				\
	X(FB_S_QT_PTR,		"qtype_ptr")				\
	X(FB_S_QT_MX,		"qtype_mx")				\
	X(FB_S_QT_TXT,		"qtype_txt")				\
	X(FB_S_QT_AAAA,		"qtype_aaaa")				\
	X(FB_S_QT_DS,		"qtype_ds")				\
	X(FB_S_QT_DNSKEY,	"qtype_dnskey")				\
	X(FB_S_QT_NSEC,		"qtype_nsec")				\
	X(FB_S_QT_OTHER,	"qtype_other")				\
	X(FB_S_EDNS,		"edns")					\
	X(FB_S_DO,		"do")					\
	X(FB_S_COOKIE,		"cookie")				\
	X(FB_S_NSID,		"nsid")					\
	X(FB_S_TRUNCATED,	"truncated")				\
	X(FB_S_RC_NOERROR,	"rcode_noerror")			\
	X(FB_S_RC_FORMERR,	"rcode_formerr")			\
	X(FB_S_RC_SERVFAIL,	"rcode_servfail")			\
	X(FB_S_RC_NXDOMAIN,	"rcode_nxdomain")			\
	X(FB_S_RC_NOTIMP,	"rcode_notimp")				\
	X(FB_S_RC_REFUSED,	"rcode_refused")			\
	X(FB_S_RC_NOTAUTH,	"rcode_notauth")			\
	X(FB_S_RC_BADVERS,	"rcode_badvers")			\
	X(FB_S_TSIG_GOOD,	"tsig_verified")			\
	X(FB_S_TSIG_BAD,	"tsig_refused")				\
	X(FB_S_K_REFERRAL,	"kind_referral")			\
	X(FB_S_K_DS,		"kind_ds")				\
	X(FB_S_K_NXDOMAIN,	"kind_nxdomain")			\
	X(FB_S_K_APEX,		"kind_apex")				\
	X(FB_S_K_NODATA,	"kind_apex_nodata")			\
	X(FB_S_K_ANY,		"kind_any")				\
	X(FB_S_K_RRSIG,		"kind_apex_rrsig")			\
	X(FB_S_K_CHAOS,		"kind_chaos")				\
	X(FB_S_K_AXFR,		"kind_axfr")				\
	X(FB_S_K_IXFR,		"kind_ixfr")				\
	X(FB_S_K_XFR_REFUSED,	"kind_xfr_refused")			\
	X(FB_S_K_ERROR,		"kind_error")				\
	X(FB_S_TCP_ACCEPTED,	"tcp_accepted")				\
	X(FB_S_TCP_REJECTED,	"tcp_rejected")	/* over a connection cap */ \
	X(FB_S_TCP_IDLE_CLOSED,	"tcp_idle_closed")			\
	X(FB_S_TCP_CLOSED,	"tcp_closed")				\
	X(FB_S_BYTES_IN,	"bytes_in")				\
	X(FB_S_BYTES_OUT,	"bytes_out")				\
	X(FB_S_CK_CLIENT,	"cookie_client_only")			\
	X(FB_S_CK_GOOD,		"cookie_good")				\
	X(FB_S_CK_BAD,		"cookie_bad")				\
	X(FB_S_CK_MINTED,	"cookie_minted")			\
	X(FB_S_CK_FORMERR,	"cookie_formerr")			\
	X(FB_S_RRL_LIMITED,	"rrl_limited")				\
	X(FB_S_RRL_SLIPPED,	"rrl_slipped")				\
	X(FB_S_RRL_DROPPED,	"rrl_dropped")				\
	X(FB_S_RRL_EXEMPT,	"rrl_exempt")				\
	X(FB_S_RRL_COOKIE,	"rrl_cookie")				\
	X(FB_S_RRL_LOG_ONLY,	"rrl_log_only")				\
	X(FB_S_RELOADS,		"reloads")				\
	X(FB_S_RELOAD_FAILED,	"reload_failed")			\
	X(FB_S_DNSTAP_SENT,	"dnstap_sent")	/* queued for the writer */ \
	X(FB_S_DNSTAP_DROPPED,	"dnstap_dropped") /* queue full: not logged */ \
	X(FB_S_KTAP_READ,	"kernel_tap_read") /* records read from rx_tap */ \
	X(FB_S_KTAP_CUT,	"kernel_tap_cut") /* ...whose response was cut */ \
	X(FB_S_TOP_FULL,	"top_full")	/* TLD not counted: table full */
#define FB_STAT_ENUM(e, s) e,
enum fb_stat { FB_STATS(FB_STAT_ENUM) FB_S_MAX };
#undef FB_STAT_ENUM

/* One block per worker (written by that worker only) plus one for main. */
struct fb_stats {
	_Atomic uint64_t c[FB_S_MAX];
} __attribute__((aligned(64)));

static inline void fb_stat_add(struct fb_stats *s, enum fb_stat i, uint64_t n)
{
	atomic_fetch_add_explicit(&s->c[i], n, memory_order_relaxed);
}

void fb_stats_count(struct fb_stats *s, const struct fb_result *r,
		    enum fb_transport t, int family, size_t qlen, size_t rlen);
/* Sum blocks and write "name value" lines to path (tmp + rename). */
int fb_stats_write(const char *path, struct fb_stats *blocks, int n, uint32_t serial);

/* RSSAC002 counters and sketch (rssac.c) in state-dir/rootxdpd.rssac:
 * open (before privileges are dropped), count one query (rlen 0: no
 * response sent), and the main thread's once-a-second tick. */
int fb_rssac_open(const char *state_dir, char *err, size_t errlen);
void fb_rssac_count(enum fb_transport t, const struct sockaddr_storage *src, size_t qlen,
		    size_t rlen, int rcode);
void fb_rssac_tick(void);

/* ---------------------------------------------------------------- dnstap */

/*
 * dnstap (dnstap.c): each worker hands its queries and responses to
 * fb_dnstap_log(), which encodes them and puts them on the worker's own
 * bounded fstrm input queue without ever blocking (a full queue is a drop,
 * counted); fstrm's I/O thread writes them as Frame Streams (content type
 * protobuf:dnstap.Dnstap) to a file or a unix socket.
 */
struct fb_dnstap;

struct fb_dnstap_opts {
	const char *dest;		/* file path, or "unix:/path" */
	const char *identity;		/* Dnstap.identity, "" = none */
	const char *version;		/* Dnstap.version, "" = none */
	bool log_queries, log_responses;
	unsigned nqueues;		/* one per worker */
};

/* One exchange as a worker saw it.  server: the address the query came
 * to (family 0 if unknown).  rlen 0: no response was sent. */
struct fb_dnstap_msg {
	enum fb_transport transport;
	const struct sockaddr_storage *client, *server;
	const uint8_t *q, *r;
	size_t qlen, rlen;
	struct timespec qtime, rtime;	/* CLOCK_REALTIME */
	const char *extra;		/* Dnstap.extra, NULL = none ("xdp", "tc") */
};

struct fb_dnstap *fb_dnstap_new(const struct fb_dnstap_opts *o, char *err, size_t errlen);
/* Flush what is queued, write the stream's end, close. */
void fb_dnstap_free(struct fb_dnstap *t);
/* Worker q (0 .. nqueues-1) logs one exchange; counts in st. */
void fb_dnstap_log(struct fb_dnstap *t, unsigned q, const struct fb_dnstap_msg *m,
		   struct fb_stats *st);
/* SIGHUP: a file output is reopened when its path no longer names the file
 * being written (moved or removed by log rotation); 1 if reopened. */
int fb_dnstap_reopen(struct fb_dnstap *t);

/*
 * The kernel paths' sample (ktap.c): a thread reading the pinned rx_tap
 * ring buffer (bpf/tap.h) into the same dnstap stream, on its own input
 * queue (index q).  Opened before privileges are dropped (bpf(2) needs
 * them); NULL with a warning when nothing is pinned.
 */
struct fb_ktap;
struct fb_ktap *fb_ktap_open(const char *pin_root, struct fb_stats *st);
/* Start reading into t's input queue q. */
int fb_ktap_start(struct fb_ktap *k, struct fb_dnstap *t, unsigned q);
/* Stop the thread (what the ring still holds is read first), close. */
void fb_ktap_free(struct fb_ktap *k);

/* Which names are asked (top.c): per-worker shards, summed by main into
 * run-dir/rootxdpd.top for `rootxdp stats --top`. */
struct fb_top;
struct fb_top *fb_top_new(unsigned nshards);
void fb_top_free(struct fb_top *t);
/* Worker `shard` answered q (res): its qtype and TLD label. */
void fb_top_count(struct fb_top *t, unsigned shard, const uint8_t *q, size_t qlen,
		  const struct fb_result *res, struct fb_stats *st);
int fb_top_write(struct fb_top *t, const char *path);

/* ---------------------------------------------------------------- server */

struct fb_server_opts {
	char listen[16][64];
	int nlisten;
	unsigned port;
	unsigned workers;
	unsigned tcp_idle_timeout_ms;
	unsigned tcp_max_clients;
	unsigned tcp_max_per_client;
};

struct fb_server;
/* Bind every socket (before privileges are dropped). */
struct fb_server *fb_server_new(const struct fb_server_opts *o, const struct fb_conf *cf,
				char *err, size_t errlen);
int fb_server_start(struct fb_server *s);	/* start worker threads */
void fb_server_stop(struct fb_server *s);	/* join them */
void fb_server_free(struct fb_server *s);
struct fb_stats *fb_server_stats(struct fb_server *s, int *n);

#endif
