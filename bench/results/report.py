#!/usr/bin/env python3
"""Writes bench/RESULTS.md and its plots from the JSON that regenerate.sh collected.

Usage: report.py RESULTS_DIR OUTPUT_MD. Reads RESULTS_DIR/compare.json and size-*.json (the
output of `brook bench compare --json`) and the .cmd file beside each, draws
RESULTS_DIR/throughput-vs-value-size.png and RESULTS_DIR/latency.png with gnuplot, and writes
the markdown. Python's standard library only.
"""
import datetime
import json
import math
import os
import platform
import subprocess
import sys

KAFKA = "brook (Kafka listener, librdkafka)"
PEERS = ["Redis Streams", "NATS JetStream"]
SYSTEMS = ["brook", KAFKA] + PEERS


def load(path):
    with open(path) as f:
        return json.load(f)


def command(results, name):
    with open(os.path.join(results, name + ".cmd")) as f:
        return f.read().strip()


def sh(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    debian = ""
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version") as f:
            debian = "Debian " + f.read().strip()
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "os": f"{debian}, Linux {platform.release()}",
        "redis": sh("redis-server", "--version"),
        "nats": sh("nats-server", "--version"),
        "brook": sh("git", "log", "-1", "--format=%h %s"),
    }


def thousands(x):
    return f"{x:,.0f}"


def median_of(row, system):
    for cell in row["systems"]:
        if cell["system"] == system:
            return cell["median_records_per_second"], cell["median_megabytes_per_second"]
    return None, None


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else ""


def throughput_table(compare):
    lines = ["| workload | brook | Kafka listener | Kafka / brook | Redis Streams | brook / Redis | "
             "NATS JetStream | brook / NATS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in compare["rows"]:
        cells = [row["title"]]
        brook, _ = median_of(row, "brook")
        kafka, _ = median_of(row, KAFKA)
        cells += [thousands(brook), thousands(kafka) if kafka else "n/a", ratio(kafka, brook)]
        for peer in PEERS:
            theirs, _ = median_of(row, peer)
            if theirs is None:
                cells += ["n/a", ""]
            else:
                cells += [thousands(theirs), f"{brook / theirs:.1f}×"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_table(compare):
    """Server CPU per record (µs) per system, and the Kafka listener's over brook's client's."""
    def cpu(row, system):
        for cell in row["systems"]:
            if cell["system"] == system:
                return cell.get("median_server_cpu_us_per_record")
        return None
    lines = ["| workload | brook | Kafka listener | Kafka / brook | Redis Streams | NATS JetStream |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in compare["rows"]:
        values = [cpu(row, s) for s in SYSTEMS]
        cells = [f"{v:.3f}" if v is not None else "n/a" for v in values]
        cells.insert(2, ratio(values[1], values[0]))
        lines.append(f"| {row['title']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def settings_list(compare):
    out = []
    for row in compare["rows"]:
        out.append(f"* **{row['title']}**")
        for cell in row["systems"]:
            runs = " · ".join(thousands(r["records_per_second"]) for r in cell["runs"])
            out.append(f"  * {cell['system']}: {cell['settings']} (runs: {runs})")
        if row["missing"]:
            out.append(f"  * {row['missing']}")
    return "\n".join(out)


def latency_table(latency):
    lines = ["| system | p50 | p90 | p99 | p99.9 | max | records/s | p99 / brook's |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    brook_p99 = latency["systems"][0]["median_p99_ms"]
    for s in latency["systems"]:
        rate = sorted(r["achieved_rate"] for r in s["runs"])[len(s["runs"]) // 2]
        lines.append(
            f"| {s['system']} | {s['median_p50_ms']:.3f} | {s['median_p90_ms']:.3f} | "
            f"{s['median_p99_ms']:.3f} | {s['median_p99.9_ms']:.3f} | {s['median_max_ms']:.3f} | "
            f"{rate:,.0f} | {s['median_p99_ms'] / brook_p99:.2f}× |")
    lines.append("")
    for s in latency["systems"]:
        lines.append(f"* {s['system']}: {s['settings']}")
    return "\n".join(lines)


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def plot_throughput(results, sizes):
    """throughput-vs-value-size.png: MB/s of values against value size, produce and consume."""
    data = os.path.join(results, "throughput.dat")
    with open(data, "w") as f:
        for workload in ["produce", "consume"]:
            f.write(f"# {workload}: size " + " ".join(f'"{s}"' for s in SYSTEMS) + "\n")
            for size, report in sizes:
                row = next(r for r in report["rows"] if r["workload"] == workload)
                values = [median_of(row, s)[1] or float("nan") for s in SYSTEMS]
                f.write(f"{size} " + " ".join(f"{v:.3f}" for v in values) + "\n")
            f.write("\n\n")
    png = os.path.join(results, "throughput-vs-value-size.png")
    lines = ", ".join(f"'{data}' index IDX using 1:{i + 2} with linespoints lw 2 pt 7 title '{s}'"
                      for i, s in enumerate(SYSTEMS))
    gnuplot(f"""
set terminal pngcairo size 1200,500 font ',11'
set output '{png}'
set multiplot layout 1,2
set logscale xy
set grid
set xlabel 'value size (bytes)'
set ylabel 'MB/s of values (median)'
set xrange [7:14000]
set xtics ('10 B' 10, '100 B' 100, '1 KB' 1000, '10 KB' 10000)
set key top left
set title 'produce (brook acks=1, Redis everysec, NATS file storage)'
plot {lines.replace('IDX', '0')}
set title 'consume (one reader from a filled topic or stream)'
plot {lines.replace('IDX', '1')}
unset multiplot
""")
    return png


def plot_latency(results, latency):
    """latency.png: latency against percentile (log of 1/(1-q)), one line per system."""
    data = os.path.join(results, "latency.dat")
    with open(data, "w") as f:
        for s in latency["systems"]:
            f.write(f"# {s['system']}\n")
            for q, ms in s["spectrum"]:
                if q < 1.0:
                    f.write(f"{1 / (1 - q):.6g} {ms:.4f}\n")
            f.write("\n\n")
    png = os.path.join(results, "latency.png")
    lines = ", ".join(f"'{data}' index {i} using 1:2 with linespoints lw 2 pt 7 title '{s['system']}'"
                      for i, s in enumerate(latency["systems"]))
    gnuplot(f"""
set terminal pngcairo size 900,500 font ',11'
set output '{png}'
set logscale xy
set grid
set xlabel 'percentile'
set ylabel 'end-to-end latency (ms)'
set xtics ('0%%' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set key top left
set title 'end-to-end latency at {latency['rate']:,.0f} records/s, {latency['value_size']}-byte values (all runs)'
plot {lines}
""")
    return png


def main():
    results, output = sys.argv[1], sys.argv[2]
    compare = load(os.path.join(results, "compare.json"))
    sizes = sorted(
        (int(name[5:-5]), load(os.path.join(results, name)))
        for name in os.listdir(results) if name.startswith("size-") and name.endswith(".json"))
    rel = lambda path: os.path.relpath(path, os.path.dirname(output))
    throughput_png = plot_throughput(results, sizes)
    latency_png = plot_latency(results, compare["latency"]) if compare["latency"] else None
    m = machine()
    o = compare["options"]
    size_rows = ["| value size | workload | brook MB/s | Kafka listener MB/s | Redis MB/s | NATS MB/s | "
                 "brook / Redis | brook / NATS |",
                 "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size, report in sizes:
        for row in report["rows"]:
            mbs = [median_of(row, s)[1] for s in SYSTEMS]
            kafka = f"{mbs[1]:.1f}" if mbs[1] is not None else "n/a"
            size_rows.append(f"| {size} B | {row['workload']} | {mbs[0]:.1f} | {kafka} | {mbs[2]:.1f} | "
                             f"{mbs[3]:.1f} | {mbs[0] / mbs[2]:.1f}× | {mbs[0] / mbs[3]:.1f}× |")
    commands = [command(results, "compare")] + [command(results, f"size-{s}") for s, _ in sizes]
    md = f"""# brook side by side with Redis Streams and NATS JetStream

Generated by `bench/results/regenerate.sh` on {datetime.date.today().isoformat()}; do not edit by
hand: run the script again (raw JSON and plot data are in [results/](results/)).

* Machine: {m['cpu']}, {m['memory']} of memory; {m['os']}. Everything on loopback, on this one
  machine: every server (`brook serve`, redis-server, nats-server) as its own process, started by
  the bench; brook measured through its own client and through its Kafka listener (librdkafka).
* brook: `{m['brook']}`. Redis: {m['redis']}. NATS: {m['nats']} (Debian 12's packages).
* Median of {compare['runs']} runs per figure; runs are interleaved across systems. These
  machines are noisy: single figures move by up to a third between runs, ratios less.

## Throughput: {thousands(o['records'])} records of {o['value_size']} bytes (records/s)

{throughput_table(compare)}

### Server CPU per record (µs)

The server process's CPU time (user + system) during the timed part of each run, divided by the
run's records; medians over runs.

{cpu_table(compare)}

## End-to-end latency

From each record's *intended* send time on a fixed-rate schedule to the moment the consumer
receives it, so a sender that falls behind shows up in the figures (coordinated omission is
counted). Milliseconds; medians over runs.

{latency_table(compare['latency']) if compare['latency'] else 'not run'}

{f'![latency distribution]({rel(latency_png)})' if latency_png else ''}

## Throughput against value size (produce and consume, MB/s of values)

![throughput against value size]({rel(throughput_png)})

{chr(10).join(size_rows)}

## How each system ran

{settings_list(compare)}

## What an acknowledged record survives at these settings

""" + "\n".join(f"* **{d['system']}**: {d['guarantee']}" for d in compare["durability"]) + f"""

## Commands

```sh
bench/results/regenerate.sh        # all of the below, then this file
""" + "\n".join(commands) + "\n```\n"
    with open(output, "w") as f:
        f.write(md)


if __name__ == "__main__":
    main()
