"""Default locations of the inference models, defined once.

- The 3D lifter: `geo_rep_tf.runs.committed` says where the committed ones
  are (`models/` of a source checkout; `full`, the default, and
  `baseline1`).
- The BlazePose models: a cache directory filled by `tools/fetch_models.py`,
  by default `~/.cache/geo_rep_tf/models`, overridden by the environment
  variable `GEO_REP_TF_MODELS` (and by the binaries' `--models_dir`).
"""

from __future__ import annotations

import os
from typing import Optional

from geo_rep_tf.runs import committed

# Files of a source checkout (sample photos, bench results) hang off it; the
# committed models are found through `runs.committed`, which copes with
# their absence in an installed package.
REPO_ROOT = committed.SOURCE_ROOT

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


def models_dir(override: Optional[str] = None) -> str:
  """The BlazePose cache: `override`, else $GEO_REP_TF_MODELS, else ~/.cache."""
  path = override or os.environ.get(MODELS_ENV) or _DEFAULT_MODELS_DIR
  return os.path.abspath(os.path.expanduser(path))
