#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/fuzz_targets) for a bounded time and
# prints, per target, the executions run and the result.
#
#   scripts/fuzz.sh                  # every target, 60 s each
#   scripts/fuzz.sh 300 config_parse # one target, 300 s
#   FUZZ_SECONDS=10 scripts/fuzz.sh  # every target, 10 s each
#   scripts/fuzz.sh replay           # run fuzz/regressions/<target>/* once each
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The nightly-only flags it
# passes work on the stable toolchain with RUSTC_BOOTSTRAP=1, set here.
# Builds into fuzz/target; new corpus entries go to fuzz/corpus/<target>
# (seeded from fuzz/seeds/<target>), crashes to fuzz/artifacts/<target>,
# libFuzzer's output to fuzz/logs/<target>.log. FUZZ_SANITIZER (address by
# default; none is faster: registry-core forbids unsafe code) and
# FUZZ_CONFIG_LEAKS=all|plain|ignore (see fuzz_targets/config_parse.rs) pass
# through.
# Exit status: 0 when no target crashed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-fuzz >/dev/null || {
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
}
export RUSTC_BOOTSTRAP=1

all_targets=(name_normalize env_parse config_parse)
mode=fuzz
if [[ "${1:-}" == replay ]]; then
    mode=replay
    shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    FUZZ_SECONDS=$1
    shift
fi
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
sanitizer=${FUZZ_SANITIZER:-address}
build_flags=(--sanitizer "$sanitizer" --debug-assertions)

cargo fuzz build "${build_flags[@]}" >/dev/null
mkdir -p fuzz/logs

failed=0
summary=()
for target in "${targets[@]}"; do
    log=fuzz/logs/$target.log
    if [[ $mode == replay ]]; then
        dir=fuzz/regressions/$target
        if [[ ! -d $dir ]] || [[ -z "$(ls -A "$dir")" ]]; then
            summary+=("$(printf '%-16s %s' "$target" "no regression inputs")")
            continue
        fi
        for input in "$dir"/*; do
            if cargo fuzz run "${build_flags[@]}" "$target" "$input" >"$log" 2>&1; then
                result="ok"
            else
                result="FAILS"
                failed=1
            fi
            summary+=("$(printf '%-16s %-6s %s' "$target" "$result" "$input")")
        done
        continue
    fi

    corpus=fuzz/corpus/$target
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048)
    [[ -f fuzz/dicts/$target.dict ]] && args+=(-dict="fuzz/dicts/$target.dict")
    [[ $target == config_parse && -f fuzz/dicts/config.dict ]] && args+=(-dict=fuzz/dicts/config.dict)
    seeds=()
    [[ -d fuzz/seeds/$target ]] && seeds=("fuzz/seeds/$target")

    echo "fuzzing $target for ${seconds}s ..." >&2
    set +e
    cargo fuzz run "${build_flags[@]}" "$target" "$corpus" "${seeds[@]}" -- "${args[@]}" >"$log" 2>&1
    status=$?
    set -e
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -n1)
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -n1)
    if [[ $status -eq 0 ]]; then
        result="ok, no crash"
    else
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
        reason=$(grep -m1 -E "panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer" "$log" || true)
        result="CRASH (exit $status) ${artifact:-see $log}: ${reason}"
    fi
    summary+=("$(printf '%-16s %12s execs %8s exec/s  %s' "$target" "${execs:-?}" "${rate:-?}" "$result")")
done

echo
printf '%s\n' "${summary[@]}"
exit $failed
