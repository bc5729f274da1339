#!/usr/bin/env python3
# flowgen.py SRC DST PORT FLOWS SECONDS [SIZE]: flood of new flows. Sends
# IPv4 UDP datagrams SRC -> DST:PORT from FLOWS source ports (1024 on),
# with SIZE bytes of payload (16), or with SIZE "vary", 16 + i % 61 for
# the flow of source port 1024 + i (so that a reader can tell flows apart
# by their byte counts),
# one after the other, round after round, for SECONDS seconds (at least
# one round), from one raw socket: far faster than a socket per flow.
# Prints the number of datagrams sent. Traffic stays in the test's
# namespaces.
import socket
import struct
import sys
import time

src, dst = socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[2])
port, flows, secs = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
size = sys.argv[6] if len(sys.argv) > 6 else "16"
if not 0 < flows <= 64000:
    sys.exit("flowgen: FLOWS must be 1..64000")


def flow_size(i):
    return 16 + i % 61 if size == "vary" else int(size)



# The kernel fills in the IP checksum, id and total length (IPPROTO_RAW);
# a UDP checksum of 0 means none.
hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 17, 0, src, dst)
pkts = [hdr + struct.pack("!HHHH", 1024 + i, port, 8 + flow_size(i), 0) +
        bytes(flow_size(i)) for i in range(flows)]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
to = (sys.argv[2], 0)
sent = 0
end = time.monotonic() + secs
while True:
    for p in pkts:
        while True:
            try:
                s.sendto(p, to)
                break
            except BlockingIOError:
                time.sleep(0.001)
            except OSError as e:  # ENOBUFS under load: retry
                if e.errno != 105:
                    raise
                time.sleep(0.001)
    sent += flows
    if time.monotonic() >= end:
        break
print(sent)
