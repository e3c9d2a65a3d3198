# SPDX-License-Identifier: MIT
# XSA-326 (pipelined requests): the daemon bounds what one connection
# may have queued by pausing its input, so a client pipelining requests
# must still get every reply once it reads them.  A client sends 200
# requests in one write and then reads: all 200 replies arrive.
. tests/security/lib.sh

start_daemon
xenstore-write /x 1
script "1 pipeline 200 2 /x
> 1: replies 200
1 pipeline 65 2 /x
> 1: replies 65"
alive
