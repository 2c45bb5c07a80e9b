"""The committed lifters, installed with the package as `geo_rep_tf_models`
(see geo_rep_tf.runs.committed); each folder's README.md is its model card."""
