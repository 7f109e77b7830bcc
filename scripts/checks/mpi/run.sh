#!/usr/bin/env bash
# MPI tests of `latent` (run by `make test`): 2 ranks on this machine, --oversubscribe so
# they run on 2 cores or fewer. Each job runs under `timeout`: a hang fails the test.
#
#   scripts/checks/mpi/run.sh [path/to/latent]
set -euo pipefail
LATENT=${1:-.build/release/latent}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/latent-mpi-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# As root Open MPI refuses to start without these (harmless otherwise).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Shared-memory transport only: no network interfaces are probed, no warnings about them.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(timeout 60 mpirun --oversubscribe -np 2)
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Float tolerance of the data-parallel check. Two ranks add their half-batch gradients after
# the GEMMs, one process adds all rows inside them: float32 sums in another order differ by
# about 1e-7 relative per step, and Adam's normalised updates keep parameter differences at
# that level (measured: ~6e-8 after 20 steps). 1e-5 of (1 + max |value|) leaves 100x margin
# and still catches a wrong split or weighting (those differ by 1e-3 or more after one step).
TOL=1e-5
VAE=(train vae --model beta-vae --beta 2 --data shapes-tiny --hidden 32 --latent 4 --steps 20 --lr 1e-3)

# 1. Same parameters (and Adam state) after 20 steps: 1 process vs 2 ranks, even and uneven split.
for batch in 32 33; do
  "$LATENT" "${VAE[@]}" --batch-size $batch --out "$WORK/one-$batch" --overwrite 2>/dev/null >/dev/null
  "${MPIRUN[@]}" "$LATENT" "${VAE[@]}" --batch-size $batch --out "$WORK/two-$batch" --overwrite --data-parallel \
    > "$WORK/two-$batch.out" 2>/dev/null || fail "2-rank training (batch $batch) exited with $?"
  python3 "$HERE/compare_checkpoints.py" "$WORK/one-$batch/checkpoint.safetensors" "$WORK/two-$batch/checkpoint.safetensors" \
    --tolerance $TOL || fail "2 ranks differ from 1 process (batch $batch)"
  grep -q "20 allreduces of" "$WORK/two-$batch.out" || fail "expected one allreduce per step: $(cat "$WORK/two-$batch.out")"
  pass "batch $batch: 2 ranks match 1 process after 20 steps"
done

# 2. Without mpirun, --data-parallel is rank 0 of 1: no MPI start-up, nothing extra printed.
"$LATENT" "${VAE[@]}" --batch-size 32 --out "$WORK/plain" --overwrite --data-parallel 2> "$WORK/plain.err" > /dev/null
if grep -v "train beta-vae" "$WORK/plain.err" | grep -q .; then fail "unexpected output without mpirun: $(cat "$WORK/plain.err")"; fi
pass "without mpirun: a single process, no MPI noise"

# 3. Objectives that couple a batch's examples are refused, on every rank, without hanging.
set +e
"${MPIRUN[@]}" "$LATENT" train vae --model dip-vae-2 --data shapes-tiny --hidden 32 --latent 4 --steps 5 \
  --out "$WORK/dip" --overwrite --data-parallel > /dev/null 2> "$WORK/dip.err"
code=$?
set -e
[ $code -ne 0 ] && [ $code -ne 124 ] || fail "dip-vae-2 --data-parallel: exit code $code"
grep -q "couples the examples" "$WORK/dip.err" || fail "no clear message: $(cat "$WORK/dip.err")"
pass "dip-vae-2 --data-parallel refused (exit $code)"


# 4. One rank fails while the other waits in a collective: the job ends, with the reason.
#    Rank 0 alone creates the run directory, so an existing one (no --overwrite) fails rank 0
#    while rank 1 is already waiting in the parameter broadcast.
mkdir -p "$WORK/exists" && echo '{}' > "$WORK/exists/config.json"
set +e
"${MPIRUN[@]}" "$LATENT" "${VAE[@]}" --batch-size 32 --out "$WORK/exists" --data-parallel > /dev/null 2> "$WORK/exists.err"
code=$?
set -e
[ $code -ne 0 ] && [ $code -ne 124 ] || fail "failing rank 0: exit code $code (124 = hung until the timeout)"
grep -q "Error (rank 0 of 2)" "$WORK/exists.err" || fail "no message naming the rank: $(cat "$WORK/exists.err")"
pass "rank 0 failing ends the job (exit $code): $(grep -m1 'Error (rank' "$WORK/exists.err")"

# 5. A rank killed mid-training (SIGKILL: no chance to clean up) ends the job, not a hang.
set +e
"${MPIRUN[@]}" bash -c 'if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then (sleep 1; kill -9 $$) & fi; exec "$0" "$@"' \
  "$LATENT" "${VAE[@]}" --steps 100000 --batch-size 32 --out "$WORK/killed" --overwrite --data-parallel > /dev/null 2> "$WORK/killed.err"
code=$?
set -e
[ $code -ne 0 ] && [ $code -ne 124 ] || fail "killed rank: exit code $code (124 = hung until the timeout)"
grep -qi "signal 9\|killed" "$WORK/killed.err" || fail "no message about the killed rank: $(cat "$WORK/killed.err")"
pass "rank 1 killed mid-training ends the job (exit $code)"

# 6. A sharded tiny study: 2 ranks (each trains its round-robin share; rank 0 gathers the
#    score rows and writes the tables) give the same tables as one process, byte for byte.
STUDY=(study --data shapes-tiny --methods beta-vae,dip-vae-1 --grid 'beta-vae:beta=1,4;dip-vae-1:lambda-od=1,10' --seeds 1 --steps 30)
"$LATENT" "${STUDY[@]}" --out "$WORK/study-one" > /dev/null 2>&1 || fail "1-process study"
"${MPIRUN[@]}" "$LATENT" "${STUDY[@]}" --out "$WORK/study-two" > "$WORK/study-two.out" 2>&1 || fail "2-rank study exited with $?: $(tail -5 "$WORK/study-two.out")"
grep -q "rank 1/2.*in shard 1/2" "$WORK/study-two.out" || fail "rank 1 did not train shard 1/2: $(cat "$WORK/study-two.out")"
for f in agreement.txt scores.csv results.json; do
  cmp -s "$WORK/study-one/$f" "$WORK/study-two/$f" || fail "2-rank study $f differs from one process"
done
pass "2-rank sharded study writes the same agreement.txt, scores.csv and results.json as one process"

# 7. Commands that do not use the ranks refuse to run N copies of themselves.
set +e
"${MPIRUN[@]}" "$LATENT" info > /dev/null 2> "$WORK/info.err"
code=$?
set -e
[ $code -ne 0 ] && [ $code -ne 124 ] || fail "mpirun latent info: exit code $code"
grep -q "runs in one process" "$WORK/info.err" || fail "no clear message: $(cat "$WORK/info.err")"
pass "mpirun -np 2 latent info refused"
