"""The widget presenter: a scene's parameters become controls; each change shows a new frame.

The frame is a PNG inside an ``ipywidgets.Image``. Unlike a plot shown through an
Output widget, this keeps a notebook's stored outputs identical on every run (so strict
nbval passes) and works the same in JupyterLab and in voila.
"""

from __future__ import annotations

import base64
import html
import math

import ipywidgets as w

from . import style
from .scene import Param, Scene

_LAYOUT = w.Layout(width="340px")
_STYLE = {"description_width": "130px"}
#: A full Play run lasts about this many frames, however many steps the run has.
PLAY_FRAMES = 100
#: What the Play widget's three buttons do: its tooltip (one for the whole widget, since
#: ipywidgets gives its buttons none of their own; shown only when it has no description)
#: and the short help text beside it, for screens without a pointer to hover with.
PLAY_TOOLTIP = "play / pause \u00b7 stop (back to the start) \u00b7 repeat: start again at the end"
PLAY_HELP = "\u25b6 play / pause \u00b7 \u25a0 stop \u00b7 \u21c4 repeat: start again at the end"
#: The stops of a logarithmic slider in each factor of 10: round numbers about 15% apart.
LOG_STOPS = (1, 1.1, 1.2, 1.3, 1.5, 1.7, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 9)


def log_ladder(low: float, high: float) -> list[float]:
    """Round numbers from ``low`` to ``high`` spaced by factors (``LOG_STOPS`` in every
    power of ten), both ends included: the positions of a logarithmic slider."""
    ladder = {low, high}
    for k in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        ladder.update(v for v in (float(f"{m}e{k}") for m in LOG_STOPS) if low <= v <= high)
    return sorted(ladder)


def nearest(options: list[float], value: float) -> float:
    """The option closest to ``value`` by ratio (for showing a value between two stops)."""
    return min(options, key=lambda v: abs(math.log(v / value)))


def control(param: Param) -> w.ValueWidget:
    """The ipywidgets control for one declared parameter."""
    label = param.label or param.name
    common = dict(description=label, value=param.default, continuous_update=True,
                  layout=_LAYOUT, style=_STYLE)
    if param.text:  # read when the student presses Enter or leaves the box, not per key
        return w.Text(description=label, value=param.default, continuous_update=False,
                      layout=_LAYOUT, style=_STYLE)
    if param.options and set(param.values()) == {False, True}:
        return w.Checkbox(description=label, value=param.default, indent=False,
                          layout=w.Layout(width="110px"))
    if param.log:
        # A slider over round numbers. (A FloatLogSlider snaps its value to its own grid
        # in the browser, so 0.3 would come back as 0.316.)
        ladder = log_ladder(param.low, param.high)
        options = [(f"{v:g}", v) for v in ladder]
        common.update(value=nearest(ladder, param.default), options=options)
        return w.SelectionSlider(**common)
    if param.options and param.slider:
        options = [o if isinstance(o, tuple) else (f"{o:g}", o) for o in param.options]
        return w.SelectionSlider(**common, options=options)
    if param.options:
        options = [o if isinstance(o, tuple) else (str(o), o) for o in param.options]
        return w.Dropdown(options=options, value=param.default, description=label,
                          layout=_LAYOUT, style=_STYLE)
    if param.integer:
        return w.IntSlider(min=int(param.low), max=int(param.high), step=int(param.step or 1), **common)
    step = param.step or (param.high - param.low) / 100
    return w.FloatSlider(min=param.low, max=param.high, step=step, readout_format=".2f", **common)


class SceneWidget(w.VBox):
    """Controls above the scene's live picture. ``widget.scene`` is the scene it drives.

    Controls are laid out ``columns`` to a row, or as the scene's ``control_rows`` say
    (a tuple of rows, each a tuple of parameter names). A ``step`` parameter gets a Play
    button that runs to :meth:`Scene.step_max`, with a tooltip and a short help text
    (``widget.play_help``) saying what its play, stop and repeat buttons do. When a
    change makes the scene move other parameters (see :meth:`Scene.linked`), their
    controls follow.

    A change the scene refuses (a ValueError or TypeError from :meth:`Scene.set`, such as
    a typed kernel it cannot read) leaves the picture as it was and shows the scene's
    message in ``widget.message``, a line under the controls; the next good change
    clears it. A refused text stays in its box, to be corrected; any other control goes
    back to the scene's value.

    While a change trains for seconds, the scene's :attr:`~Scene.on_progress` messages show
    in ``widget.message``. A scene's :attr:`~Scene.actions` become buttons (``widget.buttons``, by method name)
    in a row under Play; a click calls :meth:`Scene.act` and shows the new frame.
    """

    def __init__(self, scene: Scene, columns: int = 2):
        self.scene = scene
        self.controls = {p.name: control(p) for p in scene.params}
        self._syncing = False
        for name, ctrl in self.controls.items():
            ctrl.value = scene.values[name]
            ctrl.observe(self._on_change, names="value")
        # shown at its own size (a stretched PNG looks blurred), smaller on narrow screens;
        # a scene that is not scalable is stretched to the size of the others
        dpi = scene.fig.dpi if scene.scalable else style.DPI * style.PICTURE_SCALE
        width = int(round(scene.fig.get_figwidth() * dpi))
        self.image = w.Image(value=scene.to_png(), format="png",
                             layout=w.Layout(width=f"{width}px", max_width="100%", height="auto"))
        rows = []
        self.play = self.play_help = None
        if "step" in self.controls:
            step = self.controls["step"]
            # no description: the browser shows a widget's tooltip only when it has none
            self.play = w.Play(min=step.min, max=step.max, step=1, interval=scene.play_interval, value=step.value,
                               show_repeat=True, repeat=False, tooltip=PLAY_TOOLTIP)
            w.jslink((self.play, "value"), (step, "value"))
            self.play_help = w.HTML(value=f'<span style="font-size: 85%; color: #505050">'
                                          f'{html.escape(PLAY_HELP)}</span>')
            # the help goes under the slider when the row is too narrow for it
            rows.append(w.HBox([self.play, step, self.play_help], layout=w.Layout(flex_flow="row wrap")))
        self.buttons = {}
        for label, method in scene.actions:
            button = self.buttons[method] = w.Button(description=label, layout=w.Layout(width="110px"))
            button.on_click(lambda _, method=method: self._on_action(method))
        if self.buttons:
            rows.append(w.HBox(list(self.buttons.values())))
        placed = {"step"}
        for names in scene.control_rows:
            rows.append(w.HBox([self.controls[n] for n in names]))
            placed.update(names)
        others = [c for n, c in self.controls.items() if n not in placed]
        rows += [w.HBox(others[i:i + columns]) for i in range(0, len(others), columns)]
        self.message = w.HTML(value="")
        scene.on_progress = self._progress
        super().__init__(rows + [self.message, self.image])
        self._sync_controls()

    def _on_change(self, change) -> None:
        if self._syncing:
            return
        owner = next(n for n, c in self.controls.items() if c is change["owner"])
        try:
            self.scene.set(**{owner: change["new"]})
        except (ValueError, TypeError) as exc:  # the scene is as it was: so is the picture
            self._say(str(exc), style.VERMILLION)
            self._sync_controls(keep=owner if self.scene.param(owner).text else None)
            return
        self._show_new_picture()

    def _progress(self, text: str) -> None:
        """What the scene is doing while it trains, in the message line (sent at once)."""
        self._say(text, "#505050")

    def _on_action(self, method: str) -> None:
        try:
            self.scene.act(method)
        except ValueError as exc:  # an action that makes no sense now: nothing changed
            self._say(str(exc), style.VERMILLION)
            return
        self._show_new_picture()

    def _say(self, text: str, colour: str) -> None:
        """``text`` in the message line, in ``colour`` (nothing for empty text)."""
        self.message.value = f'<span style="color: {colour}">{html.escape(text)}</span>' if text else ""

    def _show_new_picture(self) -> None:
        """After a change the scene took: clear the message, sync the controls, show the frame."""
        self.message.value = ""
        self._sync_controls()
        self.image.value = self.scene.to_png()

    def _sync_controls(self, keep: str | None = None) -> None:
        """Make every control show the scene's value (but the one named ``keep``), and
        Play stop at the run's end."""
        self._syncing = True
        try:
            if self.play is not None:
                last = self.scene.step_max()
                self.controls["step"].max = self.play.max = last
                self.play.step = self.scene.play_step or max(1, round(last / PLAY_FRAMES))
            for name, ctrl in self.controls.items():
                if name == keep:
                    continue
                value = self.scene.values[name]
                if self.scene.param(name).log:  # a value between stops shows the nearest one
                    value = nearest([v for _, v in ctrl.options], value)
                if ctrl.value != value:
                    ctrl.value = value
        finally:
            self._syncing = False

    def __repr__(self) -> str:
        # A short, fixed text: the default repr would print the PNG bytes, and notebook
        # checks compare this text.
        return f"<interactive {type(self.scene).__name__}: {len(self.controls)} controls>"

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The widget view, and beside it the current picture as a PNG: a viewer that
        cannot run the widget (a notebook opened before it is run, a code forge's page,
        nbviewer) shows the picture instead of only the text."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle


def interactive(scene: Scene, columns: int = 2) -> SceneWidget:
    """Return live controls and picture for ``scene``; show it as a cell's last value."""
    return SceneWidget(scene, columns=columns)
