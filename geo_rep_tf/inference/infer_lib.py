"""The photo/video inference job behind `tools/infer.py`, with typed arguments.

For every input (image, video, or the images and videos of a folder) it
writes `<name>.json` (docs/infer_schema.md) and, when drawing, `<name>.png`
(image: 2D skeletons over the photo and each person's 3D pose from two
viewpoints) or `<name>.mp4` plus `<name>.png` of the first frame (video).
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Callable, Dict, List, Optional, Sequence

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.inference import pipeline as pl
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
  used, summary = set(), []
  for path, kind in inputs:
    stem = _unique_stem(path, used)
    start = time.time()
    if kind == 'image':
      out = _run_image(pipe, path, stem, config, model)
    else:
      out = _run_video(pipe, path, stem, config, model, log)
    out['seconds'] = round(time.time() - start, 3)
    log(f'{path}: {kind}, people per frame {out["people"][:10]}'
        f'{" ..." if len(out["people"]) > 10 else ""} -> {out["json"]}')
    summary.append(out)
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
      people = pipe(image)
      frame_docs.append(pl.frame_json(
          index, round(index / fps, 4) if fps > 0 else None, people))
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
  finally:
    if os.path.exists(partial):
      os.remove(partial)
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
  return {'input': path, 'json': json_path, 'pictures': pictures,
          'people': counts}
