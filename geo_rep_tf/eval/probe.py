"""Linear probes: how much of the 3D pose a feature carries linearly.

A ridge regression from features [N, D] (a representation's G flattened,
normalised 2D keypoints, or both) to the root-relative 3D pose [N, J, 3],
fitted on training samples and scored by MPJPE on held-out samples. Being
linear, it is a lower bound on what a trained regressor gets from the
features, and it needs no training loop: minutes instead of hours to see
whether a representation carries the pose. Plus the fit of a decoder's
skeleton maps (`map_fit`). Pure NumPy.
"""

from __future__ import annotations

import dataclasses
from typing import Dict

import numpy as np

from geo_rep_tf.errors import ArgumentError

DEFAULT_RIDGE = 1e-3


@dataclasses.dataclass(frozen=True)
class Ridge:
  """A fitted ridge regression on standardised inputs, with a bias.

  Attributes:
    mean, std: [D] the training features' statistics (std + 1e-8).
    weights: [D + 1, K] (the last row is the bias).
  """
  mean: np.ndarray
  std: np.ndarray
  weights: np.ndarray

  def predict(self, x) -> np.ndarray:
    """[N, D] features -> [N, K] outputs."""
    x = _features(x, 'x')
    if x.shape[1] != self.mean.shape[0]:
      raise ArgumentError(f'x has {x.shape[1]} features, the fit had '
                          f'{self.mean.shape[0]}')
    return _design(x, self.mean, self.std) @ self.weights


def _features(x, name: str) -> np.ndarray:
  x = np.asarray(x, np.float64)
  if x.ndim != 2 or not len(x):
    raise ArgumentError(f'{name} must be [N, D] with N > 0, got {x.shape}')
  return x


def _poses(y, name: str) -> np.ndarray:
  y = np.asarray(y, np.float64)
  if y.ndim != 3 or y.shape[-1] != 3:
    raise ArgumentError(f'{name} must be [N, J, 3] poses, got {y.shape}')
  return y


def _design(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
  # Shape = [N, D + 1]: standardised features and a constant for the bias.
  return np.c_[(x - mean) / std, np.ones(len(x))]


def ridge_fit(x, y, ridge: float = DEFAULT_RIDGE) -> Ridge:
  """Least squares from standardised x (and a bias) to y, L2-penalised.

  Solves (A^T A + ridge * N * I) W = A^T y with A = [standardised x, 1]:
  the penalty scales with N, so `ridge` means the same for any sample count.

  Args:
    x: [N, D] features.
    y: [N, K] targets.
    ridge: penalty weight, >= 0 (0: plain least squares).

  Returns:
    The fitted `Ridge`.
  """
  x = _features(x, 'x')
  y = np.asarray(y, np.float64).reshape(len(x), -1)
  if ridge < 0:
    raise ArgumentError(f'ridge must be >= 0, got {ridge}')
  mean, std = x.mean(0), x.std(0) + 1e-8
  a = _design(x, mean, std)
  w = np.linalg.solve(a.T @ a + ridge * len(a) * np.eye(a.shape[1]), a.T @ y)
  return Ridge(mean, std, w)


def mpjpe(pred, target) -> float:
  """Mean per-joint position error of poses [N, J, 3] (same units)."""
  pred, target = _poses(pred, 'pred'), _poses(target, 'target')
  return float(np.linalg.norm(pred - target, axis=-1).mean())


def ridge_mpjpe(x_train, y_train, x_test, y_test,
                ridge: float = DEFAULT_RIDGE) -> float:
  """MPJPE on held-out samples of a ridge regression from x to the pose.

  Args:
    x_train: [N, D] training features.
    y_train: [N, J, 3] their root-relative 3D poses (mm).
    x_test: [T, D] held-out features (standardised with the training
      statistics).
    y_test: [T, J, 3] their poses.
    ridge: penalty weight (`ridge_fit`).

  Returns:
    MPJPE (mm) of the held-out predictions.
  """
  y_train, y_test = _poses(y_train, 'y_train'), _poses(y_test, 'y_test')
  if len(x_train) != len(y_train) or len(x_test) != len(y_test):
    raise ArgumentError('features and poses must have the same number of '
                        'samples')
  model = ridge_fit(x_train, y_train.reshape(len(y_train), -1), ridge)
  pred = model.predict(x_test).reshape(y_test.shape)
  return mpjpe(pred, y_test)


def normalised_2d(keypoints) -> np.ndarray:
  """Probe features of 2D keypoints [N, J, 2]: root-centred, each pose scaled
  to unit norm, flattened to [N, 2J]."""
  kp = np.asarray(keypoints, np.float64)
  if kp.ndim != 3 or kp.shape[-1] != 2:
    raise ArgumentError(f'keypoints must be [N, J, 2], got {kp.shape}')
  c = kp - kp[:, :1]
  return (c / np.linalg.norm(c, axis=(1, 2), keepdims=True)).reshape(
      len(kp), -1)


def map_fit(synthesized, target) -> Dict[str, float]:
  """How well decoded views (skeleton maps or 2D) match the true ones.

  Args:
    synthesized: [B, S, S, C] decoded maps of B pairs, or [B, 16, 2]
      decoded (standardised) 2D of the 'coords' medium.
    target: the true target views, of the same shape.

  Returns:
    'rec_mse': mean squared error of the decoded maps; 'meanmap_mse': that
    of drawing the mean target map for every pair; 'explained':
    1 - rec_mse / meanmap_mse (0: the decoder draws the mean skeleton
    whatever the input; 1: perfect maps); 'syn_var_over_tgt_var': per-pixel
    variance over the pairs of the decoded maps relative to that of the true
    ones (near 0: collapsed to the mean map).
  """
  synthesized = np.asarray(synthesized, np.float64)
  target = np.asarray(target, np.float64)
  if synthesized.shape != target.shape or synthesized.ndim not in (3, 4):
    raise ArgumentError(f'views must be [B, S, S, C] or [B, J, 2] of one '
                        f'shape, got {synthesized.shape} and {target.shape}')
  rec = float(((synthesized - target) ** 2).mean())
  meanmap = float(((target.mean(0) - target) ** 2).mean())
  return dict(rec_mse=rec, meanmap_mse=meanmap, explained=1 - rec / meanmap,
              syn_var_over_tgt_var=float(synthesized.var(0).mean() /
                                         target.var(0).mean()))


def latent_diagnostics(latents, poses) -> Dict:
  """Is G a 3D point set that turns with the pose? Three measures.

  - 'axis_variance_share' [3]: the share of G's pose-dependent variance
    along the camera's x, y (down) and z axes. A latent whose variance
    sits on the vertical (y) mostly turns about that axis only: the
    rotations of level cameras leave it unchanged, so they do not
    constrain it.
  - 'mean_norm' / 'deviation_rms': norm of the mean G against the RMS norm
    of a G's deviation from it (a large constant G, compared with the
    deviations, is a latent the rotations cannot tell from a fixed offset).
  - 'rotation_consistent_share': the share of G's variance (about its mean)
    that G = W P explains, P the root-relative 3D pose [16, 3] in the same
    camera and W [M, 16] one least-squares mixing of joints per latent
    point. Such a W commutes with every rotation (rotating P rotates W P
    alike), so 1 means G is exactly a rotation-consistent linear function
    of the 3D; a constant offset is not one, so a G dominated by its mean
    scores below 0.

  Args:
    latents: [N, M, 3] G of N samples.
    poses: [N, J, 3] their root-relative 3D poses in the camera of G.

  Returns:
    dict of the measures above (floats; the shares as a list).
  """
  g = np.asarray(latents, np.float64)
  p = _poses(poses, 'poses')
  if g.ndim != 3 or g.shape[-1] != 3 or len(g) != len(p):
    raise ArgumentError(f'latents must be [N, M, 3] beside poses [N, J, 3], '
                        f'got {g.shape} and {p.shape}')
  if len(g) < 2:
    raise ArgumentError(f'latent diagnostics need at least 2 samples, got '
                        f'{len(g)}')
  mean = g.mean(0)
  dev = g - mean
  axis_var = (dev ** 2).sum((0, 1))
  # Rows: one per (sample, axis); columns: joints. The same W for x, y, z.
  x = p.transpose(0, 2, 1).reshape(-1, p.shape[1])  # [N * 3, J]
  y = g.transpose(0, 2, 1).reshape(-1, g.shape[1])  # [N * 3, M]
  w, *_ = np.linalg.lstsq(x, y, rcond=None)
  sse = ((x @ w - y) ** 2).sum()
  sst = axis_var.sum()
  return {'axis_variance_share': (axis_var / max(sst, 1e-12)).tolist(),
          'mean_norm': float(np.linalg.norm(mean)),
          'deviation_rms': float(np.sqrt((dev ** 2).sum((1, 2)).mean())),
          'rotation_consistent_share': float(1.0 - sse / max(sst, 1e-12))}
