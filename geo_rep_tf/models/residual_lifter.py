"""Regression#2: the residual MLP lifter of Martinez et al. (ICCV 2017).

normalised 2D [B, 16, 2] -> flatten -> Dense(width) + BN + ReLU + Dropout
-> `num_blocks` x [2 x (Dense(width) + BN + ReLU + Dropout) + identity]
-> Dense(num_joints * 3).

With `use_latent=True` the latent G [B, M, 3] is injected as docs/design.md
says: one Dense layer maps flattened G to `width` and the result is added
element-wise to the output of the first layer (after its dropout, so G's
contribution is not dropped), before the residual blocks.

Differences from Martinez et al.'s released code: their optional max-norm
weight clipping is not applied, and the output has all 16 joints (the
pelvis target is 0) instead of the 16 non-root joints of H36M-17.
"""

from __future__ import annotations

from typing import Optional

import keras

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.joints import NUM_JOINTS
from geo_rep_tf.models.inputs import check_rate, split_latent_inputs


def _flat_size(spec, arg_name):
  _, points, channels = spec.shape
  if points is None or channels is None:
    raise ArgumentError(f'{arg_name} needs static trailing dimensions, got '
                        f'{spec.shape}')
  return points * channels


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class ResidualLifter(keras.Model):
  """Martinez et al.'s 2D -> 3D residual MLP, optionally fed G.

  Call with {'keypoints_2d': [B, 16, 2]} ('latent': [B, M, 3] as well when
  `use_latent`), or with the [B, 16, 2] tensor alone when not `use_latent`.
  A 'latent' given to a model built with `use_latent=False` is an error
  (rather than silently ignored, which would hide a wrong variant); feed it
  only `input_keys`.

  Returns:
    {'pose_3d': [B, num_joints, 3] float32}, root-relative 3D in network
    units.
  """

  def __init__(self, width: int = 1024, num_blocks: int = 2,
               dropout: float = 0.5, use_latent: bool = False,
               num_joints: int = NUM_JOINTS, **kwargs):
    """Builds the layers.

    Args:
      width: feature width of every hidden layer (1024).
      num_blocks: residual blocks (2).
      dropout: dropout rate after every hidden layer (0.5).
      use_latent: also take the latent G and add it after the first layer.
      num_joints: output joints.
      **kwargs: forwarded to `keras.Model`.
    """
    super().__init__(**kwargs)
    if width <= 0 or num_blocks < 0 or num_joints <= 0:
      raise ArgumentError(
          f'need width > 0, num_blocks >= 0, num_joints > 0; got {width}, '
          f'{num_blocks}, {num_joints}')
    check_rate('dropout', dropout)
    self.width = width
    self.num_blocks = num_blocks
    self.dropout = dropout
    self.use_latent = use_latent
    self.num_joints = num_joints
    self.flatten = keras.layers.Flatten(name='flatten')
    self.stem = self._dense_bn_relu_dropout('stem')
    self.blocks = [[self._dense_bn_relu_dropout(f'block{b}_{i}')
                    for i in range(2)] for b in range(num_blocks)]
    self.fc_latent = (keras.layers.Dense(width, name='fc_latent')
                      if use_latent else None)
    self.fc_out = keras.layers.Dense(num_joints * 3, name='fc_out')
    self.to_joints = keras.layers.Reshape((num_joints, 3), name='to_joints')

  def _dense_bn_relu_dropout(self, prefix):
    # Kaiming initialisation, as in Martinez et al.
    return (keras.layers.Dense(self.width, kernel_initializer='he_normal',
                               name=f'{prefix}_fc'),
            keras.layers.BatchNormalization(name=f'{prefix}_bn'),
            keras.layers.Dropout(self.dropout, name=f'{prefix}_dropout'))

  @property
  def input_keys(self):
    """The dict keys `call` reads."""
    return ('keypoints_2d', 'latent') if self.use_latent else (
        'keypoints_2d',)

  @staticmethod
  def _apply(layers, x, training):
    dense, bn, drop = layers
    x = keras.ops.relu(bn(dense(x), training=training))
    return drop(x, training=training)

  def _split(self, inputs):
    keypoints, latent = split_latent_inputs(self.name, inputs, 'keypoints_2d',
                                       self.use_latent)
    if len(keypoints.shape) != 3:
      raise ArgumentError(f'{self.name}: keypoints_2d must have shape '
                          f'[B, {NUM_JOINTS}, 2], got {keypoints.shape}')
    return keypoints, latent

  def build(self, input_shape):
    """Checks the inputs and creates the weights.

    Args:
      input_shape: {'keypoints_2d': (B, 16, 2), 'latent': (B, M, 3)} (no
        'latent' unless `use_latent`), or (B, 16, 2).
    """
    keypoints, latent = self._split(
        keras.tree.map_shape_structure(keras.KerasTensor, input_shape))
    width = self.width
    self.stem[0].build((None, _flat_size(keypoints, 'keypoints_2d')))
    self.stem[1].build((None, width))
    for block in self.blocks:
      for dense, bn, _ in block:
        dense.build((None, width))
        bn.build((None, width))
    if latent is not None:
      self.fc_latent.build((None, _flat_size(latent, 'latent')))
    self.fc_out.build((None, width))

  def call(self, inputs, training: Optional[bool] = None):
    """Runs the lifter.

    Args:
      inputs: dict with 'keypoints_2d' [B, 16, 2] (normalised,
        `normalization.normalize_keypoints_2d`) and, when `use_latent`,
        'latent' [B, M, 3]; or the keypoints tensor alone.
      training: enables dropout and batch statistics.

    Returns:
      {'pose_3d': [B, num_joints, 3]}.
    """
    keypoints, latent = self._split(inputs)
    x = self._apply(self.stem, self.flatten(keypoints), training)
    if self.use_latent:
      x = x + self.fc_latent(self.flatten(latent))  # Shape = [B, width].
    for block in self.blocks:
      y = x
      for layers in block:
        y = self._apply(layers, y, training)
      x = x + y
    return {'pose_3d': self.to_joints(self.fc_out(x))}

  def get_config(self):
    config = super().get_config()
    config.update(width=self.width, num_blocks=self.num_blocks,
                  dropout=self.dropout, use_latent=self.use_latent,
                  num_joints=self.num_joints)
    return config
