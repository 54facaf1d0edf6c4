#!/usr/bin/env python3
"""The bank account of the event-sourcing tutorials, on brook's event store over HTTP.

Standard library only: any language with an HTTP client does the same. It starts a broker
(the brook binary in $BROOK_BINARY, else `brook` on PATH) in memory, then:

  * an Account aggregate rebuilt from its events (the latest snapshot plus the events after
    it, in one call), deposit/withdraw commands that append with the expected revision, and a
    retry when another writer got there first (WRONG_EXPECTED_VERSION);
  * a snapshot every SNAPSHOT_EVERY events;
  * two tellers depositing into the same account at once: every deposit lands exactly once;
  * a projection of every balance, fed by a long-polling read of $all from a named
  * checkpoint, which agrees with the aggregates at the end.

Exits 0 when every check holds. Run: python3 examples/event-store/bank_account_http.py
"""
import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
import uuid

SNAPSHOT_EVERY = 5


class Broker:
    def __init__(self):
        args = [os.environ.get("BROOK_BINARY", "brook"), "serve", "--in-memory",
                "--listen", "127.0.0.1:0", "--kafka-listen", "off",
                "--http-listen", "127.0.0.1:0", "--exit-with-parent", "--log-level", "warn"]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        self.http = "http://" + json.loads(self.process.stdout.readline())["http"]

    def call(self, api, body):
        """POST /api/v1/API with a JSON body; returns the JSON answer or raises ApiError."""
        request = urllib.request.Request(f"{self.http}/api/v1/{api}", json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise ApiError(json.load(error)) from None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=10) == 0


class ApiError(Exception):
    def __init__(self, answer):
        super().__init__(f"{answer['error']}: {answer['message']}")
        self.code = answer["error"]


class Conflict(Exception):
    """Another writer appended to the stream first: reload and decide again."""


class Account:
    """The aggregate: its state is a fold of its events."""

    def __init__(self, account_id):
        self.stream = f"account-{account_id}"
        self.revision = -1  # The last event applied (-1: no stream yet).
        self.balance = 0
        self.open = False

    def apply(self, event_type, data):
        if event_type == "Opened":
            self.open = True
        elif event_type == "Deposited":
            self.balance += data["amount"]
        elif event_type == "Withdrawn":
            self.balance -= data["amount"]

    @classmethod
    def load(cls, broker, account_id):
        account = cls(account_id)
        try:
            loaded = broker.call("EventSnapshotLoad", {"stream": account.stream})
        except ApiError as error:
            if error.code == "STREAM_NOT_FOUND":
                return account
            raise
        if loaded["found"]:
            state = json.loads(loaded["data"])
            account.balance, account.open = state["balance"], True
            account.revision = loaded["revision"]
        for event in loaded["events"]:
            account.apply(event["type"], json.loads(event["data"]))
            account.revision = event["revision"]
        return account

    def append(self, broker, event_type, data):
        """Appends one event expecting the revision this state was built at."""
        answer = broker.call("EventAppend", {
            "stream": self.stream, "expected_revision": self.revision,
            "events": [{"id": str(uuid.uuid4()), "type": event_type,
                        "content_type": "application/json", "data": json.dumps(data)}]})
        if answer["error_code"] == "WRONG_EXPECTED_VERSION":
            raise Conflict(f"{self.stream} is at {answer['actual_revision']}, not {self.revision}")
        assert answer["error_code"] == "NONE", answer
        self.apply(event_type, data)
        self.revision = answer["first_revision"]
        if (self.revision + 1) % SNAPSHOT_EVERY == 0:
            broker.call("EventSnapshotSave", {"stream": self.stream, "revision": self.revision,
                                              "data": json.dumps({"balance": self.balance})})


def handle(broker, account_id, command, amount=0):
    """Runs a command against the latest state, retrying on a conflict. Returns the retries."""
    for attempt in range(100):
        account = Account.load(broker, account_id)
        try:
            if command == "open":
                account.append(broker, "Opened", {})
            elif command == "deposit":
                account.append(broker, "Deposited", {"amount": amount})
            elif command == "withdraw":
                if account.balance < amount:
                    raise ValueError(f"insufficient funds: {account.balance} < {amount}")
                account.append(broker, "Withdrawn", {"amount": amount})
            return attempt
        except Conflict:
            continue
    raise RuntimeError("gave up after 100 conflicts")


def project(broker, name, until_position):
    """Balances of every account from $all, resuming at the named checkpoint."""
    balances = {}
    checkpoint = broker.call("EventCheckpoint", {"name": name})
    position = checkpoint["position"] if checkpoint["found"] else 0
    while position <= until_position:
        read = broker.call("EventRead", {"stream": "$all", "from": position, "max_wait_ms": 5000})
        for event in read["events"]:
            amount = json.loads(event["data"]).get("amount", 0)
            sign = {"Deposited": 1, "Withdrawn": -1}.get(event["type"], 0)
            balances[event["stream"]] = balances.get(event["stream"], 0) + sign * amount
        position = read["next"]
        broker.call("EventCheckpoint", {"name": name, "position": position})
    return balances


def main():
    broker = Broker()
    try:
        handle(broker, 1, "open")
        handle(broker, 2, "open")
        handle(broker, 1, "deposit", 100)
        handle(broker, 1, "withdraw", 30)
        try:
            handle(broker, 2, "withdraw", 1)
            raise AssertionError("an empty account paid out")
        except ValueError:
            pass

        # Two tellers deposit into account 2 at once: conflicts are retried, none is lost.
        retries = []

        def teller(amounts):
            for amount in amounts:
                retries.append(handle(broker, 2, "deposit", amount))

        tellers = [threading.Thread(target=teller, args=([1] * 20,)),
                   threading.Thread(target=teller, args=([10] * 20,))]
        for t in tellers:
            t.start()
        for t in tellers:
            t.join()

        one, two = Account.load(broker, 1), Account.load(broker, 2)
        assert one.balance == 70, one.balance
        assert two.balance == 220, two.balance
        assert two.revision == 40, two.revision  # Opened + 40 deposits, contiguous.
        snapshot = broker.call("EventSnapshotLoad", {"stream": "account-2"})
        assert snapshot["found"] and snapshot["revision"] == 39, snapshot["revision"]

        head = broker.call("EventRead", {"stream": "$all", "from": 0, "limit": 10000})["head"]
        balances = project(broker, "balances", head)
        assert balances == {"account-1": 70, "account-2": 220}, balances
        # The checkpoint is kept on the broker: a restarted projection resumes after it.
        assert broker.call("EventCheckpoint", {"name": "balances"})["position"] == head + 1
        print(f"account-1: 70, account-2: 220 after 40 concurrent deposits "
              f"({sum(retries)} conflicts retried); projection agrees up to position {head}")
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
