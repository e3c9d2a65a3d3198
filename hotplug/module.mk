# SPDX-License-Identifier: MIT
#
# hotplug/: xenstore-hotplugd, the daemon that runs hotplug scripts for
# the backend devices of one domain (the role of `xl devd`), and the
# scripts themselves (block, vif-bridge, xen-hotplug-common.sh), installed
# where Xen keeps its scripts.  docs/hotplug.md describes both.  The
# daemon reaches xenstored only through our libxenstore (static archive).
#
#   make check-hotplug      the daemon's and scripts' integration tests
#                           (tests/integration/hotplug_*.sh, also in check)
#   make install-hotplug    (part of make install) with PREFIX, DESTDIR

INC_hotplug := $(INC_xen) -Ixenstore-client -Ihotplug $(PKG_CFLAGS)
XEN_SCRIPT_DIR ?= /etc/xen/scripts
HOTPLUG_SCRIPTS := block vif-bridge xen-hotplug-common.sh

HOTPLUG_SRCS := hotplug/main.c hotplug/device.c hotplug/script.c hotplug/log.c
HOTPLUG_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(HOTPLUG_SRCS))

$(BIN)/xenstore-hotplugd: $(HOTPLUG_OBJS) $(XSC_A)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(HOTPLUG_OBJS) $(XSC_A) $(PKG_LIBS) -pthread

ALL += $(BIN)/xenstore-hotplugd

.PHONY: check-hotplug install-hotplug
check-hotplug: $(ALL)
	@sh tests/run-integration.sh $(B) tests/integration/hotplug_*.sh

install: install-hotplug
install-hotplug: $(BIN)/xenstore-hotplugd
	install -d $(DESTDIR)$(XEN_SCRIPT_DIR) $(DESTDIR)$(PREFIX)/sbin
	install -m 755 $(BIN)/xenstore-hotplugd \
		$(DESTDIR)$(PREFIX)/sbin/xenstore-hotplugd
	for s in $(HOTPLUG_SCRIPTS); do \
		install -m 755 hotplug/scripts/$$s $(DESTDIR)$(XEN_SCRIPT_DIR)/$$s; \
	done
