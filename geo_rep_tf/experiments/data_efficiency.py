"""Paper Fig. 5, data efficiency: Regression#1 on G vs Baseline#1 by N.

For each N labelled samples, N in {50, 500, 2500, 5000, 25000, all}:
Regression#1 on G ("OursShallow") and Baseline#1 (the same network on
normalised 2D); MPJPE and P-MPJPE against N and the relative gain of
OursShallow.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

import matplotlib.pyplot as plt

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import results as res
from geo_rep_tf.experiments.spec import (Experiment, ExperimentOptions,
                                         RunSpec, labels_name, regressor_run)
# Importing viz also selects the Agg backend before the first figure.
from geo_rep_tf.viz import figures

NAME = 'data_efficiency'
LABELS = (50, 500, 2500, 5000, 25000, 0)  # 0: all
# Method label -> regressor type.
METHODS = (('OursShallow', 'regression1'), ('Baseline#1', 'baseline1'))
_COLORS = {'OursShallow': 'tab:red', 'Baseline#1': 'tab:blue'}


def plan(representation_dir: str,
         num_labels: Sequence[int] = LABELS) -> List[RunSpec]:
  """OursShallow and Baseline#1 for each N (0: all)."""
  if not representation_dir:
    raise ArgumentError('data_efficiency needs a representation run '
                        '(--representation_dir)')
  runs = []
  for n in num_labels:
    for label, regressor in METHODS:
      runs.append(regressor_run(f'{regressor}_n{labels_name(n)}', regressor,
                                label, n, representation_dir
                                if regressor == 'regression1' else None))
  return runs


def summarise(results: Mapping[str, Mapping], inputs: str = 'exact',
              n_all: Optional[int] = None) -> Dict:
  """Fig. 5 data: per method and N, the means; gains of OursShallow.

  Args:
    results: `run_plan(...)['results']` of a data_efficiency plan.
    inputs: 'exact' or 'noisy' (the evaluated 2D).
    n_all: labelled samples behind N = all (for the plot's x axis).

  Returns:
    {'inputs', 'n_all', 'gain_formula', 'num_labels': [N names in order],
     'methods': {label: {N name: means}}, 'relative_gain': {metric:
     {N name: gain}}} (gains only where both methods have a result).
  """
  methods: Dict[str, Dict] = {}
  order: List[int] = []
  for r in results.values():
    if r.get('kind') != 'regressor':
      continue
    n = r['num_labels']
    if n not in order:
      order.append(n)
    methods.setdefault(r['label'], {})[labels_name(n)] = res.means(r, inputs)
  order.sort(key=lambda n: (n == 0, n))
  names = [labels_name(n) for n in order]
  ours = methods.get('OursShallow', {})
  base = methods.get('Baseline#1', {})
  gains = {m: {n: res.relative_gain(base[n][m], ours[n][m]) for n in names
               if n in ours and n in base}
           for m in ('mpjpe', 'p_mpjpe')}
  return dict(inputs=inputs, n_all=n_all, gain_formula=res.GAIN_FORMULA,
              num_labels=names, methods=methods, relative_gain=gains)


def format_summary(summary: Mapping) -> str:
  """MPJPE / P-MPJPE per method and N, and the gains, as a text table."""
  names = summary['num_labels']
  lines = [f'MPJPE / P-MPJPE (mm), {summary["inputs"]} 2D, by labelled '
           f'samples N; gain = {summary["gain_formula"]}',
           f'{"method":<14} ' + ' '.join(f'{n:>13}' for n in names)]
  for label, by_n in summary['methods'].items():
    cells = []
    for n in names:
      m = by_n.get(n)
      cells.append(f'{m["mpjpe"]:6.1f}/{m["p_mpjpe"]:6.1f}' if m else
                   f'{"-":>13}')
    lines.append(f'{label:<14} ' + ' '.join(cells))
  g = summary['relative_gain']
  lines.append(f'{"gain MPJPE":<14} ' + ' '.join(
      f'{res.cell(g["mpjpe"].get(n), "{:+.1%}"):>13}' for n in names))
  lines.append(f'{"gain P-MPJPE":<14} ' + ' '.join(
      f'{res.cell(g["p_mpjpe"].get(n), "{:+.1%}"):>13}' for n in names))
  return '\n'.join(lines)


def _x_of(name: str, n_all) -> float:
  return float(n_all if name == 'all' else name)


def plot(summary: Mapping, path: str) -> None:
  """Fig. 5: MPJPE and P-MPJPE vs labelled samples N (log x), both methods.

  Each N where both methods ran is annotated with the relative gain
  (baseline - ours) / ours. N = all sits at `summary['n_all']` (or one
  decade right of the largest N when unknown).

  Args:
    summary: `summarise` output.
    path: PNG written atomically.
  """
  names = summary['num_labels']
  numeric = [float(n) for n in names if n != 'all']
  n_all = summary.get('n_all') or (max(numeric, default=1.0) * 10)
  fig, axes = plt.subplots(1, 2, figsize=(10, 4))
  for ax, metric, title in zip(axes, ('mpjpe', 'p_mpjpe'),
                               ('MPJPE', 'P-MPJPE')):
    for label, by_n in summary['methods'].items():
      xs = [_x_of(n, n_all) for n in names if n in by_n]
      ys = [by_n[n][metric] for n in names if n in by_n]
      ax.plot(xs, ys, 'o-', label=label, color=_COLORS.get(label))
    for n, gain in summary['relative_gain'][metric].items():
      y = max(by_n[n][metric] for by_n in summary['methods'].values()
              if n in by_n)
      ax.annotate(f'{gain:+.1%}', (_x_of(n, n_all), y),
                  textcoords='offset points', xytext=(0, 6), ha='center',
                  fontsize=8)
    ax.set_xscale('log')
    ax.margins(x=0.08, y=0.15)
    ticks = [_x_of(n, n_all) for n in names]
    ax.set_xticks(ticks)
    ax.set_xticklabels([n if n != 'all' else f'all\n({int(n_all)})'
                        for n in names], fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel('labelled training samples N')
    ax.set_ylabel(f'{title} (mm)')
    ax.set_title(f'{title}, {summary["inputs"]} 2D')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
  fig.suptitle('Data efficiency (gain = (baseline - ours) / ours)',
               fontsize=10)
  figures.save_figure(fig, path)


def _plan(options: ExperimentOptions) -> List[RunSpec]:
  return plan(options.representation_dir, options.num_labels)


def _summarise(results: Mapping[str, Mapping], inputs: str,
               manifest: Mapping) -> Dict:
  return summarise(results, inputs,
                   manifest['counts']['train']['samples_visible'])


EXPERIMENT = Experiment(
    name=NAME, description='Fig. 5: Regression#1 on G ("OursShallow") vs '
    'Baseline#1 for each N labelled samples',
    plan=_plan, summarise=_summarise, format=format_summary, plot=plot)
