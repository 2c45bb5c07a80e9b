"""Regression#3: integral pose regression on images (Sun et al., ECCV 2018).

image crop [B, S, S, 3] -> backbone (ResNet-50, stride 32) -> `num_deconv` x
(Conv2DTranspose(head_filters, 4x4, stride 2) + BN + ReLU) -> 1x1 conv to
num_joints * depth_bins channels -> volumetric heatmap logits
[B, S/4, S/4, depth_bins, J] -> `soft_argmax_3d` -> [B, J, 3].

The volume is a cube aligned with the camera axes (x right, y down, z
forward) and centred at the root joint, of half-side `volume_extent`
network units (1.0 = 1000 mm with `normalization.POSE_SCALE_MM`); its
heatmap x, y axes follow the image's. Sun et al. instead make x, y image
pixels (2.5D) and recover mm from the root depth and the intrinsics; a
root-centred cube needs neither, and since the crop is the person's
bounding square the image and cube axes agree up to a per-example scale,
which the network learns. The model does no image preprocessing: feed
images scaled as the data pipeline chooses (e.g. [0, 1]).

With `use_latent=True`, G [B, M, 3] is injected as docs/design.md says: one
Dense layer maps flattened G to the backbone's feature width (2048 for
ResNet-50) and the result is added to the backbone's feature map
[B, S/32, S/32, width], broadcast over its spatial positions, before the
deconvolution head.

`backbone='tiny'` (five 3x3 stride-2 conv + ReLU layers, at most 32
channels) keeps the same stride and interface for fast tests.
"""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.models.inputs import split_latent_inputs
from geo_rep_tf.geometry.joints import NUM_JOINTS

BACKBONE_STRIDE = 32
# Output channels of the `tiny` backbone's stride-2 conv layers.
TINY_CHANNELS = (8, 8, 16, 16, 32)


def soft_argmax_3d(volume_logits, name: Optional[str] = None):
  """Expected position under a softmax over each joint's whole volume.

  Voxel (h, w, d) has its centre at x = 2 (w + 0.5) / W - 1,
  y = 2 (h + 0.5) / H - 1, z = 2 (d + 0.5) / D - 1, so the volume spans
  [-1, 1]^3 and a one-hot volume gives its voxel's centre exactly.
  Computed in float32 whatever the input dtype.

  Args:
    volume_logits: [A1, ..., An, H, W, D, J] float, unnormalised log
      probabilities; H indexes y (rows), W x (columns), D z (depth).
    name: op name scope.

  Returns:
    [A1, ..., An, J, 3] float32, (x, y, z) in [-1, 1].
  """
  with tf.name_scope(name or 'soft_argmax_3d'):
    volume_logits = tf.convert_to_tensor(volume_logits)
    if volume_logits.shape.rank is not None and volume_logits.shape.rank < 4:
      raise ArgumentError('volume_logits must have shape [..., H, W, D, J], '
                          f'got {volume_logits.shape}')
    volume_logits = tf.cast(volume_logits, tf.float32)
    shape = tf.shape(volume_logits)
    # Shape = [..., H * W * D, J]: one softmax per joint over its volume.
    flat = tf.reshape(volume_logits,
                      tf.concat([shape[:-4], [-1], shape[-1:]], axis=0))
    prob = tf.reshape(tf.nn.softmax(flat, axis=-2), shape)

    def expectation(marginal, size):
      # marginal: [..., size, J] -> [..., J].
      centres = (tf.range(size, dtype=tf.float32) + 0.5) * (
          2.0 / tf.cast(size, tf.float32)) - 1.0
      return tf.reduce_sum(marginal * centres[:, None], axis=-2)

    x = expectation(tf.reduce_sum(prob, axis=[-4, -2]), shape[-3])
    y = expectation(tf.reduce_sum(prob, axis=[-3, -2]), shape[-4])
    z = expectation(tf.reduce_sum(prob, axis=[-4, -3]), shape[-2])
    return tf.stack([x, y, z], axis=-1)


def _tiny_backbone(input_size):
  layers = [keras.Input((input_size, input_size, 3))]
  layers += [keras.layers.Conv2D(c, 3, strides=2, padding='same',
                                 activation='relu', name=f'tiny_conv{i}')
             for i, c in enumerate(TINY_CHANNELS)]
  return keras.Sequential(layers, name='tiny_backbone'), TINY_CHANNELS[-1]


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class IntegralRegressor(keras.Model):
  """Image crop (+ optional G) -> volumetric heatmaps -> 3D joints.

  Call with {'image': [B, S, S, 3]} ('latent': [B, M, 3] as well when
  `use_latent`), or with the image tensor alone when not `use_latent`.
  A 'latent' given to a model built with `use_latent=False` is an error.

  Returns:
    {'pose_3d': [B, num_joints, 3] float32}, root-relative 3D in network
    units, each coordinate in [-volume_extent, volume_extent].
  """

  def __init__(self, depth_bins: int = 64, heatmap_size: int = 64,
               backbone: str = 'resnet50', use_latent: bool = False,
               input_size: int = 256, num_joints: int = NUM_JOINTS,
               head_filters: int = 256, num_deconv: int = 3,
               volume_extent: float = 1.0, **kwargs):
    """Builds the layers.

    Args:
      depth_bins: D, bins of the volume along z.
      heatmap_size: H = W of the volume; must be
        input_size / 32 * 2 ** num_deconv (64 for 256 and 3 deconvs).
      backbone: 'resnet50' (keras.applications, random init) or 'tiny'.
      use_latent: also take the latent G and add it to the backbone features.
      input_size: S, side of the square image crop (a multiple of 32).
      num_joints: J.
      head_filters: channels of every deconvolution layer (256).
      num_deconv: deconvolution layers, each doubling the resolution (3).
      volume_extent: half-side of the volume's cube in network units.
      **kwargs: forwarded to `keras.Model`.
    """
    super().__init__(**kwargs)
    if backbone not in ('resnet50', 'tiny'):
      raise ArgumentError(
          f"backbone must be 'resnet50' or 'tiny', got {backbone!r}")
    if input_size <= 0 or input_size % BACKBONE_STRIDE:
      raise ArgumentError(f'input_size must be a positive multiple of '
                          f'{BACKBONE_STRIDE}, got {input_size}')
    if backbone == 'resnet50' and input_size < 32:
      raise ArgumentError(f'resnet50 needs input_size >= 32, got {input_size}')
    expected = input_size // BACKBONE_STRIDE * 2**num_deconv
    if heatmap_size != expected:
      raise ArgumentError(
          f'heatmap_size must be input_size / {BACKBONE_STRIDE} * '
          f'2 ** num_deconv = {expected}, got {heatmap_size}')
    if min(depth_bins, num_joints, head_filters) <= 0 or num_deconv < 0:
      raise ArgumentError('depth_bins, num_joints, head_filters must be > 0 '
                          'and num_deconv >= 0')
    if not volume_extent > 0:
      raise ArgumentError(f'volume_extent must be > 0, got {volume_extent}')
    self.depth_bins = depth_bins
    self.heatmap_size = heatmap_size
    self.backbone = backbone
    self.use_latent = use_latent
    self.input_size = input_size
    self.num_joints = num_joints
    self.head_filters = head_filters
    self.num_deconv = num_deconv
    self.volume_extent = volume_extent
    if backbone == 'resnet50':
      self.features = keras.applications.ResNet50(
          include_top=False, weights=None,
          input_shape=(input_size, input_size, 3))
      self.feature_width = 2048
    else:
      self.features, self.feature_width = _tiny_backbone(input_size)
    # Created only when used: an unbuilt layer would make Keras warn.
    self.flatten = keras.layers.Flatten(name='flatten') if use_latent else None
    self.fc_latent = (keras.layers.Dense(self.feature_width, name='fc_latent')
                      if use_latent else None)
    self.deconvs = [
        (keras.layers.Conv2DTranspose(head_filters, 4, strides=2,
                                      padding='same', use_bias=False,
                                      name=f'deconv{i}'),
         keras.layers.BatchNormalization(name=f'deconv{i}_bn'))
        for i in range(num_deconv)]
    self.to_volume = keras.layers.Conv2D(num_joints * depth_bins, 1,
                                         name='to_volume')

  @property
  def input_keys(self):
    """The dict keys `call` reads."""
    return ('image', 'latent') if self.use_latent else ('image',)

  def _split(self, inputs):
    image, latent = split_latent_inputs(self.name, inputs, 'image',
                                   self.use_latent)
    want = (self.input_size, self.input_size, 3)
    if len(image.shape) != 4 or tuple(image.shape[1:]) != want:
      raise ArgumentError(f'{self.name}: image must have shape [B, '
                          f'{want[0]}, {want[1]}, 3], got {image.shape}')
    return image, latent

  def build(self, input_shape):
    """Checks the inputs and creates the head's weights.

    Args:
      input_shape: {'image': (B, S, S, 3), 'latent': (B, M, 3)} (no 'latent'
        unless `use_latent`), or (B, S, S, 3).
    """
    _, latent = self._split(
        keras.tree.map_shape_structure(keras.KerasTensor, input_shape))
    if latent is not None:
      _, points, channels = latent.shape
      if points is None or channels is None:
        raise ArgumentError(f'{self.name}: latent needs static trailing '
                            f'dimensions, got {latent.shape}')
      self.fc_latent.build((None, points * channels))
    size = self.input_size // BACKBONE_STRIDE
    channels = self.feature_width
    for deconv, bn in self.deconvs:
      deconv.build((None, size, size, channels))
      size, channels = 2 * size, self.head_filters
      bn.build((None, size, size, channels))
    self.to_volume.build((None, size, size, channels))

  def call(self, inputs, training: Optional[bool] = None):
    """Runs the regressor.

    Args:
      inputs: dict with 'image' [B, S, S, 3] float and, when `use_latent`,
        'latent' [B, M, 3]; or the image tensor alone.
      training: enables batch statistics.

    Returns:
      {'pose_3d': [B, num_joints, 3] float32}.
    """
    image, latent = self._split(inputs)
    x = self.features(image, training=training)  # [B, S/32, S/32, C].
    if self.use_latent:
      g = self.fc_latent(self.flatten(latent))  # Shape = [B, C].
      x = x + g[:, None, None, :]
    for deconv, bn in self.deconvs:
      x = keras.ops.relu(bn(deconv(x), training=training))
    x = self.to_volume(x)  # Shape = [B, H, W, J * D], joint-major.
    size = self.heatmap_size
    x = keras.ops.reshape(x, (-1, size, size, self.num_joints,
                              self.depth_bins))
    volume_logits = keras.ops.transpose(x, (0, 1, 2, 4, 3))  # [B,H,W,D,J].
    coords = soft_argmax_3d(volume_logits)  # Shape = [B, J, 3] in [-1, 1].
    return {'pose_3d': coords * self.volume_extent}

  def get_config(self):
    config = super().get_config()
    config.update(depth_bins=self.depth_bins, heatmap_size=self.heatmap_size,
                  backbone=self.backbone, use_latent=self.use_latent,
                  input_size=self.input_size, num_joints=self.num_joints,
                  head_filters=self.head_filters, num_deconv=self.num_deconv,
                  volume_extent=self.volume_extent)
    return config
