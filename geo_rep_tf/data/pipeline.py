"""tf.data pipelines over a prepared protocol.

`pair_dataset` yields what the representation trainer consumes: batches of
view pairs (S_i, S_j, R_i->j) with the source view's 2D and root-relative 3D,
from real camera pairs of the rig and/or from virtual cameras, with skeleton
maps drawn inside the pipeline. `sample_dataset` yields single-view samples
(2D, 3D in that camera) for regressors and evaluation. Both are
deterministic for a seed.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Sequence, Tuple

import tensorflow as tf

from geo_rep_tf.data import manifest, tfrecord
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import cameras, rotations, skeleton_maps
from geo_rep_tf.geometry import virtual_cameras as vc
from geo_rep_tf.geometry.joints import root_center

AUTOTUNE = tf.data.AUTOTUNE


@dataclasses.dataclass(frozen=True)
class PairConfig:
  """What pairs the representation pipeline draws.

  Attributes:
    batch_size: pairs per batch.
    virtual_fraction: share of pairs from virtual cameras (0: real camera
      pairs only, BL+SG; 0.5: half and half, +AUG; 1: virtual only).
    autoencode: source view = target view, R = I (BL+AE).
    camera_indices: rig cameras that may be used (Protocol #3 trains on 3).
    noisy_2d: use the noisy 2D of the real cameras instead of the exact one.
    map_size, bone_width, crop_margin: skeleton-map drawing.
    bone_sigma: 0: binary bones `bone_width` wide (the paper); > 0: soft
      bones with this fall-off (see `skeleton_maps.skeleton_maps`).
    shuffle_buffer: frames in the shuffle buffer.
    virtual: virtual-camera ranges.
    draw_maps: draw 'source_map' / 'target_map' (False for the 'coords'
      medium, which reads the keypoints).
    virtual_noise_px: std of Gaussian noise added to the virtual cameras'
      2D (set it to the protocol's noise with `noisy_2d`, so that virtual
      and real pairs are alike).
  """
  batch_size: int = 64
  virtual_fraction: float = 0.0
  autoencode: bool = False
  camera_indices: Tuple[int, ...] = (0, 1, 2, 3)
  noisy_2d: bool = False
  map_size: int = 64
  bone_width: float = 2.0
  crop_margin: float = 0.2
  bone_sigma: float = 0.0
  shuffle_buffer: int = 100_000
  virtual: vc.VirtualCameraConfig = vc.VirtualCameraConfig()
  draw_maps: bool = True
  virtual_noise_px: float = 0.0

  def __post_init__(self):
    if not self.virtual_noise_px >= 0.0:
      raise ArgumentError('virtual_noise_px must be >= 0, got '
                          f'{self.virtual_noise_px}')
    if self.batch_size < 1:
      raise ArgumentError(f'batch_size must be >= 1, got {self.batch_size}')
    if not 0.0 <= self.virtual_fraction <= 1.0:
      raise ArgumentError('virtual_fraction must be in [0, 1], got '
                          f'{self.virtual_fraction}')
    if (not self.camera_indices or len(set(self.camera_indices)) !=
        len(self.camera_indices) or not all(
            0 <= c < tfrecord.NUM_CAMERAS for c in self.camera_indices)):
      raise ArgumentError('camera_indices must be distinct values in '
                          f'0..{tfrecord.NUM_CAMERAS - 1}, got '
                          f'{self.camera_indices}')
    if len(self.camera_indices) < 2 and self.virtual_fraction < 1.0 and (
        not self.autoencode):
      raise ArgumentError('real camera pairs need at least 2 camera_indices')


def frame_dataset(data_dir: str, split: str) -> tf.data.Dataset:
  """Parsed frames of one split (see `tfrecord.parse_batch`), in file order."""
  files = manifest.shard_paths(data_dir, split)
  ds = tf.data.TFRecordDataset(files)
  return ds.batch(1024).map(tfrecord.parse_batch).unbatch()


def _camera_mask(camera_indices: Sequence[int]) -> tf.Tensor:
  return tf.constant([i in camera_indices for i in range(tfrecord.NUM_CAMERAS)])


def _gather_camera(x, index):
  """x: [B, C, ...], index: [B] -> [B, ...]."""
  return tf.gather(x, index, batch_dims=1)


def _pick_two(seed, mask):
  """Two distinct cameras per row among `mask` [B, C] (>= 2 True per row)."""
  s = tf.random.experimental.stateless_split(seed, 2)
  neg = tf.constant(-1e9)
  logits = tf.where(mask, 0.0, neg)
  i = tf.random.stateless_categorical(logits, 1, s[0])[:, 0]
  mask_j = mask & ~tf.cast(tf.one_hot(i, tf.shape(mask)[1]), tf.bool)
  j = tf.random.stateless_categorical(tf.where(mask_j, 0.0, neg), 1, s[1])[:, 0]
  return tf.cast(i, tf.int32), tf.cast(j, tf.int32)


def make_pairs(frames: Dict[str, tf.Tensor], seed,
               config: PairConfig) -> Dict[str, tf.Tensor]:
  """A batch of frames -> a batch of view pairs with skeleton maps.

  Args:
    frames: parsed frames, [B, ...] (see `tfrecord.parse_batch`).
    seed: [2] int64 stateless seed of this batch.
    config: pair settings.

  Returns:
    dict of 'source_map', 'target_map' [B, S, S, 15] float32 (with
    `draw_maps`), 'R_rel' [B, 3, 3], 'keypoints_2d_px' [B, 16, 2] (source view),
    'target_keypoints_2d_px' [B, 16, 2], 'pose_3d_mm' [B, 16, 3]
    (root-relative, source camera frame), 'target_pose_3d_mm' (the same in
    the target camera's frame), 'is_virtual' [B] bool.
  """
  seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 3)
  X = frames['pose_3d_world_mm']
  b = tf.shape(X)[0]
  kp_key = 'keypoints_2d_noisy_px' if config.noisy_2d else 'keypoints_2d_px'
  mask = frames['visible'] & _camera_mask(config.camera_indices)[None]
  if config.autoencode:
    i, _ = _pick_two(seeds[0], mask | ~tf.reduce_any(mask, 1, keepdims=True))
    j = i
  else:
    i, j = _pick_two(seeds[0], mask)
  R_i = _gather_camera(frames['R_w2c'], i)
  R_j = _gather_camera(frames['R_w2c'], j)
  t_i = _gather_camera(frames['t_mm'], i)
  t_j = _gather_camera(frames['t_mm'], j)
  real = dict(kp_i=_gather_camera(frames[kp_key], i),
              kp_j=_gather_camera(frames[kp_key], j), R_i=R_i, t_i=t_i,
              R_j=R_j, t_j=t_j, R_rel=rotations.relative_rotation(R_i, R_j))
  out = real
  is_virtual = tf.zeros([b], tf.bool)
  if config.virtual_fraction > 0.0:
    cams = vc.sample_camera_pairs(seeds[1], X[:, 0], config.virtual)
    X_cam = cameras.world_to_camera(X[:, None], cams['R_w2c'],
                                    cams['t_mm'])  # [B, 2, 16, 3]
    kp = cameras.project(X_cam, cams['f'], cams['c'])
    if config.virtual_noise_px > 0.0:
      noise_seed = tf.random.experimental.stateless_fold_in(seeds[1], 1)
      kp += tf.random.stateless_normal(tf.shape(kp), noise_seed,
                                       stddev=config.virtual_noise_px)
    virtual = dict(kp_i=kp[:, 0], kp_j=kp[:, 1], R_i=cams['R_w2c'][:, 0],
                   t_i=cams['t_mm'][:, 0], R_j=cams['R_w2c'][:, 1],
                   t_j=cams['t_mm'][:, 1], R_rel=cams['R_rel'])
    is_virtual = tf.random.stateless_uniform(
        [b], seeds[2]) < config.virtual_fraction

    def pick(key):
      v = virtual[key]
      cond = tf.reshape(is_virtual, [-1] + [1] * (v.shape.rank - 1))
      return tf.where(cond, v, real[key])
    out = {k: pick(k) for k in real}
  if config.autoencode:
    out['R_rel'] = tf.eye(3, batch_shape=[b])
    out['R_j'], out['t_j'], out['kp_j'] = out['R_i'], out['t_i'], out['kp_i']
  pose_cam = root_center(cameras.world_to_camera(X, out['R_i'], out['t_i']))
  target_cam = root_center(cameras.world_to_camera(X, out['R_j'], out['t_j']))
  draw = lambda kp: skeleton_maps.skeleton_maps(
      kp, size=config.map_size, width=config.bone_width,
      margin=config.crop_margin, sigma=config.bone_sigma,
      # Protocol shards hold only finite 2D (checked when prepared); the
      # graph-mode check is stateful and would stop iterator checkpoints.
      check_finite=False)
  pairs = {
      'R_rel': out['R_rel'],
      'keypoints_2d_px': out['kp_i'],
      'target_keypoints_2d_px': out['kp_j'],
      'pose_3d_mm': pose_cam,
      'target_pose_3d_mm': target_cam,
      'is_virtual': is_virtual,
  }
  if config.draw_maps:
    pairs.update(source_map=draw(out['kp_i']), target_map=draw(out['kp_j']))
  return pairs


def pair_dataset(data_dir: str, split: str = 'train',
                 config: PairConfig = PairConfig(), seed: int = 0,
                 repeat: bool = True) -> tf.data.Dataset:
  """Batches of view pairs for representation training (see `make_pairs`).

  Deterministic for a seed: the shuffle is seeded and each batch's random
  choices come from a stateless seed (seed, batch index).
  """
  ds = frame_dataset(data_dir, split)
  if config.virtual_fraction < 1.0 and not config.autoencode:
    cam_mask = _camera_mask(config.camera_indices)
    ds = ds.filter(lambda f: tf.reduce_sum(
        tf.cast(f['visible'] & cam_mask, tf.int32)) >= 2)
  ds = ds.cache()
  if config.shuffle_buffer > 1:
    ds = ds.shuffle(config.shuffle_buffer, seed=seed,
                    reshuffle_each_iteration=True)
  if repeat:
    ds = ds.repeat()
  ds = ds.batch(config.batch_size, drop_remainder=True).enumerate()
  base = tf.constant([seed, 0], tf.int64)
  ds = ds.map(lambda step, f: make_pairs(f, base + [0, step], config),
              num_parallel_calls=AUTOTUNE, deterministic=True)
  return ds.prefetch(AUTOTUNE)


def sample_dataset(data_dir: str, split: str,
                   camera_indices: Sequence[int] = (0, 1, 2, 3),
                   noisy_2d: bool = False) -> tf.data.Dataset:
  """Single-view samples: every visible (frame, camera) of a split.

  Yields dicts with 'keypoints_2d_px' [16, 2], 'pose_3d_mm' [16, 3]
  (root-relative, in that camera's frame), 'camera' (int32), 'action',
  'style', 'clip', 'subject', 'body' (strings; body '' unless the protocol
  re-proportioned the clip) and 'frame' (int64).
  """
  mask = _camera_mask(camera_indices)
  kp_key = 'keypoints_2d_noisy_px' if noisy_2d else 'keypoints_2d_px'
  n = tfrecord.NUM_CAMERAS

  def per_camera(f):
    X_cam = cameras.world_to_camera(f['pose_3d_world_mm'][:, None],
                                    f['R_w2c'], f['t_mm'])  # [B, C, 16, 3]
    flat = lambda v: tf.reshape(v, tf.concat([[-1], tf.shape(v)[2:]], 0))
    rep = lambda v: tf.repeat(v, n)
    b = tf.shape(X_cam)[0]
    return {
        'keypoints_2d_px': flat(f[kp_key]),
        'pose_3d_mm': root_center(flat(X_cam)),
        'camera': tf.tile(tf.range(n, dtype=tf.int32), [b]),
        'keep': tf.reshape(f['visible'] & mask[None], [-1]),
        'action': rep(f['action']), 'style': rep(f['style']),
        'clip': rep(f['clip']), 'subject': rep(f['subject']),
        'body': rep(f['body']),
        'frame': rep(f['frame'])}

  files = manifest.shard_paths(data_dir, split)
  ds = tf.data.TFRecordDataset(files).batch(1024).map(tfrecord.parse_batch)
  ds = ds.map(per_camera).unbatch().filter(lambda s: s['keep'])
  return ds.map(lambda s: {k: v for k, v in s.items() if k != 'keep'})
