"""The guided lesson (Help ▸ Lesson, ``aegui --lesson [N]``): the seed documents' story told in the app,
one :class:`Page` at a time. No Qt here: a page is data (its title, its text, the set-up it runs on,
the actions that drive the window, the dock to raise and the widget to look at), and its text is written
from :class:`Facts`, the numbers the app computed, so that no number that depends on training is typed in.

The driver that carries the actions out is :mod:`aegui.qt.lesson_panel`. Actions are tuples
``(name, *arguments)`` with ``name`` in :data:`ACTIONS`:

- ``("select_user", k)``: select user ``k`` in the grid (everywhere);
- ``("walk",)``: make sure the network view walks one observation's steps (Step observation when not);
- ``("hold", n)``: keep the view at the seed's step ``n`` of that walk;
- ``("finish_epoch",)``: Step epoch, unless an epoch has just ended;
- ``("train",)``: Play until the last epoch, unless finished or running;
- ``("temperature", T)``: the Readout panel's softmax temperature;
- ``("bias", on)``: the Readout panel's example output biases on or off;
- ``("rate", ((movie, stars), …))``: type a new user's ratings into the New user panel.

The seed's loose statements are corrected where they come up: softmax returns probabilities (the arg-max
is what returns 1 for the largest value), a bias is added before the activation, the loss averages over
the rated movies only, and updating after each observation is online learning, not reinforcement learning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .data.demo import SEED_W1
from .data.ratings import Ratings
from .engine.readout import EXAMPLE_BIAS, argmax_onehot, softmax
from .engine.snapshot import Encoding, Insight, Snapshot
from .engine.spec import ModelSpec, TrainSpec
from .presets import get_preset

ACTIONS = ("select_user", "walk", "hold", "finish_epoch", "train", "temperature", "bias", "rate")
#: the docks a page may raise (the main window's names)
DOCKS = ("Data", "Training", "Model", "Charts", "Readout", "Steps", "User", "New user", "Hidden units",
         "Latent space", "Weights", "Compare")
#: the widgets a page may point at (the Qt side maps each name to a widget of the window)
LOOK_AT = ("network", "grid", "steps", "readout", "temperature", "bias", "training", "charts", "model-type",
           "model-mode", "codes", "user", "new-user", "latent")
#: the lesson's training runs go through the users in the grid's order, so that Ann comes first
IN_ORDER = {"shuffle": False}
#: what the lesson's new user types: loves The Matrix and Alien, not Titanic
NEW_USER = ((0, 5.0), (3, 5.0), (1, 1.0))


@dataclass(frozen=True)
class Facts:
    """What the window shows now, for the texts: every field may be missing (``None``) while the engine
    works, and the texts then say so instead of quoting a number."""

    snapshot: Snapshot | None = None
    insight: Insight | None = None
    encoding: Encoding | None = None
    model: ModelSpec | None = None
    training: TrainSpec | None = None
    ratings: Ratings | None = None
    temperature: float = 1.0


@dataclass(frozen=True)
class Page:
    """One page: ``preset`` (a name in :data:`aegui.core.presets.PRESETS`) with ``model`` and
    ``training`` overrides is the set-up it runs on (loaded when the window shows another), then
    ``actions`` drive the window, ``dock`` is raised and ``look_at`` highlighted; ``text(facts)`` is the
    page's rich text."""

    section: str
    title: str
    text: Callable[[Facts], str]
    preset: str | None = None
    model: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    actions: tuple[tuple, ...] = ()
    dock: str | None = None
    look_at: str | None = None

    def specs(self) -> tuple[ModelSpec, TrainSpec] | None:
        """The model and training the page runs on (``None``: whatever the window has)."""
        if self.preset is None:
            return None
        p = get_preset(self.preset)
        return p.model.with_(**self.model), p.training.with_(**self.training)


# ---------------------------------------------------------------------- numbers written out
def num(v: float, digits: int = 3) -> str:
    """``v`` to ``digits`` significant digits, a true minus sign, no ``-0``."""
    text = f"{float(v):.{digits}g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


def vec(values, digits: int = 3) -> str:
    return "[" + ", ".join(num(v, digits) for v in np.asarray(values).ravel()) + "]"


WAIT = "<i>(the numbers come when the engine has computed them)</i>"


def seed_numbers(user: int = 0, bias=(0.0, 0.0, 0.0, 0.0), temperature: float = 1.0) -> dict:
    """The seed's 4-2-4 pass of one-hot user ``user`` computed with numpy (what the engine computes in
    :mod:`aegui.core.engine.seed_example`): ``x``, ``z = W1·x``, ``y = W1ᵀ·z + b``, softmax, arg-max."""
    x = np.eye(4)[user]
    z = SEED_W1 @ x
    y = SEED_W1.T @ z + np.asarray(bias, dtype=float)
    return {"x": x, "z": z, "y": y, "softmax": softmax(y, temperature), "argmax": argmax_onehot(y)}


def _trace(f: Facts, label: str | None = None):
    """The trace shown, when there is one (and it is ``label``'s, when given)."""
    tr = f.snapshot.trace if f.snapshot is not None else None
    if tr is None or (label is not None and tr.label != label):
        return None
    return tr


def _user(f: Facts, k: int) -> str:
    return f.ratings.user_ids[k] if f.ratings is not None and k < f.ratings.n_users else f"user {k + 1}"


def _movie(f: Facts, k: int) -> str:
    return f.ratings.movie_ids[k] if f.ratings is not None and k < f.ratings.n_movies else f"movie {k + 1}"


def _sizes(f: Facts) -> str:
    return " → ".join(str(n) for n in f.snapshot.sizes) if f.snapshot is not None else "…"


def _stars(f: Facts, tr, values) -> str:
    return vec(tr.as_rating(np.asarray(values)), 2)


def _x_text(tr) -> str:
    return "[" + ", ".join(num(v) if r else "–" for v, r in zip(tr.x, tr.rated)) + "]"


def _phases(f: Facts) -> str:
    if f.snapshot is None:
        return "…"
    return " → ".join(p.title for p in f.snapshot.phases)


# ---------------------------------------------------------------------- part 1: the seed's example
def _what(f: Facts) -> str:
    return (f"<p>An autoencoder takes an input <i>x</i>, pushes it through a narrow hidden layer, the "
            f"<b>bottleneck</b>, and tries to <b>reconstruct</b> <i>x</i> at its output. To copy its input "
            f"through fewer units it must keep what matters most: the bottleneck learns the data's main "
            f"features.</p>"
            f"<p>The network in the middle is the seed's example: {_sizes(f)} units, weights of ±1, no "
            f"biases, no activation function. There are four users; each liked one movie.</p>"
            f"<p>Look at the network: the inputs on the left, the bottleneck in the middle, the "
            f"reconstruction on the right.</p>")


def _one_pass(f: Facts) -> str:
    tr = _trace(f, _user(f, 0))
    if tr is None:
        return (f"<p>User 1, who liked movie 1 only, enters the network: <i>x</i> = [1, 0, 0, 0], then "
                f"<i>z</i> = W₁·<i>x</i> and <i>y</i> = W₂·<i>z</i>.</p><p>{WAIT}</p>")
    y = tr.post[-1]
    k = int(np.argmax(y))
    return (f"<p>User 1 liked movie 1 only: <i>x</i> = {vec(tr.x)}.</p>"
            f"<p><b>Encoding</b>: <i>z</i> = W₁·<i>x</i> = {vec(tr.post[0])}: each hidden unit adds up the "
            f"weights of the movies rated.</p>"
            f"<p><b>Decoding</b>: <i>y</i> = W₂·<i>z</i> = {vec(y)}, with W₂ = W₁ᵀ.</p>"
            f"<p><i>y</i> is not <i>x</i>, but its largest value, {num(y[k])}, is at movie {k + 1}: the movie "
            f"the user liked. The Steps panel writes the same sums out.</p>")


def _softmax(f: Facts) -> str:
    tr = _trace(f, _user(f, 0))
    if tr is None:
        numbers = WAIT
    else:
        y = tr.post[-1]
        p = softmax(y, 1.0)
        k = int(np.argmax(p))
        numbers = (f"For <i>y</i> = {vec(y)}: softmax(<i>y</i>) = {vec(p)}. The largest value gets the largest "
                   f"probability, {num(p[k])}, not 1.")
    return (f"<p>To read <i>y</i> as a choice, <b>softmax</b> turns it into probabilities: "
            f"softmax(<i>y</i>)ᵢ = e<sup>yᵢ</sup> ÷ Σⱼ e<sup>yⱼ</sup>. Every output gets a share above 0, and "
            f"the shares add up to 1.</p><p>{numbers}</p>"
            f"<p>The seed says softmax “returns 1 for the largest value and 0 for the smallest”: that is "
            f"the <b>arg-max</b>, on the next page.</p>")


def _argmax(f: Facts) -> str:
    tr = _trace(f, _user(f, 0))
    copies = sum(int(np.array_equal(seed_numbers(u)["argmax"], np.eye(4)[u])) for u in range(4))
    if tr is None:
        numbers = WAIT
    else:
        y = tr.post[-1]
        numbers = (f"For <i>y</i> = {vec(y)} it is {vec(argmax_onehot(y), 1)}; softmax at T = 0.01 (the "
                   f"slider, now at its left end) is {vec(softmax(y, 0.01))}.")
    return (f"<p>The <b>arg-max</b> picks the largest value: 1 there, 0 everywhere else. Softmax with a "
            f"temperature T, softmax(<i>y</i>/T), tends to it as T → 0.</p><p>{numbers}</p>"
            f"<p>Through the arg-max the output is the input again, [1, 0, 0, 0]. The same holds for "
            f"{copies} of the 4 users: two hidden units are enough to tell four one-hot users apart.</p>")


def _bias(f: Facts) -> str:
    tr = _trace(f, _user(f, 0))
    if tr is None:
        numbers = WAIT
    else:
        y = tr.post[-1]
        numbers = (f"<i>y</i> = W₂·<i>z</i> + b₂ = {vec(y)}, and the arg-max picks movie {int(np.argmax(y)) + 1}"
                   + (": user 1 is no longer reconstructed." if np.argmax(y) != 0 else "."))
    return (f"<p>A <b>bias</b> is a constant added to a unit's weighted sum <i>before</i> its activation: "
            f"<i>z</i> = f(W·<i>x</i> + <i>b</i>). It shifts the activation's curve left or right, so a unit "
            f"can be on or off when all its inputs are 0. (The seed says it is added to the neuron's output: "
            f"it is added to its input.)</p>"
            f"<p>The Readout panel's box sets the output biases b₂ = {vec(EXAMPLE_BIAS, 1)}: {numbers}</p>"
            f"<p>Training learns the biases together with the weights.</p>")


# ---------------------------------------------------------------------- part 2: steps 1–8
def _grid(f: Facts) -> str:
    r = f.ratings
    if r is None:
        return ("<p><b>Step 1.</b> The data is a grid: users in the rows (the <b>observations</b>), movies in "
                f"the columns (the <b>features</b>), a rating from 1 to 5 stars in the cells.</p><p>{WAIT}</p>")
    blank = r.n_users * r.n_movies - r.n_ratings
    return (f"<p><b>Step 1.</b> The data is a grid: {r.n_users} users in the rows (the "
            f"<b>observations</b>) and {r.n_movies} movies in the columns (the <b>features</b>); "
            f"{r.n_ratings} cells hold a rating from 1 to 5 stars.</p>"
            f"<p>The {blank} empty cells are movies the user has not rated (the seed writes 0). An empty "
            f"cell is no rating, not a 0-star one: the error leaves it out (step 5).</p>"
            f"<p>In this lesson the users enter in the grid's order, so that you can follow them.</p>")


def _enters(f: Facts) -> str:
    name = _user(f, 0)
    tr = _trace(f, name)
    if tr is None:
        return (f"<p><b>Step 2.</b> The first user, {name}, selected in the grid, goes into the network: "
                f"the row of ratings divided by s is the input vector <i>x</i>.</p><p>{WAIT}</p>")
    return (f"<p><b>Step 2.</b> The first user, {name}, goes into the network. {name}'s row of ratings "
            f"<i>r</i>, divided by s = {num(tr.scale)}, is the input vector <i>x</i> = <i>r</i> ÷ s = "
            f"{_x_text(tr)}.</p>"
            f"<p>Each movie is one input node on the left; the movies {name} did not rate (–) enter as 0 "
            f"and are drawn hollow: they take no part in the error.</p>")


def _encoding(f: Facts) -> str:
    tr = _trace(f)
    act = f.model.activation if f.model is not None else "f"
    numbers = WAIT if tr is None else (f"Step observation (→) fed {tr.label} to the network: {len(tr.x)} "
                                       f"inputs (0 where not rated) become {len(tr.post[0])} numbers, <i>z</i> = {vec(tr.post[0])}.")
    return (f"<p><b>Step 3.</b> The encoder maps <i>x</i> to a shorter vector <i>z</i> = f(W₁·<i>x</i> + b₁), "
            f"f = {act}.</p><p>{numbers}</p>"
            f"<p>The weights started random: nothing is learned yet. Click a hidden node to see its sum "
            f"written out in the Steps panel.</p>")


def _decoding(f: Facts) -> str:
    tr = _trace(f)
    act = f.model.output_activation if f.model is not None else "g"
    if tr is None:
        numbers = WAIT
    else:
        rated = tr.rated.astype(bool)
        numbers = (f"In stars, s·<i>y</i> on the movies {tr.label} rated is {_stars(f, tr, tr.post[-1][rated])} "
                   f"against the ratings {_stars(f, tr, tr.x[rated])}; the other values are {tr.label}'s "
                   f"predictions for the movies not seen.")
    return (f"<p><b>Step 4.</b> The decoder maps <i>z</i> back to one value per movie, the reconstruction "
            f"<i>y</i> = g(W₂·<i>z</i> + b₂), g = {act}, aiming to replicate <i>x</i>.</p><p>{numbers}</p>")


def _error(f: Facts) -> str:
    tr = _trace(f)
    numbers = WAIT if tr is None else (f"For {tr.label}: n = {tr.n_rated} rated movies, L = "
                                       f"{num(tr.loss, 4)}. Rings on the outputs show each error y − x.")
    return (f"<p><b>Step 5.</b> The error is the mean squared difference over the <b>rated</b> movies "
            f"only: L = 1/n Σ (xᵢ − yᵢ)².</p><p>{numbers}</p>"
            f"<p>The seed divides by m, the number of all movies: an unrated movie has no target, and "
            f"counting it as a 0 would teach the network to predict 0 stars for every film not seen. (Its "
            f"other text writes ‖x − y‖; the squared error is what is minimised.)</p>")


def _backprop(f: Facts) -> str:
    tr = _trace(f)
    if tr is None:
        numbers = WAIT
    elif tr.grad_w is None:
        numbers = ""
    else:
        numbers = f"The largest |∂L/∂W₁| for {tr.label} is {num(float(np.abs(tr.grad_w[0]).max()))}."
    return (f"<p><b>Step 6.</b> Back-propagation: from right to left, the error flows back through the "
            f"network as δ = ∂L/∂a for each unit's weighted sum a: how much that unit is to blame.</p>"
            f"<p>A weight's share of the blame is the δ of the unit it feeds times the activation it carries: "
            f"∂L/∂W = δ·hᵀ. The edges drawn now are −∂L/∂W, the way each weight should move.</p><p>{numbers}</p>")


def _update(f: Facts) -> str:
    s, t = f.snapshot, f.training
    how = "" if t is None else f" with the {t.optimizer} optimiser and learning rate η = {num(t.lr)}"
    numbers = WAIT if s is None or s.update_w is None else (
        f"Updates so far: {s.step} (the Training panel counts them). The largest weight change was "
        f"|ΔW| = {num(max(float(np.abs(u).max()) for u in s.update_w))}.")
    return (f"<p><b>Step 7.</b> Every weight and bias θ moves against its gradient, θ ← θ − η·(step),{how}. "
            f"The learning rate sets how far each update goes. The edges that changed most glow.</p>"
            f"<p>{numbers}</p>")


def _epoch(f: Facts) -> str:
    s = f.snapshot
    numbers = WAIT if s is None or not len(s.history.epoch_train_rmse) else (
        f"After epoch {len(s.history.epoch_train_rmse)} the reconstructions of the ratings are off by "
        f"{num(s.history.epoch_train_rmse[-1])} stars (RMSE): the chart's latest point.")
    return (f"<p><b>Step 8.</b> Step epoch fed the remaining users, one after the other. When all users have "
            f"passed, that is one <b>epoch</b>; the next one starts with the first user again.</p>"
            f"<p>{numbers} Training repeats epochs until that stops falling.</p>")


def _online(f: Facts) -> str:
    s = f.snapshot
    done = "" if s is None else (f" Here: {s.step} updates in {len(s.history.epoch_train_rmse)} epoch(s) "
                                 f"of {s.n_observations} users.")
    return (f"<p>The seed's step 7: when to update.</p>"
            f"<ul><li><b>Online</b>: after each observation (what you just watched).{done}</li>"
            f"<li><b>Mini-batch</b>: after every B observations, with their gradients averaged.</li>"
            f"<li><b>Full batch</b>: once per epoch, with all of them.</li></ul>"
            f"<p>The seed calls updating after each observation “reinforcement learning”: it is not. "
            f"Reinforcement learning learns from rewards for actions taken in an environment. Here every "
            f"input is its own target, and updating after each one is <b>online</b> (stochastic) gradient "
            f"descent.</p><p>The Model panel's <i>learning</i> box chooses; Apply keeps the network.</p>")


# ---------------------------------------------------------------------- part 3: the types
def _overcomplete(f: Facts) -> str:
    return (f"<p>The Model panel's type is now <b>overcomplete</b>: the hidden layer is <i>wider</i> "
            f"than the input, {_sizes(f)}.</p>"
            f"<p>A layer this wide could simply pass each input through and learn nothing. An overcomplete "
            f"autoencoder gets more features only with a constraint that stops the copy: sparsity, noise or a "
            f"contractive penalty, the next three types.</p>")


def _sparse(f: Facts) -> str:
    m, i, s = f.model, f.insight, f.snapshot
    rho = num(m.sparsity_target) if m is not None else "ρ"
    count = ""
    if i is not None and s is not None and i.dormant and i.step == s.step:
        d = i.dormant[i.code_layer]
        count = f" Now, after epoch {s.epoch}: <b>{int(d.sum())} of {len(d)}</b> units dormant."
    return (f"<p><b>Sparse</b>: a penalty β·KL(ρ ‖ ρ̂ⱼ) pulls each hidden unit's mean activation ρ̂ⱼ "
            f"toward a small target ρ = {rho}, so each user switches on only a few units. Play is training "
            f"it.</p>"
            f"<p>Units whose mean activation stays below ρ/10 are <b>dormant</b>: ◌ in the network, ✕ in the "
            f"Hidden units panel.{count}</p>"
            f"<p>Sparse autoencoders are often overcomplete, as this one ({_sizes(f)}), but the penalty works "
            f"at any width.</p>")


def _denoising(f: Facts) -> str:
    m, tr = f.model, _trace(f)
    rate = f"{m.noise_rate:.0%}" if m is not None else "some"
    seen = ""
    if tr is not None:
        hidden = int(((tr.x_in != tr.x) & tr.rated.astype(bool)).sum())
        seen = f" In {tr.label}'s pass, {hidden} of {tr.n_rated} ratings were corrupted."
    return (f"<p><b>Denoising</b>: each input is corrupted before it enters (masking hides {rate} of the "
            f"ratings at random), and the error compares the output with the <i>clean</i> input.</p>"
            f"<p>The network view writes <b>x̃ ← x</b> beside each corrupted input: what entered ← the clean "
            f"target.{seen} To rebuild a hidden rating the network must use the others: it learns how movies "
            f"go together.</p>")


def _contractive(f: Facts) -> str:
    m, tr = f.model, _trace(f)
    lam = num(m.contractive_weight) if m is not None else "λ"
    value = f" For {tr.label}: λ‖J‖²_F = {num(tr.penalty, 4)}, beside L = {num(tr.loss, 4)}." if tr else ""
    return (f"<p><b>Contractive</b>: the error gets a penalty λ‖J‖²_F, λ = {lam}, where J = ∂z/∂x is the "
            f"Jacobian of the code: how much each code unit moves when each input moves. ‖J‖²_F adds up the "
            f"squares.{value}</p>"
            f"<p>Keeping it small makes the code change little when a rating changes a little: the encoder "
            f"<i>contracts</i> the space around the training users. (The seed says it penalises the weights: it "
            f"penalises this sensitivity.) The Steps panel shows the term at step 5.</p>")


def _stacked(f: Facts) -> str:
    s = f.snapshot
    now = "" if s is None else f" Now: <b>{s.phase.title}</b>, epoch {s.epoch} of {s.phase.epochs}."
    return (f"<p><b>Stacked</b>: trained greedily, layer by layer. The first autoencoder learns to compress "
            f"the ratings; the second compresses the first one's codes; then the layers are stacked into "
            f"{_sizes(f)} and fine-tuned together by back-propagation.</p>"
            f"<p>The phases: {_phases(f)}.{now} Only the layer being pre-trained changes; the others are "
            f"frozen (grey in the network).</p>")


def _deep(f: Facts) -> str:
    m, s = f.model, f.snapshot
    k = m.cd_k if m is not None else "k"
    now = "" if s is None else f" Now: <b>{s.phase.title}</b>."
    return (f"<p><b>Deep</b>: each layer is first trained as a restricted Boltzmann machine (RBM), an "
            f"undirected two-layer network, by contrastive divergence CD-k with k = {k}: from the data v₀ to "
            f"its hidden units and back k times, moving the weights by ⟨v h⟩<sub>data</sub> − "
            f"⟨v h⟩<sub>k</sub>. The band in the network marks the RBM at work.</p>"
            f"<p>The trained RBMs are stacked, unrolled into an encoder and its mirror decoder, and fine-tuned "
            f"by back-propagation: {_phases(f)}.{now} (The seed calls deep autoencoders “stacked RBMs”: they "
            f"<i>start</i> as stacked RBMs.)</p>")


# ---------------------------------------------------------------------- part 4: using the model
def _train(f: Facts) -> str:
    s = f.snapshot
    curve = s.history.epoch_train_rmse if s is not None else np.zeros(0)
    where = "" if not len(curve) else (f" Training RMSE: {num(curve[0])} stars after epoch 1, {num(curve[-1])} "
                                       f"after epoch {len(curve)}.")
    epochs = f.training.epochs if f.training is not None else "all"
    return (f"<p>Back to the basic autoencoder. Play trains it for {epochs} epochs (Space pauses).{where}</p>"
            f"<p>This grid holds nothing out, so the chart says how well the network fits the ratings it "
            f"learns from, not how well it predicts new ones: the demo preset keeps 10 % aside for that.</p>")


def _recommend(f: Facts) -> str:
    i, name = f.insight, _user(f, 2)
    if i is None or i.user != 2 or not i.recommendations:
        return (f"<p>The trained network reconstructs {name}'s row; its values on the movies {name} has not "
                f"rated are predictions, listed best first in the User panel.</p><p>{WAIT}</p>")
    best = ", ".join(f"{_movie(f, r.movie)} ({r.predicted:.1f} ★)" for r in i.recommendations[:3])
    return (f"<p>The trained network reconstructs {name}'s row, and its values on the movies {name} has "
            f"not rated are predictions. The User panel lists them, best first: {best}.</p>"
            f"<p>These come from what users with similar ratings liked: nobody wrote a rule.</p>")


def _new_user(f: Facts) -> str:
    e = f.encoding
    typed = ", ".join(f"{_movie(f, m)} {stars:g} ★" for m, stars in NEW_USER)
    if e is None:
        return (f"<p>A new user, not in the grid, rates {typed} in the New user panel: the trained encoder "
                f"gives their code at once, no retraining.</p><p>{WAIT}</p>")
    best = ", ".join(f"{_movie(f, r.movie)} ({r.predicted:.1f} ★)" for r in e.recommendations[:3])
    return (f"<p>A new user, not in the grid, rated {typed} in the New user panel. The trained encoder gives "
            f"their code at once, <i>z</i> = {vec(e.codes[e.code_layer])}, and the decoder their predictions: "
            f"{best}.</p><p>No retraining: the seed's step 8, encoding new users.</p>")


def _latent(f: Facts) -> str:
    i = f.insight
    k = len(i.codes[i.code_layer][0]) if i is not None and len(i.codes[i.code_layer]) else None
    how = ("" if k is None else f" The bottleneck has {k} units: the plot shows "
           + ("them as they are." if k == 2 else "the codes' first two principal components."))
    return (f"<p>The <b>latent space</b>: each user is a point at their code <i>z</i>.{how} Users with similar "
            f"tastes lie close together; colour the points by favourite genre to see it. The new user is "
            f"there too.</p><p>The network found this layout in the ratings alone.</p>")


def _end(f: Facts) -> str:
    return ("<p>That is the whole story: inputs → bottleneck → reconstruction, trained step by step, in six "
            "variants, then used to recommend.</p>"
            "<p>Next: File ▸ Download MovieLens for real ratings, the Compare panel to race the types, or any "
            "setting in the Model panel. Help ▸ Lesson (F1) comes back here.</p>")


# ---------------------------------------------------------------------- the pages
_SEED, _TOY = "seed-example", "seed-toy"
_INTRO, _STEPS, _TYPES, _USE = ("What an autoencoder is", "Training, step by step", "The types of autoencoder",
                                "Using the trained model")
_OFF = (("bias", False),)

PAGES: tuple[Page, ...] = (
    Page(_INTRO, "Inputs → bottleneck → reconstruction", _what, _SEED, actions=_OFF, dock="Readout",
         look_at="network"),
    Page(_INTRO, "One pass through the 4-2-4 network", _one_pass, _SEED, actions=(*_OFF, ("select_user", 0)),
         dock="Steps", look_at="network"),
    Page(_INTRO, "Softmax: probabilities", _softmax, _SEED,
         actions=(*_OFF, ("select_user", 0), ("temperature", 1.0)), dock="Readout", look_at="readout"),
    Page(_INTRO, "The arg-max picks the largest", _argmax, _SEED,
         actions=(*_OFF, ("select_user", 0), ("temperature", 0.01)), dock="Readout", look_at="temperature"),
    Page(_INTRO, "Biases", _bias, _SEED, actions=(("select_user", 0), ("temperature", 0.01), ("bias", True)),
         dock="Readout", look_at="bias"),
    Page(_STEPS, "Step 1: the ratings grid", _grid, _TOY, training=IN_ORDER, dock="Data", look_at="grid"),
    Page(_STEPS, "Step 2: a user enters", _enters, _TOY, training=IN_ORDER,
         actions=(("select_user", 0), ("hold", 2)), dock="Data", look_at="network"),
    Page(_STEPS, "Step 3: encoding", _encoding, _TOY, training=IN_ORDER, actions=(("walk",), ("hold", 3)),
         dock="Steps", look_at="network"),
    Page(_STEPS, "Step 4: decoding", _decoding, _TOY, training=IN_ORDER, actions=(("walk",), ("hold", 4)),
         dock="Steps", look_at="network"),
    Page(_STEPS, "Step 5: the error", _error, _TOY, training=IN_ORDER, actions=(("walk",), ("hold", 5)),
         dock="Steps", look_at="steps"),
    Page(_STEPS, "Step 6: back-propagation", _backprop, _TOY, training=IN_ORDER,
         actions=(("walk",), ("hold", 6)), dock="Steps", look_at="network"),
    Page(_STEPS, "Step 7: the update", _update, _TOY, training=IN_ORDER, actions=(("walk",), ("hold", 7)),
         dock="Training", look_at="training"),
    Page(_STEPS, "Step 8: the epoch ends", _epoch, _TOY, training=IN_ORDER, actions=(("finish_epoch",),),
         dock="Charts", look_at="charts"),
    Page(_STEPS, "Online or batch learning", _online, _TOY, training=IN_ORDER, actions=(("finish_epoch",),),
         dock="Model", look_at="model-mode"),
    Page(_TYPES, "Overcomplete", _overcomplete, _TOY, model={"kind": "overcomplete", "hidden": (8,)},
         training=IN_ORDER, dock="Model", look_at="model-type"),
    Page(_TYPES, "Sparse: dormant units and ρ", _sparse, _TOY, model={"kind": "sparse", "hidden": (8,)},
         training=IN_ORDER, actions=(("train",),), dock="Hidden units", look_at="codes"),
    Page(_TYPES, "Denoising: x̃ beside x", _denoising, _TOY, model={"kind": "denoising"},
         training=IN_ORDER, actions=(("walk",), ("hold", 4)), dock="Model", look_at="network"),
    Page(_TYPES, "Contractive: ‖J‖²_F", _contractive, _TOY, model={"kind": "contractive"}, training=IN_ORDER,
         actions=(("walk",), ("hold", 5)), dock="Steps", look_at="steps"),
    Page(_TYPES, "Stacked: layer-wise pre-training", _stacked, _TOY, model={"kind": "stacked", "hidden": (4, 2)},
         training=IN_ORDER, actions=(("finish_epoch",),), dock="Training", look_at="training"),
    Page(_TYPES, "Deep: RBMs and CD-k", _deep, _TOY, model={"kind": "deep", "hidden": (4, 2)}, training=IN_ORDER,
         actions=(("walk",),), dock="Training", look_at="network"),
    Page(_USE, "Train it", _train, _TOY, training=IN_ORDER, actions=(("train",),), dock="Charts",
         look_at="charts"),
    Page(_USE, "A user's recommendations", _recommend, _TOY, training=IN_ORDER,
         actions=(("train",), ("select_user", 2)), dock="User", look_at="user"),
    Page(_USE, "A new user", _new_user, _TOY, training=IN_ORDER, actions=(("train",), ("rate", NEW_USER)),
         dock="New user", look_at="new-user"),
    Page(_USE, "The latent space", _latent, _TOY, training=IN_ORDER, actions=(("train",), ("rate", NEW_USER)),
         dock="Latent space", look_at="latent"),
    Page(_USE, "Where to go from here", _end),
)


def page_number_error(n: int) -> str | None:
    """Why ``n`` (1-based, as ``--lesson N`` takes it) is not a page; ``None`` when it is one."""
    if 1 <= n <= len(PAGES):
        return None
    return f"--lesson {n}: the lesson has pages 1 to {len(PAGES)}"
