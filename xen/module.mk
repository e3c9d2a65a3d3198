# SPDX-License-Identifier: MIT
#
# The simulated hypervisor (DESIGN.md section 5) and the shared-ring
# transport.  Included by the top-level Makefile right after
# transport/module.mk, before anything that links TRANSPORT_OBJS.
#
#   $(BIN)/xenhyp                 the hypervisor process (xen/sim)
#   $(LIB)/libxen*.so             Xen's library API over it (xen/lib)
#   $(B)/tests/hyptest            the scenarios tests/integration/hyp_*.sh run
#
# For code that talks to the hypervisor and runs on a real Xen host too
# (the daemon):
#   XEN=sim (default) or XEN=system (Debian's libxen-dev, real Xen)
#   XENLIBS_CFLAGS  include path for <xenctrl.h>, <xenevtchn.h>, ...
#   XENLIBS_LIBS    link flags (sim: our libraries, found at run time by
#                   rpath; their sonames end in -xsim so that a binary
#                   built for the simulator never loads Xen's libraries)
#   XENLIBS_DEPS    prerequisites to add to the link rule
# For programs that only exist in the simulated world, because they use
# the sim-only extensions (xensim.h, under -Ixen/include as usual): the
# guest kernel, the toolstack xsim, the tests' guests.  They link the
# simulator whatever XEN says, so that `make XEN=system` builds the whole
# tree; in such a tree they build, but cannot drive its xenstored.
#   XSIMLIBS_CFLAGS, XSIMLIBS_LIBS, XSIMLIBS_DEPS   as above, always sim
#
#   make check-xen-system-tree   the whole tree with XEN=system, in
#                                $(B)/xensys (part of check-xen-system)

# transport/ring.c belongs to the transport objects (daemon and client).
TRANSPORT_OBJS += $(B)/obj/transport/ring.o

XEN ?= sim
PROTOBUF_CFLAGS := $(shell pkg-config --cflags libprotobuf-c 2>/dev/null)
PROTOBUF_LIBS := $(shell pkg-config --libs libprotobuf-c 2>/dev/null || echo -lprotobuf-c)

XSIM_GEN := $(B)/gen/xen/include
XSIM_PB_H := $(XSIM_GEN)/hypercall.pb-c.h
XSIM_PB_C := $(XSIM_GEN)/hypercall.pb-c.c
# Level 1: xen/include, the generated channel messages and their own dir.
INC_xensim := -Ixen/include -Ixen/include/xenapi -I$(XSIM_GEN) \
	$(PROTOBUF_CFLAGS)
INC_xenlib := $(INC_xensim) -Ixen/lib
INC_xenhyp := $(INC_xensim) -Ixen/sim $(PKG_CFLAGS)

$(XSIM_PB_C) $(XSIM_PB_H) &: xen/include/hypercall.proto
	@mkdir -p $(XSIM_GEN)
	$(Q)protoc-c --c_out=$(XSIM_GEN) --proto_path=xen/include $<

# Generated code is not ours to warn about.
$(B)/obj/xen/gen/hypercall.pb-c.o: $(XSIM_PB_C)
	@mkdir -p $(@D)
	$(Q)$(CC) $(filter-out -Werror -W%,$(CFLAGS)) -fPIC \
		-fvisibility=hidden $(INC_xensim) -c -o $@ $<

$(B)/obj/xen/lib/%.o: xen/lib/%.c | $(XSIM_PB_H)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -fPIC $(INC_xenlib) -c -o $@ $<

$(B)/obj/xen/sim/%.o: xen/sim/%.c | $(XSIM_PB_H)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(INC_xenhyp) -c -o $@ $<

XSIM_COMMON_OBJS := $(B)/obj/xen/lib/chan.o $(B)/obj/xen/lib/msg.o \
	$(B)/obj/xen/gen/hypercall.pb-c.o

# $(call xsim_lib,name,objects): $(LIB)/lib<name>.so and its soname file.
define xsim_lib
$(LIB)/lib$(1)-xsim.so.1: $(2) $(XSIM_COMMON_OBJS) xen/lib/exports.map
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(LDFLAGS) -shared -Wl,-soname,lib$(1)-xsim.so.1 \
		-Wl,--version-script=xen/lib/exports.map -Wl,-z,defs \
		-o $$@ $(2) $(XSIM_COMMON_OBJS) $$(PROTOBUF_LIBS)
$(LIB)/lib$(1).so: $(LIB)/lib$(1)-xsim.so.1
	$$(Q)ln -sf lib$(1)-xsim.so.1 $$@
XSIM_LIBS += $(LIB)/lib$(1).so $(LIB)/lib$(1)-xsim.so.1
endef
XSIM_LIBS :=
$(eval $(call xsim_lib,xenevtchn,$(B)/obj/xen/lib/evtchn.o))
$(eval $(call xsim_lib,xengnttab,$(B)/obj/xen/lib/gnttab.o))
$(eval $(call xsim_lib,xenforeignmemory,$(B)/obj/xen/lib/foreignmemory.o))
$(eval $(call xsim_lib,xenctrl,$(B)/obj/xen/lib/ctrl.o))

XENHYP_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard xen/sim/*.c))
$(BIN)/xenhyp: $(XENHYP_OBJS) $(B)/obj/xen/lib/msg.o \
		$(B)/obj/xen/gen/hypercall.pb-c.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(PROTOBUF_LIBS)

XENLIBS_NAMES := -lxenctrl -lxenevtchn -lxengnttab -lxenforeignmemory
XSIMLIBS_CFLAGS := -Ixen/include/xenapi
XSIMLIBS_LIBS := -L$(LIB) -Wl,-rpath,$(abspath $(LIB)) $(XENLIBS_NAMES)
XSIMLIBS_DEPS := $(XSIM_LIBS)
ifeq ($(XEN),sim)
XENLIBS_CFLAGS := $(XSIMLIBS_CFLAGS)
XENLIBS_LIBS := $(XSIMLIBS_LIBS)
XENLIBS_DEPS := $(XSIMLIBS_DEPS)
else
XENLIBS_CFLAGS :=
XENLIBS_LIBS := $(XENLIBS_NAMES)
XENLIBS_DEPS :=
endif

# README promises that `make XEN=system` builds; CI holds it to that.
# check-xen-system (xenstored/module.mk, the daemon alone in the same
# directory) runs after it and finds its work done.
.PHONY: check-xen-system-tree
check-xen-system-tree:
	$(Q)$(MAKE) --no-print-directory XEN=system B=$(B)/xensys all
	@echo "check-xen-system-tree: the whole tree builds with XEN=system"
check-xen-system: check-xen-system-tree

# The hypervisor scenarios: a test program acting as dom0 and guests.
$(B)/obj/tests/hyp/%.o: tests/hyp/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -Ixen/include -Ixen/include/xenapi -Itransport \
		-c -o $@ $<
HYPTEST_OBJS := $(B)/obj/tests/hyp/hyptest.o $(B)/obj/tests/hyp/guest.o \
	$(B)/obj/transport/ring.o
$(B)/tests/hyptest: $(HYPTEST_OBJS) $(XSIM_LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(HYPTEST_OBJS) -L$(LIB) \
		-Wl,-rpath,$(abspath $(LIB)) $(XENLIBS_NAMES)

ALL += $(BIN)/xenhyp $(XSIM_LIBS) $(B)/tests/hyptest

# The simulated API must stay Xen's: one client source (tests/hyp/
# api_compat.c) compiles and links against our headers and libraries and
# against Debian's real ones; every header of ours compiles alone.
XSIM_API_HEADERS := $(wildcard xen/include/xenapi/*.h xen/include/xenapi/xen/*.h)
XSIM_API_CC = $(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(LDFLAGS)
.PHONY: check-xen-api
check-xen-api: $(XSIM_LIBS)
	@set -e; for h in $(XSIM_API_HEADERS); do \
		echo "#include \"$$h\"" | $(CC) $(filter-out -MMD -MP,$(CFLAGS)) \
			-Ixen/include/xenapi -x c -fsyntax-only -; done
	$(Q)$(XSIM_API_CC) -Ixen/include/xenapi -o $(B)/tests/api-compat-sim \
		tests/hyp/api_compat.c -L$(LIB) $(XENLIBS_NAMES)
	$(Q)$(XSIM_API_CC) -o $(B)/tests/api-compat-xen \
		tests/hyp/api_compat.c $(XENLIBS_NAMES)
	@echo "check-xen-api: $(words $(XSIM_API_HEADERS)) headers alone;" \
		"one client builds against the simulator and against Xen"

CHECKS += check-xen-api

# xenhyp-ctl: a minimal dom0 toolstack for tests (launch a guest, list).
$(B)/obj/xen/ctl/%.o: xen/ctl/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -Ixen/include -Ixen/include/xenapi -c -o $@ $<
$(BIN)/xenhyp-ctl: $(B)/obj/xen/ctl/xenhyp-ctl.o $(XSIM_LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -L$(LIB) -Wl,-rpath,$(abspath $(LIB)) \
		$(XENLIBS_NAMES)
ALL += $(BIN)/xenhyp-ctl
