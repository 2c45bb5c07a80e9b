"""Pictures of inference results: 2D skeletons over the image, 3D poses.

3D poses are in the camera frame (x right, y down, z forward) and are drawn
upright: the plot's vertical axis is -y, its depth axis z. The "camera" view
looks along +z as the photo does; the "side" view looks from the person's
right (from +x), so depth runs left to right.
"""

from __future__ import annotations

from typing import Optional, Sequence

import cv2
import matplotlib.pyplot as plt
import numpy as np

from geo_rep_tf.geometry.joints import BONES
from geo_rep_tf.inference.pipeline import Person
# Importing viz also selects the Agg backend before the first figure.
from geo_rep_tf.viz.skeletons import bone_colors, draw_skeleton_2d

VIEWS = (('camera view', 8.0, -90.0), ('side view', 8.0, 0.0))


def _plot_coords(pose_mm: np.ndarray) -> np.ndarray:
  """Camera frame [16, 3] -> plot (x, z, -y): vertical up, depth as y."""
  p = np.asarray(pose_mm, np.float64)
  return np.stack([p[:, 0], p[:, 2], -p[:, 1]], axis=-1)


def axis_ticks(radius_mm: float) -> list:
  """[-T, 0, T] with T the largest of 1, 2, 5 x 10^k mm inside the radius."""
  best = 1.0
  for exponent in range(0, 6):
    for m in (1, 2, 5):
      t = m * 10.0 ** exponent
      if t <= radius_mm * 0.95:
        best = t
  return [-best, 0.0, best]


def people_text(n: int) -> str:
  return f'{n} person' if n == 1 else f'{n} people'


def draw_pose_3d(ax, pose_mm: np.ndarray, elev: float, azim: float,
                 title: str = '', radius_mm: Optional[float] = None) -> None:
  """Draws a root-relative pose [16, 3] (mm, camera frame) on a 3D axis."""
  q = _plot_coords(pose_mm)
  colors = bone_colors()
  for b, (p, c) in enumerate(BONES):
    ax.plot(q[[p, c], 0], q[[p, c], 1], q[[p, c], 2], color=colors[b], lw=2.5)
  ax.scatter(q[:, 0], q[:, 1], q[:, 2], s=8, c='k', depthshade=False)
  r = radius_mm or max(float(np.abs(q).max()), 1.0) * 1.05
  ax.set_xlim(-r, r)
  ax.set_ylim(-r, r)
  ax.set_zlim(-r, r)
  # Three ticks per axis (-T, 0, T) at a round T: the default seven or
  # nine labels run together at the size these panels are written.
  ticks = axis_ticks(r)
  ax.set_xticks(ticks)
  ax.set_yticks(ticks)
  ax.set_zticks(ticks)
  # The axis that points at the viewer shows its labels on top of each
  # other: leave them out (its extent is the other horizontal axis's).
  if abs(np.sin(np.radians(azim))) > 0.9:
    ax.set_yticklabels([])
  elif abs(np.cos(np.radians(azim))) > 0.9:
    ax.set_xticklabels([])
  ax.set_box_aspect((1, 1, 1))
  ax.view_init(elev=elev, azim=azim)
  ax.set_xlabel('x (mm)', fontsize=7, labelpad=-8)
  ax.set_ylabel('z (mm)', fontsize=7, labelpad=-8)
  ax.set_zlabel('-y (mm)', fontsize=7, labelpad=-8)
  ax.tick_params(labelsize=6, pad=-3)
  if title:
    ax.set_title(title, fontsize=9)


def plot_inference(image: np.ndarray, people: Sequence[Person],
                   title: str = '', max_people: int = 4) -> 'plt.Figure':
  """The image with every person's 2D skeleton, and up to `max_people`
  3D poses from two viewpoints (one row per person).

  Args:
    image: RGB uint8 [H, W, 3].
    people: pipeline output.
    title: figure title.
    max_people: 3D rows drawn (best first).
  """
  lifted = [(i, p) for i, p in enumerate(people)
            if p.pose_3d_mm is not None][:max_people]
  rows = max(len(lifted), 1)
  h, w = image.shape[:2]
  img_w = min(3.4 * rows * w / max(h, 1), 10.0)
  fig = plt.figure(figsize=(img_w + 3.2 * len(VIEWS), 3.4 * rows))
  grid = fig.add_gridspec(rows, 1 + len(VIEWS),
                          width_ratios=[img_w] + [3.2] * len(VIEWS))
  ax = fig.add_subplot(grid[:, 0])
  ax.imshow(image)
  for i, person in enumerate(people):
    kp = person.pose2d.keypoints_px
    draw_skeleton_2d(ax, kp, lw=2, s=5)
    top = kp[:, 1].min()
    ax.annotate(f'#{i} {person.pose2d.score:.2f}',
                (kp[:, 0].mean(), top), textcoords='offset points',
                xytext=(0, 6), ha='center', fontsize=8, color='w',
                bbox=dict(boxstyle='round,pad=0.15', fc='k', alpha=0.6))
  ax.set_xlim(0, w)
  ax.set_ylim(h, 0)
  ax.axis('off')
  ax.set_title(f'2D ({people_text(len(people))})', fontsize=9)
  radius = None
  if lifted:
    radius = max(float(np.abs(p.pose_3d_mm).max()) for _, p in lifted) * 1.05
  for r, (i, person) in enumerate(lifted):
    for v, (name, elev, azim) in enumerate(VIEWS):
      ax3 = fig.add_subplot(grid[r, 1 + v], projection='3d')
      draw_pose_3d(ax3, person.pose_3d_mm, elev, azim,
                   f'#{i} 3D, {name}', radius)
  if title:
    fig.suptitle(title, fontsize=10)
  return fig


def draw_skeleton_cv(image: np.ndarray, keypoints_px: np.ndarray,
                     thickness: int = 2) -> None:
  """Draws a 16-joint skeleton on an RGB uint8 image in place (OpenCV)."""
  colors = (bone_colors() * 255).astype(int)
  shift = 4  # sub-pixel precision
  pts = np.round(np.asarray(keypoints_px) * (1 << shift)).astype(int)
  for b, (p, c) in enumerate(BONES):
    cv2.line(image, tuple(pts[p]), tuple(pts[c]),
             tuple(int(v) for v in colors[b]), thickness, cv2.LINE_AA, shift)
  for q in pts:
    cv2.circle(image, tuple(q), thickness + 1, (0, 0, 0), -1, cv2.LINE_AA,
               shift)


def figure_to_rgb(fig) -> np.ndarray:
  """Renders a figure to RGB uint8 [H, W, 3] and closes it."""
  fig.canvas.draw()
  rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
  plt.close(fig)
  return rgb


def video_frame(image: np.ndarray, people: Sequence[Person],
                panel_px: int = 360, radius_mm: float = 1000.0
                ) -> np.ndarray:
  """One video frame: 2D skeletons over the image beside the best person's
  3D pose (camera and side views), as RGB uint8 of height max(H, panel_px).
  """
  frame = image.copy()
  for person in people:
    draw_skeleton_cv(frame, person.pose2d.keypoints_px,
                     max(2, round(image.shape[0] / 300)))
  fig = plt.figure(figsize=(2 * panel_px / 100, panel_px / 100), dpi=100)
  lifted = [p for p in people if p.pose_3d_mm is not None]
  for v, (name, elev, azim) in enumerate(VIEWS):
    ax = fig.add_subplot(1, len(VIEWS), v + 1, projection='3d')
    if lifted:
      draw_pose_3d(ax, lifted[0].pose_3d_mm, elev, azim, name, radius_mm)
    else:
      ax.set_title(f'{name}: no person', fontsize=9)
  panel = figure_to_rgb(fig)
  h = max(frame.shape[0], panel.shape[0])
  scale = h / frame.shape[0]
  if scale != 1:
    frame = cv2.resize(frame, (round(frame.shape[1] * scale), h))
  if panel.shape[0] != h:
    panel = np.concatenate([panel, np.full(
        [h - panel.shape[0], panel.shape[1], 3], 255, np.uint8)], 0)
  out = np.concatenate([frame, panel], axis=1)
  # Even sizes: most video codecs need them.
  return out[:out.shape[0] // 2 * 2, :out.shape[1] // 2 * 2]


class VideoWriter:
  """MP4 (mp4v) via OpenCV, created on the first frame; RGB frames in."""

  def __init__(self, path: str, fps: float):
    self.path = path
    self.fps = fps if fps and fps > 0 else 25.0
    self._writer = None
    self._size = None

  def write(self, rgb: np.ndarray) -> None:
    if self._writer is None:
      self._size = (rgb.shape[1], rgb.shape[0])
      self._writer = cv2.VideoWriter(self.path,
                                     cv2.VideoWriter_fourcc(*'mp4v'),
                                     self.fps, self._size)
      if not self._writer.isOpened():
        from geo_rep_tf.errors import DataError
        raise DataError('cannot write video (OpenCV has no mp4v encoder)',
                        self.path)
    if (rgb.shape[1], rgb.shape[0]) != self._size:
      rgb = cv2.resize(rgb, self._size)
    self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))

  def close(self) -> None:
    if self._writer is not None:
      self._writer.release()
