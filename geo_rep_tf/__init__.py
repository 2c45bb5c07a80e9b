"""geo_rep_tf: weakly-supervised geometry-aware representation for 3D pose."""

import os as _os

# TensorFlow's C++ info lines drown the tools' own output; a user's own
# setting wins.
_os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

__version__ = '0.1.0'
