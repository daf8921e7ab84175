"""One artificial neuron: inputs, weights, bias, activation, output.

Left: the neuron as a diagram. Signals travel along the weighted connections, the
neuron adds them up with its bias (z = w1*x1 + w2*x2 + b) and passes the sum through
its activation (y = f(z)). Middle: the activation curve with the current z marked.
Right: the output for every input point of the plane, with the line where z = 0
(the decision line) and the weight vector, which points to where z grows.

The parameter ``step`` (0 to ``LAST``) plays the computation in order; at ``LAST``
everything is shown.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle

from .. import style
from ..nn.functional import ACTIVATIONS
from ..scene import Param, Scene

ACTIVATION_CHOICES = ("step", "identity", "sigmoid", "tanh", "relu")
LAST = 11  # the step at which the whole computation is shown
PLANE = 2.0  # the input plane spans [-PLANE, PLANE] in both directions
Z_RANGE = 10.0  # |z| <= 2*2 + 2*2 + 2 with the slider ranges below


def neuron_output(x1: float, x2: float, w1: float, w2: float, b: float, activation: str) -> tuple[float, float]:
    """Return (z, y): the weighted sum plus bias, and the activation of it."""
    z = w1 * x1 + w2 * x2 + b
    return z, float(ACTIVATIONS[activation].function(np.array(z)))


def _num(v: float) -> str:
    """A number as the arithmetic line shows it: two decimals, negatives in brackets."""
    text = f"{v:.2f}".replace("-", "\u2212")
    return f"({text})" if v < 0 else text


class NeuronScene(Scene):
    params = (
        Param("x1", 1.0, -PLANE, PLANE, 0.05, label="input x\u2081"),
        Param("x2", 0.5, -PLANE, PLANE, 0.05, label="input x\u2082"),
        Param("w1", 0.8, -2.0, 2.0, 0.05, label="weight w\u2081"),
        Param("w2", -0.6, -2.0, 2.0, 0.05, label="weight w\u2082"),
        Param("b", 0.2, -2.0, 2.0, 0.05, label="bias b"),
        Param("activation", "sigmoid",
              options=tuple((ACTIVATIONS[a].label, a) for a in ACTIVATION_CHOICES),
              label="activation"),
        Param("step", LAST, 0, LAST, 1, integer=True, label="signal flow"),
    )
    gif_name = "neuron"
    background_params = ("activation",)  # the curve's y-axis and title

    # positions in the diagram's coordinates (x 0..10, y 0..6)
    _IN = ((1.0, 4.6), (1.0, 1.4))
    _BIAS = (5.0, 5.7)
    _CELL = (5.0, 3.0)
    _OUT = (9.0, 3.0)

    def build(self) -> None:
        fig = self.fig
        self.ax = fig.add_axes([0.0, 0.12, 0.46, 0.86])
        self.ax_f = fig.add_axes([0.53, 0.32, 0.15, 0.5])
        self.ax_p = fig.add_axes([0.74, 0.16, 0.24, 0.72])
        ax = self.ax
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 6.2)
        ax.set_aspect("equal", adjustable="box")  # round circles
        ax.set_axis_off()

        # connections (width and colour set in draw)
        self.edges = [ax.plot([], [], solid_capstyle="round", zorder=1)[0] for _ in range(2)]
        self.moving(*self.edges)
        self.bias_edge = ax.plot([self._BIAS[0], self._CELL[0]], [self._BIAS[1] - 0.3, self._CELL[1] + 0.9],
                                 color=style.GREY, lw=1.5, zorder=1)[0]
        self.out_edge = ax.plot([self._CELL[0] + 0.9, self._OUT[0] - 0.5], [3.0, 3.0],
                                color=style.BLACK, lw=1.5, zorder=1)[0]
        self.weight_text = [ax.text(0, 0, "", ha="center", va="center", fontsize=10,
                                    bbox=dict(fc="white", ec="none", pad=1)) for _ in range(2)]
        self.moving(*self.weight_text)
        # nodes
        for (x, y) in self._IN:
            ax.add_patch(Circle((x, y), 0.5, fc=style.LIGHT, ec=style.BLACK, zorder=2))
        ax.add_patch(Circle(self._CELL, 0.9, fc="white", ec=style.BLACK, lw=2, zorder=2))
        ax.add_patch(Circle(self._OUT, 0.5, fc=style.LIGHT, ec=style.BLACK, zorder=2))
        ax.text(*self._CELL, "\u03a3  \u2192  f", ha="center", va="center", fontsize=13, zorder=3)
        self.in_text = [ax.text(x, y, "", ha="center", va="center", fontsize=9, zorder=3) for x, y in self._IN]
        self.bias_text = ax.text(*self._BIAS, "", ha="center", va="center", fontsize=10)
        self.out_text = ax.text(*self._OUT, "", ha="center", va="center", fontsize=9, zorder=3)
        self.moving(*self.in_text, self.bias_text, self.out_text)
        ax.text(self._OUT[0], self._OUT[1] - 0.8, "output", ha="center", fontsize=9, color=style.GREY)
        ax.text(1.0, 0.4, "inputs", ha="center", fontsize=9, color=style.GREY)
        # travelling signals
        self.pulses = self.moving(ax.plot([], [], "o", ms=9, color=style.ORANGE, mec=style.BLACK, zorder=4)[0])
        # arithmetic, under the figure
        self.sum_text = fig.text(0.02, 0.065, "", fontsize=10, family="DejaVu Sans Mono")
        self.act_text = fig.text(0.02, 0.01, "", fontsize=10, family="DejaVu Sans Mono")
        self.moving(self.sum_text, self.act_text)

        # activation curve
        self.zs = np.linspace(-Z_RANGE, Z_RANGE, 401)
        self.curve = self.ax_f.plot([], [], color=style.BLUE)[0]
        self.z_dot = self.ax_f.plot([], [], "o", color=style.ORANGE, mec=style.BLACK, ms=7)[0]
        self.ax_f.axhline(0, color=style.GREY, lw=0.6)
        self.ax_f.axvline(0, color=style.GREY, lw=0.6)
        self.ax_f.set_xlim(-Z_RANGE, Z_RANGE)
        self.ax_f.set_xticks([-Z_RANGE, 0, Z_RANGE])
        self.ax_f.set_xlabel("z")
        self.moving(self.curve, self.z_dot)

        # the output over the input plane
        grid = np.linspace(-PLANE, PLANE, 81)
        self.g1, self.g2 = np.meshgrid(grid, grid)
        self.image = self.ax_p.imshow(np.zeros_like(self.g1), origin="lower", cmap=style.DIVERGING,
                                      extent=(-PLANE, PLANE, -PLANE, PLANE), interpolation="nearest")
        self.line = self.ax_p.plot([], [], "--", color=style.BLACK, lw=1.5)[0]
        self.wvec = self.ax_p.plot([], [], color=style.GREEN, lw=2.5)[0]
        self.wtip = self.ax_p.plot([], [], ">", color=style.GREEN, ms=10)[0]
        self.point = self.ax_p.plot([], [], "o", color=style.ORANGE, mec=style.BLACK, ms=9)[0]
        self.moving(self.image, self.line, self.wvec, self.wtip, self.point)
        self.ax_p.set_xlim(-PLANE, PLANE)
        self.ax_p.set_ylim(-PLANE, PLANE)
        self.ax_p.set_xticks([-PLANE, 0, PLANE])
        self.ax_p.set_yticks([-PLANE, 0, PLANE])
        self.ax_p.set_xlabel("x\u2081")
        self.ax_p.set_ylabel("x\u2082", labelpad=-2)
        self.ax_p.set_title("output y (blue: high)", fontsize=10)

    def draw_background(self) -> None:
        """The activation curve's y-axis and title: a bounded activation's range, with a
        margin of 0.1, else the whole range of z."""
        a = ACTIVATIONS[self.values["activation"]]
        if a.bounded:
            low, high = a.bounds
            self.ax_f.set_ylim(low - 0.1, high + 0.1)
            self.ax_f.set_yticks(sorted({low, 0.0, high}))
        else:
            self.ax_f.set_ylim(-Z_RANGE, Z_RANGE)
            self.ax_f.set_yticks([-Z_RANGE, 0, Z_RANGE])
        self.ax_f.set_title(f"f = {a.label}")

    def draw(self) -> None:
        v = self.values
        x1, x2, w1, w2, b, act, step = (v[k] for k in ("x1", "x2", "w1", "w2", "b", "activation", "step"))
        f = ACTIVATIONS[act].function
        name = ACTIVATIONS[act].label
        z, y = neuron_output(x1, x2, w1, w2, b, act)

        # diagram: connections drawn by sign (colour) and size (width)
        cx, cy = self._CELL
        for edge, label, (px, py), wk, i in zip(self.edges, self.weight_text, self._IN, (w1, w2), "\u2081\u2082"):
            edge.set_data([px + 0.5, cx - 0.85], [py, cy + (0.4 if py > cy else -0.4)])
            edge.set_color(style.sign_color(wk))
            edge.set_linewidth(0.8 + 2.5 * abs(wk))
            label.set_position((0.45 * (px + 0.5) + 0.55 * (cx - 0.85), 0.45 * py + 0.55 * cy))
            label.set_text(f"w{i} = {wk:.2f}".replace("-", "\u2212"))
        self.in_text[0].set_text(f"x\u2081\n{x1:.2f}")
        self.in_text[1].set_text(f"x\u2082\n{x2:.2f}")
        self.bias_text.set_text(f"bias b = {b:.2f}")

        # signals travelling along the connections (steps 1-4), then to the output (8-10)
        px, py = [], []
        if 1 <= step <= 4:
            t = step / 4
            for (sx, sy), edge in zip(self._IN, self.edges):
                ex, ey = edge.get_data()
                px.append(ex[0] + t * (ex[1] - ex[0]))
                py.append(ey[0] + t * (ey[1] - ey[0]))
            px.append(self._BIAS[0])
            py.append(self._BIAS[1] - 0.3 - t * (self._BIAS[1] - 1.2 - cy))
        elif 8 <= step <= 10:
            t = (step - 7) / 3
            px.append(cx + 0.9 + t * (self._OUT[0] - 0.5 - cx - 0.9))
            py.append(cy)
        self.pulses.set_data(px, py)

        self.sum_text.set_text(
            f"z = w\u2081x\u2081 + w\u2082x\u2082 + b = {_num(w1)}\u00b7{_num(x1)} + {_num(w2)}\u00b7{_num(x2)}"
            f" + {_num(b)} = {z:.2f}" if step >= 5 else "")
        self.act_text.set_text(f"y = f(z) = {name}({z:.2f}) = {y:.2f}" if step >= 7 else "")
        self.out_text.set_text(f"y\n{y:.2f}" if step >= 11 else "y\n?")

        # activation curve
        fz = f(self.zs)
        self.curve.set_data(self.zs, fz)
        self.z_dot.set_data([z] if step >= 6 else [], [y] if step >= 6 else [])

        # output over the plane: coloured around f(0), the output on the decision line
        out = f(w1 * self.g1 + w2 * self.g2 + b)
        centre = float(f(np.array(0.0)))
        spread = max(float(np.max(np.abs(out - centre))), 1e-6)
        self.image.set_data(out)
        self.image.set_clim(centre - spread, centre + spread)
        self.line.set_data(*_zero_line(w1, w2, b))
        norm = np.hypot(w1, w2)
        scale = 1.0 / max(norm, 1.0)  # keep the arrow inside the plane
        self.wvec.set_data([0, w1 * scale], [0, w2 * scale])
        self.wtip.set_data([w1 * scale], [w2 * scale])
        self.wtip.set_marker((3, 0, np.degrees(np.arctan2(w2, w1)) - 90) if norm > 0 else "")
        self.point.set_data([x1], [x2])

    def storyboard(self):
        settings = [
            dict(x1=1.0, x2=0.5, w1=0.8, w2=-0.6, b=0.2, activation="sigmoid"),
            dict(x1=-1.0, x2=1.5, w1=1.2, w2=0.9, b=-0.5, activation="relu"),
            dict(x1=1.0, x2=1.0, w1=1.0, w2=1.0, b=-1.5, activation="step"),
        ]
        for s in settings:
            for k in range(LAST + 1):
                yield dict(s, step=k), 1300 if k == LAST else 160
        # with everything shown, turn the weights: the decision line turns with them
        for a in np.linspace(0, 2 * np.pi, 24, endpoint=False):
            yield dict(x1=1.0, x2=0.5, w1=round(1.5 * np.cos(a), 3), w2=round(1.5 * np.sin(a), 3),
                       b=0.3, activation="tanh", step=LAST), 120


def _zero_line(w1: float, w2: float, b: float) -> tuple[list[float], list[float]]:
    """End points of the line w1*x1 + w2*x2 + b = 0 inside the plane (empty if none)."""
    if abs(w2) >= abs(w1):
        if w2 == 0:
            return [], []
        xs = np.array([-PLANE, PLANE])
        return list(xs), list(-(w1 * xs + b) / w2)
    ys = np.array([-PLANE, PLANE])
    return list(-(w2 * ys + b) / w1), list(ys)
