"""Collector load benchmark: sustained votes/s, p50/p99 latency, and no acknowledged vote lost on SIGKILL.

    python bench/collector.py [SECONDS] [--concurrency N] [--db-url URL]

Starts `deflect serve` on loopback with a temporary SQLite file (rate limiting off: all load comes from
one IP), drives votes from N keep-alive connections for SECONDS (default 60), prints the numbers, then
runs a second load phase and SIGKILLs the server in the middle of it: every vote acknowledged with
HTTP 201 must be in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int, workers: int = 1) -> subprocess.Popen:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.Popen([sys.executable, "-m", "deflect.cli", "serve", "--db", db_url, "--host", HOST,
                             "--port", str(port), "--rate-limit", "0", "--workers", str(workers)],
                            env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(100).startswith(b"HTTP/1.1 200"):
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("collector did not start")


async def worker(port: int, stop: asyncio.Event, worker_id: int, latencies: list[float], acked: list[tuple],
                 errors: list[str]) -> None:
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError as exc:
        errors.append(repr(exc))
        return
    n = 0
    while not stop.is_set():
        n += 1
        voter = f"bench-{worker_id:03}-{n:07}"
        article = f"en/article-{random.randrange(200)}/"
        body = json.dumps({"article": article, "lang": "en", "helpful": n % 3 != 0,
                           "reason": None if n % 3 else "unclear", "voter": voter}).encode()
        request = (b"POST /api/votes HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        t0 = time.perf_counter()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return  # server gone (the SIGKILL phase): this vote was not acknowledged
        latencies.append(time.perf_counter() - t0)
        if head.startswith(b"HTTP/1.1 201"):
            acked.append((article, voter))
        else:
            errors.append(head.split(b"\r\n", 1)[0].decode())
    writer.close()


async def load(port: int, seconds: float, concurrency: int, kill: subprocess.Popen | None = None):
    stop = asyncio.Event()
    latencies: list[float] = []
    acked: list[tuple] = []
    errors: list[str] = []
    tasks = [asyncio.create_task(worker(port, stop, i, latencies, acked, errors)) for i in range(concurrency)]
    t0 = time.perf_counter()
    if kill is not None:
        await asyncio.sleep(seconds / 2)
        os.killpg(kill.pid, signal.SIGKILL)  # the server and its worker processes
        kill.wait()
    await asyncio.sleep(max(0.0, seconds - (time.perf_counter() - t0)))
    stop.set()
    await asyncio.gather(*tasks)
    return time.perf_counter() - t0, latencies, acked, errors


def run(coro):
    """The load generator shares the machine's cores with the server: run it on uvloop when available."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seconds", nargs="?", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--kill-seconds", type=float, default=None, help="Length of the SIGKILL phase (default: "
                        "a quarter of SECONDS, at least 4).")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
    from deflect.collector.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="deflect-bench-"))
    db_url = f"sqlite:///{tmp / 'feedback.db'}"
    port = free_port()
    server = start_server(db_url, port, args.workers)
    try:
        elapsed, latencies, acked, errors = run(load(port, args.seconds, args.concurrency))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    rate = len(acked) / elapsed
    p50, p99 = pct(latencies, 50), pct(latencies, 99)
    print(f"load: {len(acked)} votes in {elapsed:.1f} s over {args.concurrency} connections: "
          f"{rate:.0f} votes/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, errors {len(errors)}")
    print(f"targets: >= 1500 votes/s {'OK' if rate >= 1500 else 'MISSED'}; "
          f"p99 <= 50 ms {'OK' if p99 <= 50 else 'MISSED'}")

    # SIGKILL phase: a fresh database, kill the server mid-load, compare acknowledged vs stored.
    db_url = f"sqlite:///{tmp / 'killed.db'}"
    port = free_port()
    server = start_server(db_url, port, args.workers)
    kill_seconds = args.kill_seconds or max(4.0, args.seconds / 4)
    _, _, acked, _ = run(load(port, kill_seconds, args.concurrency, kill=server))
    store = Store(db_url)
    stored = {(v["article"], v["voter"]) for v in store.votes()}
    store.close()
    lost = [a for a in acked if a not in stored]
    print(f"SIGKILL: {len(acked)} votes acknowledged, {len(stored)} stored, {len(lost)} acknowledged votes lost "
          f"({len(stored) - len(set(acked) & stored)} stored but unacknowledged: in flight at the kill)")
    print("durability:", "OK" if not lost else "FAILED")
    return 0 if not lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
