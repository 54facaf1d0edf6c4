#!/usr/bin/env python3
"""Splits end-to-end latency where it crosses the wire, from a packet capture of `brook bench
e2e` or `brook bench compare --only e2e` (bench/tools/e2e-wire-split takes the capture).

Each record's value starts with its intended send time (bench/end_to_end.cc: 8 bytes, the
bench's steady clock in nanoseconds), so the same 8 bytes mark the record in the packet that
produces it and in the packet that delivers it. Per server port, for each record:

  server's own time   from the later of (the record arriving, the reader's read request
                      arriving) to the packet delivering it: what the server itself adds
  wait for a request  from the record arriving to the reader's next read request, when none
                      was waiting (the reader's turnaround, which the server cannot shorten)

Read requests: Fetch (api_key 1) on brook's and Kafka's framing, XREAD on Redis, a pull
request (CONSUMER.MSG.NEXT) on NATS. Standard library only.

usage: e2e_wire_split.py CAPTURE.pcap STAMP_FROM STAMP_TO [--name PORT=LABEL ...]
  STAMP_FROM, STAMP_TO: the bench's steady clock (CLOCK_MONOTONIC, ns) before and after it ran
"""
import argparse
import bisect
import struct
import sys
from collections import defaultdict

LINK_HEADER = {1: 14, 113: 16, 276: 20}  # Ethernet (lo), Linux cooked v1, v2.


def packets(path):
    """Yields (time_ns, src_port, dst_port, tcp_flags, payload) for each IPv4 TCP packet."""
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit(f"{path}: not a little-endian pcap file (pcapng is not read; tcpdump -w writes pcap)")
    nanos = magic == 0xA1B23C4D
    link = struct.unpack_from("<I", data, 20)[0]
    if link not in LINK_HEADER:
        sys.exit(f"{path}: link type {link} is not read (capture on lo)")
    skip = LINK_HEADER[link]
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from("<IIII", data, pos)
        pkt = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ip = pkt[skip:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        tcp = ip[(ip[0] & 15) * 4:]
        if len(tcp) < 20:
            continue
        sport, dport = struct.unpack_from(">HH", tcp, 0)
        time_ns = sec * 1_000_000_000 + (frac if nanos else frac * 1000)
        yield time_ns, sport, dport, tcp[13], tcp[(tcp[12] >> 4) * 4:]


def stamps_in(payload, tops, lo, hi):
    """The 8-byte little-endian stamps in [lo, hi] found in payload."""
    found = []
    for top in tops:
        i = payload.find(top)
        while i != -1:
            if i >= 5:
                value = struct.unpack_from("<q", payload, i - 5)[0]
                if lo <= value <= hi:
                    found.append(value)
            i = payload.find(top, i + 1)
    return found


def protocol_of(first_request):
    if first_request.startswith(b"*"):
        return "Redis"
    if first_request.startswith((b"CONNECT", b"PING", b"SUB", b"PUB")):
        return "NATS"
    return "brook/Kafka framing"


def is_read_request(protocol, payload):
    if protocol == "Redis":
        return b"XREAD" in payload
    if protocol == "NATS":
        return b"CONSUMER.MSG.NEXT" in payload
    # A frame's start: length, then api_key (Fetch = 1) and an api_version below 100.
    return len(payload) >= 8 and payload[4:6] == b"\x00\x01" and payload[6] == 0 and payload[7] < 100


def percentiles(values):
    values = sorted(values)
    if not values:
        return "no records"
    pick = lambda p: values[min(len(values) - 1, int(len(values) * p))] / 1e6
    return "p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  p99.9 {:.3f} ms".format(
        pick(0.5), pick(0.9), pick(0.99), pick(0.999))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("capture")
    parser.add_argument("stamp_from", type=int)
    parser.add_argument("stamp_to", type=int)
    parser.add_argument("--name", action="append", default=[], help="PORT=LABEL")
    args = parser.parse_args()
    names = dict(item.split("=", 1) for item in args.name)
    lo, hi = args.stamp_from, args.stamp_to
    tops = {struct.pack("<q", v)[5:8] for v in range(lo, hi + 1, 1 << 40)} | {
        struct.pack("<q", hi)[5:8]}

    servers = set()
    first_request = {}
    arrived = defaultdict(dict)    # server port -> stamp -> first time it reached the server
    delivered = defaultdict(dict)  # server port -> stamp -> first time it left the server
    requests = defaultdict(list)   # server port -> (time, payload) of every inbound packet
    for time_ns, sport, dport, flags, payload in packets(args.capture):
        if flags & 0x12 == 0x02:  # SYN without ACK: dport is a server's.
            servers.add(dport)
        inbound = dport in servers
        server = dport if inbound else sport
        if server not in servers or not payload:
            continue
        if inbound:
            first_request.setdefault(server, payload)
            requests[server].append((time_ns, payload))
        side = arrived if inbound else delivered
        for stamp in stamps_in(payload, tops, lo, hi):
            side[server].setdefault(stamp, time_ns)

    for server in sorted(servers):
        matched = [s for s in arrived[server] if s in delivered[server]]
        if not matched:
            continue
        protocol = protocol_of(first_request.get(server, b""))
        reads = sorted(t for t, p in requests[server] if is_read_request(protocol, p))
        own, waited = [], []
        for stamp in matched:
            t_in, t_out = arrived[server][stamp], delivered[server][stamp]
            k = bisect.bisect_right(reads, t_out) - 1
            t_read = reads[k] if k >= 0 else t_in
            own.append(t_out - max(t_in, t_read))
            waited.append(max(0, t_read - t_in))
        label = names.get(str(server), protocol)
        print(f"{label} (port {server}): {len(matched)} records, {len(reads)} read requests; "
              f"{sum(1 for w in waited if w > 0)} records arrived with no read request waiting")
        print(f"  server's own time     {percentiles(own)}")
        print(f"  wait for a request    {percentiles(waited)}")
        print(f"  arrival to delivery   "
              f"{percentiles([delivered[server][s] - arrived[server][s] for s in matched])}")


if __name__ == "__main__":
    main()
