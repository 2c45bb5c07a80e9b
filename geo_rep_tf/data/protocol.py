"""The Bandai-H36M protocol builder (DESIGN.md, "Real data").

Motion-capture clips -> 16-joint poses (world mm, Z up, every 5th frame, the
clip's mean pelvis moved to the capture-area origin) -> seen by the 4
Human3.6M cameras of one subject's session (train: S1/S5-S8, test: S9/S11,
chosen per clip from a seed) -> exact and noisy 2D -> TFRecord shards, one
example per frame, with a visibility flag per camera.

The split is by style (it stands in for unseen subjects). Output layout:
  out_dir/manifest.json          config, counts, shard list, versions
  out_dir/{train,test}-NNNNN.tfrecord
The directory is built beside `out_dir` and renamed into place at the end,
so an interrupted build never leaves a directory that looks complete.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import shutil
import tarfile
import time
import zlib
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.data import tfrecord
from geo_rep_tf.data.rigs import load_bvh_poses
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry import cameras
from geo_rep_tf.utils.files import atomic_path, write_json

CLIP_NAME = re.compile(r'^(dataset-\d+)_(.+)_([^_]+)_(\d+)$')
ARCHIVE_SUFFIXES = ('.tar.xz', '.tar.gz', '.tgz', '.tar')
MANIFEST = 'manifest.json'


@dataclasses.dataclass(frozen=True)
class ProtocolConfig:
  """Settings of the protocol (defaults: DESIGN.md's Bandai-H36M).

  Attributes:
    frame_step: keep every k-th frame (5: 30 fps -> 6 fps).
    test_styles: styles whose clips form the test split.
    train_subjects, test_subjects: Human3.6M sessions whose extrinsics see
      the train / test clips.
    noise_sigma_px: std of the Gaussian noise of the "noisy 2D" inputs.
    max_off_axis_deg: a (frame, camera) sample is kept only if every joint
      is within this angle of the optical axis, in front of the camera and
      inside the image after distortion.
    seed: seeds the camera choice per clip and the 2D noise.
    rig: 'auto' (detect from joint names), a built-in rig name or a JSON path.
    shard_frames: frames per TFRecord shard.
    num_workers: processes that parse BVH text.
    limit_clips: build from the first N clips only (0: all); for tests.
  """
  frame_step: int = 5
  test_styles: Tuple[str, ...] = ('old', 'childish', 'elderly', 'youthful')
  train_subjects: Tuple[str, ...] = cameras.TRAIN_SUBJECTS
  test_subjects: Tuple[str, ...] = cameras.TEST_SUBJECTS
  noise_sigma_px: float = 5.0
  max_off_axis_deg: float = 45.0
  seed: int = 0
  rig: str = 'auto'
  shard_frames: int = 8192
  num_workers: int = 2
  limit_clips: int = 0

  def __post_init__(self):
    if self.frame_step < 1:
      raise ArgumentError(f'frame_step must be >= 1, got {self.frame_step}')
    if self.noise_sigma_px < 0:
      raise ArgumentError(
          f'noise_sigma_px must be >= 0, got {self.noise_sigma_px}')
    if not 0 < self.max_off_axis_deg < 90:
      raise ArgumentError('max_off_axis_deg must be in (0, 90), got '
                          f'{self.max_off_axis_deg}')
    if self.shard_frames < 1 or self.num_workers < 1 or self.limit_clips < 0:
      raise ArgumentError('shard_frames and num_workers must be >= 1 and '
                          'limit_clips >= 0')


def clip_metadata(name: str) -> Dict[str, str]:
  """Parses `dataset-N_<action>_<style>_<take>`; other names keep the stem."""
  m = CLIP_NAME.match(name)
  if m:
    return dict(dataset=m.group(1), action=m.group(2), style=m.group(3))
  return dict(dataset='bvh', action=name, style='')


# A clip source: (name, size in bytes, path or None, text or None).
_Clip = Tuple[str, int, Optional[str], Optional[str]]


def _stem(path: str) -> str:
  return os.path.splitext(os.path.basename(path))[0]


def _iter_archive(path: str) -> Iterator[_Clip]:
  try:
    raw = open(path, 'rb')
  except OSError as e:
    raise DataError(f'cannot read archive: {e.strerror}', path) from None
  with raw, tarfile.open(fileobj=raw, mode='r:*') as tar:
    last = 0
    for member in tar:
      if not (member.isfile() and member.name.endswith('.bvh')):
        continue
      fh = tar.extractfile(member)
      text = fh.read().decode('utf-8', errors='replace')
      pos = raw.tell()
      yield (_stem(member.name), pos - last, None, text)
      last = pos


def find_sources(path: str) -> List[str]:
  """BVH files and archives under `path` (a file, archive or directory)."""
  if not os.path.exists(path):
    raise DataError('no such file or directory', path)
  if os.path.isfile(path):
    if path.endswith('.bvh') or path.endswith(ARCHIVE_SUFFIXES):
      return [path]
    raise DataError('not a .bvh file or a .tar(.xz/.gz) archive', path)
  found = []
  for root, dirs, files in os.walk(path):
    dirs.sort()
    for f in sorted(files):
      if f.endswith('.bvh') or f.endswith(ARCHIVE_SUFFIXES):
        found.append(os.path.join(root, f))
  if not found:
    raise DataError('no .bvh files or archives found', path)
  return found


def _iter_clips(sources: Sequence[str]) -> Iterator[_Clip]:
  for src in sources:
    if src.endswith('.bvh'):
      yield (_stem(src), os.path.getsize(src), src, None)
    else:
      yield from _iter_archive(src)


def _load_clip(args) -> Tuple[str, int, Optional[np.ndarray], Optional[str]]:
  """Worker: BVH -> centred poses [F, 16, 3]; errors come back as text."""
  (name, nbytes, path, text), rig, frame_step = args
  try:
    poses, _ = load_bvh_poses(path if path is not None else text, rig,
                              name=name if path is None else None,
                              frame_step=frame_step)
  except DataError as e:
    return name, nbytes, None, str(e)
  # The clip's mean pelvis moves to the capture-area origin (horizontally:
  # the floor stays at z = 0).
  poses = poses.copy()
  poses[..., :2] -= poses[:, 0, :2].mean(axis=0)
  return name, nbytes, poses, None


def _clip_rng(seed: int, name: str) -> np.random.Generator:
  return np.random.default_rng([seed, zlib.crc32(name.encode('utf-8'))])


def project_clip(poses_mm: np.ndarray, cams: Dict[str, np.ndarray],
                 max_off_axis_deg: float) -> Tuple[np.ndarray, np.ndarray]:
  """Projects one clip into every camera of a session.

  Args:
    poses_mm: [F, 16, 3] world mm.
    cams: `CameraRig.cameras(subject)`: arrays [C, ...].
    max_off_axis_deg: visibility cone half-angle.

  Returns:
    uv [C, F, 16, 2] pixels (distorted) and visible [F, C] bool.
  """
  X = tf.constant(poses_mm, tf.float64)[None]  # [1, F, 16, 3]
  R = tf.constant(cams['R_w2c'])[:, None]  # [C, 1, 3, 3]
  t = tf.constant(cams['t_mm'])[:, None]  # [C, 1, 3]
  X_cam = cameras.world_to_camera(X, R, t)  # [C, F, 16, 3]
  uv = cameras.project(X_cam, cams['f'][:, None], cams['c'][:, None],
                       cams['k'][:, None], cams['p'][:, None]).numpy()
  X_cam = X_cam.numpy()
  z = X_cam[..., 2]
  cos_axis = z / np.maximum(np.linalg.norm(X_cam, axis=-1), 1e-9)
  res = cams['resolution'][:, None, None, :]
  inside = np.all((uv >= 0) & (uv < res), axis=-1)
  ok = (z > 0) & (cos_axis >= np.cos(np.radians(max_off_axis_deg))) & inside
  return uv, np.all(ok, axis=-1).T


def _file_crc32(path: str) -> int:
  """CRC-32 of a file (about 1 GB/s: a cheap check of every shard)."""
  crc = 0
  with open(path, 'rb') as fh:
    for block in iter(lambda: fh.read(1 << 22), b''):
      crc = zlib.crc32(block, crc)
  return crc


class _ShardWriter:
  """Writes numbered TFRecord shards of one split, each atomically."""

  def __init__(self, directory: str, split: str, shard_frames: int):
    self.directory, self.split, self.shard_frames = directory, split, shard_frames
    self.files: List[str] = []
    self.sizes: Dict[str, int] = {}
    self.crcs: Dict[str, int] = {}
    self._buffer: List[bytes] = []

  def add(self, record: bytes) -> None:
    self._buffer.append(record)
    if len(self._buffer) >= self.shard_frames:
      self.flush()

  def flush(self) -> None:
    if not self._buffer:
      return
    name = f'{self.split}-{len(self.files):05d}.tfrecord'
    with atomic_path(os.path.join(self.directory, name)) as tmp:
      with tf.io.TFRecordWriter(tmp) as w:
        for r in self._buffer:
          w.write(r)
    self.files.append(name)
    self.sizes[name] = os.path.getsize(os.path.join(self.directory, name))
    self.crcs[name] = _file_crc32(os.path.join(self.directory, name))
    self._buffer = []


def build_protocol(source: str, out_dir: str,
                   config: ProtocolConfig = ProtocolConfig(),
                   rig_path: Optional[str] = None,
                   progress: Optional[Callable[[int, int, int], None]] = None
                   ) -> Dict:
  """Builds the protocol from BVH files and/or archives.

  Args:
    source: a .bvh file, a .tar(.xz/.gz) archive of BVH files, or a
      directory searched recursively for both (e.g. the bandai_namco folder
      with dataset-1/*.bvh and dataset-2/data.tar.xz).
    out_dir: output directory (replaced as a whole when the build succeeds).
    config: protocol settings.
    rig_path: camera rig JSON (default: the shipped Human3.6M calibration).
    progress: called as progress(bytes_done, bytes_total, clips_done).

  Returns:
    The manifest dict (also written to out_dir/manifest.json).

  Raises:
    DataError: a missing source, a malformed clip (naming file and line), an
      unknown rig, or no frame left after filtering.
  """
  start = time.time()
  sources = find_sources(source)
  total = sum(os.path.getsize(s) for s in sources)
  rig = cameras.load_rig(rig_path)
  for s in config.train_subjects + config.test_subjects:
    rig.subject_index(s)
  out_dir = os.path.abspath(out_dir)
  work = f'{out_dir}.partial-{os.getpid()}'
  shutil.rmtree(work, ignore_errors=True)
  os.makedirs(work)
  writers = {s: _ShardWriter(work, s, config.shard_frames)
             for s in ('train', 'test')}
  counts = {s: dict(clips=0, frames=0, samples=0, samples_visible=0,
                    frames_kept=0) for s in writers}
  done_bytes = done_clips = 0
  clips = _iter_clips(sources)
  if config.limit_clips:
    clips = (c for i, c in zip(range(config.limit_clips), clips))
  jobs = ((c, config.rig, config.frame_step) for c in clips)
  pool = None
  try:
    if config.num_workers > 1:
      pool = multiprocessing.get_context('fork').Pool(config.num_workers)
      results = pool.imap(_load_clip, jobs, chunksize=4)
    else:
      results = map(_load_clip, jobs)
    for name, nbytes, poses, error in results:
      if error is not None:
        raise DataError(error if name in error else f'{name}: {error}')
      _write_clip(name, poses, config, rig, writers, counts)
      done_bytes += nbytes
      done_clips += 1
      if progress:
        progress(done_bytes, total, done_clips)
  except BaseException:
    shutil.rmtree(work, ignore_errors=True)
    raise
  finally:
    if pool is not None:
      pool.terminate()
  for w in writers.values():
    w.flush()
  if not any(c['frames_kept'] for c in counts.values()):
    shutil.rmtree(work, ignore_errors=True)
    raise DataError('no frame is visible in any camera after filtering', source)
  manifest = dict(
      config=dataclasses.asdict(config), source=os.path.abspath(source),
      counts=counts, shards={s: w.files for s, w in writers.items()},
      shard_bytes={n: b for w in writers.values() for n, b in w.sizes.items()},
      shard_crc32={n: c for w in writers.values() for n, c in w.crcs.items()},
      camera_ids=list(rig.camera_ids), wall_s=round(time.time() - start, 2),
      versions=dict(tensorflow=tf.__version__, numpy=np.__version__))
  write_json(os.path.join(work, MANIFEST), manifest)
  if os.path.exists(out_dir):
    shutil.rmtree(out_dir)
  os.replace(work, out_dir)
  return manifest


def _write_clip(name, poses, config, rig, writers, counts) -> None:
  meta = clip_metadata(name)
  split = 'test' if meta['style'] in config.test_styles else 'train'
  rng = _clip_rng(config.seed, name)
  subjects = config.test_subjects if split == 'test' else config.train_subjects
  subject = subjects[rng.integers(len(subjects))]
  cams = rig.cameras(subject)
  if not np.all(np.isfinite(poses)):
    raise DataError('clip has non-finite joint positions', name)
  uv, visible = project_clip(poses, cams, config.max_off_axis_deg)
  # Points behind a camera project anywhere; keep them finite in float32.
  uv = np.clip(uv, -1e5, 1e5)
  noisy = uv + rng.normal(0.0, config.noise_sigma_px, uv.shape)
  c = counts[split]
  c['clips'] += 1
  c['frames'] += len(poses)
  c['samples'] += visible.size
  c['samples_visible'] += int(visible.sum())
  strings = dict(clip=name, subject=subject, **meta)
  fixed = {k: cams[k].astype(np.float32) for k in
           ('R_w2c', 't_mm', 'f', 'c', 'k', 'p', 'resolution')}
  for i in np.flatnonzero(visible.any(axis=1)):
    arrays = dict(fixed, pose_3d_world_mm=poses[i], keypoints_2d_px=uv[:, i],
                  keypoints_2d_noisy_px=noisy[:, i], visible=visible[i],
                  frame=i * config.frame_step)
    writers[split].add(tfrecord.serialize_frame(arrays, strings))
    c['frames_kept'] += 1


def load_manifest(data_dir: str) -> Dict:
  """Reads out_dir/manifest.json of a prepared protocol, or raises DataError.

  Checks the fields the readers rely on; every shard name must be a plain
  file name inside data_dir (a manifest cannot point elsewhere).
  """
  import json
  path = os.path.join(data_dir, MANIFEST)
  try:
    with open(path) as fh:
      manifest = json.load(fh)
  except FileNotFoundError:
    raise DataError('no prepared protocol here (manifest.json missing); run '
                    'tools/prepare_data.py first', data_dir) from None
  except (OSError, UnicodeDecodeError) as e:
    raise DataError(f'cannot read: {getattr(e, "strerror", None) or e}',
                    path) from None
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON: {e.msg}', path, e.lineno) from None
  if not isinstance(manifest, dict):
    raise DataError('expected a JSON object', path)
  for key in ('shards', 'config', 'counts'):
    if key not in manifest:
      raise DataError(f'missing field {key}', path)
    if not isinstance(manifest[key], dict):
      raise DataError(f'field {key} must be an object', path)
  for split, files in manifest['shards'].items():
    if not isinstance(files, list):
      raise DataError(f'field shards.{split} must be a list', path)
    for name in files:
      if (not isinstance(name, str) or not name or name in ('.', '..') or
          os.path.basename(name) != name or '\\' in name):
        raise DataError(f'field shards.{split}: {name!r} is not a file name '
                        'inside the protocol directory', path)
  return manifest


def shard_paths(data_dir: str, split: str) -> List[str]:
  """The TFRecord files of one split, checked to exist and be complete.

  A shard whose size or CRC-32 differs from the one manifest.json recorded
  (a partial copy, a truncated or damaged file) is refused before any record
  is read, with a message naming it; tf.data would only say "corrupted
  record at <offset>".
  """
  manifest = load_manifest(data_dir)
  files = manifest['shards'].get(split)
  if not files:
    raise DataError(f'split {split!r} has no shards', data_dir)
  sizes = manifest.get('shard_bytes') or {}
  crcs = manifest.get('shard_crc32') or {}
  paths = [os.path.join(data_dir, f) for f in files]
  for name, p in zip(files, paths):
    if not os.path.isfile(p):
      raise DataError('shard listed in manifest.json is missing', p)
    expected = sizes.get(name) if isinstance(sizes, dict) else None
    if isinstance(expected, int) and os.path.getsize(p) != expected:
      raise DataError(f'shard has {os.path.getsize(p)} bytes, manifest.json '
                      f'says {expected} (truncated or replaced); rerun '
                      'tools/prepare_data.py', p)
    expected = crcs.get(name) if isinstance(crcs, dict) else None
    if isinstance(expected, int) and _file_crc32(p) != expected:
      raise DataError('shard is damaged (CRC-32 differs from manifest.json); '
                      'rerun tools/prepare_data.py', p)
  return paths
