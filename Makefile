# Latent — two commands: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Release code with @testable access for the tests (kernels at -O0 are 30-60x slower).
TESTING_FLAGS := -Xswiftc -enable-testing
CONFIG ?= release
APT_PACKAGES := libblas-dev libopenblas-dev libfftw3-dev pkg-config zlib1g-dev
# Data for the demo (not needed to build): Fashion-MNIST as IDX files under /usr/share/datasets/fashion-mnist.
DEMO_PACKAGES := dataset-fashion-mnist
BIN := .build/$(CONFIG)
# Kernel and op suites that run a second time with the portable C path forced.
REF_FILTER := KernelParity|Ops|Gradient|Layers|Losses|Random|Moments|FlowKernelParity|FlowLayer

.PHONY: setup build test test-ref demo bench bench-peers info fmt clean fuzz sanitize

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
	@echo "== Examples/: a package that depends on Latent by path =="
	cd Examples && $(SWIFT) build -c $(CONFIG) && .build/$(CONFIG)/TrainFlow 200

## demo: build and run the main job
demo: build
	$(BIN)/latent info

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

info: build
	$(BIN)/latent info

clean:
	rm -rf .build runs
