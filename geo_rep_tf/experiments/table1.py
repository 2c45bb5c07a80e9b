"""Paper Table 1: Regression#1 (on G), Regression#2 and Regression#2 + G
under Protocols #1 and #2 (trained and tested on all 4 cameras) and #3 (a
representation and regressors trained on 3 cameras, tested on the 4th).
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import results as res
from geo_rep_tf.experiments.spec import (ALL_CAMERAS, Experiment,
                                         ExperimentOptions, RunSpec,
                                         cameras_text, labels_name,
                                         regressor_run, without_counts)

NAME = 'table1'
REGRESSORS = (('Regression#1', 'regression1'),
              ('Regression#2', 'regression2'),
              ('Regression#2 + G', 'regression2_g'))
# Column groups: Protocols #1/#2 (4 cameras) and #3 (held-out camera).
PROTOCOLS = ('P1', 'P3')


def plan(representation_dir: str, holdout_camera: int = 3,
         regressors: Sequence = REGRESSORS, num_labels: int = 0,
         protocols: Sequence[str] = PROTOCOLS) -> List[RunSpec]:
  """Each regressor under Protocols #1/#2 and #3.

  Protocol #3 trains its own representation on the 3 other cameras (run
  'representation_p3', flags from the trainer's representation settings)
  and regressors on those cameras, tested on `holdout_camera` only.
  `protocols` ('P1': #1 and #2, which share runs; 'P3') limits the plan to
  some columns; the runs keep their names, so a later run of the whole
  plan in the same directory reuses them.
  """
  if holdout_camera not in ALL_CAMERAS:
    raise ArgumentError(f'holdout_camera must be in 0..3, got '
                        f'{holdout_camera}')
  protocols = tuple(protocols)
  if not protocols or any(p not in PROTOCOLS for p in protocols):
    raise ArgumentError(f'protocols must be among {PROTOCOLS}, got '
                        f'{protocols}')
  train_cams = tuple(c for c in ALL_CAMERAS if c != holdout_camera)
  needs_g = any(r in ('regression1', 'regression2_g') for _, r in regressors)
  if needs_g and not representation_dir and 'P1' in protocols:
    raise ArgumentError('table1 needs a representation run trained on all '
                        'cameras (--representation_dir)')
  runs = []
  if needs_g and 'P3' in protocols:
    runs.append(RunSpec(name='representation_p3', kind='representation',
                        flags=dict(cameras=cameras_text(train_cams)),
                        label='representation (Protocol #3 cameras)',
                        protocol='P3'))
  n = labels_name(num_labels)
  for label, regressor in regressors:
    uses_g = regressor in ('regression1', 'regression2_g')
    if 'P1' in protocols:
      runs.append(regressor_run(f'{regressor}_p1_n{n}', regressor, label,
                                num_labels,
                                representation_dir if uses_g else None))
    if 'P3' in protocols:
      runs.append(regressor_run(
          f'{regressor}_p3_n{n}', regressor, label, num_labels,
          cameras=train_cams, representation='representation_p3'
          if uses_g else None, protocol='P3',
          test_cameras=(holdout_camera,)))
  return runs


def summarise(results: Mapping[str, Mapping], inputs: str = 'exact') -> Dict:
  """Table 1 rows: MPJPE (#1), P-MPJPE (#2), MPJPE on the held-out camera
  (#3)."""
  rows: Dict[str, Dict] = {}
  for r in results.values():
    if r.get('kind') != 'regressor':
      continue
    m = res.means(r, inputs)
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
  known = [label for label, _ in REGRESSORS]
  order = [label for label in known if label in rows] + sorted(
      set(rows) - set(known))
  return dict(inputs=inputs, order=order, rows=rows)


def format_summary(summary: Mapping) -> str:
  """The table's rows as text."""
  lines = [f'Table 1, {summary["inputs"]} 2D; errors in mm',
           f'{"method":<18} {"P#1 MPJPE":>10} {"P#2 P-MPJPE":>12} '
           f'{"P#3 MPJPE":>10}']
  for label in summary['order']:
    r = summary['rows'][label]
    lines.append(f'{label:<18} {res.cell(r.get("protocol1_mpjpe")):>10} '
                 f'{res.cell(r.get("protocol2_p_mpjpe")):>12} '
                 f'{res.cell(r.get("protocol3_mpjpe")):>10}')
  return '\n'.join(lines)


def _plan(options: ExperimentOptions) -> List[RunSpec]:
  return plan(options.representation_dir, options.holdout_camera,
              num_labels=options.single_num_labels(NAME),
              protocols=options.protocols)


EXPERIMENT = Experiment(
    name=NAME, description='Table 1: Regression#1, Regression#2 and '
    'Regression#2 + G under Protocols #1, #2 and #3',
    plan=_plan, summarise=without_counts(summarise), format=format_summary)
