"""BlazePose (MediaPipe's pretrained pose models) as a 2D backend, run with LiteRT.

Two models, pre- and post-processing written here (MediaPipe is not used):

1. Detector (`pose_detection.tflite`, 224 x 224 RGB in [-1, 1], the image
   letterboxed with zeros): 2254 SSD anchors -> boxes, 4 keypoints and a
   score each (`anchors.py`), weighted NMS -> one detection per person.
2. Landmarks (`pose_landmark_full.tflite`, 256 x 256 RGB in [0, 1]): run on a
   rotated square crop per detection. The crop is centred on the detector's
   mid-hip keypoint; its half-side is 1.25 x the distance from there to the
   detector's "body radius" keypoint; it is rotated so that this direction
   (hips -> above the head) points up. Outputs 39 landmarks (x, y, z,
   visibility logit, presence logit) in crop pixels; the first 33 are the
   BlazePose landmarks, 33/34 repeat the detector's two alignment points
   (used for an optional second, tighter pass). Landmarks are refined with the
   64 x 64 heatmap output (confidence-weighted mean in a 7 x 7 window).

Coordinates: images are RGB uint8 [H, W, 3]; returned keypoints are pixels
with integer coordinates at pixel centres (as the annotation readers and
OpenCV). Internally crops use the continuous convention (pixel i covers
[i, i + 1)) and convert at the OpenCV boundary.
"""

from __future__ import annotations

import dataclasses
import math
from typing import List, Optional, Tuple

import cv2
import numpy as np

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import joints
from geo_rep_tf.geometry.boxes import box_iou
from geo_rep_tf.inference import anchors as anchors_lib
from geo_rep_tf.inference import model_store

DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
NUM_LANDMARKS = 33
_RAW_LANDMARKS = 39
ROI_SCALE = 1.25
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5
VERSION = 'blazepose-full (MediaPipe 0.10.21 pose_detection + pose_landmark_full)'


@dataclasses.dataclass
class Roi:
  """A rotated square in the image (continuous pixels).

  Attributes:
    center: [2] (x, y).
    side: side length in pixels.
    rotation_rad: the crop's up axis is the image's up axis rotated by this
      angle (clockwise in the image, since y points down).
  """
  center: np.ndarray
  side: float
  rotation_rad: float

  def crop_to_image(self, points_crop: np.ndarray, crop_size: int
                    ) -> np.ndarray:
    """[..., 2] continuous crop pixels -> continuous image pixels."""
    c, s = math.cos(self.rotation_rad), math.sin(self.rotation_rad)
    rot = np.array([[c, -s], [s, c]], np.float64)
    local = (np.asarray(points_crop, np.float64) / crop_size - 0.5) * self.side
    return local @ rot.T + self.center

  def image_to_crop_matrix(self, crop_size: int) -> np.ndarray:
    """[2, 3] affine map, continuous image pixels -> continuous crop pixels."""
    c, s = math.cos(self.rotation_rad), math.sin(self.rotation_rad)
    a = crop_size / self.side * np.array([[c, s], [-s, c]], np.float64)
    return np.concatenate([a, (crop_size / 2 - a @ self.center)[:, None]], 1)


def roi_from_alignment(center: np.ndarray, scale_point: np.ndarray,
                       scale: float = ROI_SCALE) -> Roi:
  """Crop around a body: centre, a point at the body's radius above it.

  Args:
    center: [2] image pixels (mid-hip).
    scale_point: [2] image pixels; |scale_point - center| is the radius of a
      circle around the whole body, and the direction points to the head.
    scale: margin factor on the circle's diameter.

  Returns:
    The Roi, rotated so that center -> scale_point points up in the crop.
  """
  d = np.asarray(scale_point, np.float64) - np.asarray(center, np.float64)
  radius = float(np.hypot(d[0], d[1]))
  # Up in the image is -y: the angle that turns (0, -1) into d.
  rotation = math.pi / 2 - math.atan2(-d[1], d[0])
  rotation = (rotation + math.pi) % (2 * math.pi) - math.pi
  return Roi(np.asarray(center, np.float64), 2 * radius * scale, rotation)


def warp_crop(image: np.ndarray, roi: Roi, size: int,
              border: int = cv2.BORDER_REPLICATE) -> np.ndarray:
  """Samples the Roi of an RGB image as a [size, size, 3] uint8 crop."""
  m = roi.image_to_crop_matrix(size)
  # Shrinking by more than 2x with bilinear sampling aliases: pre-shrink.
  shrink = roi.side / size
  if shrink > 2:
    f = 2.0 / shrink
    small = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    fx = small.shape[1] / image.shape[1]
    fy = small.shape[0] / image.shape[0]
    m = m @ np.array([[1 / fx, 0, 0], [0, 1 / fy, 0], [0, 0, 1]])
    image = small
  # Continuous -> OpenCV's pixel-centre convention: p' = A p + t + A/2 - 1/2.
  cv_m = m.copy()
  cv_m[:, 2] += m[:, :2].sum(1) * 0.5 - 0.5
  return cv2.warpAffine(image, cv_m, (size, size), flags=cv2.INTER_LINEAR,
                        borderMode=border)


def letterbox(image: np.ndarray, size: int) -> Tuple[np.ndarray, Roi]:
  """Resizes an image into a size x size square, keeping aspect, zero border.

  Returns:
    The [size, size, 3] uint8 square and the (unrotated) Roi it shows.
  """
  h, w = image.shape[:2]
  roi = Roi(np.array([w / 2, h / 2], np.float64), float(max(h, w)), 0.0)
  return warp_crop(image, roi, size, cv2.BORDER_CONSTANT), roi


def tile_regions(width: int, height: int, n: int) -> List[Roi]:
  """An n x n grid of square tiles covering the image, overlapping.

  Tiles are squares of side 1.2 x long side / n, but no larger than the
  short side (and no smaller than 1.2 x short side / n), spread evenly so
  that the first and last touch the image borders (duplicates dropped).

  Returns:
    The tiles as unrotated Rois, row by row.
  """
  if n <= 0:
    return []
  side = min(1.2 * max(width, height) / n, float(min(width, height)))
  side = max(side, 1.2 * min(width, height) / n)
  regions = []
  xs = np.linspace(side / 2, max(width - side / 2, side / 2), n)
  ys = np.linspace(side / 2, max(height - side / 2, side / 2), n)
  for y in np.unique(np.round(ys, 3)):
    for x in np.unique(np.round(xs, 3)):
      regions.append(Roi(np.array([x, y], np.float64), float(side), 0.0))
  return regions


@dataclasses.dataclass
class PosePerson:
  """One person found by a 2D backend.

  Attributes:
    keypoints_px: [16, 2] model joints, image pixels.
    confidence: [16] in [0, 1].
    score: person score in [0, 1] (detector score x landmark presence).
    box_px: [4] (x_min, y_min, x_max, y_max) around the keypoints.
    landmarks_px: [33, 2] BlazePose landmarks (None for other backends).
    landmark_visibility: [33] (None for other backends).
    landmark_presence: [33] (None for other backends).
  """
  keypoints_px: np.ndarray
  confidence: np.ndarray
  score: float
  box_px: np.ndarray
  landmarks_px: Optional[np.ndarray] = None
  landmark_visibility: Optional[np.ndarray] = None
  landmark_presence: Optional[np.ndarray] = None


def _sigmoid(x):
  return 1.0 / (1.0 + np.exp(-np.clip(x, -80, 80)))


def refine_with_heatmap(points_crop: np.ndarray, heatmap: np.ndarray,
                        crop_size: int = LANDMARK_SIZE,
                        kernel: int = HEATMAP_KERNEL,
                        min_confidence: float = HEATMAP_MIN_CONFIDENCE
                        ) -> np.ndarray:
  """Moves each landmark to the confidence-weighted mean of its heatmap window.

  Args:
    points_crop: [K, 2] continuous crop pixels.
    heatmap: [h, w, >= K] logits.
    crop_size: crop side in pixels.
    kernel: window side in heatmap pixels.
    min_confidence: refine only where the window's peak is at least this.

  Returns:
    [K, 2] refined points.
  """
  h, w = heatmap.shape[:2]
  out = np.array(points_crop, np.float64)
  half = kernel // 2
  for k in range(out.shape[0]):
    cx = int(out[k, 0] / crop_size * w)
    cy = int(out[k, 1] / crop_size * h)
    x0, x1 = max(cx - half, 0), min(cx + half + 1, w)
    y0, y1 = max(cy - half, 0), min(cy + half + 1, h)
    if x0 >= x1 or y0 >= y1:
      continue
    conf = _sigmoid(heatmap[y0:y1, x0:x1, k].astype(np.float64))
    if conf.max() < min_confidence or conf.sum() <= 0:
      continue
    ys, xs = np.mgrid[y0:y1, x0:x1]
    # Heatmap pixel i covers [i, i + 1) in heatmap units: centre at i + 0.5.
    out[k, 0] = (np.sum(conf * xs) / conf.sum() + 0.5) * crop_size / w
    out[k, 1] = (np.sum(conf * ys) / conf.sum() + 0.5) * crop_size / h
  return out


class BlazePose:
  """BlazePose detector + full landmark model on RGB images.

  Args:
    models_dir: the model cache (see `model_store`).
    score_threshold: minimum detection score.
    presence_threshold: minimum landmark-model pose presence.
    max_people: at most this many people per image (-1: all).
    roi_passes: 1 = landmarks on the detector's crop (MediaPipe's static
      image mode); 2 = a second landmark pass on the crop from the first
      pass's own alignment landmarks.
    refine: refine landmarks with the heatmap output.
    num_threads: LiteRT CPU threads.
    iou_threshold: NMS overlap of the detector's (face) boxes.
    tiles: 0 = the detector sees the whole image only (MediaPipe); n > 0 =
      also an n x n grid of overlapping square tiles (side 0.6 x the long
      side for n = 2), which finds smaller people the 224 x 224 view of the
      whole image misses; whole-image detections take precedence.
  """

  version = VERSION

  def __init__(self, models_dir: Optional[str] = None,
               score_threshold: float = 0.5, presence_threshold: float = 0.5,
               max_people: int = -1, roi_passes: int = 1, refine: bool = True,
               num_threads: int = 2, iou_threshold: float = 0.3,
               tiles: int = 2):
    from ai_edge_litert.interpreter import Interpreter
    if roi_passes not in (1, 2):
      raise ArgumentError(f'roi_passes must be 1 or 2, got {roi_passes}')
    paths = model_store.blazepose_paths(models_dir)
    self.detector = Interpreter(model_path=paths['detector'],
                                num_threads=num_threads)
    self.landmarker = Interpreter(model_path=paths['landmarks'],
                                  num_threads=num_threads)
    self.detector.allocate_tensors()
    self.landmarker.allocate_tensors()
    self.anchors = anchors_lib.generate_anchors()
    self.score_threshold = score_threshold
    self.presence_threshold = presence_threshold
    self.max_people = max_people
    self.roi_passes = roi_passes
    self.refine = refine
    self.iou_threshold = iou_threshold
    self.tiles = tiles
    self._mapping = joints.mapping_matrix(joints.BLAZEPOSE33)
    self._landmark_outputs = self._output_indices(self.landmarker)

  @staticmethod
  def _output_indices(interpreter):
    """Output tensor indices by shape: landmarks, flag, heatmap."""
    found = {}
    for d in interpreter.get_output_details():
      shape = tuple(d['shape'])
      if shape == (1, _RAW_LANDMARKS * 5):
        found['landmarks'] = d['index']
      elif shape == (1, 1):
        found['flag'] = d['index']
      elif len(shape) == 4 and shape[-1] == _RAW_LANDMARKS:
        found['heatmap'] = d['index']
    if len(found) != 3:
      raise ArgumentError('unexpected landmark model outputs: '
                          f'{[tuple(d["shape"]) for d in interpreter.get_output_details()]}')
    return found

  def _detect_in(self, image: np.ndarray, region: Roi):
    square = warp_crop(image, region, DETECTOR_SIZE, cv2.BORDER_CONSTANT)
    x = square.astype(np.float32)[None] / 127.5 - 1.0
    self.detector.set_tensor(self.detector.get_input_details()[0]['index'], x)
    self.detector.invoke()
    outs = {tuple(d['shape'])[-1]: self.detector.get_tensor(d['index'])[0]
            for d in self.detector.get_output_details()}
    dets = anchors_lib.postprocess(
        outs[12], outs[1], self.anchors, DETECTOR_SIZE, self.score_threshold,
        self.iou_threshold)
    result = []
    for det in dets:
      kp = region.crop_to_image(det.keypoints * DETECTOR_SIZE, DETECTOR_SIZE)
      corners = region.crop_to_image(det.box.reshape(2, 2) * DETECTOR_SIZE,
                                     DETECTOR_SIZE)
      result.append((det, corners.reshape(4), kp))
    return result

  def detect(self, image: np.ndarray) -> List[Tuple[anchors_lib.Detection,
                                                    np.ndarray, np.ndarray]]:
    """Runs the detector on the whole image, then on tiles (if enabled).

    Returns:
      (detection, face box_px [4], keypoints_px [4, 2]) per person, in
      continuous image pixels: those of the whole image first (best first),
      then new ones from the tiles.
    """
    h, w = image.shape[:2]
    found = self._detect_in(image, Roi(np.array([w / 2, h / 2]),
                                       float(max(h, w)), 0.0))
    for region in tile_regions(w, h, self.tiles):
      for cand in self._detect_in(image, region):
        boxes = np.array([f[1] for f in found]).reshape(-1, 4)
        if not len(found) or np.all(box_iou(
            cand[1], boxes) <= self.iou_threshold):
          found.append(cand)
    if self.max_people >= 0:
      found = found[:self.max_people]
    return found

  def landmarks(self, image: np.ndarray, roi: Roi):
    """Runs the landmark model on one crop.

    Returns:
      (points [39, 2] continuous image px, visibility [39], presence [39],
      pose presence).
    """
    crop = warp_crop(image, roi, LANDMARK_SIZE, cv2.BORDER_REPLICATE)
    inp = self.landmarker.get_input_details()[0]['index']
    self.landmarker.set_tensor(inp, crop.astype(np.float32)[None] / 255.0)
    self.landmarker.invoke()
    raw = self.landmarker.get_tensor(
        self._landmark_outputs['landmarks'])[0].reshape(_RAW_LANDMARKS, 5)
    flag = float(self.landmarker.get_tensor(
        self._landmark_outputs['flag']).reshape(-1)[0])
    points = raw[:, :2]
    if self.refine:
      heatmap = self.landmarker.get_tensor(
          self._landmark_outputs['heatmap'])[0]
      points = refine_with_heatmap(points, heatmap)
    return (roi.crop_to_image(points, LANDMARK_SIZE), _sigmoid(raw[:, 3]),
            _sigmoid(raw[:, 4]), flag)

  def __call__(self, image: np.ndarray) -> List[PosePerson]:
    """All people in an RGB uint8 image [H, W, 3], best first."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
      raise ArgumentError(f'image must be uint8 [H, W, 3] RGB, got '
                          f'{image.dtype} {image.shape}')
    people = []
    for det, _, kp in self.detect(image):
      roi = roi_from_alignment(kp[0], kp[1])
      for _ in range(self.roi_passes):
        points, vis, pres, flag = self.landmarks(image, roi)
        roi = roi_from_alignment(points[33], points[34])
      if flag < self.presence_threshold:
        continue
      # Continuous -> pixel-centre convention.
      lm = (points[:NUM_LANDMARKS] - 0.5).astype(np.float32)
      vis33 = vis[:NUM_LANDMARKS].astype(np.float32)
      kp16 = self._mapping @ lm
      conf16 = self._mapping @ vis33
      box = np.concatenate([lm.min(0), lm.max(0)]).astype(np.float32)
      people.append(PosePerson(
          keypoints_px=kp16.astype(np.float32),
          confidence=conf16.astype(np.float32),
          score=float(det.score * flag), box_px=box, landmarks_px=lm,
          landmark_visibility=vis33,
          landmark_presence=pres[:NUM_LANDMARKS].astype(np.float32)))
    return _suppress_duplicates(people)


def _coverage(box: np.ndarray, other: np.ndarray) -> float:
  """Fraction of `box`'s area inside `other` (both x0, y0, x1, y1)."""
  lo, hi = np.maximum(box[:2], other[:2]), np.minimum(box[2:], other[2:])
  inter = float(np.prod(np.clip(hi - lo, 0, None)))
  area = float(np.prod(np.clip(box[2:] - box[:2], 0, None)))
  return inter / area if area > 0 else 1.0


def _suppress_duplicates(people: List[PosePerson], iou_threshold: float = 0.6,
                         coverage_threshold: float = 0.8
                         ) -> List[PosePerson]:
  """Drops a person whose landmark box repeats a better person's.

  Two detections of one body (e.g. a full-body and an upper-body anchor, or
  a tile's view of an arm) can survive NMS and lead the landmark model to the
  same person twice: such a box overlaps the better one (IoU) or lies almost
  entirely inside it. The price: a small person standing wholly inside a
  bigger one's box (far behind them) is dropped too.
  """
  people = sorted(people, key=lambda p: -p.score)
  kept = []
  for p in people:
    if all(box_iou(p.box_px, q.box_px[None])[0] <= iou_threshold
           and _coverage(p.box_px, q.box_px) < coverage_threshold
           for q in kept):
      kept.append(p)
  return kept
