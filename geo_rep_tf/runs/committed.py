"""Where the lifters committed to the repository are, defined once.

They live in `models/` of a source checkout, beside the `geo_rep_tf`
package: `models/pretrained/lifter` is the default lifter (the full method:
Regression#1 on G from the coords BL+DG+AUG encoder in
`models/pretrained/representation`) and `models/baseline1/lifter` the same
network on the 2D alone.
They also answer to a name (`LIFTER_NAMES`): `full` and `baseline1`.

An installed package (`pip install .`, a wheel) carries the same folders as
the top-level package `geo_rep_tf_models` (setup.py), used when there is no
`models/` beside the package. Where neither exists the paths point at
nothing, and `load_lifter` raises a DataError that says so (`missing_hint`)
instead of failing at import.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
from typing import Optional

# The directory above the package: the repository root in a source
# checkout or an editable install; site-packages in a wheel install.
SOURCE_ROOT = pathlib.Path(__file__).resolve().parents[2]


def _models_dir() -> str:
  """models/ of the checkout, else the installed `geo_rep_tf_models`."""
  checkout = SOURCE_ROOT / 'models'
  if (checkout / 'pretrained').is_dir():
    return str(checkout)
  spec = importlib.util.find_spec('geo_rep_tf_models')
  if spec is not None and spec.submodule_search_locations:
    return str(list(spec.submodule_search_locations)[0])
  return str(checkout)


MODELS_DIR = _models_dir()
DEFAULT_LIFTER_DIR = os.path.join(MODELS_DIR, 'pretrained', 'lifter')
BASELINE1_LIFTER_DIR = os.path.join(MODELS_DIR, 'baseline1', 'lifter')
LIFTER_NAMES = {'full': DEFAULT_LIFTER_DIR, 'baseline1': BASELINE1_LIFTER_DIR}


def lifter_path(path: Optional[str]) -> str:
  """A lifter argument as a path: None -> the default, a name of
  `LIFTER_NAMES` -> its committed directory (unless a file or folder of that
  name exists in the working directory), anything else unchanged."""
  if not path:
    return DEFAULT_LIFTER_DIR
  if path in LIFTER_NAMES and not os.path.exists(path):
    return LIFTER_NAMES[path]
  return path


def missing_hint(path: str) -> str:
  """Why a committed lifter at `path` is absent ('' for any other path)."""
  committed = {os.path.abspath(p) for p in (DEFAULT_LIFTER_DIR,
                                            *LIFTER_NAMES.values())}
  if os.path.abspath(path) not in committed:
    return ''
  return (' (the committed lifters are neither in models/ of a source '
          f'checkout nor installed with the package ({MODELS_DIR} is absent); '
          'reinstall with `pip install .` from a clone, or train one with '
          'tools/train_regressor.py and pass its directory)')
