#!/usr/bin/env python3
# cflowjson.py < TSHARK_JSON: one line per IPFIX/v9 flow record tshark
# decoded (tshark -T json, cflow): SPORT SMAC DMAC POSTSMAC POSTDMAC
# LABEL TC BOS PACKETS BYTES, "-" for a field the record has not.
import json
import sys

FIELDS = ("cflow.srcport", "cflow.srcmac", "cflow.dstmac",
          "cflow.post_srcmac", "cflow.post_dstmac", "cflow.mpls_label",
          "cflow.mpls_exp", "cflow.mpls_bos", "cflow.packets",
          "cflow.octets")


def leaves(d, out):
    for k, v in d.items():
        if isinstance(v, dict):
            if "cflow.srcport" in v:	# another record: not this one's
                continue
            leaves(v, out)
        elif isinstance(v, str) and k not in out:
            out[k] = v


def flows(node):
    if isinstance(node, dict):
        if "cflow.srcport" in node:
            rec = {}
            leaves(node, rec)
            yield rec
        for v in node.values():
            if isinstance(v, (dict, list)):
                yield from flows(v)
    elif isinstance(node, list):
        for x in node:
            yield from flows(x)


def norm(k, v):
    if k == "cflow.mpls_bos":
        return "1" if v.lower() in ("1", "true") else "0"
    if k == "cflow.mpls_exp" or k == "cflow.mpls_label":
        return str(int(v, 0))
    return v.lower()


def get(rec, k):
    for name in (k, k + "64"):	# IPFIX's 8-byte counters: octets64
        if name in rec:
            return norm(k, rec[name])
    return "-"


for rec in flows(json.load(sys.stdin)):
    print(" ".join(get(rec, k) for k in FIELDS))
