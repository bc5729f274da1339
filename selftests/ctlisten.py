#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ctlisten.py SECONDS: listen to ctnetlink's NEW and DESTROY event groups,
as conntrack -E does, with a 64 MiB receive queue, until SECONDS pass
without an event; print "new N destroy N enobufs N". The oracle of "the
other event listeners still get every event": conntrack -E itself loses
events of a burst (it says ENOBUFS) with or without flowmeter."""
import socket
import struct
import sys

NETLINK_NETFILTER = 12
SO_RCVBUFFORCE = 33
NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_DESTROY = 1, 3
IPCTNL_MSG_CT_NEW, IPCTNL_MSG_CT_DELETE = 0, 2

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
s.bind((0, 1 << (NFNLGRP_CONNTRACK_NEW - 1) | 1 << (NFNLGRP_CONNTRACK_DESTROY - 1)))
print("listening", flush=True)
s.settimeout(float(sys.argv[1]))
new = destroy = enobufs = 0
while True:
    try:
        d = s.recv(1 << 16)
    except socket.timeout:
        break
    except OSError:
        enobufs += 1
        continue
    off = 0
    while off + 16 <= len(d):
        ln, ty = struct.unpack_from("IH", d, off)
        if ln < 16:
            break
        if ty & 0xff == IPCTNL_MSG_CT_NEW:
            new += 1
        elif ty & 0xff == IPCTNL_MSG_CT_DELETE:
            destroy += 1
        off += (ln + 3) & ~3
print("new %d destroy %d enobufs %d" % (new, destroy, enobufs))
