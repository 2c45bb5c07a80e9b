"""The G cache: the latent of 2D keypoints under a frozen encoder, kept once.

G depends only on the frozen representation (the encoder phi's weights and
the skeleton-map drawing) and on the 2D, and encoding (drawing maps, running
phi) is most of the time a regressor on G spends, in training and in
evaluation. So G is computed once per sample set and kept: in memory for the
runs of one process (`LatentCache`) and on disk for later processes, by
default in the representation run's `latent_cache/` (`latent_cache_dir`).

Every entry is named by `latent_fingerprint`, so a retrained or different
representation never reads another's G. Files are `<kind>_<digest>.npy`:
  g_<digest>.npy       G of given keypoints (training samples, the draw of
                       the standardisation statistics); the digest covers
                       the keypoints themselves (`encode_latents`).
  eval_g_<digest>.npy  G of an evaluated sample set in evaluation order; the
                       digest covers the protocol's manifest and split files
                       (`LatentCache`).
A missing or damaged file is a miss, a file that cannot be written only costs
the next run the encoding, and a directory is kept under a size limit (the
least recently used files go first: `utils.files.save_cached_array`).
"""

from __future__ import annotations

import collections
import hashlib
import os
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import tensorflow as tf

from geo_rep_tf.data.manifest import MANIFEST
from geo_rep_tf.errors import DataError
from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.models.view_synthesis import MAP_MARGIN
from geo_rep_tf.utils.files import load_cached_array, save_cached_array

Log = Optional[Callable[[str], None]]


def latent_fingerprint(representation, map_margin) -> str:
  """Digest of everything G depends on besides the 2D itself.

  The encoder phi's weights (and mu's when `encode` uses both, with the 2D
  standardisation of the 'coords' medium) and the map drawing (margin,
  size, sigma) of a `ViewSynthesis`; the decoders do not change G and are
  left out. The same digest means the same G for the same keypoints.
  """
  drawing = (map_margin, getattr(representation, 'map_size', None),
             getattr(representation, 'map_sigma', None))
  medium = getattr(representation, 'medium', 'map')
  if medium != 'map':  # Keeps the digests of map runs cached before.
    drawing += (medium,)
  encoders = [getattr(representation, 'phi', representation)]
  if getattr(representation, 'latent_encoders', 'phi') == 'phi_mu':
    drawing += ('phi_mu',)  # Keeps the digests of phi-only G as they were.
    encoders.append(representation.mu)
  digest = hashlib.sha256(repr(drawing).encode())
  standardizer = getattr(representation, 'coords_standardizer', None)
  weights = [w for e in encoders for w in e.weights] + (
      list(standardizer.weights) if standardizer is not None else [])
  for w in weights:
    digest.update(w.path.encode())
    digest.update(np.ascontiguousarray(w.numpy()).tobytes())
  return digest.hexdigest()


def latent_cache_dir(config) -> Optional[str]:
  """Where a regressor run's G is kept between processes (None: nowhere).

  Args:
    config: the run's `RegressorConfig`.

  Returns:
    `config.latent_cache_dir` when set ('' turns it off), else the
    representation's `latent_cache/`; None for a regressor without one.
  """
  if config.latent_cache_dir is not None:
    return config.latent_cache_dir or None
  if not config.representation_dir:
    return None
  return os.path.join(config.representation_dir, 'latent_cache')


def _cache_file(directory: str, kind: str, digest) -> str:
  """`directory/<kind>_<first 40 hex digits of digest>.npy`."""
  return os.path.join(directory, f'{kind}_{digest.hexdigest()[:40]}.npy')


# ------------------------------------------------------- G of given 2D
def latent_cache_path(cache_dir: str, representation,
                      keypoints_px: np.ndarray) -> str:
  """The file that holds the G of these keypoints under this encoder."""
  digest = hashlib.sha256(
      latent_fingerprint(representation, MAP_MARGIN).encode())
  keypoints = np.ascontiguousarray(keypoints_px, np.float32)
  digest.update(repr(keypoints.shape).encode())
  digest.update(keypoints.tobytes())
  return _cache_file(cache_dir, 'g', digest)


def encode_latents(representation, keypoints_px: np.ndarray,
                   batch_size: int = 1024, cache_dir: Optional[str] = None,
                   log: Log = None) -> np.ndarray:
  """G [N, M, 3] of keypoints [N, 16, 2] px, as `PoseLifter` computes it.

  Args:
    representation: a trained `ViewSynthesis` (its frozen phi encodes).
    keypoints_px: [N, 16, 2] pixels.
    batch_size: keypoints per encoder call.
    cache_dir: when given, G is read from there if these exact keypoints
      were encoded before by an encoder with the same weights and map
      drawing (`latent_cache_path`), and written there otherwise. Runs of
      one experiment on one representation (several N, regressor types, the
      statistics draw) then encode each sample set once.
    log: hears whether G was read or written.

  Returns:
    G [N, M, 3] float32.
  """
  path = (latent_cache_path(cache_dir, representation, keypoints_px)
          if cache_dir else None)
  if path:
    latents = load_cached_array(path, log, 'G cache', 'samples')
    if latents is not None and latents.shape[0] == len(keypoints_px):
      return latents
  encode = tf.function(lambda kp: pose_latent(representation, kp, MAP_MARGIN))
  latents = np.concatenate([
      encode(tf.constant(keypoints_px[i:i + batch_size])).numpy()
      for i in range(0, len(keypoints_px), batch_size)])
  if path:
    save_cached_array(path, latents, log, 'G cache', 'samples')
  return latents


def with_cached_latent(samples: tf.data.Dataset, representation,
                       batch_size: int = 1024,
                       cache_dir: Optional[str] = None,
                       log: Log = None) -> tf.data.Dataset:
  """`samples` with 'latent' (G of each sample's 2D) added, computed once.

  Runs the frozen encoder eagerly over the (finite) samples and returns an
  in-memory dataset of the same samples, in the same order. G is computed
  exactly as `PoseLifter` computes it (same map drawing, phi in inference
  mode), so a regressor trained on it sees the numbers it would see
  otherwise. `cache_dir` and `log`: see `encode_latents`.
  """
  parts = {'keypoints_2d_px': [], 'pose_3d_mm': []}
  for batch in samples.batch(batch_size):
    parts['keypoints_2d_px'].append(batch['keypoints_2d_px'].numpy())
    parts['pose_3d_mm'].append(batch['pose_3d_mm'].numpy())
  if not parts['keypoints_2d_px']:
    raise DataError('no labelled training samples to encode')
  arrays = {k: np.concatenate(v) for k, v in parts.items()}
  arrays['latent'] = encode_latents(representation, arrays['keypoints_2d_px'],
                                    batch_size, cache_dir, log)
  return tf.data.Dataset.from_tensor_slices(arrays)


# ------------------------------------------------ G of evaluated samples
class LatentCache:
  """The G of evaluated samples, shared by runs on the same representation.

  The runs of an experiment on one representation encode each evaluated
  sample set once. Entries are keyed by `latent_fingerprint` and the sample
  set (`key`); at most `max_entries` (about 34 MB each for the 89,420 test
  samples, M = 32) are kept in memory, the oldest dropped first.

  `get` and `put` given a `directory` also keep each entry there as
  `eval_g_<digest>.npy` (atomically), so later processes (another
  `tools/evaluate.py` call) read it instead of encoding; the digest covers
  the key and the protocol's manifest and split files, so a re-prepared
  protocol is encoded again. A file that cannot be read or written only
  costs the encoding.
  """

  def __init__(self, max_entries: int = 4, log: Log = None):
    self.max_entries = max_entries
    self._store: 'collections.OrderedDict[tuple, np.ndarray]' = (
        collections.OrderedDict())
    self.hits = 0
    self.disk_hits = 0
    self.misses = 0
    self._log = log
    self._paths: Dict[tuple, str] = {}

  @staticmethod
  def fingerprint(model) -> Optional[str]:
    """Digest of what G depends on (None: the model uses no G).

    `latent_fingerprint` of the model's representation at its map margin.
    """
    representation = getattr(model, 'representation', None)
    if representation is None:
      return None
    return latent_fingerprint(representation,
                              getattr(model, 'map_margin', None))

  @staticmethod
  def key(fingerprint: str, protocol_dir: str, split: str,
          camera_indices: Sequence[int], noisy_2d: bool,
          limit: Optional[int]) -> tuple:
    """The entry of one representation's G over one evaluated sample set."""
    return (fingerprint, os.path.abspath(protocol_dir), split,
            tuple(camera_indices), bool(noisy_2d), limit)

  @staticmethod
  def path(directory: str, key: tuple) -> str:
    """The file of an entry in `directory`."""
    fingerprint, protocol_dir, split = key[:3]
    digest = hashlib.sha256(repr((fingerprint,) + key[2:]).encode())
    for name in sorted(os.listdir(protocol_dir)):
      if name == MANIFEST or name.startswith(f'{split}-'):
        path = os.path.join(protocol_dir, name)
        digest.update(f'{name}:{os.path.getsize(path)}'.encode())
        if name == MANIFEST:
          with open(path, 'rb') as fh:
            digest.update(fh.read())
    return _cache_file(directory, 'eval_g', digest)

  def get(self, key: tuple,
          directory: Optional[str] = None) -> Optional[np.ndarray]:
    """G [N, M, 3] in evaluation order, or None (counted as a miss).

    Memory first, then `directory` (a disk hit is kept in memory too).
    """
    if key in self._store:
      self.hits += 1
      self._store.move_to_end(key)
      return self._store[key]
    if directory:
      path = self._path(directory, key)
      latents = load_cached_array(path, self._log, 'G cache', 'test samples')
      if latents is not None:
        self.disk_hits += 1
        self._remember(key, latents)
        return latents
    self.misses += 1
    return None

  def put(self, key: tuple, parts: Sequence[np.ndarray],
          directory: Optional[str] = None) -> None:
    """Stores the per-batch G of a sample set (oldest entries dropped)."""
    latents = np.concatenate(parts)
    self._remember(key, latents)
    if directory:
      save_cached_array(self._path(directory, key), latents, self._log,
                        'G cache', 'test samples')

  def _path(self, directory: str, key: tuple) -> str:
    """`path`, computed once per entry (a miss is followed by a put)."""
    where = (directory, key)
    if where not in self._paths:
      self._paths[where] = self.path(directory, key)
    return self._paths[where]

  def _remember(self, key: tuple, latents: np.ndarray) -> None:
    self._store[key] = latents
    self._store.move_to_end(key)
    while len(self._store) > self.max_entries:
      self._store.popitem(last=False)
