"""A real brook broker for Python tests.

BrookBroker.start() spawns the brook binary in memory on free ports and waits for its ready
line; stop() ends it. The broker speaks Kafka, so kafka-python, confluent-kafka or aiokafka
connect to broker.kafka. reset(), advance_clock() and add_fault() drive it through the brook
CLI. conftest.py shows it as pytest fixtures. Copy this file into your project: it finds the
binary in $BROOK_BINARY, else `brook` on PATH.
"""
import json
import os
import signal
import subprocess


def brook_binary():
    return os.environ.get("BROOK_BINARY", "brook")


class BrookBroker:
    def __init__(self, process, ready):
        self.process = process
        self.kafka = ready["kafka"]    # HOST:PORT: bootstrap_servers for Kafka clients
        self.native = ready["native"]  # HOST:PORT of brook's own protocol (the CLI's)

    @classmethod
    def start(cls, manual_clock=False, flags=()):
        """Starts a fresh broker in memory; raises RuntimeError if it does not start."""
        args = [brook_binary(), "serve", "--in-memory", "--listen", "127.0.0.1:0",
                "--kafka-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--exit-with-parent", "--log-level", "warn"]
        if manual_clock:
            args += ["--clock", "manual"]
        args += list(flags)
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = process.stdout.readline()
        try:
            ready = json.loads(line)
        except ValueError:
            process.kill()
            process.wait()
            raise RuntimeError(f"brook did not start (first line: {line!r})")
        return cls(process, ready)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=10)
        self.process.stdout.close()
        if code != 0:
            raise RuntimeError(f"brook exited with {code}")

    def cli(self, *args):
        """Runs `brook ARGS --bootstrap NATIVE` and returns its output."""
        done = subprocess.run([brook_binary(), *args, "--bootstrap", self.native],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"brook {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def reset(self):
        """Drops every topic, group, offset and armed fault: the broker is as new."""
        self.cli("reset", "--yes")

    def advance_clock(self, seconds):
        """Moves a manual_clock broker's clock forward: retention, session timeouts and
        everything else the broker times see the time pass."""
        self.cli("clock", "advance", f"{int(seconds * 1000)}ms")

    def add_fault(self, *flags):
        """Arms a fault: `brook fault add` flags, e.g. "--api", "Produce", "--error",
        "NOT_LEADER_OR_FOLLOWER", "--count", "2"."""
        self.cli("fault", "add", *flags)

    def faults(self):
        """The armed faults, each a dict with its id, api, action, remaining, matched and
        fired counts (`brook fault list --json`)."""
        return [json.loads(line) for line in self.cli("fault", "list", "--json").splitlines()
                if line]
