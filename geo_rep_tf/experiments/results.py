"""Reading the run records of `runner.run_plan`, shared by the experiments.

Relative gains follow docs/design.md: (baseline - ours) / ours.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional

METRICS = ('mpjpe', 'p_mpjpe', 'n_mpjpe', 'pck3d', 'auc')
GAIN_FORMULA = '(baseline - ours) / ours'


def means(record: Mapping, inputs: str) -> Dict:
  """A regressor run's mean metrics and sample count on `inputs` 2D."""
  res = record['evaluation']['results'][inputs]
  out = {k: res['mean'][k] for k in METRICS if k in res['mean']}
  out['count'] = res['count']
  return out


def relative_gain(baseline: float, ours: float) -> float:
  """(baseline - ours) / ours: how much larger the baseline's error is."""
  return (baseline - ours) / ours


def cell(value: Optional[float], fmt: str = '{:.1f}') -> str:
  """A table cell: the formatted value, '-' when there is none."""
  return fmt.format(value) if value is not None else '-'
