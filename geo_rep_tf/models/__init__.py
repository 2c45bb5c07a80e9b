"""geo_rep_tf.models."""
