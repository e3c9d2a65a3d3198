# SPDX-License-Identifier: MIT
#
# pipeline: a client that sends many requests in one write must get every
# reply without any other event waking the daemon, and so must a watcher
# on another connection get every event those requests fire.  The
# daemon handles a bounded number of one connection's requests per loop
# turn; what is left over must still be answered before the loop sleeps.
#
#   python3 pipeline.py SOCKET N     N writes in one sendall, then N replies
#                                    and N watch events, each within a few
#                                    seconds of silence (wire.TIMEOUT)

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "diff"))
import wire  # noqa: E402

WRITE, WATCH, WATCH_EVENT = 11, 4, 15
wire.TIMEOUT = 5.0


def main():
    sock, n = sys.argv[1], int(sys.argv[2])
    watcher = wire.Conn(sock)
    watcher.send(WATCH, 1, 0, b"/pipe\0tok\0")
    seen = [watcher.recv() for _ in range(2)]  # the reply and first event
    if sorted(m[0] for m in seen) != [WATCH, WATCH_EVENT]:
        sys.exit("watch not set: %r" % (seen,))
    writer = wire.Conn(sock)
    batch = b"".join(
        wire.HDR.pack(WRITE, i + 1, 0, len(p)) + p
        for i, p in ((i, b"/pipe/%d\0v" % i) for i in range(n)))
    writer.sock.sendall(batch)
    for i in range(n):
        try:
            m = writer.recv()
        except wire.WireError as e:
            sys.exit("%d requests in one write: %d replies, then: %s" %
                     (n, i, e))
        if m[0] != WRITE or m[1] != i + 1:
            sys.exit("reply %d: %r" % (i + 1, m))
    for i in range(n):
        try:
            m = watcher.recv()
        except wire.WireError as e:
            sys.exit("watcher: %d of %d events, then: %s" % (i, n, e))
        if m[0] != WATCH_EVENT:
            sys.exit("event %d: %r" % (i, m))
    print("%d requests: %d replies, %d events" % (n, n, n))


if __name__ == "__main__":
    main()
