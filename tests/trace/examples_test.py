#!/usr/bin/env python3
"""The examples (examples/*.c) against the installed headers alone, and
their results against what is known independently.

  examples_test.py install BUILD SRCDIR CC CFLAGS PROCS-KERNEL
      `meson install --tags devel` into a scratch directory, then build each
      example with only what `pkg-config --cflags --libs emu` says about that
      installation (its headers, its libemu.a): no header or object of emu's
      tree may leak into a program on the public API. The installed
      syscall_histogram must then count the trace test kernel's calls as
      below. CFLAGS: what the build's own objects need (the sanitizers).
  examples_test.py histogram EXE PROCS-KERNEL
      the counts of the trace test kernel's system calls, as its user program
      (tests/kernels/trace/procs_user.c) makes them.
  examples_test.py heatmap EXE PROCS-KERNEL
      its page faults: each task's first stack page, init's mmap page, and
      the crasher's write to 0xdead0000 (a protection fault: supervisor page).
  examples_test.py latency EXE EMU GUEST-KERNEL
      one latency per LAPIC timer interrupt that emu trace --interrupts sees
      in the same self-test run.
"""
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

EXAMPLES = ["syscall_histogram.c", "pagefault_heatmap.c", "irq_latency.c"]
# procs_user.c: init 4 writes, getpid, 2 opens, 2 closes, mmap, read,
# sched_yield, clone, wait4, getppid (INT 0x80), exit_group; worker 2 writes,
# sched_yield, nanosleep, exit_group; crasher 1 write.
PROCS_CALLS = {"write": 7, "open": 2, "close": 2, "sched_yield": 2, "exit_group": 2,
               "getpid": 1, "mmap": 1, "read": 1, "clone": 1, "wait4": 1, "getppid": 1,
               "nanosleep": 1, "total": 22}
PROCS_FAULTS = {0x2ff000: (3, 3, 0), 0x201000: (1, 1, 0), 0xdead0000: (1, 0, 1)}


def run(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=600, check=True).stdout.decode()


def pkg_config(dest, what):
    """pkg-config's answer for the emu.pc installed under dest, its prefix moved there."""
    pcs = glob.glob(os.path.join(dest, "**", "pkgconfig", "emu.pc"), recursive=True)
    if len(pcs) != 1:
        raise RuntimeError(f"installed emu.pc: found {pcs}")
    with open(pcs[0]) as f:
        declared = re.search(r"^prefix=(.*)$", f.read(), re.M).group(1)
    prefix = dest + declared
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]))
    return shlex.split(subprocess.run(["pkg-config", f"--define-variable=prefix={prefix}", what,
                                       "emu"], env=env, stdout=subprocess.PIPE, check=True,
                                      text=True).stdout)


def install(build, srcdir, cc, cflags, procs):
    with tempfile.TemporaryDirectory() as dest:
        run(["meson", "install", "-C", build, "--no-rebuild", "--tags", "devel",
             "--destdir", dest])
        cflags_emu, libs_emu = pkg_config(dest, "--cflags"), pkg_config(dest, "--libs")
        print("pkg-config emu:", " ".join(cflags_emu + libs_emu))
        if not any(f.startswith("-I" + dest) for f in cflags_emu):
            print("FAIL: the include directory is not the installed one")
            return 1
        for ex in EXAMPLES:
            src = os.path.join(srcdir, "examples", ex)
            exe = os.path.join(dest, ex[:-2])
            cmd = (shlex.split(cc) + shlex.split(cflags) +
                   ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"] + cflags_emu +
                   [src, "-o", exe] + libs_emu)
            p = subprocess.run(cmd, stderr=subprocess.PIPE)
            print(("ok   " if p.returncode == 0 else "FAIL ") + " ".join(cmd))
            if p.returncode:
                print(p.stderr.decode())
                return 1
        print("the installed syscall_histogram:")
        return histogram(os.path.join(dest, "syscall_histogram"), procs)


def histogram(exe, kernel):
    got = {m.group(1): int(m.group(2))
           for m in re.finditer(r"^(\S+)\s+(\d+)", run([exe, kernel]), re.M)}
    print(got)
    return 0 if got == PROCS_CALLS else 1


def heatmap(exe, kernel):
    out = run([exe, kernel])
    print(out)
    got = {int(m.group(1), 16): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
           for m in re.finditer(r"^0x([0-9a-f]+)\s+(\d+)\s+\[.\]\s+(\d+)\s+(\d+)", out, re.M)}
    return 0 if got == PROCS_FAULTS and "5 page faults on 3 pages" in out else 1


def latency(exe, emu, kernel):
    out = run([exe, kernel, "selftest"])
    print(out)
    trace = subprocess.run([emu, "trace", "--interrupts", "--append", "selftest", kernel],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=600).stderr.decode()
    timer = len(re.findall(r"interrupt 0x[0-9a-f]+ \(LAPIC timer\)", trace))
    m = re.search(r"^LAPIC timer\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\d+)", out, re.M)
    print(f"emu trace saw {timer} LAPIC timer interrupts")
    return 0 if m and timer > 0 and int(m.group(1)) == timer else 1


def main() -> int:
    what, args = sys.argv[1], sys.argv[2:]
    return {"install": install, "histogram": histogram, "heatmap": heatmap,
            "latency": latency}[what](*args)


if __name__ == "__main__":
    sys.exit(main())
