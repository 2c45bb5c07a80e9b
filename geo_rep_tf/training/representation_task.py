"""The representation stage: view synthesis on skeleton-map pairs."""

from __future__ import annotations

import dataclasses
from typing import Dict, Optional, Tuple

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf import variants
from geo_rep_tf.data import manifest, pipeline
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import probe
from geo_rep_tf.geometry import normalization
from geo_rep_tf.geometry import virtual_cameras as vc
from geo_rep_tf.losses import representation as rep_losses
from geo_rep_tf.models import coords_codec
from geo_rep_tf.models.view_synthesis import (DEFAULT_NUM_POINTS, MAP_MARGIN,
                                              MEDIA, RUN_CONFIG_KEYS,
                                              ViewSynthesis)
from geo_rep_tf.runs.loading import load_representation
from geo_rep_tf.training import summaries
from geo_rep_tf.training.task import Task

@dataclasses.dataclass
class RepresentationConfig:
  """What representation is learnt, from what pairs.

  Attributes:
    protocol_dir: prepared protocol (tools/prepare_data.py).
    variant: model variant 'ae', 'sg', 'dg' (`variants.MODEL_VARIANTS`
      but 'image_sg', which needs multi-view images this data lacks); a
      paper name selects it through `variants.get`.
    medium: 'map' (skeleton maps, the paper) or 'coords' (normalised 2D
      coordinates, MLPs; `models.coords_codec`).
    coords_hidden: hidden width of the 'coords' MLPs.
    virtual_fraction: share of virtual-camera pairs (AUG).
    num_points: M, latent points.
    base_filters, depth, batch_norm: encoder/decoder size.
    consistency_weight: lambda of the consistency loss ('dg').
    centred_consistency: the consistency loss centres each point set before
      scaling it (`losses.representation.consistency_loss`).
    virtual_elevation_deg: (low, high) elevation band of the virtual
      cameras; virtual_roll_deg: their maximum roll
      (`geometry.virtual_cameras.VirtualCameraConfig`). A wider band turns
      G about more axes than the vertical.
    lit_weight: weight of lit map pixels in the L2 (1: the paper).
    normalize_latent: G at unit RMS per point (see `SkeletonEncoder`).
    output_activation: the decoders' output, 'sigmoid' (the default) or
      'linear' (see `SkeletonDecoder`).
    init_from: model_dir of an earlier representation run of the same
      size whose weights start this one (warm start; see
      `warm_start_from`). A resumed run keeps its own checkpoint instead.
    map_sigma: 0: binary skeleton maps (the paper); > 0: soft bones with
      this fall-off in map pixels.
    camera_indices: rig cameras used (Protocol #3 trains on 3).
    noisy_2d: learn from the noisy 2D.
    global_batch_size: pairs per step over all replicas.
    seed: data seed.
  """
  protocol_dir: str
  variant: str = 'dg'
  medium: str = 'map'
  virtual_fraction: float = 0.5
  num_points: int = DEFAULT_NUM_POINTS
  base_filters: int = 32
  depth: int = 4
  batch_norm: bool = True
  consistency_weight: float = 1.0
  centred_consistency: bool = False
  virtual_elevation_deg: Tuple[float, float] = (-5.0, 30.0)
  virtual_roll_deg: float = 5.0
  lit_weight: float = 1.0
  map_sigma: float = 0.0
  normalize_latent: bool = False
  output_activation: str = 'sigmoid'
  coords_hidden: int = coords_codec.DEFAULT_HIDDEN
  init_from: Optional[str] = None
  camera_indices: Tuple[int, ...] = (0, 1, 2, 3)
  noisy_2d: bool = False
  global_batch_size: int = 64
  seed: int = 0

  def __post_init__(self):
    variants.check_model_variant(self.variant)
    if self.variant == 'image_sg':
      raise ArgumentError("variant must be 'ae', 'sg' or 'dg' for skeleton "
                          f"maps, got {self.variant!r}")
    if self.medium not in MEDIA:
      raise ArgumentError(f'medium must be one of {MEDIA}, got '
                          f'{self.medium!r}')
    self.camera_indices = tuple(self.camera_indices)
    self.virtual_elevation_deg = tuple(float(x) for x in
                                       self.virtual_elevation_deg)
    self.virtual_cameras()  # ArgumentError on bad ranges.

  def virtual_cameras(self) -> vc.VirtualCameraConfig:
    """The virtual-camera sampler's ranges."""
    return vc.VirtualCameraConfig(elevation_deg=self.virtual_elevation_deg,
                                  roll_deg=self.virtual_roll_deg)

  def model_kwargs(self) -> Dict:
    return {k: getattr(self, k) for k in RUN_CONFIG_KEYS}


def warm_start_from(model: ViewSynthesis, model_dir: str) -> None:
  """Copies the encoders and decoders of a trained run into `model`.

  phi and psi come from the run's phi and psi; mu and nu (the second
  direction of 'dg') from its mu and nu, or from its phi and psi when it
  has none (e.g. a BL+AE or BL+SG run started a BL+DG+AUG one).

  Raises:
    DataError: `model_dir` is not a representation run with a checkpoint.
    ArgumentError: its encoder/decoder sizes differ from `model`'s.
  """
  source = load_representation(model_dir)
  if source.medium != model.medium:
    raise ArgumentError(f'init_from run {model_dir} has medium '
                        f'{source.medium!r}, this model {model.medium!r}')
  pairs = [('phi', 'phi'), ('psi', 'psi')]
  if model.coords_standardizer is not None:
    pairs.append(('coords_standardizer', 'coords_standardizer'))
  if model.bidirectional:
    pairs += [('mu', 'mu' if source.bidirectional else 'phi'),
              ('nu', 'nu' if source.bidirectional else 'psi')]
  for name, source_name in pairs:
    target, origin = getattr(model, name), getattr(source, source_name)
    if target.get_config() | {'name': None} != (origin.get_config() |
                                                 {'name': None}):
      raise ArgumentError(f'init_from run {model_dir} has another '
                          f'{source_name} ({origin.get_config()}) than this '
                          f'model\'s {name} ({target.get_config()})')
    target.set_weights(origin.get_weights())


def noise_sigma_px(protocol_dir: str) -> float:
  """The protocol's 2D noise (std, pixels) from its manifest."""
  return float(manifest.load_manifest(protocol_dir)['config'].get(
      'noise_sigma_px', 0.0))


def training_coords(config: RepresentationConfig):
  """Normalised 2D [N, 16, 2] of every training sample (each visible camera
  of `config.camera_indices`; the noisy 2D with `noisy_2d`), for the
  'coords' standardisation. No labels are read."""
  ds = pipeline.sample_dataset(config.protocol_dir, 'train',
                               config.camera_indices, config.noisy_2d)
  ds = ds.batch(8192).map(
      lambda s: normalization.normalize_keypoints_2d(s['keypoints_2d_px'],
                                                     margin=MAP_MARGIN))
  return np.concatenate(list(ds.as_numpy_iterator()))


def write_latent_diagnostics(latents, poses_mm) -> None:
  """`eval.probe.latent_diagnostics` of a batch as 'latent/...' scalars."""
  d = probe.latent_diagnostics(latents, poses_mm)
  for axis, share in zip('xyz', d['axis_variance_share']):
    tf.summary.scalar(f'latent/variance_share_{axis}', share)
  for key in ('rotation_consistent_share', 'mean_norm', 'deviation_rms'):
    tf.summary.scalar(f'latent/{key}', d[key])


class RepresentationTask(Task):
  """Trains a ViewSynthesis model on pairs from `pipeline.pair_dataset`."""

  name = 'representation'

  def __init__(self, config: RepresentationConfig):
    self.config = config

  def build_model(self) -> keras.Model:
    return ViewSynthesis(**self.config.model_kwargs(), name='view_synthesis')

  def initialize(self, model, log):
    if self.config.init_from:
      warm_start_from(model, self.config.init_from)
    elif model.coords_standardizer is not None:
      coords = training_coords(self.config)
      model.coords_standardizer.set_statistics(coords)
      log(f'coords medium: 2D statistics from {len(coords)} unlabelled '
          'training samples')

  def dataset(self, context, split='train'):
    c = self.config
    pair_config = pipeline.PairConfig(
        batch_size=context.get_per_replica_batch_size(c.global_batch_size),
        virtual_fraction=c.virtual_fraction, autoencode=c.variant == 'ae',
        camera_indices=c.camera_indices, noisy_2d=c.noisy_2d,
        bone_sigma=c.map_sigma, virtual=c.virtual_cameras(),
        draw_maps=c.medium == 'map',
        virtual_noise_px=noise_sigma_px(c.protocol_dir) if c.noisy_2d else 0.0,
        shuffle_buffer=100_000 if split == 'train' else 5_000)
    seed = c.seed * 1000 + context.input_pipeline_id + (
        0 if split == 'train' else 500)
    return pipeline.pair_dataset(c.protocol_dir, split, pair_config, seed=seed)

  def compute_losses(self, model, batch, training):
    outputs = model(batch, training=training)
    return rep_losses.representation_losses(
        outputs, batch, self.config.variant, self.config.consistency_weight,
        self.config.lit_weight, self.config.centred_consistency)

  def write_images(self, model, batch, step):
    write_latent_diagnostics(model(batch, training=False)['latent'].numpy(),
                             batch['pose_3d_mm'].numpy())
    small = {k: v[:4] for k, v in batch.items()}
    out = model(small, training=False)
    if self.config.medium == 'coords':
      inverse = model.coords_standardizer.inverse
      target = out['reconstruction_target']
      source = (target if self.config.variant == 'ae' else
                model.coords_standardizer(normalization.normalize_keypoints_2d(
                    small['keypoints_2d_px'], margin=MAP_MARGIN)))
      summaries.coords_triplets(
          'coords/source_target_synthesized', inverse(source).numpy(),
          inverse(target).numpy(), inverse(out['synthesized']).numpy())
      summaries.latent_point_clouds('latent/G', out['latent'].numpy(),
                                    step=step)
      return
    target = small['source_map'] if self.config.variant == 'ae' else (
        small['target_map'])
    summaries.map_triplets('maps/source_target_synthesized',
                           small['source_map'].numpy(), target.numpy(),
                           out['synthesized'].numpy())
    summaries.latent_point_clouds('latent/G', out['latent'].numpy(), step=step)
