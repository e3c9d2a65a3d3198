# SPDX-License-Identifier: MIT
#
# A minimal xenstore wire client for the differential test: one unix
# socket connection, requests framed with the 16-byte header (type,
# req_id, tx_id, len, native byte order), and a reader that hands back
# every message (replies and watch events) in arrival order.  It knows
# nothing about what the messages mean; run.py compares them.

import select
import socket
import struct

HDR = struct.Struct("=IIII")
TIMEOUT = 20.0  # seconds without a byte before the daemon counts as hung


class WireError(Exception):
    pass


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, mtype, req_id, tx_id, payload):
        try:
            self.sock.sendall(HDR.pack(mtype, req_id, tx_id, len(payload)) +
                              payload)
        except OSError as e:
            raise WireError("cannot send: %s" % e)

    def _fill(self, block):
        if not block:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                return False
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise WireError("no answer within %d s (daemon hung?)" %
                            TIMEOUT)
        except OSError as e:
            raise WireError("connection failed: %s" % e)
        if not data:
            raise WireError("connection closed by the daemon")
        self.buf += data
        return True

    def _take(self):
        if len(self.buf) < HDR.size:
            return None
        mtype, req_id, tx_id, ln = HDR.unpack_from(self.buf)
        if len(self.buf) < HDR.size + ln:
            return None
        msg = (mtype, req_id, tx_id, self.buf[HDR.size:HDR.size + ln])
        self.buf = self.buf[HDR.size + ln:]
        return msg

    def recv(self):
        """The next message, waiting for it."""
        while True:
            m = self._take()
            if m is not None:
                return m
            self._fill(True)

    def poll(self):
        """The messages already available, without waiting."""
        out = []
        while True:
            m = self._take()
            if m is not None:
                out.append(m)
            elif not self._fill(False):
                return out
