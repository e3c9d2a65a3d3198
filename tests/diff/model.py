# SPDX-License-Identifier: MIT
#
# The reference model of the differential test: xenstore's semantics for
# privileged (dom0 socket) clients, stated on its own terms and kept as
# small as possible.  It owns the committed tree, the connections' watches
# and transactions, and for each request it predicts the reply and the
# watch events every connection must receive, in order.  It knows nothing
# about the daemon's code; where the protocol leaves a choice open (child
# order, transaction conflicts), the rule the project chose is written
# down here, next to the code that applies it.
#
# The rules, in short:
#  * children are listed in creation order; WRITE/MKDIR create missing
#    parents ("implicit" nodes, same permissions as the nearest existing
#    ancestor, no event of their own);
#  * a change of P fires every watch on P or an ancestor of P (within the
#    watch's depth), reporting P, relative to the home path if the watch
#    was registered with a relative path; RM fires an exact event on each
#    removed descendant, children before parents and siblings in creation
#    order, then a subtree event on the node named;
#  * WATCH replies OK and then fires once with the path as registered;
#  * a transaction sees the committed tree through a private view: a node's
#    existence and permissions are fixed when it first touches the node, a
#    value when it first reads it, a child list when it first lists it;
#    each of those is an observation, recorded with the node's generation.
#    Commit fails with EAGAIN iff some observation no longer holds.
#    Creating or deleting a child observes only the parent's existence and
#    permissions, never its child list.  Events of a transaction fire at a
#    successful commit only, as one unordered batch: one event per node
#    an operation of the transaction changed (a removal of committed nodes
#    also owes an exact event on each node below), as Xen's C daemon.
#  * special nodes (@introduceDomain, @releaseDomain) are outside
#    transactions: GET_PERMS/SET_PERMS on them act on the committed node,
#    and their changes fire no tree watches.

import re

HOME = "/local/domain/0"
PAYLOAD_MAX = 4096
VALID = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_@")

# Message types (xs_wire.h).
DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH = 1, 2, 3, 4, 5
TXN_START, TXN_END, GET_DOMAIN_PATH = 6, 7, 10
WRITE, MKDIR, RM, SET_PERMS, WATCH_EVENT, ERROR = 11, 12, 13, 14, 15, 16
RESET_WATCHES, DIRECTORY_PART = 21, 22
TYPE_NAMES = {DIRECTORY: "DIRECTORY", READ: "READ", GET_PERMS: "GET_PERMS",
              WATCH: "WATCH", UNWATCH: "UNWATCH", TXN_START: "TXN_START",
              TXN_END: "TXN_END", GET_DOMAIN_PATH: "GET_DOMAIN_PATH",
              WRITE: "WRITE", MKDIR: "MKDIR", RM: "RM",
              SET_PERMS: "SET_PERMS", WATCH_EVENT: "EVENT", ERROR: "ERROR",
              RESET_WATCHES: "RESET_WATCHES",
              DIRECTORY_PART: "DIRECTORY_PART"}

# Ops that change the tree: they wait behind a transaction that has
# priority after repeated conflicts, so the generator keeps them away
# from such a transaction (see Model.may_defer).
MODIFYING = {"write", "mkdir", "rm", "set_perms", "end"}


class XsError(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def parent_of(path):
    i = path.rfind("/")
    return "/" if i <= 0 else path[:i]


def name_of(path):
    return path[path.rfind("/") + 1:]


def ancestors(path):
    """Strict ancestors of an absolute path, nearest first."""
    out = []
    while path != "/":
        path = parent_of(path)
        out.append(path)
    return out


def within(top, path):
    if top == "/":
        return path.startswith("/")
    return path == top or path.startswith(top + "/")


def depth_below(top, path):
    rest = path if top == "/" else path[len(top):]
    return rest.count("/")


def canonical(raw, special_ok):
    """The absolute form of a path as sent, or XsError EINVAL."""
    if raw.startswith("@") and not special_ok:
        raise XsError("EINVAL")
    p = raw if raw[:1] in ("/", "@") else HOME + "/" + raw
    if (not p or any(ch not in VALID for ch in p) or "//" in p or
            (len(p) > 1 and p.endswith("/"))):
        raise XsError("EINVAL")
    if raw[:1] != "@" and not p.startswith("/"):
        raise XsError("EINVAL")
    return p


def parse_perms(strings):
    """Canonical text of a permission list, or EINVAL; ENOENT if its only
    fault is an owner written as a number outside 0..65535 that names no
    domain (not one that wraps onto one in 32 bits, as Xen keeps it)."""
    if strings and re.fullmatch(r"[nrwb]-?[0-9]+", strings[0]):
        v = int(strings[0][1:])
        if (v < 0 or v > 65535) and -2147483647 <= v < (1 << 32) - 65536:
            parse_perms(["n0"] + list(strings[1:]))
            raise XsError("ENOENT")
    out = []
    for s in strings:
        if len(s) < 2 or s[0] not in "nrwb" or s[1] in "-+ ":
            raise XsError("EINVAL")
        try:
            v = int(s[1:], 0)
        except ValueError:
            raise XsError("EINVAL")
        if v < 0 or v > 65535:
            raise XsError("EINVAL")
        out.append("%s%d" % (s[0], v))
    if not out:
        raise XsError("EINVAL")
    return out


class Node:
    __slots__ = ("value", "perms", "kids", "pgen", "vgen", "cgen")

    def __init__(self, value, perms, gen):
        self.value = value
        self.perms = list(perms)
        self.kids = []
        self.pgen = self.vgen = self.cgen = gen


class Store:
    """The committed tree; every change returns the events it fires."""

    def __init__(self):
        self.gen = 0
        self.nodes = {}
        for p in ("/", "/tool", "/tool/xenstored"):
            self._link(p, Node(b"", ["n0"], self._tick()))
        self.special = {"@introduceDomain": ["n0"],
                        "@releaseDomain": ["n0", "r32757"]}

    def _tick(self):
        self.gen += 1
        return self.gen

    def _link(self, path, node):
        self.nodes[path] = node
        if path != "/":
            par = self.nodes[parent_of(path)]
            par.kids.append(name_of(path))
            par.cgen = node.cgen

    def create(self, path, perms, value, implicit):
        self._link(path, Node(value, perms, self._tick()))
        return [] if implicit else [(path, False)]

    def update(self, path, value, perms):
        n = self.nodes[path]
        g = self._tick()
        if value is not None:
            n.value, n.vgen = value, g
        if perms is not None:
            n.perms, n.pgen = list(perms), g
        return [(path, False)]

    def remove(self, path):
        events = []

        def walk(p):
            for k in list(self.nodes[p].kids):
                walk(p.rstrip("/") + "/" + k)
                events.append((p.rstrip("/") + "/" + k, True))
                self._unlink(p.rstrip("/") + "/" + k)

        walk(path)
        events.append((path, False))
        self._unlink(path)
        return events

    def _unlink(self, path):
        del self.nodes[path]
        par = self.nodes[parent_of(path)]
        par.kids.remove(name_of(path))
        par.cgen = self._tick()


class Seen:
    """What a view answers about one node."""
    __slots__ = ("exists", "perms")

    def __init__(self, exists, perms):
        self.exists = exists
        self.perms = perms


class Committed:
    """The view of a request outside any transaction."""

    def __init__(self, store, fire):
        self.store = store
        self.fire = fire  # fire(list of (path, exact)), in order

    def look(self, path):
        n = self.store.nodes.get(path)
        return Seen(n is not None, n.perms if n else None)

    def read_value(self, path):
        return self.store.nodes[path].value

    def children(self, path):
        n = self.store.nodes[path]
        return list(n.kids), ("c", path, n.cgen)

    def create(self, path, perms, value, implicit):
        self.fire(self.store.create(path, perms, value, implicit))

    def set_value(self, path, value):
        self.fire(self.store.update(path, value, None))

    def set_perms(self, path, perms):
        self.fire(self.store.update(path, None, perms))

    def rm(self, path):
        for ev in self.store.remove(path):
            self.fire([ev])


class Rec:
    """A transaction's record of one node it touched."""
    __slots__ = ("exists", "live", "perms", "value", "kids", "added",
                 "removed", "created", "implicit", "replaced", "vw", "pw",
                 "ctime", "lver", "fire")

    def __init__(self):
        self.exists = self.live = False
        self.perms = None
        self.value = None     # known value (read or written), else None
        self.kids = None      # child list once listed, else None
        self.added, self.removed = [], []  # changes before listing
        self.created = self.implicit = self.replaced = False
        self.vw = self.pw = False
        self.ctime = 0
        self.lver = 0         # changes of the listed child list
        self.fire = False     # an operation on it owes a watch event


class Txn:
    """A transaction's private view and its observations."""

    def __init__(self, store, label, txid, conn):
        self.store = store
        self.label = label
        self.id = txid
        self.conn = conn
        self.recs = {}
        self.shadows = set()  # created or deleted here: hide what is below
        self.obs = []         # (kind, path, generation seen)
        self.clock = 0
        self.versions = 0
        self.hot = False  # may hold priority (Model.may_defer)

    def _tick(self):
        self.clock += 1
        return self.clock

    def _bump(self, r):
        self.versions += 1
        r.lver = self.versions

    def rec(self, path):
        r = self.recs.get(path)
        if r is not None:
            return r
        r = Rec()
        if not any(a in self.shadows for a in ancestors(path)):
            n = self.store.nodes.get(path)
            self.obs.append(("p", path, n.pgen if n else 0))
            if n:
                r.exists = r.live = True
                r.perms = list(n.perms)
        self.recs[path] = r
        return r

    def look(self, path):
        r = self.rec(path)
        return Seen(r.exists, r.perms)

    def read_value(self, path):
        r = self.rec(path)
        if r.value is None:
            # First read: the committed value now.  A node that vanished
            # since the first touch reads as empty; the transaction is
            # doomed by its existence observation anyway.
            n = self.store.nodes.get(path)
            r.value = n.value if n else b""
            self.obs.append(("v", path, n.vgen if n else 0))
        return r.value

    def children(self, path):
        r = self.rec(path)
        if r.kids is None:
            n = self.store.nodes.get(path) if r.live else None
            base = []
            if n is not None:
                self.obs.append(("c", path, n.cgen))
                base = [k for k in n.kids if k not in r.removed]
            # A child the transaction created and that was created
            # outside too since: listed once.
            r.kids = base + [k for k in r.added if k not in base]
            self._bump(r)
        return list(r.kids), ("t", self.label, path, r.lver)

    def _child_added(self, par, name):
        if par.kids is not None:
            par.kids.append(name)
            self._bump(par)
        else:
            par.added.append(name)

    def _child_removed(self, par, name):
        if par.kids is not None:
            if name in par.kids:
                par.kids.remove(name)
            self._bump(par)
        elif name in par.added:
            par.added.remove(name)
        else:
            par.removed.append(name)

    def create(self, path, perms, value, implicit):
        r = self.rec(path)
        par = self.rec(parent_of(path))
        r.perms, r.value = list(perms), value
        r.exists = r.created = True
        r.implicit = implicit
        r.fire = r.fire or not implicit
        r.vw = r.pw = True
        r.kids, r.added, r.removed = [], [], []
        r.ctime = self._tick()
        self._bump(r)
        self.shadows.add(path)
        self._child_added(par, name_of(path))

    def set_value(self, path, value):
        r = self.rec(path)
        r.value, r.vw, r.implicit, r.fire = value, True, False, True

    def set_perms(self, path, perms):
        r = self.rec(path)
        r.perms, r.pw, r.implicit, r.fire = list(perms), True, False, True

    def _forget(self, path, r):
        r.exists = r.live = r.created = r.vw = r.pw = False
        r.value = None
        r.kids, r.added, r.removed = [], [], []
        self._bump(r)
        self.shadows.add(path)

    def rm(self, path):
        r = self.rec(path)
        par = self.rec(parent_of(path))
        if r.live:
            r.replaced = True
        self._forget(path, r)
        r.fire = True
        for p, k in self.recs.items():
            if p != path and within(path, p):
                self._forget(p, k)
        self._child_removed(par, name_of(path))

    def valid(self):
        for kind, path, g in self.obs:
            n = self.store.nodes.get(path)
            now = 0 if n is None else {"p": n.pgen, "v": n.vgen,
                                       "c": n.cgen}[kind]
            if now != g:
                return False
        return True

    def owed(self):
        """The events a commit fires: one per node an operation changed
        (in the order the transaction first touched them), a removal of
        committed nodes first owing an exact event on each node below."""
        events = []
        for path, r in self.recs.items():
            if not r.fire or (not r.exists and not r.replaced):
                continue
            if r.replaced and path in self.store.nodes:
                events += [(p, True) for p in self.store.nodes
                           if p != path and within(path, p)]
            events.append((path, False))
        return events

    def apply(self):
        """Commit (valid() must hold); returns the events, unordered."""
        st, events = self.store, self.owed()
        for path in sorted(self.recs, key=lambda p: p.count("/")):
            if self.recs[path].replaced and path in st.nodes:
                st.remove(path)
        made = [(r.ctime, p) for p, r in self.recs.items()
                if r.exists and r.created]
        for _, path in sorted(made):
            r = self.recs[path]
            st.create(path, r.perms, r.value, r.implicit)
        for path, r in self.recs.items():
            if r.exists and not r.created and (r.vw or r.pw):
                st.update(path, r.value if r.vw else None,
                          r.perms if r.pw else None)
        return events


class Watch:
    __slots__ = ("path", "token", "relative", "depth")

    def __init__(self, path, token, relative, depth):
        self.path, self.token = path, token
        self.relative, self.depth = relative, depth


class Conn:
    def __init__(self):
        self.watches = []
        self.txns = {}      # id -> Txn
        self.next_txid = 0
        self.failures = 0   # EAGAIN commits in a row


class Model:
    """Predicts replies and per-connection streams of messages.

    stream[c] is a list of groups; a group is (ordered, [messages], opno)
    where a message is (type, payload) and payload may be a tuple
    ("GEN", key, rest) for DIRECTORY_PART, whose generation string the
    comparison checks for consistency rather than equality.
    """

    def __init__(self, nconns):
        self.store = Store()
        self.conns = [Conn() for _ in range(nconns)]
        self.labels = {}    # txn label -> (conn, id) once started
        self.streams = [[] for _ in range(nconns)]
        self.opno = -1

    # --- events ---------------------------------------------------------
    def _matches(self, path, exact):
        """Per connection, the events one change fires."""
        out = [[] for _ in self.conns]
        for ci, c in enumerate(self.conns):
            for w in c.watches:
                if exact:
                    ok = w.path == path
                else:
                    ok = within(w.path, path) and (
                        w.depth < 0 or depth_below(w.path, path) <= w.depth)
                if ok:
                    ep = path[len(HOME) + 1:] if w.relative else path
                    ev = ep.encode() + b"\0" + w.token.encode() + b"\0"
                    # An event that does not fit in a message is dropped;
                    # one change sends a connection an event once, however
                    # many of its watches match with that token (Xen).
                    if len(ev) <= PAYLOAD_MAX and \
                            (WATCH_EVENT, ev) not in out[ci]:
                        out[ci].append((WATCH_EVENT, ev))
        return out

    def _emit(self, per_conn, ordered=False):
        for ci, msgs in enumerate(per_conn):
            if msgs:
                self.streams[ci].append((ordered or len(msgs) == 1, msgs,
                                         self.opno))

    def fire(self, events):
        for path, exact in events:
            self._emit(self._matches(path, exact))

    def fire_batch(self, events):
        per = [[] for _ in self.conns]
        for path, exact in events:
            for ci, msgs in enumerate(self._matches(path, exact)):
                per[ci] += msgs
        self._emit(per)

    def _reply(self, ci, mtype, payload):
        self.streams[ci].append((True, [(mtype, payload)], self.opno))

    # --- transactions and the priority rule ----------------------------
    def tx_id_for(self, label):
        """The header tx_id an op with this label sends."""
        if label is None:
            return 0
        got = self.labels.get(label)
        return got[1] if got else 0xdead

    def may_defer(self, ci, op):
        """True if op might wait behind another connection's transaction.

        A connection whose last three commits failed gets priority for its
        next transaction: changes from others then wait until it ends (or
        a timer runs out).  Which transaction holds it also depends on the
        timer, so this is deliberately conservative."""
        if op["op"] not in MODIFYING:
            return False
        for cj, c in enumerate(self.conns):
            if cj != ci and any(t.hot for t in c.txns.values()):
                return True
        return False

    # --- requests -------------------------------------------------------
    def request(self, opno, op):
        """Apply op; queue its reply (and events) in the streams."""
        self.opno = opno
        ci = op["c"]
        c = self.conns[ci]
        kind = op["op"]
        txid = self.tx_id_for(op.get("t"))
        try:
            if kind == "watch":
                self._watch(ci, op)
                return
            if kind == "unwatch":
                self._unwatch(ci, op)
                return
            if kind == "reset_watches":
                # An unknown tx_id is ENOENT, as for every request but
                # WATCH and UNWATCH (Xen's process_message).
                if txid and txid not in c.txns:
                    raise XsError("ENOENT")
                # Drops the connection's watches and transactions too.
                c.watches = []
                c.txns = {}
                self._reply(ci, RESET_WATCHES, b"OK\0")
                return
            if kind == "sync":
                self._reply(ci, GET_DOMAIN_PATH, b"/local/domain/0\0")
                return
            t = None
            if txid:
                t = c.txns.get(txid)
                if t is None:
                    raise XsError("ENOENT")
            if kind == "start":
                if t is not None:
                    raise XsError("EBUSY")
                self._start(ci, op)
                return
            if kind == "end":
                if t is None:
                    raise XsError("ENOENT")
                self._end(ci, t, op["commit"])
                return
            mtype, payload = self._node_op(ci, t, op)
            self._reply(ci, mtype, payload)
        except XsError as e:
            self._reply(ci, ERROR, e.name.encode() + b"\0")

    def _start(self, ci, op):
        c = self.conns[ci]
        while True:
            c.next_txid = (c.next_txid + 1) & 0xffffffff or 1
            if c.next_txid not in c.txns:
                break
        t = Txn(self.store, op["label"], c.next_txid, ci)
        t.hot = c.failures >= 3
        c.txns[t.id] = t
        self.labels[op["label"]] = (ci, t.id)
        self._reply(ci, TXN_START, b"%d\0" % t.id)

    def _end(self, ci, t, commit):
        c = self.conns[ci]
        del c.txns[t.id]
        if not commit:
            self._reply(ci, TXN_END, b"OK\0")
            return
        if not t.valid():
            c.failures += 1
            raise XsError("EAGAIN")
        c.failures = 0
        self.fire_batch(t.apply())
        self._reply(ci, TXN_END, b"OK\0")

    def _watch(self, ci, op):
        c = self.conns[ci]
        depth = op.get("depth", -1)
        if isinstance(depth, str):
            raise XsError("EINVAL")  # not a decimal number
        path = canonical(op["p"], True)
        if any(w.path == path and w.token == op["tok"] for w in c.watches):
            raise XsError("EEXIST")
        rel = op["p"][:1] not in ("/", "@")
        c.watches.append(Watch(path, op["tok"], rel, depth))
        self._reply(ci, WATCH, b"OK\0")
        self._emit([[(WATCH_EVENT, op["p"].encode() + b"\0" +
                      op["tok"].encode() + b"\0")] if i == ci else []
                    for i in range(len(self.conns))])

    def _unwatch(self, ci, op):
        c = self.conns[ci]
        try:
            path = canonical(op["p"], True)
        except XsError:
            raise XsError("ENOENT")  # no watch has such a path (Xen)
        for w in c.watches:
            if w.path == path and w.token == op["tok"]:
                c.watches.remove(w)
                self._reply(ci, UNWATCH, b"OK\0")
                return
        raise XsError("ENOENT")

    def _node_op(self, ci, t, op):
        kind = op["op"]
        if kind == "set_perms":
            # The list, and whether its owner can exist, before the path
            # (Xen's order).
            parse_perms(op["perms"])
        special_ok = kind in ("get_perms", "set_perms")
        path = canonical(op["p"], special_ok)
        if path.startswith("@"):
            return self._special(kind, path, op)
        view = t if t is not None else Committed(self.store, self.fire)
        return getattr(self, "_op_" + kind)(view, path, op)

    def _special(self, kind, path, op):
        new = parse_perms(op["perms"]) if kind == "set_perms" else None
        perms = self.store.special.get(path)
        if perms is None:
            raise XsError("ENOENT")
        if kind == "get_perms":
            return GET_PERMS, b"".join(p.encode() + b"\0" for p in perms)
        self.store.special[path] = new
        return SET_PERMS, b"OK\0"

    # A request that finds its node missing looks at the ancestors up to
    # the nearest existing one: for an unprivileged caller the error
    # (ENOENT or EACCES) depends on that ancestor's permissions.  Inside a
    # transaction each of those looks is an observation.
    def _missing(self, view, path):
        for a in ancestors(path):
            if view.look(a).exists:
                break
        return XsError("ENOENT")

    def _get(self, view, path):
        seen = view.look(path)
        if not seen.exists:
            raise self._missing(view, path)
        return seen

    def _op_read(self, view, path, op):
        self._get(view, path)
        return READ, view.read_value(path)

    def _op_get_perms(self, view, path, op):
        seen = self._get(view, path)
        return GET_PERMS, b"".join(p.encode() + b"\0" for p in seen.perms)

    def _op_set_perms(self, view, path, op):
        perms = parse_perms(op["perms"])
        self._get(view, path)
        view.set_perms(path, perms)
        return SET_PERMS, b"OK\0"

    def _op_directory(self, view, path, op):
        self._get(view, path)
        kids, _ = view.children(path)
        payload = b"".join(k.encode() + b"\0" for k in kids)
        if len(payload) > PAYLOAD_MAX:
            raise XsError("E2BIG")
        return DIRECTORY, payload

    def _op_directory_part(self, view, path, op):
        self._get(view, path)
        kids, key = view.children(path)
        names = b"".join(k.encode() + b"\0" for k in kids)
        # How many entries fit depends on the length of the generation
        # text, which only the daemon knows: the comparison finishes the
        # reply with directory_part_reply() once it has seen it.
        return DIRECTORY_PART, ("GEN", key, names, op["off"])

    def _create_path(self, view, path, value):
        top = None
        for a in ancestors(path):
            if view.look(a).exists:
                top = a
                break
        perms = list(view.look(top).perms)
        todo = []
        p = path
        while p != top:
            todo.append(p)
            p = parent_of(p)
        for p in reversed(todo):
            last = p == path
            view.create(p, perms, value if last else b"", not last)

    def _write(self, view, path, value, mkdir):
        seen = view.look(path)
        if not seen.exists:
            self._missing(view, path)
            self._create_path(view, path, value)
        elif not mkdir:
            view.set_value(path, value)

    def _op_write(self, view, path, op):
        self._write(view, path, op["v"], False)
        return WRITE, b"OK\0"

    def _op_mkdir(self, view, path, op):
        self._write(view, path, b"", True)
        return MKDIR, b"OK\0"

    def _op_rm(self, view, path, op):
        seen = view.look(path)
        if not seen.exists:
            self._missing(view, path)
            if not view.look(parent_of(path)).exists:
                raise XsError("ENOENT")
            return RM, b"OK\0"
        if path == "/":
            raise XsError("EINVAL")
        view.rm(path)
        return RM, b"OK\0"


def directory_part_reply(gen, names, off):
    """The DIRECTORY_PART payload for a list, given the generation text."""
    glen = len(gen) + 1
    take = 0
    while off + take < len(names):
        e = names.index(b"\0", off + take) - (off + take) + 1
        if glen + take + e + 1 > PAYLOAD_MAX:
            break
        take += e
    out = gen + b"\0" + names[off:off + take]
    if off + take >= len(names):
        out += b"\0"
    return out
