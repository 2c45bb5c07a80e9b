"""The cross-body benchmark's records file and figure.

`tools/evaluate.py` on the cross-body protocol (`tools/prepare_data.py
--cross_body`) reports each lifter per body; `tools/collect_cross_body.py`
turns one or more such evaluations (each labelled with a stage, e.g.
'before' and 'after' body-proportion augmentation) into
docs/results/cross_body.json: a list `records` of {stage, lifter, default,
input, in_domain_mpjpe_mm, cross_body_mpjpe_mm, ...} and the figure beside
it. `in_domain` is the clips' own body on the same frames, cameras and 2D
noise; `cross_body` the mean over the samples of the held-out bodies.

`scale_floor` measures what no lifter that sees only normalised 2D can
avoid: the 2D is divided by its own crop size, so a body's absolute size is
not in the input, and a lifter that got every pose's shape right but
predicted the own body's size would still be off by the size difference.
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import matplotlib.pyplot as plt
import numpy as np

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.eval.evaluator import OWN_BODY
from geo_rep_tf.viz import figures


def parse_evaluation(text: str) -> Tuple[str, str]:
  """'STAGE:PATH' -> (stage, path), or ArgumentError."""
  stage, sep, path = text.partition(':')
  if not sep or not stage or not path:
    raise ArgumentError(f'--evaluation={text}: expected STAGE:PATH (e.g. '
                        'before:work_dirs/exp/cross_body.json)')
  return stage, path


def read_evaluation(path: str) -> Mapping:
  """An evaluate.py --out JSON whose records have per-body results."""
  try:
    with open(path) as fh:
      data = json.load(fh)
  except FileNotFoundError:
    raise DataError('no such file; run tools/evaluate.py --protocol_dir=<a '
                    'prepare_data.py --cross_body protocol> --out=... first',
                    path) from None
  except json.JSONDecodeError as e:
    raise DataError(f'not JSON ({e.msg}, line {e.lineno})', path) from None
  records = data.get('records') if isinstance(data, dict) else None
  if not records or not any('per_body' in res for r in records
                            for res in r.get('results', {}).values()):
    raise DataError('no per-body results: evaluate on a cross-body protocol '
                    '(tools/prepare_data.py --cross_body)', path)
  return data


def records(evaluation: Mapping, stage: str,
            default_lifter: Optional[str] = None) -> List[Dict]:
  """One record per (lifter, input) of an evaluation.

  Args:
    evaluation: `read_evaluation` output.
    stage: label of this evaluation (e.g. 'before').
    default_lifter: the path `infer` uses by default; its records get
      default=True.
  """
  default = os.path.realpath(default_lifter) if default_lifter else None
  out = []
  for r in evaluation['records']:
    for inputs, res in r['results'].items():
      if 'per_body' not in res or OWN_BODY not in res['per_body']:
        continue
      own = res['per_body'][OWN_BODY]['mean']
      cross = res['cross_body']
      out.append(dict(
          stage=stage, lifter=r['name'], model_dir=r['model_dir'],
          regressor=r['regressor'],
          default=bool(default and os.path.realpath(r['model_dir']) ==
                       default),
          input=inputs,
          in_domain_mpjpe_mm=round(own['mpjpe'], 2),
          cross_body_mpjpe_mm=round(cross['mpjpe'], 2),
          ratio=round(cross['mpjpe'] / own['mpjpe'], 3),
          in_domain_p_mpjpe_mm=round(own['p_mpjpe'], 2),
          cross_body_p_mpjpe_mm=round(cross['p_mpjpe'], 2),
          in_domain_n_mpjpe_mm=round(own['n_mpjpe'], 2),
          cross_body_n_mpjpe_mm=round(cross['n_mpjpe'], 2),
          n_mpjpe_ratio=round(cross['n_mpjpe'] / own['n_mpjpe'], 3),
          per_body={b: {k: round(v['mean'][k], 2)
                        for k in ('mpjpe', 'p_mpjpe', 'n_mpjpe')}
                    for b, v in res['per_body'].items()}))
  return out


def scale_floor(protocol_dir: str, limit: Optional[int] = None
                ) -> Dict[str, float]:
  """Per body, the MPJPE (mm) of a lifter that is right up to size.

  For each body b, with s_b its mean joint-to-pelvis distance over the
  exact test samples, the prediction X * s_own / s_b of every true pose X
  (root-relative, camera frame): the right shape at the own body's size.

  Args:
    protocol_dir: a cross-body protocol.
    limit: read the first N samples only (None: all).

  Returns:
    {body: mm}, 0 for the own body, plus '(held-out bodies)': the mean over
    the held-out bodies' samples.
  """
  ds = pipeline.sample_dataset(protocol_dir, 'test')
  if limit:
    ds = ds.take(limit)
  sizes, names = [], []
  for batch in ds.batch(8192).as_numpy_iterator():
    sizes.append(np.linalg.norm(batch['pose_3d_mm'], axis=-1).mean(axis=-1))
    names.append(batch['body'])
  if not sizes:
    raise DataError('no test samples', protocol_dir)
  sizes = np.concatenate(sizes)
  names = np.array([n.decode() for n in np.concatenate(names)])
  if OWN_BODY not in set(names):
    raise DataError(f'not a cross-body protocol (no {OWN_BODY!r} body)',
                    protocol_dir)
  own = sizes[names == OWN_BODY].mean()
  floor = {}
  per_sample = np.zeros_like(sizes)
  for body in sorted(set(names)):
    mask = names == body
    ratio = own / sizes[mask].mean()
    # |X - k X| summed over joints / 16 = |1 - k| * mean |X|.
    per_sample[mask] = abs(1.0 - ratio) * sizes[mask]
    floor[body] = round(float(per_sample[mask].mean()), 2)
  floor['(held-out bodies)'] = round(float(
      per_sample[names != OWN_BODY].mean()), 2)
  return floor


def plot(collected: Sequence[Mapping], path: str, inputs: str = 'noisy',
         floor: Optional[Mapping[str, float]] = None) -> None:
  """MPJPE per body, a bar per (stage, lifter), on one input's 2D."""
  rows = [r for r in collected if r['input'] == inputs]
  if not rows:
    raise ArgumentError(f'no {inputs} records to plot')
  bodies = list(rows[0]['per_body'])
  fig, ax = plt.subplots(figsize=(max(7.0, 0.9 * len(bodies) + 3), 4.2))
  width = 0.8 / (len(rows) + (1 if floor else 0))
  x = np.arange(len(bodies))
  for k, r in enumerate(rows):
    label = f'{r["lifter"]} ({r["stage"]})' + (' [default]' if r['default']
                                               else '')
    ax.bar(x + k * width, [r['per_body'][b]['mpjpe'] for b in bodies],
           width, label=label)
  if floor:
    ax.bar(x + len(rows) * width, [floor.get(b, 0.0) for b in bodies], width,
           color='0.6', label='right shape, own body\'s size')
  ax.set_xticks(x + 0.4 - width / 2)
  ax.set_xticklabels(bodies, rotation=30, ha='right', fontsize=8)
  ax.set_ylabel('MPJPE (mm)')
  ax.set_title(f'Cross-body benchmark, {inputs} 2D (Bandai-H36M test clips '
               'on held-out bodies)', fontsize=10)
  ax.grid(axis='y', alpha=0.3)
  ax.legend(fontsize=7)
  figures.save_figure(fig, path)
