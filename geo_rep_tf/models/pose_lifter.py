"""2D keypoints (pixels) -> root-relative 3D pose, in one graph.

The lifter chains what the paper's inference does after F_2D: draw the
skeleton map, encode it with the frozen encoder phi into G, regress 3D from G
(and/or from normalised 2D). Keeping it one Keras model makes training,
evaluation and export (SavedModel / TFLite) share the same graph.
"""

from __future__ import annotations

from typing import Dict, Optional

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import normalization, skeleton_maps
from geo_rep_tf.models.regression1 import ShallowRegressor
from geo_rep_tf.models.residual_lifter import ResidualLifter
from geo_rep_tf.models.view_synthesis import ViewSynthesis

# regressor type -> (uses normalised 2D, uses G)
REGRESSORS = {
    'baseline1': (True, False),     # Regression#1 network on 2D (Baseline#1)
    'regression1': (False, True),   # Regression#1 on G ("OursShallow")
    'regression2': (True, False),   # Martinez et al. residual MLP (BL)
    'regression2_g': (True, True),  # Regression#2 + G
}


def make_regressor(regressor_type: str, **kwargs) -> keras.Model:
  """The regressor network of a type (see REGRESSORS)."""
  if regressor_type not in REGRESSORS:
    raise ArgumentError(f'regressor must be one of {sorted(REGRESSORS)}, got '
                        f'{regressor_type!r}')
  if regressor_type == 'baseline1':
    return ShallowRegressor(input_key='keypoints_2d', name='regressor',
                            **kwargs)
  if regressor_type == 'regression1':
    return ShallowRegressor(input_key='latent', name='regressor', **kwargs)
  return ResidualLifter(use_latent=regressor_type == 'regression2_g',
                        name='regressor', **kwargs)


def pose_latent(representation: ViewSynthesis, keypoints_px,
                map_margin: float = 0.2):
  """G of 2D keypoints: skeleton maps drawn as `representation` was trained,
  encoded by its frozen phi (inference mode).

  Args:
    representation: a trained `ViewSynthesis`.
    keypoints_px: [B, 16, 2] float32 pixels.
    map_margin: crop margin of the maps.

  Returns:
    [B, M, 3] latent points (no gradient).
  """
  maps = skeleton_maps.skeleton_maps(keypoints_px, size=representation.map_size,
                                     margin=map_margin,
                                     sigma=representation.map_sigma)
  return tf.stop_gradient(representation.encode(maps, training=False))


class PoseLifter(keras.Model):
  """Regressor (+ frozen representation encoder) on 2D keypoints in pixels.

  Args:
    regressor_type: a key of REGRESSORS.
    representation: the trained `ViewSynthesis` whose encoder phi gives G
      (required when the type uses G; it is never trained here).
    regressor_kwargs: passed to the regressor's constructor.
    map_margin: crop margin of the skeleton maps and the 2D normalisation.

  Call:
    inputs: [B, 16, 2] keypoints in pixels, or a dict holding them under
      'keypoints_2d_px' and optionally their G under 'latent' (precomputed
      by `pose_latent`, e.g. cached for training: phi is then not run).

  Returns:
    dict with 'pose_3d' [B, 16, 3] (network units, see normalization.py),
    'pose_3d_mm' [B, 16, 3] (root-relative mm, camera frame) and, when G is
    used, 'latent' [B, M, 3].
  """

  def __init__(self, regressor_type: str,
               representation: Optional[ViewSynthesis] = None,
               regressor_kwargs: Optional[Dict] = None,
               map_margin: float = 0.2, **kwargs):
    super().__init__(**kwargs)
    self.regressor_type = regressor_type
    self.regressor_kwargs = dict(regressor_kwargs or {})
    self.map_margin = map_margin
    self.uses_2d, self.uses_latent = REGRESSORS.get(regressor_type,
                                                    (None, None))
    self.regressor = make_regressor(regressor_type, **self.regressor_kwargs)
    if self.uses_latent and representation is None:
      raise ArgumentError(f'regressor {regressor_type!r} needs a trained '
                          'representation (its encoder gives G)')
    self.representation = representation if self.uses_latent else None
    if self.representation is not None:
      self.representation.trainable = False

  def call(self, inputs, training=None):
    kp = inputs['keypoints_2d_px'] if isinstance(inputs, dict) else inputs
    kp = tf.cast(kp, tf.float32)
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
      features['latent'] = latent
      out['latent'] = latent
    pose = self.regressor(features, training=training)['pose_3d']
    out['pose_3d'] = pose
    out['pose_3d_mm'] = normalization.target_to_pose(pose)
    return out

  def get_config(self):
    config = super().get_config()
    config.update(
        regressor_type=self.regressor_type,
        regressor_kwargs=self.regressor_kwargs, map_margin=self.map_margin,
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
