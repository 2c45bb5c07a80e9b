"""geo_rep_tf.geometry."""
