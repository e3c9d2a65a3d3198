# SPDX-License-Identifier: MIT
#
# xenstore-control (tools/xenstore-control.c): Xen's control tool, built
# on the project's static libxenstore so that it runs from anywhere and
# finds the daemon as Xen's tools do.  Included from the top-level
# Makefile after xenstore-client/module.mk (it needs $(XSC_A)).  Its tests
# are tests/integration/control_*.sh, run by check-integration.
#
#   make install-control     (part of make install) with PREFIX, DESTDIR

XSCTL_OBJS := $(B)/obj/tools/xenstore-control.o

$(BIN)/xenstore-control: $(XSCTL_OBJS) $(XSC_A)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(XSCTL_OBJS) $(XSC_A) -pthread

ALL += $(BIN)/xenstore-control

.PHONY: install-control
install: install-control
install-control: $(BIN)/xenstore-control
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BIN)/xenstore-control $(DESTDIR)$(BINDIR)/
