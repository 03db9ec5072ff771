"""Load generation with wrk: install it if missing, run it bounded in time, read its verdict.

Every run uses ``submit.lua``, so all rows pay the same client-side cost. A
run is *valid* only with no socket errors, no timeouts and no unexpected
response: for submissions every response must be a redirect to ``/done``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "submit.lua"


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian's packages the first time (we run as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("Installing wrk (apt-get install -y wrk) ...", flush=True)
    subprocess.run(["apt-get", "update"], check=True, timeout=300, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, timeout=300, env=env,
                   stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is still missing after apt-get install -y wrk")
    return found


@dataclass
class Result:
    """One wrk run: throughput, latency, and whether it can be trusted."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    good: int
    problems: list[str] = field(default_factory=list)
    cpu_ms_per_request: float = 0.0
    worker_shares: list[float] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when every response was the expected one and no socket failed."""
        return not self.problems

    def as_dict(self) -> dict:
        """A JSON-ready copy."""
        return {"rps": round(self.rps, 1), "p50_ms": round(self.p50_ms, 2), "p99_ms": round(self.p99_ms, 2),
                "requests": self.requests, "good": self.good, "valid": self.valid, "problems": self.problems,
                "server_cpu_ms_per_request": round(self.cpu_ms_per_request, 3),
                "worker_cpu_shares": self.worker_shares}


def run_wrk(url: str, seconds: int, *, connections: int = 32, sessions: Path | None = None,
            mode: str = "get", server=None) -> Result:
    """Load ``url`` for ``seconds`` with one wrk thread; ``mode`` is get, page or submit.

    With ``server`` (a :class:`servers.Running`), also measure the CPU time its
    workers used per request, a figure much less disturbed by other tenants of
    the machine than req/s, and how the work was shared between workers.
    """
    args = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
            "-s", str(SCRIPT), url, "--", str(sessions) if sessions else "-", mode, "1"]
    before = server.cpu_seconds() if server else {}
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    after = server.cpu_seconds() if server else {}
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout[-500:]}")
    result = _result(json.loads(line.removeprefix("BENCH_JSON ")))
    used = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    total = sum(used.values())
    if total and result.requests:
        result.cpu_ms_per_request = total * 1000 / result.requests
        result.worker_shares = [round(u / total, 2) for u in used.values()]
        if len(used) > 1 and min(used.values()) < 0.2 * total / len(used):
            result.problems.append(f"unbalanced workers (CPU shares {result.worker_shares})")
    return result


def _result(data: dict) -> Result:
    seconds = data["duration_us"] / 1e6
    problems = []
    if data["socket_errors"] or data["timeouts"]:
        problems.append(f"{data['socket_errors']} socket errors, {data['timeouts']} timeouts")
    if data["bad"]:
        statuses = " ".join(sorted(set(data["bad_statuses"].split())))
        problems.append(f"{data['bad']} unexpected responses (status {statuses})")
    if data["exhausted"]:
        problems.append("the prepared sessions ran out")
    if not data["good"]:
        problems.append("no good response")
    return Result(
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        good=data["good"],
        problems=problems,
    )
