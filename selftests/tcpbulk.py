#!/usr/bin/env python3
# tcpbulk.py recv PORT: accept connections on PORT (IPv4 and IPv6), one
# after the other, each read to EOF and closed.
# tcpbulk.py send DST PORT BYTES STATE [DSTOPTS]: connect (DSTOPTS: with
# an 8-byte IPv6 destination options header, PadN, in every segment),
# send BYTES, wait until
# all of it is acknowledged, then write "SPORT BYTES_SENT" to STATE
# (BYTES_SENT: the payload octets of every segment sent, retransmissions
# included: tcpi_bytes_sent) and keep the connection open and silent
# until STATE.go exists, so that the sender's counters and the meter's
# flow can be read while the flow is still live (a FIN ends it). Then
# close and read to EOF.
import os
import socket
import struct
import sys
import time

TCP_INFO = 11
IPV6_DSTOPTS = 59
# struct tcp_info (linux/tcp.h): offsets of the fields read here
UNACKED, NOTSENT, BYTES_SENT, INFO_LEN = 24, 144, 200, 232


def wait_for(cond, what):
	end = time.monotonic() + 60
	while not cond():
		if time.monotonic() > end:
			sys.exit("tcpbulk: timed out waiting for " + what)
		time.sleep(0.05)


def recv(port):
	ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
	ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(('::', port))
	ls.listen(4)
	while True:
		c, _ = ls.accept()
		while c.recv(1 << 20):
			pass
		c.close()


def send(dst, port, nbytes, state, dstopts):
	fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_STREAM)
	if dstopts:
		# next header (the kernel's), length 0 (8 bytes), PadN of 4
		s.setsockopt(socket.IPPROTO_IPV6, IPV6_DSTOPTS,
			     bytes([0, 0, 1, 4, 0, 0, 0, 0]))
	s.connect((dst, port))
	buf = b'x' * 65536
	left = nbytes
	while left:
		n = min(left, len(buf))
		s.sendall(buf[:n])
		left -= n

	def info():
		return s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, INFO_LEN)

	def acked():
		i = info()
		return (struct.unpack_from('I', i, UNACKED)[0] == 0 and
			struct.unpack_from('I', i, NOTSENT)[0] == 0)
	wait_for(acked, "the receiver's acknowledgements")
	sent = struct.unpack_from('Q', info(), BYTES_SENT)[0]
	with open(state + '.tmp', 'w') as f:
		f.write('%d %d\n' % (s.getsockname()[1], sent))
	os.rename(state + '.tmp', state)
	wait_for(lambda: os.path.exists(state + '.go'), state + '.go')
	s.shutdown(socket.SHUT_WR)
	while s.recv(65536):
		pass
	s.close()


if sys.argv[1] == 'recv':
	recv(int(sys.argv[2]))
else:
	send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
	     sys.argv[6:] == ['dstopts'])
