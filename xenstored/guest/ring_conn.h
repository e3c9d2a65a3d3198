/* SPDX-License-Identifier: MIT */
/*
 * The transport of a guest's connection: its xenstore ring page.  The
 * connection's transport_data is its struct domain, whose page (intf)
 * and local event channel port (port) it uses; closing the connection
 * clears the domain's conn.
 */
#ifndef RING_CONN_H
#define RING_CONN_H

#include "conn.h"

extern const struct conn_transport ring_conn_transport;

#endif /* RING_CONN_H */
