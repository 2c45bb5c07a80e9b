"""Every binary on bad input: exit code 2, one `error:` line, no traceback.

The fast test runs the cases marked `fast` (one subprocess each, a few
seconds apiece); the slow one runs all of them and checks docs/bad_inputs.md
against the messages seen (GEO_REP_TF_WRITE_DOCS=1 rewrites the file).
"""

import os
import re
import subprocess
import sys

import pytest

from tests.reliability import bad_inputs

DOC = os.path.join(bad_inputs.REPO, 'docs', 'bad_inputs.md')
TOOLS = os.path.join(bad_inputs.REPO, 'tools')
HEADER = """# Bad inputs and the messages they give

Every case below was run as a subprocess by
`tests/reliability/test_bad_inputs_cli.py` (`pytest -m slow -k bad_inputs`;
the marked cases also run in the default suite). Each exits with code 2,
prints exactly one line starting `error:` on stderr and no traceback.
`$BAD` is a directory of broken files the test makes, `$PROTOCOL` a valid tiny
prepared protocol. Regenerate with
`GEO_REP_TF_WRITE_DOCS=1 .venv/bin/python -m pytest -m slow
tests/reliability/test_bad_inputs_cli.py`.

| # | binary | bad input | arguments | message (stderr) |
|---|---|---|---|---|
"""


@pytest.fixture(scope='module')
def places(tiny_protocol, tmp_path_factory):
  bad = str(tmp_path_factory.mktemp('bad_inputs'))
  bad_inputs.make_bad_files(bad, tiny_protocol)
  return dict(bad=bad, protocol=tiny_protocol, sample=bad_inputs.SAMPLE,
              photo=bad_inputs.PHOTO,
              rigs=os.path.join(bad_inputs.REPO, 'examples', 'rigs'))


def _run(case, places):
  args = [a.format(**places) for a in case.args]
  proc = subprocess.run([sys.executable, os.path.join(TOOLS, case.tool + '.py'),
                         *args], capture_output=True, text=True, timeout=600,
                        cwd=places['bad'])
  assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
  assert proc.returncode == 2, (case.what, proc.returncode, proc.stderr[-2000:])
  lines = [l for l in proc.stderr.splitlines() if l.startswith('error:')]
  assert len(lines) == 1, (case.what, proc.stderr[-2000:])
  for fragment in case.expect:
    assert fragment.format(**places) in lines[0], (case.what, lines[0])
  return lines[0]


def _shown(text, places):
  """Replaces the test's temporary paths with $BAD / $PROTOCOL."""
  text = text.replace(places['protocol'], '$PROTOCOL')
  text = text.replace(places['bad'], '$BAD')
  text = text.replace(bad_inputs.REPO + os.sep, '')
  return text.replace('|', '\\|')


def _row(i, case, message, places):
  args = ' '.join(_shown(a.format(**places), places) for a in case.args)
  return (f'| {i} | {case.tool} | {case.what} | `{args}` | '
          f'`{_shown(message, places)}` |')


def test_at_least_100_cases_across_the_binaries_and_documented():
  assert len(bad_inputs.CASES) >= 100
  tools = {c.tool for c in bad_inputs.CASES}
  assert tools >= {'prepare_data', 'visualize_pairs', 'train_regressor',
                   'train_hourglass', 'train_representation', 'evaluate',
                   'export', 'infer', 'compare_lifters', 'run_experiment',
                   'fetch_models', 'probe_representation',
                   'report_representation', 'collect_data_efficiency',
                   'interpolate', 'collect_cross_body'}
  doc = open(DOC).read()
  for i, case in enumerate(bad_inputs.CASES, 1):
    assert f'| {i} | {case.tool} | {case.what} |' in doc, case.what


@pytest.mark.parametrize('case', [c for c in bad_inputs.CASES if c.fast],
                         ids=lambda c: f'{c.tool}:{c.what}')
def test_fast_cases(case, places):
  _run(case, places)


@pytest.mark.slow
def test_every_case_and_the_table(places):
  rows, failures = [], []
  for i, case in enumerate(bad_inputs.CASES, 1):
    try:
      rows.append(_row(i, case, _run(case, places), places))
    except AssertionError as e:
      failures.append(f'{case.tool}: {case.what}: {e}')
  assert not failures, '\n'.join(failures)
  table = HEADER + '\n'.join(rows) + '\n'
  if os.environ.get('GEO_REP_TF_WRITE_DOCS'):
    with open(DOC, 'w') as f:
      f.write(table)
  # Messages may carry numbers that vary (byte counts); compare the rest.
  strip = lambda s: re.sub(r'\d+', 'N', s)
  assert strip(open(DOC).read()) == strip(table), (
      'docs/bad_inputs.md is out of date; rerun with GEO_REP_TF_WRITE_DOCS=1')
