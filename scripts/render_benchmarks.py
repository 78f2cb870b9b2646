"""Writes BENCHMARKS.md (to stdout) from target/bench-results.json."""

import json
import sys

r = json.load(open(sys.argv[1]))
c = r["criterion"]
m = r["machine"]


def ratio(a, b):
    return a / b


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

w("## 1–3, 8. The registry next to the direct way (criterion)\n")
w("`cargo bench -p registry-core --bench registry` (mean of criterion's estimate).\n")
w("| # | measurement | registry | baseline | ratio | goal |")
w("|---|---|---|---|---|---|")
res = c["resolve"]
k = ratio(res["get_class"], res["fxhashmap_baseline"])
w(f"| 1 | warm `get_class(\"chat_embeddings\")` vs `FxHashMap<(&str,&str),_>::get` | {res['get_class']:.2f} ns | {res['fxhashmap_baseline']:.2f} ns | {k:.2}× | ≤ 1.3×: {verdict(k, 1.3)} |")
n = c["normalise"]
k = ratio(n["other_spelling"], n["canonical"])
w(f"| 2 | lookup spelled `\"Chat-Embeddings\"` vs canonical | {n['other_spelling']:.2f} ns | {n['canonical']:.2f} ns | {k:.2}× | ≤ 1.5×: {verdict(k, 1.5)} |")
co = c["construct"]
k = ratio(co["resolved_handle"], co["direct_box_new"])
w(f"| 3a | create through a resolved handle vs `Box::new(T::create(args))` | {co['resolved_handle']:.2f} ns | {co['direct_box_new']:.2f} ns | {k:.2}× | ≤ 1.3×: {verdict(k, 1.3)} |")
k = ratio(co["fn_pointer_baseline"], co["direct_box_new"])
w(f"| 3b | (context) the same constructor through a bare `fn` pointer vs direct | {co['fn_pointer_baseline']:.2f} ns | {co['direct_box_new']:.2f} ns | {k:.2}× | — |")
extra = co["create_instance"] - co["direct_box_new"]
w(f"| 3c | `create_instance(name, args)` vs direct | {co['create_instance']:.2f} ns | {co['direct_box_new']:.2f} ns | +{extra:.1f} ns | ≤ +30 ns: {verdict(extra, 30)} |")
e = c["enum_parse"]
for label, key in [("canonical", "canonical"), ("other spelling", "other_spelling")]:
    k = ratio(e[key], e["str_eq_baseline"])
    w(f"| 8 | `dynamic_str_enum` parse, {label}, vs `str::eq` | {e[key]:.2f} ns | {e['str_eq_baseline']:.2f} ns | {k:.1f}× | AIPerf: 590 / 2,650 ns |")
w("")

w("## 4. Scale: 1,000 and 10,000 registrations (`bench-scale/`)\n")
w("`bench-scale` generates N `register_lazy!` lines (`SCALE_KIND=registry`), the same "
  "entries as a plain `static` array (`static`), or nothing (`none`). Release builds.\n")
w("### (a) Process start (hyperfine, median, `scale-* start`)\n")
w("| N | none | static array | registry | registry vs static |")
w("|---|---|---|---|---|")
for n, s in r["start"].items():
    w(f"| {int(n):,} | {s['none']*1e3:.3f} ms | {s['static']*1e3:.3f} ms | {s['registry']*1e3:.3f} ms | {s['registry']/s['static']:.2f}× |")
w("")
w("### (b) First access: building the index (single shot per process, median of 21)\n")
w("| N | registry | FxHashMap of the static array (floor) | ratio | goal |")
w("|---|---|---|---|---|")
for n, s in r["index"].items():
    w(f"| {int(n):,} | {s['registry']:.1f} ns/registration | {s['static']:.1f} ns/entry | {s['registry']/s['static']:.1f}× | ≤ 30 ns: {verdict(s['registry'], 30)} |")
w("")
w("### (c) Warm resolve vs registry size (20 names looked up in turn, median of 7)\n")
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
  "with the writer, 1.5 s each.\n")
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
w("| N | kind | build | binary | per registration vs `none` |")
w("|---|---|---|---|---|")
b = r["builds"]
for n in ["20", "1000", "10000"]:
    none_t, none_s = b[f"none-{n}"]
    for kind in ["none", "static", "registry"]:
        t, size = b[f"{kind}-{n}"]
        per = "" if kind == "none" else f"{(t-none_t)/int(n)*1e3:.2f} ms, {(size-none_s)/int(n):.0f} B"
        w(f"| {int(n):,} | {kind} | {t:.1f} s | {size/1024:.0f} KiB | {per} |")
w("")
w("## Where a goal is missed, and why\n")
w(open(sys.argv[2]).read() if len(sys.argv) > 2 else "")
print("\n".join(out))
