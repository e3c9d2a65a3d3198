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
#   make bench | fuzz | install DESTDIR=... | check-headers | format

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
INC_xenstored := $(INC_xen) -Iperms -Itransport -Iutil -Ixenstored $(PKG_CFLAGS)
INC_xenstore-client := $(INC_xen) -Iperms -Itransport -Ixenstore-client
INC_tools := $(INC_xen) -Iperms -Itransport -Ixenstore-client -Itools
INC_tests := $(INC_xen) -Iperms -Itransport -Iutil -Ixenstored -Ixenstore-client \
	-Itests $(PKG_CFLAGS)

dirof = $(firstword $(subst /, ,$(1)))

V ?= 0
ifeq ($(V),0)
Q := @
endif

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(INC_$(call dirof,$<)) -c -o $@ $<

BIN := $(B)/bin
LIB := $(B)/lib
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
-include tests/interop/module.mk
-include hotplug/module.mk

.PHONY: all deps deps-test check run clean check-headers format
all: $(ALL)

# What building and running need; the tests and the benchmark need more
# (Xen's own daemons and tools among them): scripts/install-deps.sh.
deps:
	@sh scripts/install-deps.sh
deps-test:
	@sh scripts/install-deps.sh --test

check: deps-test
	$(MAKE) all
	$(MAKE) $(CHECKS)

run: deps
	$(MAKE) all
	sh scripts/run.sh $(BIN)

.PHONY: bench
bench: deps-test
	$(MAKE) bench-run

# Every header must compile on its own, with only its directory's paths.
HEADERS := $(wildcard xen/include/*.h perms/*.h util/*.h transport/*.h xenstored/*.h)
check-headers:
	@set -e; for h in $(HEADERS); do \
		d=$$(echo $$h | cut -d/ -f1); \
		case $$d in \
		xen) inc="$(INC_xen)";; perms) inc="$(INC_perms)";; \
		util) inc="$(INC_util)";; \
		transport) inc="$(INC_transport)";; \
		xenstored) inc="$(INC_xenstored)";; esac; \
		echo "#include \"$$(basename $$h)\"" | \
		$(CC) $(CFLAGS) -MMD -MF /dev/null $$inc -I$$(dirname $$h) \
			-x c -fsyntax-only - || exit 1; \
	done; echo "check-headers: $(words $(HEADERS)) headers compile alone"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
