"""F_2D: the stacked hourglass network of Newell et al. 2016 (ECCV).

Image [B, S, S, 3] -> keypoint heatmaps at S / 4 (64 x 64 for S = 256).

- Stem: 7x7 stride-2 conv + BN + ReLU, residual, 2x2 max pool, two
  residuals: S -> S / 4. Its widths are num_features / 4, / 2, / 2, / 1
  (64-128-128-256 with the defaults, as in the paper), so a small test
  model shrinks as a whole.
- Residual: the pre-activation bottleneck (BN-ReLU-1x1 conv to half width,
  BN-ReLU-3x3, BN-ReLU-1x1 back) plus the input, through a 1x1 conv when the
  width changes.
- Hourglass of recursion `depth`: an upper residual branch at the current
  resolution plus (max pool, residual, hourglass of depth - 1 or a residual
  at the bottom, residual, nearest 2x upsampling). One residual per block
  (the paper's nModules = 1).
- Each stack: hourglass, residual, 1x1 conv + BN + ReLU, 1x1 conv to the
  heatmaps (intermediate supervision). Between stacks the features and the
  heatmaps are mapped back by 1x1 convs and added to the stack's input.

Batch norm momentum defaults to 0.9 (Torch's 0.1, which the original used);
Keras' 0.99 leaves the moving statistics far from the batch statistics
after a short run.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError

# Stem downsampling (stride-2 conv, then a 2x2 max pool).
STRIDE = 4


def _check_int(name: str, value, low: int):
  if isinstance(value, bool) or not isinstance(value, int) or value < low:
    raise ArgumentError(f'{name} must be an int >= {low}, got {value!r}')


class _Residual(keras.layers.Layer):
  """Pre-activation bottleneck residual block: [B, H, W, C] -> [.., filters]."""

  def __init__(self, filters: int, momentum: float, **kwargs):
    super().__init__(**kwargs)
    half = max(filters // 2, 1)
    self.norms = [keras.layers.BatchNormalization(momentum=momentum,
                                                  name=f'bn{i}')
                  for i in range(3)]
    self.convs = [keras.layers.Conv2D(half, 1, name='conv1x1_a'),
                  keras.layers.Conv2D(half, 3, padding='same',
                                      name='conv3x3'),
                  keras.layers.Conv2D(filters, 1, name='conv1x1_b')]
    self.filters = filters
    self.skip = None

  def build(self, input_shape):
    if input_shape[-1] != self.filters:
      self.skip = keras.layers.Conv2D(self.filters, 1, name='skip')
      self.skip.build(input_shape)
    shape = tuple(input_shape)
    for norm, conv in zip(self.norms, self.convs):
      norm.build(shape)
      conv.build(shape)
      shape = tuple(conv.compute_output_shape(shape))

  def call(self, inputs, training=None):
    x = inputs
    for norm, conv in zip(self.norms, self.convs):
      x = conv(tf.nn.relu(norm(x, training=training)))
    skip = inputs if self.skip is None else self.skip(inputs)
    return x + skip

  def compute_output_shape(self, input_shape):
    return tuple(input_shape[:-1]) + (self.filters,)


class _Hourglass(keras.layers.Layer):
  """One hourglass of recursion `depth`: [B, H, W, F] -> [B, H, W, F]."""

  def __init__(self, depth: int, filters: int, momentum: float, **kwargs):
    super().__init__(**kwargs)
    self.upper = _Residual(filters, momentum, name='upper')
    self.pool = keras.layers.MaxPooling2D(2, name='pool')
    self.down = _Residual(filters, momentum, name='down')
    if depth > 1:
      self.inner = _Hourglass(depth - 1, filters, momentum, name='inner')
    else:
      self.inner = _Residual(filters, momentum, name='bottom')
    self.up = _Residual(filters, momentum, name='up')
    self.upsample = keras.layers.UpSampling2D(2, interpolation='nearest',
                                              name='upsample')

  def build(self, input_shape):
    shape = tuple(input_shape)
    self.upper.build(shape)
    low = tuple(self.pool.compute_output_shape(shape))
    for layer in (self.down, self.inner, self.up):
      layer.build(low)

  def call(self, inputs, training=None):
    upper = self.upper(inputs, training=training)
    low = self.down(self.pool(inputs), training=training)
    low = self.inner(low, training=training)
    low = self.up(low, training=training)
    return upper + self.upsample(low)

  def compute_output_shape(self, input_shape):
    return tuple(input_shape)


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class StackedHourglass(keras.Model):
  """Stacked hourglass with intermediate supervision (Newell et al. 2016).

  Args:
    num_stacks: number of hourglass stacks (8 in the paper; 2 is a common
      lighter setting).
    num_features: channels inside the hourglasses (256 in the paper).
    num_joints: heatmap channels (16 model joints).
    depth: recursion depth of each hourglass (4: 64 -> 4 px at the bottom).
    input_size: side S of the square input; S / 4 must be divisible by
      2**depth.
    batch_norm_momentum: momentum of every batch norm (see module doc).
    **kwargs: passed to `keras.Model`.

  Call:
    inputs: [B, S, S, 3] float32 image (the pose2d pipeline gives [0, 1]).
    training: batch-norm mode.

  Returns:
    {'heatmaps': [B, num_stacks, S / 4, S / 4, num_joints] float32}, one
    prediction per stack in stack order; the last one, [:, -1], is the
    model's output and all of them are supervised in training.
  """

  def __init__(self, num_stacks: int = 2, num_features: int = 256,
               num_joints: int = 16, depth: int = 4, input_size: int = 256,
               batch_norm_momentum: float = 0.9, **kwargs):
    super().__init__(**kwargs)
    _check_int('num_stacks', num_stacks, 1)
    _check_int('num_features', num_features, 4)
    _check_int('num_joints', num_joints, 1)
    _check_int('depth', depth, 1)
    _check_int('input_size', input_size, 1)
    if input_size % (STRIDE * 2**depth):
      raise ArgumentError(
          f'input_size ({input_size}) must be divisible by {STRIDE} * '
          f'2**depth ({STRIDE * 2**depth})')
    if not 0.0 <= batch_norm_momentum < 1.0:
      raise ArgumentError('batch_norm_momentum must be in [0, 1), got '
                          f'{batch_norm_momentum!r}')
    self.num_stacks = num_stacks
    self.num_features = num_features
    self.num_joints = num_joints
    self.depth = depth
    self.input_size = input_size
    self.batch_norm_momentum = batch_norm_momentum
    self.heatmap_size = input_size // STRIDE

    f, m = num_features, batch_norm_momentum
    self.stem_conv = keras.layers.Conv2D(max(f // 4, 1), 7, strides=2,
                                         padding='same', use_bias=False,
                                         name='stem_conv')
    self.stem_bn = keras.layers.BatchNormalization(momentum=m, name='stem_bn')
    self.stem_res1 = _Residual(max(f // 2, 1), m, name='stem_res1')
    self.stem_pool = keras.layers.MaxPooling2D(2, name='stem_pool')
    self.stem_res2 = _Residual(max(f // 2, 1), m, name='stem_res2')
    self.stem_res3 = _Residual(f, m, name='stem_res3')
    self.hourglasses = [_Hourglass(depth, f, m, name=f'hourglass{s}')
                        for s in range(num_stacks)]
    self.head_res = [_Residual(f, m, name=f'head_res{s}')
                     for s in range(num_stacks)]
    self.head_conv = [keras.layers.Conv2D(f, 1, use_bias=False,
                                          name=f'head_conv{s}')
                      for s in range(num_stacks)]
    self.head_bn = [keras.layers.BatchNormalization(momentum=m,
                                                    name=f'head_bn{s}')
                    for s in range(num_stacks)]
    self.to_heatmaps = [keras.layers.Conv2D(num_joints, 1,
                                            name=f'to_heatmaps{s}')
                        for s in range(num_stacks)]
    # Remaps into the next stack's input (none after the last stack).
    self.remap_features = [keras.layers.Conv2D(f, 1, name=f'remap_feat{s}')
                           for s in range(num_stacks - 1)]
    self.remap_heatmaps = [keras.layers.Conv2D(f, 1, name=f'remap_hm{s}')
                           for s in range(num_stacks - 1)]
    self.build((None, input_size, input_size, 3))

  def build(self, input_shape):
    shape = (input_shape[0], None, None, input_shape[-1])
    self.stem_conv.build(shape)
    shape = tuple(self.stem_conv.compute_output_shape(shape))
    self.stem_bn.build(shape)
    self.stem_res1.build(shape)
    shape = self.stem_res1.compute_output_shape(shape)
    self.stem_res2.build(shape)
    self.stem_res3.build(shape)
    features = shape[:-1] + (self.num_features,)
    for s in range(self.num_stacks):
      self.hourglasses[s].build(features)
      self.head_res[s].build(features)
      self.head_conv[s].build(features)
      self.head_bn[s].build(features)
      self.to_heatmaps[s].build(features)
      if s < self.num_stacks - 1:
        self.remap_features[s].build(features)
        self.remap_heatmaps[s].build(features[:-1] + (self.num_joints,))
    self.built = True

  def call(self, inputs, training=None):
    x = tf.nn.relu(self.stem_bn(self.stem_conv(inputs), training=training))
    x = self.stem_res1(x, training=training)
    x = self.stem_pool(x)
    x = self.stem_res2(x, training=training)
    x = self.stem_res3(x, training=training)
    outputs = []
    for s in range(self.num_stacks):
      y = self.hourglasses[s](x, training=training)
      y = self.head_res[s](y, training=training)
      y = tf.nn.relu(self.head_bn[s](self.head_conv[s](y), training=training))
      heatmaps = self.to_heatmaps[s](y)
      outputs.append(heatmaps)
      if s < self.num_stacks - 1:
        x = x + self.remap_features[s](y) + self.remap_heatmaps[s](heatmaps)
    # Shape = [B, num_stacks, S / 4, S / 4, J].
    return {'heatmaps': tf.stack(outputs, axis=1)}

  def compute_output_shape(self, input_shape):
    size = None if input_shape[1] is None else input_shape[1] // STRIDE
    return {'heatmaps': (input_shape[0], self.num_stacks, size, size,
                         self.num_joints)}

  def get_config(self):
    config = super().get_config()
    config.update(num_stacks=self.num_stacks, num_features=self.num_features,
                  num_joints=self.num_joints, depth=self.depth,
                  input_size=self.input_size,
                  batch_norm_momentum=self.batch_norm_momentum)
    return config

  @classmethod
  def from_config(cls, config):
    return cls(**config)
