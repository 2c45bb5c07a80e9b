"""Collects the run records of `experiments.run_plan` into each figure's data.

Relative gains follow docs/design.md: (baseline - ours) / ours.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional

from geo_rep_tf.eval import experiments

METRICS = ('mpjpe', 'p_mpjpe', 'n_mpjpe', 'pck3d', 'auc')
GAIN_FORMULA = '(baseline - ours) / ours'


def _means(record: Mapping, inputs: str) -> Dict:
  res = record['evaluation']['results'][inputs]
  out = {k: res['mean'][k] for k in METRICS if k in res['mean']}
  out['count'] = res['count']
  return out


def relative_gain(baseline: float, ours: float) -> float:
  """(baseline - ours) / ours: how much larger the baseline's error is."""
  return (baseline - ours) / ours


def data_efficiency(results: Mapping[str, Mapping], inputs: str = 'exact',
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
    methods.setdefault(r['label'], {})[experiments.labels_name(n)] = _means(
        r, inputs)
  order.sort(key=lambda n: (n == 0, n))
  names = [experiments.labels_name(n) for n in order]
  ours = methods.get('OursShallow', {})
  base = methods.get('Baseline#1', {})
  gains = {m: {n: relative_gain(base[n][m], ours[n][m]) for n in names
               if n in ours and n in base}
           for m in ('mpjpe', 'p_mpjpe')}
  return dict(inputs=inputs, n_all=n_all, gain_formula=GAIN_FORMULA,
              num_labels=names, methods=methods, relative_gain=gains)


def ablation(results: Mapping[str, Mapping], inputs: str = 'exact') -> Dict:
  """Fig. 6 data: means per variant (BL first), gains over BL."""
  variants = {}
  for r in results.values():
    if r.get('kind') == 'regressor':
      variants[r['label']] = _means(r, inputs)
  order = [v for v in experiments.ABLATION_VARIANTS if v in variants]
  gains = {}
  if 'BL' in variants:
    gains = {v: relative_gain(variants['BL']['mpjpe'], variants[v]['mpjpe'])
             for v in order if v != 'BL'}
  return dict(inputs=inputs, gain_formula=GAIN_FORMULA, variants=order,
              means=variants, relative_gain_mpjpe_over_bl=gains,
              not_run=dict(experiments.NOT_RUN))


def table1(results: Mapping[str, Mapping], inputs: str = 'exact') -> Dict:
  """Table 1 rows: MPJPE (#1), P-MPJPE (#2), MPJPE on the held-out camera (#3).
  """
  rows: Dict[str, Dict] = {}
  for r in results.values():
    if r.get('kind') != 'regressor':
      continue
    m = _means(r, inputs)
    row = rows.setdefault(r['label'], {})
    if r['protocol'] == 'P1':
      row['protocol1_mpjpe'] = m['mpjpe']
      row['protocol2_p_mpjpe'] = m['p_mpjpe']
      row['protocol1_count'] = m['count']
    else:
      row['protocol3_mpjpe'] = m['mpjpe']
      row['protocol3_p_mpjpe'] = m['p_mpjpe']
      row['protocol3_count'] = m['count']
      row['protocol3_test_cameras'] = r['evaluation'].get('test_cameras')
  order = [label for label, _ in experiments.TABLE1_REGRESSORS
           if label in rows] + sorted(set(rows) - {
               label for label, _ in experiments.TABLE1_REGRESSORS})
  return dict(inputs=inputs, order=order, rows=rows)


def _cell(value, fmt='{:.1f}') -> str:
  return fmt.format(value) if value is not None else '-'


def format_data_efficiency(summary: Mapping) -> str:
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
      f'{_cell(g["mpjpe"].get(n), "{:+.1%}"):>13}' for n in names))
  lines.append(f'{"gain P-MPJPE":<14} ' + ' '.join(
      f'{_cell(g["p_mpjpe"].get(n), "{:+.1%}"):>13}' for n in names))
  return '\n'.join(lines)


def format_ablation(summary: Mapping) -> str:
  lines = [f'Ablation (Regression#2 [+ G]), {summary["inputs"]} 2D; errors '
           'in mm', f'{"variant":<12} {"MPJPE":>7} {"P-MPJPE":>8} '
           f'{"gain vs BL":>10}']
  for v in summary['variants']:
    m = summary['means'][v]
    gain = summary['relative_gain_mpjpe_over_bl'].get(v)
    lines.append(f'{v:<12} {m["mpjpe"]:7.1f} {m["p_mpjpe"]:8.1f} '
                 f'{_cell(gain, "{:+.1%}"):>10}')
  for v, why in summary['not_run'].items():
    lines.append(f'{v:<12} {why}')
  return '\n'.join(lines)


def format_table1(summary: Mapping) -> str:
  lines = [f'Table 1, {summary["inputs"]} 2D; errors in mm',
           f'{"method":<18} {"P#1 MPJPE":>10} {"P#2 P-MPJPE":>12} '
           f'{"P#3 MPJPE":>10}']
  for label in summary['order']:
    r = summary['rows'][label]
    lines.append(f'{label:<18} {_cell(r.get("protocol1_mpjpe")):>10} '
                 f'{_cell(r.get("protocol2_p_mpjpe")):>12} '
                 f'{_cell(r.get("protocol3_mpjpe")):>10}')
  return '\n'.join(lines)
