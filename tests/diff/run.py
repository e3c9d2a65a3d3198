# SPDX-License-Identifier: MIT
#
# The random differential test: generates operation sequences (several
# connections, transactions, watches) from a seed, runs each against the
# daemon on a unix socket and against model.py, and compares every reply
# and every watch event, per connection and in order.  On a mismatch it
# shrinks the sequence to a small one that still fails and prints it with
# the seed.  It owns generation, execution, comparison and shrinking; the
# semantics live in model.py, the framing in wire.py.
#
#   python3 run.py --socket PATH [--first S] [--seeds N] [--seed S] [-v]
#
# Sequences are deterministic per seed.  Between sequences the daemon's
# state is reset (all connections closed, /local removed, the special
# nodes' permissions restored), so one daemon serves a whole run.

import argparse
import random
import re
import sys
import time

import model as M
import wire

LONG = ["L" * 400 + "%02d" % i for i in range(14)]
# Components of "deep" paths: five levels below d/x come to 4024 bytes,
# beyond XENSTORE_ABS_PATH_MAX (3072) but within a request's payload.
DEEP = ["M" * 799 + "0", "M" * 799 + "1"]
COMPS = "abc"
TOKENS = ["A", "B", "C"]
DOMIDS = [0, 1, 5, 7, 32757]
SPECIAL = ["@introduceDomain", "@releaseDomain"]

TYPES = {"read": M.READ, "write": M.WRITE, "mkdir": M.MKDIR, "rm": M.RM,
         "directory": M.DIRECTORY, "directory_part": M.DIRECTORY_PART,
         "get_perms": M.GET_PERMS, "set_perms": M.SET_PERMS,
         "watch": M.WATCH, "unwatch": M.UNWATCH, "start": M.TXN_START,
         "end": M.TXN_END, "sync": M.GET_DOMAIN_PATH,
         "reset_watches": M.RESET_WATCHES}


class Invalid(Exception):
    """A shrunk candidate that the generator could not have produced."""


def payload_of(op):
    k = op["op"]
    if k == "write":
        return op["p"].encode() + b"\0" + op["v"]
    if k == "set_perms":
        return op["p"].encode() + b"\0" + b"".join(
            s.encode() + b"\0" for s in op["perms"])
    if k in ("watch", "unwatch"):
        out = op["p"].encode() + b"\0" + op["tok"].encode() + b"\0"
        if k == "watch" and "depth" in op:
            out += str(op["depth"]).encode() + b"\0"
        return out
    if k == "directory_part":
        return op["p"].encode() + b"\0" + b"%d\0" % op["off"]
    if k in ("start", "reset_watches"):
        return b"\0"
    if k == "end":
        return b"T\0" if op["commit"] else b"F\0"
    if k == "sync":
        return b"0\0"
    return op["p"].encode() + b"\0"


def squeeze(text):
    """Long runs of one letter (the long names) as "M{799}"."""
    return re.sub(r"([A-Z])\1{9,}",
                  lambda m: "%s{%d}" % (m.group(1), len(m.group(0))), text)


def show_op(i, op):
    k = op["op"]
    tx = " T%d" % op["t"] if op.get("t") is not None else ""
    s = "%3d: c%d%s %s" % (i, op["c"], tx, k)
    if k == "start":
        s += " -> T%d" % op["label"]
    elif k == "end":
        s += " commit" if op["commit"] else " abort"
    elif k in ("sync", "reset_watches"):
        pass
    else:
        s += " " + squeeze(op["p"])
    if k == "write":
        v = op["v"]
        s += " " + (repr(v) if len(v) <= 40 else "<%d bytes>" % len(v))
    elif k == "set_perms":
        s += " " + " ".join(op["perms"])
    elif k in ("watch", "unwatch"):
        s += " " + op["tok"]
        if "depth" in op:
            s += " depth=%s" % op["depth"]
    elif k == "directory_part":
        s += " offset=%d" % op["off"]
    return s


def show_msg(m):
    mtype, payload = m[0], m[1]
    if isinstance(payload, tuple):
        payload = b"<gen>\0" + payload[2][payload[3]:]
    name = M.TYPE_NAMES.get(mtype, str(mtype))
    text = squeeze(repr(payload))
    if len(text) > 160:
        text = text[:100] + "..." + text[-40:]
    return "%s %s" % (name, text)


# --- generation -------------------------------------------------------------

class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        r = self.rng
        self.nconns = r.choice([2, 3, 3, 4])
        self.length = r.randint(10, 60)
        # "Big" sequences fill d/big with long names, so that DIRECTORY
        # overflows (E2BIG) and DIRECTORY_PART returns partial chunks.
        self.big = r.random() < 0.15
        if self.big:
            self.length += 60
        self.deep = r.random() < 0.15
        self.model = M.Model(self.nconns)
        self.labels = 0
        self.ended = []  # labels of transactions that have ended

    def rel(self):
        r = self.rng
        if self.deep and r.random() < 0.5:
            return "/".join(["d/x"] + [r.choice(DEEP)
                                       for _ in range(r.randint(1, 5))])
        if self.big and r.random() < 0.7:
            if r.random() < 0.1:
                return "d/big"
            return "d/big/" + r.choice(LONG)
        depth = r.choice([0, 1, 1, 2, 2, 2, 3, 3])
        return "/".join(["d"] + [r.choice(COMPS) for _ in range(depth)])

    def path(self, existing_bias=0.5, kind="read"):
        r = self.rng
        x = r.random()
        if x < 0.02:
            return r.choice(["d//a", "d/a/", "d/a b", "", "@introduceDomain"])
        if x < 0.025:
            return "@foo"  # special, but no such node
        if x < 0.06:
            # Nothing outside /local may change: the reset between
            # sequences restores only /local (RM / is refused).
            if kind in ("write", "mkdir", "set_perms"):
                return r.choice(["/local", M.HOME])
            if kind == "rm":
                return r.choice(["/", "/local", M.HOME])
            return r.choice(["/", "/local", M.HOME, "/tool"])
        rel = None
        if r.random() < existing_bias:
            nodes = [p for p in self.model.store.nodes
                     if p.startswith(M.HOME + "/d")]
            if nodes:
                rel = r.choice(sorted(nodes))[len(M.HOME) + 1:]
        if rel is None:
            rel = self.rel()
        return rel if r.random() < 0.4 else M.HOME + "/" + rel

    def value(self):
        r = self.rng
        x = r.random()
        if x < 0.15:
            return b""
        if x < 0.75:
            return b"v%d" % r.randrange(5)
        if x < 0.95:
            return bytes(r.randrange(256) for _ in range(r.randrange(1, 9)))
        return b"x" * r.randrange(500, 3000)

    def perms(self):
        r = self.rng
        x = r.random()
        if x < 0.04:
            return [r.choice(["x3", "r", "r-1", "b99999"])]
        # The owner (first entry) is never a reserved id such as
        # DOMID_ANY: what the daemon answers to that is not this test's
        # business.
        out = ["%s%d" % (r.choice("nrwb"), r.choice(DOMIDS[:4]))]
        out += ["%s%d" % (r.choice("nrwb"), r.choice(DOMIDS))
                for _ in range(r.randint(0, 2))]
        if x < 0.08:
            out[0] = out[0][0] + hex(int(out[0][1:]))
        return out

    def tx(self, ci):
        r = self.rng
        open_ = [t.label for t in self.model.conns[ci].txns.values()]
        x = r.random()
        if open_ and x < 0.65:
            return r.choice(sorted(open_))
        if self.ended and x > 0.96:
            return r.choice(self.ended)
        return None

    def one(self):
        r = self.rng
        ci = r.randrange(self.nconns)
        conn = self.model.conns[ci]
        kinds = ["write"] * 20 + ["read"] * 10 + ["mkdir"] * 5 + \
            ["rm"] * 9 + ["directory"] * 7 + ["directory_part"] * 4 + \
            ["get_perms"] * 4 + ["set_perms"] * 5 + ["watch"] * 8 + \
            ["unwatch"] * 3 + ["start"] * 8 + ["end"] * 10 + \
            ["reset_watches"]
        k = r.choice(kinds)
        op = {"c": ci, "op": k}
        if k == "reset_watches":
            op["t"] = self.tx(ci)  # ignored
            return op
        if k == "start":
            if len(conn.txns) >= 3:
                k = op["op"] = "read"
            else:
                self.labels += 1
                op["label"] = self.labels
                if conn.txns and r.random() < 0.1:
                    op["t"] = r.choice(sorted(
                        t.label for t in conn.txns.values()))
                return op
        if k == "end":
            open_ = sorted(t.label for t in conn.txns.values())
            if open_:
                op["t"] = r.choice(open_)
            elif self.ended and r.random() < 0.2:
                op["t"] = r.choice(self.ended)
            else:
                k = op["op"] = "write"
            op["commit"] = r.random() < 0.8
            if k == "end":
                return op
        if k in ("watch", "unwatch"):
            if k == "unwatch" and conn.watches and r.random() < 0.7:
                w = r.choice(conn.watches)
                p = w.path
                if p.startswith(M.HOME + "/") and r.random() < 0.5:
                    p = p[len(M.HOME) + 1:]
                op.update(p=p, tok=w.token)
                return op
            x = r.random()
            if x < 0.08:
                p = r.choice(SPECIAL)
            elif x < 0.15:
                p = r.choice(["/", "/local"])
            else:
                p = self.path(0.3)
            op.update(p=p, tok=r.choice(TOKENS))
            if k == "watch" and r.random() < 0.3:
                op["depth"] = r.randrange(3)
                if r.random() < 0.05:
                    op["depth"] = r.choice(["-1", "x", "", "1 "])
            if r.random() < 0.2:
                op["t"] = self.tx(ci)  # ignored
            return op
        op["t"] = self.tx(ci)
        if k in ("get_perms", "set_perms") and r.random() < 0.12:
            op["p"] = r.choice(SPECIAL)
        else:
            op["p"] = self.path(kind=k)
        if k == "write":
            # A request over 4096 bytes would cost the connection.
            room = M.PAYLOAD_MAX - len(op["p"].encode()) - 1
            op["v"] = self.value()[:max(room, 0)]
        elif k == "set_perms":
            op["perms"] = self.perms()
        elif k == "directory_part":
            n = self.model.store.nodes.get(canonical_or_none(op["p"]))
            names = b"".join(c.encode() + b"\0" for c in n.kids) if n else b""
            bounds = [0] + [i + 1 for i, ch in enumerate(names) if ch == 0]
            x = r.random()
            op["off"] = (0 if x < 0.4 else r.choice(bounds) if x < 0.8
                         else r.randrange(len(names) + 4))
        return op

    def sequence(self):
        ops = []
        # Most sequences start with a few watches, so that most changes
        # are seen by someone.
        nwatch = self.rng.choice([0, 1, 2, 3, 4, 5])
        fill = self.rng.sample(LONG, self.rng.randint(8, 12)) \
            if self.big else []
        while len(ops) < self.length:
            op = self.one()
            if self.big and nwatch <= len(ops) < nwatch + len(fill):
                op = {"c": self.rng.randrange(self.nconns), "op": "write",
                      "p": "d/big/" + fill[len(ops) - nwatch], "v": b"",
                      "t": None}
            if len(ops) < nwatch:
                op = {"c": self.rng.randrange(self.nconns), "op": "watch",
                      "p": self.rng.choice(["/", "/local", M.HOME, "d",
                                            "d/a", M.HOME + "/d/b"]),
                      "tok": self.rng.choice(TOKENS)}
                if self.rng.random() < 0.3:
                    op["depth"] = self.rng.randrange(4)
            if self.model.may_defer(op["c"], op):
                continue
            self.model.request(len(ops), op)
            if op["op"] == "end":
                self.ended.append(op["t"])
            ops.append(op)
        return self.nconns, ops


def canonical_or_none(raw):
    try:
        return M.canonical(raw, False)
    except M.XsError:
        return None



# --- execution and comparison ----------------------------------------------

class Mismatch(Exception):
    def __init__(self, opno, conn, text):
        super().__init__(text)
        self.opno, self.conn, self.text = opno, conn, text


class Stream:
    """Checks one connection's messages against the model's groups."""

    def __init__(self, ci, predicted, gens):
        self.ci = ci
        self.pred = predicted   # the model's list, growing
        self.pos = 0            # next group
        self.buf = []           # messages of the current group so far
        self.gens = gens

    def _resolve(self, opno, pm, got):
        """The expected (type, payload) given what arrived."""
        mtype, payload = pm
        if not isinstance(payload, tuple):
            return pm
        _, key, names, off = payload
        if got[0] != mtype or b"\0" not in got[1]:
            return (mtype, M.directory_part_reply(b"<gen>", names, off))
        gen = got[1][:got[1].index(b"\0")]
        ctx = key[:-1]
        known = self.gens.setdefault(("k",) + key, gen)
        if known != gen:
            raise Mismatch(opno, self.ci,
                           "DIRECTORY_PART generation changed for an "
                           "unchanged child list: %r then %r" % (known, gen))
        owner = self.gens.setdefault(("g",) + ctx + (gen,), key)
        if owner != key:
            raise Mismatch(opno, self.ci,
                           "DIRECTORY_PART generation %r reused for a "
                           "different child list of %s" % (gen, key[-2]))
        return (mtype, M.directory_part_reply(gen, names, off))

    def feed(self, msg):
        mtype, req_id, tx_id, payload = msg
        if self.pos >= len(self.pred):
            raise Mismatch(-1, self.ci, "unexpected message: %s" %
                           show_msg((mtype, payload)))
        ordered, group, opno = self.pred[self.pos]
        self.buf.append((mtype, payload))
        if len(self.buf) < len(group):
            return
        got, self.buf = self.buf, []
        self.pos += 1
        if ordered:
            want = [self._resolve(opno, pm, gm) for pm, gm in zip(group, got)]
            same = want == got
        else:
            want = group
            same = sorted(want) == sorted(got)
        if not same:
            raise Mismatch(opno, self.ci, "expected:\n%s\n      got:\n%s" % (
                "\n".join("        " + show_msg(m) for m in want),
                "\n".join("        " + show_msg(m) for m in got)))

    def done(self):
        if self.buf or self.pos < len(self.pred):
            rest = self.buf and ["(partial group)"] or []
            ordered, group, opno = self.pred[self.pos]
            raise Mismatch(opno, self.ci, "missing: %s" % "; ".join(
                rest + [show_msg(m) for m in group]))


class Runner:
    def __init__(self, sock):
        self.sock = sock
        self.admin = wire.Conn(sock)
        self.req = 0
        self.ops = 0
        self.messages = 0
        self.stats = {}

    def _admin(self, mtype, payload):
        self.req += 1
        self.admin.send(mtype, self.req, 0, payload)
        m = self.admin.recv()
        if m[0] != mtype:
            raise wire.WireError("reset failed: %r" % (m,))

    def reset(self):
        self._admin(M.RM, b"/local\0")
        self._admin(M.SET_PERMS, b"@introduceDomain\0n0\0")
        self._admin(M.SET_PERMS, b"@releaseDomain\0n0\0r32757\0")

    @staticmethod
    def _epilogue(model, ops):
        """ops, then: abort every open transaction, and sync each
        connection so that all its events have arrived.

        The aborts come first, those of a transaction that may hold
        priority before the others (which would wait behind it), so that
        closing the connections never has to end a priority transaction."""
        for op in ops:
            yield op
        while True:
            left = [(t.conn, t.label, t.hot) for c in model.conns
                    for t in c.txns.values()]
            if not left:
                break
            ci, label, _ = max(left, key=lambda x: x[2])
            yield {"c": ci, "op": "end", "t": label, "commit": False}
        for ci in range(len(model.conns)):
            yield {"c": ci, "op": "sync"}
        # A dump of the whole tree, so that a difference no request
        # happened to look at is still seen.
        for path in sorted(model.store.nodes):
            for kind in ("read", "get_perms", "directory"):
                yield {"c": 0, "op": kind, "p": path}
        for path in sorted(model.store.special):
            yield {"c": 0, "op": "get_perms", "p": path}

    def _bursts(self, model, ops):
        """Lists of (opno, op) to send together: consecutive requests on
        one connection go out without waiting for replies (up to 8), as a
        pipelining client would send them; the daemon must answer them
        exactly as if they had come one by one."""
        i = 0
        while i < len(ops):
            j = i + 1
            while j < len(ops) and j - i < 8 and ops[j]["c"] == ops[i]["c"]:
                j += 1
            yield [(k, ops[k]) for k in range(i, j)]
            i = j
        for k, op in enumerate(self._epilogue(model, []), len(ops)):
            yield [(k, op)]

    def _count(self, op, m):
        key = "%s %s" % (op["op"], "ok" if m[0] != M.ERROR
                         else m[3].rstrip(b"\0").decode())
        if op.get("t") is not None and op["op"] != "end":
            key += " (txn)"
        self.stats[key] = self.stats.get(key, 0) + 1

    def run(self, nconns, ops):
        """None if the daemon agrees with the model, else a Mismatch."""
        model = M.Model(nconns)
        conns = [wire.Conn(self.sock) for _ in range(nconns)]
        gens = {}
        streams = [Stream(i, model.streams[i], gens) for i in range(nconns)]
        try:
            for burst in self._bursts(model, ops):
                ci = burst[0][1]["c"]
                if ci >= nconns:
                    raise Invalid()
                sent = []
                for i, op in burst:
                    if model.may_defer(ci, op):
                        raise Invalid()
                    tx = model.tx_id_for(op.get("t"))
                    model.request(i, op)
                    self.req += 1
                    conns[ci].send(TYPES[op["op"]], self.req, tx,
                                   payload_of(op))
                    sent.append((i, op, self.req, tx))
                    self.ops += 1
                for i, op, rid, tx in sent:
                    while True:
                        m = conns[ci].recv()
                        self.messages += 1
                        if m[0] != M.WATCH_EVENT:
                            break
                        self.stats["event"] = self.stats.get("event", 0) + 1
                        if m[1] or m[2]:
                            raise Mismatch(i, ci, "event with req_id %d "
                                           "tx_id %d" % (m[1], m[2]))
                        streams[ci].feed(m)
                    if m[1] != rid or m[2] != tx:
                        raise Mismatch(i, ci, "reply header req_id %d "
                                       "tx_id %d, sent %d %d" %
                                       (m[1], m[2], rid, tx))
                    streams[ci].feed(m)
                    self._count(op, m)
                for cj, c in enumerate(conns):
                    for m in c.poll():
                        self.messages += 1
                        streams[cj].feed(m)
            for s in streams:
                s.done()
            return None
        except Mismatch as e:
            return e
        except wire.WireError as e:
            return Mismatch(-1, -1, str(e))
        finally:
            for c in conns:
                c.close()
            self.reset()


# --- shrinking ---------------------------------------------------------------

def normalise(nconns, ops):
    """Drop ops that use a transaction whose start was dropped."""
    labels = {op["label"] for op in ops if op["op"] == "start"}
    return [op for op in ops if op.get("t") is None or op["t"] in labels]


def shrink(runner, nconns, ops, budget=400):
    tries = [0]

    def fails(cand):
        if tries[0] >= budget:
            return False
        tries[0] += 1
        try:
            return runner.run(nconns, cand) is not None
        except Invalid:
            return False

    n = 2
    while len(ops) >= 2 and tries[0] < budget:
        chunk = max(1, len(ops) // n)
        changed = False
        for start in range(0, len(ops), chunk):
            cand = normalise(nconns, ops[:start] + ops[start + chunk:])
            if len(cand) < len(ops) and fails(cand):
                ops = cand
                changed = True
                break
        if changed:
            n = max(2, n - 1)
        elif chunk == 1:
            break
        else:
            n = min(len(ops), n * 2)
    # Simplify what is left: plain values, no depth, fewer connections.
    for i in range(len(ops)):
        for key, simple in (("v", b"v"), ("depth", None), ("t", None)):
            if key in ops[i] and ops[i][key] != simple and \
                    ops[i]["op"] not in ("end",):
                cand = [dict(o) for o in ops]
                if simple is None:
                    del cand[i][key]
                else:
                    cand[i][key] = simple
                cand = normalise(nconns, cand)
                if fails(cand):
                    ops = cand
    used = sorted({op["c"] for op in ops})
    if used and len(used) < nconns:
        remap = {c: i for i, c in enumerate(used)}
        cand = [dict(o, c=remap[o["c"]]) for o in ops]
        if fails(cand):
            nconns, ops = len(used), cand
    return nconns, ops, tries[0]


# --- regressions ----------------------------------------------------------------

# Sequences that once failed, run before the random ones (the random
# generator finds them only now and then).
CASES = {
    # A transaction listed d/a, removed it and made it again: the second
    # listing must not report the first one's generation.
    "generation of a re-created list": (1, [
        {"c": 0, "op": "write", "p": "d/a/x", "v": b"1"},
        {"c": 0, "op": "start", "label": 1},
        {"c": 0, "op": "directory_part", "p": "d/a", "off": 0, "t": 1},
        {"c": 0, "op": "rm", "p": "d/a", "t": 1},
        {"c": 0, "op": "mkdir", "p": "d/a", "t": 1},
        {"c": 0, "op": "directory_part", "p": "d/a", "off": 0, "t": 1},
        {"c": 0, "op": "end", "t": 1, "commit": True},
    ]),
    # Special nodes are outside transactions, for reading as well as for
    # SET_PERMS: a transaction sees its own change and commits.
    "special node in a transaction": (2, [
        {"c": 0, "op": "start", "label": 1},
        {"c": 0, "op": "get_perms", "p": "@introduceDomain", "t": 1},
        {"c": 0, "op": "set_perms", "p": "@introduceDomain",
         "perms": ["n0", "r5"], "t": 1},
        {"c": 0, "op": "get_perms", "p": "@introduceDomain", "t": 1},
        {"c": 1, "op": "set_perms", "p": "@introduceDomain",
         "perms": ["n0", "r7"]},
        {"c": 0, "op": "get_perms", "p": "@introduceDomain", "t": 1},
        {"c": 0, "op": "end", "t": 1, "commit": True},
    ]),
    # Paths longer than XENSTORE_ABS_PATH_MAX (fine for privileged
    # clients): the watch on d fires, five levels can be created, and a
    # transaction that removed d/x/M..1 no longer sees what was below it.
    "deep paths": (2, [
        {"c": 1, "op": "watch", "p": "d", "tok": "W"},
        {"c": 0, "op": "write", "v": b"5", "p": "d/x/" + "/".join(
            DEEP[i] for i in (1, 0, 1, 0, 1))},
        {"c": 0, "op": "write", "v": b"4", "p": "d/x/" + "/".join(
            DEEP[i] for i in (1, 0, 0, 0))},
        {"c": 0, "op": "start", "label": 1},
        {"c": 0, "op": "rm", "p": "d/x/" + DEEP[1], "t": 1},
        {"c": 0, "op": "read", "t": 1, "p": "d/x/" + "/".join(
            DEEP[i] for i in (1, 0, 0, 0))},
        {"c": 0, "op": "end", "t": 1, "commit": True},
    ]),
}


# --- main ---------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--seed", type=int)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--stats", action="store_true",
                    help="count replies by operation and result")
    args = ap.parse_args()

    seeds = [args.seed] if args.seed is not None else \
        range(args.first, args.first + args.seeds)
    runner = Runner(args.socket)
    runner.reset()
    t0 = time.time()
    nseq = 0
    for name, (nconns, ops) in CASES.items():
        bad = runner.run(nconns, ops)
        nseq += 1
        if bad is not None:
            print("MISMATCH in case \"%s\": op %d, connection %d:\n    %s"
                  % (name, bad.opno, bad.conn, bad.text))
            for i, op in enumerate(ops):
                print("    " + show_op(i, op))
            return 1
    for seed in seeds:
        nconns, ops = Gen(seed).sequence()
        nseq += 1
        if args.verbose:
            print("seed %d: %d connections, %d ops" % (seed, nconns,
                                                        len(ops)))
            for i, op in enumerate(ops):
                print(show_op(i, op))
        try:
            bad = runner.run(nconns, ops)
        except wire.WireError as e:
            # The reset after the sequence failed: the daemon is gone.
            print("seed %d: daemon lost: %s" % (seed, e))
            return 1
        if bad is None:
            continue
        print("MISMATCH with seed %d (%d connections, %d ops): op %d, "
              "connection %d:\n    %s" % (seed, nconns, len(ops), bad.opno,
                                          bad.conn, bad.text))
        if bad.conn == -1:
            print("daemon hung or gone: not shrinking")
            return 1
        nconns, small, tries = shrink(runner, nconns, ops)
        again = runner.run(nconns, small)
        print("shrunk in %d runs to %d connections, %d ops:" %
              (tries, nconns, len(small)))
        for i, op in enumerate(small):
            print("    " + show_op(i, op))
        if again is not None:
            print("  at op %d, connection %d:\n    %s" %
                  (again.opno, again.conn, again.text))
        print("replay: XS_DIFF_SEED=%d sh tests/run-integration.sh build "
              "tests/integration/differential.sh" % seed)
        return 1
    print("differential: %d sequences, %d requests, %d messages compared, "
          "%.1f s" % (nseq, runner.ops, runner.messages, time.time() - t0))
    if args.verbose or args.stats:
        for k in sorted(runner.stats):
            print("  %-32s %d" % (k, runner.stats[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
