"""The coords training benchmark's rule for a flat test loss."""

from bench.bench_coords_training import flat_point


def test_flat_is_the_first_change_below_the_tolerance():
  curve = [[1000, 10.0, 1.0], [2000, 20.0, 0.9], [3000, 30.0, 0.89],
           [4000, 40.0, 0.80]]
  # 0.9 -> 0.89 is a 1.1% change: flat at the third evaluation, even though
  # the loss falls again later (the first flat point is what is timed).
  assert flat_point(curve, 0.02) == 2
  assert flat_point(curve, 0.005) is None
  assert flat_point(curve[:1], 0.02) is None
