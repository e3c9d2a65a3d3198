# SPDX-License-Identifier: MIT
#
# txn-hot: the lines of hot nodes (docs/transactions.md, "Hot nodes"),
# step by step over raw connections.  The daemon runs with
# XENSTORED_HOT_WAIT_MS long (5 s), so a read that waits shows as a reply
# that has not come while the holder is open, and one released by the
# holder's end comes at once.
#
#   python3 txn-hot.py SOCKET                  every case over sockets
#   python3 txn-hot.py SOCKET make-hot PATH    a conflict on PATH
#   python3 txn-hot.py SOCKET reads-now PATH   a transaction reads PATH
#                                              without waiting
#   python3 txn-hot.py SOCKET many N K         N clients at once add 1 to
#                                              one counter K times each

import os
import select
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "diff"))
import wire  # noqa: E402

READ, WRITE, START, END, ERROR = 2, 11, 6, 7, 16
SOON = 2.0   # seconds: a released read comes well within it
WAIT = 0.3   # seconds a waiting read is watched for not coming


class Client:
    req = 0

    def __init__(self, sock):
        self.c = wire.Conn(sock)

    def send(self, mtype, tx, *args):
        Client.req += 1
        self.c.send(mtype, Client.req, tx,
                    b"".join(a.encode() + b"\0" for a in args))

    def reply(self, timeout=wire.TIMEOUT):
        """The next reply as (ok, text); None if none within timeout."""
        if not self.c.buf:
            r, _, _ = select.select([self.c.sock], [], [], timeout)
            if not r:
                return None
        m = self.c.recv()
        return m[0] != ERROR, m[3].rstrip(b"\0").decode()

    def call(self, mtype, tx, *args):
        self.send(mtype, tx, *args)
        got = self.reply()
        if got is None:
            fail("no reply to %d %r" % (mtype, args))
        return got

    def start(self):
        ok, tx = self.call(START, 0, "")
        return int(tx)

    def read(self, tx, path):
        ok, val = self.call(READ, tx, path)
        if not ok:
            fail("READ %s: %s" % (path, val))
        return val

    def write(self, tx, path, val):
        ok, why = self.call(WRITE, tx, path, val)
        if not ok:
            fail("WRITE %s: %s" % (path, why))

    def end(self, tx, commit=True):
        ok, why = self.call(END, tx, "T" if commit else "F")
        return "OK" if ok else why


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def check(what, want, got):
    if want != got:
        fail("%s: expected %r, got %r" % (what, want, got))
    print("ok: %s" % what)


def make_hot(a, b, path):
    """A conflict on path: a's transaction read it, b changed it."""
    a.write(0, path, "0")
    t = a.start()
    a.read(t, path)
    b.write(0, path, "0")
    a.write(t, path, "1")
    check("conflict on %s" % path, "EAGAIN", a.end(t))


def waiting_read(b, path):
    """b starts a transaction and asks for path; the reply must wait."""
    t = b.start()
    b.send(READ, t, path)
    if b.reply(WAIT) is not None:
        fail("a read of hot %s by a second transaction did not wait" %
             path)
    return t


def handoff(a, b, c):
    make_hot(a, b, "/hot/n")
    ta = a.start()
    check("the first reader reads", "0", a.read(ta, "/hot/n"))
    tb = waiting_read(b, "/hot/n")
    tc = waiting_read(c, "/hot/n")
    a.write(ta, "/hot/n", "1")
    check("the holder commits", "OK", a.end(ta))
    check("the first in line reads the holder's value", (True, "1"),
          b.reply(SOON))
    if c.reply(WAIT) is not None:
        fail("the second in line did not wait for the first")
    b.write(tb, "/hot/n", "2")
    check("the first in line commits", "OK", b.end(tb))
    check("the second in line reads its value", (True, "2"), c.reply(SOON))
    c.write(tc, "/hot/n", "3")
    check("the second in line commits", "OK", c.end(tc))
    check("no update lost", "3", a.read(0, "/hot/n"))


def released_by(a, b, how):
    make_hot(a, b, "/hot/r")
    ta = a.start()
    a.read(ta, "/hot/r")
    tb = waiting_read(b, "/hot/r")
    if how == "abort":
        a.end(ta, commit=False)
    elif how == "read-only commit":
        check("a read-only holder commits", "OK", a.end(ta))
    check("a holder's %s releases the line" % how, (True, "0"),
          b.reply(SOON))
    b.end(tb, commit=False)
    # The node is no longer hot: two readers read at once.
    ta = a.start()
    a.read(ta, "/hot/r")
    tb = b.start()
    check("a node whose holder did not change it is no longer hot", "0",
          b.read(tb, "/hot/r"))
    a.end(ta, commit=False)
    b.end(tb, commit=False)


def closed_holder(sock, b):
    a = Client(sock)
    make_hot(a, b, "/hot/x")
    ta = a.start()
    a.read(ta, "/hot/x")
    tb = waiting_read(b, "/hot/x")
    a.c.close()
    check("a holder's connection closing releases the line", (True, "0"),
          b.reply(SOON))
    b.end(tb, commit=False)


def no_deadlock(a, b):
    """Holders never wait: each reads the other's hot node at once."""
    make_hot(a, b, "/hot/p")
    make_hot(a, b, "/hot/q")
    ta, tb = a.start(), b.start()
    a.read(ta, "/hot/p")
    b.read(tb, "/hot/q")
    b.send(READ, tb, "/hot/p")
    check("a holder reads another's hot node without waiting",
          (True, "0"), b.reply(SOON))
    a.send(READ, ta, "/hot/q")
    check("and so does the other", (True, "0"), a.reply(SOON))
    # Own connection: never waits for itself.
    t2 = a.start()
    a.send(READ, t2, "/hot/p")
    check("a second transaction of the holder's connection reads",
          (True, "0"), a.reply(SOON))
    for c, t in ((a, ta), (b, tb), (a, t2)):
        c.end(t, commit=False)


def bounded(a, b):
    """A holder that goes idle holds up a reader only for the bound."""
    make_hot(a, b, "/hot/i")
    ta = a.start()
    a.read(ta, "/hot/i")
    tb = b.start()
    b.send(READ, tb, "/hot/i")
    check("a reader goes ahead of a holder that held too long",
          (True, "0"), b.reply(20))
    a.end(ta, commit=False)
    b.end(tb, commit=False)


def reads_now(a, path):
    """Whoever holds path, a's transaction need not wait for it."""
    t = a.start()
    a.send(READ, t, path)
    got = a.reply(SOON)
    if got is None or not got[0]:
        fail("dom0 waited for a guest's hold on %s: %r" % (path, got))
    print("ok: dom0 reads %s held by a guest at once" % path)
    a.end(t, commit=False)


def many(sock, n, k):
    """n clients increment /hot/many k times each, all at once: no update
    is lost, and only the first rounds (before the node is hot) fail."""
    cs = [Client(sock) for _ in range(n)]
    cs[0].write(0, "/hot/many", "0")
    step = {}    # client -> (next reply expected, transaction)
    done = [0] * n
    eagain = 0
    for i, c in enumerate(cs):
        c.send(START, 0, "")
        step[i] = ("start", 0)
    by_fd = {c.c.sock.fileno(): i for i, c in enumerate(cs)}
    while sum(done) < n * k:
        ready, _, _ = select.select([c.c.sock for c in cs], [], [],
                                    wire.TIMEOUT)
        if not ready:
            fail("clients stuck: %r" % step)
        for s in ready:
            i = by_fd[s.fileno()]
            c = cs[i]
            c.c._fill(True)
            while True:
                m = c.c._take()
                if m is None:
                    break
                what, t = step[i]
                text = m[3].rstrip(b"\0").decode()
                if what == "start":
                    t = int(text)
                    c.send(READ, t, "/hot/many")
                    step[i] = ("read", t)
                elif what == "read":
                    c.send(WRITE, t, "/hot/many", str(int(text) + 1))
                    step[i] = ("write", t)
                elif what == "write":
                    c.send(END, t, "T")
                    step[i] = ("end", t)
                else:
                    if m[0] == ERROR:
                        eagain += 1
                    else:
                        done[i] += 1
                    if done[i] < k:
                        c.send(START, 0, "")
                        step[i] = ("start", 0)
    check("%d clients, %d increments each: none lost" % (n, k),
          str(n * k), cs[0].read(0, "/hot/many"))
    if eagain > 2 * n:
        fail("%d EAGAIN: more than the first rounds' %d" % (eagain, 2 * n))
    print("ok: %d EAGAIN for %d commits" % (eagain, n * k))


def main():
    sock = sys.argv[1]
    a, b, c = Client(sock), Client(sock), Client(sock)
    if len(sys.argv) == 4 and sys.argv[2] == "make-hot":
        make_hot(a, b, sys.argv[3])
        return
    if len(sys.argv) == 4 and sys.argv[2] == "reads-now":
        reads_now(a, sys.argv[3])
        return
    if len(sys.argv) == 5 and sys.argv[2] == "many":
        many(sock, int(sys.argv[3]), int(sys.argv[4]))
        return
    handoff(a, b, c)
    released_by(a, b, "abort")
    released_by(a, b, "read-only commit")
    closed_holder(sock, b)
    no_deadlock(a, b)
    bounded(a, b)


main()
