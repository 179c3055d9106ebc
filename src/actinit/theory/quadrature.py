"""Gaussian integrals the mean-field maps need, to near machine precision: Gauss-Legendre
rules on panels graded toward an activation's kinks, one-dimensional
(:func:`gaussian_mean`) and over a correlated pair (the correlation map's E[f(u)
f(v)])."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np


@lru_cache(maxsize=8)
def _legendre(order: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(order)


@lru_cache(maxsize=8)
def _unit_rule(panels: int, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre on [0, 1]: ``panels`` panels of ``order`` points."""
    x, w = _legendre(order)
    half = 0.5 / panels
    middle = (np.arange(panels) + 0.5) / panels
    return (middle[:, None] + half * x).ravel(), np.tile(half * w, panels)


def normal_rule(
    breaks: Any = (0.0,), panels: int = 200, order: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights w with sum(w * f(z)) ~ E[f(z)], z ~ N(0, 1): composite
    Gauss-Legendre on [-LIMIT, LIMIT] with panel edges at ``breaks`` (so a kink of f
    there is integrated exactly), ``panels`` panels of ``order`` points between
    neighbouring edges. ``breaks`` of shape (..., m) give one rule per leading index:
    z and w of shape (..., (m + 1) panels order)."""
    breaks = np.sort(np.clip(np.asarray(breaks, dtype=float), -LIMIT, LIMIT), axis=-1)
    lead = breaks.shape[:-1]
    ends = np.full((*lead, 1), LIMIT)
    edges = np.concatenate([-ends, breaks, ends], axis=-1)
    t, w = _unit_rule(panels, order)
    width = np.diff(edges, axis=-1)[..., None]
    z = (edges[..., :-1, None] + width * t).reshape(*lead, -1)
    weights = (width * w).reshape(*lead, -1) * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return z, weights


def gaussian_mean(f: Function, scale: float = 1.0, kinks: tuple[float, ...] = (0.0,)) -> float:
    """E[f(scale * z)] for z ~ N(0, 1); ``kinks`` are where f is not smooth."""
    if scale == 0:
        return float(f(np.zeros(1))[0])
    z, w = _line_rule(tuple(k / scale for k in kinks))
    return float(np.dot(w, f(scale * z)))


@lru_cache(maxsize=512)
def _line_rule(breaks: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`normal_rule` for one row, kept (a kink at 0 is a break at 0 at any scale)."""
    return normal_rule(list(breaks), panels=max(200 // (len(breaks) + 1), 40))


#: Offsets, in units of s / |c|, of the extra panel edges around a kink's image in z1.
_KINK_ZONE = (-8.0, -4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0, 8.0)


def _pair_rule(q: float, c: float, kinks: tuple[float, ...]):
    """Nodes and weights for E[f(u1) g(u2)], (u1, u2) Gaussian with variances q and
    correlation c: u1 (n,), w1 (n,), u2 (n, m), w2 (n, m), written u1 = sqrt(q) z1,
    u2 = sqrt(q) (c z1 + s z2) with s = sqrt(1 - c^2).

    The panels are split where u1 or u2 crosses a kink (for u2 that edge moves with
    z1: z2 = (k / sqrt(q) - c z1) / s). As |c| nears 1 the inner integral over z2 is
    the kink smoothed over a width s / |c| in z1, so the z1 panels are refined
    there too."""
    root = math.sqrt(q)
    s = math.sqrt(max(1.0 - c * c, 0.0))
    scaled = np.asarray(kinks, dtype=float) / root
    outer = [scaled]
    if 0 < s < 0.5:
        centres = scaled / c
        outer += [centres, (centres[:, None] + np.array(_KINK_ZONE) * s / abs(c)).ravel()]
    z1, w1 = _graded_rule(np.concatenate(outer))
    if s > 0:
        breaks = (scaled[None, :] - c * z1[:, None]) / s
    else:
        breaks = np.empty((len(z1), 0))
    z2, w2 = normal_rule(breaks, panels=max(24 // (len(kinks) + 1), 8), order=6)
    return root * z1, w1, root * (c * z1[:, None] + s * z2), w2


def _graded_rule(breaks: np.ndarray, width: float = 0.5, order: int = 8):
    """A 1-D rule for E[f(z)] with panel edges at ``breaks`` and panels at most
    ``width`` wide in between (narrow segments get one panel of their own)."""
    edges = np.unique(np.clip(np.concatenate([[-LIMIT, LIMIT], breaks]), -LIMIT, LIMIT))
    x, w = _legendre(order)
    counts = np.maximum(np.ceil(np.diff(edges) / width).astype(int), 1)
    panel_edges = np.concatenate(
        [np.linspace(a, b, n + 1)[:-1] for a, b, n in zip(edges[:-1], edges[1:], counts)]
        + [[LIMIT]]
    )
    half = np.diff(panel_edges)[:, None] / 2
    z = ((panel_edges[:-1, None] + panel_edges[1:, None]) / 2 + half * x).ravel()
    weights = (half * w).ravel() * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return z, weights


def _pair_mean(f: Function, g: Function, q: float, c: float, kinks: tuple[float, ...]) -> float:
    """E[f(u1) g(u2)], (u1, u2) Gaussian with variances q and correlation c."""
    u1, w1, u2, w2 = _pair_rule(q, c, kinks)
    return float(np.dot(w1 * f(u1), (w2 * g(u2)).sum(axis=1)))


def _difference_mean(f: Function, q: float, c: float, kinks: tuple[float, ...]) -> float:
    """E[(f(u1) - f(u2))^2], (u1, u2) as in :func:`_pair_mean`: no cancellation as
    c approaches 1, where the two inputs' pre-activations nearly agree."""
    u1, w1, u2, w2 = _pair_rule(q, c, kinks)
    return float(np.dot(w1, (w2 * (f(u1)[:, None] - f(u2)) ** 2).sum(axis=1)))


Function = Callable[[np.ndarray], np.ndarray]


#: Gaussian expectations are integrated over z in [-LIMIT, LIMIT].
LIMIT = 10.0
