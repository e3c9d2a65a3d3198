# SPDX-License-Identifier: MIT
#
# The client side: libxenstore (shared, with Xen's soname and symbol
# versions, and static), the xenstore multi-call tool with its
# xenstore-<mode> links, the pkg-config file, and their tests and
# installation.  The library's objects (and the transport/ objects it
# shares with the daemon) are compiled a second time with -fPIC under
# $(B)/pic; the tool links the static archive so it runs from anywhere.
#
#   make check-client      unit tests of the library and the tool, and
#                          errno after every exported call (errno-unit,
#                          against a daemon it starts)
#   make install-client    (part of make install) with DESTDIR, PREFIX and
#                          the directories of the top-level Makefile

YAJL_CFLAGS := $(shell pkg-config --cflags yajl 2>/dev/null)
YAJL_LIBS := $(shell pkg-config --libs yajl 2>/dev/null || echo -lyajl)

XSC_LIB_SRCS := xenstore-client/xs_handle.c xenstore-client/xs_calls.c \
	xenstore-client/xs_resume.c \
	xenstore-client/xs_lib.c xenstore-client/xs_transport.c \
	transport/frame.c transport/unix.c
XSC_CLI_SRCS := xenstore-client/cli_main.c xenstore-client/cli_escape.c \
	xenstore-client/cli_ls.c xenstore-client/cli_json.c
XSC_MODES := read write rm exists list ls chmod watch

XSC_PIC_OBJS := $(patsubst %.c,$(B)/pic/%.o,$(XSC_LIB_SRCS))
XSC_LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XSC_LIB_SRCS))
XSC_CLI_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XSC_CLI_SRCS))
XSC_SO := $(LIB)/libxenstore.so.4
XSC_A := $(LIB)/libxenstore.a
XSC_PC := $(LIB)/pkgconfig/xenstore.pc
XSC_LINKS := $(addprefix $(BIN)/xenstore-,$(XSC_MODES))

$(B)/pic/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-PIC  $<")
	$(Q)$(CC) $(CFLAGS) -fPIC $(INC_$(call dirof,$<)) -c -o $@ $<

$(B)/obj/xenstore-client/cli_json.o: CFLAGS += $(YAJL_CFLAGS)

$(XSC_SO): $(XSC_PIC_OBJS) xenstore-client/libxenstore.map
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,libxenstore.so.4 \
		-Wl,--version-script=xenstore-client/libxenstore.map \
		-Wl,-z,defs -o $@ $(XSC_PIC_OBJS) -pthread
	$(Q)ln -sf libxenstore.so.4 $(LIB)/libxenstore.so

$(XSC_A): $(XSC_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(XSC_PC): xenstore-client/xenstore.pc.in
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@LIBDIR@|$(LIBDIR)|' $< >$@

$(BIN)/xenstore: $(XSC_CLI_OBJS) $(XSC_A)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(XSC_CLI_OBJS) $(XSC_A) $(YAJL_LIBS) -pthread

$(XSC_LINKS): $(BIN)/xenstore
	$(Q)ln -sf xenstore $@

ALL += $(XSC_SO) $(XSC_A) $(XSC_PC) $(BIN)/xenstore $(XSC_LINKS)

# --- tests: unit suites (Check) and the programs the integration tests
# (tests/integration/client_*.sh) drive ---
XSC_TEST_CFLAGS := $(INC_xenstore-client) -Itests/client
$(B)/obj/tests/client/%.o: tests/client/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(XSC_TEST_CFLAGS) -c -o $@ $<

XSC_UNIT_OBJS := $(B)/obj/tests/client/check_client.o \
	$(B)/obj/xenstore-client/cli_escape.o
$(B)/tests/client/unit: $(XSC_UNIT_OBJS) $(XSC_A)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -pthread

# Uses our library through its public header only, linked to the .so.
$(B)/tests/client/api_test: $(B)/obj/tests/client/api_test.o $(XSC_SO)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -L$(LIB) -lxenstore -pthread \
		-Wl,-rpath,'$$ORIGIN/../../lib'

# A dom0 client that outlives restarts of the daemon (client_restart.sh).
$(B)/tests/client/restart_client: $(B)/obj/tests/client/restart_client.o $(XSC_SO)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -L$(LIB) -lxenstore -pthread \
		-Wl,-rpath,'$$ORIGIN/../../lib'

# errno after every exported call that succeeds, against a real daemon
# on the simulated hypervisor (it starts them itself, from $(B)).
$(B)/tests/client/errno-unit: $(B)/obj/tests/client/check_errno.o $(XSC_SO)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -L$(LIB) -lxenstore $(CHECK_LIBS) \
		-pthread -Wl,-rpath,'$$ORIGIN/../../lib'

# Built against Debian's <xenstore.h> and linked with Debian's library;
# the test runs it with LD_LIBRARY_PATH pointing at ours.
$(B)/obj/tests/client/debian_abi.o: tests/client/debian_abi.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<
$(B)/tests/client/debian_abi: $(B)/obj/tests/client/debian_abi.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< /usr/lib/x86_64-linux-gnu/libxenstore.so.4

XSC_TESTS := $(B)/tests/client/unit $(B)/tests/client/api_test \
	$(B)/tests/client/restart_client \
	$(B)/tests/client/debian_abi $(B)/tests/client/errno-unit
ALL += $(XSC_TESTS)

XSC_HEADERS := xenstore-client/xenstore.h xenstore-client/xs_transport.h \
	xenstore-client/xs_handle.h xenstore-client/xs_resume.h \
	xenstore-client/cli.h

.PHONY: check-client check-client-headers install install-client
check-client: $(B)/tests/client/unit $(B)/tests/client/errno-unit \
		$(BIN)/xenstored $(BIN)/xenhyp $(BIN)/xenhyp-ctl \
		$(B)/tests/ring-guest check-client-headers
	$(B)/tests/client/unit
	XS_BUILD=$(B) $(B)/tests/client/errno-unit

check-client-headers:
	@set -e; for h in $(XSC_HEADERS); do \
		echo "#include \"$$(basename $$h)\"" | \
		$(CC) $(CFLAGS) -MMD -MF /dev/null $(INC_xenstore-client) \
			-x c -fsyntax-only - || exit 1; \
	done; echo "check-client-headers: $(words $(XSC_HEADERS)) headers compile alone"

CHECKS += check-client

install: install-client
install-client: $(XSC_SO) $(XSC_A) $(BIN)/xenstore
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(BIN)/xenstore $(DESTDIR)$(BINDIR)/xenstore
	for m in $(XSC_MODES); do \
		ln -sf xenstore $(DESTDIR)$(BINDIR)/xenstore-$$m; \
		ln -sf xenstore $(DESTDIR)$(COMPLETIONDIR)/xenstore-$$m; \
	done
	install -m 755 $(XSC_SO) $(DESTDIR)$(LIBDIR)/libxenstore.so.4
	ln -sf libxenstore.so.4 $(DESTDIR)$(LIBDIR)/libxenstore.so
	install -m 644 $(XSC_A) $(DESTDIR)$(LIBDIR)/libxenstore.a
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@LIBDIR@|$(LIBDIR)|' xenstore-client/xenstore.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/xenstore.pc
	install -m 644 xenstore-client/xenstore.h $(DESTDIR)$(INCLUDEDIR)/xenstore.h
	install -m 644 docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 xenstore-client/completion.bash \
		$(DESTDIR)$(COMPLETIONDIR)/xenstore
