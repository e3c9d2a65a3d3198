# Test tiers.  Each tier appends its target to CHECKS; `make check` runs
# them all.  Integration tests are tests/integration/*.sh, run by
# tests/run-integration.sh with the build's bin directory.

# --- unit (Check): one runner linking the modules under test ---
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(UNIT_SRCS))
$(B)/tests/unit-tests: $(UNIT_OBJS) $(XENSTORED_LIB_OBJS) $(TRANSPORT_OBJS) $(PERMS_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

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
ALL += $(TEST_TOOLS)
