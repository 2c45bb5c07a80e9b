"""Experiment plans, the resumable runner, result collection and figures."""

import json
import os
import stat
import sys

import pytest

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.experiments import ablation, data_efficiency, runner, table1
from geo_rep_tf.experiments.spec import RunSpec
from geo_rep_tf.variants import ABLATION

PNG = b'\x89PNG\r\n\x1a\n'


def test_data_efficiency_plan():
  plan = data_efficiency.plan('rep', (50, 0))
  assert [s.name for s in plan] == ['regression1_n50', 'baseline1_n50',
                                    'regression1_nall', 'baseline1_nall']
  assert plan[0].flags == dict(regressor='regression1', num_labels='50',
                               cameras='0,1,2,3', representation_dir='rep')
  assert 'representation_dir' not in plan[1].flags
  assert [s.label for s in plan[:2]] == ['OursShallow', 'Baseline#1']
  assert data_efficiency.LABELS == (50, 500, 2500, 5000, 25000, 0)
  with pytest.raises(ArgumentError, match='representation'):
    data_efficiency.plan('', (50,))


def test_ablation_plan():
  plan = ablation.plan({'BL+SG': 'a', 'BL+AE': 'b'}, 500)
  assert [(s.label, s.flags['regressor'], s.flags.get('representation_dir'))
          for s in plan] == [('BL', 'regression2', None),
                             ('BL+AE', 'regression2_g', 'b'),
                             ('BL+SG', 'regression2_g', 'a')]
  assert all(s.flags['num_labels'] == '500' for s in plan)
  with pytest.raises(ArgumentError, match='multi-view images'):
    ablation.plan({'BL+I_SG': 'x'})
  # Regression#1 as BL: Baseline#1, then Regression#1 on each G, named
  # apart from the Regression#2 runs.
  plan = ablation.plan({'BL+SG': 'a'}, 500, regressor='regression1')
  assert [(s.name, s.flags['regressor']) for s in plan] == [
      ('r1_bl_n500', 'baseline1'), ('r1_bl_sg_n500', 'regression1')]
  with pytest.raises(ArgumentError, match='ablation regressor'):
    ablation.plan({'BL+SG': 'a'}, regressor='regression3')


def test_table1_plan():
  plan = table1.plan('rep', holdout_camera=1)
  assert plan[0].kind == 'representation' and plan[0].flags == dict(
      cameras='0,2,3')
  by_name = {s.name: s for s in plan}
  p3 = by_name['regression2_g_p3_nall']
  assert p3.flags['cameras'] == '0,2,3' and p3.test_cameras == (1,)
  assert p3.representation == 'representation_p3' and p3.protocol == 'P3'
  assert by_name['regression2_p3_nall'].representation is None
  assert by_name['regression1_p1_nall'].flags['representation_dir'] == 'rep'
  assert len(plan) == 7
  with pytest.raises(ArgumentError, match='holdout'):
    table1.plan('rep', holdout_camera=4)
  # Protocols #1/#2 only: no 3-camera representation; the same run specs.
  p1 = table1.plan('rep', holdout_camera=1, protocols=('P1',))
  assert [s.name for s in p1] == [s.name for s in plan if s.protocol == 'P1'
                                  and s.kind == 'regressor']
  assert all(s.flags == by_name[s.name].flags for s in p1)
  p3 = table1.plan(None, holdout_camera=1, protocols=('P3',))
  assert [s.name for s in p3] == [s.name for s in plan if s.protocol == 'P3']
  for bad in ((), ('P2',)):
    with pytest.raises(ArgumentError, match='protocols'):
      table1.plan('rep', protocols=bad)


def _fake_evaluate(spec, model_dir):
  n = spec.num_labels or 10_000
  base = 100.0 if spec.flags['regressor'] in ('baseline1', 'regression2') \
      else 80.0
  err = base + 1000.0 / n ** 0.5
  return dict(test_cameras=list(spec.test_cameras or (0, 1, 2, 3)),
              results={'exact': dict(count=10, mean=dict(
                  mpjpe=err, p_mpjpe=0.7 * err, n_mpjpe=0.9 * err,
                  pck3d=0.9, auc=0.5))})


def test_run_plan_resumes_and_collects(tmp_path):
  plan = data_efficiency.plan('rep', (50, 500, 0))
  trained = []

  def train(spec, model_dir):
    if spec.name == 'regression1_n500' and not trained.count('killed'):
      trained.append('killed')
      raise KeyboardInterrupt  # killed in the middle of the 3rd run
    trained.append(spec.name)

  with pytest.raises(KeyboardInterrupt):
    runner.run_plan(plan, str(tmp_path), train, _fake_evaluate,
                    log=lambda s: None)
  assert sorted(os.listdir(tmp_path / 'results')) == [
      'baseline1_n50.json', 'regression1_n50.json']
  done = runner.run_plan(plan, str(tmp_path), train, _fake_evaluate,
                         log=lambda s: None)
  assert done['skipped'] == ['regression1_n50', 'baseline1_n50']
  assert done['trained'] == [s.name for s in plan[2:]]
  assert trained == ['regression1_n50', 'baseline1_n50', 'killed'] + [
      s.name for s in plan[2:]]

  def no_training(spec, model_dir):
    raise AssertionError(f'{spec.name} trained again')

  again = runner.run_plan(plan, str(tmp_path), no_training,
                          _fake_evaluate, log=lambda s: None)
  assert again['trained'] == [] and len(again['skipped']) == 6
  record = json.loads((tmp_path / 'results' / 'baseline1_n50.json')
                      .read_text())
  assert record['model_dir'] == str(tmp_path / 'runs' / 'baseline1_n50')
  summary = data_efficiency.summarise(again['results'], n_all=10_000)
  assert summary['num_labels'] == ['50', '500', 'all']
  ours = summary['methods']['OursShallow']['50']['mpjpe']
  base = summary['methods']['Baseline#1']['50']['mpjpe']
  assert summary['relative_gain']['mpjpe']['50'] == pytest.approx(
      (base - ours) / ours)
  assert summary['gain_formula'] == '(baseline - ours) / ours'
  assert 'gain MPJPE' in data_efficiency.format_summary(summary)
  data_efficiency.plot(summary, str(tmp_path / 'fig5.png'))
  assert (tmp_path / 'fig5.png').read_bytes()[:8] == PNG


def test_run_plan_links_representation_runs(tmp_path):
  plan = table1.plan('rep', regressors=(
      ('Regression#2 + G', 'regression2_g'),))
  seen = {}

  def train(spec, model_dir):
    seen[spec.name] = dict(spec.flags)

  done = runner.run_plan(plan, str(tmp_path), train, _fake_evaluate,
                         log=lambda s: None)
  assert seen['regression2_g_p3_nall']['representation_dir'] == str(
      tmp_path / 'runs' / 'representation_p3')
  assert seen['regression2_g_p1_nall']['representation_dir'] == 'rep'
  assert 'evaluation' not in done['results']['representation_p3']
  summary = table1.summarise(done['results'])
  row = summary['rows']['Regression#2 + G']
  assert row['protocol3_test_cameras'] == [3]
  assert row['protocol2_p_mpjpe'] == pytest.approx(
      0.7 * row['protocol1_mpjpe'])
  assert 'P#3 MPJPE' in table1.format_summary(summary)
  with pytest.raises(ArgumentError, match='earlier in the plan'):
    runner.run_plan(plan[1:], str(tmp_path / 'x'), train,
                    _fake_evaluate, log=lambda s: None)


def test_ablation_summary_and_plot(tmp_path):
  plan = ablation.plan({v: 'r' for v in ABLATION[1:]})
  done = runner.run_plan(plan, str(tmp_path), lambda s, d: None,
                         _fake_evaluate, log=lambda s: None)
  summary = ablation.summarise(done['results'])
  assert summary['variants'] == list(ABLATION)
  # Fake errors: BL 100 + 10 mm, with G 80 + 10 mm.
  assert summary['relative_gain_mpjpe_over_bl']['BL+DG+AUG'] == pytest.approx(
      (110 - 90) / 90)
  assert 'BL+I_SG' in summary['not_run']
  assert 'not run' in ablation.format_summary(summary)
  ablation.plot(summary, str(tmp_path / 'fig6.png'))
  assert (tmp_path / 'fig6.png').read_bytes()[:8] == PNG


def test_corrupt_result_file_names_itself(tmp_path):
  plan = [RunSpec('a', 'regressor', {'regressor': 'regression2'})]
  (tmp_path / 'results').mkdir()
  (tmp_path / 'results' / 'a.json').write_text('{')
  with pytest.raises(DataError, match='a.json'):
    runner.run_plan(plan, str(tmp_path), None, None, log=lambda s: None)


def _fake_tool(directory, name, body):
  path = directory / name
  path.write_text(body)
  path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_subprocess_trainer_command_line(tmp_path):
  tools = tmp_path / 'tools'
  tools.mkdir()
  _fake_tool(tools, 'train_regressor.py',
             'import json, sys\nprint(json.dumps(sys.argv[1:]))\n')
  _fake_tool(tools, 'train_representation.py',
             'import sys\nprint("boom")\nsys.exit(3)\n')
  train = runner.subprocess_trainer(
      str(tools), 'proto', ['--flagfile=f.cfg', '--train_steps=7'],
      python=sys.executable,
      regressor_type_args={'regression2_g': ['--latent_scale=coordinate']})
  spec = RunSpec('r', 'regressor', dict(regressor='baseline1'))
  train(spec, str(tmp_path / 'r'))
  log = (tmp_path / 'r' / 'train.log').read_text().splitlines()
  assert json.loads(log[-1]) == [
      '--flagfile=f.cfg', '--train_steps=7', '--protocol_dir=proto',
      f'--model_dir={tmp_path / "r"}', '--regressor=baseline1']
  # A type's own flags reach that type's runs only, after the shared ones.
  train(RunSpec('g', 'regressor', dict(regressor='regression2_g')),
        str(tmp_path / 'g'))
  log = (tmp_path / 'g' / 'train.log').read_text().splitlines()
  assert json.loads(log[-1]) == [
      '--flagfile=f.cfg', '--train_steps=7', '--latent_scale=coordinate',
      '--protocol_dir=proto', f'--model_dir={tmp_path / "g"}',
      '--regressor=regression2_g']
  with pytest.raises(DataError, match='boom'):
    train(RunSpec('p', 'representation', {}), str(tmp_path / 'p'))


def test_registry_lists_each_experiment_once():
  from geo_rep_tf.experiments import registry
  assert list(registry.EXPERIMENTS) == ['data_efficiency', 'ablation',
                                        'table1']
  assert registry.get('ablation') is ablation.EXPERIMENT
  for e in registry.EXPERIMENTS.values():
    assert callable(e.plan) and callable(e.summarise) and callable(e.format)
  assert registry.EXPERIMENTS['table1'].plot is None
  with pytest.raises(ArgumentError, match='unknown experiment'):
    registry.get('fig4')


def test_options_take_one_num_labels_where_needed():
  from geo_rep_tf.experiments.spec import ExperimentOptions
  options = ExperimentOptions(representation_dir='rep',
                              representation_dirs={'BL+SG': 's'},
                              num_labels=(50, 0))
  assert len(data_efficiency.EXPERIMENT.plan(options)) == 4
  for experiment in (ablation.EXPERIMENT, table1.EXPERIMENT):
    with pytest.raises(ArgumentError, match='takes one --num_labels'):
      experiment.plan(options)
  with pytest.raises(ArgumentError, match='--representation_dirs'):
    ablation.EXPERIMENT.plan(ExperimentOptions())
  assert ExperimentOptions(noisy_2d=True).inputs == 'noisy'


def test_run_experiment_writes_summary_json_and_png(tmp_path):
  from geo_rep_tf.experiments.spec import ExperimentOptions
  protocol_dir = tmp_path / 'protocol'
  protocol_dir.mkdir()
  (protocol_dir / 'manifest.json').write_text(json.dumps(dict(
      shards={}, config={}, counts=dict(train=dict(samples_visible=12345)))))
  seen, logs = [], []

  def train(spec, model_dir):
    seen.append((spec.name, spec.flags['label_seed']))

  out = tmp_path / 'exp'
  options = ExperimentOptions(representation_dir='rep', num_labels=(50, 0),
                              label_seed=3)
  data = runner.run_experiment(data_efficiency.EXPERIMENT, options,
                               str(out), str(protocol_dir), train,
                               _fake_evaluate, log=logs.append)
  assert seen == [(n, '3') for n in ('regression1_n50', 'baseline1_n50',
                                     'regression1_nall', 'baseline1_nall')]
  assert data['summary']['n_all'] == 12345
  assert json.loads((out / 'data_efficiency.json').read_text()) == data
  assert (out / 'data_efficiency.png').read_bytes()[:8] == PNG
  assert 'gain MPJPE' in '\n'.join(logs)
  assert logs[-1].startswith('trained 4 runs now, 0 were done before')
  options = ExperimentOptions(representation_dir='rep', protocols=('P1',))
  data = runner.run_experiment(table1.EXPERIMENT, options,
                               str(tmp_path / 't1'), str(protocol_dir), train,
                               _fake_evaluate, log=logs.append)
  assert set(data['summary']['rows']) == {'Regression#1', 'Regression#2',
                                          'Regression#2 + G'}
  assert not (tmp_path / 't1' / 'table1.png').exists()
