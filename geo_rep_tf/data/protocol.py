"""The Bandai-H36M protocol builder (docs/design.md, "Real data").

Motion-capture clips -> 16-joint poses (world mm, Z up, every 5th frame, the
clip's mean pelvis moved to the capture-area origin) -> seen by the 4
Human3.6M cameras of one subject's session (train: S1/S5-S8, test: S9/S11,
chosen per clip from a seed) -> exact and noisy 2D -> TFRecord shards, one
example per frame, with a visibility flag per camera.

The split is by style (it stands in for unseen subjects). Output layout:
  out_dir/manifest.json          config, counts, shard list, versions
  out_dir/{train,test}-NNNNN.tfrecord
(read back by `manifest.py`). The directory is built beside `out_dir` and
renamed into place at the end, so an interrupted build never leaves a
directory that looks complete. `bvh_protocol` builds a test-only protocol
of any BVH clips with the same code.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import signal
import os
import shutil
import time
import zlib
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.data import bvh_sources, tfrecord
from geo_rep_tf.data.manifest import MANIFEST, file_crc32
from geo_rep_tf.data.rigs import load_bvh_poses
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry import bodies, cameras
from geo_rep_tf.utils.files import atomic_path, write_json

# In `ProtocolConfig.test_bodies`: the clip's own body, labelled (for the
# in-domain figure on the same frames, cameras and noise as the others).
OWN_BODY = 'own'
# The cross-body benchmark keeps every 20th frame of each test clip: with
# nine bodies, about twice the samples of the in-domain test split.
CROSS_BODY_FRAME_STEP = 20


@dataclasses.dataclass(frozen=True)
class ProtocolConfig:
  """Settings of the protocol (defaults: docs/design.md's Bandai-H36M).

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
    body_copies: write every training clip this many more times, each on
      its own body drawn from `bodies.BODY_RANGES` (seeded by the clip's
      name and the copy), seen by cameras drawn for that copy: body-
      proportion augmentation for the representation's pairs and the
      regressors' labels alike.
    test_bodies: names of `bodies.HELD_OUT_BODIES` (or OWN_BODY, the
      clip's own, labelled); when given, every test
      clip is written once per body instead of on its own (same cameras
      and 2D noise for each body, so only the body differs): the
      cross-body benchmark.
    splits: the splits written; clips of the others are not even parsed.
    exclude_styles: styles whose clips are left out of both splits (not
      even parsed): a validation protocol holds out some training styles
      as its test split and leaves the real test styles out, so that
      settings chosen on it never see the test clips.
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
  body_copies: int = 0
  test_bodies: Tuple[str, ...] = ()
  splits: Tuple[str, ...] = ('train', 'test')
  exclude_styles: Tuple[str, ...] = ()

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
    if self.body_copies < 0:
      raise ArgumentError(f'body_copies must be >= 0, got {self.body_copies}')
    for name in self.test_bodies:
      if name != OWN_BODY:
        bodies.held_out_body(name)
    if not self.splits or not set(self.splits) <= {'train', 'test'}:
      raise ArgumentError("splits must be among 'train', 'test', got "
                          f'{self.splits}')
    both = sorted(set(self.exclude_styles) & set(self.test_styles))
    if both:
      raise ArgumentError('a style cannot be both a test style and excluded: '
                          f'{", ".join(both)}')

  def split_of(self, clip_name: str) -> Optional[str]:
    """'test' for a clip of a test style, None for an excluded one, else
    'train'."""
    return _split_of_style(bvh_sources.clip_metadata(clip_name)['style'],
                           self.test_styles, self.exclude_styles)


def _split_of_style(style: str, test_styles, exclude_styles) -> Optional[str]:
  if style in exclude_styles:
    return None
  return 'test' if style in test_styles else 'train'


def _ignore_interrupts() -> None:
  """Pool workers leave Ctrl-C (SIGINT to the whole process group) to the
  main process, which terminates them and removes the partial output; a
  worker that died of it mid-task would leave the pool waiting forever."""
  signal.signal(signal.SIGINT, signal.SIG_IGN)


def _load_clip(args) -> Tuple[str, int, Optional[np.ndarray], Optional[str]]:
  """Worker: BVH -> centred poses [F, 16, 3]; errors come back as text.

  A clip of a split that is not written comes back without poses, unparsed.
  """
  ((name, nbytes, path, text), rig, frame_step, splits, test_styles,
   exclude_styles) = args
  style = bvh_sources.clip_metadata(name)['style']
  if _split_of_style(style, test_styles, exclude_styles) not in splits:
    return name, nbytes, None, None
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


class _ShardWriter:
  """Writes numbered TFRecord shards of one split, each atomically."""

  def __init__(self, directory: str, split: str, shard_frames: int):
    self.directory, self.split = directory, split
    self.shard_frames = shard_frames
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
    self.crcs[name] = file_crc32(os.path.join(self.directory, name))
    self._buffer = []


def build_protocol(source: str, out_dir: str,
                   config: ProtocolConfig = ProtocolConfig(),
                   rig_path: Optional[str] = None,
                   progress: Optional[Callable[[int, int, int], None]] = None,
                   required_splits: Optional[Tuple[str, ...]] = None
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
    required_splits: splits that must receive frames (a protocol without
      training frames would train on nothing); default: config.splits.

  Returns:
    The manifest dict (also written to out_dir/manifest.json).

  Raises:
    DataError: a missing source, a malformed clip (naming file and line), an
      unknown rig, or no frame left after filtering.
  """
  start = time.time()
  if required_splits is None:
    required_splits = config.splits
  sources = bvh_sources.find_sources(source)
  total = sum(os.path.getsize(s) for s in sources)
  rig = cameras.load_rig(rig_path)
  for s in config.train_subjects + config.test_subjects:
    rig.subject_index(s)
  out_dir = os.path.abspath(out_dir)
  work = f'{out_dir}.partial-{os.getpid()}'
  shutil.rmtree(work, ignore_errors=True)
  pool = None
  try:
    # Everything after the folder exists is inside the try, so that an
    # interrupt at any point removes it.
    os.makedirs(work)
    writers = {s: _ShardWriter(work, s, config.shard_frames)
               for s in ('train', 'test')}
    counts = {s: dict(clips=0, frames=0, samples=0, samples_visible=0,
                      frames_kept=0) for s in writers}
    done_bytes = done_clips = 0
    clips = bvh_sources.iter_clips(sources)
    if config.limit_clips:
      clips = (c for i, c in zip(range(config.limit_clips), clips))
    jobs = ((c, config.rig, config.frame_step, config.splits,
             config.test_styles, config.exclude_styles) for c in clips)
    if config.num_workers > 1:
      pool = multiprocessing.get_context('fork').Pool(
          config.num_workers, initializer=_ignore_interrupts)
      results = pool.imap(_load_clip, jobs, chunksize=4)
    else:
      results = map(_load_clip, jobs)
    for name, nbytes, poses, error in results:
      if error is not None:
        raise DataError(error if name in error else f'{name}: {error}')
      if poses is not None:
        _write_clip(name, poses, config, rig, writers, counts)
      done_bytes += nbytes
      done_clips += 1
      if progress:
        progress(done_bytes, total, done_clips)
    if pool is not None:
      pool.terminate()
      pool = None
    for w in writers.values():
      w.flush()
    if not any(c['frames_kept'] for c in counts.values()):
      raise DataError('no frame is visible in any camera after filtering',
                      source)
    for split in required_splits:
      if not counts[split]['frames_kept']:
        which = ('is one of the test styles' if split == 'train' else
                 'is a training style')
        raise DataError(
            f'the {split} split would be empty: every clip\'s style {which} '
            f'(test styles: {", ".join(config.test_styles)}; clip names end '
            '<action>_<style>_<take>)', source)
    manifest = dict(
        config=dataclasses.asdict(config), source=os.path.abspath(source),
        counts=counts, shards={s: w.files for s, w in writers.items()},
        shard_bytes={n: b for w in writers.values()
                     for n, b in w.sizes.items()},
        shard_crc32={n: c for w in writers.values()
                     for n, c in w.crcs.items()},
        camera_ids=list(rig.camera_ids), wall_s=round(time.time() - start, 2),
        versions=dict(tensorflow=tf.__version__, numpy=np.__version__))
    write_json(os.path.join(work, MANIFEST), manifest)
  except BaseException:
    # Up to here an interrupt or an error leaves only the work folder, which
    # goes; the user's out_dir is untouched.
    shutil.rmtree(work, ignore_errors=True)
    raise
  finally:
    if pool is not None:
      pool.terminate()
  if os.path.exists(out_dir):
    shutil.rmtree(out_dir)
  os.replace(work, out_dir)
  return manifest


def _renders(name: str, split: str, config: ProtocolConfig
             ) -> List[Tuple[Optional[bodies.Body], np.random.Generator]]:
  """(body or None for the clip's own, its random stream) per copy of a clip.

  A stream draws the copy's camera session, then its 2D noise: the held-out
  bodies of a test clip share the clip's stream (same cameras, same noise),
  training copies get their own.
  """
  if split == 'test' and config.test_bodies:
    return [(bodies.Body(OWN_BODY) if b == OWN_BODY else
             bodies.held_out_body(b), _clip_rng(config.seed, name))
            for b in config.test_bodies]
  out = [(None, _clip_rng(config.seed, name))]
  if split == 'train':
    out += [(bodies.sample_body(config.seed, name, k),
             _clip_rng(config.seed, f'{name}#body{k}'))
            for k in range(1, config.body_copies + 1)]
  return out


def _write_clip(name, poses, config, rig, writers, counts) -> None:
  meta = bvh_sources.clip_metadata(name)
  split = config.split_of(name)
  if not np.all(np.isfinite(poses)):
    raise DataError('clip has non-finite joint positions', name)
  c = counts[split]
  c['clips'] += 1
  for body, rng in _renders(name, split, config):
    subjects = (config.test_subjects if split == 'test' else
                config.train_subjects)
    subject = subjects[rng.integers(len(subjects))]
    cams = rig.cameras(subject)
    posed = poses if body is None else bodies.retarget(poses, body)
    uv, visible = project_clip(posed, cams, config.max_off_axis_deg)
    # Points behind a camera project anywhere; keep them finite in float32.
    uv = np.clip(uv, -1e5, 1e5)
    noisy = uv + rng.normal(0.0, config.noise_sigma_px, uv.shape)
    c['frames'] += len(posed)
    c['samples'] += visible.size
    c['samples_visible'] += int(visible.sum())
    strings = dict(clip=name, subject=subject,
                   body='' if body is None else body.name, **meta)
    fixed = {k: cams[k].astype(np.float32) for k in
             ('R_w2c', 't_mm', 'f', 'c', 'k', 'p', 'resolution')}
    for i in np.flatnonzero(visible.any(axis=1)):
      arrays = dict(fixed, pose_3d_world_mm=posed[i], keypoints_2d_px=uv[:, i],
                    keypoints_2d_noisy_px=noisy[:, i], visible=visible[i],
                    frame=i * config.frame_step)
      writers[split].add(tfrecord.serialize_frame(arrays, strings))
      c['frames_kept'] += 1


def bvh_protocol(source: str, out_dir: str, rig: str = 'auto',
                 config: Optional[ProtocolConfig] = None) -> Dict:
  """Builds a test-only protocol of any BVH clips (files, archives, dirs).

  Every clip goes to the test split, so it is seen by the cameras of the
  Human3.6M test sessions (S9/S11, chosen per clip from the seed), filtered
  by the same visibility rule and given the same seeded 2D noise as the
  Bandai-H36M test split: `build_protocol` does it all.

  Args:
    source: a .bvh file, an archive of them, or a directory.
    out_dir: where the protocol is written (replaced).
    rig: 'auto', a built-in rig name or a rig JSON path.
    config: other protocol settings (default: docs/design.md's); its
      test_styles and rig are replaced.

  Returns:
    The manifest (counts of clips, frames and visible samples).
  """
  config = config or ProtocolConfig()
  styles = {''}
  for path in bvh_sources.find_sources(source):
    styles.update(bvh_sources.clip_metadata(n)['style']
                  for n in bvh_sources.clip_names(path))
  config = dataclasses.replace(config, test_styles=tuple(sorted(styles)),
                               rig=rig)
  return build_protocol(source, out_dir, config, required_splits=('test',))


def cross_body_protocol(source: str, out_dir: str,
                        config: Optional[ProtocolConfig] = None,
                        progress: Optional[Callable[[int, int, int], None]]
                        = None) -> Dict:
  """Builds the cross-body benchmark: the test clips on held-out bodies.

  Every test clip (every CROSS_BODY_FRAME_STEP-th frame) is written on its
  own body and on each of `bodies.HELD_OUT_BODIES`, through the same
  Human3.6M test cameras and with the same 2D noise, so that the per-body
  errors differ by the body alone. Training clips are not read.

  Args:
    source: as `build_protocol` (the Bandai clips for the benchmark).
    out_dir: where it is written (replaced when the build succeeds).
    config: other settings (default: docs/design.md's); its frame_step,
      test_bodies and splits are replaced.
    progress: as `build_protocol`.

  Returns:
    The manifest.
  """
  config = dataclasses.replace(
      config or ProtocolConfig(), frame_step=CROSS_BODY_FRAME_STEP,
      test_bodies=(OWN_BODY,) + tuple(b.name for b in bodies.HELD_OUT_BODIES),
      splits=('test',))
  return build_protocol(source, out_dir, config, progress=progress)
