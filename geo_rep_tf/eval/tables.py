"""Text tables of evaluation records (`runs.evaluation.evaluate_run`)."""

from __future__ import annotations

from typing import Dict, Sequence

_COLUMNS = (('MPJPE', 'mpjpe', '{:7.1f}'), ('P-MPJPE', 'p_mpjpe', '{:8.1f}'),
            ('N-MPJPE', 'n_mpjpe', '{:8.1f}'), ('PCK150', 'pck3d', '{:7.3f}'),
            ('AUC', 'auc', '{:6.3f}'))


def _cams(c) -> str:
  return ''.join(str(i) for i in c) if c is not None else '-'


def _labels(n) -> str:
  """N of a record: 'all' for 0 (every training sample), '-' if unknown."""
  return '-' if n is None else str(n or 'all')


def format_table(records: Sequence[Dict]) -> str:
  """One line per (run, input): the metrics over every sample, in mm.

  Under Protocol #1 read MPJPE, under #2 P-MPJPE (the same rows); '#3' rows
  are tested only on cameras the run never trained on.
  """
  head = (f'{"model":<24} {"regressor":<13} {"N":>6} {"train":>5} '
          f'{"test":>4} {"protocol":<8} {"2D":<5} {"count":>6} ' +
          ' '.join(f'{c[0]:>{len(c[2].format(0.0))}}' for c in _COLUMNS))
  lines = [head, '-' * len(head)]
  for r in records:
    for inp, res in r['results'].items():
      m = res['mean']
      lines.append(
          f'{r["name"][:24]:<24} {r["regressor"]:<13} '
          f'{_labels(r["num_labels"]):>6} {_cams(r["train_cameras"]):>5} '
          f'{_cams(r["test_cameras"]):>4} {r["protocol"]:<8} {inp:<5} '
          f'{res["count"]:>6} ' +
          ' '.join(fmt.format(m[key]) for _, key, fmt in _COLUMNS))
  return '\n'.join(lines)


def format_per_action(records: Sequence[Dict], key: str = 'mpjpe') -> str:
  """Per-action means of one metric: actions down, (run, input) across."""
  cols = [(f'{r["name"][:14]}/{inp}', res)
          for r in records for inp, res in r['results'].items()]
  actions = sorted({a for _, res in cols for a in res.get('per_action', {})})
  width = max([len(c) for c, _ in cols] + [8])
  head = f'{key + " by action":<22} ' + ' '.join(f'{c:>{width}}'
                                                  for c, _ in cols)
  lines = [head, '-' * len(head)]
  for a in actions + ['(mean of actions)']:
    cells = []
    for _, res in cols:
      if a == '(mean of actions)':
        v = res.get('mean_over_actions', {}).get(key)
      else:
        v = res.get('per_action', {}).get(a, {}).get('mean', {}).get(key)
      cells.append(f'{v:>{width}.1f}' if v is not None else ' ' * (width - 1)
                   + '-')
    lines.append(f'{a[:22]:<22} ' + ' '.join(cells))
  return '\n'.join(lines)


def format_per_body(records: Sequence[Dict], own: str = 'own') -> str:
  """The cross-body table: per (run, input), each body's errors in mm and
  its MPJPE over the clip's own body's ('x own'), then the held-out mean.

  Records without 'per_body' results are left out ('' when none has them).
  """
  keys = (('MPJPE', 'mpjpe'), ('P-MPJPE', 'p_mpjpe'), ('N-MPJPE', 'n_mpjpe'))
  head = (f'{"lifter / 2D":<30} {"body":<24} ' +
          ' '.join(f'{k:>8}' for k, _ in keys) + f' {"x own":>6}')
  lines = []
  for r in records:
    for inp, res in r['results'].items():
      if 'per_body' not in res:
        continue
      who = f'{r["name"][:24]}/{inp}'
      base = res['per_body'].get(own, {}).get('mean', {}).get('mpjpe')
      rows = [(b, v['mean']) for b, v in res['per_body'].items() if b != own]
      if own in res['per_body']:
        rows.insert(0, (own, res['per_body'][own]['mean']))
      if 'cross_body' in res:
        rows.append(('(held-out bodies)', res['cross_body']))
      for body, m in rows:
        ratio = f'{m["mpjpe"] / base:6.2f}' if base else f'{"-":>6}'
        lines.append(f'{who:<30} {body[:24]:<24} ' +
                     ' '.join(f'{m[k]:8.1f}' for _, k in keys) + f' {ratio}')
  if not lines:
    return ''
  return '\n'.join([head, '-' * len(head)] + lines)
