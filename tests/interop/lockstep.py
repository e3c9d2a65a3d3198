# SPDX-License-Identifier: MIT
#
# Lock-step conformance with Xen's daemon: one random sequence of
# requests (a seeded PRNG; several connections; transactions, watches,
# malformed frames, garbage arguments, unknown types) goes to Xen's C
# daemon (cxenstored 4.17 under the shim) and to ours, request by
# request, and the two replies are compared.  Watch events are compared
# per connection as sets at sync points (docs/differences.md, row 12:
# their order within one change may differ).  Values that legitimately
# differ are normalised: transaction ids (a label per transaction) and
# DIRECTORY_PART generations.
#
# Every difference must be explained by a row of docs/differences.md:
# EXPLAIN maps each row number the test knows to a predicate on the
# request and the two replies, and the table's rows are read from the
# page at start-up, so a row referenced here that the page lacks fails
# the run.  An unexplained difference prints the seed, the request, both
# replies and the requests before it, and fails.
#
# A difference that leaves the two stores or sessions apart (ours
# committed what Xen refused) is followed by a resync: the connection is
# reopened on both, or everything is reset (connections closed, the
# test's subtrees removed), so that the run goes on comparing.
#
#   python3 lockstep.py --xen SOCK --ours SOCK --doc docs/differences.md
#                       [--seed S] [--ops N] [--conns N] [-v]

import argparse
import random
from collections import Counter
import re
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/diff")
import wire  # noqa: E402

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
         GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
         WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18,
         SET_TARGET=19, RESTRICT=20, RESET_WATCHES=21, DIRECTORY_PART=22,
         GET_FEATURE=23, SET_FEATURE=24, GET_QUOTA=25, SET_QUOTA=26)
NAME = {v: k for k, v in T.items()}
HOME = "/local/domain/0"
ROOTS = ["/t", HOME + "/t"]
PAYLOAD_MAX = 4096
SPECIAL = (b"@introduceDomain", b"@releaseDomain")
MODIFY = (11, 12, 13, 14)  # WRITE, MKDIR, RM, SET_PERMS
CLOSED = ("closed",)
SKIPPED = ("not sent to Xen's daemon",)


def err(name):
    return (T["ERROR"], name.encode() + b"\0")


def is_err(r, *names):
    return r != CLOSED and r[0] == T["ERROR"] and \
        (not names or r[1] in [n.encode() + b"\0" for n in names])


def ok(r):
    return r != CLOSED and r[0] != T["ERROR"]


def strings(payload):
    """The NUL-terminated strings of a payload (a trailing rest dropped)."""
    return payload.split(b"\0")[:-1]


# --- the rows of docs/differences.md and what each one explains ------------

def domid_ok(s):
    return re.fullmatch(rb"[0-9]+", s) is not None and int(s) <= 65535


def perm_ok(s):
    """A permission entry as ours reads it (perms/perms.c)."""
    m = re.fullmatch(rb"[nrwb](0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", s)
    if m is None:
        return False
    num = m.group(1)
    base = 16 if num[:2] in (b"0x", b"0X") else 8 if num[:1] == b"0" \
        else 10
    return int(num[2:] if base == 16 else num, base) <= 65535


def path_len_over(p):
    """True if Xen 4.17 refuses path p for its length: 2048 bytes past
    /local/domain/N/ (HOME for a relative path), for every caller."""
    if not p.startswith(b"/"):
        p = HOME.encode() + b"/" + p
    m = re.match(rb"/local/domain/[0-9]{1,5}/", p)
    return len(p) - (m.end() if m else 0) > 2048


def unterminated(req):
    p = req["payload"]
    if req["type"] == T["WRITE"]:
        return b"\0" not in p
    return len(p) > 0 and not p.endswith(b"\0")


ONEARG = ("READ", "MKDIR", "RM", "DIRECTORY", "GET_PERMS")


def bad_onearg(req):
    return NAME.get(req["type"]) in ONEARG and \
        (len(strings(req["payload"])) != 1 or req["payload"] == b"")


def xen_unsafe(req):
    """Requests not sent to Xen's daemon, because 4.17 may abort on them
    (an assertion in consider_message): a one-argument request without
    exactly one string fails with whatever errno earlier work left, and
    with none left the handler "succeeds" without a reply; strings not
    terminated are read past their end, into what earlier requests left
    in the buffer.  Ours must answer EINVAL (row 2) or close the
    connection (row 1)."""
    if len(req["payload"]) > PAYLOAD_MAX:
        return False  # the frame is refused before anything reads it
    if isinstance(req["tx"], tuple):
        return False  # ENOENT for the transaction comes first
    if bad_onearg(req):
        return True
    a = strings(req["payload"])
    if req["type"] in (T["GET_PERMS"], T["SET_PERMS"]) and a and \
            a[0].startswith(b"@") and a[0] not in SPECIAL:
        return True  # the same: an @ path but the two is no node there
    return unterminated(req) and req["type"] in NAME and \
        req["type"] not in (T["ERROR"], T["WATCH_EVENT"], T["RESTRICT"],
                            T["RESET_WATCHES"], T["TRANSACTION_START"])


def r1(req, x, o):
    return o == CLOSED and x != CLOSED and unterminated(req)


def r2(req, x, o):
    return bad_onearg(req) and (is_err(x) or x == SKIPPED) and \
        is_err(o, "EINVAL")


def r3(req, x, o):
    return req["type"] == T["TRANSACTION_END"] and \
        req["payload"] == b"T\0" and is_err(x, "EAGAIN") and ok(o)


def r4(req, x, o):
    a = strings(req["payload"])
    return req["type"] == T["GET_PERMS"] and len(a) == 1 and \
        a[0] in (b"@introduceDomain", b"@releaseDomain") and \
        is_err(x, "EINVAL") and ok(o)


def r6(req, x, o):
    a = strings(req["payload"])
    return req["type"] in (T["GET_PERMS"], T["SET_PERMS"]) and a and \
        a[0].startswith(b"@") and a[0] not in SPECIAL and \
        (is_err(x, "EINVAL") or x == SKIPPED) and is_err(o, "ENOENT", "EINVAL")


def r7(req, x, o):
    return NAME.get(req["type"]) in ("GET_FEATURE", "SET_FEATURE",
                                     "GET_QUOTA", "SET_QUOTA") and \
        is_err(x, "ENOSYS") and not is_err(o, "ENOSYS")


def r8(req, x, o):
    return req["type"] == T["WATCH"] and \
        len(strings(req["payload"])) == 3 and is_err(x, "EINVAL")


def r9(req, x, o):
    a = strings(req["payload"])
    return NAME.get(req["type"]) in ("GET_DOMAIN_PATH",
                                     "IS_DOMAIN_INTRODUCED", "INTRODUCE",
                                     "RELEASE", "RESUME", "SET_TARGET") and \
        is_err(o, "EINVAL") and not is_err(x, "EINVAL") and \
        any(not domid_ok(s) for s in a)


def r10(req, x, o):
    a = strings(req["payload"])
    return req["type"] == T["SET_PERMS"] and len(a) >= 2 and \
        is_err(o, "EINVAL") and not is_err(x, "EINVAL") and \
        any(not perm_ok(s) for s in a[1:])


def r18(req, x, o):
    a = strings(req["payload"])
    return req["type"] in (T["READ"], T["WRITE"], T["MKDIR"], T["RM"],
                           T["DIRECTORY"], T["DIRECTORY_PART"],
                           T["GET_PERMS"], T["SET_PERMS"], T["WATCH"],
                           T["UNWATCH"]) and a and \
        path_len_over(a[0]) and is_err(x, "EINVAL") and not is_err(o,
                                                                   "EINVAL")


def r19(req, x, o):
    a = strings(req["payload"])
    return req["type"] == T["DIRECTORY_PART"] and len(a) == 2 and \
        not (re.fullmatch(rb"[0-9]{1,10}", a[1]) and
             int(a[1]) < 1 << 32) and ok(x) and is_err(o, "EINVAL")


def canonical(p):
    p = p.decode("latin-1")
    return p if p.startswith("/") or p.startswith("@") else HOME + "/" + p


def related(a, b):
    """a and b are the same node, or one is below the other."""
    return a == b or a.startswith(b.rstrip("/") + "/") or \
        b.startswith(a.rstrip("/") + "/")


def r20(req, x, o, ctx):
    """A request in a transaction on a node that changed outside (or
    whose parent or children did) since the transaction started: Xen
    answers from the copy of the node it made at the transaction's first
    look at it, ours from what it observes of each part when first asked
    for it, which may be later."""
    a = strings(req["payload"])
    return isinstance(req["tx"], int) and a and \
        req["type"] not in (T["TRANSACTION_END"], T["WATCH"],
                            T["UNWATCH"]) and \
        ctx.changed_since(req["tx"], canonical(a[0]))


def r21(req, x, o, ctx):
    if not isinstance(req["tx"], int):
        return False
    if is_err(x, "EIO") and ok(o):
        return True
    # A node below one the transaction removed, that Xen's copy still has.
    a = strings(req["payload"])
    return a and ok(x) and is_err(o, "ENOENT") and any(
        related(p, canonical(a[0])) and canonical(a[0]).startswith(p)
        for p in ctx.removed.get(req["tx"], []))


def n1(req, x, o):
    empty = {T["READ"]: b"", T["DIRECTORY"]: b"",
             T["DIRECTORY_PART"]: b"<gen>\0\0"}
    return req["type"] in empty and isinstance(req["tx"], int) and \
        o == (req["type"], empty[req["type"]]) and ok(x) and x != o


# Watch events: ours sends identical events of different changes that
# Xen coalesces (row 23); checked in Lockstep.sync.


# row -> (predicate, what it leaves behind: None, "conn" (the
# connection's session differs: reopen it on both) or "store" (the
# stores differ: reset)).
EXPLAIN = {
    1: (r1, "conn"),
    2: (r2, None),
    3: (r3, "store"),
    4: (r4, None),
    6: (r6, None),
    7: (r7, "conn"),
    8: (r8, "conn"),
    9: (r9, None),
    10: (r10, "store"),
    18: (r18, "store"),
    19: (r19, None),
    20: (r20, "tx"),
    21: (r21, "tx"),
    22: (None, None),  # watch events: Lockstep.sync
    23: (None, None),  # watch events: Lockstep.sync
    "N1": (n1, None),
}


def doc_rows(path):
    """The row numbers of the page's table of deliberate differences."""
    rows = set()
    with open(path) as f:
        for line in f:
            m = re.match(r"\|\s*(N?)(\d+)\s*\|", line)
            if m:
                rows.add(m.group(1) + m.group(2) if m.group(1)
                         else int(m.group(2)))
    return rows


def explain(req, x, o, ctx):
    """The row that explains the difference, and what it leaves behind;
    ctx knows what changed outside the transactions (row 20)."""
    for row, (pred, effect) in EXPLAIN.items():
        if pred is None:
            continue
        if pred(req, x, o, ctx) if row in (20, 21) else pred(req, x, o):
            return row, effect
    return None, None


# --- generation ---------------------------------------------------------------

COMPS = ["a", "b", "c"]
TOKENS = [b"A", b"B"]


class Gen:
    def __init__(self, rng, nconns):
        self.r = rng
        self.nconns = nconns

    def path(self):
        r = self.r
        x = r.random()
        if x < 0.03:
            return r.choice([b"t//a", b"t/a/", b"t/a b", b"", b"/t/a\xff",
                             b"@introduceDomain", b"@releaseDomain",
                             b"@foo", b"/", b"/local", HOME.encode()])
        if x < 0.05:
            # Long paths: around Xen 4.17's limit of 2048 bytes past
            # /local/domain/N/ (docs/differences.md, row 18).
            n = r.choice([2040, 2046, 2047, 2048, 2049, 2100, 2990])
            base = r.choice([b"/t/", b"t/", HOME.encode() + b"/t/"])
            return base + b"L" * (n - len(base) + (len(HOME) + 1 if
                                                    base.startswith(b"/l")
                                                    else 0))
        depth = r.choice([1, 1, 2, 2, 3])
        rel = "t/" + "/".join(r.choice(COMPS) for _ in range(depth - 1)) \
            if depth > 1 else "t"
        if r.random() < 0.3:
            return rel.encode()
        return ("/" + rel if r.random() < 0.5 else HOME + "/" + rel).encode()

    def value(self):
        r = self.r
        x = r.random()
        if x < 0.2:
            return b""
        if x < 0.8:
            return b"v%d" % r.randrange(4)
        if x < 0.95:
            return bytes(r.randrange(256) for _ in range(r.randrange(1, 9)))
        return b"x" * r.randrange(1000, 4000)

    def perm(self):
        r = self.r
        x = r.random()
        if x < 0.06:
            return r.choice([b"x3", b"r", b"", b"n-1", b"r-1", b"b99999",
                             b"n 1", b"n+1", b"w0x1", b"r010", b"n1x",
                             b"n65535", b"n4294967297"])
        # Owners the shim's hypervisor knows (0-9): the others are refused
        # by Xen and, without a hypervisor, accepted by ours.
        return b"%c%d" % (r.choice(b"nrwb"), r.randrange(10))

    def perms(self):
        return b"".join(self.perm() + b"\0"
                        for _ in range(self.r.choice([1, 1, 2, 3])))

    def garble(self, payload):
        """A malformed version of a well-formed payload."""
        r = self.r
        x = r.random()
        if x < 0.3 and payload.endswith(b"\0"):
            return payload[:-1]                     # unterminated
        if x < 0.5:
            return payload + r.choice([b"x\0", b"\0", b"x"])  # extra
        if x < 0.6:
            return b""
        if x < 0.7:
            return b"\0"
        return bytes(r.randrange(256) for _ in range(r.randrange(1, 12)))

    def request(self, txns):
        """One request: connection, type, payload, transaction (None, a
        label, or ("raw", id))."""
        r = self.r
        c = r.randrange(self.nconns)
        open_ = sorted(label for label, ci in txns.items() if ci == c)
        kinds = ["write"] * 14 + ["read"] * 8 + ["mkdir"] * 4 + \
            ["rm"] * 6 + ["directory"] * 5 + ["directory_part"] * 4 + \
            ["get_perms"] * 4 + ["set_perms"] * 5 + ["watch"] * 6 + \
            ["unwatch"] * 3 + ["start"] * 5 + ["end"] * 6 + \
            ["reset_watches"] + ["domain"] * 3 + ["newer"] * 2 + \
            ["unknown"] + ["control"] + ["oversize"]
        k = r.choice(kinds)
        tx = None
        if open_ and r.random() < 0.5:
            tx = r.choice(open_)
        elif r.random() < 0.02:
            # Ids that no transaction of either daemon has.
            tx = ("raw", r.choice([999999, 0x7fffffff, 0xffffffff]))
        if k == "write":
            t, p = T["WRITE"], self.path() + b"\0" + self.value()
        elif k in ("read", "mkdir", "rm", "directory", "get_perms"):
            t, p = T[k.upper()], self.path() + b"\0"
        elif k == "directory_part":
            off = r.choice([b"0", b"0", b"2", b"4", b"1", b"99",
                            r.choice([b"abc", b"-1", b"1x", b" 1", b"",
                                      b"4294967296", b"+2"])])
            t, p = T["DIRECTORY_PART"], self.path() + b"\0" + off + b"\0"
        elif k == "set_perms":
            t, p = T["SET_PERMS"], self.path() + b"\0" + self.perms()
        elif k in ("watch", "unwatch"):
            p = self.path() + b"\0" + r.choice(TOKENS) + b"\0"
            if k == "watch" and r.random() < 0.05:
                p += b"1\0"
            t = T[k.upper()]
        elif k == "start":
            t, p = T["TRANSACTION_START"], b"\0"
            if len(open_) >= 3:
                t, p = T["READ"], b"/t\0"
        elif k == "end":
            t = T["TRANSACTION_END"]
            p = b"T\0" if r.random() < 0.75 else b"F\0"
            if r.random() < 0.05:
                p = r.choice([b"X\0", b"\0", b"", b"T\0F\0"])
            if open_ and tx is None:
                tx = r.choice(open_)
        elif k == "reset_watches":
            t, p = T["RESET_WATCHES"], b"\0"
        elif k == "domain":
            t = T[r.choice(["GET_DOMAIN_PATH", "GET_DOMAIN_PATH",
                            "IS_DOMAIN_INTRODUCED", "RESUME", "RELEASE",
                            "SET_TARGET", "INTRODUCE"])]
            arg = r.choice([b"0", b"1", b"7", b"", b"x", b"70000", b"-1",
                            b"0x1", b" 1", b"00"])
            p = arg + b"\0"
            if t == T["SET_TARGET"]:
                p += r.choice([b"1", b"0", b"x"]) + b"\0"
            if t == T["INTRODUCE"]:
                # Never a well-formed introduction: it would act on the
                # shim's fake domains.
                p = r.choice([b"\0", b"1\0", b"1\x002\0"])
            if t in (T["RELEASE"], T["RESUME"]) and arg in (b"1", b"7"):
                p = b"0\0"
        elif k == "newer":
            t = T[r.choice(["GET_FEATURE", "GET_QUOTA", "SET_FEATURE",
                            "SET_QUOTA"])]
            p = r.choice([b"0\0", b"\0", b"x\0", b"0\0nodes\0"])
        elif k == "oversize":
            # Over XENSTORE_PAYLOAD_MAX: both close the connection.
            t = r.choice([T["WRITE"], T["READ"], 99])
            p = b"/t/a\0" + b"x" * (PAYLOAD_MAX - 4 + r.randrange(100))
        elif k == "unknown":
            t = r.choice([T["ERROR"], T["WATCH_EVENT"], T["RESTRICT"], 27,
                          99, 0xffff])
            p = r.choice([b"", b"\0", b"/t\0"])
        else:
            t, p = T["CONTROL"], r.choice([b"\0", b"bogus\0", b""])
        if r.random() < 0.06 and k != "oversize" and \
                t not in (T["TRANSACTION_START"],):
            p = self.garble(p)
        return {"c": c, "type": t, "payload": p, "tx": tx}


def show_req(i, req):
    p = re.sub(rb"(.)\1{15,}", lambda m: b"%s{%d}" % (m.group(1),
                                                       len(m.group(0))),
               req["payload"])
    tx = req["tx"]
    txs = "" if tx is None else " tx=%s" % (
        "T%d" % tx if isinstance(tx, int) else "raw %d" % tx[1])
    return "%4d: c%d %s%s %r" % (i, req["c"], NAME.get(req["type"],
                                                       req["type"]), txs, p)


def show_reply(r):
    if r in (CLOSED, SKIPPED):
        return r[0]
    text = repr(r[1])
    if len(text) > 200:
        text = text[:150] + "..." + text[-40:]
    return "%s %s" % (NAME.get(r[0], r[0]), text)


# --- the two daemons ------------------------------------------------------------

def connect(sock):
    """A connection, retried while the daemon's listen queue is full
    (cxenstored accepts one connection per loop turn)."""
    for _ in range(200):
        try:
            return wire.Conn(sock)
        except BlockingIOError:
            time.sleep(0.01)
    return wire.Conn(sock)


class Side:
    """One daemon: its connections and its transaction ids by label."""

    def __init__(self, name, sock, nconns):
        self.name, self.sock = name, sock
        self.conns = [connect(sock) for _ in range(nconns)]
        self.events = [[] for _ in range(nconns)]
        self.txid = {}

    def reopen(self, c):
        self.conns[c].close()
        self.conns[c] = connect(self.sock)
        self.events[c] = []

    def ask(self, c, mtype, rid, tx, payload):
        """The reply, with the events before it put aside; CLOSED if the
        daemon closed the connection."""
        conn = self.conns[c]
        try:
            conn.send(mtype, rid, tx, payload)
            while True:
                m = conn.recv()
                if m[0] == T["WATCH_EVENT"] and m[1] == 0:
                    self.events[c].append(m[3])
                    continue
                return m
        except wire.WireError as e:
            if "hung" in str(e):
                raise
            return None


class Unexplained(Exception):
    pass


class Lockstep:
    def __init__(self, xen, ours, nconns, verbose):
        self.paths = (xen, ours)
        self.nconns = nconns
        self.verbose = verbose
        self.rid = 0
        self.history = []
        self.explained = {}
        self.compared = 0
        self.events = 0
        self.resets = 0
        self.open()

    def open(self):
        self.x = Side("xen", self.paths[0], self.nconns)
        self.o = Side("ours", self.paths[1], self.nconns)
        self.txns = {}  # label -> connection
        self.labels = 0
        self.seq = 0
        self.started = {}   # label -> seq of its start
        self.changes = []   # (seq, path) changed outside transactions
        self.wrote = {}     # label -> paths it changed
        self.removed = {}   # label -> paths it removed
        self.diverged = set()  # labels whose views differed (row 20)
        self.tx_written = set()  # written by commits since the last sync

    def changed_since(self, label, path):
        start = self.started.get(label, 0)
        return any(seq > start and related(p, path)
                   for seq, p in self.changes)

    def close(self):
        for s in (self.x, self.o):
            for conn in s.conns:
                conn.close()

    def raw(self, side, payload, mtype):
        self.rid += 1
        return side.ask(0, mtype, self.rid, 0, payload)

    def reset(self):
        """Both daemons back to the start: connections closed, what the
        requests may have changed (/t, /local, the root's value and
        permissions, the special nodes' permissions) put back."""
        self.close()
        for s in (self.x, self.o):
            conn = connect(s.sock)
            for mtype, payload in (
                    (T["RM"], b"/t\0"), (T["RM"], b"/local\0"),
                    (T["WRITE"], b"/\0"), (T["SET_PERMS"], b"/\0n0\0"),
                    (T["SET_PERMS"], b"@introduceDomain\0n0\0"),
                    (T["SET_PERMS"], b"@releaseDomain\0n0\0")):
                self.rid += 1
                conn.send(mtype, self.rid, 0, payload)
                m = conn.recv()
                if m[0] == T["ERROR"] and m[3] != b"ENOENT\0":
                    raise wire.WireError("%s: reset: %s %r: %r" % (
                        s.name, NAME[mtype], payload, m[3]))
            conn.close()
        self.resets += 1
        self.open()

    def norm(self, side, req, m):
        if m is None:
            return CLOSED
        mtype, rid, tx, payload = m
        if rid != self.rid:
            return ("req_id %d" % rid,)
        if mtype == T["TRANSACTION_START"]:
            return (mtype, b"<tx>\0")
        if mtype == T["DIRECTORY_PART"] and b"\0" in payload:
            return (mtype, b"<gen>" + payload[payload.index(b"\0"):])
        return (mtype, payload)

    def txid(self, side, tx):
        if tx is None:
            return 0
        if isinstance(tx, tuple):
            return tx[1]
        return side.txid.get(tx, 0xdead)

    def step(self, i, req):
        self.history.append((i, req))
        self.history = self.history[-30:]
        self.rid += 1
        c = req["c"]
        got = []
        for s in (self.x, self.o):
            if s is self.x and xen_unsafe(req):
                got.append((None, SKIPPED))
                continue
            m = s.ask(c, req["type"], self.rid, self.txid(s, req["tx"]),
                      req["payload"])
            got.append((m, self.norm(s, req, m)))
        (mx, x), (mo, o) = got
        self.compared += 1
        if self.verbose:
            print(show_req(i, req))
            print("      xen:  " + show_reply(x))
            if x != o:
                print("      ours: " + show_reply(o))
        effect = None
        if x != o and req["type"] == T["TRANSACTION_END"] and \
                req["tx"] in self.diverged and \
                all(ok(r) or is_err(r, "EAGAIN") for r in (x, o)):
            pass  # row 20, counted below
        elif x != o:
            row, effect = explain(req, x, o, self)
            if row is None:
                raise Unexplained("request %d: replies differ\n  xen:  %s"
                                  "\n  ours: %s" % (i, show_reply(x),
                                                    show_reply(o)))
            self.explained[row] = self.explained.get(row, 0) + 1
        # Transactions: a label per transaction started in both.
        self.seq += 1
        a = strings(req["payload"])
        tx = req["tx"] if isinstance(req["tx"], int) else None
        if req["type"] in MODIFY and a and (ok(x) or ok(o)):
            if tx is None:
                self.changes.append((self.seq, canonical(a[0])))
            else:
                self.wrote.setdefault(tx, []).append(canonical(a[0]))
                if req["type"] == T["RM"]:
                    self.removed.setdefault(tx, []).append(canonical(a[0]))
        if req["type"] == T["TRANSACTION_START"] and ok(x) and ok(o) and \
                req["tx"] is None:
            self.labels += 1
            self.txns[self.labels] = c
            self.started[self.labels] = self.seq
            for s, m in ((self.x, mx), (self.o, mo)):
                s.txid[self.labels] = int(m[3].rstrip(b"\0"))
        if req["type"] == T["TRANSACTION_END"] and tx is not None:
            if ok(x) or ok(o):
                self.changes += [(self.seq, p)
                                 for p in self.wrote.get(tx, [])]
                self.tx_written |= set(self.wrote.get(tx, []))
            if x != CLOSED and not is_err(x, "EINVAL", "ENOENT") or \
                    is_err(x, "EAGAIN"):
                self.txns.pop(req["tx"], None)
                if tx in self.diverged:
                    # A transaction whose views differed (rows 20, 21)
                    # may end differently, or commit different changes:
                    # the stores may differ since.
                    if x != o:
                        self.explained[20] = self.explained.get(20, 0) + 1
                    effect = "store"
        if req["type"] == T["RESET_WATCHES"] and ok(x) and ok(o):
            # Xen's RESET_WATCHES also ends the caller's transactions
            # (reference/xenstore.md, 6.12).
            for label in [t for t, ci in self.txns.items() if ci == c]:
                del self.txns[label]
        if effect == "conn" or x == CLOSED or o == CLOSED:
            # The others' events are still comparable, c's no longer.
            self.sync(i, skip=c)
            for s in (self.x, self.o):
                s.reopen(c)
            for label in [t for t, ci in self.txns.items() if ci == c]:
                del self.txns[label]
        elif effect == "store":
            self.reset()
        elif effect == "tx":
            self.diverged.add(req["tx"])

    def sync(self, i, skip=None):
        """Every connection's events so far, compared as sets."""
        for c in range(self.nconns):
            if c == skip:
                continue
            self.rid += 1
            for s in (self.x, self.o):
                m = s.ask(c, T["GET_DOMAIN_PATH"], self.rid, 0, b"0\0")
                if m is None:
                    raise Unexplained("sync after request %d: %s closed "
                                      "connection %d" % (i, s.name, c))
            ex, eo = self.x.events[c], self.o.events[c]
            self.events += len(ex)
            cx, co = Counter(ex), Counter(eo)
            more_x, more_o = cx - co, co - cx
            # Row 22: Xen's commit fires for nodes the transaction wrote
            # and then removed.  Row 23: ours sends an identical event of
            # each change, Xen one while one is still queued.
            row22 = all(canonical(e.split(b"\0")[0]) in self.tx_written
                        for e in more_x)
            row23 = all(e in cx for e in more_o)
            if more_x and row22:
                self.explained[22] = self.explained.get(22, 0) + 1
            if more_o and row23:
                self.explained[23] = self.explained.get(23, 0) + 1
            if not (row22 and row23):
                raise Unexplained(
                    "sync after request %d: connection %d's watch events "
                    "differ\n  xen:  %s\n  ours: %s" % (
                        i, c, sorted(ex), sorted(eo)))
            self.x.events[c], self.o.events[c] = [], []
        self.tx_written = set()

    def dump(self, i):
        """The test's subtrees, node by node, compared."""
        todo = [r.encode() for r in ROOTS]
        while todo:
            p = todo.pop()
            req = {"c": 0, "type": T["DIRECTORY"], "payload": p + b"\0",
                   "tx": None}
            for t in ("DIRECTORY", "READ", "GET_PERMS"):
                req = dict(req, type=T[t])
                self.rid += 1
                r = [self.norm(s, req, s.ask(0, T[t], self.rid, 0,
                                             p + b"\0"))
                     for s in (self.x, self.o)]
                if r[0] != r[1]:
                    raise Unexplained("tree after request %d: %s %s "
                                      "differs\n  xen:  %s\n  ours: %s" % (
                                          i, t, p, show_reply(r[0]),
                                          show_reply(r[1])))
                if t == "DIRECTORY" and ok(r[0]):
                    todo += [p + b"/" + n for n in strings(r[0][1])]


def run(args, seed, nops):
    rng = random.Random(seed)
    ls = Lockstep(args.xen, args.ours, args.conns, args.verbose)
    ls.reset()
    gen = Gen(rng, args.conns)
    i = 0
    try:
        for i in range(nops):
            ls.step(i, gen.request(ls.txns))
            if i % args.sync == args.sync - 1:
                ls.sync(i)
            if i % 100 == 99 and not ls.txns:
                ls.dump(i)
        ls.sync(i)
        # Ending one may reset the table (a failed commit can end its
        # connection's others): take each label only while it is there.
        for label in sorted(ls.txns):
            if label not in ls.txns:
                continue
            ls.step(i, {"c": ls.txns[label], "type": T["TRANSACTION_END"],
                        "payload": b"F\0", "tx": label})
        ls.dump(i)
    except Unexplained as e:
        print("UNEXPLAINED DIFFERENCE with seed %d: %s" % (seed, e))
        print("the requests before it (connection, type, transaction, "
              "payload):")
        for j, req in ls.history:
            print("  " + show_req(j, req))
        print("replay: XS_LOCKSTEP_SEED=%d XS_LOCKSTEP_OPS=%d sh "
              "tests/run-integration.sh build "
              "tests/integration/interop_lockstep.sh" % (seed, nops))
        return None
    finally:
        ls.close()
    return ls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xen", required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--ops", type=int, default=1500)
    ap.add_argument("--conns", type=int, default=3)
    ap.add_argument("--sync", type=int, default=20,
                    help="compare watch events every N requests")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    rows = doc_rows(args.doc)
    missing = sorted(str(r) for r in EXPLAIN if r not in rows)
    if missing:
        print("lockstep: rows %s explain differences but are not in %s" %
              (missing, args.doc))
        return 1
    seed = args.seed if args.seed is not None else \
        random.SystemRandom().randrange(1 << 31)
    print("lockstep: seed %d, %d requests on %d connections" %
          (seed, args.ops, args.conns))
    t0 = time.time()
    ls = run(args, seed, args.ops)
    if ls is None:
        return 1
    print("lockstep: %d requests compared, %d watch events, %d resets, "
          "%.1f s; differences explained by docs/differences.md rows: %s" %
          (ls.compared, ls.events, ls.resets, time.time() - t0,
           ", ".join("%s (%d)" % kv for kv in sorted(ls.explained.items(),
                                                     key=lambda kv: str(kv[0])))
           or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
