# SPDX-License-Identifier: MIT
#
# The simulated host's toolstack and guest (issue 5), included by the
# top-level Makefile after the client library and the hypervisor:
#
#   $(BIN)/xsim         start/stop a host, create/list/destroy guests
#                       (tools/xsim/)
#   $(BIN)/xsim-guest   the simulated guest kernel: libxenstore over its
#                       ring page (xenstore-client/xs_ring.c), running a
#                       script of operations (tools/guest/)
#   $(B)/tests/sim/ring-unit   Check suite of the ring transport against
#                       an in-process fake daemon (tests/sim/)
#   $(B)/tests/sim/confine-unit   Check suite of the xenstore domain's
#                       confinement: its seccomp filter and Landlock
#                       ruleset (tools/xsim/confine.c, landlock.c)
#
# Both link the static libxenstore (the ring transport is not exported
# from the shared library) and the simulator's libraries (XSIMLIBS_*,
# even with XEN=system: they use its extensions, xensim.h).
# tests/integration/sim_*.sh drive them against xenhyp and xenstored.

ifneq ($(XSC_A),)
ifneq ($(XSIMLIBS_LIBS),)

XSIM_SRCS := $(wildcard tools/xsim/*.c)
XSIM_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XSIM_SRCS))
XGUEST_SRCS := $(wildcard tools/guest/*.c)
XGUEST_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XGUEST_SRCS))
XS_RING_OBJ := $(B)/obj/xenstore-client/xs_ring.o

$(XSIM_OBJS): CFLAGS += $(XSIMLIBS_CFLAGS) -Itools/xsim
$(XGUEST_OBJS): CFLAGS += $(XSIMLIBS_CFLAGS) -Itools/guest

$(BIN)/xsim: $(XSIM_OBJS) $(XSC_A) $(XSIMLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(XSIM_OBJS) $(XSC_A) $(XSIMLIBS_LIBS) \
		-lseccomp -pthread

$(BIN)/xsim-guest: $(XGUEST_OBJS) $(XS_RING_OBJ) $(B)/obj/transport/ring.o \
		$(XSC_A) $(XSIMLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(XGUEST_OBJS) $(XS_RING_OBJ) \
		$(B)/obj/transport/ring.o $(XSC_A) $(XSIMLIBS_LIBS) -pthread

# dom0's xenbus device when xenstore runs in a stub domain (tools/xenbus).
XENBUS_OBJS := $(B)/obj/tools/xenbus/xenbus.o \
	$(B)/obj/tools/xenbus/busypoll.o $(B)/obj/tools/xenbus/host.o
$(XENBUS_OBJS): CFLAGS += $(XSIMLIBS_CFLAGS) -Iutil $(PKG_CFLAGS)
$(BIN)/xsim-xenbus: $(XENBUS_OBJS) $(B)/obj/transport/frame.o \
		$(B)/obj/transport/ring.o $(UTIL_OBJS) $(XSIMLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(XENBUS_OBJS) $(B)/obj/transport/frame.o \
		$(B)/obj/transport/ring.o $(UTIL_OBJS) $(XSIMLIBS_LIBS) \
		$(PKG_LIBS)

ALL += $(BIN)/xsim-xenbus

XSIM_TEST_CFLAGS := $(INC_xenstore-client) -Itests/sim
$(B)/obj/tests/sim/%.o: tests/sim/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(XSIM_TEST_CFLAGS) -c -o $@ $<

$(B)/tests/sim/ring-unit: $(B)/obj/tests/sim/check_ring_transport.o \
		$(XS_RING_OBJ) $(B)/obj/transport/ring.o $(XSC_A)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -pthread

$(B)/obj/tests/sim/check_confine.o: CFLAGS += -Itools/xsim
$(B)/tests/sim/confine-unit: $(B)/obj/tests/sim/check_confine.o \
		$(B)/obj/tools/xsim/confine.o $(B)/obj/tools/xsim/landlock.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -lseccomp

ALL += $(BIN)/xsim $(BIN)/xsim-guest $(B)/tests/sim/ring-unit \
	$(B)/tests/sim/confine-unit

# What `xsim start` runs the hotplug scripts with, inside the build: the
# scripts in $(B)/etc/xen/scripts (xsim looks there, beside its bin/,
# before /etc/xen/scripts) and the simulated ip(8) as
# $(B)/libexec/xsim/ip, first on the scripts' PATH.
XSIM_SCRIPTS := $(patsubst hotplug/scripts/%,$(B)/etc/xen/scripts/%,\
	$(wildcard hotplug/scripts/*))
$(B)/etc/xen/scripts/%: hotplug/scripts/%
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(B)/libexec/xsim/ip: tools/xsim/sim-ip
	@mkdir -p $(@D)
	$(Q)cp $< $@ && chmod 755 $@

ALL += $(XSIM_SCRIPTS) $(B)/libexec/xsim/ip

.PHONY: check-sim-unit
check-sim-unit: $(B)/tests/sim/ring-unit $(B)/tests/sim/confine-unit
	$(B)/tests/sim/ring-unit
	$(B)/tests/sim/confine-unit

CHECKS += check-sim-unit

endif
endif
