"""One Euro filters and the tracker that gives each video person their own."""

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.inference import smoothing


def _run(filt, xs, fps=30.0):
  return np.array([filt(x, i / fps) for i, x in enumerate(xs)])


def test_still_noise_is_smoothed_and_the_filter_is_causal():
  rng = np.random.default_rng(0)
  xs = 100.0 + rng.normal(0, 2.0, (90, 16, 3))
  out = _run(smoothing.OneEuroFilter(smoothing.DEFAULT_3D), xs)
  jitter_in = np.abs(np.diff(xs[30:], axis=0)).mean()
  jitter_out = np.abs(np.diff(out[30:], axis=0)).mean()
  assert jitter_out < 0.2 * jitter_in
  changed = xs.copy()
  changed[60:] += 500.0  # the future does not change the past
  again = _run(smoothing.OneEuroFilter(smoothing.DEFAULT_3D), changed)
  np.testing.assert_array_equal(again[:60], out[:60])


def test_fast_motion_opens_the_filter():
  # A joint moving at 1 m/s: with beta the lag is a fraction of what the
  # cutoff at rest alone gives.
  xs = np.arange(60)[:, None] * (1000.0 / 30)
  slow = _run(smoothing.OneEuroFilter(smoothing.OneEuroConfig(
      smoothing.DEFAULT_3D.min_cutoff, 0.0)), xs)
  fast = _run(smoothing.OneEuroFilter(smoothing.DEFAULT_3D), xs)
  lag_slow = xs[-1, 0] - slow[-1, 0]
  lag_fast = xs[-1, 0] - fast[-1, 0]
  assert lag_fast < 0.5 * lag_slow


def test_bad_parameters_are_refused():
  with pytest.raises(ArgumentError, match='min_cutoff'):
    smoothing.OneEuroConfig(min_cutoff=0.0)
  with pytest.raises(ArgumentError, match='beta'):
    smoothing.OneEuroConfig(beta=-1.0)


def _person(x):
  return np.stack([np.linspace(x, x + 40, 16), np.linspace(0, 200, 16)],
                  axis=-1)


def test_people_keep_their_track_when_the_backend_reorders_them():
  tracker = smoothing.PoseSmoother(max_gap_frames=2)
  assert tracker.assign([_person(0), _person(500)]) == [0, 1]
  assert tracker.assign([_person(505), _person(3)]) == [1, 0]
  assert tracker.assign([_person(8)]) == [0]
  for _ in range(3):  # track 1 unseen for longer than max_gap_frames
    tracker.assign([_person(8)])
  assert tracker.assign([_person(8), _person(510)]) == [0, 2]
