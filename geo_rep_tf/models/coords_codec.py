"""The `coords` skeleton medium: MLP encoder and decoder on normalised 2D.

The paper draws each 2D skeleton as 15 binary 64 x 64 bone maps and encodes
them with a U-Net. The 64-pixel grid over each pose's own crop quantises the
2D before any learning (docs/design.md "Skeleton media"), so the `coords`
medium keeps the 2D as numbers: the 16 keypoints normalised as Baseline#1 sees them
(`geometry.normalization.normalize_keypoints_2d`), z-scored per coordinate
with statistics of unlabelled training 2D (`CoordsStandardizer`), read by
an MLP encoder into G [M, 3] and drawn back by an MLP decoder. The rotation
of G, both directions, the consistency loss and the virtual cameras are the
same as for maps (`view_synthesis.ViewSynthesis`).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.joints import NUM_JOINTS

# Hidden width of the MLPs (two hidden layers each, as Martinez et al.'s
# lifter blocks): 1,024 gave a G whose ridge probe beat the 2D's by 30% on
# the full protocol with M = 32.
DEFAULT_HIDDEN = 1024
# Added to each coordinate's standard deviation: the root joint is always at
# (0, 0) after normalisation, so its deviation is 0.
STD_EPSILON = 1e-3


def _check_size(name: str, value) -> None:
  if isinstance(value, bool) or not isinstance(value, int) or value < 1:
    raise ArgumentError(f'{name} must be an int >= 1, got {value!r}')


class CoordsStandardizer(keras.layers.Layer):
  """(x - mean) / std per coordinate of normalised 2D [B, 16, 2].

  `mean` and `std` are non-trainable weights set once by `set_statistics`
  (from unlabelled training 2D), so checkpoints, SavedModels and TFLite
  files carry them; until set the layer is the identity.
  """

  def __init__(self, **kwargs):
    super().__init__(**kwargs)
    self.mean = self.add_weight(shape=(NUM_JOINTS, 2), initializer='zeros',
                                trainable=False, name='mean')
    self.std = self.add_weight(shape=(NUM_JOINTS, 2), initializer='ones',
                               trainable=False, name='std')

  def set_statistics(self, coords) -> None:
    """Sets mean and std from normalised 2D [N, 16, 2] (N >= 2)."""
    coords = np.asarray(coords, np.float64)
    if coords.ndim != 3 or coords.shape[1:] != (NUM_JOINTS, 2):
      raise ArgumentError(f'coordinate statistics need [N, {NUM_JOINTS}, 2] '
                          f'normalised 2D, got shape {coords.shape}')
    if len(coords) < 2:
      raise ArgumentError('coordinate statistics need at least 2 poses, got '
                          f'{len(coords)}')
    if not np.isfinite(coords).all():
      raise ArgumentError('coordinate statistics got non-finite 2D')
    self.mean.assign(coords.mean(0).astype(np.float32))
    self.std.assign((coords.std(0) + STD_EPSILON).astype(np.float32))

  def call(self, coords):
    return (coords - self.mean) / self.std

  def inverse(self, standardized):
    """Normalised 2D from standardised coordinates."""
    return standardized * self.std + self.mean


def _mlp(hidden: int, out: int, prefix: str):
  return [keras.layers.Dense(hidden, activation='relu', name=f'{prefix}_fc1'),
          keras.layers.Dense(hidden, activation='relu', name=f'{prefix}_fc2'),
          keras.layers.Dense(out, name=f'{prefix}_out')]


class _CoordsMLP(keras.layers.Layer):
  """Two hidden ReLU layers and a linear output, flat in, reshaped out."""

  PREFIX = KEY = None  # Set by the subclasses.

  def __init__(self, num_points: int, hidden: int = DEFAULT_HIDDEN, **kwargs):
    super().__init__(**kwargs)
    _check_size('num_points', num_points)
    _check_size('coords_hidden', hidden)
    self.num_points = num_points
    self.hidden = hidden
    self.dense = _mlp(hidden, int(np.prod(self._out_shape())), self.PREFIX)

  def _in_width(self) -> int:
    raise NotImplementedError

  def _out_shape(self):
    raise NotImplementedError

  def build(self, input_shape):
    shape = [input_shape[0], self._in_width()]
    for layer in self.dense:
      layer.build(shape)
      shape = [input_shape[0], layer.units]
    self.built = True

  def call(self, x, training=None):
    x = tf.reshape(x, [-1, self._in_width()])
    for layer in self.dense:
      x = layer(x)
    return {self.KEY: tf.reshape(x, [-1, *self._out_shape()])}

  def get_config(self):
    config = super().get_config()
    config.update(num_points=self.num_points, hidden=self.hidden)
    return config


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class CoordsEncoder(_CoordsMLP):
  """Standardised 2D [B, 16, 2] -> G [B, M, 3] by an MLP.

  Args:
    num_points: M.
    hidden: width of the two hidden layers.

  Returns (call): dict with 'latent' [B, M, 3].
  """

  PREFIX, KEY = 'enc', 'latent'

  def _in_width(self):
    return NUM_JOINTS * 2

  def _out_shape(self):
    return (self.num_points, 3)


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class CoordsDecoder(_CoordsMLP):
  """G [B, M, 3] -> standardised 2D [B, 16, 2] by an MLP.

  Args:
    num_points: M.
    hidden: width of the two hidden layers.

  Returns (call): dict with 'coords' [B, 16, 2].
  """

  PREFIX, KEY = 'dec', 'coords'

  def _in_width(self):
    return 3 * self.num_points

  def _out_shape(self):
    return (NUM_JOINTS, 2)
