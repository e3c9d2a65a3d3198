# SPDX-License-Identifier: MIT
#
# Interop with Xen's own client side (Debian's Xen 4.17 packages): the
# libxenstore test program, the LD_PRELOAD shim that lets Xen's cxenstored
# run here without a hypervisor (built from the shared bench, which CI has
# beside the checkout as ../shared), and the check that the reference
# material (recorded transcripts, test expectations) still matches
# cxenstored.  The tests that compare our daemon with cxenstored are
# tests/integration/interop_*.sh, run by check-integration.
#
#   make check-interop     reference material against cxenstored
#   make interop-record    re-record tests/interop/expected/ from cxenstored

XS_SHARED ?= ../shared
XENSTORE_CFLAGS := $(shell pkg-config --cflags xenstore 2>/dev/null)
XENSTORE_LIBS := $(shell pkg-config --libs xenstore 2>/dev/null || echo -lxenstore)

# Built against Debian's <xenstore.h>, never the project's client headers,
# so it has its own compile rule without the tests' include path.
$(B)/obj/tests/interop/libxs_test.o: tests/interop/libxs_test.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(XENSTORE_CFLAGS) -c -o $@ $<

$(B)/tests/interop/libxs_test: $(B)/obj/tests/interop/libxs_test.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(XENSTORE_LIBS)

INTEROP_BINS := $(B)/tests/interop/libxs_test

# Foreign code preloaded into Xen's (unsanitised) daemon: its own flags.
INTEROP_SHIM_SRC := $(wildcard $(XS_SHARED)/bench/xs_shim.c)
ifneq ($(INTEROP_SHIM_SRC),)
$(B)/tests/interop/xs_shim.so: $(INTEROP_SHIM_SRC)
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -fPIC -shared -o $@ $< -ldl
INTEROP_BINS += $(B)/tests/interop/xs_shim.so
endif

.PHONY: check-interop interop-record
check-interop: $(INTEROP_BINS) $(B)/tests/xs-script
	@sh tests/interop/check-reference.sh $(B)

interop-record: $(INTEROP_BINS) $(B)/tests/xs-script
	@XS_RECORD=1 sh tests/interop/check-reference.sh $(B)

ALL += $(INTEROP_BINS)
CHECKS += check-interop

# interop_live_update.sh live-updates Xen's daemon into ours built
# against Xen's libraries and back: the tree check-xen-system builds.
ifeq ($(XEN),sim)
check-integration: check-xen-system-tree
endif
