// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp_pass.bpf.c - a native-mode XDP program that passes everything.
 *
 * The netns fixture attaches it to the client end of the veth pair: a frame
 * the server's XDP program sends back with XDP_TX reaches the peer veth only
 * when a native XDP program is attached there (veth delivers XDP_TX frames
 * through the peer's XDP path; GRO on the peer was not enough).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int rootxdp_test_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
