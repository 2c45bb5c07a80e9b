"""The coords training benchmark's rule for a flat test loss."""

from bench.bench_coords_training import flat_point


def test_flat_from_the_first_of_the_small_changes_that_last_to_the_end():
  curve = [[1000, 10.0, 1.0], [2000, 20.0, 0.9], [3000, 30.0, 0.89],
           [4000, 40.0, 0.80], [5000, 50.0, 0.795], [6000, 60.0, 0.79]]
  # 0.9 -> 0.89 changes 1.1%, but the loss then falls 10%: that dip is not
  # flat; from step 5,000 every change stays below 2%.
  assert flat_point(curve, 0.02) == 4
  assert flat_point(curve, 0.001) is None
  assert flat_point(curve[:4], 0.02) is None
  assert flat_point(curve[:1], 0.02) is None
