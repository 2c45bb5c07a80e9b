"""Config dataclasses a finished run is rebuilt from (its config.json).

`training` fills them from flags and writes them into config.json; the
loaders of `runs.loading` read them back to rebuild the trained model.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional, Tuple

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.models.pose_lifter import (LATENT_SCALES, REGRESSORS,
                                         regressor_kwargs)
from geo_rep_tf.models.view_synthesis import LATENT_ENCODERS

# Regression#1 with at most FEW_LABELS labelled samples reads G this many
# times smaller than its standardised unit (RegressorConfig.latent_gain).
FEW_LABELS = 1000
FEW_LABELS_LATENT_GAIN = 0.1


def default_latent_gain(regressor: str, num_labels: int) -> float:
  """The gain of the standardised G when none is given: 0.1 for
  Regression#1 trained on 1 to FEW_LABELS labels, 1 otherwise (N = 0: all
  labels)."""
  if regressor == 'regression1' and 0 < num_labels <= FEW_LABELS:
    return FEW_LABELS_LATENT_GAIN
  return 1.0


@dataclasses.dataclass
class RegressorConfig:
  """What regressor is trained on how many labels.

  Attributes:
    protocol_dir: prepared protocol.
    regressor: a key of `pose_lifter.REGRESSORS`.
    num_labels: N labelled training samples, drawn once with `label_seed`
      (0: all).
    representation_dir: model_dir of a representation run (its config.json
      and latest checkpoint); needed by regressors that use G.
    hidden: regressor width (1024).
    dropout: regressor dropout (None: the regressor's default).
    latent_dropout: baseline1_g only: the rate at which training drops G's
      contribution whole, per sample (0: never).
    camera_indices: cameras whose samples train (Protocol #3: 3 of 4).
    noisy_2d: train and test on the noisy 2D.
    global_batch_size: samples per step.
    label_seed: which N samples are labelled.
    seed: data-order seed.
    latent_cache_dir: where the G of training samples is kept on disk
      between runs on the same representation (None: the representation
      run's `latent_cache/`; '': not kept).
    cache_latent: for regressors on G, encode the N labelled samples once
      (phi is frozen, so G of a sample never changes) and train on the
      cached G instead of drawing maps and running phi at every step; the
      same numbers reach the regressor, many times faster.
    standardize_latent: regressors on G see G centred per coordinate and
      scaled by one number (`pose_lifter.LatentStandardizer`), with
      statistics from the G of `LATENT_STATS_SAMPLES` training samples' 2D
      (no 3D labels: the same for every N), stored with the regressor. Runs
      written before this option load with it off.
    latent_scale: the standardised G's unit, 'vector' (unit RMS norm of the
      whole G, the size of Baseline#1's normalised 2D) or 'coordinate'
      (unit mean square per coordinate, so G is sqrt(3M) ~ 10 times
      larger); see `LatentStandardizer.set_statistics`. None (the default):
      'coordinate' for regression2_g, 'vector' for the others. Regression#1
      on the committed map G, N = 500, exact 2D, the first 20,000 test
      samples: 63.8 mm with 'vector', 83.0 with 'coordinate'; on the coords
      G of `flags/rep_coords_noisy.cfg`, N = 500, noisy 2D: 49.0 against
      53.3. Regression#2 + G adds G's layer to batch-normalised features of
      the 2D, which a G of unit norm barely moves: with all labels on noisy
      2D it gave 54.4 mm with 'vector' and 50.0 with 'coordinate'
      (docs/results/table1_coords.md). Only training uses it: the scale is
      stored with the regressor.
    latent_gain: the standardised G is multiplied by it before the
      regressor (`LatentStandardizer.set_statistics`; stored in the
      regressor's scale, so only training uses it). None (the default):
      `default_latent_gain`: 0.1 for Regression#1 with few labels, else 1.
      Chosen on the validation protocol (flags/bandai_h36m_validation.cfg)
      with the noisy coords G: at N = 500 0.1 gives 42.3 mm against 44.5
      with 1 (three label subsets), at N = 50 59.5 against 65.1, but with
      thousands of labels it underfits (N = 5,000: 39.2 against 38.2);
      docs/results/regressor_validation.md.
    latent_encoders: regressors on G: which of the representation's
      encoders give G, 'phi' (the paper's) or 'phi_mu' (the mean of both
      directions' encoders of a 'dg' representation), see
      `view_synthesis.LATENT_ENCODERS`.
  """
  protocol_dir: str
  regressor: str = 'regression1'
  num_labels: int = 0
  representation_dir: Optional[str] = None
  hidden: int = 1024
  dropout: Optional[float] = None
  latent_dropout: float = 0.0
  camera_indices: Tuple[int, ...] = (0, 1, 2, 3)
  noisy_2d: bool = False
  global_batch_size: int = 256
  label_seed: int = 0
  seed: int = 0
  cache_latent: bool = True
  latent_cache_dir: Optional[str] = None
  standardize_latent: bool = True
  latent_scale: Optional[str] = None
  latent_gain: Optional[float] = None
  latent_encoders: str = 'phi'

  def __post_init__(self):
    if self.regressor not in REGRESSORS:
      raise ArgumentError(f'regressor must be one of {sorted(REGRESSORS)}, '
                          f'got {self.regressor!r}')
    if self.num_labels < 0:
      raise ArgumentError(f'num_labels must be >= 0, got {self.num_labels}')
    if REGRESSORS[self.regressor][1] and not self.representation_dir:
      raise ArgumentError(f'regressor {self.regressor} uses G: give the '
                          'representation run (--representation_dir)')
    # ArgumentError on a latent_dropout out of range or for a wrong type.
    regressor_kwargs(self.regressor, self.hidden, self.dropout,
                     self.latent_dropout)
    if self.latent_scale is None:
      self.latent_scale = ('coordinate' if self.regressor == 'regression2_g'
                           else 'vector')
    if self.latent_scale not in LATENT_SCALES:
      raise ArgumentError(f'latent_scale must be one of {LATENT_SCALES}, '
                          f'got {self.latent_scale!r}')
    if self.latent_gain is None:
      self.latent_gain = default_latent_gain(self.regressor, self.num_labels)
    if not (math.isfinite(self.latent_gain) and self.latent_gain > 0):
      raise ArgumentError(f'latent_gain must be a number > 0, got '
                          f'{self.latent_gain}')
    if self.latent_encoders not in LATENT_ENCODERS:
      raise ArgumentError('latent_encoders must be one of '
                          f'{LATENT_ENCODERS}, got {self.latent_encoders!r}')
    self.camera_indices = tuple(self.camera_indices)
