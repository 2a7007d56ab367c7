"""Writing recordings: animated GIF and APNG with Pillow, MP4 with the FFmpeg of imageio-ffmpeg (no Qt).

A recording is a sequence of frames, each ``(H, W, 3) uint8`` RGB with the time it was taken; an
:class:`AnimationWriter` collects them and :meth:`~AnimationWriter.finish` writes the file through
:func:`~aegui.core.safe_write.atomic_write` (a crash or a failure leaves no partial file and no old file
harmed). The frames are whatever the caller grabbed from the window: nothing here draws.

- GIF and APNG (``.gif``, ``.png``, ``.apng``): Pillow, frames held in memory until saved (at most
  :data:`MEMORY_LIMIT` bytes; :meth:`~AnimationWriter.add` returns ``False`` when full). Each frame is
  shown for the time until the next was taken, so the animation plays at the pace it was recorded. GIF
  frames share one 255-colour palette made from frames spread over the recording, undithered (flat
  colours of a drawing; a palette per frame would flicker).
- MP4 (``.mp4``): H.264, streamed into the ``ffmpeg`` that the imageio-ffmpeg wheel ships (the optional
  ``mp4`` extra), at a constant ``fps``; no memory limit. Without it, :func:`check_format` refuses
  ``.mp4`` and says how to get it.

Every check raises :class:`AnimationError` (a ``ValueError``) with a message fit for the user.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .safe_write import WriteError, atomic_write

#: file extension → format
FORMATS = {".gif": "gif", ".png": "apng", ".apng": "apng", ".mp4": "mp4"}
#: frames a second, at most (browsers play GIF delays under 20 ms as 100 ms)
MAX_FPS = 50.0
#: frame sizes allowed, in pixels, each side
MIN_SIDE, MAX_SIDE = 16, 4096
#: raw RGB bytes of the frames a GIF or APNG recording holds until it is saved (1 GB: 46 s of a
#: 960 × 540 view at 15 frames a second)
MEMORY_LIMIT = 1 << 30
#: frames the GIF palette is computed from, spread over the recording
PALETTE_SAMPLES = 8
MP4_HINT = 'MP4 needs the imageio-ffmpeg package (its wheel ships FFmpeg): pip install "aegui[mp4]"'


class AnimationError(ValueError):
    """A recording that cannot be made as asked; ``str()`` says why and what would do."""


def check_format(path: str | os.PathLike) -> str:
    """The format of ``path`` from its extension (``gif``, ``apng`` or ``mp4``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise AnimationError(f"{path}: unknown extension {suffix or '(none)'!r}; a recording is "
                             ".gif, .png (animated PNG) or .mp4")
    if FORMATS[suffix] == "mp4" and not mp4_available():
        raise AnimationError(f"{path}: {MP4_HINT}")
    return FORMATS[suffix]


def mp4_available() -> bool:
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def check_fps(fps: float) -> float:
    if not (isinstance(fps, (int, float)) and np.isfinite(fps) and 0 < fps <= MAX_FPS):
        raise AnimationError(f"frames a second must be above 0 and at most {MAX_FPS:g}, got {fps}")
    return float(fps)


def check_size(width: int, height: int) -> tuple[int, int]:
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise AnimationError(f"a frame size must be {MIN_SIDE} to {MAX_SIDE} pixels each side, got {width}x{height}")
    return width, height


def parse_size(text: str) -> tuple[int, int]:
    """``"WxH"`` (or ``W×H``) as ``(width, height)``."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise AnimationError(f"a size is WIDTHxHEIGHT in pixels, e.g. 960x540, got {text!r}") from None
    return check_size(width, height)


def check_target(path: str | os.PathLike) -> Path:
    """Refuse, before anything is recorded, a target whose folder is missing or cannot be written, or
    that is not a regular file; leaves nothing behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AnimationError(f"{path}: the folder {folder} does not exist")
    if path.exists() and not path.is_file():
        raise AnimationError(f"{path}: is not a regular file; refused")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise AnimationError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)
    return path


def _even(frame: np.ndarray) -> np.ndarray:
    """``frame`` with its last row and column repeated where needed for even sides (H.264's 4:2:0)."""
    h, w = frame.shape[:2]
    return np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge") if (h % 2 or w % 2) else frame


class AnimationWriter:
    """``AnimationWriter(path, fps)``: :meth:`add` frames (all one size), then :meth:`finish` (writes
    ``path`` atomically, returns it) or :meth:`abort` (writes nothing). Checks ``path`` and ``fps`` at
    once (:class:`AnimationError`)."""

    def __init__(self, path: str | os.PathLike, fps: float):
        self.format = check_format(path)
        self.fps = check_fps(fps)
        self.path = check_target(path)
        self.size: tuple[int, int] | None = None     # (width, height) of every frame
        self.count = 0
        self._frames: list[np.ndarray] = []           # GIF and APNG
        self._times: list[float] = []
        self._tmp: Path | None = None                 # MP4: ffmpeg's output, copied into place on finish
        self._ffmpeg = None

    @property
    def bytes_held(self) -> int:
        return sum(f.nbytes for f in self._frames)

    def add(self, frame: np.ndarray, t: float | None = None) -> bool:
        """Append ``frame`` (``(H, W, 3) uint8``), taken ``t`` seconds into the recording (default:
        ``count / fps``). ``False`` when it was not kept: the memory limit is reached."""
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"a frame is (H, W, 3) RGB, got shape {frame.shape}")
        size = (frame.shape[1], frame.shape[0])
        if self.size is None:
            self.size = size
        elif size != self.size:
            raise ValueError(f"every frame must be {self.size[0]}x{self.size[1]}, got {size[0]}x{size[1]}")
        t = self.count / self.fps if t is None else float(t)
        if self.format == "mp4":
            self._send(frame)
        else:
            if self.bytes_held + frame.nbytes > MEMORY_LIMIT:
                return False
            self._frames.append(frame)
            self._times.append(t)
        self.count += 1
        return True

    def durations_ms(self) -> list[int]:
        """How long each held frame shows: until the next was taken (at least 20 ms), the last 1/fps."""
        times = self._times + [self._times[-1] + 1 / self.fps] if self._times else []
        return [max(20, round(1000 * (b - a))) for a, b in zip(times, times[1:])]

    def _send(self, frame: np.ndarray) -> None:
        if self._ffmpeg is None:
            import imageio_ffmpeg

            self._tmp = Path(tempfile.mkdtemp(prefix="aegui-record-")) / "out.mp4"
            even = _even(frame)
            self._ffmpeg = imageio_ffmpeg.write_frames(
                str(self._tmp), (even.shape[1], even.shape[0]), fps=self.fps, codec="libx264",
                pix_fmt_in="rgb24", pix_fmt_out="yuv420p", quality=7, macro_block_size=1,
                ffmpeg_log_level="error", output_params=["-movflags", "+faststart"])
            self._ffmpeg.send(None)
        self._ffmpeg.send(_even(frame).tobytes())

    def finish(self) -> Path:
        """Write the file (atomically) and return its path; :class:`AnimationError` when no frame came."""
        try:
            if not self.count:
                raise AnimationError(f"{self.path}: no frame was recorded; nothing written")
            if self.format == "mp4":
                self._ffmpeg.close()
                self._ffmpeg = None
                with open(self._tmp, "rb") as source:
                    return atomic_write(self.path, lambda fh: shutil.copyfileobj(source, fh, 1 << 20))
            return atomic_write(self.path, self._write_pillow)
        except (OSError, RuntimeError) as exc:
            if isinstance(exc, WriteError):
                raise
            raise WriteError(f"{self.path}: could not be written ({exc})") from None
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop the frames (and FFmpeg's temporary file); nothing is written."""
        if self._ffmpeg is not None:
            try:
                self._ffmpeg.close()
            except Exception:  # noqa: BLE001 - ffmpeg may have died already; we are discarding anyway
                pass
            self._ffmpeg = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp.parent, ignore_errors=True)
            self._tmp = None
        self._frames, self._times = [], []
        self.count = 0

    def _write_pillow(self, fh) -> None:
        from PIL import Image

        images = [Image.fromarray(f) for f in self._frames]
        options = dict(save_all=True, append_images=images[1:], duration=self.durations_ms(), loop=0)
        if self.format == "gif":
            palette = _palette(self._frames)
            images = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
            images[0].save(fh, format="GIF", **{**options, "append_images": images[1:]}, optimize=True)
        else:
            images[0].save(fh, format="PNG", **options)


def _palette(frames: list[np.ndarray]):
    """One 255-colour Pillow palette image for every frame, from up to :data:`PALETTE_SAMPLES` frames
    spread over the recording (stacked, so that colours of any of them get a place)."""
    from PIL import Image

    picks = np.unique(np.linspace(0, len(frames) - 1, min(PALETTE_SAMPLES, len(frames))).round().astype(int))
    sample = Image.fromarray(np.concatenate([frames[i] for i in picks], axis=0))
    return sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
