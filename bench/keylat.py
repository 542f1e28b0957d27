#!/usr/bin/env python3
"""keylat.py: key-to-first-byte latency and idle output of a terminal program.

    bench/keylat.py [--cols 120] [--rows 40] [--keys lllljjjj] [--idle 5] -- CMD [ARG]...

Starts CMD in a pseudo-terminal of the given size, waits until its first
screen is drawn (no output for 300 ms), sends each key of --keys in turn
and times the first byte of the answer (then waits for the output to
settle), measures the bytes written during --idle seconds without input,
sends q and prints one JSON line:

    {"keys": 30, "latency_ms": {"median": 1.7, "p90": 4.2, "max": 9.9},
     "bytes_per_key": 335, "idle_bytes": 0, "startup_ms": 48.1}

Only what Python's standard library has (pty, select, termios): bench/run.sh
brings its own means. Exit status 1 if the program printed nothing for a key
within 2 s, or exited early.
"""
import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def read_until_quiet(fd, quiet_s, limit_s):
    """Reads until quiet_s passes without output (or limit_s in all)."""
    got = 0
    start = time.monotonic()
    last = start
    while True:
        now = time.monotonic()
        if now - last >= quiet_s or now - start >= limit_s:
            return got
        r, _, _ = select.select([fd], [], [], quiet_s - (now - last))
        if r:
            try:
                b = os.read(fd, 65536)
            except OSError:
                return got
            if not b:
                return got
            got += len(b)
            last = time.monotonic()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--keys", default="l" * 20 + "j" * 10)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")

    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm-256color")
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    failed = False
    try:
        t0 = time.monotonic()
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            print("keylat: no output in 10 s", file=sys.stderr)
            return 1
        startup_ms = (time.monotonic() - t0) * 1000
        read_until_quiet(fd, 0.3, 10)
        lat, nbytes = [], []
        for k in a.keys:
            t = time.monotonic()
            os.write(fd, k.encode())
            r, _, _ = select.select([fd], [], [], 2)
            if not r:
                print("keylat: no answer to key %r in 2 s" % k, file=sys.stderr)
                failed = True
                break
            lat.append((time.monotonic() - t) * 1000)
            first = len(os.read(fd, 65536))
            nbytes.append(first + read_until_quiet(fd, 0.05, 2))
        idle = read_until_quiet(fd, a.idle, a.idle)
        os.write(fd, b"q")
        read_until_quiet(fd, 0.2, 3)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    lat.sort()
    nb = sorted(nbytes)

    def pick(xs, q):
        return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2) if xs else None

    print(json.dumps({
        "keys": len(lat),
        "latency_ms": {"median": pick(lat, 0.5), "p90": pick(lat, 0.9), "max": pick(lat, 1.0)},
        "bytes_per_key": pick(nb, 0.5),
        "idle_bytes": idle,
        "startup_ms": round(startup_ms, 1),
    }))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
