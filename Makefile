# SPDX-License-Identifier: MIT
#
# One non-recursive GNU Makefile for the whole tree.  Each directory lists
# its objects in its own module.mk; the include path of each directory is
# set below and is the only thing that lets it see another directory, so a
# header included against the dependency direction of docs/architecture.md
# does not compile.
#
#   make                  build everything into build/
#   make check            install missing packages, build, run every tier
#   make SANITIZE=address,undefined check
#   make run              start xenstored in the foreground on a run dir
#   make run-pool         two simulated hosts sharing /pool through etcd
#   make bench | fuzz | install DESTDIR=... | check-headers | format
#   make deb              Debian packages in build/deb (docs/debian-host.md)

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif

comma := ,
SANITIZE ?=
ifeq ($(SANITIZE),)
B := build
else
B := build/san-$(subst $(comma),-,$(SANITIZE))
endif

PKGS := talloc libevent
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wcast-qual \
	-Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wsign-compare -Wundef -Werror
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -MMD -MP
LDFLAGS ?=
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# Include paths per directory: the dependency direction, enforced.
INC_xen := -Ixen/include
INC_perms := $(INC_xen) -Iperms
INC_transport := $(INC_xen) -Itransport
# The daemon's layers, lowest first (docs/architecture.md): each
# subdirectory of xenstored/ sees only itself and the layers below it.
XSD_BASE := $(INC_xen) -Iperms -Itransport -Iutil $(PKG_CFLAGS) \
	$(shell pkg-config --cflags libbsd 2>/dev/null) -Ixenstored/base
INC_xenstored/base := $(XSD_BASE)
INC_xenstored/tree := $(XSD_BASE) -Ixenstored/tree
INC_xenstored/io := $(XSD_BASE) -Ixenstored/io
INC_xenstored/persist := $(INC_xenstored/tree) -Ixenstored/persist \
	-Ibuild/gen/xenstored
INC_xenstored/domain := $(INC_xenstored/tree) -Ixenstored/io -Ixenstored/domain
INC_xenstored/watch := $(INC_xenstored/domain) -Ixenstored/watch
INC_xenstored/txn := $(INC_xenstored/watch) -Ixenstored/txn
INC_xenstored/guest := $(INC_xenstored/txn) -Ixenstored/guest \
	-Ibuild/gen/xenstored
# The change stream (issue 13) sees the tree and the journal format.
INC_xenstored/stream := $(INC_xenstored/persist) -Ixenstored/stream
INC_xenstored/ops := $(INC_xenstored/guest) -Ixenstored/stream -Ixenstored/ops
# Live update sees every layer below the top, the files behind the tree too.
INC_xenstored/lu := $(INC_xenstored/ops) -Ixenstored/persist \
	-Ibuild/gen/xenstored -Ixenstored/lu
# main.c, options.c and sock.c wire everything together.
INC_xenstored := $(INC_xenstored/lu) -Ixenstored
XSD_INC_ALL := $(INC_xenstored)
INC_xenstore-client := $(INC_xen) -Iperms -Itransport -Ixenstore-client
INC_tools := $(INC_xen) -Iperms -Itransport -Ixenstore-client -Itools
INC_tests := $(XSD_INC_ALL) -Ixenstore-client -Itests

dirof = $(firstword $(subst /, ,$(1)))
# A source's include paths: its directory's INC_ if it has one, else its
# top directory's.
incof = $(or $(INC_$(patsubst %/,%,$(dir $(1)))),$(INC_$(call dirof,$(1))))

V ?= 0
ifeq ($(V),0)
Q := @
endif

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(call incof,$<) -c -o $@ $<

BIN := $(B)/bin
LIB := $(B)/lib

# Where `make install` puts things (with DESTDIR in front).  A
# distribution package moves what would collide with Xen's own packages
# into directories of its own (debian/rules).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

# make deb's packages go to build/deb whatever SANITIZE says: one build
# serves every build directory's check while no tracked file changes.
DEB_DIR := build/deb
DEB_STAMP := $(DEB_DIR)/stamp
ALL :=
CHECKS :=

include perms/module.mk
include util/module.mk
include transport/module.mk
-include xen/module.mk
include xenstored/module.mk
include tests/module.mk
-include xenstore-client/module.mk
-include tools/module.mk
-include tools/xsim.mk
-include tools/control.mk
-include tools/pool-agent/module.mk
-include tests/interop/module.mk
-include hotplug/module.mk
-include tests/packaging/module.mk
-include tests/pool/module.mk

.PHONY: all deps deps-test deps-deb check run clean check-headers format deb
all: $(ALL)

# What building and running need; the tests and the benchmark need more
# (Xen's own daemons and tools among them): scripts/install-deps.sh.
deps:
	@sh scripts/install-deps.sh
deps-test:
	@sh scripts/install-deps.sh --test
deps-deb:
	@sh scripts/install-deps.sh --deb

check: deps-test
	$(MAKE) all
	$(MAKE) $(CHECKS)

run: deps
	$(MAKE) all
	sh scripts/run.sh $(BIN)

.PHONY: run-pool
run-pool: deps
	$(MAKE) all
	sh scripts/run-pool.sh $(BIN)

.PHONY: bench
bench: deps-test
	$(MAKE) all
	$(MAKE) bench-run

# Every header must compile on its own, with only its directory's paths.
HEADERS := $(wildcard xen/include/*.h perms/*.h util/*.h transport/*.h \
	xenstored/*.h xenstored/*/*.h)
check-headers: | $(XENSTORED_GEN).h
	@set -e; $(foreach h,$(HEADERS),echo '#include "$(notdir $(h))"' | \
		$(CC) $(CFLAGS) -MMD -MF /dev/null $(call incof,$(h)) \
		-I$(dir $(h)) -x c -fsyntax-only -;) \
	echo "check-headers: $(words $(HEADERS)) headers compile alone"

# .clang-format is the rule: `make format` applies it, `make check` fails
# on any file that drifts from it.
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

.PHONY: check-format
check-format:
	@clang-format --dry-run -Werror $(FORMAT_FILES)
	@echo "check-format: $(words $(FORMAT_FILES)) files follow .clang-format"

# Debian packages (debian/, docs/debian-host.md), built by
# dpkg-buildpackage from a copy of the tree (scripts/make-deb.sh) and
# checked by lintian.  check-packaging (tests/packaging) uses them too.
deb: deps-deb
	$(MAKE) $(DEB_STAMP)
$(DEB_STAMP): $(wildcard $(shell git ls-files 2>/dev/null))
	sh scripts/make-deb.sh $(DEB_DIR)
	touch $@

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
