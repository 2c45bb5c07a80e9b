"""The photo/video inference job behind `tools/infer.py`, with typed arguments.

For every input (image, video, or the images and videos of a folder) it
writes `<name>.json` (docs/infer_schema.md) and, when drawing, `<name>.png`
(image: 2D skeletons over the photo and each person's 3D pose from two
viewpoints) or `<name>.mp4` plus `<name>.png` of the first frame (video).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Callable, Dict, List, Optional, Sequence

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.inference import pipeline as pl
from geo_rep_tf.inference import smoothing
from geo_rep_tf.utils.files import write_json

BACKENDS = ('blazepose', 'hourglass')


@dataclasses.dataclass
class InferConfig:
  """What to run on which inputs.

  Attributes:
    inputs: images, videos or folders.
    output_dir: where the JSON and pictures go.
    backend: 'blazepose' (pretrained, default) or 'hourglass' (ours).
    models_dir: BlazePose model cache (None: $GEO_REP_TF_MODELS or
      ~/.cache/geo_rep_tf/models).
    hourglass_dir: hourglass run directory (backend 'hourglass').
    lifter_dir: lifter (regressor run or export); None: no 3D.
    min_score: drop people scoring below this.
    max_people: at most this many people per frame (-1: all).
    tiles: BlazePose detector tiles (0: whole image only).
    roi_passes: BlazePose landmark passes (1 or 2).
    draw: write pictures.
    video_every: keep every n-th video frame.
    max_frames: at most this many frames per video (0: all).
    smooth: videos: track people and smooth their 2D and 3D over time
      (causal One Euro filters, `smoothing`); photos are never smoothed.
    smooth_2d: the 2D filter's parameters.
    smooth_3d: the 3D filter's parameters.
  """
  inputs: Sequence[str]
  output_dir: str
  backend: str = 'blazepose'
  models_dir: Optional[str] = None
  hourglass_dir: Optional[str] = None
  lifter_dir: Optional[str] = None
  min_score: float = 0.5
  max_people: int = -1
  tiles: int = 2
  roi_passes: int = 1
  draw: bool = True
  video_every: int = 1
  max_frames: int = 0
  smooth: bool = True
  smooth_2d: smoothing.OneEuroConfig = smoothing.DEFAULT_2D
  smooth_3d: smoothing.OneEuroConfig = smoothing.DEFAULT_3D

  def __post_init__(self):
    if self.backend not in BACKENDS:
      raise ArgumentError(f'backend must be one of {BACKENDS}, got '
                          f'{self.backend!r}')
    if not self.inputs:
      raise ArgumentError('no input given (--inputs=IMAGE,VIDEO,FOLDER)')
    if self.backend == 'hourglass' and not self.hourglass_dir:
      raise ArgumentError('backend hourglass needs --hourglass_dir')
    if self.video_every < 1:
      raise ArgumentError(f'video_every must be >= 1, got {self.video_every}')


def make_backend(config: InferConfig):
  if config.backend == 'hourglass':
    from geo_rep_tf.inference.hourglass_backend import HourglassBackend
    return HourglassBackend(config.hourglass_dir)
  from geo_rep_tf.inference.blazepose import BlazePose
  return BlazePose(config.models_dir, max_people=config.max_people,
                   tiles=config.tiles, roi_passes=config.roi_passes)


def _unique_stem(path: str, used: set) -> str:
  stem = os.path.splitext(os.path.basename(path))[0]
  name, k = stem, 1
  while name in used:
    name, k = f'{stem}_{k}', k + 1
  used.add(name)
  return name


def run(config: InferConfig, log: Callable[[str], None] = print,
        backend=None, lifter=None) -> List[Dict]:
  """Runs the job; returns, per input, {'input', 'json', 'pictures',
  'people' (per frame), 'seconds'}.

  `backend` and `lifter` may be given (already loaded) instead of built from
  the config.
  """
  inputs = pl.list_inputs(config.inputs)
  if lifter is None and config.lifter_dir:
    from geo_rep_tf.runs.lifter import load_lifter
    lifter = load_lifter(config.lifter_dir)
  if backend is None:
    backend = make_backend(config)
  pipe = pl.Pipeline(backend, lifter, config.min_score)
  model = {'backend': config.backend,
           'backend_version': getattr(backend, 'version', config.backend),
           'lifter': getattr(lifter, 'version', None)}
  os.makedirs(config.output_dir, exist_ok=True)
  used, summary, failed = set(), [], []
  for path, kind in inputs:
    stem = _unique_stem(path, used)
    start = time.time()
    try:
      if kind == 'image':
        out = _run_image(pipe, path, stem, config, model)
      else:
        out = _run_video(pipe, path, stem, config, model, log)
    except DataError as e:
      # One damaged file in a folder does not stop the others.
      if len(inputs) == 1:
        raise
      log(f'skipped: {e}')
      failed.append(str(e))
      continue
    out['seconds'] = round(time.time() - start, 3)
    log(f'{path}: {kind}, people per frame {out["people"][:10]}'
        f'{" ..." if len(out["people"]) > 10 else ""} -> {out["json"]}')
    summary.append(out)
  if failed:
    raise DataError(f'{len(failed)} of {len(inputs)} inputs could not be '
                    f'read (the others were written): {"; ".join(failed)}')
  return summary


def _run_image(pipe, path, stem, config, model) -> Dict:
  image = pl.read_image(path)
  people = pipe(image)
  doc = pl.result_json(path, 'image', (image.shape[1], image.shape[0]),
                       [pl.frame_json(0, None, people)], model)
  pl.validate_result(doc)
  json_path = os.path.join(config.output_dir, stem + '.json')
  write_json(json_path, doc)
  pictures = []
  if config.draw:
    from geo_rep_tf.inference import infer_figures
    from geo_rep_tf.viz.figures import save_figure
    png = os.path.join(config.output_dir, stem + '.png')
    save_figure(infer_figures.plot_inference(image, people,
                                             os.path.basename(path)), png)
    pictures.append(png)
  return {'input': path, 'json': json_path, 'pictures': pictures,
          'people': [len(people)]}


def _run_video(pipe, path, stem, config, model, log) -> Dict:
  info, frames = pl.read_video(path, config.video_every, config.max_frames)
  fps = info['fps']
  # Frame times drive the filters; a file without a frame rate is taken
  # as 30 fps for them (its JSON times stay null).
  step_s = 1.0 / fps if fps > 0 else 1.0 / 30
  pipe.smoother = (smoothing.PoseSmoother(config.smooth_2d, config.smooth_3d)
                   if config.smooth else None)
  # One JSON line per frame, written as the frames come (a live reader can
  # follow the hidden partial file); renamed to <stem>.jsonl when complete.
  jsonl = os.path.join(config.output_dir, stem + '.jsonl')
  jsonl_partial = os.path.join(config.output_dir, f'.{stem}.partial.jsonl')
  lines = open(jsonl_partial, 'w')
  mp4 = os.path.join(config.output_dir, stem + '.mp4')
  # OpenCV picks the container from the extension: a hidden .mp4 name,
  # renamed when complete.
  partial = os.path.join(config.output_dir, f'.{stem}.partial.mp4')
  writer = first = None
  frame_docs, counts, pictures = [], [], []
  if config.draw:
    from geo_rep_tf.inference import infer_figures
  try:
    for index, image in frames:
      people = pipe(image, time_s=index * step_s)
      frame_docs.append(pl.frame_json(
          index, round(index / fps, 4) if fps > 0 else None, people))
      lines.write(json.dumps(frame_docs[-1]) + '\n')
      lines.flush()
      counts.append(len(people))
      if config.draw:
        if writer is None:
          writer = infer_figures.VideoWriter(partial,
                                             fps / config.video_every)
          first = (image, people)
        writer.write(infer_figures.video_frame(image, people))
      if len(counts) % 50 == 0:
        log(f'{path}: {len(counts)} frames')
    if writer is not None:
      writer.close()
      os.replace(partial, mp4)
      pictures.append(mp4)
    lines.close()
    os.replace(jsonl_partial, jsonl)
  finally:
    pipe.smoother = None
    lines.close()
    for leftover in (partial, jsonl_partial):
      if os.path.exists(leftover):
        os.remove(leftover)
  decoded = info['frames_decoded']()
  declared = info['num_frames']
  if declared and decoded < declared and not config.max_frames:
    log(f'warning: {path}: decoded {decoded} of the {declared} frames its '
        'header declares (the file is damaged or cut short)')
  info = dict(info, num_frames=decoded, num_frames_in_header=declared)
  doc = pl.result_json(path, 'video', (info['width'], info['height']),
                       frame_docs, model, info)
  pl.validate_result(doc)
  json_path = os.path.join(config.output_dir, stem + '.json')
  write_json(json_path, doc)
  if first is not None:
    from geo_rep_tf.viz.figures import save_figure
    png = os.path.join(config.output_dir, stem + '.png')
    save_figure(infer_figures.plot_inference(
        first[0], first[1], f'{os.path.basename(path)}, first frame'), png)
    pictures.append(png)
  return {'input': path, 'json': json_path, 'jsonl': jsonl,
          'pictures': pictures, 'people': counts}
