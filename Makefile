# libodm: on-demand mobility (RFC 8653) for unmodified Linux programs.
# `make` builds the preload shim (preload/libodm.so), the API library
# (build/lib/libodm.so.1), the tools and the tests' programs; `make check`
# runs all tests; `make SAN=1 ...` builds everything with ASan+UBSan into
# build-san/, `make SAN=thread ...` with TSan into build-tsan/.
#
# Honours CC, CFLAGS, CPPFLAGS, LDFLAGS, DESTDIR, PREFIX, LIBDIR (and the
# other *DIR below). -Werror only in a developer's or CI's build: WERROR=1,
# the default in a git checkout; WERROR=0 elsewhere (a package build).

# The version, in one place: debian/changelog's first line.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
SOVERSION := 1

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
# The preload shim's private directory: not a library to link with.
PKGLIBDIR ?= $(LIBDIR)/odm
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/odm
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC      ?= cc
TOP     := $(abspath .)
WERROR  ?= $(if $(wildcard .git),1,0)
WARN    := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
           -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
# What the code needs, whatever CFLAGS a user or a package build gives.
# -fno-zero-initialized-in-bss: the shim's statics in .data, which its
# loader maps from the file, instead of .bss, which costs one more mapping
# in every program it is preloaded into.
ODM_CFLAGS := -std=gnu11 $(WARN) -fPIC -fvisibility=hidden \
           -fno-zero-initialized-in-bss -D_GNU_SOURCE \
           -Iinclude -Icommon -Ipreload -Ipreload/lazy -Ipolicy -Itools/odmd \
           -DODM_VERSION='"$(VERSION)"'
CONFUSE_LIBS := $(shell pkg-config --libs libconfuse 2>/dev/null || echo -lconfuse)
LDLIBS  := $(CONFUSE_LIBS) -lmnl -lpthread -ldl
# The cgroup BPF path (bpf/): clang, bpftool and libbpf (tests/install-deps).
BPF_CC      ?= clang
BPFTOOL     ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
BPF_LIBS    := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)

ifeq ($(SAN),thread)
B       := build-tsan
SAN_FLAGS := -fsanitize=thread -O1
else ifneq ($(SAN),)
B       := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer -O1
else
B       := build
SAN_FLAGS :=
endif
ALL_CFLAGS  = $(ODM_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

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

# The preload shim, and the API library programs link (-lodm).
LIB       := $(if $(filter build,$(B)),preload/libodm.so,$(B)/libodm.so)
APILIB    := $(B)/lib/libodm.so.$(SOVERSION)
APILIB_OBJS = $(filter-out $(B)/preload/interpose.o,$(SHIM_OBJS)) $(B)/preload/hook_setsc.o $(LAZY_OBJS)

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

lib: $(LIB) $(APILIB)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(ODMD_LIB): $(ODMD_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/preload/lazy/%.o: preload/lazy/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ipreload/lazy -DODM_CONFUSE_SONAME='"$(CONFUSE_SONAME)"' \
	    -DODM_MNL_SONAME='"$(MNL_SONAME)"' -MMD -MP -c $< -o $@

# The shim needs nothing but libc at start: libconfuse and libmnl come
# later, when a policy or the engine needs them (preload/lazy/). Two load
# segments (noseparate-code) make its own loading cheaper.
# What the shim never does: compile policy folders (odm check, odmd).
SHIM_OBJS := $(filter-out $(B)/policy/policy_index_write.o $(B)/common/cgroup2.o \
             $(B)/common/writeall.o,$(CORE_OBJS))
$(LIB): $(SHIM_OBJS) $(HOOK_OBJS) $(LAZY_OBJS) preload/libodm.map
	$(CC) -shared -Wl,--version-script=preload/libodm.map -Wl,-z,defs \
	    -Wl,-z,noseparate-code -Wl,-soname,libodm.so $(ALL_LDFLAGS) -o $@ \
	    $(SHIM_OBJS) $(HOOK_OBJS) $(LAZY_OBJS) -ldl -lpthread

# The API library: setsc() and odm_strerror() (symbol version ODM_1) and
# the engine behind them; no hook. Under the shim, the shim's setsc@ODM_1
# comes first. libodm.so, the link-time name, points to it.
$(APILIB): $(APILIB_OBJS) lib/libodm.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,--version-script=lib/libodm.map -Wl,-z,defs \
	    -Wl,-soname,libodm.so.$(SOVERSION) $(ALL_LDFLAGS) -o $@ \
	    $(APILIB_OBJS) -ldl -lpthread
	ln -sf libodm.so.$(SOVERSION) $(dir $@)libodm.so

# Files that name install paths (the .pc file, odmd's unit) are made by
# `make install` itself, from their .in, with the paths of that install.
SUBST = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
	    -e 's|@SBINDIR@|$(SBINDIR)|g'

# Aware programs and test helpers link the shared library, as users do.
$(B)/examples/%: examples/%.c $(APILIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $< -L$(B)/lib -lodm \
	    -Wl,-rpath,$(TOP)/$(B)/lib

# Test programs written for on-demand mobility link libodm like users do.
$(B)/aware/%: tests/aware/%.c $(APILIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $< -L$(B)/lib -lodm \
	    -lpthread -Wl,-rpath,$(TOP)/$(B)/lib

$(B)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $< -lpthread

# io_uring's connect, which no hook sees (the BPF path's tests).
$(B)/helpers/uring_connect: tests/helpers/uring_connect.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $< -luring

# Unit tests link the core archive: internal functions are hidden in the .so.
$(B)/tests/%: tests/unit/%.c $(CORE_LIB) $(if $(ODMD_SRCS),$(ODMD_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DODM_TOP='"$(TOP)"' -Itools/odmd -fPIE -pie \
	    $(ALL_LDFLAGS) -o $@ $< \
	    $(if $(ODMD_SRCS),$(ODMD_LIB)) $(CORE_LIB) $(LDLIBS) $(BPF_LIBS)

# The odm tool reads configs and the kernel like the library, so it links
# the same core code.
$(TOOL_BIN): $(TOOL_SRCS) $(wildcard tools/*.h) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools -DODM_PKGLIBDIR='"$(PKGLIBDIR)"' -DODM_BINDIR='"$(BINDIR)"' \
	    -DODM_MULTIARCH='"$(shell $(CC) -print-multiarch 2>/dev/null)"' -fPIE -pie $(ALL_LDFLAGS) \
	    -o $@ $(TOOL_SRCS) $(CORE_LIB) $(LDLIBS) $(BPF_LIBS) -ljson-c

$(ODMD_BIN): $(B)/tools/odmd/odmd.o $(ODMD_LIB) $(CORE_LIB)
	$(CC) $(ALL_CFLAGS) -fPIE -pie $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) $(BPF_LIBS)

# The BPF programs, and the skeleton odmd loads them through.
$(B)/bpf/odm.bpf.o: bpf/odm.bpf.c common/bpf_layout.h
	@mkdir -p $(dir $@)
	$(BPF_CC) -g -O2 -target bpf -I/usr/include/$$($(CC) -dumpmachine) \
	    -Icommon -Wall -Werror -c $< -o $@
$(B)/bpf/odm_bpf.skel.h: $(B)/bpf/odm.bpf.o
	$(BPFTOOL) gen skeleton $< name odm_bpf >$@.tmp && mv $@.tmp $@
$(B)/tools/odmd/bpfhost.o: tools/odmd/bpfhost.c $(B)/bpf/odm_bpf.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I$(B)/bpf -MMD -MP -c $< -o $@

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

# make install, then make uninstall, leaves nothing behind: the /etc
# skeleton is installed only where no file is, and removed only when
# unchanged; directories of odm's own go when empty.
SKEL := odm.conf policy.d/README
install: lib tools
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/odm/policy.d
	install -m 0644 $(LIB) $(DESTDIR)$(PKGLIBDIR)/libodm.so
	install -m 0644 $(APILIB) $(DESTDIR)$(LIBDIR)/libodm.so.$(VERSION)
	ln -sf libodm.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libodm.so.$(SOVERSION)
	ln -sf libodm.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libodm.so
	install -m 0644 include/odm.h $(DESTDIR)$(INCDIR)/odm.h
	$(SUBST) lib/libodm.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libodm.pc
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)/odm
	install -m 0755 $(ODMD_BIN) $(DESTDIR)$(SBINDIR)/odmd
	$(SUBST) systemd/odmd.service.in >$(DESTDIR)$(UNITDIR)/odmd.service
	install -m 0644 completion/odm.bash $(DESTDIR)$(BASHCOMPDIR)/odm
	ln -sf odm $(DESTDIR)$(BASHCOMPDIR)/odmd
	for m in man/*.[1-8]; do s=$${m##*.}; \
	    install -d $(DESTDIR)$(MANDIR)/man$$s; \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for f in $(SKEL); do [ -e $(DESTDIR)$(SYSCONFDIR)/odm/$$f ] || \
	    install -m 0644 etc/$$f $(DESTDIR)$(SYSCONFDIR)/odm/$$f; done

uninstall:
	rm -f $(DESTDIR)$(PKGLIBDIR)/libodm.so $(DESTDIR)$(LIBDIR)/libodm.so \
	    $(DESTDIR)$(LIBDIR)/libodm.so.$(SOVERSION) \
	    $(DESTDIR)$(LIBDIR)/libodm.so.$(VERSION) $(DESTDIR)$(INCDIR)/odm.h \
	    $(DESTDIR)$(PKGCONFIGDIR)/libodm.pc $(DESTDIR)$(BINDIR)/odm \
	    $(DESTDIR)$(SBINDIR)/odmd $(DESTDIR)$(UNITDIR)/odmd.service \
	    $(DESTDIR)$(BASHCOMPDIR)/odm $(DESTDIR)$(BASHCOMPDIR)/odmd
	for m in man/*.[1-8]; do s=$${m##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	for f in $(SKEL); do t=$(DESTDIR)$(SYSCONFDIR)/odm/$$f; \
	    if cmp -s etc/$$f $$t; then rm -f $$t; \
	    elif [ -e $$t ]; then echo "kept $$t (changed)"; fi; done
	-rmdir $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(SYSCONFDIR)/odm/policy.d \
	    $(DESTDIR)$(SYSCONFDIR)/odm 2>/dev/null

clean:
	rm -rf build build-san build-tsan build-fuzz preload/libodm.so tools/odm \
	    tools/odmd/odmd

-include $(shell find build build-san build-tsan -name '*.d' 2>/dev/null)
