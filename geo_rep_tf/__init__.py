"""geo_rep_tf: weakly-supervised geometry-aware representation for 3D pose."""

__version__ = '0.1.0'
