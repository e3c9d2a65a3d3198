# SPDX-License-Identifier: MIT
#
# tools/: the benchmark (tools/bench/, issue 3).  xs-bench is the project's
# own load generator; tools/bench/run.sh starts our daemon (and Xen's C
# daemon when Debian's xen-utils-4.17 is installed) pinned to CPU 0, runs
# xs-bench on CPU 1 and prints one table: figure, ours, theirs, ratio.
#
#   make bench                   default run (~5 min with Xen's daemon)
#   make bench BENCH_QUICK=1     smoke run, seconds
#   make bench BENCH_FULL=1      adds 1M nodes on Xen's daemon (~18 min)
#   make bench BENCH_REPS=3      3 fresh-daemon runs per group, medians
#   make check-bench             xs-bench runs, its output is well formed, and
#                                report.sh makes the HTML page of it
#
# Other tools/ components add their own sections below.

XSB_SRCS := $(wildcard tools/bench/*.c)
XSB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XSB_SRCS))

$(BIN)/xs-bench: $(XSB_OBJS) $(TRANSPORT_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lm

ALL += $(BIN)/xs-bench

BENCH_QUICK ?=
BENCH_FULL ?=
BENCH_REPS ?= 1
# The directory `shared` beside the checkout: Xen's daemons' shim.
BENCH_SHARED ?= $(abspath $(CURDIR)/../shared)

.PHONY: bench-run check-bench
bench-run: $(BIN)/xenstored $(BIN)/xs-bench
	@BENCH_QUICK=$(BENCH_QUICK) BENCH_FULL=$(BENCH_FULL) \
		BENCH_REPS=$(BENCH_REPS) BENCH_SHARED=$(BENCH_SHARED) \
		sh tools/bench/run.sh $(BIN)

check-bench: $(BIN)/xenstored $(BIN)/xs-bench
	@sh tools/bench/smoke.sh $(BIN)

CHECKS += check-bench
