# SPDX-License-Identifier: MIT
#
# hotplug/: xenstore-hotplugd, the daemon that runs hotplug scripts for
# the backend devices of one domain (the role of `xl devd`), and the
# scripts themselves (block, vif-bridge, xen-hotplug-common.sh), installed
# where Xen keeps its scripts.  docs/hotplug.md describes both.  The
# daemon reaches xenstored only through our libxenstore (static archive).
#
#   make check-hotplug      unit tests of script.c (tests/hotplug/, part of
#                           make check) and the integration tests
#                           tests/integration/hotplug_*.sh (which make
#                           check runs with the other integration tests)
#   make install-hotplug    (part of make install) with PREFIX, DESTDIR

INC_hotplug := $(INC_xen) -Iutil -Ixenstore-client -Ihotplug $(PKG_CFLAGS)
XEN_SCRIPT_DIR ?= /etc/xen/scripts
HOTPLUG_SCRIPTS := block vif-bridge
HOTPLUG_SCRIPT_DATA := xen-hotplug-common.sh

HOTPLUG_SRCS := hotplug/main.c hotplug/device.c hotplug/script.c
HOTPLUG_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(HOTPLUG_SRCS))
# The daemon's default --script-dir is where the scripts are installed.
$(B)/obj/hotplug/main.o: CFLAGS += -DXEN_SCRIPT_DIR='"$(XEN_SCRIPT_DIR)"'

$(BIN)/xenstore-hotplugd: $(HOTPLUG_OBJS) $(UTIL_OBJS) $(XSC_A)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(HOTPLUG_OBJS) $(UTIL_OBJS) $(XSC_A) $(PKG_LIBS) -pthread

ALL += $(BIN)/xenstore-hotplugd

# --- unit tests (Check) of the script runner ---
$(B)/obj/tests/hotplug/%.o: CFLAGS += -Ihotplug -Iutil
$(B)/tests/hotplug/check: $(B)/obj/tests/hotplug/check_script.o \
		$(B)/obj/hotplug/script.o $(UTIL_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)
ALL += $(B)/tests/hotplug/check

.PHONY: check-hotplug check-hotplug-unit install-hotplug
check-hotplug-unit: $(B)/tests/hotplug/check
	$(B)/tests/hotplug/check
CHECKS += check-hotplug-unit

check-hotplug: check-hotplug-unit $(ALL)
	@sh tests/run-integration.sh $(B) tests/integration/hotplug_*.sh

install: install-hotplug
install-hotplug: $(BIN)/xenstore-hotplugd
	install -d $(DESTDIR)$(XEN_SCRIPT_DIR) $(DESTDIR)$(SBINDIR)
	install -m 755 $(BIN)/xenstore-hotplugd \
		$(DESTDIR)$(SBINDIR)/xenstore-hotplugd
	for s in $(HOTPLUG_SCRIPTS); do \
		install -m 755 hotplug/scripts/$$s $(DESTDIR)$(XEN_SCRIPT_DIR)/$$s; \
	done
	for s in $(HOTPLUG_SCRIPT_DATA); do \
		install -m 644 hotplug/scripts/$$s $(DESTDIR)$(XEN_SCRIPT_DIR)/$$s; \
	done
