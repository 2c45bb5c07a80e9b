"""absl binaries (installed as the geo_rep_tf_tools package)."""
