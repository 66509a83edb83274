#!/usr/bin/env bash
# Fuzzes the capture parser, the JPEG header parser and the noise statistics (fuzz_capture), the
# scaled JPEG decoder (fuzz_jpeg) and the model-input warp (fuzz_warp: its AVX2 path against the
# baseline one), with libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: native/fuzz/run.sh [SECONDS=90] (each harness). Needs clang (apt-get install -y clang). Not part of npm test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-90}"
out="$root/build/fuzz"
mkdir -p "$out"

clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$root"/native/src/{content,crypto,forensics,keyring,open_capture}.cc "$here/fuzz_capture.cc" \
  -lcrypto -o "$out/fuzz_capture"
clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$root/native/src/jpeg_scaled.cc" "$here/fuzz_jpeg.cc" -o "$out/fuzz_jpeg"
clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer -ffp-contract=off \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$root/native/src/warp.cc" "$here/fuzz_warp.cc" -o "$out/fuzz_warp"

(cd "$root" && npx tsx "$here/make-seeds.ts" "$out/seeds")

# One job on one core (the machine is shared); -print_final_stats reports executions run clean.
for harness in fuzz_capture fuzz_jpeg fuzz_warp; do
  mkdir -p "$out/corpus-$harness"
  (cd "$out" && "./$harness" -artifact_prefix="$out/" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$out/corpus-$harness" "$out/seeds") 2>&1 | tee "$out/last-run-$harness.log" | grep -E '^(#[0-9]+ +(INITED|DONE|pulse))|stat::|ERROR|SUMMARY' || true
  # AddressSanitizer reports "ERROR:", UndefinedBehaviorSanitizer "runtime error" and a SUMMARY line.
  grep -qE 'ERROR: |runtime error|SUMMARY: ' "$out/last-run-$harness.log" && { echo "fuzz $harness: FAILED (see $out/last-run-$harness.log)"; exit 1; }
  echo "fuzz $harness: clean ($(grep -E 'stat::number_of_executed_units' "$out/last-run-$harness.log" | awk '{print $2}') executions)"
done
