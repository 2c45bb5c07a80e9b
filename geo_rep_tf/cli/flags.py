"""Flags shared by the binaries, and their conversion to configs.

Part of the binaries' layer (`geo_rep_tf.cli`): it defines and reads absl
flags, which no library module does, and nothing in the library imports it.
Every binary imports it the same way, whether it runs as
`python tools/x.py` or as an installed `geo-rep-x` console script:

  from geo_rep_tf.cli import flags as cli_flags

The training flags live in `trainer_flags`, which only the training
binaries import (it imports the training library).
"""

from absl import flags

from geo_rep_tf.errors import ArgumentError

FLAGS = flags.FLAGS


def flags_text() -> str:
  """The binary's own flags as a valid flagfile (rerun with --flagfile=)."""
  lines = []
  for module, module_flags in sorted(FLAGS.flags_by_module_dict().items()):
    if module.startswith('absl.') or 'tensorflow' in module:
      continue
    for f in sorted(module_flags, key=lambda f: f.name):
      if f.value is not None:
        lines.append(f.serialize())
  return '\n'.join(lines) + '\n'


def name_value_pairs(items, flag: str, form: str = 'NAME=VALUE') -> dict:
  """{name: value} of a list flag of NAME=VALUE items, in order.

  Raises:
    ArgumentError naming the flag: an item without '=' or with an empty
      side, or a name given twice.
  """
  out = {}
  for item in items:
    name, sep, value = item.partition('=')
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
      raise ArgumentError(f'--{flag}: expected {form}, got {item!r}')
    if name in out:
      raise ArgumentError(f'--{flag}: {name!r} given twice')
    out[name] = value
  return out


def cameras_flag_value(text: str, num_cameras: int = 4):
  """'0,1,2' -> (0, 1, 2): distinct rig camera indices, else ArgumentError."""
  try:
    cams = tuple(int(c) for c in text.split(',') if c.strip())
  except ValueError:
    raise ArgumentError(f'--cameras={text}: expected comma-separated camera '
                        'indices such as 0,1,2') from None
  if not cams or len(set(cams)) != len(cams) or not all(
      0 <= c < num_cameras for c in cams):
    raise ArgumentError(f'--cameras={text}: expected distinct camera indices '
                        f'in 0..{num_cameras - 1}')
  return cams
