# SPDX-License-Identifier: MIT
#
# The simulated hypervisor (DESIGN.md section 5) and the shared-ring
# transport.  Included by the top-level Makefile right after
# transport/module.mk, before anything that links TRANSPORT_OBJS.

# transport/ring.c belongs to the transport objects (daemon and client).
TRANSPORT_OBJS += $(B)/obj/transport/ring.o
