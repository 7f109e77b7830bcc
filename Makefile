# Latent — two commands: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Release code with @testable access for the tests (kernels at -O0 are 30-60x slower).
TESTING_FLAGS := -Xswiftc -enable-testing
CONFIG ?= release
APT_PACKAGES := libblas-dev libopenblas-dev libfftw3-dev pkg-config zlib1g-dev libopenmpi-dev openmpi-bin python3
# Data for the demo (not needed to build): Fashion-MNIST as IDX files under /usr/share/datasets/fashion-mnist.
DEMO_PACKAGES := dataset-fashion-mnist
BIN := .build/$(CONFIG)
# Kernel and op suites that run a second time with the portable C path forced.
REF_FILTER := KernelParity|Ops|Gradient|Layers|Losses|Random|Moments|FlowKernelParity|FlowLayer

.PHONY: setup build test test-ref docs demo check-report bench bench-peers bench-mpi info fmt clean fuzz sanitize tsan arm64-check

## setup: install the Debian packages Latent and its demo data need (quiet when all are present);
## on a machine without apt-get it says what to install instead
setup:
	@if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "setup: no apt-get here; install OpenBLAS, FFTW (single precision) and zlib yourself"; \
	  echo "       (macOS: brew install openblas fftw pkg-config; Fedora: dnf install openblas-devel fftw-devel zlib-devel)"; \
	  exit 0; \
	fi; \
	missing=""; for p in $(APT_PACKAGES) $(DEMO_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  if [ -z "$$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then $$SUDO apt-get update -qq; fi; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || \
	    { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; }; \
	fi

## build: release build of the library, the CLI and the tests
build: setup
	$(SWIFT) build -c $(CONFIG) --build-tests $(TESTING_FLAGS)

## test: the whole suite in release, then the kernel/op suites on the portable path
test: build
	$(SWIFT) test -c $(CONFIG) --skip-build
	@echo "== again with the portable reference kernels (LATENT_ISA=ref) =="
	LATENT_ISA=ref $(SWIFT) test -c $(CONFIG) --skip-build --filter "$(REF_FILTER)"
	@echo "== latent info =="
	$(BIN)/latent info
	LATENT_ISA=ref $(BIN)/latent info | grep -q "isa: ref"
	@echo "== latent data (show and export smoke) =="
	$(BIN)/latent data show dsprites --out .build/data-show-dsprites.png
	$(BIN)/latent data export shapes-tiny --n 16 --out .build/data-export-shapes-tiny
	@echo "== latent train flow / eval / sample (smoke) =="
	$(BIN)/latent train flow --data 8gaussians --steps 60 --hidden 16 --out .build/smoke-flow --overwrite
	$(BIN)/latent train flow --out .build/smoke-flow --resume --steps 80
	$(BIN)/latent eval .build/smoke-flow --n 1000
	$(BIN)/latent sample .build/smoke-flow --n 100 --out .build/smoke-flow-samples.npy
	! $(BIN)/latent train flow --data no-such-data --out .build/smoke-flow-bad 2>/dev/null
	@echo "== latent train gan / gan theory / twosample / demo likelihood (smoke) =="
	$(BIN)/latent train gan --data 8gaussians --steps 200 --sample-every 100 --out .build/gan-smoke --overwrite
	test -s .build/gan-smoke/checkpoint.safetensors && test -s .build/gan-smoke/images/losses.png
	$(BIN)/latent train gan --data 8gaussians --steps 60 --penalty r1:10 --sample-every 60 --out .build/gan-smoke-r1 --overwrite > /dev/null
	head -1 .build/gan-smoke-r1/log.csv | grep -q penalty
	$(BIN)/latent train gan --data 8gaussians --steps 20 --loss wasserstein --penalty gp:10 --sample-every 20 --out .build/gan-smoke-gp --overwrite > /dev/null
	! $(BIN)/latent train gan --data 8gaussians --penalty r1:oops --out .build/gan-smoke-bad 2>/dev/null
	$(BIN)/latent gan theory --steps 100 > /dev/null
	$(BIN)/latent data export 8gaussians --n 200 --out .build/gan-smoke/a --seed 1 > /dev/null
	$(BIN)/latent data export 8gaussians --n 200 --out .build/gan-smoke/b --seed 2 > /dev/null
	$(BIN)/latent twosample .build/gan-smoke/a/points.npy .build/gan-smoke/b/points.npy --json | grep -q '"p_value"'
	$(BIN)/latent demo likelihood --train-size 300 --test-size 100 --samples 100 --permutations 50 --out .build/demo-likelihood-smoke > /dev/null
	@echo "== latent train vae / eval / encode / traverse / metrics --model (smoke) =="
	$(BIN)/latent train vae --model dip-vae-2 --data shapes-tiny --hidden 64 --latent 4 --steps 50 --lr 1e-3 --out .build/smoke-vae --overwrite
	$(BIN)/latent eval .build/smoke-vae --n 200 --k 10
	$(BIN)/latent encode .build/smoke-vae --out .build/smoke-vae/codes.npy --factors .build/smoke-vae/factors.npy
	$(BIN)/latent traverse .build/smoke-vae --out .build/smoke-vae/traversal.png
	$(BIN)/latent metrics --model .build/smoke-vae --train-size 200 --test-size 100 --json
	$(BIN)/latent metrics --train-codes .build/smoke-vae/codes.npy --train-factors .build/smoke-vae/factors.npy --test-codes .build/smoke-vae/codes.npy --test-factors .build/smoke-vae/factors.npy
	! $(BIN)/latent train vae --data shapes-tiny --hidden 16 --latent 2 --steps 100 --lr 1e8 --out .build/smoke-vae-diverge --overwrite 2>/dev/null
	@echo "== robustness: kill -9 during checkpoint writes, SIGINT + resume, bad input =="
	bash scripts/checks/robustness.sh $(BIN)/latent
	@echo "== kill -9 between checkpoints, resume, bit-identical to an uninterrupted run (flow, VAE, GAN) =="
	bash scripts/checks/resume-after-kill.sh $(BIN)/latent
	@echo "== latent demo --tiny: every stage for a few steps, report images exist and decode =="
	$(BIN)/latent demo --tiny --out .build/demo-tiny
	$(BIN)/latent demo verify-report .build/demo-tiny/report.html
	@echo "== MPI: 2-rank data-parallel training, failing ranks (scripts/checks/mpi/run.sh) =="
	scripts/checks/mpi/run.sh $(BIN)/latent
	@echo "== latent study: two shards, merge, a bad grid (smoke) =="
	rm -rf .build/smoke-study
	$(BIN)/latent study --data shapes-tiny --methods beta-vae --grid 'beta-vae:beta=1,4' --seeds 1 --steps 20 --shard 0/2 --out .build/smoke-study/a > /dev/null
	$(BIN)/latent study --data shapes-tiny --methods beta-vae --grid 'beta-vae:beta=1,4' --seeds 1 --steps 20 --shard 1/2 --out .build/smoke-study/b > /dev/null
	$(BIN)/latent study --merge .build/smoke-study/a .build/smoke-study/b --out .build/smoke-study/m | grep -q "2 of 2 present"
	test -s .build/smoke-study/m/agreement.png && test -s .build/smoke-study/m/spread-mig.png && test -s .build/smoke-study/m/scores.csv
	! $(BIN)/latent study --data shapes-tiny --grid 'beta-vae:gamma=1' --out .build/smoke-study/bad 2>/dev/null
	@echo "== Examples/: a package that depends on Latent by path =="
	@# SwiftPM does not notice source files added to a path dependency reached
	@# through a symlink; rebuild Examples/ from scratch when the file list changed.
	@mkdir -p .build && (cd Sources && find . -type f; cd ../CSources && find . -type f) | sort > .build/examples-sources.list
	@cmp -s .build/examples-sources.list Examples/.build/sources.list 2>/dev/null || rm -rf Examples/.build
	cd Examples && $(SWIFT) build -c $(CONFIG)
	@# Each tour checks its own outcome and exits non-zero when it does not hold.
	Examples/.build/$(CONFIG)/CustomFlow
	Examples/.build/$(CONFIG)/VAEWithMetrics
	Examples/.build/$(CONFIG)/CheckpointRoundTrip
	Examples/.build/$(CONFIG)/CustomOp
	@cp .build/examples-sources.list Examples/.build/sources.list
	@echo "== make docs: the DocC catalog builds with no warnings =="
	$(MAKE) docs

## demo: build and run the main job: every model family on built-in data, then runs/demo/report.html
demo: build
	$(BIN)/latent info
	$(BIN)/latent demo --out runs/demo
	@echo "open runs/demo/report.html (make check-report renders it in headless Chromium)"

## check-report: render runs/demo/report.html in headless Chromium; fail on a missing image or a console error
check-report: setup
	@command -v chromium >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	test -f runs/demo/report.html || { echo "no runs/demo/report.html: run make demo first"; exit 1; }
	$(BIN)/latent demo verify-report runs/demo/report.html
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,6000 \
	  --enable-logging=stderr --v=0 --screenshot=runs/demo/report-screenshot.png \
	  "file://$(CURDIR)/runs/demo/report.html" 2> runs/demo/chromium.log || true
	test -s runs/demo/report-screenshot.png
	@if grep -E "CONSOLE|ERR_FILE_NOT_FOUND|Failed to load resource|Uncaught" runs/demo/chromium.log; then \
	  echo "check-report: console errors (see runs/demo/chromium.log)"; exit 1; fi
	@echo "check-report: runs/demo/report-screenshot.png, no console errors"

## docs: the DocC catalog (Sources/Latent/Latent.docc) for the Latent library, warnings as errors, into .build/docs
docs: setup
	$(SWIFT) package --disable-sandbox generate-documentation --target Latent --warnings-as-errors \
	  --output-path .build/docs --transform-for-static-hosting --hosting-base-path latent
	@echo "documentation: .build/docs (serve it as /latent/, e.g. python3 -m http.server from a folder holding it as latent/)"

## bench: kernel rows, then every workload W1-W7 beside its PyTorch twin at 1 and 2 threads
## (interleaved): steps/s, ratio, GFLOP/s and % of peak, peak RSS; JSON in bench/results/
TORCH_VENV ?= .build/torchenv
TORCH_PYTHON ?= $(firstword $(wildcard $(TORCH_VENV)/bin/python /tmp/torchenv/bin/python) python3)
bench: setup
	$(SWIFT) build -c release --product latent-bench
	.build/release/latent-bench
	python3 bench/compare.py --bench .build/release/latent-bench --python $(TORCH_PYTHON)

## bench-peers: a venv with CPU PyTorch for the comparison (the wheel in /opt/wheels when present)
bench-peers:
	python3 -m venv $(TORCH_VENV)
	@wheel=$$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -1); \
	if [ -n "$$wheel" ]; then $(TORCH_VENV)/bin/pip install -q "$$wheel"; \
	else $(TORCH_VENV)/bin/pip install -q torch --index-url https://download.pytorch.org/whl/cpu; fi
	$(TORCH_VENV)/bin/python -c "import torch; print('bench-peers: torch', torch.__version__, 'in $(TORCH_VENV)')"

## bench-mpi: W2 (vae-mlp) and W4 (gan-mlp) data-parallel: 1 rank (2 and 1 BLAS threads), then 2 ranks
## of 1 thread each, with the time per step spent in the gradient allreduce (bench/README.md)
MPIRUN_LOCAL := OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun --oversubscribe
bench-mpi: setup
	$(SWIFT) build -c release --product latent-bench-mpi
	.build/release/latent-bench-mpi
	OPENBLAS_NUM_THREADS=1 .build/release/latent-bench-mpi
	OPENBLAS_NUM_THREADS=1 $(MPIRUN_LOCAL) -np 2 .build/release/latent-bench-mpi

## fuzz: libFuzzer (with AddressSanitizer) over the .npy/.npz/safetensors/IDX readers;
## crashes land in fuzz/crashes/, add them to fuzz/corpus/ as regression seeds
FUZZ_RUNS ?= 1000000
fuzz: setup
	$(SWIFT) build -c release --product latent-fuzz --scratch-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLATENT_LIBFUZZER
	mkdir -p .build-fuzz/corpus fuzz/crashes && cp fuzz/corpus/* .build-fuzz/corpus/
	.build-fuzz/release/latent-fuzz .build-fuzz/corpus fuzz/corpus -runs=$(FUZZ_RUNS) -max_len=4096 \
	  -artifact_prefix=fuzz/crashes/ -print_final_stats=1

## sanitize: the standalone C kernel checks under AddressSanitizer + UndefinedBehaviorSanitizer
sanitize: setup
	SANITIZE=1 sh bench/ctest/run.sh

## tsan: the C kernel checks under ThreadSanitizer (thread pool, threaded GEMM and kernels)
tsan: setup
	TSAN=1 sh bench/ctest/run.sh

## arm64-check: cross-build the C kernels for arm64 and run their checks under qemu
arm64-check:
	@if ! command -v qemu-aarch64-static >/dev/null || [ ! -e /usr/lib/aarch64-linux-gnu/libopenblas.so ] \
	    || ! ls -d /usr/lib/gcc-cross/aarch64-linux-gnu/* >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    dpkg --add-architecture arm64 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      qemu-user-static libc6-dev-arm64-cross libgcc-12-dev-arm64-cross libopenblas-dev:arm64 libfftw3-dev:arm64; \
	  else echo "arm64-check needs qemu-user-static and arm64 OpenBLAS/FFTW (see scripts/checks/arm64/run.sh)"; exit 1; fi; \
	fi
	sh scripts/checks/arm64/run.sh

info: build
	$(BIN)/latent info

clean:
	rm -rf .build runs
