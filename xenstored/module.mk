XENSTORED_SRCS := $(wildcard xenstored/*.c xenstored/*/*.c)
XENSTORED_GEN := build/gen/xenstored/record.pb-c
XENSTORED_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XENSTORED_SRCS)) \
	$(B)/obj/gen/xenstored/record.pb-c.o
# Everything but main(), for unit tests that link the daemon's modules.
XENSTORED_LIB_OBJS := $(filter-out $(B)/obj/xenstored/main.o,$(XENSTORED_OBJS))
XENSTORED_LIBS := $(PKG_LIBS) $(shell pkg-config --libs tdb libprotobuf-c zlib 2>/dev/null) \
	$(XENLIBS_LIBS)
# Xen's library headers: only guest/hyp.c includes them.  (libbsd, in
# every layer's paths, gives the intrusive trees and lists of
# base/containers.h: headers only, nothing to link.)
INC_xenstored/guest += $(XENLIBS_CFLAGS)

# Generated code is not ours to warn about: built with the defaults.
$(XENSTORED_GEN).c $(XENSTORED_GEN).h: xenstored/persist/record.proto
	@mkdir -p $(@D)
	$(Q)protoc-c --c_out=$(@D) --proto_path=xenstored/persist $<
$(B)/obj/gen/xenstored/record.pb-c.o: $(XENSTORED_GEN).c $(XENSTORED_GEN).h
	@mkdir -p $(@D)
	$(Q)$(CC) $(filter-out -Werror -W%,$(CFLAGS)) -Ibuild/gen/xenstored -c -o $@ $<
$(patsubst %.c,$(B)/obj/%.o,$(XENSTORED_SRCS)): | $(XENSTORED_GEN).h

$(BIN)/xenstored: $(XENSTORED_OBJS) $(TRANSPORT_OBJS) $(PERMS_OBJS) $(UTIL_OBJS) $(XENLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(XENSTORED_LIBS)

ALL += $(BIN)/xenstored

# The same source must build against Xen's real libraries (libxen-dev);
# it cannot run here, so CI checks that it compiles and links.
.PHONY: check-xen-system
check-xen-system:
	$(Q)$(MAKE) --no-print-directory XEN=system B=$(B)/xensys \
		$(B)/xensys/bin/xenstored
	@echo "check-xen-system: xenstored builds and links against Xen's libraries"
CHECKS += check-xen-system

# The daemon under the name given (a distribution that keeps Xen's own
# xenstored installs ours beside it as xenstored-ng: debian/rules).
XENSTORED_NAME ?= xenstored
.PHONY: install-xenstored
install: install-xenstored
install-xenstored: $(BIN)/xenstored
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(BIN)/xenstored $(DESTDIR)$(SBINDIR)/$(XENSTORED_NAME)
