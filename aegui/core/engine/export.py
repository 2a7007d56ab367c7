"""The trained model for use outside aegui: a torch state dict and a JSON description of the network.

``NAME.pt`` holds ``torch.save`` of the state dict of ``nn.Sequential(Linear, activation, Linear, …)``:
keys ``"{2l}.weight"`` ``(n_{l+1}, n_l)`` and ``"{2l}.bias"`` ``(n_{l+1},)`` for layer ``l = 0 … L−1``.
``NAME.json`` says how to build that ``nn.Sequential`` and feed it: ``x = r / input_scale`` with
``0`` for not rated, one input per feature in ``inputs`` (movie ids, or user ids when item-based), and
predictions ``input_scale · y``. A centred model (``"baseline"`` present) takes ``x = (r − b) / input_scale``
on rated cells instead, with ``b = mean + row_bias + column_bias`` (rows: the observations, columns: the
inputs; a new row's bias is ``Σ (r − mean − column_bias) / (n + row_damping)`` over its ``n`` ratings),
and predicts ``b + input_scale · y``. With plain torch::

    spec = json.load(open("model.json"))
    acts = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}
    net = nn.Sequential(*[m for layer in spec["layers"]
                          for m in (nn.Linear(layer["in"], layer["out"]), acts[layer["activation"]]())])
    net.load_state_dict(torch.load("model.pt", weights_only=True))
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from ..safe_write import atomic_write
from .baselines import USER_DAMPING, Baseline
from .network import Network
from .spec import ModelSpec

FORMAT = "aegui-model/1"


def export_model(network: Network, model: ModelSpec, path: str | os.PathLike, inputs: tuple[str, ...],
                 baseline: Baseline | None = None, rows: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """Write ``path`` (``.pt`` added when missing) and the ``.json`` beside it; returns both paths.
    ``baseline`` (oriented as the network: its ``user_bias`` per row ``rows``, ``movie_bias`` per input):
    the centring of a centred model."""
    pt = Path(path)
    if pt.suffix != ".pt":
        pt = pt.with_name(pt.name + ".pt")
    description = pt.with_suffix(".json")
    if len(inputs) != network.sizes[0]:
        raise ValueError(f"{len(inputs)} input labels for {network.sizes[0]} inputs")
    state = {}
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        state[f"{2 * l}.weight"] = w.detach().cpu().clone()
        state[f"{2 * l}.bias"] = b.detach().cpu().clone()
    spec = {
        "format": FORMAT,
        "layers": [{"in": a, "out": b, "activation": act}
                   for a, b, act in zip(network.sizes[:-1], network.sizes[1:], network.activations)],
        "input_scale": model.input_scale,
        "orientation": "item-based" if model.item_based else "user-based",
        "inputs": list(inputs),
        "model": model.to_dict(),
        "usage": "x = rating / input_scale (0 = not rated); predicted ratings = input_scale * net(x)",
    }
    if model.centered and baseline is not None:
        spec["baseline"] = {"mean": baseline.mean, "column_bias": baseline.movie_bias.tolist(),
                            "row_bias": dict(zip(rows, baseline.user_bias.tolist())), "row_damping": USER_DAMPING}
        spec["usage"] = ("b = mean + row_bias + column_bias; x = (rating - b) / input_scale on rated cells, 0 "
                         "elsewhere; predicted ratings = b + input_scale * net(x)")
    atomic_write(pt, lambda fh: torch.save(state, fh))
    atomic_write(description, lambda fh: fh.write(json.dumps(spec, indent=1).encode("utf-8")))
    return pt, description
