#!/usr/bin/env bash
# A run killed with SIGKILL between checkpoints resumes as if it had never stopped, for every
# model family (flow, VAE, GAN): it checkpoints every K steps and logs every step; the kill lands
# once log.csv holds a step past the last checkpoint (checked: those rows existed); --resume then
# drops them, finishes, and must leave strictly increasing steps in log.csv and a checkpoint whose
# tensors equal, bit for bit, those of an uninterrupted run at the same thread count.
#
# usage: scripts/checks/resume-after-kill.sh path/to/latent
set -u
LATENT=${1:-.build/release/latent}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/latent-resume.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
say() { echo "$@"; }

last_logged() { tail -n 1 "$1/log.csv" 2>/dev/null | cut -d, -f1 | cut -d. -f1; }
checkpoint_step() { sed -n 's/.*"step" *: *\([0-9]*\).*/\1/p' "$1/state.json" 2>/dev/null; }

# family name, steps, checkpoint interval, then the training command without --out/--steps
check_family() {
    local name=$1 steps=$2 every=$3; shift 3
    local whole="$T/$name-whole" cut="$T/$name-cut"
    "$LATENT" "$@" --steps "$steps" --checkpoint-every "$every" --out "$whole" --overwrite > /dev/null 2>&1 \
        || { say "FAIL $name: the uninterrupted run failed"; fail=1; return; }
    local killed=""
    for attempt in 1 2 3; do
        rm -rf "$cut"
        "$LATENT" "$@" --steps "$steps" --checkpoint-every "$every" --out "$cut" --overwrite > /dev/null 2>&1 &
        local pid=$!
        # Wait for a logged step past the first checkpoint that is not itself a checkpoint step.
        for _ in $(seq 1 3000); do
            local s; s=$(last_logged "$cut")
            if [[ -n "$s" && "$s" =~ ^[0-9]+$ ]] && (( s > every && s % every != 0 )); then break; fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        local logged ck; logged=$(last_logged "$cut"); ck=$(checkpoint_step "$cut")
        if [[ -n "$logged" && -n "$ck" ]] && (( logged > ck && logged < steps )); then killed="$logged/$ck"; break; fi
    done
    [[ -n "$killed" ]] || { say "FAIL $name: could not kill the run between a checkpoint and a later logged step"; fail=1; return; }
    "$LATENT" "$@" --steps "$steps" --checkpoint-every "$every" --out "$cut" --resume > /dev/null 2>&1 \
        || { say "FAIL $name: --resume failed"; fail=1; return; }
    if ! awk -F, 'NR > 1 { if (seen && $1 + 0 <= prev) exit 1; prev = $1 + 0; seen = 1 }' "$cut/log.csv"; then
        say "FAIL $name: log.csv steps are not strictly increasing after the resume"; fail=1; return
    fi
    [[ "$(last_logged "$cut")" == "$steps" ]] || { say "FAIL $name: log.csv ends at $(last_logged "$cut"), not $steps"; fail=1; return; }
    if python3 "$HERE/mpi/compare_checkpoints.py" "$whole/checkpoint.safetensors" "$cut/checkpoint.safetensors" --tolerance 0 > "$T/$name.cmp" 2>&1; then
        say "ok   $name: killed at logged step ${killed%/*} past checkpoint ${killed#*/}; resumed run bit-identical to the uninterrupted one"
    else
        say "FAIL $name: resumed checkpoint differs from the uninterrupted run: $(tail -n 2 "$T/$name.cmp")"; fail=1
    fi
}

check_family flow 1200 400 train flow --data 8gaussians --hidden 32 --log-every 1
check_family vae 600 200 train vae --data shapes-tiny --hidden 64 --latent 4 --lr 1e-3 --log-every 1
check_family gan 900 300 train gan --data 8gaussians --hidden 32 --sample-every 100000
exit $fail
