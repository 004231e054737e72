#!/usr/bin/env python3
"""Checks a file against the Chrome trace-event format as ui.perfetto.dev
reads it (the "Trace Event Format" document: JSON object form), and that it
has what emu trace promises: a CPU track with running slices, a track per
process with system-call slices, instant events for interrupts and faults.

  check_perfetto.py FILE           -- validate a file
  check_perfetto.py --emu EMU [--kernel K] -- TRACE-ARGS   -- make one, validate it
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

PHASES = {"B", "E", "X", "i", "I", "C", "M", "b", "e", "n", "s", "t", "f", "P", "O", "N", "D"}
METADATA = {"process_name", "thread_name", "process_sort_index", "thread_sort_index",
            "process_labels"}
CPU_PID = 2000000000


class Bad(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Bad(msg)


def check_event(i, e):
    where = f"traceEvents[{i}]"
    need(isinstance(e, dict), f"{where}: not an object")
    for key in ("name", "ph", "pid", "tid"):
        need(key in e, f"{where}: no '{key}'")
    need(isinstance(e["name"], str), f"{where}: name is not a string")
    need(e["ph"] in PHASES, f"{where}: unknown phase {e['ph']!r}")
    need(isinstance(e["pid"], int) and isinstance(e["tid"], int), f"{where}: pid/tid not ints")
    if e["ph"] == "M":
        need(e["name"] in METADATA, f"{where}: unknown metadata {e['name']!r}")
        need(isinstance(e.get("args"), dict), f"{where}: metadata without args")
        if e["name"] in ("process_name", "thread_name"):
            need(isinstance(e["args"].get("name"), str), f"{where}: no args.name")
        return
    need(isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0, f"{where}: bad ts")
    if e["ph"] == "X":
        need(isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0, f"{where}: bad dur")
    if e["ph"] in ("i", "I"):
        need(e.get("s", "t") in ("g", "p", "t"), f"{where}: bad instant scope")
    if "args" in e:
        need(isinstance(e["args"], dict), f"{where}: args is not an object")


def check_nesting(events):
    """Complete events on one thread must nest: Perfetto drops overlapping ones."""
    tracks = {}
    for e in events:
        if e["ph"] == "X":  # in integer nanoseconds: no float rounding at touching ends
            ts, dur = round(e["ts"] * 1000), round(e["dur"] * 1000)
            tracks.setdefault((e["pid"], e["tid"]), []).append((ts, -dur, e["name"]))
    for track, slices in tracks.items():
        slices.sort()
        stack = []
        for ts, neg_dur, name in slices:
            end = ts - neg_dur
            while stack and stack[-1] <= ts:
                stack.pop()
            need(not stack or end <= stack[-1],
                 f"slice {name!r} at {ts} on {track} overlaps its parent without nesting")
            stack.append(end)


def check(path, expect_syscalls, expect_instants):
    with open(path, "rb") as f:
        doc = json.loads(f.read())
    need(isinstance(doc, dict), "top level is not an object")
    need(isinstance(doc.get("traceEvents"), list), "no traceEvents array")
    need(doc.get("displayTimeUnit", "ms") in ("ms", "ns"), "bad displayTimeUnit")
    events = doc["traceEvents"]
    for i, e in enumerate(events):
        check_event(i, e)
    check_nesting(events)
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    running = [e for e in events if e["ph"] == "X" and e["pid"] == CPU_PID]
    need(running, "no running slices on a CPU track")
    need(all((e["pid"], e["tid"]) in names for e in running), "an unnamed CPU track")
    calls = [e for e in events if e["ph"] == "X" and e.get("cat") == "syscall"]
    if expect_syscalls:
        need(calls, "no system-call slices")
        need(all((e["pid"], e["tid"]) in names for e in calls), "an unnamed process track")
    instants = [e for e in events if e["ph"] == "i"]
    if expect_instants:
        need(instants, "no instant events")
    return len(events), len(running), len(calls), len(instants)


def main() -> int:
    argv = sys.argv[1:]
    trace_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("--emu")
    ap.add_argument("--kernel")
    ap.add_argument("--expect-instants", action="store_true")
    a = ap.parse_args(argv)
    try:
        if a.emu:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "trace.json")
                cmd = [a.emu, "trace", "--format", "perfetto", "-o", out] + trace_args
                cmd += [a.kernel] if a.kernel else []
                subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               timeout=600)
                n = check(out, True, a.expect_instants)
        else:
            n = check(a.file, False, False)
    except (Bad, ValueError, OSError) as e:
        print(f"invalid trace: {e}")
        return 1
    print("ok: %d events, %d running slices, %d system-call slices, %d instants" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
