"""Random rotations for tests."""

import numpy as np


def random_rotation(rng: np.random.Generator) -> np.ndarray:
  """A uniformly drawn proper rotation [3, 3] (det +1)."""
  q, r = np.linalg.qr(rng.normal(size=(3, 3)))
  q = q * np.sign(np.diag(r))
  if np.linalg.det(q) < 0:
    q[:, 0] = -q[:, 0]
  return q
