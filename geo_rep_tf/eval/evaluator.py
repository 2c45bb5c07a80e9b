"""Evaluates 2D -> 3D lifters over a split of a prepared protocol.

`evaluate_lifter` runs any predict function; `evaluate_run` loads a trained
regressor run and evaluates it under the protocol its cameras imply
(Protocol #1/#2: trained and tested on all 4 cameras; Protocol #3: trained on
3, tested on the 4th), on exact and/or noisy 2D.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.data import manifest, pipeline, tfrecord
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.eval import metrics
from geo_rep_tf.utils.files import load_cached_array, save_cached_array

INPUTS = ('exact', 'noisy')
ALL_CAMERAS = tuple(range(tfrecord.NUM_CAMERAS))


def _batches(protocol_dir, split, camera_indices, noisy_2d, batch_size, limit):
  ds = pipeline.sample_dataset(protocol_dir, split, camera_indices, noisy_2d)
  if limit:
    ds = ds.take(limit)
  return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _no_samples(protocol_dir, split, camera_indices) -> DataError:
  return DataError(f'split {split!r} has no visible sample for cameras '
                   f'{tuple(camera_indices)}', protocol_dir)


def evaluate_lifter(predict: Callable[..., tf.Tensor],
                    protocol_dir: str, split: str = 'test',
                    camera_indices: Sequence[int] = ALL_CAMERAS,
                    noisy_2d: bool = False, batch_size: int = 1024,
                    limit: Optional[int] = None,
                    latents: Optional[np.ndarray] = None,
                    latent_out: Optional[list] = None) -> Dict:
  """Metrics of DESIGN.md over every visible sample of a split.

  Args:
    predict: keypoints [B, 16, 2] px -> root-relative 3D [B, 16, 3] mm; with
      `latents`: (keypoints, their G [B, M, 3]) -> 3D.
    protocol_dir: prepared protocol.
    split: 'test' or 'train'.
    camera_indices: cameras evaluated (Protocol #3: the held-out one).
    noisy_2d: evaluate on the noisy 2D.
    batch_size: samples per prediction call.
    limit: evaluate only the first N samples (None: all).
    latents: the G of every evaluated sample, in order (`LatentCache`).
    latent_out: when given, `predict` returns (3D, G) and each batch's G
      is appended to it (fills a `LatentCache` in the same pass).

  Returns:
    `metrics.summarize` output: count, mean, per_action, mean_over_actions
    (MPJPE, P-MPJPE, N-MPJPE in mm; 3DPCK@150 and AUC as fractions), plus
    'per_camera': {camera index: count}.
  """
  if latents is not None and latent_out is not None:
    raise ValueError('latents and latent_out exclude each other')
  ds = _batches(protocol_dir, split, camera_indices, noisy_2d, batch_size,
                limit)
  values: Dict[str, list] = {}
  actions, cams = [], []
  metric_fn = tf.function(metrics.pose_metrics, reduce_retracing=True)
  offset = 0
  for batch in ds:
    kp = batch['keypoints_2d_px']
    if latent_out is not None:
      pred, g = predict(kp)
      latent_out.append(g.numpy())
    elif latents is None:
      pred = predict(kp)
    else:
      n = int(kp.shape[0])
      pred = predict(kp, latents[offset:offset + n])
      offset += n
    for k, v in metric_fn(pred, batch['pose_3d_mm']).items():
      values.setdefault(k, []).append(v.numpy())
    actions.append(batch['action'].numpy())
    cams.append(batch['camera'].numpy())
  if not actions:
    raise _no_samples(protocol_dir, split, camera_indices)
  if latents is not None and offset != len(latents):
    raise ValueError(f'{len(latents)} latents for {offset} samples')
  per_example = {k: np.concatenate(v) for k, v in values.items()}
  result = metrics.summarize(per_example, np.concatenate(actions))
  cam_ids, counts = np.unique(np.concatenate(cams), return_counts=True)
  result['per_camera'] = {str(c): int(n) for c, n in zip(cam_ids, counts)}
  return result


def latent_fingerprint(representation, map_margin) -> str:
  """Digest of everything G depends on besides the 2D itself.

  The encoder phi's weights and the map drawing (margin, size, sigma) of a
  `ViewSynthesis`; the decoders do not change G and are left out. The same
  digest means the same G for the same keypoints.
  """
  drawing = (map_margin, getattr(representation, 'map_size', None),
             getattr(representation, 'map_sigma', None))
  digest = hashlib.sha256(repr(drawing).encode())
  encoder = getattr(representation, 'phi', representation)
  for w in encoder.weights:
    digest.update(w.path.encode())
    digest.update(np.ascontiguousarray(w.numpy()).tobytes())
  return digest.hexdigest()


class LatentCache:
  """The G of evaluated samples, shared by runs on the same representation.

  G depends only on the frozen representation and the 2D, and encoding
  (skeleton maps and phi) is most of a G regressor's evaluation time, so
  the runs of an experiment on one representation encode each split once.
  Entries are keyed by a digest of the encoder's weights and the map
  drawing settings, so a different or retrained representation never reads
  another's G; at most `max_entries` (about 34 MB each for the 89,420 test
  samples, M = 32) are kept in memory, the oldest dropped first.

  `get` and `put` given a `directory` also keep each entry there as
  `eval_g_<digest>.npy` (atomically), so later processes (another
  `tools/evaluate.py` call) read it instead of encoding; the digest covers
  the key and the protocol's manifest and split files, so a re-prepared
  protocol is encoded again. A file that cannot be read or written only
  costs the encoding.
  """

  def __init__(self, max_entries: int = 4,
               log: Optional[Callable[[str], None]] = None):
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
      if name == manifest.MANIFEST or name.startswith(f'{split}-'):
        path = os.path.join(protocol_dir, name)
        digest.update(f'{name}:{os.path.getsize(path)}'.encode())
        if name == manifest.MANIFEST:
          with open(path, 'rb') as fh:
            digest.update(fh.read())
    return os.path.join(directory, f'eval_g_{digest.hexdigest()[:40]}.npy')

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


def check_cameras(camera_indices: Sequence[int]) -> Tuple[int, ...]:
  """Distinct camera indices in 0..3, sorted, or ArgumentError."""
  cams = tuple(sorted(int(c) for c in camera_indices))
  if not cams or len(set(cams)) != len(cams) or not all(
      c in ALL_CAMERAS for c in cams):
    raise ArgumentError(f'cameras must be distinct values in 0..'
                        f'{len(ALL_CAMERAS) - 1}, got {tuple(camera_indices)}')
  return cams


def test_cameras_for(train_cameras: Sequence[int]) -> Tuple[int, ...]:
  """The cameras a model is tested on by default.

  A model trained on every camera is tested on every camera (Protocols #1,
  #2); one trained on a subset on the cameras it never saw (Protocol #3).
  """
  train = set(check_cameras(train_cameras))
  held_out = tuple(c for c in ALL_CAMERAS if c not in train)
  return held_out or ALL_CAMERAS


def protocol_names(train_cameras: Sequence[int],
                   test_cameras: Sequence[int]) -> str:
  """'#1/#2' (all cameras seen), '#3' (only unseen ones tested) or 'custom'."""
  train, test = set(train_cameras), set(test_cameras)
  if train == set(ALL_CAMERAS) and test == set(ALL_CAMERAS):
    return '#1/#2'
  if len(train) == len(ALL_CAMERAS) - 1 and not train & test:
    return '#3'
  return 'custom'


def _read_config(model_dir: Optional[str]) -> Dict:
  if not model_dir:
    return {}
  try:
    with open(os.path.join(model_dir, 'config.json')) as fh:
      return json.load(fh)
  except (OSError, json.JSONDecodeError):
    return {}


def run_description(model_dir: str, config) -> Dict:
  """What a regressor run was trained on (for result records).

  Args:
    model_dir: the regressor run.
    config: its `RegressorConfig`.

  Returns:
    dict: name, model_dir, regressor, num_labels, label_seed, noisy_2d
    (training input), train_cameras, and for runs on G
    representation_dir, representation_variant, representation_cameras.
  """
  out = dict(name=os.path.basename(os.path.normpath(model_dir)),
             model_dir=model_dir, regressor=config.regressor,
             num_labels=config.num_labels, label_seed=config.label_seed,
             train_noisy_2d=config.noisy_2d,
             train_cameras=list(config.camera_indices),
             protocol_dir=config.protocol_dir)
  if config.representation_dir:
    rep = _read_config(config.representation_dir)
    rep_cfg = rep.get('representation', {})
    out.update(representation_dir=config.representation_dir,
               representation_variant=rep.get('variant',
                                               rep_cfg.get('variant')),
               representation_cameras=rep_cfg.get('camera_indices'))
  return out


def evaluate_run(model, config, model_dir: str,
                 inputs: Sequence[str] = ('exact',),
                 cameras: Optional[Sequence[int]] = None,
                 split: str = 'test', limit: Optional[int] = None,
                 batch_size: int = 1024,
                 latent_cache: Optional[LatentCache] = None,
                 latent_dir: Optional[str] = None) -> Dict:
  """Evaluates a loaded regressor run on exact and/or noisy 2D.

  Args:
    model: the run's PoseLifter (`regressor_task.load_regressor_run`;
      loading lives in the training stage, which imports this one).
    config: its `RegressorConfig`; `config.protocol_dir` is evaluated.
    model_dir: the run's directory (recorded).
    inputs: any of 'exact', 'noisy'.
    cameras: cameras tested (None: `test_cameras_for` the run's cameras).
    split: 'test' or 'train'.
    limit: evaluate the first N samples only (None: all).
    batch_size: samples per prediction call.
    latent_cache: reuse G across runs on the same representation (None:
      encode inline).
    latent_dir: with `latent_cache`, also keep G on disk there, for later
      processes (`regressor_task.latent_cache_dir` of the run's config).

  Returns:
    `run_description` plus split, test_cameras, protocol ('#1/#2', '#3' or
    'custom') and results: {input: summary}.
  """
  for name in inputs:
    if name not in INPUTS:
      raise ArgumentError(f'inputs must be among {INPUTS}, got {name!r}')
  test_cams = (check_cameras(cameras) if cameras is not None
               else test_cameras_for(config.camera_indices))
  kp_spec = tf.TensorSpec([None, 16, 2], tf.float32)
  predict = tf.function(lambda kp: model(kp, training=False)['pose_3d_mm'],
                        input_signature=[kp_spec])
  fingerprint = (latent_cache.fingerprint(model) if latent_cache is not None
                 else None)
  if fingerprint:
    # A miss predicts and keeps G in one pass; a hit feeds the kept G.
    @tf.function(input_signature=[kp_spec])
    def predict_keep(kp):
      out = model(kp, training=False)
      return out['pose_3d_mm'], out['latent']

    predict_cached = tf.function(
        lambda kp, g: model({'keypoints_2d_px': kp, 'latent': g},
                            training=False)['pose_3d_mm'],
        input_signature=[kp_spec, tf.TensorSpec([None, None, 3], tf.float32)])
  record = run_description(model_dir, config)
  record.update(split=split, test_cameras=list(test_cams),
                protocol=protocol_names(config.camera_indices, test_cams),
                results={})
  for name in inputs:
    noisy = name == 'noisy'
    fn, extra, parts, key = predict, {}, None, None
    if fingerprint:
      key = latent_cache.key(fingerprint, config.protocol_dir, split,
                             test_cams, noisy, limit)
      latents = latent_cache.get(key, latent_dir)
      if latents is not None:
        fn, extra = predict_cached, dict(latents=latents)
      else:
        parts = []
        fn, extra = predict_keep, dict(latent_out=parts)
    record['results'][name] = evaluate_lifter(
        fn, config.protocol_dir, split, test_cams, noisy,
        batch_size=batch_size, limit=limit, **extra)
    if parts is not None:
      latent_cache.put(key, parts, latent_dir)
  return record


# ------------------------------------------------------------------ tables
_COLUMNS = (('MPJPE', 'mpjpe', '{:7.1f}'), ('P-MPJPE', 'p_mpjpe', '{:8.1f}'),
            ('N-MPJPE', 'n_mpjpe', '{:8.1f}'), ('PCK150', 'pck3d', '{:7.3f}'),
            ('AUC', 'auc', '{:6.3f}'))


def _cams(c) -> str:
  return ''.join(str(i) for i in c) if c is not None else '-'


def format_table(records: Sequence[Dict]) -> str:
  """One line per (run, input): the metrics over every sample, in mm.

  Under Protocol #1 read MPJPE, under #2 P-MPJPE (the same rows); '#3' rows
  are tested only on cameras the run never trained on.
  """
  head = (f'{"model":<24} {"regressor":<13} {"N":>6} {"train":>5} '
          f'{"test":>4} {"protocol":<8} {"2D":<5} {"count":>6} ' +
          ' '.join(f'{c[0]:>{len(c[2].format(0.0))}}' for c in _COLUMNS))
  lines = [head, '-' * len(head)]
  for r in records:
    for inp, res in r['results'].items():
      m = res['mean']
      lines.append(
          f'{r["name"][:24]:<24} {r["regressor"]:<13} '
          f'{r["num_labels"] or "all":>6} {_cams(r["train_cameras"]):>5} '
          f'{_cams(r["test_cameras"]):>4} {r["protocol"]:<8} {inp:<5} '
          f'{res["count"]:>6} ' +
          ' '.join(fmt.format(m[key]) for _, key, fmt in _COLUMNS))
  return '\n'.join(lines)


def format_per_action(records: Sequence[Dict], key: str = 'mpjpe') -> str:
  """Per-action means of one metric: actions down, (run, input) across."""
  cols = [(f'{r["name"][:14]}/{inp}', res)
          for r in records for inp, res in r['results'].items()]
  actions = sorted({a for _, res in cols for a in res.get('per_action', {})})
  width = max([len(c) for c, _ in cols] + [8])
  head = f'{key + " by action":<22} ' + ' '.join(f'{c:>{width}}'
                                                  for c, _ in cols)
  lines = [head, '-' * len(head)]
  for a in actions + ['(mean of actions)']:
    cells = []
    for _, res in cols:
      if a == '(mean of actions)':
        v = res.get('mean_over_actions', {}).get(key)
      else:
        v = res.get('per_action', {}).get(a, {}).get('mean', {}).get(key)
      cells.append(f'{v:>{width}.1f}' if v is not None else ' ' * (width - 1)
                   + '-')
    lines.append(f'{a[:22]:<22} ' + ' '.join(cells))
  return '\n'.join(lines)
