"""Regression#1 of the paper, and Baseline#1: two fully connected layers.

Regression#1 maps the learnt latent G [B, M, 3] (flattened) to 3D joints
with FC(1024) + ReLU + FC(48). Baseline#1 is the same network on the
normalised 2D keypoints [B, 16, 2] (`geometry.normalization`) instead of G.
The input's last two axes are flattened, so any [B, P, C] input with static
P and C works; the Dense layers fix them at the first call.
"""

from __future__ import annotations

from typing import Optional

import keras

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.joints import NUM_JOINTS
from geo_rep_tf.models.inputs import check_rate


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class ShallowRegressor(keras.Model):
  """FC(hidden) + ReLU + Dropout + FC(num_joints * 3) on a flattened input.

  Call with a tensor [B, P, C], or with a dict holding it under `input_key`
  (other keys are ignored, so one dataset element can feed either variant).

  Returns:
    {'pose_3d': [B, num_joints, 3] float32}, root-relative 3D in network
    units (`normalization.target_to_pose` turns it into mm).
  """

  def __init__(self, hidden: int = 1024, num_joints: int = NUM_JOINTS,
               dropout: float = 0.0, input_key: str = 'latent',
               use_latent: bool = False, latent_dropout: float = 0.0,
               **kwargs):
    """Builds the layers.

    Args:
      hidden: width of the hidden FC layer (1024 in the paper).
      num_joints: output joints (16; 48 = 16 x 3 outputs).
      dropout: dropout rate after the hidden layer (0 in the paper).
      input_key: dict key of the input: 'latent' for Regression#1 (G),
        'keypoints_2d' for Baseline#1.
      use_latent: also take G under 'latent' and add one FC layer of it
        (no bias) to the hidden layer before its ReLU, the way docs/design.md
        injects G into the deeper regressors ("Baseline#1 + G"; the same as
        the hidden layer on the concatenated inputs). Needs input_key
        'keypoints_2d'.
      latent_dropout: with use_latent, the rate at which training drops
        G's whole contribution to the hidden layer, per sample (the kept
        ones scaled by 1 / (1 - rate)), so that the 2D path must work alone
        and G only adds to it; 0: never.
      **kwargs: forwarded to `keras.Model` (name, dtype, ...).
    """
    super().__init__(**kwargs)
    if hidden <= 0 or num_joints <= 0:
      raise ArgumentError(
          f'hidden and num_joints must be > 0, got {hidden}, {num_joints}')
    check_rate('dropout', dropout)
    self.hidden = hidden
    self.num_joints = num_joints
    self.dropout = dropout
    self.input_key = input_key
    self.use_latent = use_latent
    check_rate('latent_dropout', latent_dropout)
    if latent_dropout and not use_latent:
      raise ArgumentError('latent_dropout needs use_latent (a regressor on '
                          '2D and G)')
    self.latent_dropout = latent_dropout
    if use_latent and input_key == 'latent':
      raise ArgumentError('use_latent adds G to another input: set input_key '
                          "(e.g. 'keypoints_2d'), not 'latent'")
    self.flatten = keras.layers.Flatten(name='flatten')
    # With G the ReLU follows the sum (the weights are the same either way).
    self.fc1 = keras.layers.Dense(hidden, activation=None if use_latent
                                  else 'relu', name='fc1')
    self.fc_latent = (keras.layers.Dense(hidden, use_bias=False,
                                         name='fc_latent')
                      if use_latent else None)
    # One mask value per sample: G's contribution is kept or dropped whole.
    self.drop_latent = (keras.layers.Dropout(latent_dropout,
                                             noise_shape=(None, 1),
                                             name='latent_dropout')
                        if latent_dropout else None)
    self.drop = keras.layers.Dropout(dropout, name='dropout')
    self.fc2 = keras.layers.Dense(num_joints * 3, name='fc2')
    self.to_joints = keras.layers.Reshape((num_joints, 3), name='to_joints')

  @property
  def input_keys(self):
    """The dict keys `call` reads."""
    return (self.input_key, 'latent') if self.use_latent else (
        self.input_key,)

  def _select(self, inputs):
    if isinstance(inputs, dict):
      if self.input_key not in inputs:
        raise ArgumentError(
            f'{self.name}: input dict has no {self.input_key!r} key (keys: '
            f'{sorted(inputs)}); set input_key')
      inputs = inputs[self.input_key]
    if len(inputs.shape) != 3:
      raise ArgumentError(
          f'{self.name}: input must have shape [B, P, C] (G [B, M, 3] or 2D '
          f'[B, 16, 2]), got {inputs.shape}')
    return inputs

  def build(self, input_shape):
    """Checks the input and creates the weights.

    Args:
      input_shape: (B, P, C), or a dict with it under `input_key`.
    """
    x = self._select(keras.tree.map_shape_structure(keras.KerasTensor,
                                                    input_shape))
    _, points, channels = x.shape
    if points is None or channels is None:
      raise ArgumentError(f'{self.name}: input needs static P and C, got '
                          f'{x.shape}')
    self.fc1.build((None, points * channels))
    if self.use_latent:
      latent = self._latent(keras.tree.map_shape_structure(keras.KerasTensor,
                                                           input_shape))
      self.fc_latent.build((None, latent.shape[1] * latent.shape[2]))
    self.fc2.build((None, self.hidden))

  def _latent(self, inputs):
    latent = inputs.get('latent') if isinstance(inputs, dict) else None
    if latent is None or len(latent.shape) != 3 or None in latent.shape[1:]:
      raise ArgumentError(
          f'{self.name}: use_latent=True needs a \'latent\' input [B, M, 3] '
          f'with static M, got {None if latent is None else latent.shape}')
    return latent

  def call(self, inputs, training: Optional[bool] = None):
    """Runs the regressor.

    Args:
      inputs: [B, P, C] float, or a dict with it under `input_key`.
      training: enables dropout.

    Returns:
      {'pose_3d': [B, num_joints, 3]}.
    """
    x = self.fc1(self.flatten(self._select(inputs)))  # Shape = [B, hidden].
    if self.use_latent:
      from_latent = self.fc_latent(self.flatten(self._latent(inputs)))
      if self.drop_latent is not None:
        from_latent = self.drop_latent(from_latent, training=training)
      x = keras.ops.relu(x + from_latent)
    x = self.drop(x, training=training)
    return {'pose_3d': self.to_joints(self.fc2(x))}

  def get_config(self):
    config = super().get_config()
    config.update(hidden=self.hidden, num_joints=self.num_joints,
                  dropout=self.dropout, input_key=self.input_key,
                  use_latent=self.use_latent,
                  latent_dropout=self.latent_dropout)
    return config
