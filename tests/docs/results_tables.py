"""The results tables of README.md and docs/, rendered from their JSON files.

Each function reads one or more JSON files under docs/results/ (or
bench/results/) and returns the markdown table that the page shows;
tests/docs/test_docs.py checks that the page holds it verbatim. To change a
table, change the JSON (rerun the command the page names) and paste the new
rendering: `.venv/bin/python -m tests.docs.results_tables`.
"""

import json
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RESULTS = os.path.join(REPO, 'docs', 'results')
BENCH = os.path.join(REPO, 'bench', 'results')

NS = ['50', '500', '2500', '5000', '25000', 'all']
N_HEAD = ['N = 50', '500', '2,500', '5,000', '25,000', 'all (229,348)']


def _load(name, root=RESULTS):
  with open(os.path.join(root, name)) as fh:
    return json.load(fh)


def _f(x):
  return f'{x:.1f}'


def _pct(x):
  return f'{100 * x:+.1f}%'


def _gain(base, ours):
  return (base - ours) / ours


def _table(head, rows):
  lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
  lines += ['| ' + ' | '.join(r) + ' |' for r in rows]
  return '\n'.join(lines)


# README: results at a glance (coords medium, docs/skeleton_media.md).

def readme_glance():
  d = _load('data_efficiency.json')
  rec = {(r['medium'], r['input'], r['model'], str(r['n'])): r
         for r in d['records']}
  ns = ['50', '500', '5000', '229348']
  paper = d['paper']
  pidx = [paper['n'].index(n) for n in (49, 496, 5000, 312000)]
  rows = []
  for medium, inp, model, label in [
      ('coords', 'exact', 'ours_shallow', 'OursShallow (Regression#1 on G), exact 2D'),
      ('coords', 'exact', 'baseline1', 'Baseline#1 (the same network on the 2D), exact 2D'),
      ('coords', 'noisy', 'ours_shallow', '**OursShallow, noisy 2D**'),
      ('coords', 'noisy', 'baseline1', '**Baseline#1, noisy 2D**'),
      ('map', 'exact', 'ours_shallow',
       "OursShallow on the paper's skeleton maps, exact 2D")]:
    rows.append([label] + [_f(rec[(medium, inp, model, n)]['mpjpe_mm'])
                           for n in ns])
  rows.append(['the paper (Human3.6M, N = 49 / 496 / 5k / 312k): OursShallow']
              + [_f(paper['ours_shallow']['mpjpe_mm'][i]) for i in pidx])
  rows.append(['the paper: Baseline#1']
              + [_f(paper['baseline1']['mpjpe_mm'][i]) for i in pidx])
  return _table(['MPJPE (mm), labelled samples', 'N = 50', '500', '5,000',
                 'all'], rows)


# docs/results/data_efficiency_maps.md (paper Fig. 5 on the map medium).

DE_MAPS = [
    ('data_efficiency_rep_long2.json',
     'OursShallow on the G of `rep_long2` (BL+DG+AUG, 14,000 steps)', True),
    ('data_efficiency_c01.json',
     'OursShallow on the G of `rep_dg_aug_c01` (BL+DG+AUG, lambda = 0.1, '
     '10,000 steps)', True),
    ('data_efficiency_sg_aug.json',
     'OursShallow on the G of `rep_bl_sg_aug` (BL+SG+AUG, 7,000 steps)', True),
    ('data_efficiency_rep_long.json',
     'OursShallow on the G of `rep_long` (BL+DG+AUG, 7,000 steps)', False),
    ('data_efficiency_raw_g.json',
     'OursShallow on raw G of `rep_long` (`--nostandardize_latent`)', False),
]


def data_efficiency_maps():
  first = _load(DE_MAPS[0][0])['summary']['methods']['Baseline#1']
  rows = [['Baseline#1 (Regression#1 network on the 2D)'] + [
      f'{_f(first[n]["mpjpe"])} / {_f(first[n]["p_mpjpe"])}' for n in NS]]
  for name, label, gain in DE_MAPS:
    m = _load(name)['summary']['methods']
    ours, base = m['OursShallow'], m['Baseline#1']
    rows.append([label] + [
        f'{_f(ours[n]["mpjpe"])} / {_f(ours[n]["p_mpjpe"])}' for n in NS])
    if gain:
      rows.append(['gain, MPJPE'] + [
          _pct(_gain(base[n]['mpjpe'], ours[n]['mpjpe'])) for n in NS])
  rows.append(['the paper (Human3.6M), gain at about 500 labels', '',
               '+17.98%', '', '', '', ''])
  return _table(['MPJPE / P-MPJPE (mm), exact 2D'] + N_HEAD, rows)


# docs/results/table1.md.

ROWS = [('Regression#1', 'Regression#1 (on G)'),
        ('Regression#2', 'Regression#2 (BL, 2D only)'),
        ('Regression#2 + G', 'Regression#2 + G')]


def _table1_full(name, title):
  rows_in = _load(name)['summary']['rows']
  rows = []
  for key, label in ROWS:
    r = rows_in[key]
    rows.append([label, _f(r['protocol1_mpjpe']), _f(r['protocol2_p_mpjpe']),
                 f'{_f(r["protocol3_mpjpe"])} / {_f(r["protocol3_p_mpjpe"])}'])
  a, b = rows_in['Regression#2'], rows_in['Regression#2 + G']
  rows.append(['gain of + G, (Reg#2 - Reg#2 + G) / (Reg#2 + G)'] + [
      _pct(_gain(a[k], b[k])) for k in
      ('protocol1_mpjpe', 'protocol2_p_mpjpe', 'protocol3_mpjpe')])
  return _table([title, 'Protocol #1 (MPJPE)', 'Protocol #2 (P-MPJPE)',
                 'Protocol #3 (MPJPE / P-MPJPE, camera 3)'], rows)


def table1_sgaug():
  return _table1_full('table1.json', 'MPJPE / P-MPJPE (mm), exact 2D')


def table1_sgaug_noisy():
  return _table1_full('table1_noisy.json', 'MPJPE / P-MPJPE (mm), noisy 2D')


def _pck(run):
  m = run['evaluation']['results']
  m = m[next(iter(m))]['mean']
  return f'{m["pck3d"]:.3f} / {m["auc"]:.3f}'


def _table1_c01(name, mpjpe, p_mpjpe, head):
  """One protocol's columns of a lambda = 0.1 Table 1 run, with 3DPCK/AUC."""
  d = _load(name)
  runs = {r['label']: r for r in d['runs'].values()
          if r.get('kind') != 'representation'}
  rows_in = d['summary']['rows']
  rows = [[label, _f(rows_in[key][mpjpe]), _f(rows_in[key][p_mpjpe]),
           _pck(runs[key])] for key, label in ROWS]
  a, b = rows_in['Regression#2'], rows_in['Regression#2 + G']
  rows.append(['gain of + G', _pct(_gain(a[mpjpe], b[mpjpe])),
               _pct(_gain(a[p_mpjpe], b[p_mpjpe])), ''])
  return _table(head + ['3DPCK@150 / AUC'], rows)


def table1_c01_p1():
  return _table1_c01('table1_c01_p1.json', 'protocol1_mpjpe',
                     'protocol2_p_mpjpe',
                     ['MPJPE / P-MPJPE (mm), exact 2D', 'Protocol #1 (MPJPE)',
                      'Protocol #2 (P-MPJPE)'])


def table1_c01_p3():
  return _table1_c01('table1_c01_p3.json', 'protocol3_mpjpe',
                     'protocol3_p_mpjpe',
                     ['Protocol #3 (camera 3), exact 2D', 'MPJPE', 'P-MPJPE'])


def _mm(record, inp):
  m = record['results'][inp]['mean']
  return f'{_f(m["mpjpe"])} / {_f(m["p_mpjpe"])}'


def table1_lambda1_and_noisy_training():
  rows = []
  for name, trained in (('table1_p1_partial.json', 'exact 2D'),
                        ('noisy_2d_training.json', 'noisy 2D')):
    for r in _load(name)['records']:
      label = {'regression2': 'Regression#2 (BL)',
               'regression2_g': 'Regression#2 + G'}[r['regressor']]
      g = {'table1_p1_partial.json': ' (G of `rep_long`)',
           'noisy_2d_training.json': ' (G of `rep_bl_sg_aug`)'}[name]
      rows.append([label + (g if r['regressor'] == 'regression2_g' else ''),
                   trained, _mm(r, 'exact'), _mm(r, 'noisy')])
  return _table(['MPJPE / P-MPJPE (mm), Protocol #1 / #2', 'trained on',
                 'exact test 2D', 'noisy test 2D'], rows)


# docs/results/ablation.md.

def ablation_maps():
  s = _load('ablation.json')['summary']
  rows = []
  for v in s['variants']:
    m = s['means'][v]
    label = 'BL+DG+AUG (the full method, `rep_long`)' if v == 'BL+DG+AUG' else (
        'BL (Regression#2, no G)' if v == 'BL' else v)
    gain = s['relative_gain_mpjpe_over_bl'].get(v)
    rows.append([label, _f(m['mpjpe']), _f(m['p_mpjpe']),
                 _pct(gain) if gain is not None else '-'])
  c01 = _load('table1_c01_p1.json')['summary']['rows']
  a, b = c01['Regression#2'], c01['Regression#2 + G']
  rows.append(['BL+DG+AUG at lambda = 0.1, 10,000 steps (`rep_dg_aug_c01`; '
               'not the same length as the others)', _f(b['protocol1_mpjpe']),
               _f(b['protocol2_p_mpjpe']),
               _pct(_gain(a['protocol1_mpjpe'], b['protocol1_mpjpe']))])
  return _table(['variant (Regression#2 [+ G])', 'MPJPE (mm)', 'P-MPJPE (mm)',
                 'gain over BL'], rows)


# docs/results/lifters.md.

def lifters_default():
  d = _load('default_lifter.json')
  rows = []
  for key, label in (
      ('full', '**coords full method (`full`, the default)**'),
      ('baseline1', 'Baseline#1 (`baseline1`)'),
      ('full_unaugmented', 'coords full method, no body augmentation'),
      ('baseline1_unaugmented', 'Baseline#1, no body augmentation'),
      ('map_full', 'map full method, Baseline#1 + G, no body augmentation')):
    t, p = d['test_split'][key], d['photos'][key]
    c = d['cross_body'].get(key, {}).get('noisy')
    rows.append([label,
                 f'{_f(t["noisy"]["mpjpe"])} / {_f(t["noisy"]["p_mpjpe"])}',
                 f'{_f(t["exact"]["mpjpe"])} / {_f(t["exact"]["p_mpjpe"])}',
                 f'{_f(c["held_out_mpjpe"])} / {_f(c["held_out_n_mpjpe"])}'
                 if c else '-',
                 f'{p["bone_length_error"]:.3f}',
                 f'{p["left_right_asymmetry"]:.3f}'])
  return _table(['lifter', 'test MPJPE / P-MPJPE (mm), noisy 2D', 'exact 2D',
                 'held-out bodies MPJPE / N-MPJPE, noisy', 'photos: '
                 'bone-length error', 'L/R asymmetry'], rows)


def lifters_photos():
  d = _load('photo_lifters.json')['lifters']
  rows = []
  for key, label, trained in (
      ('baseline1_exact', 'Baseline#1', 'exact 2D'),
      ('baseline1_noisy', 'Baseline#1', 'noisy 2D'),
      ('baseline1_g_noisy', 'Baseline#1 + G (G of `rep_bl_sg_aug`)',
       'noisy 2D'),
      ('reg2_noisy', 'Regression#2', 'noisy 2D'),
      ('reg2g_noisy', 'Regression#2 + G (G of `rep_bl_sg_aug`)', 'noisy 2D')):
    v = d[key]
    rows.append([label, trained, f'{v["bone_length_error"]:.3f}',
                 f'{v["left_right_asymmetry"]:.3f}'])
  return _table(['lifter (all labels, 5,000 steps)', 'trained on',
                 'photos: bone-length error', 'L/R asymmetry'], rows)


def lifters_latent_dropout():
  d = {r['name']: r for r in _load('baseline1_g_latent_dropout.json')[
      'records']}
  rows = []
  for key, label in (('b1', 'Baseline#1'),
                     ('b1g_c01_ld0', 'Baseline#1 + G'),
                     ('b1g_c01_ld0.5', 'Baseline#1 + G, latent dropout 0.5')):
    rows.append([label, _mm(d[key], 'noisy'), _mm(d[key], 'exact')])
  return _table(['trained on noisy 2D', 'MPJPE / P-MPJPE (mm), noisy 2D',
                 'exact 2D'], rows)


# docs/benchmarks.md.

def bench_data():
  d = _load('data.json', BENCH)
  p, q = d['prepare_data'], d['pair_pipeline']
  return _table(['what', 'measured', 'goal'], [
      [f'`prepare_data` on all {p["clips"]:,} clips', f'{p["wall_s"]} s wall',
       f'<= {p["goal"]["wall_s"]} s'],
      ['its peak memory (all processes)', f'{p["peak_rss_gib"]} GiB',
       f'<= {p["goal"]["peak_rss_gib"]:g} GiB'],
      [f'pair pipeline: maps + {int(100 * q["virtual_fraction"])}% virtual '
       f'cameras, batch {q["batch_size"]}',
       f'{q["pairs_per_s"]:,} pairs/s (median of '
       f'{len(q["pairs_per_s_windows"])} windows)',
       f'>= {q["goal_pairs_per_s"]:,} pairs/s']])


def bench_training():
  d = _load('training.json', BENCH)['train_representation']
  rows = []
  for key, label in (('paper', 'paper size (base_filters 32)'),
                     ('cpu_small', 'CPU size (base_filters 8)')):
    rows.append([label, f'{d["models"][key]["parameters"]:,}',
                 f'{d["examples_per_s"][key]}',
                 f'{d["flops_per_example"][key] / 1e9:.2f} G',
                 f'{100 * d["flops_ratio"][key]:.0f}%',
                 f'{d["peak_rss_gib"][key]:.2f} GiB'])
  return _table(['model', 'parameters', 'examples/s', 'FLOPs / example',
                 'achieved / matmul FLOP/s', 'peak memory'], rows)


def bench_coords_training():
  d = _load('training.json', BENCH)['train_coords_representation']
  rows = []
  for r in d['runs']:
    flat = ('not flat' if r['wall_s_to_flat'] is None else
            f'step {r["step_flat"]:,}, {r["wall_s_to_flat"] / 60:.1f} min')
    rows.append([f'`{r["flagfile"]}`', f'{r["train_steps"]:,}',
                 f'{r["wall_s"] / 60:.1f} min', f'{r["speedup"]:.2f}x',
                 ' / '.join(f'{c[2]:.3f}' for c in r['curve'][1::2]), flat,
                 'met' if r['goal_met'] else 'not met'])
  return _table(['flagfile', 'steps', 'wall', 'speed per step',
                 'test loss every 2,000 steps',
                 f'flat (< {100 * d["flat_tolerance"]:g}% change)',
                 f'flat within {d["goal_wall_s"] / 60:.0f} min'], rows)


def bench_export():
  d = _load('export.json', BENCH)
  rows = []
  for key, label in (('lifter', 'the committed default (`models/pretrained`)'),
                     ('lifter_paper', 'paper size (map encoder, base_filters '
                      '32; random weights)')):
    for form in ('tflite_fp32', 'tflite_fp16', 'tflite_int8', 'savedmodel',
                 'keras_xla', 'keras'):
      size = d.get(f'{key}.{form}.size_bytes')
      diff = d.get(f'{key}.{form}.max_abs_diff_mm')
      rows.append([label, form, f'{d[f"{key}.{form}.latency_ms"]}',
                   f'{d[f"{key}.{form}.poses_per_s"]:,.0f}',
                   f'{size / 1e6:.1f} MB' if size else '',
                   f'{diff:.3g} mm' if diff is not None else ''])
  return _table(['lifter', 'form', 'ms / pose, batch 1', 'poses/s, batch 256',
                 'size', 'max difference from Keras'], rows)


# page -> the tables it must hold.

# docs/results/cross_body.md.

def cross_body_stages():
  recs = _load('cross_body.json')['records']
  names = {'pretrained/lifter': 'full method (Regression#1 on G)',
           'baseline1/lifter': 'Baseline#1',
           'r1_oldg_nall': 'Regression#1 on the unaugmented G'}
  rows = []
  for inputs in ('noisy', 'exact'):
    for r in recs:
      if r['input'] != inputs:
        continue
      name = names[r['lifter']]
      if r['default']:
        name = f'**{name}, the default**'
      rows.append([r['stage'].replace('_', ' '), name, inputs,
                   _f(r['in_domain_mpjpe_mm']), _f(r['cross_body_mpjpe_mm']),
                   f'{r["ratio"]:.2f}',
                   f'{_f(r["in_domain_n_mpjpe_mm"])} / '
                   f'{_f(r["cross_body_n_mpjpe_mm"])}',
                   f'{r["n_mpjpe_ratio"]:.2f}'])
  return _table(['stage', 'lifter', '2D', 'own', 'held-out', 'x own',
                 'N-MPJPE own / held-out', 'x own'], rows)


# docs/skeleton_media.md.

def _media_efficiency(medium, inputs, name='data_efficiency.json'):
  recs = [r for r in _load(name)['records']
          if r['medium'] == medium and r['input'] == inputs]
  n_all = max(r['n'] for r in recs)  # all labels: the training-set size
  by = {(r['model'], 'all' if r['n'] == n_all else str(r['n'])): r
        for r in recs}
  rows = []
  for model, label in (('ours_shallow', 'OursShallow'),
                       ('baseline1', 'Baseline#1')):
    rows.append([label] + [f'{_f(by[model, n]["mpjpe_mm"])} / '
                           f'{_f(by[model, n]["p_mpjpe_mm"])}' for n in NS])
  gains = []
  for n in NS:
    o, b = by['ours_shallow', n], by['baseline1', n]
    gains.append(f'{_pct(_gain(b["mpjpe_mm"], o["mpjpe_mm"]))} / '
                 f'{_pct(_gain(b["p_mpjpe_mm"], o["p_mpjpe_mm"]))}')
  rows.append(['gain MPJPE / P-MPJPE'] + gains)
  return _table([''] + [f'N = {n}' for n in NS], rows)


def media_efficiency_coords_noisy():
  return _media_efficiency('coords', 'noisy')


def media_efficiency_coords_noisy_c01():
  return _media_efficiency('coords', 'noisy',
                           'data_efficiency_coords_noisy_c01.json')


def media_efficiency_coords_noisy_phimu():
  return _media_efficiency('coords', 'noisy',
                           'data_efficiency_coords_noisy_phimu.json')


def media_coords_settings():
  rows = []
  for r in _load('coords_settings_n500.json')['records']:
    rows.append([r['input'], r['setting'], f'`{r["representation_run"]}`',
                 f'{_f(r["ours_shallow_n500_mpjpe_mm"])} / '
                 f'{_f(r["ours_shallow_n500_p_mpjpe_mm"])}',
                 _f(r['baseline1_n500_mpjpe_mm']), _pct(r['gain_n500'])])
  return _table(['2D', 'representation', 'run',
                 'OursShallow, N = 500 (MPJPE / P-MPJPE)', 'Baseline#1',
                 'gain'], rows)


def media_efficiency_coords_noisy_gain01():
  return _media_efficiency('coords', 'noisy',
                           'data_efficiency_coords_noisy_gain01.json')


def _validation_records():
  return _load('regressor_validation.json')['records']


def regressor_validation_n500():
  recs = [r for r in _validation_records() if r['n'] == 500]
  gains = sorted({r['latent_gain'] for r in recs}, reverse=True)
  seeds = sorted({r['label_seed'] for r in recs})
  means = {}
  for g in gains:
    by = {r['label_seed']: r for r in recs if r['latent_gain'] == g}
    ours = [by[s]['ours_shallow_mpjpe_mm'] for s in seeds]
    base = [by[s]['baseline1_mpjpe_mm'] for s in seeds]
    means[g] = (ours, sum(ours) / len(ours), sum(base) / len(base))
  best = min(means, key=lambda g: means[g][1])  # bold: the chosen gain
  rows = []
  for g, (ours, mean_o, mean_b) in means.items():
    rows.append([f'{g:g}'] + [_f(x) for x in ours] +
                [f'**{_f(mean_o)}**' if g == best else _f(mean_o), _f(mean_b),
                 _pct(_gain(mean_b, mean_o))])
  return _table(['G gain'] + [f'label seed {s}' for s in seeds] +
                ['mean', 'Baseline#1 (mean)', 'gain'], rows)


def regressor_validation_by_n():
  recs = [r for r in _validation_records() if r['label_seed'] == 0]
  ns = sorted({r['n'] for r in recs})
  rows = []
  for g in (1.0, 0.1):
    by = {r['n']: r for r in recs if r['latent_gain'] == g}
    rows.append([f'OursShallow, gain {g:g}'] + [
        _f(by[n]['ours_shallow_mpjpe_mm']) if n in by else '' for n in ns])
  by = {r['n']: r for r in recs}
  rows.append(['Baseline#1'] + [_f(by[n]['baseline1_mpjpe_mm']) for n in ns])
  return _table([''] + [f'N = {n:,}' for n in ns], rows)


def media_efficiency_coords_exact():
  return _media_efficiency('coords', 'exact')


def media_efficiency_map_exact():
  return _media_efficiency('map', 'exact')


def media_efficiency_map_noisy():
  return _media_efficiency('map', 'noisy')


def _media_ablation(name):
  s = _load(name)['summary']
  order = ['BL', 'BL+AE', 'BL+SG', 'BL+SG+AUG', 'BL+DG+AUG']
  best = min(order, key=lambda v: s['means'][v]['mpjpe'])
  cells, gains = [], []
  for v in order:
    m = s['means'][v]
    cell = f'{_f(m["mpjpe"])} / {_f(m["p_mpjpe"])}'
    cells.append(f'**{cell}**' if v == best else cell)
    g = s['relative_gain_mpjpe_over_bl'].get(v)
    gains.append(_pct(g) if g is not None and v != 'BL' else '')
  return _table([''] + order, [['MPJPE / P-MPJPE (mm)'] + cells,
                               ['gain over BL'] + gains])


def media_ablation_r1():
  return _media_ablation('ablation_coords_r1_n500_noisy.json')


def media_ablation_r2():
  return _media_ablation('ablation_coords_r2_n500_noisy.json')


def media_default_lifter():
  d = _load('default_lifter.json')
  rows = []
  for key, label in (
      ('full', 'coords full method, Regression#1 on G (the default)'),
      ('baseline1', 'Baseline#1 (`models/baseline1`), trained the same way'),
      ('full_unaugmented', 'coords full method without body augmentation'),
      ('baseline1_unaugmented', 'Baseline#1 without body augmentation')):
    t, c = d['test_split'][key], d['cross_body'][key]['noisy']
    cells = [f'{_f(t["noisy"]["mpjpe"])} / {_f(t["noisy"]["p_mpjpe"])}',
             f'{_f(t["exact"]["mpjpe"])} / {_f(t["exact"]["p_mpjpe"])}',
             f'{_f(c["held_out_mpjpe"])} / {_f(c["held_out_p_mpjpe"])}']
    if key == 'full':
      cells = [f'**{x}**' for x in cells]
    rows.append([label] + cells)
  return _table(['lifter', 'noisy 2D', 'exact 2D',
                 'held-out bodies, noisy 2D'], rows)


def media_latent_constraints():
  rows = []
  for r in _load('latent_constraints.json')['records']:
    x, y, z = r['axis_variance_share']
    rows.append([
        f'{r["medium"]}, {r["setting"]} (`{r["representation_run"]}`)',
        _f(r['probe_g_mpjpe_mm']), _f(r['probe_g_noisy_mpjpe_mm']),
        f'{x:.2f} / {y:.2f} / {z:.2f}',
        f'{_f(r["mean_norm"])} / {_f(r["deviation_rms"])}',
        f'{r["rotation_consistent_share"]:.2f}',
        f'{_f(r["ours_shallow_n500_mpjpe_mm"])} / '
        f'{_f(r["baseline1_n500_mpjpe_mm"])} ({r["input"]})',
        _pct(r['gain_n500'])])
  return _table(['medium, setting', 'probe G (exact 2D)', 'probe G (noisy 2D)',
                 'G variance x / y / z', 'mean G norm / deviation',
                 'rotation-consistent share',
                 'OursShallow / Baseline#1, N = 500', 'gain'], rows)


# docs/results/table1_coords.md.

def table1_coords_exact():
  return _table1_full('table1_coords_exact.json',
                      'MPJPE / P-MPJPE (mm), exact 2D')


def table1_coords_noisy_c1():
  return _table1_full('table1_coords_noisy_c1.json',
                      'MPJPE / P-MPJPE (mm), noisy 2D, consistency weight 1')


def table1_coords_noisy_c1_coordinate():
  return _table1_full('table1_coords_noisy_c1_coordinate.json',
                      'MPJPE / P-MPJPE (mm), noisy 2D, weight 1, Regression#2 '
                      '+ G on G per coordinate')


def table1_coords_exact_coordinate():
  return _table1_full('table1_coords_exact_coordinate.json',
                      'MPJPE / P-MPJPE (mm), exact 2D, Regression#2 + G on G '
                      'per coordinate')


def table1_coords_noisy():
  return _table1_full('table1_coords_noisy.json',
                      'MPJPE / P-MPJPE (mm), noisy 2D')

PAGES = {
    'README.md': [readme_glance],
    'docs/results/data_efficiency_maps.md': [data_efficiency_maps],
    'docs/results/table1.md': [table1_sgaug, table1_sgaug_noisy,
                               table1_c01_p1, table1_c01_p3,
                               table1_lambda1_and_noisy_training],
    'docs/results/ablation.md': [ablation_maps],
    'docs/results/lifters.md': [lifters_default, lifters_photos,
                                lifters_latent_dropout],
    'docs/benchmarks.md': [bench_data, bench_training, bench_coords_training,
                           bench_export],
    'docs/results/cross_body.md': [cross_body_stages],
    'docs/results/table1_coords.md': [table1_coords_exact,
                                      table1_coords_noisy,
                                      table1_coords_noisy_c1,
                                      table1_coords_noisy_c1_coordinate,
                                      table1_coords_exact_coordinate],
    'docs/results/regressor_validation.md': [regressor_validation_n500,
                                             regressor_validation_by_n],
    'docs/skeleton_media.md': [
        media_efficiency_coords_noisy, media_efficiency_coords_noisy_c01,
        media_efficiency_coords_noisy_phimu, media_efficiency_coords_noisy_gain01,
        media_efficiency_coords_exact, media_coords_settings,
        bench_coords_training,
        media_efficiency_map_exact, media_efficiency_map_noisy,
        media_ablation_r1, media_ablation_r2,
        media_default_lifter, media_latent_constraints],
}


if __name__ == '__main__':
  for page, fns in PAGES.items():
    for fn in fns:
      print(f'<!-- {page}: {fn.__name__} -->\n{fn()}\n')
