# Test tiers.  Each tier appends its target to CHECKS; `make check` runs
# them all.  Integration tests are tests/integration/*.sh, run by
# tests/run-integration.sh with the build's bin directory.

# --- the daemon in one process (tests/harness), for unit tests and fuzzers ---
INC_tests += -Itests/harness
HARNESS_OBJS := $(B)/obj/tests/harness/harness.o

# --- unit (Check): one runner linking the modules under test ---
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(UNIT_SRCS)) $(HARNESS_OBJS) \
	$(B)/obj/tools/xenbus/busypoll.o
$(B)/obj/tests/unit/check_busypoll.o: CFLAGS += -Itools/xenbus
$(B)/tests/unit-tests: $(UNIT_OBJS) $(XENSTORED_LIB_OBJS) $(TRANSPORT_OBJS) $(PERMS_OBJS) $(UTIL_OBJS) $(XENLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(XENSTORED_LIBS) $(CHECK_LIBS)

.PHONY: check-unit check-integration
check-unit: $(B)/tests/unit-tests
	$(B)/tests/unit-tests

# --- test tools: small C programs the integration tests drive ---
TEST_TOOL_SRCS := $(wildcard tests/tools/*.c)
TEST_TOOLS := $(patsubst tests/tools/%.c,$(B)/tests/%,$(TEST_TOOL_SRCS))
$(B)/tests/%: $(B)/obj/tests/tools/%.o $(TRANSPORT_OBJS) $(PERMS_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

check-integration: $(ALL) $(TEST_TOOLS)
	@sh tests/run-integration.sh $(B)

CHECKS += check-format check-headers check-unit check-integration

# --- security: a regression test per Xen security advisory
# (docs/security.md); tests/security/known-failures lists those skipped
# until their defect is fixed ---
.PHONY: check-security
check-security: $(ALL) $(TEST_TOOLS)
	@sh tests/run-integration.sh $(B) tests/security

CHECKS += check-security
ALL += $(TEST_TOOLS)

# --- fuzz: libFuzzer targets (clang), and a short smoke run in check ---
# fuzz_<name>.c with its seed corpus in tests/fuzz/corpus/<name>.  The
# parser targets link the parsers only; fuzz_dispatch links the whole
# daemon but main.c, with tests/harness.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_SRCS := $(wildcard transport/*.c perms/*.c) xenstored/tree/path.c \
	xenstored/lu/lu_stream.c
FUZZ_DAEMON_SRCS := $(filter-out xenstored/main.c,$(XENSTORED_SRCS)) \
	$(XENSTORED_GEN).c $(wildcard transport/*.c perms/*.c util/*.c) \
	tests/harness/harness.c
FUZZ_CC := clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
# Inputs each target runs in check-fuzz: fuzz_dispatch's cost a hundred
# requests each.
FUZZ_RUNS ?= 20000
FUZZ_RUNS_dispatch ?= 2000
# How long `make fuzz` runs each target (one core, no -jobs).
FUZZ_SECONDS ?= 60
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(INC_tests) -o $@ $< $(FUZZ_LIB_SRCS) $(PKG_LIBS)

build/fuzz/fuzz_dispatch: tests/fuzz/fuzz_dispatch.c $(FUZZ_DAEMON_SRCS) \
		$(wildcard tests/harness/*.h xenstored/*.h xenstored/*/*.h) | $(XENLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(INC_tests) -Ibuild/gen/xenstored $(XENLIBS_CFLAGS) \
		-o $@ $< $(FUZZ_DAEMON_SRCS) $(XENSTORED_LIBS)

.PHONY: fuzz check-fuzz
# Each target for FUZZ_SECONDS, its corpus growing in build/fuzz/corpus
# (seeded from the repository's); crashes land in build/fuzz/crashes.
fuzz: deps-test
	$(MAKE) fuzz-run

.PHONY: fuzz-run
fuzz-run: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do \
		name=$$(basename $$f); name=$${name#fuzz_}; \
		mkdir -p build/fuzz/corpus/$$name build/fuzz/crashes; \
		seeds=tests/fuzz/corpus/$$name; [ -d $$seeds ] || seeds=; \
		$$f -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=build/fuzz/crashes/$$name- \
			build/fuzz/corpus/$$name $$seeds \
			2>build/fuzz/$$name.log || \
			{ tail -40 build/fuzz/$$name.log; exit 1; }; \
		grep -E "^#[0-9]+[[:space:]]+DONE" build/fuzz/$$name.log | \
			sed "s/^/fuzz: $$name: /"; \
	done

# Each target runs FUZZ_RUNS inputs from its seed corpus; a crash fails.
check-fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do \
		name=$$(basename $$f); name=$${name#fuzz_}; \
		runs=$(FUZZ_RUNS); [ $$name = dispatch ] && runs=$(FUZZ_RUNS_dispatch); \
		work=$$(mktemp -d); \
		[ -d tests/fuzz/corpus/$$name ] && cp tests/fuzz/corpus/$$name/* $$work/ 2>/dev/null || true; \
		$$f -runs=$$runs -seed=1 $$work >$$work.log 2>&1 || \
			{ tail -40 $$work.log; rm -rf $$work $$work.log; exit 1; }; \
		rm -rf $$work $$work.log; echo "fuzz: $$name $$runs runs ok"; \
	done

# The fuzzers carry their own sanitizers (clang's): the sanitizer pass
# of CI would only run them again, and a rebuild there would mix gcc's
# runtime into them.
ifeq ($(SANITIZE),)
CHECKS += check-fuzz
endif

# --- a minimal ring guest for the daemon's guest tests: a simulated
# domain (xensim.h), so it links the simulator even with XEN=system ---
$(B)/obj/tests/guest/%.o: tests/guest/%.c | $(XSIM_PB_H)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(INC_tests) $(XSIMLIBS_CFLAGS) -c -o $@ $<
$(B)/tests/ring-guest: $(B)/obj/tests/guest/ring-guest.o $(TRANSPORT_OBJS) $(XSIMLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(XSIMLIBS_LIBS)
ALL += $(B)/tests/ring-guest

# --- the persistence path killed at every step (tests/crash) ---
# die.o's pwrite, fsync, rename... stand in for libc's, in libtdb too:
# -rdynamic exports them.
CRASH_OBJS := $(B)/obj/tests/crash/crash_steps.o $(B)/obj/tests/crash/die.o
$(B)/tests/crash-steps: $(CRASH_OBJS) $(HARNESS_OBJS) $(XENSTORED_LIB_OBJS) $(TRANSPORT_OBJS) $(PERMS_OBJS) $(UTIL_OBJS) $(XENLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -rdynamic -o $@ $(filter %.o,$^) $(XENSTORED_LIBS) -ldl

.PHONY: check-crash-steps
check-crash-steps: $(B)/tests/crash-steps
	$(B)/tests/crash-steps

CHECKS += check-crash-steps
