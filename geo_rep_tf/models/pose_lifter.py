"""2D keypoints (pixels) -> root-relative 3D pose, in one graph.

The lifter chains what the paper's inference does after F_2D: draw the
skeleton map, encode it with the frozen encoder phi into G, regress 3D from G
(and/or from normalised 2D). Keeping it one Keras model makes training,
evaluation and export (SavedModel / TFLite) share the same graph.
"""

from __future__ import annotations

from typing import Dict, Optional

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import normalization
from geo_rep_tf.models.inputs import check_rate
from geo_rep_tf.models.regression1 import ShallowRegressor
from geo_rep_tf.models.residual_lifter import ResidualLifter
from geo_rep_tf.models.view_synthesis import MAP_MARGIN, ViewSynthesis

# regressor type -> (uses normalised 2D, uses G)
REGRESSORS = {
    'baseline1': (True, False),     # Regression#1 network on 2D (Baseline#1)
    'baseline1_g': (True, True),    # Baseline#1 + G (G added to its layer)
    'regression1': (False, True),   # Regression#1 on G ("OursShallow")
    'regression2': (True, False),   # Martinez et al. residual MLP (BL)
    'regression2_g': (True, True),  # Regression#2 + G
}


# The types built as a ShallowRegressor (one hidden layer); the others are
# a ResidualLifter.
_SHALLOW = ('baseline1', 'baseline1_g', 'regression1')


def _check_type(regressor_type: str) -> None:
  if regressor_type not in REGRESSORS:
    raise ArgumentError(f'regressor must be one of {sorted(REGRESSORS)}, got '
                        f'{regressor_type!r}')


def regressor_kwargs(regressor_type: str, size: int,
                     dropout: Optional[float] = None,
                     latent_dropout: float = 0.0) -> dict:
  """`make_regressor` kwargs of a type for a layer width and a dropout.

  The shallow types call their width `hidden`, the residual ones `width`;
  dropout None keeps the type's default. latent_dropout (the rate at which
  training drops G's contribution whole) only exists for 'baseline1_g'.
  """
  _check_type(regressor_type)
  kwargs = {'hidden' if regressor_type in _SHALLOW else 'width': size}
  if dropout is not None:
    kwargs['dropout'] = dropout
  check_rate('latent_dropout', latent_dropout)
  if latent_dropout:
    if regressor_type != 'baseline1_g':
      raise ArgumentError(f'latent_dropout is for regressor baseline1_g, '
                          f'not {regressor_type!r}')
    kwargs['latent_dropout'] = latent_dropout
  return kwargs


def make_regressor(regressor_type: str, **kwargs) -> keras.Model:
  """The regressor network of a type (see REGRESSORS)."""
  _check_type(regressor_type)
  if regressor_type == 'baseline1':
    return ShallowRegressor(input_key='keypoints_2d', name='regressor',
                            **kwargs)
  if regressor_type == 'baseline1_g':
    return ShallowRegressor(input_key='keypoints_2d', use_latent=True,
                            name='regressor', **kwargs)
  if regressor_type == 'regression1':
    return ShallowRegressor(input_key='latent', name='regressor', **kwargs)
  return ResidualLifter(use_latent=regressor_type == 'regression2_g',
                        name='regressor', **kwargs)


def pose_latent(representation: ViewSynthesis, keypoints_px,
                map_margin: float = MAP_MARGIN):
  """G of 2D keypoints: the view `representation` reads (skeleton maps drawn
  as it was trained, or normalised 2D), encoded by its frozen phi
  (inference mode).

  Args:
    representation: a trained `ViewSynthesis`.
    keypoints_px: [B, 16, 2] float32 pixels.
    map_margin: crop margin of the maps.

  Returns:
    [B, M, 3] latent points (no gradient).
  """
  view = representation.encoder_input(keypoints_px, map_margin)
  return tf.stop_gradient(representation.encode(view, training=False))


# Units of `LatentStandardizer.set_statistics`: the standardised G has unit
# mean square per coordinate, or unit RMS norm as a whole vector.
LATENT_SCALES = ('coordinate', 'vector')


class LatentStandardizer(keras.layers.Layer):
  """(G - mean) / scale: G centred per coordinate and scaled by one number.

  A trained G is a large, nearly constant point set with small
  pose-dependent deviations (docs/skeleton_media.md); fed raw to a regressor, the
  constant swamps the pose. `mean` [M, 3] is the mean latent and `scale` the
  root-mean-square deviation from it over all coordinates. One scale keeps
  the relative size of the deviations, where a per-coordinate std would blow
  the least-varying coordinates up to the size of the most informative ones.
  Measured with Regression#1's network on a 7,000-step G (2,000 steps, 5,000
  test samples), one scale vs per-coordinate std: 145 vs 168 mm at N = 50,
  90 vs 99 at N = 500, 73 vs 74 at N = 5,000, 77 vs 75 at N = 40,000; raw G
  144-210 mm. Both are non-trainable weights set once by `set_statistics`
  (from the G of unlabelled training 2D), so checkpoints, SavedModels and
  TFLite files carry them. Until set they are the identity (mean 0,
  scale 1).

  Args:
    num_points: M, the latent's number of points.
  """

  def __init__(self, num_points: int, **kwargs):
    super().__init__(**kwargs)
    self.num_points = num_points
    self.mean = self.add_weight(shape=(num_points, 3), initializer='zeros',
                                trainable=False, name='mean')
    self.scale = self.add_weight(shape=(), initializer='ones',
                                 trainable=False, name='scale')

  def set_statistics(self, latents, epsilon: float = 1e-6,
                     unit: str = 'coordinate', gain: float = 1.0) -> None:
    """Sets mean and scale from latents [N, M, 3].

    Args:
      latents: [N, M, 3] G of unlabelled training samples.
      epsilon: added to the scale.
      unit: 'coordinate': each standardised coordinate has mean square 1
        (the G vector then has RMS norm sqrt(3M), ~10 for M = 32);
        'vector': the whole standardised G has RMS norm 1, the size of the
        normalised 2D that Baseline#1's same network sees (a shallow
        regressor trained on few labels is sensitive to its input's size).
      gain: the standardised G is multiplied by it (folded into `scale`),
        so the unit's size times `gain` is what the regressor sees.
    """
    if not (np.isfinite(gain) and gain > 0):
      raise ArgumentError(f'latent gain must be a number > 0, got {gain}')
    if unit not in LATENT_SCALES:
      raise ArgumentError(f'latent scale unit must be one of {LATENT_SCALES}, '
                          f'got {unit!r}')
    latents = np.asarray(latents, np.float64)
    if latents.ndim != 3 or latents.shape[1:] != (self.num_points, 3):
      raise ArgumentError(f'latent statistics need [N, {self.num_points}, 3] '
                          f'latents, got shape {latents.shape}')
    if len(latents) < 2:
      raise ArgumentError('latent statistics need at least 2 latents, got '
                          f'{len(latents)}')
    mean = latents.mean(0)
    self.mean.assign(mean.astype(np.float32))
    sq = ((latents - mean) ** 2).mean()
    if unit == 'vector':
      sq *= 3 * self.num_points
    self.scale.assign(np.float32((np.sqrt(sq) + epsilon) / gain))

  def call(self, latent):
    return (latent - self.mean) / self.scale

  def get_config(self):
    config = super().get_config()
    config.update(num_points=self.num_points)
    return config


class PoseLifter(keras.Model):
  """Regressor (+ frozen representation encoder) on 2D keypoints in pixels.

  Args:
    regressor_type: a key of REGRESSORS.
    representation: the trained `ViewSynthesis` whose encoder phi gives G
      (required when the type uses G; it is never trained here).
    regressor_kwargs: passed to the regressor's constructor.
    map_margin: crop margin of the skeleton maps and the 2D normalisation.
    standardize_latent: regressors on G see G centred and scaled (a
      `LatentStandardizer`, statistics set by its `set_statistics`).

  Call:
    inputs: [B, 16, 2] keypoints in pixels, or a dict holding them under
      'keypoints_2d_px' and optionally their G under 'latent' (precomputed
      by `pose_latent`, e.g. cached for training: phi is then not run);
      regressors on G alone need only 'latent'.

  Returns:
    dict with 'pose_3d' [B, 16, 3] (network units, see normalization.py),
    'pose_3d_mm' [B, 16, 3] (root-relative mm, camera frame) and, when G is
    used, 'latent' [B, M, 3] (raw G, before any standardisation).
  """

  def __init__(self, regressor_type: str,
               representation: Optional[ViewSynthesis] = None,
               regressor_kwargs: Optional[Dict] = None,
               map_margin: float = MAP_MARGIN, standardize_latent: bool = False,
               **kwargs):
    super().__init__(**kwargs)
    self.regressor_type = regressor_type
    self.regressor_kwargs = dict(regressor_kwargs or {})
    self.map_margin = map_margin
    self.standardize_latent = standardize_latent
    self.uses_2d, self.uses_latent = REGRESSORS.get(regressor_type,
                                                    (None, None))
    self.regressor = make_regressor(regressor_type, **self.regressor_kwargs)
    if self.uses_latent and representation is None:
      raise ArgumentError(f'regressor {regressor_type!r} needs a trained '
                          'representation (its encoder gives G)')
    self.representation = representation if self.uses_latent else None
    if self.representation is not None:
      self.representation.trainable = False
    self.standardizer = (
        LatentStandardizer(self.representation.num_points,
                           name='latent_standardizer')
        if self.representation is not None and standardize_latent else None)

  def call(self, inputs, training=None):
    kp = inputs.get('keypoints_2d_px') if isinstance(inputs, dict) else inputs
    if kp is None and (self.uses_2d or 'latent' not in inputs):
      raise ArgumentError(f'regressor {self.regressor_type!r} needs '
                          "'keypoints_2d_px'")
    kp = None if kp is None else tf.cast(kp, tf.float32)
    features = {}
    out = {}
    if self.uses_2d:
      features['keypoints_2d'] = normalization.normalize_keypoints_2d(
          kp, margin=self.map_margin)
    if self.uses_latent:
      if isinstance(inputs, dict) and 'latent' in inputs:
        latent = tf.cast(inputs['latent'], tf.float32)
      else:
        latent = pose_latent(self.representation, kp, self.map_margin)
      out['latent'] = latent
      if self.standardizer is not None:
        latent = self.standardizer(latent)
      features['latent'] = latent
    pose = self.regressor(features, training=training)['pose_3d']
    out['pose_3d'] = pose
    out['pose_3d_mm'] = normalization.target_to_pose(pose)
    return out

  def get_config(self):
    config = super().get_config()
    config.update(
        regressor_type=self.regressor_type,
        regressor_kwargs=self.regressor_kwargs, map_margin=self.map_margin,
        standardize_latent=self.standardize_latent,
        representation=(keras.saving.serialize_keras_object(
            self.representation) if self.representation is not None
                        else None))
    return config

  @classmethod
  def from_config(cls, config):
    config = dict(config)
    rep = config.pop('representation', None)
    if rep is not None:
      rep = keras.saving.deserialize_keras_object(rep)
    return cls(representation=rep, **config)
