"""Figures of the experiments: Fig. 4 (interpolation), 5 (data), 6 (ablation).

Matplotlib (Agg) only; each function writes one PNG atomically
(`figures.save_figure`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from geo_rep_tf.geometry.joints import BONES
# Importing viz also selects the Agg backend before the first figure.
from geo_rep_tf.viz import figures, skeletons

_COLORS = {'OursShallow': 'tab:red', 'Baseline#1': 'tab:blue'}


def _x_of(name: str, n_all) -> float:
  return float(n_all if name == 'all' else name)


def plot_data_efficiency(summary: Mapping, path: str) -> None:
  """Fig. 5: MPJPE and P-MPJPE vs labelled samples N (log x), both methods.

  Each N where both methods ran is annotated with the relative gain
  (baseline - ours) / ours. N = all sits at `summary['n_all']` (or one
  decade right of the largest N when unknown).

  Args:
    summary: `experiment_results.data_efficiency` output.
    path: PNG written.
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


def plot_ablation(summary: Mapping, path: str) -> None:
  """Fig. 6: MPJPE and P-MPJPE bars per variant (BL+I_SG noted as not run).

  Args:
    summary: `experiment_results.ablation` output.
    path: PNG written.
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
  ax.set_title(f'Ablation, Regression#2 [+ G], {summary["inputs"]} 2D'
               + (f'\n({note}: needs multi-view images)' if note else ''),
               fontsize=9)
  ax.legend(fontsize=8)
  ax.grid(axis='y', alpha=0.3)
  figures.save_figure(fig, path)


def _draw_pose_3d(ax, pose_mm: np.ndarray, lim: float) -> None:
  # Camera frame (x right, y down, z forward) drawn with up = -y.
  colors = skeletons.bone_colors()
  for b, (p, c) in enumerate(BONES):
    ax.plot(pose_mm[[p, c], 0], pose_mm[[p, c], 2], -pose_mm[[p, c], 1],
            color=colors[b], lw=1.5)
  ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim), ax.set_zlim(-lim, lim)
  ax.set_xticks([]), ax.set_yticks([]), ax.set_zticks([])
  ax.view_init(elev=10, azim=-80)


def plot_interpolation(rows: Sequence[Mapping], path: str) -> None:
  """Fig. 4: per row, decoded maps and (optionally) 3D poses along a path.

  Args:
    rows: dicts with 'label' (str), 'maps' [K, S, S, 15] decoded skeleton
      maps, optional 'poses_mm' [K, 16, 3] regressed root-relative poses,
      optional 'inputs' [2, S, S, 15] the two input maps (drawn at the ends).
    path: PNG written.
  """
  if not rows:
    raise ValueError('rows must not be empty')
  k = len(rows[0]['maps'])
  has_inputs = any('inputs' in r for r in rows)
  cols = k + (2 if has_inputs else 0)
  lines = []
  for r in rows:
    lines.append(('map', r))
    if r.get('poses_mm') is not None:
      lines.append(('pose', r))
  fig = plt.figure(figsize=(1.5 * cols, 1.6 * len(lines) + 0.4))
  lim = max([float(np.abs(r['poses_mm']).max()) for r in rows
             if r.get('poses_mm') is not None] + [1.0])
  for li, (what, r) in enumerate(lines):
    for step in range(cols):
      s = step - 1 if has_inputs else step
      index = li * cols + step + 1
      if what == 'map':
        ax = fig.add_subplot(len(lines), cols, index)
        if has_inputs and step in (0, cols - 1):
          if 'inputs' in r:
            ax.imshow(skeletons.map_to_rgb(r['inputs'][0 if step == 0 else 1]))
          ax.set_title('input A' if step == 0 else 'input B', fontsize=7)
        else:
          ax.imshow(skeletons.map_to_rgb(r['maps'][s]))
          ax.set_title(f't={s / max(k - 1, 1):.2f}', fontsize=7)
        ax.set_xticks([]), ax.set_yticks([])
        if step == 0:
          ax.set_ylabel(r['label'], fontsize=7)
      elif not (has_inputs and step in (0, cols - 1)):
        ax = fig.add_subplot(len(lines), cols, index, projection='3d')
        _draw_pose_3d(ax, np.asarray(r['poses_mm'][s]), lim)
  fig.suptitle('Latent interpolation: decoded skeleton maps psi(G_t) and '
               'regressed 3D poses', fontsize=9)
  figures.save_figure(fig, path)
