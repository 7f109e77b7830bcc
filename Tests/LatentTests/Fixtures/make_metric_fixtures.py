#!/usr/bin/env python3
"""Golden disentanglement-metric values from disentanglement_lib 1.5.

Writes metrics.json next to this script: small (codes, factors) train/test
arrays and the values the published implementation computes on them for MIG,
DCI, SAP, modularity and explicitness. The Swift tests (MetricsTests.swift)
run Latent's metrics on exactly these arrays.

Setup (outside the repository; disentanglement_lib needs TensorFlow only for
modules we do not import):
  python3 -m venv /tmp/dlib
  /tmp/dlib/bin/pip install numpy scipy scikit-learn "gin-config==0.4.0" absl-py six
  (gin-config 0.5 dropped the `blacklist=` argument the 1.5 modules use)
  /tmp/dlib/bin/pip install --no-deps disentanglement-lib==1.5
Regenerate (from the repository root):
  /tmp/dlib/bin/python Tests/LatentTests/Fixtures/make_metric_fixtures.py

Versions used for the committed file are stored under "_meta".

The published metric modules `import gin.tf`, whose package imports
TensorFlow; a stand-in module is registered for it first. The discretizer is
bound through gin to the study's setting (histogram, 20 bins). The arrays are
fed through the published compute_* entry points with a stand-in ground-truth
data set that hands out the stored points in order and an identity
representation, so the published code path (sampling loop included) runs.

Cases whose name starts with "heldout_" were not looked at while the Swift
implementation was tuned; the test reports them separately.

Codes are float64 values rounded to float32 (so every consumer, including
scikit-learn's float32 trees, sees the same numbers); factors are int64 with
arbitrary label values.
"""

import json
import os
import sys
import types

import numpy as np

gin_tf = types.ModuleType("gin.tf")
sys.modules["gin.tf"] = gin_tf
import gin  # noqa: E402
gin.tf = gin_tf

from disentanglement_lib.evaluation.metrics import dci  # noqa: E402
from disentanglement_lib.evaluation.metrics import mig  # noqa: E402
from disentanglement_lib.evaluation.metrics import modularity_explicitness  # noqa: E402
from disentanglement_lib.evaluation.metrics import sap_score  # noqa: E402
from disentanglement_lib.evaluation.metrics import utils  # noqa: E402

gin.parse_config([
    "discretizer.discretizer_fn = @histogram_discretizer",
    "discretizer.num_bins = 20",
])


class StoredPoints(object):
  """Ground-truth stand-in: returns the stored rows in order (train, then test)."""

  def __init__(self, factors, codes):
    self.factors, self.codes, self.cursor = factors, codes, 0

  def sample(self, n, random_state):
    del random_state
    s = slice(self.cursor, self.cursor + n)
    self.cursor += n
    return self.factors[s], self.codes[s]


def published(train_codes, train_factors, test_codes, test_factors):
  ntr, nte = len(train_codes), len(test_codes)
  codes = np.concatenate([train_codes, test_codes])
  factors = np.concatenate([train_factors, test_factors])
  ident = lambda x: np.asarray(x, dtype=np.float64)
  rs = np.random.RandomState(0)
  out = {}
  out["mig"] = mig.compute_mig(StoredPoints(factors, codes), ident, rs, num_train=ntr)["discrete_mig"]
  d = dci.compute_dci(StoredPoints(factors, codes), ident, rs, num_train=ntr, num_test=nte)
  out["dci_disentanglement"] = d["disentanglement"]
  out["dci_completeness"] = d["completeness"]
  out["dci_informativeness_train"] = d["informativeness_train"]
  out["dci_informativeness_test"] = d["informativeness_test"]
  out["sap"] = sap_score.compute_sap(StoredPoints(factors, codes), ident, rs, num_train=ntr, num_test=nte,
                                     continuous_factors=False)["SAP_score"]
  try:
    m = modularity_explicitness.compute_modularity_explicitness(
        StoredPoints(factors, codes), ident, rs, num_train=ntr, num_test=nte)
  except ValueError:
    # A constant code dimension has std 0: the published code divides by it and
    # the logistic regression rejects the NaNs. Latent standardizes such a
    # dimension with std 1 (it stays constant); do the same here.
    original = utils.normalize_data

    def normalize_constant_safe(data, mean=None, stddev=None):
      if stddev is None:
        stddev = np.std(data, axis=1)
        stddev = np.where(stddev == 0, 1.0, stddev)
      return original(data, mean, stddev)

    utils.normalize_data = normalize_constant_safe
    try:
      m = modularity_explicitness.compute_modularity_explicitness(
          StoredPoints(factors, codes), ident, rs, num_train=ntr, num_test=nte)
    finally:
      utils.normalize_data = original
    out["explicitness_constant_std_replaced"] = 1.0
  out["modularity"] = m["modularity_score"]
  out["explicitness_train"] = m["explicitness_score_train"]
  out["explicitness_test"] = m["explicitness_score_test"]
  # Intermediate values the Swift tests check exactly.
  disc = utils.make_discretizer(train_codes.T)
  out["discretized"] = disc.T.astype(np.int64).tolist()
  out["mutual_information"] = utils.discrete_mutual_info(disc, train_factors.T).tolist()
  return {k: (float(v) if np.isscalar(v) else v) for k, v in out.items()}


def f32(a):
  return np.asarray(a, dtype=np.float32).astype(np.float64)


def factors_uniform(rng, n, sizes, values=None):
  cols = []
  for j, s in enumerate(sizes):
    c = rng.integers(0, s, n)
    if values is not None and values[j] is not None:
      c = np.asarray(values[j])[c]
    cols.append(c)
  return np.stack(cols, 1).astype(np.int64)


def codes_from(rng, f, mixing, noise, extra=0):
  z = (f - f.mean(0)) / (f.std(0) + 1e-12)
  c = z @ mixing + noise * rng.standard_normal((len(f), mixing.shape[1]))
  if extra:
    c = np.concatenate([c, rng.standard_normal((len(f), extra))], 1)
  return c


def make_case(seed, sizes, build, n_train=300, n_test=200, values=None):
  rng = np.random.default_rng(seed)
  while True:
    f = factors_uniform(rng, n_train + n_test, sizes, values)
    ok = all(set(f[n_train:, j]) <= set(f[:n_train, j]) and len(set(f[n_train:, j])) == len(set(f[:n_train, j]))
             for j in range(f.shape[1]))
    if ok:
      break
  c = f32(build(rng, f))
  return c[:n_train], f[:n_train], c[n_train:], f[n_train:]


def main():
  cases = {}

  def add(name, seed, sizes, build, **kw):
    trc, trf, tec, tef = make_case(seed, sizes, build, **kw)
    cases[name] = {
        "train_codes": trc.tolist(), "train_factors": trf.tolist(),
        "test_codes": tec.tolist(), "test_factors": tef.tolist(),
        "published": published(trc, trf, tec, tef),
    }

  # Tuned cases.
  add("near_perfect", 1, [3, 4, 5], lambda r, f: codes_from(r, f, np.eye(3) * 1.5, 0.05, extra=1))
  add("noisy_entangled", 2, [3, 4, 5],
      lambda r, f: codes_from(r, f, np.array([[1.0, 0.6, 0.0, 0.3], [0.4, 1.0, 0.5, 0.0], [0.0, 0.2, 1.0, 0.8]]), 0.4))
  add("random", 3, [2, 3, 4], lambda r, f: r.standard_normal((len(f), 5)))
  add("constant_dim", 4, [3, 5],
      lambda r, f: np.concatenate([codes_from(r, f, np.eye(2), 0.1), np.full((len(f), 1), 0.75)], 1))
  # Held out: not used while tuning the Swift code.
  add("heldout_mixed", 11, [4, 3, 6],
      lambda r, f: codes_from(r, f, np.array([[0.9, 0.1, 0.0, 0.5, 0.0], [0.3, 1.0, 0.0, 0.0, 0.2], [0.0, 0.4, 1.2, 0.0, 0.0]]), 0.3),
      values=[[10, 20, 30, 40], [-3, 0, 7], None])
  add("heldout_binary_and_edges", 12, [2, 5, 3],
      # Small integers: many codes sit exactly on histogram bin edges.
      lambda r, f: np.concatenate([np.round(codes_from(r, f, np.eye(3) * 3, 0.8)), r.standard_normal((len(f), 1))], 1))
  add("heldout_many_classes", 13, [10, 3],
      lambda r, f: codes_from(r, f, np.array([[1.0, 0.2, 0.1], [0.0, 0.3, 1.0]]), 0.15, extra=2))

  import sklearn, scipy, disentanglement_lib  # noqa: F401
  cases["_meta"] = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                    "disentanglement_lib": "1.5", "bins": 20}
  path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json")
  with open(path, "w") as fh:
    json.dump(cases, fh, separators=(",", ":"))
  print("wrote", path, os.path.getsize(path), "bytes")
  for k, v in cases.items():
    if k != "_meta":
      print(k, {m: round(x, 4) for m, x in v["published"].items() if isinstance(x, float)})


if __name__ == "__main__":
  main()
