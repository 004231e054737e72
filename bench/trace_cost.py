#!/usr/bin/env python3
"""What tracing costs: one kernel under `emu run` and under `emu trace`.

  bench/trace_cost.py [--build DIR] [--base-build DIR] [--repeat N] [KERNEL]

Runs KERNEL (default: DIR/bench/syscall.elf, the system-call benchmark)
as `emu run`, as `emu trace --syscalls -o FILE` (every call decoded and
written), and as `emu trace -c` (decoded and counted, nothing written);
with --base-build also `emu run` from another build (for example one with
the hook layer compiled out, to show what the layer costs with no hook
installed). The runs are interleaved, round after round, and each figure
is the least CPU time (user + system, from wait4) over the rounds: on a
shared machine the least is the run the other processes disturbed least.
The guest's console output must be the same in every configuration, or
the figures mean nothing. The load average is printed beside the figures.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile


def cpu_time(cmd):
    """Runs cmd; returns (user + system seconds, stdout bytes, exit status)."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return ru.ru_utime + ru.ru_stime, out.read(), p.returncode


def load():
    return "load %.2f %.2f %.2f" % os.getloadavg()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--base-build", help="a second build whose `emu run` is also timed")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("kernel", nargs="?")
    a = ap.parse_args()
    emu = os.path.join(a.build, "emu")
    kernel = a.kernel or os.path.join(a.build, "bench", "syscall.elf")
    tmp = tempfile.mkdtemp()
    trace_file = os.path.join(tmp, "trace.txt")
    configs = [("emu run", [emu, "run", kernel])]
    if a.base_build:
        configs.append(("base emu run", [os.path.join(a.base_build, "emu"), "run", kernel]))
    configs += [("emu trace --syscalls -o FILE",
                 [emu, "trace", "--syscalls", "-o", trace_file, kernel]),
                ("emu trace -c", [emu, "trace", "-c", "-o", os.devnull, kernel])]
    times = {name: [] for name, _ in configs}
    outputs = {}
    print(f"{os.path.basename(kernel)}, best of {a.repeat} interleaved rounds; before: {load()}")
    for _ in range(a.repeat):
        for name, cmd in configs:
            t, out, _status = cpu_time(cmd)
            times[name].append(t)
            outputs.setdefault(name, out)
            if out != outputs[configs[0][0]]:
                print(f"{name}: the guest's output differs from emu run's")
                return 1
    lines = sum(1 for _ in open(trace_file, "rb"))
    os.unlink(trace_file)
    os.rmdir(tmp)
    ref = min(times["emu run"])
    print(f"{'configuration':<30} {'best s':>8} {'median s':>9} {'vs emu run':>11}")
    for name, _ in configs:
        best = min(times[name])
        print(f"{name:<30} {best:>8.3f} {statistics.median(times[name]):>9.3f} "
              f"{(best / ref - 1) * 100:>+10.1f}%")
    print(f"trace lines written: {lines}; after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
