#!/usr/bin/env python3
"""`emu repl` on a terminal: GNU readline's completion and history.

  terminal_test.py EMU KERNEL

Runs `emu repl KERNEL` on a pseudo-terminal, as a person would, and types:
TAB after a command prefix, an `info` topic prefix, a symbol prefix (the
completion must be the kernel's symbol, found with `nm`) and a register
prefix; Ctrl-P to bring back the previous line (history); an empty line,
which repeats the last command as in gdb; and `quit`. Each answer is read
from the terminal with the escape sequences removed. Exit status 77
(skipped) when the terminal shows no completion at all (emu built without
readline).
"""
import os
import pty
import re
import select
import subprocess
import sys
import time

SKIP = 77
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07|\r")
FAILURES = []


class Terminal:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "dumb"
            os.environ["INPUTRC"] = "/dev/null"
            os.execv(argv[0], argv)

    def read_until(self, want, timeout=30.0):
        """Everything the terminal shows until `want` (a regex) appears."""
        out, end = b"", time.time() + timeout
        while time.time() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
                if re.search(want, ESCAPES.sub(b"", out), re.S):
                    break
        return ESCAPES.sub(b"", out).decode(errors="replace")

    def type(self, text):
        os.write(self.fd, text.encode())

    def status(self):
        for _ in range(300):
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(st)
            time.sleep(0.1)
        os.kill(self.pid, 9)
        return None


def expect(term, keys, want, what):
    term.type(keys)
    got = term.read_until(want.encode(), timeout=10.0 if "\n" in keys else 3.0)
    if not re.search(want, got, re.S):
        FAILURES.append(f"{what}: typed {keys!r}, the terminal shows {got[-300:]!r}, "
                        f"wanted /{want}/")
    return got


def kernel_symbol(kernel, prefix):
    """The only function symbol starting with prefix (binutils' nm)."""
    out = subprocess.run(["nm", kernel], capture_output=True, text=True, check=True).stdout
    names = sorted({l.split()[2] for l in out.splitlines()
                    if len(l.split()) == 3 and l.split()[2].startswith(prefix)})
    return names


def main():
    emu, kernel = sys.argv[1], sys.argv[2]
    version = subprocess.run([emu, "--version"], capture_output=True, text=True).stdout
    term = Terminal([emu, "repl", kernel])
    if not re.search(r"\(emu\) ", term.read_until(rb"\(emu\) ")):
        print("FAIL: no prompt on the terminal")
        return 1
    got = expect(term, "inf\t", r"info $", "a command is completed")
    if "inf\t" in got or got.endswith("inf"):
        print("SKIP: no completion on the terminal (emu built without readline?)\n" + version)
        return SKIP
    expect(term, "reg\t", r"registers $", "an info topic is completed")
    expect(term, "\n", r"rax\s+0x000000002badb002.*\(emu\) $", "info registers runs")
    kmain = kernel_symbol(kernel, "kmai")
    if kmain != ["kmain"]:
        FAILURES.append(f"nm finds {kmain} for kmai*, the test wants just kmain")
    expect(term, "break kmai\t", r"break kmain $", "a symbol is completed")
    expect(term, "\n", r"Breakpoint 1 at 0x[0-9a-f]+ <kmain>.*\(emu\) $", "the breakpoint is set")
    expect(term, "print rs\t\t", r"rsi\s+rsp", "two registers share the prefix: both listed")
    expect(term, "p\n", r"rsp = 0\b.*\(emu\) $", "a completed register is evaluated")
    expect(term, "\x10", r"print rsp$", "Ctrl-P brings back the previous line")
    expect(term, "\x15continue\n", r"breakpoint 1, 0x[0-9a-f]+ <kmain>.*\(emu\) $",
           "continue stops at kmain")
    expect(term, "step\n", r"\[\d+\] 0x[0-9a-f]+ <kmain> .*push rbp.*\(emu\) $", "step")
    expect(term, "\n", r"\[\d+\] 0x[0-9a-f]+ <kmain\+0x1> .*\(emu\) $",
           "an empty line repeats the last command")
    expect(term, "quit\n", r"quit", "quit")
    status = term.status()
    if status != 0:
        FAILURES.append(f"quit: exit status {status}")
    for f in FAILURES:
        print("FAIL:", f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
