# SPDX-License-Identifier: MIT
#
# The pool (issue 13, docs/pool.md): tests/pool/*.sh each start a private
# etcd cluster on loopback (scripts/etcd-cluster.sh) and their own hosts.

.PHONY: check-pool
check-pool: $(ALL) $(TEST_TOOLS)
	@sh tests/run-integration.sh $(B) tests/pool

CHECKS += check-pool
