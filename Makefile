# libodm: on-demand mobility (RFC 8653) for unmodified Linux programs.
# `make` builds preload/libodm.so and the tools; `make check` runs all tests;
# `make SAN=1 ...` builds everything with ASan+UBSan into build-san/,
# `make SAN=thread ...` with TSan into build-tsan/.

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
TOP     := $(abspath .)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
# -fno-zero-initialized-in-bss: the shim's statics in .data, which its
# loader maps from the file, instead of .bss, which costs one more mapping
# in every program it is preloaded into.
CFLAGS  += -std=gnu11 $(WARN) -fPIC -fvisibility=hidden -fno-zero-initialized-in-bss -D_GNU_SOURCE \
           -Iinclude -Icommon -Ipreload -Ipreload/lazy -Ipolicy -Itools/odmd -DODM_TOP='"$(TOP)"'
CONFUSE_LIBS := $(shell pkg-config --libs libconfuse 2>/dev/null || echo -lconfuse)
LDLIBS  := $(CONFUSE_LIBS) -lmnl -lpthread -ldl
# The cgroup BPF path (bpf/): clang, bpftool and libbpf (tests/install-deps).
BPF_CC      ?= clang
BPFTOOL     ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
BPF_LIBS    := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)

ifeq ($(SAN),thread)
B       := build-tsan
CFLAGS  += -fsanitize=thread -O1
LDFLAGS += -fsanitize=thread
else ifneq ($(SAN),)
B       := build-san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
else
B       := build
endif

# Everything of the library that is not a hook: unit-testable as an archive.
CORE_SRCS := $(filter-out preload/hook_%.c,$(wildcard preload/*.c)) \
             $(wildcard policy/*.c) $(wildcard common/*.c)
HOOK_SRCS := $(wildcard preload/hook_*.c)
# libconfuse and libmnl, loaded by the shim only when it needs them.
LAZY_SRCS := $(wildcard preload/lazy/*.c)
LAZY_OBJS := $(LAZY_SRCS:%.c=$(B)/%.o)
SONAME_OF = $(shell objdump -p $$(pkg-config --variable=libdir $(1) 2>/dev/null || \
	echo /usr/lib/$$($(CC) -dumpmachine))/$(2) 2>/dev/null | awk '/SONAME/ { print $$2 }')
CONFUSE_SONAME := $(or $(call SONAME_OF,libconfuse,libconfuse.so),libconfuse.so.2)
MNL_SONAME := $(or $(call SONAME_OF,libmnl,libmnl.so),libmnl.so.0)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/%.o)
HOOK_OBJS := $(HOOK_SRCS:%.c=$(B)/%.o)
CORE_LIB  := $(B)/libodm-core.a
# odmd's modules (the host agent, issue 4): an archive its unit tests link.
ODMD_SRCS := $(filter-out tools/odmd/odmd.c,$(wildcard tools/odmd/*.c))
ODMD_OBJS := $(ODMD_SRCS:%.c=$(B)/%.o)
ODMD_LIB  := $(B)/libodmd.a
ODMD_BIN  := $(if $(filter build,$(B)),tools/odmd/odmd,$(B)/tools/odmd/odmd)

LIB       := $(if $(filter build,$(B)),preload/libodm.so,$(B)/libodm.so)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(B)/helpers/%)
AWARE_SRCS := $(wildcard tests/aware/*.c)
AWARE_BINS := $(AWARE_SRCS:tests/aware/%.c=$(B)/aware/%)
EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(B)/examples/%)
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BIN  := $(if $(filter build,$(B)),tools/odm,$(B)/tools/odm)

.PHONY: all lib tools unit helpers examples check test unit-check deps install \
        uninstall clean bench demo fuzz

all: lib tools examples helpers unit

lib: $(LIB)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(ODMD_LIB): $(ODMD_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/preload/lazy/%.o: preload/lazy/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipreload/lazy -DODM_CONFUSE_SONAME='"$(CONFUSE_SONAME)"' \
	    -DODM_MNL_SONAME='"$(MNL_SONAME)"' -MMD -MP -c $< -o $@

# The shim needs nothing but libc at start: libconfuse and libmnl come
# later, when a policy or the engine needs them (preload/lazy/). Two load
# segments (noseparate-code) make its own loading cheaper.
# What the shim never does: compile policy folders (odm check, odmd).
SHIM_OBJS := $(filter-out $(B)/policy/policy_index_write.o $(B)/common/cgroup2.o,$(CORE_OBJS))
$(LIB): $(SHIM_OBJS) $(HOOK_OBJS) $(LAZY_OBJS) preload/libodm.map
	$(CC) -shared -Wl,--version-script=preload/libodm.map -Wl,-z,defs \
	    -Wl,-z,noseparate-code -Wl,-soname,libodm.so $(LDFLAGS) -o $@ \
	    $(SHIM_OBJS) $(HOOK_OBJS) $(LAZY_OBJS) -ldl -lpthread

# Aware programs and test helpers link the shared library, as users do.
$(B)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIE -pie $(LDFLAGS) -o $@ $< -L$(dir $(LIB)) -lodm \
	    -Wl,-rpath,$(TOP)/$(dir $(LIB))

# Test programs written for on-demand mobility link libodm like users do.
$(B)/aware/%: tests/aware/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIE -pie $(LDFLAGS) -o $@ $< -L$(dir $(LIB)) -lodm \
	    -lpthread -Wl,-rpath,$(TOP)/$(dir $(LIB))

$(B)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIE -pie $(LDFLAGS) -o $@ $< -lpthread

# io_uring's connect, which no hook sees (the BPF path's tests).
$(B)/helpers/uring_connect: tests/helpers/uring_connect.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIE -pie $(LDFLAGS) -o $@ $< -luring

# Unit tests link the core archive: internal functions are hidden in the .so.
$(B)/tests/%: tests/unit/%.c $(CORE_LIB) $(if $(ODMD_SRCS),$(ODMD_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools/odmd -fPIE -pie $(LDFLAGS) -o $@ $< \
	    $(if $(ODMD_SRCS),$(ODMD_LIB)) $(CORE_LIB) $(LDLIBS) $(BPF_LIBS)

# The odm tool reads configs and the kernel like the library, so it links
# the same core code.
$(TOOL_BIN): $(TOOL_SRCS) $(wildcard tools/*.h) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools -DODM_LIBDIR='"$(LIBDIR)"' -fPIE -pie $(LDFLAGS) \
	    -o $@ $(TOOL_SRCS) $(CORE_LIB) $(LDLIBS) $(BPF_LIBS) -ljson-c

$(ODMD_BIN): $(B)/tools/odmd/odmd.o $(ODMD_LIB) $(CORE_LIB)
	$(CC) $(CFLAGS) -fPIE -pie $(LDFLAGS) -o $@ $^ $(LDLIBS) $(BPF_LIBS)

# The BPF programs, and the skeleton odmd loads them through.
$(B)/bpf/odm.bpf.o: bpf/odm.bpf.c common/bpf_layout.h
	@mkdir -p $(dir $@)
	$(BPF_CC) -g -O2 -target bpf -I/usr/include/$$($(CC) -dumpmachine) \
	    -Icommon -Wall -Werror -c $< -o $@
$(B)/bpf/odm_bpf.skel.h: $(B)/bpf/odm.bpf.o
	$(BPFTOOL) gen skeleton $< name odm_bpf >$@.tmp && mv $@.tmp $@
$(B)/tools/odmd/bpfhost.o: tools/odmd/bpfhost.c $(B)/bpf/odm_bpf.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(B)/bpf -MMD -MP -c $< -o $@

tools: $(TOOL_BIN) $(ODMD_BIN)
examples: $(EXAMPLE_BINS)
helpers: $(HELPER_BINS) $(AWARE_BINS)
unit: $(UNIT_BINS)

# Runs the C unit tests as TAP (used by tests/run).
unit-check: unit
	@rc=0; for t in $(UNIT_BINS); do echo "# $$t"; $$t || rc=1; done; exit $$rc

# Every test, plain, under ASan+UBSan and TSan (the README's tests/run).
check test:
	@tests/run

deps:
	tests/install-deps

bench: all
	bench/run

# libFuzzer harnesses (clang), run for a bounded time by tests/run.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CC   ?= clang
build-fuzz/%: tests/fuzz/%.c common/proto.c common/proto.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -D_GNU_SOURCE -Iinclude -Icommon \
	    -o $@ $< common/proto.c
fuzz: $(FUZZ_BINS)

# The README's main job (tools/odm-demo installs and builds what it needs).
demo:
	tools/odm-demo

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man3
	install -m 0755 preload/libodm.so $(DESTDIR)$(LIBDIR)/libodm.so
	install -m 0644 include/odm.h $(DESTDIR)$(INCDIR)/odm.h
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 tools/odm $(DESTDIR)$(BINDIR)/odm
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 tools/odmd/odmd $(DESTDIR)$(SBINDIR)/odmd
	for m in man/*.[1-8]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
	    install -d $(DESTDIR)$(MANDIR)/man$$s; \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libodm.so $(DESTDIR)$(INCDIR)/odm.h \
	    $(DESTDIR)$(BINDIR)/odm $(DESTDIR)$(SBINDIR)/odmd
	for m in man/*.[1-8]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf build build-san build-tsan build-fuzz preload/libodm.so tools/odm tools/odmd/odmd

-include $(shell find build build-san build-tsan -name '*.d' 2>/dev/null)
