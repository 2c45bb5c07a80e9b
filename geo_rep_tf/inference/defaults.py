"""Default locations of the inference models, defined once.

- The 3D lifter: a regressor run directory (config.json + checkpoint), by
  default `models/pretrained/lifter` in the repository (the full method: G
  from the BL+DG+AUG encoder in `models/pretrained/representation`, plus
  the 2D). Committed lifters also answer to a name (`LIFTER_NAMES`):
  `full` (the default) and `baseline1` (`models/baseline1/lifter`, the same
  regressor on the 2D alone).
- The BlazePose models: a cache directory filled by `tools/fetch_models.py`,
  by default `~/.cache/geo_rep_tf/models`, overridden by the environment
  variable `GEO_REP_TF_MODELS` (and by the binaries' `--models_dir`).
"""

from __future__ import annotations

import os
import pathlib
from typing import Optional

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_LIFTER_DIR = str(REPO_ROOT / 'models' / 'pretrained' / 'lifter')
BASELINE1_LIFTER_DIR = str(REPO_ROOT / 'models' / 'baseline1' / 'lifter')
LIFTER_NAMES = {'full': DEFAULT_LIFTER_DIR, 'baseline1': BASELINE1_LIFTER_DIR}

MODELS_ENV = 'GEO_REP_TF_MODELS'
_DEFAULT_MODELS_DIR = os.path.join('~', '.cache', 'geo_rep_tf', 'models')

# Where the BlazePose models come from: the MediaPipe wheel (Apache-2.0),
# read as a zip archive; mediapipe itself is never installed or imported.
MEDIAPIPE_VERSION = '0.10.21'
# file name in the cache -> (path inside the wheel, sha256 of the file).
BLAZEPOSE_FILES = {
    'pose_detection.tflite': (
        'mediapipe/modules/pose_detection/pose_detection.tflite',
        '9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c'),
    'pose_landmark_full.tflite': (
        'mediapipe/modules/pose_landmark/pose_landmark_full.tflite',
        'e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f'),
}
LICENSE_FILE = 'LICENSE.mediapipe.txt'
MANIFEST_FILE = 'manifest.json'


def lifter_path(path: Optional[str]) -> str:
  """A lifter argument as a path: None -> the default, a name of
  `LIFTER_NAMES` -> its committed directory (unless a file or folder of that
  name exists in the working directory), anything else unchanged."""
  if not path:
    return DEFAULT_LIFTER_DIR
  if path in LIFTER_NAMES and not os.path.exists(path):
    return LIFTER_NAMES[path]
  return path


def models_dir(override: Optional[str] = None) -> str:
  """The BlazePose cache: `override`, else $GEO_REP_TF_MODELS, else ~/.cache."""
  path = override or os.environ.get(MODELS_ENV) or _DEFAULT_MODELS_DIR
  return os.path.abspath(os.path.expanduser(path))
