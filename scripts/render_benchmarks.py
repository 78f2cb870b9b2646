"""Writes BENCHMARKS.md (to stdout) from target/bench-results.json."""

import json
import pathlib
import sys

r = json.load(open(sys.argv[1]))
c = r["criterion"]
m = r["machine"]


def verdict(value, goal, lower_is_better=True):
    ok = value <= goal if lower_is_better else value >= goal
    return "met" if ok else f"**missed** ({value:.2f} vs {goal})"


out = []
w = out.append
w("# Benchmarks\n")
w(f"Measured on {m['date']}: {m['cpu']}, {m['cores']} cores, {m['rustc']}. "
  "Every figure is a ratio against a baseline measured in the same run. "
  "Re-run everything with `scripts/bench.sh` (needs `hyperfine` and GNU `time`; "
  "about 10 minutes); the raw numbers land in `target/bench-results.json`.\n")

w("## 1–3, 8. The registry next to the direct way\n")
w("`cargo bench -p registry-core --bench paired`: batches of the baseline and of the registry "
  "call alternate (201 pairs of about 0.5 ms each) and each figure is the median over the pairs, "
  "so a change in the machine's speed during the run hits both sides of a ratio alike.\n")
w("| # | measurement | registry | baseline | ratio | goal |")
w("|---|---|---|---|---|---|")
pr = r["paired"]


def row(num, label, key, goal=None, extra=False, note="—"):
    p = pr[key]
    if extra:
        k = f"+{p['extra_ns']:.1f} ns"
        v = f"≤ +{goal} ns: {verdict(p['extra_ns'], goal)}"
    else:
        k = f"{p['ratio']:.2f}×"
        v = f"≤ {goal}×: {verdict(p['ratio'], goal)}" if goal else note
    w(f"| {num} | {label} | {p['subject_ns']:.2f} ns | {p['baseline_ns']:.2f} ns | {k} | {v} |")


row(1, "warm `get_class(\"chat_embeddings\")` vs `FxHashMap<(&str,&str),_>::get`",
    "resolve/get_class", 1.3)
row(2, "lookup spelled `\"Chat-Embeddings\"` vs canonical `\"chat_embeddings\"`",
    "normalise/other_spelling", 1.5)
row("3a", "create through a resolved handle (`create`: load check, panic contained, errors with "
    "context) vs `Box::new(T::create(args))`", "construct/resolved_handle", 1.3)
row("3a′", "create through a resolved handle's bare constructor (`constructor()`, fetched once) vs "
    "`Box::new(T::create(args))`", "construct/bare_constructor", 1.3)
row("3b", "(context) the same constructor through a bare `fn` pointer vs direct",
    "construct/fn_pointer_baseline")
row("3c", "`create_instance(name, args)` vs direct", "construct/create_instance", 30, extra=True)
for label, key in [("canonical", "enum_parse/canonical"), ("other spelling", "enum_parse/other_spelling")]:
    row(8, f"`dynamic_str_enum` parse, {label}, vs `str::eq`", key, note="AIPerf: 590 / 2,650 ns")
w("")
w("The same comparisons in criterion (`cargo bench -p registry-core --bench registry`, mean "
  "estimates; each function measured for seconds after the previous one, so on a shared host "
  "these ratios carry the machine's drift):\n")
w("| measurement | registry | baseline | ratio |")
w("|---|---|---|---|")
crit = [
    ("warm `get_class`", c["resolve"]["get_class"], c["resolve"]["fxhashmap_baseline"]),
    ("other spelling vs canonical", c["normalise"]["other_spelling"], c["normalise"]["canonical"]),
    ("resolved handle vs direct", c["construct"]["resolved_handle"], c["construct"]["direct_box_new"]),
    ("bare constructor vs direct", c["construct"]["bare_constructor"], c["construct"]["direct_box_new"]),
    ("bare `fn` pointer vs direct", c["construct"]["fn_pointer_baseline"], c["construct"]["direct_box_new"]),
    ("`create_instance` vs direct", c["construct"]["create_instance"], c["construct"]["direct_box_new"]),
    ("enum parse, canonical, vs `str::eq`", c["enum_parse"]["canonical"], c["enum_parse"]["str_eq_baseline"]),
    ("enum parse, other spelling, vs `str::eq`", c["enum_parse"]["other_spelling"], c["enum_parse"]["str_eq_baseline"]),
]
for label, a, b in crit:
    w(f"| {label} | {a:.2f} ns | {b:.2f} ns | {a/b:.2f}× |")
w("")

w("## 4. Scale: 1,000 and 10,000 registrations (`bench-scale/`)\n")
w("`bench-scale` generates N `register_lazy!` lines (`SCALE_KIND=registry`), the same "
  "entries as a plain `static` array (`static`), or nothing (`none`). Release builds. It is "
  "outside the workspace, so `cargo test` and CI never build it (the 10,000-registration build "
  "alone takes the time in §7); by hand, one variant:\n")
w("```sh")
w("cd bench-scale")
w("SCALE_KIND=registry SCALE_N=10000 CARGO_TARGET_DIR=../target/scale cargo build --release")
w("hyperfine -N --warmup 20 '../target/scale/release/bench-scale start'   # (a)")
w("../target/scale/release/bench-scale index     # (b) ns per registration")
w("../target/scale/release/bench-scale resolve   # (c) ns per warm lookup")
w("```\n")
w("### (a) Process start (hyperfine, median, `scale-* start`)\n")
w("| N | none | static array | registry | registry vs static |")
w("|---|---|---|---|---|")
for n, s in r["start"].items():
    w(f"| {int(n):,} | {s['none']*1e3:.3f} ms | {s['static']*1e3:.3f} ms | {s['registry']*1e3:.3f} ms | {s['registry']/s['static']:.2f}× |")
w("")
s10 = r["start"]["10000"]
if "registry-nopie" in s10:
    w(f"The same two binaries at 10,000 linked as non-PIE executables (`-C relocation-model=static`, "
      f"which the loader does not relocate): static array {s10['static-nopie']*1e3:.3f} ms, "
      f"registry {s10['registry-nopie']*1e3:.3f} ms "
      f"({s10['registry-nopie']/s10['static-nopie']:.2f}×; no registrations: "
      f"{s10['none']*1e3:.3f} ms). So all of the registry's start-up cost is the loader "
      "relocating pointers in a position-independent executable; no code runs before `main`.\n")
d = r.get("start_detail")
if d:
    w("What the loader does before `main` at 10,000 (no code of ours runs: linkme's slice is "
      "laid out by the linker): relocations applied (`size -A`: `.rela.dyn` / 24 bytes), "
      "writable data, and minor page faults of one start (`/usr/bin/time -v`, median of 11).\n")
    w("| kind | relocations | per registration | data | page faults |")
    w("|---|---|---|---|---|")
    for kind in ["none", "static", "registry"]:
        k = d[kind]
        per = "" if kind == "none" else \
            f"{(k['relocations'] - d['none']['relocations']) / 10000:.1f}"
        w(f"| {kind} | {k['relocations']:,} | {per} | {k['data_bytes']/1024:.0f} KiB | "
          f"{k['minor_faults']:.0f} |")
    w("")
w("### (b) First access: building the index (single shot per process; the two binaries alternate, 21 rounds, medians)\n")
w("| N | registry | FxHashMap of the static array (floor) | ratio | goal |")
w("|---|---|---|---|---|")
for n, s in r["index"].items():
    w(f"| {int(n):,} | {s['registry']:.1f} ns/registration | {s['static']:.1f} ns/entry | {s['registry']/s['static']:.1f}× | ≤ 30 ns: {verdict(s['registry'], 30)} |")
w("")
if d and "index_faults" in d.get("registry", {}):
    w(f"Memory touched for the first time by the first access at 10,000 (minor page faults of an "
      f"`index` run minus a `start` run, median of 11): registry {d['registry']['index_faults']:.0f}, "
      f"FxHashMap floor {d['static']['index_faults']:.0f}.\n")
w("### (c) Warm resolve vs registry size (20 names looked up in turn; the three binaries alternate, 21 rounds, medians)\n")
w("| registrations | ns/lookup | vs 20 |")
w("|---|---|---|")
base = r["resolve"]["20"]
for n, v in r["resolve"].items():
    w(f"| {int(n):,} | {v:.2f} | {v/base:.2f}× |")
w("")
w("### Python discovery of 10,000 entry points, same machine (median of 7 fresh processes)\n")
p = r["python"]
idx10k = r["index"]["10000"]["registry"] * 10000 / 1e6
start10k = r["start"]["10000"]["registry"] * 1e3
w("| what | time |")
w("|---|---|")
w(f"| `importlib.metadata.entry_points(group=...)` | {p['entry_points']*1e3:.1f} ms |")
w(f"| stevedore `ExtensionManager` (loads each) | {p['stevedore']*1e3:.1f} ms |")
w(f"| this registry: whole process start + first-access index | {start10k + idx10k:.2f} ms "
  f"({(p['entry_points']*1e3)/(start10k + idx10k):.0f}× less than entry_points) |")
w("")

w("## 5. Contention: readers vs one thread flipping overrides\n")
w("`cargo bench -p registry-core --bench contention`: lookups per second per reader, alone and "
  "with the writer, in 11 rounds of alternating 150 ms phases; medians, and the median of the "
  "per-round ratios.\n")
w("| readers | cores | name read | writer pause | alone | with writer | ratio | goal |")
w("|---|---|---|---|---|---|---|---|")
for readers, cores, pause, same, alone, churn, k in r["contention"]["rows"]:
    pause_s = "none (flat out)" if pause == 0 else f"{pause} µs"
    read = "the flipped name" if same else "another name"
    note = " (readers + writer > cores: time-slicing)" if readers + 1 > cores else ""
    w(f"| {readers}{note} | {cores} | {read} | {pause_s} | {alone/1e6:.1f} M/s | {churn/1e6:.1f} M/s | {k:.2f} | ≥ 0.8: {verdict(k, 0.8, False)} |")
w("")

w("## 6. The `aiperf` binary (release; hyperfine median, peak RSS from `/usr/bin/time -v`)\n")
w("| command | wall | peak RSS | goal |")
w("|---|---|---|---|")
for label, v in r["cli"].items():
    goal = 20 if "validate" in label else 5
    w(f"| `aiperf {label}` | {v['median_s']*1e3:.2f} ms | {v['rss_kb']/1024:.1f} MB | < {goal} ms: {verdict(v['median_s']*1e3, goal)} |")
ap = r.get("aiperf_python", {})
for label in ["plugins", "plugins --validate"]:
    v = ap.get(label)
    if v and "median_s" in v:
        ours = r["cli"][label]["median_s"]
        w(f"| AIPerf {ap['version']} (Python, pip) `aiperf {label}` | {v['median_s']*1e3:.0f} ms | "
          f"{v['rss_kb']/1024:.0f} MB | side by side: ours is {v['median_s']/ours:.0f}× faster |")
    elif v:
        w(f"| AIPerf (Python) `aiperf {label}` | {v['error']} | | |")
if "error" in ap:
    w(f"| AIPerf (Python) | not measured: {ap['error']} | | |")
w("")

w("## 7. Binary size and compile time per registration (release)\n")
w("`cargo build --release` of `bench-scale` with its dependencies already built (so a build is "
  "the crate itself plus linking). Per registration: build time over the same kind at 20 entries, "
  "binary size over `none` at the same N, as built and stripped (`strip`: without the symbol "
  "table, which holds two local symbols per registration and is not loaded).\n")
w("| N | kind | build | binary | stripped | per registration: build, binary, stripped |")
w("|---|---|---|---|---|---|")
b = r["builds"]
for n in ["20", "1000", "10000"]:
    none = b[f"none-{n}"]
    for kind in ["none", "static", "registry"]:
        t, size = b[f"{kind}-{n}"][:2]
        stripped = b[f"{kind}-{n}"][2] if len(b[f"{kind}-{n}"]) > 2 else None
        shown = f"{stripped/1024:.0f} KiB" if stripped else "—"
        if kind == "none":
            per = ""
        elif n == "20":
            per = "(base for build time)"
        else:
            t20 = b[f"{kind}-20"][0]
            per = f"{(t - t20) / (int(n) - 20) * 1e3:.2f} ms, {(size - none[1]) / int(n):.0f} B"
            if stripped and len(none) > 2:
                per += f", {(stripped - none[2]) / int(n):.0f} B"
        w(f"| {int(n):,} | {kind} | {t:.1f} s | {size/1024:.0f} KiB | {shown} | {per} |")
w("")
w("## Where a goal is missed, and why\n")
w(open(sys.argv[2]).read() if len(sys.argv) > 2 else "")
# Section 9 (the engine next to AIPerf) comes from scripts/engine_bench.py,
# written up by hand in scripts/engine-benchmarks.md.
engine = pathlib.Path(__file__).with_name("engine-benchmarks.md")
if engine.exists():
    w(engine.read_text())
print("\n".join(out))
