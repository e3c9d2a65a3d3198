#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""xs-hold: a raw client on $XENSTORED_PATH that keeps a connection open
for the live-update tests.  Each argument is one step:

  start        TRANSACTION_START; prints "start <id>" (or the error)
  write:P=V    WRITE in the current transaction (the last start's)
  end:T|F      TRANSACTION_END of it
  wait:FILE    wait until FILE exists
  print:TEXT   print TEXT (a marker for the test)

Every reply is printed as "<step> <reply>", flushed at once, so a test
can see how far it got.
"""
import os
import socket
import struct
import sys
import time

XS_TRANSACTION_START, XS_TRANSACTION_END, XS_WRITE, XS_ERROR = 6, 7, 11, 16


def call(sock, mtype, tx, payload):
    sock.sendall(struct.pack("<IIII", mtype, 1, tx, len(payload)) + payload)
    hdr = b""
    while len(hdr) < 16:
        hdr += sock.recv(16 - len(hdr))
    rtype, _, _, rlen = struct.unpack("<IIII", hdr)
    body = b""
    while len(body) < rlen:
        body += sock.recv(rlen - len(body))
    text = body.rstrip(b"\0").decode()
    return ("ERROR " + text) if rtype == XS_ERROR else text


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ["XENSTORED_PATH"])
    tx = 0
    for step in sys.argv[1:]:
        op, _, arg = step.partition(":")
        if op == "start":
            reply = call(sock, XS_TRANSACTION_START, 0, b"\0")
            if not reply.startswith("ERROR"):
                tx = int(reply)
        elif op == "write":
            path, _, value = arg.partition("=")
            reply = call(sock, XS_WRITE, tx, path.encode() + b"\0" +
                         value.encode())
        elif op == "end":
            reply = call(sock, XS_TRANSACTION_END, tx, arg.encode() + b"\0")
            tx = 0
        elif op == "wait":
            while not os.path.exists(arg):
                time.sleep(0.02)
            reply = "done"
        else:
            reply = arg
        print(op, reply, flush=True)


main()
