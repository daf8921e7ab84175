"""A small neural-network engine in numpy, with PyTorch's names and conventions.

Every module computes its own backward pass (no autograd), so students can read
what flows back through a network::

    from course_utils import nn
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), y)
    model.zero_grad()
    model.backward(criterion.backward())   # fills every parameter's .grad

Only numpy is imported.
"""

from . import autograd, functional, history, init, metrics, optim, regularization, training
from .activation import (ELU, GELU, Identity, LeakyReLU, ReLU, Sigmoid, SiLU,
                         Softmax, Softplus, Step, Tanh)
from .conv import Conv2d, MaxPool2d
from .linear import Dropout, Flatten, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss,
                   KLDivLoss, L1Loss, MSELoss)
from .module import Module, Parameter, Sequential
from .recurrent import LSTM, RNN

__all__ = [
    "functional", "init", "optim", "regularization", "training", "history", "metrics",
    "autograd",
    "Module", "Parameter", "Sequential",
    "Identity", "Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU",
    "Softplus", "SiLU", "Softmax",
    "Linear", "Dropout", "Flatten",
    "Conv2d", "MaxPool2d",
    "RNN", "LSTM",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "HingeLoss", "KLDivLoss", "HuberLoss",
]
