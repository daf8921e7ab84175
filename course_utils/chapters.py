"""The chapter registry: the one list of the course's chapters, in course order.

Everything that lists chapters derives from :data:`CHAPTERS`: the README's table (a test
checks it), the GIFs ``python -m course_utils gifs`` builds (each scene's ``gif_name``),
the real-browser test (it opens every notebook and moves the named control) and the
scene benchmark. Adding a chapter is one row here plus the chapter's own files; see
"How to add a chapter" in the README.

Scenes are named as ``"module:Class"`` in :mod:`course_utils.scenes`, so that reading
the registry imports nothing heavy; :func:`scene_classes` imports them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["Chapter", "CHAPTERS", "chapter", "scene_classes", "gif_scenes", "load_gif_scene"]


@dataclass(frozen=True)
class Chapter:
    """One chapter: ``notebook`` is the file name in notebooks/ without ``.ipynb``;
    ``summary`` is what the README's table says you learn; ``scenes`` are its scenes
    (``"module:Class"``); ``exercises`` names its module in
    :mod:`course_utils.exercises`; ``control`` is the label of the slider the browser
    test moves in the chapter's first widget, or, with ``play=True``, the slider whose
    Play button it presses (a widget that trains live, starting at step 0)."""

    number: str
    notebook: str
    title: str
    summary: str
    scenes: tuple[str, ...]
    exercises: str
    control: str
    play: bool = False


CHAPTERS = (
    Chapter("01", "01_neurons", "Neurons",
            "what one neuron computes (inputs, weights, bias, activation, output), and how the "
            "perceptron learns its weights from examples",
            ("neuron:NeuronScene", "perceptron:PerceptronScene"), "neurons", "weight w\u2081"),
    Chapter("02", "02_activation_functions", "Activation functions",
            "the common activations, their slopes, vanishing gradients, why a network needs "
            "non-linearity, and how softmax turns scores into probabilities",
            ("activations:ActivationScene", "nonlinearity:NonlinearityScene", "softmax:SoftmaxScene"),
            "activations",
            "input x"),
    Chapter("03", "03_layers", "Layers",
            "from one neuron to a network: layers, parameter counts, and how each layer bends "
            "the input space",
            ("layers:LayersScene", "initialisation:InitialisationScene"), "layers", "snapshot"),
    Chapter("04", "04_network_types", "Types of networks",
            "the six families of networks (feedforward, convolutional, recurrent, LSTM, GAN, "
            "autoencoder): what flows where, and which problems each one fits",
            ("network_types:NetworkTypesScene",), "network_types", "signal flow"),
    Chapter("04a", "04a_convolutional_networks", "Convolutional networks",
            "convolution, stride, padding and pooling; a CNN trained on real handwritten digits, "
            "seen from the inside; why it copes better than an MLP with a digit that moves",
            ("convolution:ConvolutionScene", "pooling:PoolingScene", "cnn:CNNScene",
             "shifted_digits:ShiftedDigitsScene"), "convolution", "output cell"),
    Chapter("04b", "04b_recurrent_networks", "Recurrent networks",
            "an RNN reading a sequence step by step; why its gradient vanishes over long gaps; the "
            "LSTM's gates, clamped to see what each one does; both trained on a task that needs memory",
            ("rnn_unrolled:RNNUnrolledScene", "rnn_steps:RNNStepsScene", "lstm_cell:LSTMCellScene",
             "lstm_gates:LSTMGatesScene", "gradient_through_time:GradientThroughTimeScene",
             "memory:MemoryScene", "next_character:NextCharacterScene"), "recurrent", "time step"),
    Chapter("04c", "04c_generative_adversarial_networks", "Generative adversarial networks",
            "a generator and a discriminator trained against each other, live, from a cold start: "
            "the discriminator's verdict, the generator's bent noise grid and the arrows it "
            "follows; mode collapse in 8 seeds side by side, and the settings that cure it",
            ("gan:GANScene", "mode_collapse:ModeCollapseScene"), "gan", "moves", play=True),
    Chapter("04d", "04d_autoencoders", "Autoencoders",
            "an encoder squeezes real digits into a code of 2 numbers and a decoder rebuilds them; "
            "the code map, walked live; code size against error; PCA beside it; denoising and "
            "anomaly detection",
            ("autoencoder:AutoencoderScene", "code_map:CodeMapScene", "bottleneck:BottleneckScene",
             "pca_codes:PCACodesScene", "denoising:DenoisingScene", "anomalies:AnomalyScene"),
            "autoencoders", "snapshot"),
    Chapter("05", "05_backpropagation", "Backpropagation",
            "the computation graph filled with values, then with gradients node by node; the "
            "chain rule, checked by finite differences; the same rule for whole layers; why "
            "gradients vanish through depth",
            ("backprop:BackpropScene", "gradient_depth:GradientDepthScene"), "backprop", "step"),
    Chapter("06", "06_loss_functions", "Loss functions",
            "mean squared error, Huber, binary and categorical cross-entropy, hinge and KL "
            "divergence with their gradients; outliers against Huber, margins against "
            "probabilities, the two directions of KL",
            ("loss_functions:LossFunctionsScene", "loss_explorer:LossExplorerScene",
             "outliers:OutliersScene", "margins:MarginsScene", "cross_entropy:CrossEntropyScene",
             "kl_directions:KLDirectionsScene"), "losses", "prediction (sweep)"),
    Chapter("07", "07_optimizers", "Optimizers and the training process",
            "SGD, momentum, Nesterov, Adagrad, RMSprop, Adadelta and Adam raced on hard loss "
            "surfaces; what the learning rate, epochs and batch size do; the condition number and "
            "the best momentum; learning-rate schedules",
            ("optimizers:OptimizerRaceScene", "learning_rate:LearningRateScene",
             "convergence:ConvergenceScene", "epochs:EpochsScene", "batch_size:BatchSizeScene",
             "schedules:ScheduleScene"),
            "optimizers",
            "updates in the race"),
    Chapter("08", "08_regularization", "Regularization",
            "a network that learns the noise, and four fixes measured on it: L1 and L2 penalties "
            "(and why L1 gives zeros), dropout, early stopping, and data augmentation on real "
            "handwritten digits",
            ("penalties:PenaltyScene", "dropout:DropoutScene", "dropout_effect:DropoutEffectScene",
             "early_stopping:EarlyStoppingScene", "augmentation:AugmentationScene",
             "regularizers:RegularizersScene"),
            "regularization", "strength \u03bb"),
    Chapter("09", "09_playground", "Playground",
            "everything together: build a network, pick its features, loss, optimizer and "
            "regularization, train it live on two-class, three- or four-class, regression or your "
            "own data, look at every neuron, and save a setting to share",
            ("playground:PlaygroundScene",), "playground", "epoch", play=True),
)


def chapter(notebook: str) -> Chapter:
    """The chapter whose notebook is ``notebook`` (with or without ``.ipynb``)."""
    name = notebook.removesuffix(".ipynb")
    for ch in CHAPTERS:
        if ch.notebook == name:
            return ch
    raise KeyError(f"no chapter {notebook!r}; the chapters are {[c.notebook for c in CHAPTERS]}")


def _load(spec: str) -> type:
    module, cls = spec.split(":")
    return getattr(importlib.import_module(f"course_utils.scenes.{module}"), cls)


def scene_classes(chapters=CHAPTERS) -> list[type]:
    """The scene classes of ``chapters`` (all by default), in course order."""
    return [_load(spec) for ch in chapters for spec in ch.scenes]


def gif_scenes() -> dict[str, type]:
    """GIF name -> scene class, for every registered scene that has a GIF."""
    found = {}
    for cls in scene_classes():
        if cls.gif_name:
            if cls.gif_name in found:
                raise ValueError(f"two scenes make imgs/{cls.gif_name}.gif: "
                                 f"{found[cls.gif_name].__name__} and {cls.__name__}")
            found[cls.gif_name] = cls
    return found


def load_gif_scene(name: str) -> type:
    """The scene class whose GIF is ``imgs/<name>.gif``."""
    scenes = gif_scenes()
    if name not in scenes:
        raise KeyError(f"no GIF named {name!r}; the GIFs are {sorted(scenes)}")
    return scenes[name]
