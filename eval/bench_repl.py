"""How fast the interactive `qa` starts: spawn it in a pseudo-terminal, time until its prompt.

    python -m eval.bench_repl [--runs 7] [--index DIR] [--question TEXT | --no-question]

Each run starts the real `qa` console script of this environment in a fresh pty (120x40, TERM
xterm-256color, answering cursor-position requests as a terminal does), times start -> the
prompt "qa>" on the screen, then (unless --no-question) times one question from Enter to its
rendered answer, and leaves with Ctrl-D. It prints every run, the median and the maximum.
The history goes to a throw-away QA_HOME. Without --index the user's index is used when it
has something in it; otherwise the built-in sample is indexed once into a temporary one.
Only the standard library is used (pty, select), so it runs wherever `qa` is installed.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

QA = Path(sys.executable).parent / "qa"
PROMPT = b"qa>"
OFFER = b"index [Y/n/path]>"
CPR_REQUEST, CPR_REPLY = b"\x1b[6n", b"\x1b[1;1R"
ROWS, COLS = 40, 120


class Pty:
    """`qa` running in a pseudo-terminal; reads what it writes and answers CPR requests."""

    def __init__(self, env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal, become qa
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.execve(str(QA), [str(QA)], env)
        self.output = b""

    def until(self, *marks: bytes, timeout: float = 60.0, since: int = 0) -> bytes:
        """Read until one of `marks` appears after offset `since`; returns the mark."""
        end = time.perf_counter() + timeout
        while (left := end - time.perf_counter()) > 0:
            found = [m for m in marks if m in self.output[since:]]
            if found:
                return found[0]
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                break
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            if CPR_REQUEST in data:
                os.write(self.fd, CPR_REPLY)
            self.output += data
        raise TimeoutError(f"no {marks} from qa within {timeout:.0f} s; it wrote:\n"
                           f"{self.output[-2000:].decode(errors='replace')}")

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> None:
        """Leave as a person would (Ctrl-C clears the line, Ctrl-D quits); kill if stuck."""
        for key in (b"\x03", b"\x04", b":quit\r"):
            self.send(key)
            if self._exited(within=3.0):
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _exited(self, within: float) -> bool:
        end = time.perf_counter() + within
        while time.perf_counter() < end:
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    pass
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return True
        return False


def one_run(env: dict[str, str], question: str | None) -> tuple[float, float | None]:
    """(seconds from start to the prompt, seconds from Enter to the rendered answer)."""
    term = Pty(env)
    try:
        mark = term.until(PROMPT, OFFER)
        to_prompt = time.perf_counter() - term.started
        if mark == OFFER:
            raise SystemExit("qa offered to index (its index is empty): pass --index DIR")
        answered = None
        if question:
            since = len(term.output)
            asked = time.perf_counter()
            term.send(question.encode() + b"\r")
            term.until(b"verified", b"does not say", since=since)
            term.until(PROMPT, since=since + len(question))
            answered = time.perf_counter() - asked
        return to_prompt, answered
    finally:
        term.close()


def index_for_bench(wanted: str | None, tmp: Path) -> str:
    if wanted:
        return wanted
    from index.paths import index_dir, sample_path

    if (index_dir() / "chroma.sqlite3").is_file():
        return str(index_dir())
    target = tmp / "index"
    print(f"(indexing the built-in sample into {target} once; this takes a while)",
          file=sys.stderr)
    subprocess.run([str(QA), "index", "--index", str(target), str(sample_path())], check=True,
                   stdout=subprocess.DEVNULL)
    return str(target)


def python_seconds(code: str, env: dict[str, str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def summary(name: str, times: list[float]) -> str:
    runs = " ".join(f"{t:.2f}" for t in times)
    return (f"{name}: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
            f"({len(times)} runs: {runs})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_repl", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--index", help="index directory (default: yours, else the sample)")
    parser.add_argument("--question", default="What is the CDN floor?")
    parser.add_argument("--no-question", action="store_true", help="time the start only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-repl-") as tmp:
        index = index_for_bench(args.index, Path(tmp))
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        env.update(TERM="xterm-256color", QA_HOME=str(Path(tmp) / "home"), QA_INDEX=index,
                   QA_MODE="quotes")
        if "QA_ASSETS" not in os.environ:  # keep using the unpacked model files
            from index.paths import assets_dir

            env["QA_ASSETS"] = str(assets_dir())
        one_run(env, None)  # warm the OS file cache; not counted
        runs = [one_run(env, None if args.no_question else args.question)
                for _ in range(args.runs)]
        print(f"qa in a {COLS}x{ROWS} pty, index {index}")
        print(summary("start to prompt", [r[0] for r in runs]))
        if not args.no_question:
            print(summary(f"first answer ({args.question!r}, Enter to answer)",
                          [r[1] for r in runs if r[1] is not None]))
        print(f"for reference: python -c pass {python_seconds('pass', env):.2f} s; "
              f"import qa.cli + qa.repl + prompt_toolkit "
              f"{python_seconds('import qa.cli, qa.repl, prompt_toolkit', env):.2f} s")


if __name__ == "__main__":
    main()
