"""geo_rep_tf.losses."""
