#!/usr/bin/env python3
"""Command-line fuzzing of emu run, emu repl and emu trace with its filters
(DESIGN.md §1: no input makes emu crash or hang; bad input gets one line on
stderr starting with "emu: " and exit status 2).

  cli_fuzz.py EMU KERNEL [--seed S] [--cases N] [--jobs J]

First a table: every option with no value and with awkward values of its
kind (numbers that overflow, lists and ranges that do not parse, dates that
do not exist, files that are directories, FIFOs, endless or huge); every
awkward file as the kernel. Then N random command lines per subcommand
mixing them (seeded: the same seed runs the same command lines). Checked on
every run:
  - emu exits by itself within TIMEOUT (no hang), not by a signal;
  - no sanitizer report on stderr;
  - status 2: exactly one stderr line, starting with "emu: ", no stdout;
  - any other status is documented (docs/exit-status.md): 0, an odd guest
    status, 4 (with the triple-fault report), 6, 8, 10.
EMU_FUZZ_SCALE=K multiplies the random command lines (the long mode).
"""
import argparse
import concurrent.futures
import os
import random
import signal
import subprocess
import sys
import tempfile

TIMEOUT = 30  # seconds per run; ASan builds are slow, real hangs are forever
SANITIZER_MARKS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:",
                   b"UndefinedBehaviorSanitizer")
DOCUMENTED = {0, 2, 4, 6, 8, 10}
BUDGET = ["--max-insns", "20000"]  # keeps every boot short (the last one given wins)

GENERIC = ["", "x" * 100000 + "\x01\u00e9"]
NUM = ["0", "-1", "0x", "1x", "18446744073709551616", "3G", "4096T"]
LIST = [",", "1,,2", "-", "5-3", "-1", "99999999999999999999"]
KINDS = {
    "num": NUM,
    "str": ["a=b c", "x" * 5000],
    "tlb": ["unified,policy=fifo", "itlb-4k=0x0", "dtlb-4k=4096x64", "itlb-large=65536x1",
            "policy=", ",,"],
    "display": ["none", "sdl", "bogus"],
    "clock": ["host", "virtual", "wall"],
    "rtc": ["2024-02-30", "1969-12-31T23:59:59", "9999-12-31T23:59:59", "2000-01-01T25:00:00"],
    "tf": ["stop", "reset", "none"],
    "format": ["text", "jsonl", "perfetto", "xml"],
    "pid": LIST + ["1,2,3", "0-4294967296"],
    "syscall": LIST + ["write,read", "nosuch", "0-1000"],
    "vector": LIST + ["PF,GP", "256", "PF-GP", "XX"],
    "cpl": LIST + ["0,3", "4", "3-0"],
    "range": LIST + ["0-0xffffffffffffffff", "0xffffffffffffffffff-1", "1-2-3"],
}
FLAG = None
RUN_OPTS = {"-m": "num", "--memory": "num", "--append": "str", "--module": "file",
            "--max-insns": "num", "--serial": "out", "--display": "display",
            "--clock": "clock", "--rtc": "rtc", "--tlb": "tlb", "--on-triple-fault": "tf",
            "--stats": FLAG, "--tlb-stats": FLAG, "--explain-faults": FLAG, "-h": FLAG}
REPL_OPTS = {"-x": "file", "--script": "file", "--batch": FLAG, "--no-snapshots": FLAG,
             "-m": "num", "-h": FLAG}
TRACE_OPTS = {"--pid": "pid", "--syscall": "syscall", "--vector": "vector", "--cpl": "cpl",
              "--range": "range", "--after": "num", "--until": "num", "--format": "format",
              "-o": "out", "-s": "num", "--tlb": "tlb", "-c": FLAG,
              "-C": FLAG, "-T": FLAG, "-t": FLAG, "--syscalls": FLAG, "--interrupts": FLAG,
              "--exceptions": FLAG, "--page-faults": FLAG, "--context-switches": FLAG,
              "--msr": FLAG, "--cr": FLAG, "--io": FLAG, "--insns": FLAG, "--irq-raise": FLAG}
SUBCOMMANDS = {"run": RUN_OPTS, "repl": REPL_OPTS, "trace": TRACE_OPTS}


class Files:
    """Awkward files in a scratch directory."""

    def __init__(self, tmp, kernel):
        self.kernel = kernel
        self.tmp = tmp
        self.empty = self.make("empty", b"")
        self.junk = self.make("junk", bytes(range(256)) * 64)
        self.script = self.make("script", b"info registers\nstep 3\nquit\n")
        self.nuls = self.make("nuls", b"\0" * 5000)
        self.fifo = os.path.join(tmp, "fifo")  # no writer ever: reads as empty
        os.mkfifo(self.fifo)
        self.out_fifo = os.path.join(tmp, "out-fifo")  # no reader ever: refused
        os.mkfifo(self.out_fifo)
        self.sparse = os.path.join(tmp, "sparse")
        with open(self.sparse, "wb") as f:
            f.truncate(3 << 30)  # 3 GiB of holes: must be refused, not read
        self.subdir = os.path.join(tmp, "dir")
        os.mkdir(self.subdir)

    def make(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def inputs(self):
        """Files to read (kernels, modules, scripts)."""
        return [self.kernel, self.empty, self.junk, self.script, self.nuls, self.fifo,
                self.sparse, self.subdir, "/dev/zero", "/nonexistent/x", self.kernel + ",a"]

    def outputs(self):
        """Files to write (--serial, -o): never one of the inputs."""
        return [os.path.join(self.tmp, "out"), self.out_fifo, self.subdir,
                "/nonexistent/dir/out", "none"]

    def values(self, kind):
        own = {"file": self.inputs(), "out": self.outputs()}.get(kind) or KINDS[kind]
        return GENERIC + own


def check(emu, args, stdin, cwd):
    """Runs one command line; returns a broken invariant, or None."""
    name = " ".join(a if len(a) < 60 else a[:20] + "...(%d)" % len(a) for a in args)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["SDL_VIDEODRIVER"] = "dummy-none"  # an SDL window must fail, not open
    try:
        p = subprocess.run([emu] + args, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        return f"{name}: no exit within {TIMEOUT} s (hang)"
    rc, out, err = p.returncode, p.stdout, p.stderr
    lines = err.decode(errors="replace").splitlines()
    if rc < 0:
        return f"{name}: killed by signal {signal.Signals(-rc).name}: {lines[-3:]}"
    if any(m in err for m in SANITIZER_MARKS):
        return f"{name}: sanitizer report: {err[:2000]!r}"
    if rc == 2:
        if len(lines) != 1 or not lines[0].startswith("emu: "):
            return f"{name}: status 2 needs one 'emu: ' line, got {lines[:5]!r}"
        if out and args[0] != "repl":
            return f"{name}: status 2 with output {out[:200]!r}"
    elif rc not in DOCUMENTED and rc % 2 == 0:
        return f"{name}: undocumented exit status {rc}: {lines[:3]!r}"
    elif rc == 4 and not (lines and lines[0].startswith("emu: triple fault")):
        return f"{name}: status 4 without the triple-fault report: {lines[:3]!r}"
    return None


def table(files, sub, opts):
    """Every option with no value and with each value of its kind; all the
    flags at once, and with a stray argument."""
    kernel = files.kernel
    flags = sorted(o for o, kind in opts.items() if kind is FLAG and o != "-h")
    yield [sub] + BUDGET + flags + [kernel]
    yield [sub] + BUDGET + flags + ["bogus-extra", kernel]
    for opt, kind in sorted(opts.items()):
        if kind is FLAG:
            continue
        yield [sub] + BUDGET + [opt]  # missing value (or none needed: the bundled kernel)
        for i, v in enumerate(files.values(kind)):
            if opt.startswith("--") and i % 2:  # half of them as --opt=value
                yield [sub] + BUDGET + [opt + "=" + v, kernel]
            else:
                yield [sub] + BUDGET + [opt, v, kernel]
    yield [sub] + BUDGET + ["--nonexistent-option", kernel]


def kernels(files):
    """Every awkward file as the kernel; more modules than fit anywhere."""
    for path in files.inputs():
        yield ["run"] + BUDGET + [path]
    yield ["run"] + BUDGET + ["--module=" + files.kernel] * 17 + [files.kernel]
    yield ["run", "-h", "--bogus"]


def random_case(rng, files, sub, opts):
    """Options in random order with random values, then usually the kernel,
    sometimes an awkward file, sometimes none (the bundled kernel, bounded
    by the budget)."""
    names = sorted(opts)
    args = [sub] + BUDGET
    for _ in range(rng.randint(1, 6)):
        opt = rng.choice(names)
        kind = opts[opt]
        if kind is FLAG:
            args.append(opt)
            continue
        kind = kind if rng.random() < 0.7 else rng.choice(sorted(KINDS))
        v = rng.choice(files.values(kind))
        args += [opt + "=" + v] if opt.startswith("--") and rng.random() < 0.3 else [opt, v]
    r = rng.random()
    if r < 0.7:
        args.append(files.kernel)
    elif r < 0.9:
        args.append(rng.choice(files.inputs()))
    return args


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("emu")
    ap.add_argument("kernel")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=15)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    scale = int(os.environ.get("EMU_FUZZ_SCALE", "1"))
    emu = os.path.abspath(a.emu)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        files = Files(tmp, os.path.abspath(a.kernel))
        cwd = os.path.join(tmp, "cwd")
        os.mkdir(cwd)
        cases = list(kernels(files))
        for sub, opts in SUBCOMMANDS.items():
            cases += table(files, sub, opts)
            cases += [random_case(rng, files, sub, opts) for _ in range(a.cases * scale)]
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            stdin = {"repl": b"quit\n"}
            results = pool.map(lambda c: check(emu, c, stdin.get(c[0], b""), cwd), cases)
            failures = [r for r in results if r]
    for f in failures:
        print("FAIL:", f)
    print(f"cli_fuzz: {len(cases)} command lines, seed {a.seed}, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
