"""The package's layers: every import points down (docs/design.md, "Layout").

Read from the source with `ast`, so imports inside functions count too.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / 'geo_rep_tf'

_BOTTOM = {'errors', 'utils'}
_BELOW_MODELS = _BOTTOM | {'geometry', 'variants', 'data', 'eval'}
# Folder (or top-level module) of geo_rep_tf -> what it may import.
ALLOWED = {
    'errors': set(),
    'utils': {'errors'},
    'variants': {'errors'},
    'geometry': _BOTTOM,
    'viz': _BOTTOM | {'geometry'},
    'data': _BOTTOM | {'geometry'},
    'eval': _BOTTOM | {'geometry', 'data'},
    'losses': _BOTTOM | {'geometry', 'variants'},
    'models': _BOTTOM | {'geometry', 'variants'},
    'runs': _BELOW_MODELS | {'models'},
    'training': _BELOW_MODELS | {'models', 'runs', 'losses', 'viz'},
    'export': _BELOW_MODELS | {'models', 'runs'},
    'inference': _BELOW_MODELS | {'models', 'runs', 'export', 'viz'},
    'experiments': _BELOW_MODELS | {'models', 'runs', 'viz', 'training'},
    'cli': _BELOW_MODELS | {'runs', 'training'},
}
# Binaries that may import the training library; the rest only load runs.
TRAINING_TOOLS = {'train_representation.py', 'train_regressor.py',
                  'train_hourglass.py'}


def _imported(path: pathlib.Path):
  """(line, geo_rep_tf sub-package or top-level module) of every import."""
  for node in ast.walk(ast.parse(path.read_text())):
    if isinstance(node, ast.ImportFrom) and node.module:
      parts = node.module.split('.')
      if parts[0] != 'geo_rep_tf':
        continue
      if len(parts) > 1:
        yield node.lineno, parts[1]
      else:  # from geo_rep_tf import x
        for alias in node.names:
          yield node.lineno, alias.name
    elif isinstance(node, ast.Import):
      for alias in node.names:
        parts = alias.name.split('.')
        if parts[0] == 'geo_rep_tf' and len(parts) > 1:
          yield node.lineno, parts[1]


def _layer(path: pathlib.Path) -> str:
  rel = path.relative_to(PACKAGE).parts
  return rel[0] if len(rel) > 1 else rel[0][:-len('.py')]


def _library_files():
  return sorted(p for p in PACKAGE.rglob('*.py') if p.name != '__init__.py'
                or p.parent != PACKAGE)


def test_every_library_folder_has_a_place_in_the_layers():
  layers = {_layer(p) for p in _library_files()}
  assert layers <= set(ALLOWED), sorted(layers - set(ALLOWED))


@pytest.mark.parametrize('path', _library_files(),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
  layer = _layer(path)
  bad = [f'{path.relative_to(ROOT)}:{line} imports geo_rep_tf.{target}'
         for line, target in _imported(path)
         if target != layer and target not in ALLOWED.get(layer, set())]
  assert not bad, '\n'.join(bad)


def test_only_the_training_binaries_import_the_training_library():
  offenders = []
  for path in sorted((ROOT / 'tools').glob('*.py')):
    if path.name in TRAINING_TOOLS:
      continue
    for line, target in _imported(path):
      if target == 'training':
        offenders.append(f'tools/{path.name}:{line}')
  # The binaries' shared flags must not pull it in either (only
  # cli/trainer_flags.py, which the training binaries import, does).
  for path in sorted((PACKAGE / 'cli').glob('*.py')):
    if path.name == 'trainer_flags.py':
      continue
    for line, target in _imported(path):
      if target == 'training':
        offenders.append(f'geo_rep_tf/cli/{path.name}:{line}')
  assert not offenders, offenders


def test_the_import_checker_sees_function_level_imports(tmp_path):
  source = tmp_path / 'x.py'
  source.write_text('def f():\n  from geo_rep_tf.training import trainer\n'
                    'import geo_rep_tf.models.pose_lifter\n'
                    'from geo_rep_tf import cli, variants\n')
  assert sorted(_imported(source)) == [(2, 'training'), (3, 'models'),
                                       (4, 'cli'), (4, 'variants')]
