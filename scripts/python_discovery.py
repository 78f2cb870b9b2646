"""Python's plugin discovery at scale, for the side-by-side rows of
BENCHMARKS.md: `importlib.metadata.entry_points` over N entry points, and
stevedore's ExtensionManager loading them.

    python3 scripts/python_discovery.py N entry_points|stevedore DIR

DIR receives a fake installed distribution with N entry points in group
`aiperf_bench.plugins` (each points at `json:dumps`, so loading costs only
the lookup). Prints the seconds the discovery took in this (fresh) process.
"""

import pathlib
import sys
import time


def make_distribution(n: int, root: pathlib.Path) -> None:
    info = root / "fake_plugins-1.0.dist-info"
    marker = info / "entry_points.txt"
    if marker.exists() and marker.read_text().count("\n") == n + 1:
        return
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugins\nVersion: 1.0\n")
    lines = ["[aiperf_bench.plugins]"] + [f"n{i} = json:dumps" for i in range(n)]
    marker.write_text("\n".join(lines) + "\n")


def main() -> None:
    n, how, root = int(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
    make_distribution(n, root)
    sys.path.insert(0, str(root))
    start = time.perf_counter()
    if how == "entry_points":
        from importlib.metadata import entry_points

        found = entry_points(group="aiperf_bench.plugins")
        assert len(found) == n, len(found)
    else:
        from stevedore import ExtensionManager

        manager = ExtensionManager(namespace="aiperf_bench.plugins", invoke_on_load=False)
        assert len(manager.extensions) == n, len(manager.extensions)
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
