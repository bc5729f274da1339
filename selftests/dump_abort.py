#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# dump_abort.py ROUNDS: start ROUNDS flow dumps (FM_CMD_GET_FLOWS) and
# abandon each: close the socket without reading, after the first read,
# or half way. Prints JSON: the rounds, how many reads each abandoned dump
# got before it closed, and whether any ended (NLMSG_DONE) before it was
# abandoned: a dump too short to abandon proves nothing.
import json
import socket
import struct
import sys

from genl import CMD, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE, Genl

rounds = int(sys.argv[1])
done_early, reads = 0, []
for i in range(rounds):
    g = Genl()
    g.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    body = struct.pack("=BBH", CMD["get_flows"], 1, 0)
    g.sock.send(struct.pack("=IHHII", 16 + len(body), g.id,
                            NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    want = (0, 1, 20)[i % 3]	# reads before closing
    n = 0
    while n < want:
        buf, off = g.sock.recv(1 << 16), 0
        n += 1
        while off + 16 <= len(buf):
            ln, mtype = struct.unpack_from("=IH", buf, off)
            if mtype == NLMSG_DONE:
                done_early += 1
                want = 0
            off += (ln + 3) & ~3
    g.sock.close()
    reads.append(n)
print(json.dumps({"rounds": rounds, "done_early": done_early,
                  "reads": sorted(set(reads))}))
