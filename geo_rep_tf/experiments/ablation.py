"""Paper Fig. 6, ablation: a regressor alone and with G of each variant.

With Regression#2 (the default), BL is the residual MLP lifter without G
and each other row is Regression#2 + G on the G of one representation
variant (BL+AE, BL+SG, BL+SG+AUG, BL+DG+AUG). With Regression#1, BL is
Baseline#1 (its network on normalised 2D) and each row is Regression#1 on
that variant's G alone ("OursShallow"). BL+I_SG needs multi-view images, which the
motion-capture protocol lacks: not run.
"""

from __future__ import annotations

from typing import Dict, List, Mapping

import matplotlib.pyplot as plt
import numpy as np

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import results as res
from geo_rep_tf.experiments.spec import (Experiment, ExperimentOptions,
                                         RunSpec, labels_name, regressor_run,
                                         without_counts)
# Importing viz also selects the Agg backend before the first figure.
from geo_rep_tf.viz import figures
from geo_rep_tf.variants import ABLATION

NAME = 'ablation'
# --ablation_regressor -> (BL's regressor type, the rows' type on G).
REGRESSOR_PAIRS = {'regression2': ('regression2', 'regression2_g'),
                   'regression1': ('baseline1', 'regression1')}
NOT_RUN = {'BL+I_SG': 'not run: view synthesis on raw images needs '
                      'multi-view images; the motion-capture protocol has '
                      'only 2D skeletons'}


def _safe(variant: str) -> str:
  return variant.lower().replace('+', '_').replace('#', '')


def plan(representation_dirs: Mapping[str, str],
         num_labels: int = 0, regressor: str = 'regression2'
         ) -> List[RunSpec]:
  """BL (the regressor alone), then the regressor with G per variant.

  Args:
    representation_dirs: variant (e.g. 'BL+SG') -> representation run.
    num_labels: N labelled samples of every regressor (0: all).
    regressor: a key of REGRESSOR_PAIRS.
  """
  if regressor not in REGRESSOR_PAIRS:
    raise ArgumentError(f'ablation regressor must be one of '
                        f'{sorted(REGRESSOR_PAIRS)}, got {regressor!r}')
  base, with_g = REGRESSOR_PAIRS[regressor]
  # Regression#2 keeps its run names; Regression#1 runs are named apart so
  # both can share one directory.
  tag = '' if regressor == 'regression2' else 'r1_'
  unknown = set(representation_dirs) - set(ABLATION[1:])
  if unknown:
    raise ArgumentError(f'unknown ablation variants {sorted(unknown)}; '
                        f'expected some of {ABLATION[1:]}'
                        + ('; BL+I_SG is not run (needs multi-view images)'
                           if 'BL+I_SG' in unknown else ''))
  runs = [regressor_run(f'{tag}bl_n{labels_name(num_labels)}', base,
                        'BL', num_labels)]
  for variant in ABLATION[1:]:
    if variant in representation_dirs:
      runs.append(regressor_run(
          f'{tag}{_safe(variant)}_n{labels_name(num_labels)}', with_g,
          variant, num_labels, representation_dirs[variant]))
  return runs


def summarise(results: Mapping[str, Mapping], inputs: str = 'exact') -> Dict:
  """Fig. 6 data: means per variant (BL first), gains over BL."""
  variants = {}
  regressor = 'regression2'
  for r in results.values():
    if r.get('kind') == 'regressor':
      variants[r['label']] = res.means(r, inputs)
      if r['evaluation'].get('regressor') in ('baseline1', 'regression1'):
        regressor = 'regression1'
  names = {'regression2': 'Regression#2 [+ G]',
           'regression1': 'Baseline#1 / Regression#1 on G'}
  order = [v for v in ABLATION if v in variants]
  gains = {}
  if 'BL' in variants:
    gains = {v: res.relative_gain(variants['BL']['mpjpe'],
                                  variants[v]['mpjpe'])
             for v in order if v != 'BL'}
  return dict(inputs=inputs, regressor=names[regressor],
              gain_formula=res.GAIN_FORMULA, variants=order,
              means=variants, relative_gain_mpjpe_over_bl=gains,
              not_run=dict(NOT_RUN))


def format_summary(summary: Mapping) -> str:
  """MPJPE, P-MPJPE and gain over BL per variant, as a text table."""
  lines = [f'Ablation ({summary.get("regressor", "Regression#2 [+ G]")}), '
           f'{summary["inputs"]} 2D; errors '
           'in mm', f'{"variant":<12} {"MPJPE":>7} {"P-MPJPE":>8} '
           f'{"gain vs BL":>10}']
  for v in summary['variants']:
    m = summary['means'][v]
    gain = summary['relative_gain_mpjpe_over_bl'].get(v)
    lines.append(f'{v:<12} {m["mpjpe"]:7.1f} {m["p_mpjpe"]:8.1f} '
                 f'{res.cell(gain, "{:+.1%}"):>10}')
  for v, why in summary['not_run'].items():
    lines.append(f'{v:<12} {why}')
  return '\n'.join(lines)


def plot(summary: Mapping, path: str) -> None:
  """Fig. 6: MPJPE and P-MPJPE bars per variant (BL+I_SG noted as not run).

  Args:
    summary: `summarise` output.
    path: PNG written atomically.
  """
  variants = summary['variants']
  x = np.arange(len(variants))
  fig, ax = plt.subplots(figsize=(1.4 * max(len(variants), 2) + 2, 4))
  for k, (metric, label) in enumerate((('mpjpe', 'MPJPE'),
                                       ('p_mpjpe', 'P-MPJPE'))):
    values = [summary['means'][v][metric] for v in variants]
    bars = ax.bar(x + (k - 0.5) * 0.38, values, 0.38, label=label)
    for b, v in zip(bars, values):
      ax.annotate(f'{v:.1f}', (b.get_x() + b.get_width() / 2, v),
                  textcoords='offset points', xytext=(0, 2), ha='center',
                  fontsize=7)
  ax.set_xticks(x)
  ax.set_xticklabels(variants, fontsize=8)
  ax.set_ylabel('error (mm)')
  note = '; '.join(f'{v}: not run' for v in summary.get('not_run', {}))
  regressor = summary.get('regressor', 'Regression#2 [+ G]')
  ax.set_title(f'Ablation, {regressor}, {summary["inputs"]} 2D'
               + (f'\n({note}: needs multi-view images)' if note else ''),
               fontsize=9)
  ax.legend(fontsize=8)
  ax.grid(axis='y', alpha=0.3)
  figures.save_figure(fig, path)


def _plan(options: ExperimentOptions) -> List[RunSpec]:
  if not options.representation_dirs:
    raise ArgumentError('ablation needs --representation_dirs=VARIANT=DIR,..')
  return plan(options.representation_dirs, options.single_num_labels(NAME),
              options.ablation_regressor)


EXPERIMENT = Experiment(
    name=NAME, description='Fig. 6: BL (Regression#2, or Baseline#1 with '
    '--ablation_regressor=regression1) and the same regressor with G of each '
    'representation variant',
    plan=_plan, summarise=without_counts(summarise), format=format_summary, plot=plot)
