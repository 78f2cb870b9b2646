#!/usr/bin/env bash
# The registry-core suite on wasm32-wasip1, the kind of target the `inventory`
# backend exists for (linkme does not build for wasm): builds the unit-test
# binary and every tests/*.rs binary of registry-core for wasm32-wasip1 with
# the inventory backend, and runs each under Node's built-in WASI
# (scripts/wasi-run.mjs), every test in a fresh instance of its module, so
# that one failing test (a panic aborts on this target) hides no other.
#
# Tests that need threads or unwinding, or that start processes (trybuild),
# are ignored on wasm with `#[cfg_attr(target_family = "wasm", ignore = "...")]`
# and listed with their reason. Doc-tests do not run here (cargo runs them
# for the host only).
#
# Needs the wasm32-wasip1 target (`rustup target add wasm32-wasip1`) and
# Node 18.17 or later (Debian 12's `nodejs` is 18.20).
#
# Usage: scripts/wasm-test.sh [FILTER]: only the tests whose name contains FILTER.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-wasip1; then
    echo "wasm-test: the wasm32-wasip1 target is not installed: rustup target add wasm32-wasip1" >&2
    exit 1
fi
if ! command -v node >/dev/null; then
    echo "wasm-test: node (18.17 or later, for node:wasi) is not installed" >&2
    exit 1
fi
# node:wasi without a flag, and its `version` option: Node 18.17.
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
              process.exit(major > 18 || (major === 18 && minor >= 17) ? 0 : 1)'; then
    echo "wasm-test: node $(node --version) is too old: node:wasi needs 18.17 or later" >&2
    exit 1
fi

# Build, and take the test executables from cargo's JSON messages (compiler
# diagnostics still go to the terminal).
binaries=$(
    cargo test -p registry-core --no-default-features --features inventory \
        --target wasm32-wasip1 --no-run --message-format=json-render-diagnostics |
        node -e '
            let text = "";
            process.stdin.on("data", (chunk) => { text += chunk; });
            process.stdin.on("end", () => {
                for (const line of text.split("\n")) {
                    if (!line.startsWith("{")) continue;
                    const message = JSON.parse(line);
                    if (message.reason === "compiler-artifact" && message.executable) {
                        console.log(message.executable);
                    }
                }
            });'
)
if [ -z "$binaries" ]; then
    echo "wasm-test: cargo built no test binary" >&2
    exit 1
fi

# The guest sees the workspace at its host path (tests read files through
# paths compiled in with env!("CARGO_MANIFEST_DIR")) and no other directory.
failed=()
for binary in $binaries; do
    if ! node scripts/wasi-run.mjs --dir "$PWD" --tests "$binary" "$@"; then
        failed+=("$(basename "$binary")")
    fi
done

echo
if [ ${#failed[@]} -ne 0 ]; then
    echo "wasm-test: FAILED under node:wasi: ${failed[*]}"
    exit 1
fi
echo "wasm-test: every registry-core test binary passed on wasm32-wasip1 under node:wasi ($(node --version))"
