# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# rootxdp - the only build file.  Everything lands in $(O)/ (default build/).
#   make            build everything (no root, no network)
#   make test       install missing packages, build, run every test
#   make run        install missing packages, build, demo in its own netns
#   make bench      benchmarks beside NSD and Knot (never part of test)
#   make verify-6.1 the BPF programs on Debian 12's kernel 6.1, virtio-net NIC included (qemu, ~2.5 min)
#   make fuzz       fuzz each target FUZZ_TIME seconds (default 300; as root)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian packages, as from a clean clone, in build/deb/ (+ lintian)
#   make help       this list;  V=1 shows the commands
CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
O         ?= build
PREFIX    ?= /usr/local
PKGS      := libbpf libelf zlib ldns
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
# One source for the version: the first entry of debian/changelog.
VERSION   := $(shell scripts/version.sh)
ifeq ($(VERSION),)
$(error cannot read the version from debian/changelog (scripts/version.sh))
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lelf -lz -lldns)
# rootxdpd's dnstap (fallback/dnstap.c): Frame Streams and protobuf-c, linked
# only into what links the daemon's library.
DNSTAP_PKGS := libfstrm libprotobuf-c
PKG_CFLAGS  += $(shell pkg-config --cflags $(DNSTAP_PKGS) 2>/dev/null)
DNSTAP_LIBS := $(shell pkg-config --libs $(DNSTAP_PKGS) 2>/dev/null || echo -lfstrm -lprotobuf-c)
PROTOC_C    ?= protoc-c
# The loader's xdp-mode multiprog (loader/multiprog.c): libxdp's dispatcher,
# linked only into what links the loader's library.
PKG_CFLAGS  += $(shell pkg-config --cflags libxdp 2>/dev/null)
XDP_LIBS    := $(shell pkg-config --libs libxdp 2>/dev/null || echo -lxdp)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP \
           -D_GNU_SOURCE -DRX_VERSION='"$(VERSION)"' $(INC) $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lcrypto -lpthread -lm
BPF_CFLAGS := -target bpf -mcpu=v3 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
              -MMD -MP -Ibpf -idirafter /usr/include/$(MULTIARCH)

ifneq ($(V),1)
Q := @
msg = @printf '  %-9s %s\n' '$(1)' '$(2)';
MAKEFLAGS += --no-print-directory
endif

# Each component sees only the headers it may use, so that a wrong include
# fails to build: bpf/ (the headers shared with the BPF programs) under
# common/ under the three programs; the skeleton and generated code in $(O).
INC_COMMON := -Icommon -Ibpf
INC_ZC     := -Izone-compiler $(INC_COMMON)
INC_LD     := -Iloader $(INC_COMMON) -I$(O)
INC_FB     := -Ifallback $(INC_COMMON) -I$(O)
$(O)/common/%.o:                 INC := $(INC_COMMON)
$(O)/zone-compiler/%.o:          INC := $(INC_ZC)
$(O)/loader/%.o:                 INC := $(INC_LD)
$(O)/fallback/%.o:               INC := $(INC_FB)
$(O)/tests/unit/test_common_%.o: INC := $(INC_COMMON)
$(O)/tests/unit/test_zc_%.o:     INC := $(INC_ZC)
$(O)/tests/unit/test_ld_%.o:     INC := $(INC_LD)
$(O)/tests/unit/test_fb_%.o:     INC := $(INC_FB)
# the packet suite drives the loader's maps and compares with rootxdpd
$(O)/tests/xdp/%.o:              INC := -Iloader -Ifallback $(INC_COMMON) -I$(O)

# Each program is <dir>/main.c plus the rest of <dir>/*.c (its library),
# plus common/.  Unit tests tests/unit/test_<lib>_*.c link common and the
# library they name: zc (zone-compiler), ld (loader), fb (fallback).
COMMON_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard common/*.c))
ZC_LIB   := $(patsubst %.c,$(O)/%.o,$(filter-out zone-compiler/main.c,$(wildcard zone-compiler/*.c)))
LD_LIB   := $(patsubst %.c,$(O)/%.o,$(filter-out loader/main.c,$(wildcard loader/*.c)))
FB_LIB   := $(patsubst %.c,$(O)/%.o,$(filter-out fallback/main.c,$(wildcard fallback/*.c)))
# The dnstap schema, compiled by protoc-c into the build dir (never committed).
DNSTAP_PB := $(if $(wildcard fallback/dnstap.proto),$(O)/fallback/dnstap.pb-c.c)
FB_LIB   += $(DNSTAP_PB:.c=.o)
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst %.bpf.c,$(O)/%.bpf.o,$(BPF_SRCS))
SKEL     := $(O)/rootxdp.skel.h

# A program is built once its main.c exists (the tree grows part by part).
BINS := $(if $(wildcard zone-compiler/main.c),$(O)/rootxdp-compile) \
        $(if $(wildcard loader/main.c),$(O)/rootxdp) \
        $(if $(wildcard fallback/main.c),$(O)/rootxdpd)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_*.c))
XDP_TEST_SRCS := $(wildcard tests/xdp/*.c)
XDP_TEST := $(if $(XDP_TEST_SRCS),$(O)/tests/xdp/test_xdp)

.PHONY: all deps test run bench fuzz install uninstall deb clean help check-tools verify-6.1
all: $(BINS) $(BPF_OBJS)

help:
	@sed -n 's/^#   //p' Makefile

deps:
	$(Q)scripts/deps.sh

check-tools:
	$(Q)scripts/check-tools.sh

# ---- BPF ----
$(O)/bpf/%.bpf.o: bpf/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(O)/bpf/rootxdp.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name rootxdp > $@.tmp && mv $@.tmp $@

# ---- userspace ----
# CPPFLAGS: dpkg-buildflags puts -D_FORTIFY_SOURCE=2 there (debian/rules).
$(O)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(O)/fallback/dnstap.pb-c.c $(O)/fallback/dnstap.pb-c.h &: fallback/dnstap.proto
	$(call msg,PROTOC,$@)
	$(Q)mkdir -p $(@D) && $(PROTOC_C) --c_out=$(@D) --proto_path=fallback $<

$(O)/fallback/dnstap.pb-c.o: $(O)/fallback/dnstap.pb-c.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Everything that includes the generated header waits for it.
$(O)/fallback/dnstap.o $(O)/fallback/main.o: $(O)/fallback/dnstap.pb-c.h

# The version is compiled into the three main.o: rebuilt when it changes.
$(O)/loader/main.o $(O)/fallback/main.o $(O)/zone-compiler/main.o: debian/changelog

# Everything that may include the skeleton waits for it.
$(LD_LIB) $(O)/loader/main.o $(patsubst %.c,$(O)/%.o,$(XDP_TEST_SRCS)) \
	$(patsubst tests/unit/%.c,$(O)/tests/unit/%.o,$(wildcard tests/unit/test_ld_*.c)): $(SKEL)

$(O)/rootxdp-compile: $(O)/zone-compiler/main.o $(ZC_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/rootxdp: $(O)/loader/main.o $(LD_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(XDP_LIBS) $(LDLIBS) -o $@

# rootxdpd reads no zone file (it serves the image's RR table): no ldns.
$(O)/rootxdpd: $(O)/fallback/main.o $(FB_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(filter-out -lldns,$(LDLIBS)) $(DNSTAP_LIBS) -o $@

# ---- tests ----
$(O)/tests/unit/test_zc_%: $(O)/tests/unit/test_zc_%.o $(ZC_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(O)/tests/unit/test_ld_%: $(O)/tests/unit/test_ld_%.o $(LD_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(XDP_LIBS) $(LDLIBS) -o $@
$(O)/tests/unit/test_fb_%: $(O)/tests/unit/test_fb_%.o $(FB_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(DNSTAP_LIBS) -o $@
$(O)/tests/unit/test_common_%: $(O)/tests/unit/test_common_%.o $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(O)/tests/xdp/test_xdp: $(patsubst %.c,$(O)/%.o,$(XDP_TEST_SRCS)) $(LD_LIB) $(FB_LIB) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(XDP_LIBS) $(LDLIBS) $(DNSTAP_LIBS) -o $@

TEST_BINS := $(UNIT_TESTS) $(XDP_TEST)

test: deps
	$(Q)$(MAKE) all $(TEST_BINS)
	$(Q)O=$(O) tests/run.sh

run: deps
	$(Q)$(MAKE) all
	$(Q)O=$(O) scripts/demo.sh

bench:
	$(Q)scripts/deps.sh bench
	$(Q)$(MAKE) all
	$(Q)O=$(O) scripts/bench.sh

# Operators run Debian 12's 6.1, whose verifier is stricter than ours:
# boot it under qemu and load, fill and exercise both programs there.
verify-6.1: deps
	$(Q)$(MAKE) all $(XDP_TEST)
	$(Q)O=$(O) scripts/verify-kernel.sh

FUZZ_TIME ?= 300
fuzz: deps
	$(Q)O=$(O) scripts/fuzz.sh run $(FUZZ_TIME)

# ---- install ----
install: all
	$(Q)PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) O=$(O) scripts/install.sh install
uninstall:
	$(Q)PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) O=$(O) scripts/install.sh uninstall

# The packages debian/ describes, built from a copy of the tree as a clean
# clone would hold it, then lintian; no root needed.
deb:
	$(Q)scripts/deb.sh --out $(O)/deb

clean:
	$(call msg,CLEAN,$(O))
	$(Q)rm -rf $(O)

# (not $(O)/deb: make deb's copy of the tree has its own build/ there)
-include $(shell find $(O) -path $(O)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
.DELETE_ON_ERROR:
.SECONDARY:
