# Test tiers.  Each tier appends its target to CHECKS; `make check` runs
# them all.  Integration tests are tests/integration/*.sh, run by
# tests/run-integration.sh with the build's bin directory.

# --- the daemon in one process (tests/harness), for unit tests and fuzzers ---
INC_tests += -Itests/harness
HARNESS_OBJS := $(B)/obj/tests/harness/harness.o

# --- unit (Check): one runner linking the modules under test ---
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(UNIT_SRCS)) $(HARNESS_OBJS)
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

CHECKS += check-headers check-unit check-integration

# --- security: a regression test per Xen security advisory
# (docs/security.md); tests/security/known-failures lists those skipped
# until their defect is fixed ---
.PHONY: check-security
check-security: $(ALL) $(TEST_TOOLS)
	@sh tests/run-integration.sh $(B) tests/security

CHECKS += check-security
ALL += $(TEST_TOOLS)

# --- fuzz: libFuzzer targets (clang), and a short smoke run in check ---
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_SRCS := $(wildcard transport/*.c perms/*.c) xenstored/path.c
FUZZ_RUNS ?= 20000
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		$(INC_tests) -o $@ $< $(FUZZ_LIB_SRCS) $(PKG_LIBS)

.PHONY: fuzz check-fuzz
fuzz: $(FUZZ_BINS)

# Each target runs FUZZ_RUNS inputs from its seed corpus; a crash fails.
check-fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do \
		name=$$(basename $$f); name=$${name#fuzz_}; \
		work=$$(mktemp -d); \
		[ -d tests/fuzz/corpus/$$name ] && cp tests/fuzz/corpus/$$name/* $$work/ 2>/dev/null || true; \
		$$f -runs=$(FUZZ_RUNS) -seed=1 $$work >$$work.log 2>&1 || \
			{ tail -40 $$work.log; rm -rf $$work $$work.log; exit 1; }; \
		rm -rf $$work $$work.log; echo "fuzz: $$name $(FUZZ_RUNS) runs ok"; \
	done

CHECKS += check-fuzz

# --- a minimal ring guest for the daemon's guest tests ---
$(B)/obj/tests/guest/%.o: tests/guest/%.c | $(XSIM_PB_H)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(INC_tests) $(XENLIBS_CFLAGS) -c -o $@ $<
$(B)/tests/ring-guest: $(B)/obj/tests/guest/ring-guest.o $(TRANSPORT_OBJS) $(XENLIBS_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(XENLIBS_LIBS)
ALL += $(B)/tests/ring-guest
