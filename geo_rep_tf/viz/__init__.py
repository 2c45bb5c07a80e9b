"""Plotting shared by training, evaluation and inference (matplotlib, no TF)."""
