"""Representation variants of the paper."""

# The ablation's rows (paper Fig. 6), in order: BL (no G), then Regression#2
# + G on the G of each representation variant.
ABLATION = ('BL', 'BL+AE', 'BL+SG', 'BL+SG+AUG', 'BL+DG+AUG')
