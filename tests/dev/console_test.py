#!/usr/bin/env python3
"""The serial console as a person and a script use it (docs/devices.md,
"The serial console"): the bundled kernel's shell driven through a
terminal (a pseudo-terminal here) and through a pipe.

  console_test.py EMU GUEST_KERNEL

Through the terminal: emu puts it in raw mode (no echo by the host, no line
editing, Enter arrives as CR, Ctrl-C reaches the guest), the shell answers a
command typed key by key, Ctrl-A H prints the escapes, Ctrl-A X ends the
run with status 0, and the terminal's settings are restored afterwards.
Through a pipe: the same keys give the same transcript.
"""
import os
import pty
import select
import subprocess
import sys
import termios
import time

TIMEOUT = 60
PROMPT = b"$ "
INIT_LINE = b"Run /init as init process"
CTRL_A = b"\x01"
FAILURES = []


def check(ok, what):
    if not ok:
        FAILURES.append(what)


class Pty:
    """emu run with stdin and stdout on a pseudo-terminal, stderr on a pipe."""

    def __init__(self, cmd):
        self.master, self.slave = pty.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(cmd, stdin=self.slave, stdout=self.slave,
                                     stderr=subprocess.PIPE, close_fds=True)
        self.out = b""

    def read_until(self, marker, start=0):
        """Reads the terminal until `marker` appears after offset `start`."""
        deadline = time.monotonic() + TIMEOUT
        while self.out.find(marker, start) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                raise TimeoutError(f"no {marker!r} after {self.out[start:]!r}")
            try:
                self.out += os.read(self.master, 4096)
            except OSError as e:  # EIO: emu exited and closed the terminal
                raise TimeoutError(f"terminal closed before {marker!r}") from e
        return self.out.find(marker, start) + len(marker)

    def type(self, keys):
        """Types keys one at a time, as a person does."""
        for k in keys:
            os.write(self.master, bytes([k]))
            time.sleep(0.01)

    def finish(self):
        status = self.proc.wait(timeout=TIMEOUT)
        err = self.proc.stderr.read()
        after = termios.tcgetattr(self.slave)
        os.close(self.master)
        os.close(self.slave)
        return status, err, after


def transcript(out):
    """The shell session from the first prompt to the second, without the
    carriage returns (the terminal adds them to line ends)."""
    out = out.replace(b"\r", b"")
    first = out.find(PROMPT)
    second = out.find(PROMPT, first + 1)
    return out[first:second + len(PROMPT)] if 0 <= first < second else None


def terminal_session(cmd, command):
    t = Pty(cmd)
    try:
        t.read_until(PROMPT)
        raw = termios.tcgetattr(t.slave)
        lflag = raw[3]
        check(not lflag & (termios.ECHO | termios.ICANON | termios.ISIG),
              "the terminal is not in raw mode while the guest runs")
        t.type(command + b"\r")
        at = t.read_until(PROMPT, t.out.find(PROMPT) + 1)
        t.type(CTRL_A + b"h")
        time.sleep(0.5)
        t.type(CTRL_A + b"x")
        status, err, after = t.finish()
    except (TimeoutError, subprocess.TimeoutExpired) as e:
        t.proc.kill()
        FAILURES.append(f"terminal: {e}")
        return None
    check(status == 0, f"Ctrl-A X: exit status {status}, expected 0")
    check(b"C-a x    exit emu" in err, f"Ctrl-A H printed no help: {err!r}")
    check(b"terminated (C-a x)" in err, f"Ctrl-A X said nothing: {err!r}")
    check(after == t.before, "the terminal's settings were not restored")
    check(b"\n" not in t.out[:at].replace(b"\r\n", b""),
          "guest output lost its carriage returns (output processing off)")
    return transcript(t.out)


def pipe_session(cmd, command):
    p = subprocess.run(cmd, input=command + b"\n", stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=TIMEOUT)
    return transcript(p.stdout)


def main():
    emu, kernel = sys.argv[1], sys.argv[2]
    cmd = [emu, "run", "-m", "128M", "--append", "printk.time=0", kernel]
    command = b"hello"
    term = terminal_session(cmd, command)
    if term is not None:
        check(b"\nHello from user space! I am pid " in term,
              f"the shell did not answer the typed command: {term!r}")
        piped = pipe_session(cmd, command)
        check(piped == term,
              f"pipe and terminal differ:\n  terminal {term!r}\n  pipe     {piped!r}")
    for f in FAILURES:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
