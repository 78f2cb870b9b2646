#!/usr/bin/env bash
# What the hf-tokenizers plugin costs (the numbers in plugins/hf-tokenizers/README.md):
#
# 1. the cold release build of the crates it adds to the aiperf CLI's tree:
#    those crates are cleaned (`cargo clean --release -p`, nothing else), then
#    `cargo build --release -p aiperf-plugin-hf-tokenizers --timings` is timed;
# 2. the binary size it adds: two release binaries of a throwaway crate under
#    target/ (built into this workspace's target dir), identical except that
#    one counts tokens with the plugin's HfTokenizer and the other with a
#    whitespace counter, both plain and stripped.
#
# Usage: scripts/hf_tokenizers_cost.sh   (takes a few minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
pkg=aiperf-plugin-hf-tokenizers
work=$root/target/hf-tokenizers-cost
mkdir -p "$work"

crates() { cargo tree -q -e normal,build "$@" --prefix none | sed 's/ (\*)//; s/ (proc-macro)//; s/ (\/.*)//' | sort -u; }
crates -p "$pkg" > "$work/plugin.txt"
crates -p aiperf-cli > "$work/cli.txt"
comm -23 "$work/plugin.txt" "$work/cli.txt" | grep -v "^$pkg " | awk '{ sub(/^v/, "", $2); print $1 "@" $2 }' > "$work/extra.txt"
echo "crates the plugin adds to the aiperf CLI's tree: $(wc -l < "$work/extra.txt")"
tr '\n' ' ' < "$work/extra.txt"; echo

echo; echo "== cold release build of those crates"
cargo build -q --release -p "$pkg"            # everything else warm
# shellcheck disable=SC2046
cargo clean -q --release $(sed 's/^/-p /' "$work/extra.txt")
start=$(date +%s.%N)
cargo build -q --release -p "$pkg" --timings
end=$(date +%s.%N)
printf 'wall time: %.1f s (cargo timings: target/cargo-timings/cargo-timing.html)\n' "$(echo "$end - $start" | bc)"

echo; echo "== binary size added"
mkdir -p "$work/probe/src/bin"
cat > "$work/probe/Cargo.toml" <<TOML
[package]
name = "hf-tokenizers-cost-probe"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
aiperf-plugin-api = { path = "$root/plugin-api" }
$pkg = { path = "$root/plugins/hf-tokenizers" }

[profile.release-stripped]
inherits = "release"
strip = true
TOML
cat > "$work/probe/src/bin/with_plugin.rs" <<'RS'
use aiperf_plugin_api::Tokenizer;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let t = aiperf_plugin_hf_tokenizers::HfTokenizer::from_path(args[1].as_ref()).unwrap();
    println!("{}", t.count(&args[2]));
}
RS
cat > "$work/probe/src/bin/without_plugin.rs" <<'RS'
use aiperf_plugin_api::Tokenizer;
struct Words;
impl Tokenizer for Words {
    fn encode(&self, text: &str) -> Vec<u32> {
        text.split_whitespace().map(|w| w.len() as u32).collect()
    }
    fn decode(&self, _: &[u32]) -> String {
        String::new()
    }
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let _ = std::fs::read(&args[1]).unwrap();
    println!("{}", Words.count(&args[2]));
}
RS
cp Cargo.lock "$work/probe/Cargo.lock"
for profile in release release-stripped; do
    cargo build -q --manifest-path "$work/probe/Cargo.toml" --target-dir "$root/target" --profile "$profile"
    with=$(stat -c %s "$root/target/$profile/with_plugin")
    without=$(stat -c %s "$root/target/$profile/without_plugin")
    echo "$profile: with $with bytes, without $without bytes, added $((with - without)) bytes ($(( (with - without) / 1024 )) KiB)"
done
"$root/target/release/with_plugin" plugins/hf-tokenizers/tests/fixtures/wordlevel "Shall I compare thee"
