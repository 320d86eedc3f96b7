#!/usr/bin/env python3
"""Samples the memory of the runtime that a Runtime API simulator runs, for
scripts/concurrency-bench.sh.

    concurrency-sample.py OUTPUT -- SIMULATOR [ARGUMENTS ...]

Starts the simulator (with this process's stdin, stdout and stderr) and exits with its
status. Every 100 ms until it ends, it finds the simulator's descendants in /proc (the
runtime it started, its "root", and that process's own children, its workers) and reads
each one's smaps_rollup (Rss, Pss, Private_Clean + Private_Dirty) and thread count. It
then writes one line of key=value pairs to OUTPUT, each the maximum over the samples
that saw the whole tree (the most processes, then the most threads):

    procs, threads              processes and threads in the tree
    rss_kb, pss_kb, priv_kb     the tree's totals (RSS counts a page shared by several
                                processes once per process; PSS divides it among them)
    root_*                      the simulator's child alone (lambda-host's supervisor
                                with N > 1, Python's parent process, or the only process)
    kids, kids_*                the root's descendants together (0 when it has none)
    samples, full               how many samples were taken, and saw the whole tree
    leftover                    processes of the tree still alive 10 s after the
                                simulator ended (then killed, so the next run is alone)

Cost: one read of /proc/*/stat per sample (about 2 ms with 100 processes) plus the
tree's smaps_rollup, on the machine being measured: hence 100 ms between samples.
"""
import os
import signal
import subprocess
import sys
import time

INTERVAL_S = 0.1
FIELDS = ("procs", "threads", "rss_kb", "pss_kb", "priv_kb",
          "root_threads", "root_rss_kb", "root_pss_kb", "root_priv_kb",
          "kids", "kids_threads", "kids_rss_kb", "kids_pss_kb", "kids_priv_kb")


def stat_of(pid):
    """(state, ppid, starttime) of pid, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ')'.
    rest = data[data.rindex(b")") + 2:].split()
    return rest[0].decode(), int(rest[1]), int(rest[19])


def children_by_parent():
    by_parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = stat_of(int(name))
        if stat is None or stat[0] == "Z":
            continue
        by_parent.setdefault(stat[1], []).append((int(name), stat[2]))
    return by_parent


def memory_of(pid):
    """(threads, rss_kb, pss_kb, private_kb) of pid, or None once it is gone."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                    values[key] = int(rest.split()[0])
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    values["Threads"] = int(line.split()[1])
    except (OSError, ValueError):
        return None
    if len(values) < 5:
        return None
    return (values["Threads"], values["Rss"], values["Pss"],
            values["Private_Clean"] + values["Private_Dirty"])


def sample(sim, seen):
    """This instant's figures for the tree under sim, or None when it has no process."""
    by_parent = children_by_parent()
    roots = by_parent.get(sim, [])
    if not roots:
        return None
    figures = dict.fromkeys(FIELDS, 0)
    pending = [(pid, start, True) for pid, start in roots]
    while pending:
        pid, start, is_root = pending.pop()
        seen[pid] = start
        pending.extend((child, child_start, False) for child, child_start in by_parent.get(pid, []))
        memory = memory_of(pid)
        if memory is None:
            continue
        threads, rss, pss, private = memory
        prefix = "root_" if is_root else "kids_"
        figures["procs"] += 1
        figures["kids"] += 0 if is_root else 1
        for name, value in (("threads", threads), ("rss_kb", rss), ("pss_kb", pss), ("priv_kb", private)):
            figures[name] += value
            figures[prefix + name] += value
    return figures


def alive(seen):
    """The processes seen in the tree that still run (the same start time: not a reused pid)."""
    result = []
    for pid, start in seen.items():
        stat = stat_of(pid)
        if stat is not None and stat[0] != "Z" and stat[2] == start:
            result.append(pid)
    return result


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: concurrency-sample.py OUTPUT -- SIMULATOR [ARGUMENTS ...]")
    simulator = subprocess.Popen(sys.argv[3:])
    seen = {}
    samples = []
    while simulator.poll() is None:
        figures = sample(simulator.pid, seen)
        if figures is not None:
            samples.append(figures)
        time.sleep(INTERVAL_S)
    # Only the samples of the whole tree count: before the workers start (or while they
    # end), the root alone maps pages that it later shares with them, and would read as
    # private.
    full = max(((f["procs"], f["threads"]) for f in samples), default=None)
    peak = dict.fromkeys(FIELDS, 0)
    for figures in samples:
        if (figures["procs"], figures["threads"]) == full:
            for name, value in figures.items():
                peak[name] = max(peak[name], value)
    # A runtime's workers may outlive it (Python's forked workers retry the Runtime API
    # for a while); the next run must not share the machine with them.
    deadline = time.monotonic() + 10
    while alive(seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    leftover = alive(seen)
    for pid in leftover:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    with open(sys.argv[1], "w") as output:
        output.write(" ".join(f"{name}={peak[name]}" for name in FIELDS)
                     + f" samples={len(samples)} full={sum((f['procs'], f['threads']) == full for f in samples)}"
                     + f" leftover={len(leftover)}\n")
    sys.exit(simulator.returncode)


if __name__ == "__main__":
    main()
