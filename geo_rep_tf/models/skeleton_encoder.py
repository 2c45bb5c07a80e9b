"""Encoder phi (and mu): skeleton map -> latent 3D point set G (section 3).

The paper's encoder is the contracting path of a U-Net with the skip
connections removed and every channel count halved (64-128-256-512-1024 ->
32-64-128-256-512): `depth` down levels of two 3x3 convolutions (+ optional
batch norm) + ReLU followed by a 2x down-sampling, one bottleneck level of two
3x3 convolutions, then a dense layer to M * 3 numbers read as M points in 3D.
Padding is 'same' (the original U-Net's 'valid' convolutions would not give
64 x 64 back in the decoder).

Speed (full 'dg' training step, batch 16, 2 shared CPU cores, CPU seconds
per step, two runs): max pool 4.03-4.14, strided conv 3.67-3.77 (~9% less),
no batch norm 3.77-3.85 (~7% less). The defaults keep the paper's U-Net
(max pool) and batch norm: the differences are small.
"""

from __future__ import annotations

import math
from typing import List, Tuple

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.normalization import normalize_points

DOWNSAMPLE_MODES = ('max_pool', 'strided_conv')


def check_geometry(num_points: int, base_filters: int, depth: int,
                   map_channels: int, map_size: int) -> int:
  """Validates the shared encoder/decoder sizes; returns the bottleneck side.

  Raises:
    ArgumentError: a size is not a positive int, or `map_size` is not
      divisible by 2**depth.
  """
  for name, value, low in (('num_points', num_points, 1),
                           ('base_filters', base_filters, 1),
                           ('depth', depth, 0),
                           ('map_channels', map_channels, 1),
                           ('map_size', map_size, 1)):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
      raise ArgumentError(f'{name} must be an int >= {low}, got {value!r}')
  if map_size % (2**depth):
    raise ArgumentError(f'map_size ({map_size}) must be divisible by '
                        f'2**depth ({2**depth})')
  return map_size // 2**depth


def conv_bn_relu(filters: int, name: str, batch_norm: bool,
                 strides: int = 1) -> List[keras.layers.Layer]:
  """Layers of one 3x3 conv (+ BN) + ReLU unit.

  The conv has no bias when batch norm follows (BN's beta replaces it).
  """
  layers = [keras.layers.Conv2D(filters, 3, strides=strides, padding='same',
                                use_bias=not batch_norm, name=name + '_conv')]
  if batch_norm:
    layers.append(keras.layers.BatchNormalization(name=name + '_bn'))
  layers.append(keras.layers.ReLU(name=name + '_relu'))
  return layers


def build_sequence(layers, input_shape: Tuple) -> Tuple:
  """Builds `layers` in order from `input_shape`; returns the output shape."""
  shape = tuple(input_shape)
  for layer in layers:
    if not layer.built:
      layer.build(shape)
    shape = tuple(layer.compute_output_shape(shape))
  return shape


def run_sequence(layers, x, training=None):
  """Applies `layers` in order, passing `training` to batch norm."""
  for layer in layers:
    if isinstance(layer, keras.layers.BatchNormalization):
      x = layer(x, training=training)
    else:
      x = layer(x)
  return x


def unet_config(model) -> dict:
  """The constructor arguments the encoder and decoder share."""
  return dict(num_points=model.num_points, base_filters=model.base_filters,
              depth=model.depth, map_channels=model.map_channels,
              map_size=model.map_size, batch_norm=model.batch_norm)


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class SkeletonEncoder(keras.Model):
  """U-Net contracting path without skips -> M latent 3D points.

  Level k (k = 0..depth) has `base_filters * 2**k` channels; levels
  0..depth-1 end with a 2x down-sampling, so the bottleneck is
  [map_size / 2**depth, map_size / 2**depth, base_filters * 2**depth]
  (4 x 4 x 512 with the defaults).

  Args:
    num_points: M, the number of latent 3D points.
    base_filters: channels of the first level (32 = U-Net's 64 halved).
    depth: number of down-samplings.
    map_channels: input channels (15 bones; 3 for images).
    map_size: input side (square maps).
    batch_norm: batch norm after each conv (the original U-Net has none).
    downsample: 'max_pool' (2x2 max pool after a level, as in U-Net) or
      'strided_conv' (the second conv of a level has stride 2).
    normalize_latent: scale each point set to unit RMS per point,
      G = sqrt(M) n(P) (n as in the consistency loss). Without it, view
      synthesis can shrink G towards 0 early on (a decoder that ignores G
      and draws the mean map is the quickest loss drop), and then the
      decoder's inputs and gradients stay tiny; the scale of G carries no
      geometry anyway (the paper compares n(G)). False: the paper's raw G.
    **kwargs: passed to `keras.Model`.

  Call:
    inputs: [B, map_size, map_size, map_channels] float32 (channels last).
    training: batch-norm mode.

  Returns:
    {'latent': [B, M, 3] float32}.
  """

  def __init__(self, num_points: int, base_filters: int = 32, depth: int = 4,
               map_channels: int = 15, map_size: int = 64,
               batch_norm: bool = True, downsample: str = 'max_pool',
               normalize_latent: bool = False, **kwargs):
    super().__init__(**kwargs)
    self.bottleneck_size = check_geometry(num_points, base_filters, depth,
                                          map_channels, map_size)
    if downsample not in DOWNSAMPLE_MODES:
      raise ArgumentError(f'downsample must be one of {DOWNSAMPLE_MODES}, '
                          f'got {downsample!r}')
    self.num_points = num_points
    self.base_filters = base_filters
    self.depth = depth
    self.map_channels = map_channels
    self.map_size = map_size
    self.batch_norm = batch_norm
    self.downsample = downsample
    self.normalize_latent = bool(normalize_latent)

    layers = []
    for k in range(depth + 1):
      filters = base_filters * 2**k
      strided = downsample == 'strided_conv' and k < depth
      layers += conv_bn_relu(filters, f'level{k}_a', batch_norm)
      layers += conv_bn_relu(filters, f'level{k}_b', batch_norm,
                             strides=2 if strided else 1)
      if downsample == 'max_pool' and k < depth:
        layers.append(keras.layers.MaxPooling2D(2, name=f'level{k}_pool'))
    layers.append(keras.layers.Flatten(name='flatten'))
    layers.append(keras.layers.Dense(num_points * 3, name='to_points'))
    self.body = layers
    self.build((None, map_size, map_size, map_channels))

  def build(self, input_shape):
    build_sequence(self.body, input_shape)
    self.built = True

  def call(self, inputs, training=None):
    x = run_sequence(self.body, inputs, training=training)
    latent = tf.reshape(x, [-1, self.num_points, 3])  # Shape = [B, M, 3].
    if self.normalize_latent:
      latent = normalize_points(latent) * math.sqrt(self.num_points)
    return {'latent': latent}

  def compute_output_shape(self, input_shape):
    return {'latent': (input_shape[0], self.num_points, 3)}

  def get_config(self):
    config = super().get_config()
    config.update(unet_config(self), downsample=self.downsample,
                  normalize_latent=self.normalize_latent)
    return config

  @classmethod
  def from_config(cls, config):
    return cls(**config)
