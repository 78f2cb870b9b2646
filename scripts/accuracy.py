"""Metric accuracy against the mock server's truth (BENCHMARKS.md section 10).

    cargo build --release -p aiperf-cli -p aiperf-mock-server   # this script builds nothing
    python3 scripts/accuracy.py                                  # ours only
    python3 scripts/accuracy.py --aiperf target/aiperf-venv/bin/aiperf   # ours and AIPerf 0.13

Python 3 standard library only. For each concurrency (1 and 16) and each
repetition (3 by default), a fresh release mock server is started on core 1
(`taskset -c 1 aiperf-mock-server --ttft 25 --itl 1.5 --record FILE`) and a
client on core 0 runs AIPerf's command line against it:

    aiperf profile -m demo --url URL --streaming --concurrency N \
        --request-count M --isl 100 --osl 64 --artifact-dir DIR --ui-type none

(AIPerf 0.13 also gets `--tokenizer builtin`, with TIKTOKEN_CACHE_DIR set to
target/tiktoken-cache and HF_HUB_OFFLINE=1.) Ours and AIPerf alternate
within a repetition and swap order from one repetition to the next, so a
change in this VM's speed falls on both. Other users of the VM move these
figures (a build on the other core delays the server's and the client's
wake-ups by milliseconds): each run waits until the VM is idle (under 15 %
busy over 5 s, at most 10 minutes), measures the CPU that processes outside
the client's and the server's sessions took during it (class Foreign), and
is repeated (at most 4 times) if that exceeds a quarter of a
core; discarded runs are kept in the JSON.

The truth is the server's record of each request (mock-server/src/record.rs):
`received_ns` (its body read to the end), `first_token_ns`, `last_token_ns`,
`completed_ns` (`[DONE]` handed to the connection), all nanoseconds of one
monotonic clock since the server started, plus `received_unix_ns`, the same
instant placed on the wall clock through one (SystemTime, Instant) pair taken
at the server's start. Durations need no alignment:

    TTFT    = first_token_ns - received_ns
    ITL     = (last_token_ns - first_token_ns) / (output_tokens - 1)
    latency = last_token_ns - received_ns

The client's figures are its per-request records (`profile_export.jsonl`,
the same format for both clients): `time_to_first_token`,
`inter_token_latency`, `request_latency` of each successful profiling
request. Each is compared with the server's figure for the same request.

Matching. Every successful request of the client must have exactly one
server record (route chat_completions, status 200, completed) and the counts
must be equal, or the run is refused. Requests are paired by time: the
client's `request_start_ns`/`request_end_ns` (Unix) against the server's
`received_unix_ns` and `received_unix_ns + (completed_ns - received_ns)`.
The two wall clocks are sampled at different moments (client start, server
start), so first the offset between them is estimated (the median gap of
the requests paired in start order) and removed; then pairs are taken
greedily, closest first, on |start gap| + |end gap| (any left, in start
order). Each pair is checked:
the server's requested_tokens is 64, and the requests whose
output sequence length (as the client counted it) differs from the tokens
the server sent are counted (AIPerf counts with its tokenizer, not the
server's usage, so its ITL can divide by another count). The mean of per-request differences does
not depend on the pairing at all (it equals the client's mean minus the
server's over the same set of requests); the pairing serves the checks and
the per-request percentiles.

Prints the table written into scripts/engine-benchmarks.md and writes every
run's figures to target/accuracy.json.
"""

import argparse
import glob
import json
import os
import pathlib
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
TTFT_MS, ITL_MS, ISL, OSL = 25, 1.5, 100, 64
METRICS = ("ttft", "itl", "latency")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mock:
    """The release mock server on core 1, recording what it served."""

    def __init__(self, work):
        self.record = os.path.join(work, "served.jsonl")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["taskset", "-c", "1", str(RELEASE / "aiperf-mock-server"), "--port", str(self.port),
             "--ttft", str(TTFT_MS), "--itl", str(ITL_MS), "--record", self.record],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True)
        line = self.proc.stdout.readline()  # "... listening on http://..."
        if "listening" not in line:
            self.proc.kill()
            raise SystemExit(f"mock server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        """Stops the server (SIGTERM: it flushes its records) and returns them."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with open(self.record) as f:
            return [json.loads(line) for line in f if line.strip()]


def client_records(artifact_dir):
    """Successful profiling requests of a profile_export.jsonl (ours or AIPerf's)."""
    paths = glob.glob(os.path.join(artifact_dir, "**", "profile_export.jsonl"), recursive=True)
    if len(paths) != 1:
        raise RuntimeError(f"expected one profile_export.jsonl under {artifact_dir}, found {paths}")
    out, failed = [], 0
    with open(paths[0]) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            meta, m = r["metadata"], r.get("metrics", {})
            if meta.get("benchmark_phase") != "profiling":
                continue
            if r.get("error") or meta.get("was_cancelled"):
                failed += 1
                continue
            out.append({
                "start": meta["request_start_ns"],
                "end": meta["request_end_ns"],
                "ttft": m["time_to_first_token"]["value"],
                "itl": m["inter_token_latency"]["value"],
                "latency": m["request_latency"]["value"],
                "osl": m["output_sequence_length"]["value"],
            })
    return out, failed


def server_records(rows):
    out = []
    for r in rows:
        if r["route"] != "chat_completions" or r["status"] != 200 or r["completed_ns"] is None:
            continue
        n = r["output_tokens"]
        out.append({
            "id": r["id"],
            "start": r["received_unix_ns"],
            "end": r["received_unix_ns"] + (r["completed_ns"] - r["received_ns"]),
            "ttft": (r["first_token_ns"] - r["received_ns"]) / 1e6,
            "itl": (r["last_token_ns"] - r["first_token_ns"]) / 1e6 / (n - 1),
            "latency": (r["last_token_ns"] - r["received_ns"]) / 1e6,
            "tokens": n,
            "requested": r["requested_tokens"],
        })
    return out


def match(client, server):
    """Pairs (client, server) records of the same requests; see the header."""
    if len(client) != len(server):
        raise RuntimeError(f"{len(client)} successful client records, {len(server)} served")
    by_start_c = sorted(client, key=lambda r: r["start"])
    by_start_s = sorted(server, key=lambda r: r["start"])
    offset = statistics.median(s["start"] - c["start"] for c, s in zip(by_start_c, by_start_s))
    candidates = []
    window = 1_000_000_000  # 1 s either side of the client's start
    j0 = 0
    for i, s in enumerate(by_start_s):
        at = s["start"] - offset
        while j0 < len(by_start_c) and by_start_c[j0]["start"] < at - window:
            j0 += 1
        j = j0
        while j < len(by_start_c) and by_start_c[j]["start"] <= at + window:
            c = by_start_c[j]
            cost = abs(c["start"] + offset - s["start"]) + abs(c["end"] + offset - s["end"])
            candidates.append((cost, j, i))
            j += 1
    candidates.sort()
    used_c, used_s, pairs = set(), set(), []
    for _, j, i in candidates:
        if j in used_c or i in used_s:
            continue
        used_c.add(j)
        used_s.add(i)
        pairs.append((by_start_c[j], by_start_s[i]))
    # Any left (a request delayed by more than the window): in start order.
    left_c = [c for j, c in enumerate(by_start_c) if j not in used_c]
    left_s = [s for i, s in enumerate(by_start_s) if i not in used_s]
    pairs += list(zip(left_c, left_s))
    osl_mismatches = 0
    for c, s in pairs:
        if s["requested"] != OSL:
            raise RuntimeError(f"server record {s['id']} asked for {s['requested']} tokens")
        # A client that counts output tokens itself (AIPerf tokenizes the
        # text it received) may count another number than the server sent;
        # its ITL divides by that count. Counted, not refused.
        osl_mismatches += s["tokens"] != c["osl"]
    return pairs, offset, osl_mismatches


def percentile(sorted_values, p):
    """numpy's default (linear) percentile of sorted values."""
    rank = p / 100 * (len(sorted_values) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (rank - lo) * (sorted_values[hi] - sorted_values[lo])


def compare(pairs):
    out = {"requests": len(pairs)}
    for k in METRICS:
        diffs = sorted(c[k] - s[k] for c, s in pairs)
        out[k] = {
            "client_mean": statistics.fmean(c[k] for c, _ in pairs),
            "server_mean": statistics.fmean(s[k] for _, s in pairs),
            "diff_mean": statistics.fmean(diffs),
            "diff_p50": percentile(diffs, 50),
            "diff_p99": percentile(diffs, 99),
        }
    # Where the TTFT difference is spent (indicative: it relies on the two
    # wall clocks agreeing): from the client's start stamp to the server's
    # having read the body, and from the server's handing the first token to
    # the connection to the client's stamp of it.
    send = [(s["start"] - c["start"]) / 1e6 for c, s in pairs]
    out["send_mean"] = statistics.fmean(send)
    out["first_token_return_mean"] = out["ttft"]["diff_mean"] - out["send_mean"]
    return out


def cpu_jiffies():
    """(busy, steal) clock ticks of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle - v[7], v[7]


def processes():
    """{pid: (session, CPU ticks of its own)} of every process."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        v = stat[stat.rfind(")") + 2:].split()
        out[int(pid)] = (int(v[3]), int(v[11]) + int(v[12]))
    return out


class Foreign:
    """CPU taken during a run by processes outside the given sessions (other
    users of the VM), sampled from /proc every 0.5 s: for each process, its
    CPU at the last sample minus at the first (0 if it started during the
    run). An estimate, low by what processes did in their last 0.5 s (and
    by those living less than that); a parent's reaped-children time is not
    used, since it counts a child's whole life, before the run included."""

    def __init__(self):
        self.first = processes()
        self.last = dict(self.first)
        self.ours = {os.getpid()}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while not self.stop.wait(0.5):
            self.last.update(processes())

    def seconds(self):
        self.stop.set()
        self.thread.join()
        self.last.update(processes())
        ticks = 0
        for pid, (sid, cpu) in self.last.items():
            if sid in self.ours or pid in self.ours:
                continue
            ticks += cpu - self.first.get(pid, (sid, 0))[1]
        return ticks / os.sysconf("SC_CLK_TCK")


def busy_fraction(seconds):
    """The machine's busy fraction (all cores) over the next `seconds`."""
    a, _ = cpu_jiffies()
    with open("/proc/stat") as f:
        total_a = sum(int(x) for x in f.readline().split()[1:9])
    time.sleep(seconds)
    b, _ = cpu_jiffies()
    with open("/proc/stat") as f:
        total_b = sum(int(x) for x in f.readline().split()[1:9])
    return (b - a) / max(1, total_b - total_a)


def wait_quiet(limit_s=600):
    """Waits (at most limit_s) until other users of the VM leave it idle:
    under 15 % busy over 5 s."""
    end = time.time() + limit_s
    while time.time() < end:
        if busy_fraction(5) < 0.15:
            return
    print("  (the VM stayed busy; running anyway)", flush=True)


def run(client, exe, concurrency, requests):
    work = tempfile.mkdtemp(prefix=f"accuracy-{client}-")
    art = os.path.join(work, "artifacts")
    mock = Mock(work)
    cmd = [exe, "profile", "-m", "demo", "--url", mock.url, "--streaming",
           "--concurrency", str(concurrency), "--request-count", str(requests),
           "--isl", str(ISL), "--osl", str(OSL), "--artifact-dir", art, "--ui-type", "none"]
    env = dict(os.environ)
    if client == "aiperf":
        cmd += ["--tokenizer", "builtin"]
        env.update(TIKTOKEN_CACHE_DIR=str(ROOT / "target" / "tiktoken-cache"), HF_HUB_OFFLINE="1")
    ticks = os.sysconf("SC_CLK_TCK")
    _, steal0 = cpu_jiffies()
    foreign = Foreign()
    foreign.ours.add(mock.proc.pid)  # its session
    try:
        t = time.time()
        # A session of its own: AIPerf's services are in it too, even those
        # it does not reap itself.
        proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        foreign.ours.add(proc.pid)
        _, stderr = proc.communicate()
        wall = time.time() - t
    finally:
        served = mock.stop()
    other_cpu = foreign.seconds()
    _, steal1 = cpu_jiffies()
    if proc.returncode != 0:
        raise RuntimeError(f"{client} exited {proc.returncode}: {stderr[-2000:]}")
    crecs, failed = client_records(art)
    if failed or len(crecs) != requests:
        raise RuntimeError(f"{client}: {len(crecs)} ok, {failed} failed of {requests}")
    pairs, offset, osl_mismatches = match(crecs, server_records(served))
    shutil.rmtree(work, ignore_errors=True)
    result = compare(pairs)
    result["wall_s"] = wall
    result["clock_offset_ms"] = offset / 1e6
    result["osl_mismatches"] = osl_mismatches
    # Disturbance: CPU the machine spent on anything but this client and
    # this server during the run (other users of the VM), and time stolen
    # by the hypervisor; both in seconds.
    result["other_cpu_s"] = other_cpu
    result["steal_s"] = (steal1 - steal0) / ticks
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aiperf", help="AIPerf 0.13's executable (e.g. target/aiperf-venv/bin/aiperf)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--requests", default="1:200,16:1000",
                    help="concurrency:request-count pairs (default 1:200,16:1000)")
    ap.add_argument("--out", default=str(ROOT / "target" / "accuracy.json"))
    ap.add_argument("--report", metavar="JSON",
                    help="measure nothing: print the tables of a previous run's JSON")
    args = ap.parse_args()
    plan = [tuple(int(x) for x in p.split(":")) for p in args.requests.split(",")]
    if args.report:
        results = json.load(open(args.report))
        discarded = results.pop("discarded")
        names = sorted({k.rsplit("_c", 1)[0] for k in results}, key=lambda n: n != "ours")
        report(results, discarded, plan, [(n, None) for n in names])
        return
    for exe in ("aiperf", "aiperf-mock-server"):
        if not (RELEASE / exe).exists():
            sys.exit(f"no {RELEASE / exe}: cargo build --release -p aiperf-cli -p aiperf-mock-server")
    clients = [("ours", str(RELEASE / "aiperf"))]
    if args.aiperf:
        if not (ROOT / "target" / "tiktoken-cache").is_dir():
            sys.exit("no target/tiktoken-cache: run scripts/engine_bench.py once (it makes it)")
        clients.append(("aiperf", args.aiperf))
    results = {f"{name}_c{c}": [] for c, _ in plan for name, _ in clients}
    discarded = []
    for rep in range(args.reps):
        order = clients if rep % 2 == 0 else clients[::-1]
        for concurrency, requests in plan:
            for name, exe in order:
                # A run during which other processes took more than a
                # quarter of a core on average (builds by other users of
                # the VM) is measured again, at most 4 times; the discarded
                # runs stay in the JSON.
                for attempt in range(5):
                    wait_quiet()
                    r = run(name, exe, concurrency, requests)
                    if r["other_cpu_s"] <= 0.25 * r["wall_s"] or attempt == 4:
                        break
                    discarded.append(dict(r, client=name, concurrency=concurrency))
                    print(f"  {name} c={concurrency}: other processes took "
                          f"{r['other_cpu_s']:.1f} s of CPU in {r['wall_s']:.1f} s; again",
                          flush=True)
                results[f"{name}_c{concurrency}"].append(r)
                print(f"rep {rep + 1} {name} c={concurrency}: " + ", ".join(
                    f"{k} {r[k]['diff_mean']:+.3f} ms" for k in METRICS)
                    + f" (other CPU on the VM {r['other_cpu_s']:.1f} s in {r['wall_s']:.1f} s)",
                    flush=True)
    pathlib.Path(args.out).write_text(json.dumps(dict(results, discarded=discarded), indent=2))
    report(results, discarded, plan, clients)


def report(results, discarded, plan, clients):

    print(f"\n{len(discarded)} runs discarded and measured again (other processes busy).")
    targets = {1: {"ttft": 0.5, "itl": 0.5, "latency": 0.5}, 16: {"itl": 0.2}}
    print("\n| concurrency × requests | client | TTFT: client − server | ITL: client − server "
          "| latency: client − server | target |")
    print("|---|---|---|---|---|---|")
    for concurrency, requests in plan:
        for name, _ in clients:
            runs = results[f"{name}_c{concurrency}"]
            cells, verdicts = [], []
            for k in METRICS:
                means = [r[k]["diff_mean"] for r in runs]
                m = statistics.fmean(means)
                cells.append(f"{m:+.3f} ms ({min(means):+.3f} … {max(means):+.3f})")
                goal = targets.get(concurrency, {}).get(k)
                if goal is not None:
                    # The target holds for the mean over the repetitions,
                    # and how many single runs missed it is said too.
                    off = sum(abs(x) > goal for x in means)
                    ok = "met" if abs(m) <= goal else "**missed**"
                    if off:
                        ok += f" (missed in {off} of {len(means)} runs)"
                    verdicts.append(f"{k.upper() if k != 'latency' else 'latency'} ≤ {goal}: {ok}")
            label = "ours" if name == "ours" else "AIPerf 0.13"
            print(f"| {concurrency} × {requests} | {label} | " + " | ".join(cells) + " | "
                  + ("; ".join(verdicts) if verdicts else "—") + " |")
    print("\nPer-request differences (median over repetitions of each run's p50 / p99):")
    for concurrency, requests in plan:
        for name, _ in clients:
            runs = results[f"{name}_c{concurrency}"]
            print(f"  c={concurrency} {name}: " + "; ".join(
                f"{k} p50 {statistics.median(r[k]['diff_p50'] for r in runs):+.3f} "
                f"p99 {statistics.median(r[k]['diff_p99'] for r in runs):+.3f} ms"
                for k in METRICS)
                + f"; output-token count differs from the server's in "
                f"{sum(r['osl_mismatches'] for r in runs)} of {sum(r['requests'] for r in runs)}")
    print("\nTTFT difference split (wall clocks; mean over repetitions): request start to "
          "body read at the server + first token written to first token stamped:")
    for concurrency, _ in plan:
        for name, _ in clients:
            runs = results[f"{name}_c{concurrency}"]
            print(f"  c={concurrency} {name}: "
                  f"{statistics.fmean(r['send_mean'] for r in runs):+.3f} + "
                  f"{statistics.fmean(r['first_token_return_mean'] for r in runs):+.3f} ms")
    print("\nServer means (truth), mean over repetitions:")
    for concurrency, _ in plan:
        for name, _ in clients:
            runs = results[f"{name}_c{concurrency}"]
            print(f"  c={concurrency} {name}: " + ", ".join(
                f"{k} {statistics.fmean(r[k]['server_mean'] for r in runs):.3f} ms"
                for k in METRICS))


if __name__ == "__main__":
    main()
