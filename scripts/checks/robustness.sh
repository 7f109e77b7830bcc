#!/usr/bin/env bash
# CLI robustness checks run by `make test`:
#  1. kill -9 at random moments while a run writes a checkpoint every step: the
#     checkpoint left behind always loads;
#  2. SIGINT during training writes a checkpoint, exits 130, and --resume finishes;
#  3. bad input (missing file, directory, truncated or NaN-holding .npy, wrong shape,
#     absurd hyperparameters, unknown names) gives one "Error:" line and a non-zero
#     exit, never a crash or stack trace.
set -u
L=${1:-.build/release/latent}
T=$(mktemp -d /tmp/latent-robust.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
say() { printf '%s\n' "$*"; }

say "-- kill -9 during checkpoint writes"
for i in 1 2 3 4 5; do
  "$L" train flow --data two-moons --hidden 8 --layers 2 --batch-size 64 --steps 1000000 --checkpoint-every 1 \
    --out "$T/kill" --overwrite >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 7 + 3))"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  if ! "$L" eval "$T/kill" --n 200 >/dev/null 2>"$T/err"; then
    say "FAIL: checkpoint not loadable after kill -9 (round $i): $(cat "$T/err")"; fail=1
  fi
  ls "$T/kill"/.*.tmp-* >/dev/null 2>&1 && say "   (a temporary file was left behind, as expected after kill -9; the checkpoint itself is intact)"
done

say "-- SIGINT writes a checkpoint and --resume finishes"
"$L" train vae --model beta-vae --data shapes-tiny --hidden 32 --latent 3 --steps 1000000 --checkpoint-every 100000 \
  --out "$T/int" --overwrite >"$T/int.log" 2>&1 &
pid=$!
sleep 2
kill -INT "$pid"; wait "$pid"; code=$?
[ "$code" = 130 ] || { say "FAIL: SIGINT exit status $code, expected 130"; fail=1; }
grep -q '"finished" : false' "$T/int/state.json" || { say "FAIL: state.json after SIGINT: $(cat "$T/int/state.json")"; fail=1; }
"$L" eval "$T/int" --n 50 --k 2 >/dev/null 2>&1 || { say "FAIL: checkpoint after SIGINT does not load"; fail=1; }

say "-- bad input"
"$L" data export two-moons --n 100 --out "$T/pts" >/dev/null
"$L" data export shapes-tiny --n 100 --out "$T/gt" >/dev/null     # factors.npy: int64 (100, 4)
NPY="$T/pts/points.npy"
head -c 150 "$NPY" > "$T/truncated.npy"
cp "$NPY" "$T/nan.npy"
size=$(stat -c %s "$NPY"); printf '\x00\x00\xc0\x7f' | dd of="$T/nan.npy" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
printf 'not a numpy file at all' > "$T/garbage.npy"
mkdir -p "$T/adir.npy"
check() {  # check LABEL CMD...: must fail with exactly one "Error:" line and no crash text
  local label=$1; shift
  "$@" >"$T/out" 2>"$T/err"; local code=$?
  if [ "$code" = 0 ]; then say "FAIL: $label: exit status 0"; fail=1; return; fi
  if grep -qiE "fatal error|stack dump|backtrace|segmentation|illegal instruction|swift runtime failure" "$T/err" "$T/out"; then
    say "FAIL: $label: crashed: $(head -3 "$T/err")"; fail=1; return
  fi
  local lines; lines=$(grep -c '^Error: ' "$T/err")
  if [ "$lines" != 1 ]; then say "FAIL: $label: expected one 'Error:' line, got: $(head -3 "$T/err")"; fail=1; return; fi
  say "ok   $label: $(cut -c1-150 "$T/err")"
}
check "missing file"         "$L" twosample "$T/none.npy" "$NPY"
check "directory as file"    "$L" twosample "$T/adir.npy" "$NPY"
check "truncated npy"        "$L" twosample "$T/truncated.npy" "$NPY"
check "garbage npy"          "$L" twosample "$T/garbage.npy" "$NPY"
check "NaN in data"          "$L" twosample "$T/nan.npy" "$NPY"
check "NaN in codes"         "$L" metrics --train-codes "$T/nan.npy" --train-factors "$T/gt/factors.npy" --test-codes "$NPY" --test-factors "$T/gt/factors.npy"
check "wrong dtype factors"  "$L" metrics --train-codes "$NPY" --train-factors "$NPY" --test-codes "$NPY" --test-factors "$NPY"
check "flow data npy NaN"    "$L" train flow --data "npy:$T/nan.npy" --steps 10 --out "$T/f1" --overwrite
check "unknown model"        "$L" train flow --model glow --data two-moons --out "$T/f2"
check "unknown data"         "$L" train vae --data no-such-set --out "$T/v1"
check "negative steps"       "$L" train flow --data two-moons --steps -5 --out "$T/f3"
check "absurd lr"            "$L" train flow --data two-moons --lr 1e9 --steps 10 --out "$T/f4"
check "zero batch"           "$L" train gan --data 8gaussians --batch-size 0 --out "$T/g1"
check "missing run"          "$L" eval "$T/no-run"
check "not a run"            "$L" eval "$T/pts"
check "corrupt checkpoint"   bash -c "mkdir -p '$T/c' && cp -r '$T/int/config.json' '$T/c/' && head -c 100 '$T/int/checkpoint.safetensors' > '$T/c/checkpoint.safetensors' && '$L' eval '$T/c' --n 10"
check "idx garbage"          "$L" data show "idx:$T/garbage.npy" --out "$T/x.png"
check "diverging loss"       "$L" train vae --data shapes-tiny --hidden 16 --latent 2 --steps 100 --lr 1e8 --out "$T/div" --overwrite

if [ "$fail" != 0 ]; then say "robustness: FAILED"; exit 1; fi
say "robustness: all checks passed"
