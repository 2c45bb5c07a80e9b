"""Images and videos -> people with 2D keypoints and 3D poses -> JSON.

The JSON layout (one file per input; docs/infer_schema.md describes it) is
built and checked here, so the binary, the tests and users share one
definition.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np

import geo_rep_tf
from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints
from geo_rep_tf.inference.blazepose import PosePerson

SCHEMA = 'geo_rep_tf.infer/1'
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif',
                    '.tiff')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v')
CONVENTIONS = {
    'keypoints_2d_px': 'image pixels, x right, y down, integer coordinates '
                       'at pixel centres, origin at the top-left pixel',
    'pose_3d_mm': 'millimetres, root-relative (pelvis at 0), in the frame '
                  'of the camera that took the image: x right, y down, '
                  'z forward (away from the camera)',
    'confidence': 'per joint in [0, 1]; BlazePose: mean visibility of the '
                  'landmarks a joint is made of',
    'person order': 'by score, best first; ids are per frame (no tracking)',
}


@dataclasses.dataclass
class Person:
  """A person in one frame: the 2D backend's output plus the 3D pose."""
  pose2d: PosePerson
  pose_3d_mm: Optional[np.ndarray]  # [16, 3]
  track_id: Optional[int] = None  # the same person across a video's frames


def list_inputs(paths: Sequence[str]) -> List[Tuple[str, str]]:
  """Expands files and folders into (path, 'image' | 'video'), sorted.

  Raises:
    DataError: a path is missing, or a file (given directly) has an unknown
      extension, or a folder holds no image or video.
  """
  out = []
  for path in paths:
    if os.path.isdir(path):
      found = []
      for name in sorted(os.listdir(path)):
        # Hidden files (macOS '._x.jpg' resource forks, editors' backups)
        # are not the user's pictures.
        kind = None if name.startswith('.') else _kind(name)
        if kind and os.path.isfile(os.path.join(path, name)):
          found.append((os.path.join(path, name), kind))
      if not found:
        raise DataError('folder holds no image or video', path)
      out.extend(found)
    elif os.path.isfile(path):
      kind = _kind(path)
      if kind is None:
        raise DataError('unknown file type (images: '
                        f'{" ".join(IMAGE_EXTENSIONS)}; videos: '
                        f'{" ".join(VIDEO_EXTENSIONS)})', path)
      out.append((path, kind))
    else:
      raise DataError('input not found', path)
  return out


def _kind(name: str) -> Optional[str]:
  ext = os.path.splitext(name)[1].lower()
  if ext in IMAGE_EXTENSIONS:
    return 'image'
  if ext in VIDEO_EXTENSIONS:
    return 'video'
  return None


def read_image(path: str) -> np.ndarray:
  """RGB uint8 [H, W, 3].

  Raises:
    DataError: an empty file, a JPEG or PNG cut short (libjpeg decodes a
      truncated JPEG with a grey lower part and only a warning), or a file
      OpenCV cannot decode.
  """
  try:
    with open(path, 'rb') as fh:
      data = fh.read()
  except OSError as e:
    raise DataError(f'cannot read image ({e.strerror})', path) from None
  if not data:
    raise DataError('empty file (0 bytes)', path)
  problem = _truncation(data)
  if problem:
    raise DataError(problem, path)
  bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
  if bgr is None:
    raise DataError('cannot decode image', path)
  return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _truncation(data: bytes) -> Optional[str]:
  """Why a JPEG or PNG byte string is incomplete, or None."""
  if data[:3] == b'\xff\xd8\xff':
    # A complete JPEG ends with the EOI marker (padding may follow).
    if b'\xff\xd9' not in data[-4096:].rstrip(b'\x00\r\n '):
      return (f'truncated JPEG: no end-of-image marker ({len(data)} bytes; '
              'the file was cut short)')
  elif data[:8] == b'\x89PNG\r\n\x1a\n':
    if b'IEND' not in data[-64:]:
      return f'truncated PNG: no IEND chunk ({len(data)} bytes)'
  return None


def read_video(path: str, every: int = 1, max_frames: int = 0
               ) -> Tuple[Dict, Iterator[Tuple[int, np.ndarray]]]:
  """Opens a video.

  Args:
    path: video file.
    every: keep every n-th frame.
    max_frames: stop after this many kept frames (0: all).

  Returns:
    ({'fps', 'num_frames', 'width', 'height'}, iterator of (frame index,
    RGB uint8 frame)).
  """
  cap = cv2.VideoCapture(path)
  if not cap.isOpened():
    raise DataError('cannot open video', path)
  info = {'fps': float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
          'num_frames': int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
          'width': int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
          'height': int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}

  decoded = [0]
  # Frames decoded so far (after iterating: the file's real length, which a
  # damaged file's header overstates).
  info['frames_decoded'] = lambda: decoded[0]

  def frames():
    index, kept = 0, 0
    try:
      while True:
        ok, bgr = cap.read()
        if not ok:
          break
        decoded[0] += 1
        if index % every == 0:
          yield index, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
          kept += 1
          if max_frames and kept >= max_frames:
            break
        index += 1
    finally:
      cap.release()

  return info, frames()


class Pipeline:
  """2D backend + optional lifter on RGB frames.

  Args:
    backend: callable image -> list of PosePerson (BlazePose, hourglass).
    lifter: a `runs.lifter.Lifter` (any callable [N, 16, 2] px ->
      [N, 16, 3] mm), or None (2D only).
    min_score: drop people scoring below this.
    smoother: a `smoothing.PoseSmoother` for the frames of one video (its
      people tracked, 2D and 3D filtered), or None.
  """

  def __init__(self, backend: Callable[[np.ndarray], List[PosePerson]],
               lifter: Optional[Callable[[np.ndarray], np.ndarray]] = None,
               min_score: float = 0.0, smoother=None):
    self.backend = backend
    self.lifter = lifter
    self.min_score = min_score
    self.smoother = smoother

  def __call__(self, image: np.ndarray,
               time_s: Optional[float] = None) -> List[Person]:
    """The people of one image (a video frame at `time_s` seconds)."""
    people = [p for p in self.backend(image) if p.score >= self.min_score]
    ids = [None] * len(people)
    smoother = self.smoother if time_s is not None else None
    if smoother is not None:
      ids = smoother.assign([p.keypoints_px for p in people])
      people = [dataclasses.replace(p, keypoints_px=kp) for p, kp in zip(
          people, smoother.smooth_2d(ids, [p.keypoints_px for p in people],
                                     time_s))]
    if self.lifter is None or not people:
      return [Person(p, None, i) for p, i in zip(people, ids)]
    poses = self.lifter(np.stack([p.keypoints_px for p in people]))
    if smoother is not None:
      poses = smoother.smooth_3d(ids, poses, time_s)
    return [Person(p, pose, i) for p, pose, i in zip(people, poses, ids)]


def _round(array, digits: int):
  return np.round(np.asarray(array, np.float64), digits).tolist()


def person_json(person: Person, index: int) -> Dict:
  p = person.pose2d
  out = {
      'id': index,
      'score': round(float(p.score), 4),
      'box_px': _round(p.box_px, 1),
      'keypoints_2d_px': _round(p.keypoints_px, 2),
      'confidence': _round(p.confidence, 3),
      'pose_3d_mm': (None if person.pose_3d_mm is None
                     else _round(person.pose_3d_mm, 1)),
  }
  if person.track_id is not None:
    out['track_id'] = int(person.track_id)
  if p.landmarks_px is not None:
    out['landmarks_px'] = _round(p.landmarks_px, 2)
    out['landmark_visibility'] = _round(p.landmark_visibility, 3)
    out['landmark_presence'] = _round(p.landmark_presence, 3)
  return out


def frame_json(index: int, time_s: Optional[float],
               people: Sequence[Person]) -> Dict:
  return {'index': index, 'time_s': time_s,
          'people': [person_json(p, i) for i, p in enumerate(people)]}


def result_json(input_path: str, kind: str, size_wh: Tuple[int, int],
                frames: Sequence[Dict], model: Dict,
                video: Optional[Dict] = None) -> Dict:
  """The whole document for one input (see docs/infer_schema.md)."""
  doc = {
      'schema': SCHEMA,
      'input': {'path': os.path.abspath(input_path), 'kind': kind,
                'width': int(size_wh[0]), 'height': int(size_wh[1])},
      'model': dict(model, geo_rep_tf=getattr(geo_rep_tf, '__version__',
                                              '0.1.0')),
      'joint_names': list(joints.MODEL16.names),
      'joint_parents': list(joints.MODEL16.parents),
      'units': {'keypoints_2d_px': 'px', 'box_px': 'px', 'pose_3d_mm': 'mm'},
      'conventions': CONVENTIONS,
      'frames': list(frames),
  }
  if video:
    doc['input'].update(fps=video.get('fps'),
                        num_frames=video.get('num_frames'))
    if video.get('num_frames_in_header') is not None:
      doc['input']['num_frames_in_header'] = video['num_frames_in_header']
  if any('landmarks_px' in p for f in frames for p in f['people']):
    doc['landmark_names'] = list(joints.BLAZEPOSE33.names)
  return doc


def _check(cond: bool, where: str, message: str) -> None:
  if not cond:
    raise DataError(f'{where}: {message}')


def _check_matrix(value, rows: int, cols: int, where: str) -> None:
  _check(isinstance(value, list) and len(value) == rows, where,
         f'expected {rows} rows')
  for r in value:
    if cols == 0:
      _check(isinstance(r, (int, float)) and np.isfinite(r), where,
             'expected finite numbers')
    else:
      _check(isinstance(r, list) and len(r) == cols and all(
          isinstance(v, (int, float)) and np.isfinite(v) for v in r), where,
             f'expected {cols} finite numbers per row')


def validate_result(doc: Dict) -> None:
  """Checks a document against the schema; DataError naming the field."""
  _check(isinstance(doc, dict), 'document', 'expected an object')
  _check(doc.get('schema') == SCHEMA, 'schema', f'expected {SCHEMA!r}')
  for key in ('input', 'model', 'joint_names', 'joint_parents', 'units',
              'conventions', 'frames'):
    _check(key in doc, key, 'missing')
  _check(doc['input'].get('kind') in ('image', 'video'), 'input.kind',
         'expected image or video')
  _check(doc['joint_names'] == list(joints.MODEL16.names), 'joint_names',
         'not the 16 model joints in order')
  _check(doc['units'].get('pose_3d_mm') == 'mm', 'units.pose_3d_mm',
         'expected mm')
  _check(isinstance(doc['model'].get('backend'), str), 'model.backend',
         'missing')
  frames = doc['frames']
  _check(isinstance(frames, list), 'frames', 'expected a list')
  if doc['input']['kind'] == 'image':
    _check(len(frames) == 1, 'frames', 'an image has exactly one frame')
  n_landmarks = len(doc.get('landmark_names', []))
  for f, frame in enumerate(frames):
    for key in ('index', 'time_s', 'people'):
      _check(key in frame, f'frames[{f}].{key}', 'missing')
    for i, person in enumerate(frame['people']):
      where = f'frames[{f}].people[{i}]'
      _check(person.get('id') == i, f'{where}.id', 'expected the position')
      _check(0.0 <= person.get('score', -1) <= 1.0, f'{where}.score',
             'expected a number in [0, 1]')
      _check_matrix(person.get('box_px'), 4, 0, f'{where}.box_px')
      _check_matrix(person.get('keypoints_2d_px'), 16, 2,
                    f'{where}.keypoints_2d_px')
      _check_matrix(person.get('confidence'), 16, 0, f'{where}.confidence')
      _check(all(0 <= c <= 1 for c in person['confidence']),
             f'{where}.confidence', 'expected values in [0, 1]')
      pose = person.get('pose_3d_mm', 'missing')
      _check(pose != 'missing', f'{where}.pose_3d_mm', 'missing')
      if pose is not None:
        _check_matrix(pose, 16, 3, f'{where}.pose_3d_mm')
        _check(np.allclose(pose[0], 0, atol=1e-3), f'{where}.pose_3d_mm',
               'not root-relative (pelvis is not at 0)')
      if 'landmarks_px' in person:
        _check_matrix(person['landmarks_px'], n_landmarks, 2,
                      f'{where}.landmarks_px')
