/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * inline.h - what the headers shared by the BPF programs and userspace
 * (siphash.h, cookie.h, rrl.h) need in both worlds: clang -target bpf
 * (libbpf's bpf_helpers.h defines __always_inline) and gcc.
 */
#ifndef RX_INLINE_H
#define RX_INLINE_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
/* Unrolled for the BPF verifier (clang); a plain loop for gcc. */
#ifndef RX_UNROLL
#ifdef __clang__
#define RX_UNROLL _Pragma("unroll")
#else
#define RX_UNROLL
#endif
#endif

#endif
