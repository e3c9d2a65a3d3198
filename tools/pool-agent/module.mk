# SPDX-License-Identifier: MIT
#
# The pool agent (issue 13, docs/pool.md): xs-pool-agent shares /pool
# and the host's guests' /vm/<uuid> through etcd 3.4's v3 JSON gateway,
# with libcurl's multi interface on its libevent loop and yajl.

POOL_SRCS := $(wildcard tools/pool-agent/*.c)
POOL_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(POOL_SRCS))
POOL_PKGS := libcurl yajl libcrypto libbsd libevent
$(POOL_OBJS): CFLAGS += $(shell pkg-config --cflags $(POOL_PKGS) 2>/dev/null) \
	-Itools/pool-agent

$(BIN)/xs-pool-agent: $(POOL_OBJS) $(TRANSPORT_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(POOL_PKGS) 2>/dev/null)

ALL += $(BIN)/xs-pool-agent

# The pool's figures (tools/bench/pool.sh): alone, or in `make bench`.
.PHONY: bench-pool
bench-pool: deps
	$(MAKE) all $(B)/tests/pool-lat $(B)/tests/pool-mirror
	@sh tools/bench/pool.sh $(BIN) >/dev/null
bench-run: $(BIN)/xs-pool-agent $(B)/tests/pool-lat $(B)/tests/pool-mirror

.PHONY: install-pool-agent
install: install-pool-agent
install-pool-agent: $(BIN)/xs-pool-agent
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(BIN)/xs-pool-agent $(DESTDIR)$(SBINDIR)/xs-pool-agent
