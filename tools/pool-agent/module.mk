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

.PHONY: bench-pool
bench-pool: deps
	$(MAKE) $(BIN)/xenstored $(BIN)/xs-pool-agent $(B)/tests/pool-lat
	@sh tools/bench/pool.sh $(B)

.PHONY: install-pool-agent
install: install-pool-agent
install-pool-agent: $(BIN)/xs-pool-agent
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(BIN)/xs-pool-agent $(DESTDIR)$(SBINDIR)/xs-pool-agent
