#!/usr/bin/env python3
"""SNMP side of bench/soak.sh: constant snmpbulkwalk load on the RACKWATCH-MIB subtree and
a poll counter read from the daemon's own rwEndpointTable.

  soak_snmp.py HOST:PORT STATS_FILE [WALKERS]

WALKERS threads (default 1) each run `snmpbulkwalk -Cr50` of the whole RACKWATCH-MIB
subtree back to back and count walks completed, varbinds received and failed walks (exit
status not 0, a timeout or an error line).  One more thread reads rwEndpointLastPoll and
rwEndpointLastSuccess about once a second: every change of an endpoint's LastPoll is a poll
the daemon finished, every change of its LastSuccess a successful one (the daemon keeps
these counters but publishes no scalar for them).  A poll period of 2 s or more is needed
for every poll to be seen (the columns hold only the latest poll).  The two columns are
read by separate walks, so a poll finishing in between is counted in the next sample: the
totals are exact, a single sample may be off by one poll.

Every second the totals go to STATS_FILE (written to a temporary name and renamed) as one
line of key=value pairs.  SIGTERM stops everything, walks in progress included.
"""
import os
import signal
import subprocess
import sys
import threading
import time

ROOT = ".1.3.6.1.4.1.8072.9999.9999.7225"
LAST_POLL = ROOT + ".1.3.1.7"
LAST_SUCCESS = ROOT + ".1.3.1.8"
NEVER = "00 00 00 00 00 00 00 00"  # DateAndTime of "no poll finished yet"

lock = threading.Lock()
stop = threading.Event()
children = set()
totals = {"walks": 0, "varbinds": 0, "snmp_errors": 0, "polls": 0, "polls_ok": 0,
          "endpoints": 0, "tracker_errors": 0}


def run(args):
    """Runs one snmp command; returns (exit status, stdout lines) or None when stopping."""
    if stop.is_set():
        return None
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    with lock:
        children.add(proc)
    try:
        out, _ = proc.communicate()
    finally:
        with lock:
            children.discard(proc)
    if stop.is_set():
        return None
    return proc.returncode, out.splitlines()


def failed(rc, lines):
    """A walk failed when snmpbulkwalk says so: its status or one of its error lines (a
    varbind's value may hold such words, or wrap onto lines of its own: only a line's start
    is looked at)."""
    starts = ("Timeout", "Error", "Reason", "snmpbulkwalk", "Failed")
    return rc != 0 or any(l.startswith(starts) for l in lines)


def walker(base):
    while not stop.is_set():
        got = run(base + [ROOT])
        if got is None:
            return
        rc, lines = got
        with lock:
            if failed(rc, lines):
                totals["snmp_errors"] += 1
            else:
                totals["walks"] += 1
                totals["varbinds"] += sum(1 for l in lines if " = " in l)


def column(base, oid):
    """{row index: value text} of one column, or None when the walk failed."""
    got = run(base + [oid])
    if got is None:
        return None
    rc, lines = got
    if failed(rc, lines):
        return None
    values = {}
    for line in lines:
        name, sep, value = line.partition(" = ")
        if sep:
            values[name.rsplit(".", 1)[-1]] = value.partition(": ")[2].strip()
    return values


def changes(seen, now):
    """Counts the rows of `now` whose value differs from `seen` (a first value counts
    when it is not NEVER) and records them in `seen`."""
    n = 0
    for row, value in now.items():
        if seen.get(row, NEVER) != value and value != NEVER and value != "":
            n += 1
        seen[row] = value
    return n


def tracker(base):
    polls, successes = {}, {}
    while not stop.is_set():
        t = time.monotonic()
        last_poll = column(base, LAST_POLL)
        last_ok = column(base, LAST_SUCCESS)
        with lock:
            if last_poll is None or last_ok is None:
                totals["tracker_errors"] += 1
            else:
                totals["polls"] += changes(polls, last_poll)
                totals["polls_ok"] += changes(successes, last_ok)
                totals["endpoints"] = len(last_poll)
        stop.wait(max(0.0, 1.0 - (time.monotonic() - t)))


def write_stats(path):
    with lock:
        line = " ".join("%s=%d" % kv for kv in totals.items())
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(line + "\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    agent, path = sys.argv[1], sys.argv[2]
    walkers = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    base = ["snmpbulkwalk", "-v2c", "-c", "public", "-On", "-m", "", "-Cr50", "-t", "5", "-r", "0",
            agent]
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=tracker, args=(base,))]
    threads += [threading.Thread(target=walker, args=(base,)) for _ in range(walkers)]
    for th in threads:
        th.start()
    while not stop.wait(1.0):
        write_stats(path)
    with lock:
        for proc in children:
            proc.kill()
    for th in threads:
        th.join()
    write_stats(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
