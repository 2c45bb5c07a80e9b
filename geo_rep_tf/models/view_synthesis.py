"""View synthesis through a rotated latent 3D point set (paper section 3).

Encoder phi maps the source view S_i to G_i = [g_1 .. g_M] (M points in 3D);
the latent is rotated by the relative camera rotation R_i->j = R_j R_i^T and
decoder psi draws the target view S_j from R_i->j G_i. The full method adds
a second encoder-decoder (mu, nu) for the other direction, whose latent
G~_j = mu(S_j) the consistency loss ties to R_i->j G_i (see
`geo_rep_tf.losses.representation`).

Media (docs/design.md "Skeleton media"): 'map' (the paper) encodes 15-channel
skeleton maps with a U-Net without skips; 'coords' encodes the normalised 2D
coordinates with MLPs (`coords_codec`). Either reads the same 2D keypoints
through `encoder_input`.

Variants (docs/design.md):
  'ae'       BL+AE: psi draws S_i from G_i; R is ignored.
  'sg'       BL+SG(+AUG): one direction, phi and psi.
  'dg'       BL+DG+AUG: both directions, phi/psi and mu/nu.
  'image_sg' BL+I_SG: 'sg' on raw images (3 channels by default) instead of
             skeleton maps; images are expected in [0, 1] for the default
             sigmoid output (pass output_activation='linear' for
             standardised images).
"""

from __future__ import annotations

import math
from typing import Dict, Optional

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import normalization, skeleton_maps
from geo_rep_tf.geometry.joints import NUM_BONES, NUM_JOINTS
from geo_rep_tf.geometry.rotations import rotate_points
from geo_rep_tf.models import coords_codec
from geo_rep_tf.models.skeleton_decoder import SkeletonDecoder
from geo_rep_tf.models.skeleton_encoder import SkeletonEncoder
from geo_rep_tf.variants import check_model_variant

# M from a short sweep ('sg', 300 Adam steps of batch 32 on the Bandai sample
# pairs at 32 x 32, base_filters=8, depth=3, one seed). Test-pair map MSE,
# M = 16 / 32 / 64 / 128: 0.0133 / 0.0104 / 0.0128 / 0.0184 (an empty map
# scores 0.0114); training MSE was the same for all M (0.0078-0.0082). Only
# M = 32 beat the empty map on unseen styles and cameras. One seed and a
# short run, so the ranking is weak evidence; M = 32 is also cheap (each of
# the two dense layers grows as 3M).
DEFAULT_NUM_POINTS = 32
IMAGE_CHANNELS = 3
# The constructor arguments a representation run's config.json records (its
# 'representation' section uses these names); defined once for writing the
# config and for rebuilding the model from it.
RUN_CONFIG_KEYS = ('variant', 'medium', 'num_points', 'base_filters',
                   'depth', 'batch_norm', 'map_sigma', 'normalize_latent',
                   'output_activation', 'coords_hidden')
MEDIA = ('map', 'coords')
# Which encoders give G: 'phi' (the paper's), or 'phi_mu', the mean of phi
# and the reverse direction's mu, which the consistency loss ties to the
# same 3D frame (variant 'dg' only; twice the encoder arithmetic).
LATENT_ENCODERS = ('phi', 'phi_mu')
# Crop margin of the skeleton maps and of the 2D normalisation (the pair
# pipeline draws training maps with the same `PairConfig.crop_margin`).
MAP_MARGIN = 0.2
# Share of lit pixels the skeleton-map decoders start at (measured on the
# Bandai sample pairs: 0.5% at 64 x 64, 1.1% at 32 x 32, 2 px bones).
SKELETON_MAP_PRIOR = 0.01


@keras.saving.register_keras_serializable(package='geo_rep_tf')
class ViewSynthesis(keras.Model):
  """Encoder(s) + rotation + decoder(s) of the representation stage.

  Args:
    variant: one of `geo_rep_tf.variants.MODEL_VARIANTS`.
    medium: 'map' (skeleton maps, U-Net) or 'coords' (normalised 2D, MLPs);
      the map arguments below only apply to 'map', `coords_hidden` only to
      'coords'.
    num_points: M, latent points (default `DEFAULT_NUM_POINTS`).
    base_filters: channels of the first encoder level (32: U-Net halved).
    depth: down-/up-samplings of the encoder and decoder.
    input_channels: map channels, in and out; None: 15 (bones), or 3 for
      'image_sg'.
    map_size: side of the square maps.
    batch_norm: batch norm after each 3x3 conv.
    downsample: encoder down-sampling, 'max_pool' or 'strided_conv'.
    upsample: decoder up-sampling, 'transpose' or 'resize'.
    output_activation: 'sigmoid' or 'linear' (see `SkeletonDecoder`).
    output_bias: initial bias of the decoders' last conv; None: the logit of
      `SKELETON_MAP_PRIOR` for skeleton maps (sigmoid output), else 0.
    normalize_latent: G at unit RMS per point (see `SkeletonEncoder`).
    map_sigma: how the skeleton maps this model reads were drawn (0: binary
      lines, > 0: soft lines, see `skeleton_maps.skeleton_maps`); kept so
      that a lifter draws its input maps the same way.
    coords_hidden: hidden width of the 'coords' MLPs.
    latent_encoders: which encoders `encode` uses, one of
      `LATENT_ENCODERS` ('phi_mu' needs variant 'dg'); training uses both
      as the method says whatever this is.
    **kwargs: passed to `keras.Model`.

  Call:
    inputs: dict with 'R_rel' [B, 3, 3] (R_i->j; unused by 'ae') and the
      views: for 'map' 'source_map' [B, S, S, C] (S_i) and 'target_map'
      [B, S, S, C] (S_j; only 'dg'); for 'coords' 'keypoints_2d_px'
      [B, 16, 2] (view i) and 'target_keypoints_2d_px' (view j; not 'ae').
      Other keys are ignored.
    training: batch-norm mode.

  Returns:
    dict with 'latent' [B, M, 3] (G_i), 'latent_rotated' [B, M, 3]
    (R_i->j G_i; G_i itself for 'ae'), 'synthesized' (S^_j, or S^_i for
    'ae'); for 'dg' also 'latent_target' [B, M, 3] (G~_j = mu(S_j))
    and 'synthesized_reverse' (S^_i = nu(R_i->j^T G~_j)). Maps are
    [B, S, S, C]; 'coords' views are standardised 2D [B, 16, 2], and the
    outputs then also hold what the decoders should draw:
    'reconstruction_target' (view j, or i for 'ae') and for 'dg'
    'reconstruction_target_reverse' (view i), standardised alike.
  """

  def __init__(self, variant: str, medium: str = 'map',
               num_points: int = DEFAULT_NUM_POINTS,
               base_filters: int = 32, depth: int = 4,
               input_channels: Optional[int] = None, map_size: int = 64,
               batch_norm: bool = True, downsample: str = 'max_pool',
               upsample: str = 'transpose',
               output_activation: str = 'sigmoid',
               output_bias: Optional[float] = None, map_sigma: float = 0.0,
               normalize_latent: bool = False,
               coords_hidden: int = coords_codec.DEFAULT_HIDDEN,
               latent_encoders: str = 'phi', **kwargs):
    super().__init__(**kwargs)
    check_model_variant(variant)
    if latent_encoders not in LATENT_ENCODERS:
      raise ArgumentError(f'latent_encoders must be one of {LATENT_ENCODERS}'
                          f', got {latent_encoders!r}')
    if latent_encoders == 'phi_mu' and variant != 'dg':
      raise ArgumentError("latent_encoders 'phi_mu' needs the second "
                          f"encoder mu of variant 'dg', not {variant!r}")
    self.latent_encoders = latent_encoders
    if medium not in MEDIA:
      raise ArgumentError(f'medium must be one of {MEDIA}, got {medium!r}')
    if medium == 'coords' and variant == 'image_sg':
      raise ArgumentError("variant 'image_sg' reads images, not the "
                          "'coords' medium")
    self.medium = medium
    self.coords_hidden = coords_hidden
    if input_channels is None:
      input_channels = IMAGE_CHANNELS if variant == 'image_sg' else NUM_BONES
    self.variant = variant
    self.num_points = num_points
    self.base_filters = base_filters
    self.depth = depth
    self.input_channels = input_channels
    self.map_size = map_size
    self.batch_norm = batch_norm
    self.downsample = downsample
    self.upsample = upsample
    self.output_activation = output_activation
    if not map_sigma >= 0:
      raise ArgumentError(f'map_sigma must be >= 0, got {map_sigma!r}')
    self.map_sigma = float(map_sigma)
    self.normalize_latent = bool(normalize_latent)
    if output_bias is None:
      p = SKELETON_MAP_PRIOR
      skeleton = variant != 'image_sg' and output_activation == 'sigmoid'
      output_bias = math.log(p / (1 - p)) if skeleton else 0.0
    self.output_bias = float(output_bias)

    def encoder(name):
      if medium == 'coords':
        return coords_codec.CoordsEncoder(num_points, coords_hidden, name=name)
      return SkeletonEncoder(num_points, base_filters, depth, input_channels,
                             map_size, batch_norm, downsample,
                             self.normalize_latent, name=name)

    def decoder(name):
      if medium == 'coords':
        return coords_codec.CoordsDecoder(num_points, coords_hidden, name=name)
      return SkeletonDecoder(num_points, base_filters, depth, input_channels,
                             map_size, batch_norm, upsample,
                             output_activation, self.output_bias, name=name)

    self.coords_standardizer = (
        coords_codec.CoordsStandardizer(name='coords_standardizer')
        if medium == 'coords' else None)
    self.phi = encoder('phi')
    self.psi = decoder('psi')
    if variant == 'dg':
      self.mu = encoder('mu')
      self.nu = decoder('nu')
    self.built = True

  @property
  def bidirectional(self) -> bool:
    return self.variant == 'dg'

  def encoder_input(self, keypoints_px, margin: float):
    """What phi reads for 2D keypoints: skeleton maps drawn as this model
    was trained ('map') or normalised 2D ('coords').

    Args:
      keypoints_px: [B, 16, 2] float32 pixels.
      margin: crop margin of the maps and of the 2D normalisation.

    Returns:
      [B, S, S, C] maps or [B, 16, 2] normalised 2D.
    """
    if self.medium == 'coords':
      return normalization.normalize_keypoints_2d(keypoints_px, margin=margin)
    return skeleton_maps.skeleton_maps(keypoints_px, size=self.map_size,
                                       margin=margin, sigma=self.map_sigma)

  def encode(self, view, training=None):
    """The representation G = phi(S) of a view (what regressors consume).

    Args:
      view: [B, S, S, C] float32 map ('map') or [B, 16, 2] normalised 2D
        ('coords'; standardised here), see `encoder_input`.
      training: batch-norm mode (False for a frozen phi).

    Returns:
      [B, M, 3] latent points (with `latent_encoders` 'phi_mu' the mean of
      phi's and mu's).
    """
    view = self._standardize(view)
    latent = self.phi(view, training=training)['latent']
    if self.latent_encoders == 'phi_mu':
      latent = 0.5 * (latent + self.mu(view, training=training)['latent'])
    return latent

  def _standardize(self, view):
    if self.coords_standardizer is None:
      return view
    return self.coords_standardizer(view)

  def dummy_inputs(self, batch: int = 1) -> Dict[str, tf.Tensor]:
    """Zero inputs of `call` (builds every layer)."""
    if self.medium == 'coords':
      kp = tf.zeros([batch, NUM_JOINTS, 2])
      views = {'keypoints_2d_px': kp, 'target_keypoints_2d_px': kp}
    else:
      m = tf.zeros([batch, self.map_size, self.map_size, self.input_channels])
      views = {'source_map': m, 'target_map': m}
    return dict(views, R_rel=tf.eye(3, batch_shape=[batch]))

  def _views(self, inputs):
    """(encoder input of view i, of view j or None, reconstruction targets)."""
    if self.medium == 'map':
      return inputs['source_map'], inputs.get('target_map'), {}
    margin = MAP_MARGIN
    source = normalization.normalize_keypoints_2d(
        inputs['keypoints_2d_px'], margin=margin)
    source = self.coords_standardizer(source)
    if self.variant == 'ae':
      return source, None, {'reconstruction_target': source}
    target = self.coords_standardizer(normalization.normalize_keypoints_2d(
        inputs['target_keypoints_2d_px'], margin=margin))
    targets = {'reconstruction_target': target}
    if self.bidirectional:
      targets['reconstruction_target_reverse'] = source
    return source, target, targets

  def _draw(self, decoder, latent, training):
    out = decoder(latent, training=training)
    return out['coords'] if self.medium == 'coords' else out['map']

  def call(self, inputs: Dict[str, tf.Tensor],
           training=None) -> Dict[str, tf.Tensor]:
    source, target, out = self._views(inputs)
    latent = self.phi(source, training=training)['latent']
    if self.variant == 'ae':
      rotated = latent
    else:
      R = tf.cast(inputs['R_rel'], latent.dtype)
      rotated = rotate_points(R, latent)
    out.update(latent=latent, latent_rotated=rotated,
               synthesized=self._draw(self.psi, rotated, training))
    if self.bidirectional:
      latent_target = self.mu(target, training=training)['latent']
      # R^T G~_j: the inverse rotation brings the target latent to view i.
      back = rotate_points(tf.linalg.matrix_transpose(R), latent_target)
      out['latent_target'] = latent_target
      out['synthesized_reverse'] = self._draw(self.nu, back, training)
    return out

  def get_config(self):
    config = super().get_config()
    config.update(variant=self.variant, medium=self.medium,
                  coords_hidden=self.coords_hidden,
                  num_points=self.num_points,
                  base_filters=self.base_filters, depth=self.depth,
                  input_channels=self.input_channels,
                  map_size=self.map_size, batch_norm=self.batch_norm,
                  downsample=self.downsample, upsample=self.upsample,
                  output_activation=self.output_activation,
                  output_bias=self.output_bias, map_sigma=self.map_sigma,
                  normalize_latent=self.normalize_latent,
                  latent_encoders=self.latent_encoders)
    return config

  @classmethod
  def from_config(cls, config):
    return cls(**config)
