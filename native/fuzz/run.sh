#!/usr/bin/env bash
# Fuzzes the capture parser, the JPEG header parser and the noise statistics with libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: native/fuzz/run.sh [SECONDS=90]. Needs clang (apt-get install -y clang). Not part of npm test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-90}"
out="$root/build/fuzz"
mkdir -p "$out/corpus"

clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$root"/native/src/{content,crypto,forensics,keyring,open_capture}.cc "$here/fuzz_capture.cc" \
  -lcrypto -o "$out/fuzz_capture"

(cd "$root" && npx tsx "$here/make-seeds.ts" "$out/seeds")

# One job on one core (the machine is shared); -print_final_stats reports executions run clean.
"$out/fuzz_capture" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$out/corpus" "$out/seeds" 2>&1 | tee "$out/last-run.log" | grep -E '^(#[0-9]+ +(INITED|DONE|pulse))|stat::|ERROR|SUMMARY' || true
grep -q 'ERROR: ' "$out/last-run.log" && { echo "fuzz: FAILED (see $out/last-run.log)"; exit 1; }
echo "fuzz: clean ($(grep -E 'stat::number_of_executed_units' "$out/last-run.log" | awk '{print $2}') executions)"
