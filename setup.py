"""geo_rep_tf: weakly-supervised geometry-aware 3D pose representation."""

import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def requirements():
  with open(os.path.join(HERE, 'requirements.txt')) as fh:
    return [l.strip() for l in fh if l.strip() and not l.startswith('#')]


TOOLS = ['prepare_data', 'visualize_pairs', 'train_representation',
         'train_regressor', 'train_hourglass', 'evaluate', 'export',
         'fetch_models', 'infer', 'interpolate', 'run_experiment',
         'compare_lifters', 'probe_representation', 'report_representation',
         'collect_data_efficiency', 'collect_cross_body', 'collect_settings']

setup(
    name='geo_rep_tf',
    version='0.1.0',
    description=('Weakly-supervised discovery of a geometry-aware 3D pose '
                 'representation (Chen et al., CVPR 2019) in TF2/Keras 3'),
    python_requires='>=3.10',
    packages=find_packages(include=['geo_rep_tf', 'geo_rep_tf.*']) +
    ['geo_rep_tf_tools', 'geo_rep_tf_models'],
    # The committed lifters (models/) travel with an installed package, so
    # `geo-rep-infer photo.jpg` works from anywhere (geo_rep_tf.runs.committed).
    package_dir={'geo_rep_tf_tools': 'tools', 'geo_rep_tf_models': 'models'},
    package_data={'geo_rep_tf.geometry': ['h36m_cameras.json'],
                  'geo_rep_tf_models': ['*/README.md', '*/*/checkpoint',
                                        '*/*/ckpt-*', '*/*/config.json']},
    install_requires=requirements(),
    extras_require={'dev': ['pytest==9.2.0', 'hypothesis==6.170.17']},
    entry_points={'console_scripts': [
        f'geo-rep-{t.replace("_", "-")}=geo_rep_tf_tools.{t}:run'
        for t in TOOLS]},
)
