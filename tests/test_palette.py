"""The colour-blind check of the diverging scale, for both schemes (standard and presenter mode's high
contrast): under simulated protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009,
severity 1, applied in linear sRGB) the two ends stay far apart in CIELAB, each stays far from the
neutral middle, and the colour moves steadily away from the middle as |value| grows; on a projector the
high-contrast ends and texts keep WCAG contrast ≥ 7 against the black window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette

from aegui.qt import palette

#: linear-RGB matrices of the full deficiencies (Machado et al. 2009, severity 1.0)
DEFICIENCIES = {
    "none": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
#: CIELAB distances: "clearly different" (ΔE*ab 2.3 is a just-noticeable difference)
ENDS_APART, END_FROM_MIDDLE, JUST_NOTICEABLE = 60.0, 40.0, 2.3
SCHEMES = {"standard": (palette.STANDARD, "#ffffff"), "high contrast": (palette.HIGH_CONTRAST, "#000000")}


def linear(rgb) -> np.ndarray:
    """``(…, 3)`` sRGB 0–255 → linear RGB 0–1."""
    c = np.asarray(rgb, dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(lin: np.ndarray) -> np.ndarray:
    """``(…, 3)`` linear RGB → CIELAB (D65)."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = np.clip(lin, 0, 1) @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def seen(rgb, deficiency: str) -> np.ndarray:
    """CIELAB of colours ``rgb`` (0–255) as seen with ``deficiency``."""
    return lab(linear(rgb) @ DEFICIENCIES[deficiency].T)


def luminance(color: QColor) -> float:
    return float(linear(color.getRgb()[:3]) @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio, 1–21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture
def scheme_in_use(request):
    old = palette.use(SCHEMES[request.param][0])
    yield SCHEMES[request.param]
    palette.use(old)


@pytest.mark.parametrize("scheme_in_use", list(SCHEMES), indirect=True)
@pytest.mark.parametrize("deficiency", list(DEFICIENCIES))
def test_the_scale_reads_with_every_colour_vision_deficiency(scheme_in_use, deficiency):
    t = np.linspace(-1.0, 1.0, palette.LEVELS)
    colours = seen(palette.level_rgba()[:, :3], deficiency)
    negative, middle, positive = colours[0], colours[len(t) // 2], colours[-1]
    assert np.linalg.norm(negative - positive) >= ENDS_APART
    assert min(np.linalg.norm(negative - middle), np.linalg.norm(positive - middle)) >= END_FROM_MIDDLE
    # a larger |value| never looks closer to the middle, on either side (tritanopia sees the last few
    # steps of the high-contrast blue alike: within a just-noticeable difference, not back towards 0)
    distance = np.linalg.norm(colours - middle, axis=1)
    for side in (distance[len(t) // 2:], distance[len(t) // 2::-1]):
        assert np.all(np.diff(side) > -JUST_NOTICEABLE)
        assert side[len(side) // 2] >= END_FROM_MIDDLE / 3  # half-way out already reads as "not 0"


@pytest.mark.parametrize("scheme_in_use", list(SCHEMES), indirect=True)
def test_the_legend_and_the_functions_follow_the_scheme_in_use(scheme_in_use):
    scheme, _ = scheme_in_use
    assert palette.scheme() is scheme
    for value, hex_ in ((-1.0, scheme.negative), (0.0, scheme.neutral), (1.0, scheme.positive)):
        assert palette.qcolor(value).name() == hex_


def test_high_contrast_ends_and_texts_stand_out_on_the_projector():
    pal = palette.high_contrast_palette()
    back = pal.color(QPalette.ColorRole.Base)
    assert back == QColor("#000000") == pal.color(QPalette.ColorRole.Window)
    for hex_ in (palette.HIGH_CONTRAST.negative, palette.HIGH_CONTRAST.positive, palette.HIGH_CONTRAST.glow):
        assert contrast(QColor(hex_), back) >= 7.0, hex_
    R = QPalette.ColorRole
    for text, on in ((R.Text, R.Base), (R.WindowText, R.Window), (R.ButtonText, R.Button),
                     (R.HighlightedText, R.Highlight), (R.Link, R.Base), (R.PlaceholderText, R.Base),
                     (R.ToolTipText, R.ToolTipBase)):
        assert contrast(pal.color(text), pal.color(on)) >= 7.0, text
    # weights near 0 recede into the background as on the standard scale's white
    assert contrast(QColor(palette.HIGH_CONTRAST.neutral), back) < 2.0
