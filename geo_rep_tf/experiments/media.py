"""Fig. 5 across skeleton media and 2D inputs: one records file, one figure.

`tools/collect_data_efficiency.py` reads the data_efficiency experiment
directories of each (medium, input) pair (`run_experiment.py
--experiment=data_efficiency`, with `--noisy_2d` for noisy input) and
writes docs/results/data_efficiency.json: a flat list of `records`
{medium, input, n, model, mpjpe_mm, p_mpjpe_mm} (n: labelled samples, all
= the training set's size; model 'ours_shallow' or 'baseline1'), each
pair's relative gains, the experiment directories and representation runs
they came from, and the paper's Fig. 5 rows beside them.
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Mapping, Sequence, Tuple

import matplotlib.pyplot as plt

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.experiments import results as res
from geo_rep_tf.utils.files import checkout_relative
from geo_rep_tf.viz import figures

MEDIA = ('map', 'coords')
INPUTS = ('exact', 'noisy')
MODEL_KEYS = {'OursShallow': 'ours_shallow', 'Baseline#1': 'baseline1'}
# ../shared/PAPER_RESULTS.md, Fig. 5 (Human3.6M, Protocol #1, detector 2D).
PAPER_FIG5 = {
    'n': [49, 496, 2500, 5000, 25000, 49000, 129000, 179000, 312000],
    'ours_shallow': {'mpjpe_mm': [200.0, 107.9, 96.2, 94.5, 93.3, 91.9,
                                  88.5, 83.4, 80.2],
                     'p_mpjpe_mm': [135.7, 82.1, 71.3, 70.7, 68.6, 68.0,
                                    62.5, 60.3, 58.2]},
    'baseline1': {'mpjpe_mm': [207.5, 127.3, 122.7, 122.0, 121.5, 121.6,
                               117.6, 115.3, 114.7],
                  'p_mpjpe_mm': [153.2, 85.3, 82.9, 82.4, 81.6, 81.5, 78.9,
                                 77.0, 76.1]},
}


def parse_source(text: str) -> Tuple[str, str, str]:
  """'MEDIUM:INPUT:DIR' -> (medium, input, dir), or ArgumentError."""
  parts = text.split(':', 2)
  if len(parts) != 3 or parts[0] not in MEDIA or parts[1] not in INPUTS:
    raise ArgumentError(f'--source={text}: expected MEDIUM:INPUT:DIR with '
                        f'MEDIUM in {MEDIA} and INPUT in {INPUTS}')
  return parts[0], parts[1], parts[2]


def read_experiment(exp_dir: str) -> Mapping:
  """The data_efficiency.json a data_efficiency experiment wrote."""
  path = os.path.join(exp_dir, 'data_efficiency.json')
  try:
    with open(path) as fh:
      data = json.load(fh)
  except FileNotFoundError:
    raise DataError('no data_efficiency.json here; run tools/'
                    'run_experiment.py --experiment=data_efficiency first',
                    exp_dir) from None
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON: {e.msg}', path, e.lineno) from None
  if data.get('experiment') != 'data_efficiency' or 'summary' not in data:
    raise DataError('not a data_efficiency experiment result', path)
  return data


def _representation_dir(data: Mapping) -> str:
  for run in data.get('runs', {}).values():
    rep = (run.get('evaluation') or {}).get('representation_dir')
    if rep:
      return rep
  return ''


def records(summary: Mapping, medium: str, inputs: str) -> List[Dict]:
  """One record per (N, model) of a data_efficiency summary."""
  out = []
  for label, by_n in summary['methods'].items():
    for name in summary['num_labels']:
      if name not in by_n or label not in MODEL_KEYS:
        continue
      n = summary['n_all'] if name == 'all' else int(name)
      out.append(dict(medium=medium, input=inputs, n=int(n),
                      model=MODEL_KEYS[label],
                      mpjpe_mm=round(by_n[name]['mpjpe'], 2),
                      p_mpjpe_mm=round(by_n[name]['p_mpjpe'], 2)))
  return out


def collect(sources: Sequence[Tuple[str, str, str]]) -> Dict:
  """docs/results/data_efficiency.json's content from (medium, input, dir)."""
  seen = set()
  out = dict(gain_formula=res.GAIN_FORMULA, records=[], experiments=[],
             paper=PAPER_FIG5)
  for medium, inputs, exp_dir in sources:
    if (medium, inputs) in seen:
      raise ArgumentError(f'two sources for {medium}:{inputs}')
    seen.add((medium, inputs))
    data = read_experiment(exp_dir)
    summary = data['summary']
    if summary['inputs'] != inputs:
      raise DataError(f'evaluated on {summary["inputs"]} 2D, not {inputs}',
                      exp_dir)
    out['records'] += records(summary, medium, inputs)
    out['experiments'].append(dict(
        medium=medium, input=inputs, experiment_dir=exp_dir,
        representation_dir=_representation_dir(data),
        relative_gain=summary['relative_gain']))
  return out


def plot(collected: Mapping, path: str) -> None:
  """MPJPE vs N (log x): one panel per input, a line per medium and model."""
  panels = [i for i in INPUTS if any(r['input'] == i
                                     for r in collected['records'])]
  if not panels:
    raise ArgumentError('no records to plot')
  fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2),
                           squeeze=False)
  styles = {('coords', 'ours_shallow'): ('tab:red', '-'),
            ('map', 'ours_shallow'): ('tab:orange', '--'),
            ('coords', 'baseline1'): ('tab:blue', '-'),
            ('map', 'baseline1'): ('tab:cyan', '--')}
  for ax, inputs in zip(axes[0], panels):
    for (medium, model), (color, line) in styles.items():
      rows = sorted((r['n'], r['mpjpe_mm']) for r in collected['records']
                    if (r['medium'], r['model'], r['input']) ==
                    (medium, model, inputs))
      if rows:
        label = {'ours_shallow': 'OursShallow', 'baseline1': 'Baseline#1'}
        ax.plot(*zip(*rows), 'o' + line, color=color,
                label=f'{label[model]} ({medium} run)')
    ax.set_xscale('log')
    ax.set_xlabel('labelled training samples N')
    ax.set_ylabel('MPJPE (mm)')
    ax.set_title(f'{inputs} 2D')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
  fig.suptitle('Data efficiency by skeleton medium (Bandai-H36M test split)',
               fontsize=10)
  figures.save_figure(fig, path)


# ------------------------------------- one setting of a representation
SETTING_KEY = ('input', 'setting')  # One row per setting of each input.


def settings_record(exp_dir: str, setting: str, representation_command: str,
                    n: int = 500) -> Dict:
  """One row of docs/results/coords_settings_n500.json from a
  data_efficiency experiment run at N = n on one representation.

  Args:
    exp_dir: the experiment directory (`run_experiment.py
      --experiment=data_efficiency --num_labels=n ...`).
    setting: how the representation differs from flags/rep_coords.cfg.
    representation_command: the command that trained the representation.
    n: the labelled samples compared.

  Returns:
    {input, setting, representation_run, coords_hidden, consistency_weight,
     train_steps, latent_encoders, representation_command, n500_command,
     ours_shallow_n500_mpjpe_mm, ours_shallow_n500_p_mpjpe_mm,
     baseline1_n500_mpjpe_mm, gain_n500, test_samples}; the settings are
    read from the representation run's and the regressor run's configs.

  Raises:
    DataError: not such an experiment, no result at N = n, or a
      representation or regressor run whose config is missing.
  """
  data = read_experiment(exp_dir)
  summary = data['summary']
  key = str(n)
  methods = summary['methods']
  if any(key not in methods.get(m, {}) for m in ('OursShallow', 'Baseline#1')):
    raise DataError(f'no OursShallow and Baseline#1 results at N = {n}',
                    exp_dir)
  rep_dir = _representation_dir(data)
  rep = _read_json(os.path.join(rep_dir, 'config.json'))
  rep_dir = checkout_relative(rep_dir)  # Commands read from the checkout.
  reg = _read_json(os.path.join(exp_dir, 'runs', f'regression1_n{n}',
                                'config.json'))['regressor']
  encoders = reg.get('latent_encoders', 'phi')
  noisy = summary['inputs'] == 'noisy'
  n500_command = ' '.join(
      ['tools/run_experiment.py', '--flagfile=flags/exp_data_efficiency.cfg',
       f'--num_labels={n}'] + (['--noisy_2d'] if noisy else []) +
      [f'--representation_dir={rep_dir}'] +
      ([f'--regressor_flag=--latent_encoders={encoders}']
       if encoders != 'phi' else []) + [f'--out_dir={exp_dir}'])
  ours, base = methods['OursShallow'][key], methods['Baseline#1'][key]
  return dict(
      input=summary['inputs'], setting=setting,
      representation_run=os.path.basename(os.path.normpath(rep_dir)),
      coords_hidden=rep['representation'].get('coords_hidden'),
      consistency_weight=rep['representation'].get('consistency_weight'),
      train_steps=rep['trainer']['train_steps'], latent_encoders=encoders,
      representation_command=representation_command,
      n500_command=n500_command,
      ours_shallow_n500_mpjpe_mm=round(ours['mpjpe'], 2),
      ours_shallow_n500_p_mpjpe_mm=round(ours['p_mpjpe'], 2),
      baseline1_n500_mpjpe_mm=round(base['mpjpe'], 2),
      gain_n500=round(summary['relative_gain']['mpjpe'][key], 4),
      test_samples=int(ours['count']))


def merge_settings(existing: Mapping, record: Mapping,
                   replace: bool = False) -> Dict:
  """`existing` (a settings file's content) with `record` appended, or in
  place of the record of the same input and setting when `replace`;
  ArgumentError if that record exists and not `replace`."""
  out = dict(existing)
  rows = list(out.get('records', []))
  key = tuple(record.get(k) for k in SETTING_KEY)
  same = [i for i, r in enumerate(rows)
          if tuple(r.get(k) for k in SETTING_KEY) == key]
  if same and not replace:
    raise ArgumentError(f'a record for {", ".join(map(str, key))} exists; '
                        'pass --overwrite to replace it')
  if same:
    rows[same[0]] = dict(record)
  else:
    rows.append(dict(record))
  out['records'] = rows
  return out


def read_settings(path: str) -> Dict:
  """A settings records file's content, {} where there is none yet."""
  return _read_json(path) if os.path.exists(path) else {}


def _read_json(path: str) -> Dict:
  try:
    with open(path) as fh:
      return json.load(fh)
  except FileNotFoundError:
    raise DataError('run config not found (was the run moved?)',
                    path) from None
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON: {e.msg}', path, e.lineno) from None
