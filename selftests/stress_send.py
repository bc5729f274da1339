#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""stress_send.py DST4 DST6 DPORT FLOWS CPUS

Senders for the stress tests, started once and driven from stdin, since
starting Python for every cycle costs seconds on a slow emulated machine.
One child per CPU of CPUS (comma-separated), pinned to it. Each line
"SPORT COUNT" read has the k-th child send COUNT datagrams of 64 bytes
round robin from FLOWS sockets bound to source ports SPORT + k * FLOWS +
j, to DST4 (even k) or DST6 (odd k): distinct flows per CPU, IPv4 and
IPv6; once all are done, the total sent is printed. COUNT 0: they send,
with short pauses, until the line "stop"; "started" is printed once
every one has sent 16 datagrams, the total after the stop. Send errors (the route
or device gone under a sender) are not counted: the total is the truth a
test compares the collector's count with.
"""
import os
import select
import socket
import sys
import time


def readline(fd):
    """One line from fd, unbuffered: select() on fd must see the next."""
    line = b""
    while not line.endswith(b"\n"):
        c = os.read(fd, 1)
        if not c:
            break
        line += c
    return line.decode()


def child(k, cpu, dst, dport, flows, cmd, res):
    os.sched_setaffinity(0, {cpu})
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    any_addr = "::" if fam == socket.AF_INET6 else "0.0.0.0"
    payload = bytes(64)
    for line in iter(lambda: readline(cmd), ""):
        sport, count = (int(x) for x in line.split())
        socks = []
        for j in range(flows):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((any_addr, sport + k * flows + j))
            socks.append(s)
        sent = i = 0
        while True:
            if count:
                if i == count:
                    break
            elif i % 16 == 0:
                if i == 16:
                    res.write("started\n")
                    res.flush()
                if select.select([cmd], [], [], 0)[0]:
                    readline(cmd)   # "stop"
                    break
                # leave the CPU some time for the test's own commands
                time.sleep(0.002)
            try:
                if socks[i % flows].sendto(payload, (dst, dport)) == 64:
                    sent += 1
            except OSError:
                pass
            i += 1
        for s in socks:
            s.close()
        res.write("%d\n" % sent)
        res.flush()


def main():
    dst4, dst6, dport, flows = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    cpus = [int(c) for c in sys.argv[5].split(",")]
    kids = []
    for k, cpu in enumerate(cpus):
        cr, cw = os.pipe()
        rr, rw = os.pipe()
        if os.fork() == 0:
            os.close(cw)
            os.close(rr)
            try:
                child(k, cpu, dst6 if k % 2 else dst4, dport, flows,
                      cr,
                      os.fdopen(rw, "w"))
            finally:
                os._exit(0)
        os.close(cr)
        os.close(rw)
        kids.append((os.fdopen(cw, "w", buffering=1), os.fdopen(rr, "r")))
    for line in sys.stdin:
        for w, _ in kids:
            w.write(line)
        if line.split()[-1] == "0":
            if not all(r.readline() == "started\n" for _, r in kids):
                sys.exit("stress_send: a sender failed to start")
            print("started", flush=True)
            stop = sys.stdin.readline()
            for w, _ in kids:
                w.write(stop)
        counts = [r.readline().strip() for _, r in kids]
        if not all(c.isdigit() for c in counts):
            sys.exit("stress_send: a sender failed")
        print(sum(int(c) for c in counts), flush=True)


if __name__ == "__main__":
    main()
