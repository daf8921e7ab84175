"""``Parameter``, ``Module`` and ``Sequential``: the skeleton every layer builds on.

Where PyTorch computes gradients automatically (autograd), each module here
writes its own backward pass, so students can read exactly what flows back:

* ``forward(x)`` computes the output and keeps what backward will need;
* ``backward(grad_output)`` receives ``dL/d output`` (same shape as the output),
  **adds** ``dL/d parameter`` into each parameter's ``.grad`` and returns
  ``dL/d input`` (same shape as the input).

Gradients accumulate (``+=``) like in PyTorch: call ``zero_grad()`` before each
backward pass. ``backward`` uses the values of the most recent ``forward``.

When nothing needs ``dL/d input`` (the input is the data, which is not trained),
``backward(grad_output, input_grad=False)`` skips computing it and returns None,
on the modules whose ``backward`` has that parameter (Linear, Conv2d, Sequential).
PyTorch skips it on its own, for inputs that do not ``require_grad``.
"""

import functools
import inspect

import numpy as np

__all__ = ["Parameter", "Module", "Sequential"]


def positive_int(name, value):
    """``value`` as an int, if it is a whole number >= 1 (a size: ``in_features`` ...);
    else a ValueError naming the argument. ``True`` is not a size, though Python counts
    it as 1."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Parameter:
    """A trainable array: ``.data`` holds the values, ``.grad`` the gradient
    ``dL/d data`` (same shape, starts at zeros).

    PyTorch's Parameter is a tensor whose ``.grad`` starts as ``None``; here it is
    a plain holder of two numpy arrays and ``.grad`` starts as zeros. Optimizers
    update ``.data`` in place.
    """

    def __init__(self, data):
        data = np.array(data)  # a copy, owned by the parameter
        if not np.issubdtype(data.dtype, np.floating):
            data = data.astype(np.float64)
        self.data = data
        self.grad = np.zeros_like(data)

    @property
    def shape(self):
        return self.data.shape

    @property
    def size(self):
        return self.data.size

    @property
    def ndim(self):
        return self.data.ndim

    def zero_grad(self):
        """Set the gradient to 0, in place (a new zero array if it was set to None)."""
        if self.grad is None:
            self.grad = np.zeros_like(self.data)
        else:
            self.grad.fill(0.0)

    def __repr__(self):
        return f"Parameter(shape={self.data.shape})"


@functools.cache
def _has_input_grad_parameter(backward):
    return "input_grad" in inspect.signature(backward).parameters


def _indent(text):
    return text.replace("\n", "\n  ")


class Module:
    """Base class of layers and networks.

    A subclass sets its parameters (``Parameter``) and sub-layers (``Module``, or
    lists of them) as attributes in ``__init__`` and writes ``forward`` and
    ``backward``. ``parameters()``, ``zero_grad()``, ``train()``/``eval()`` and the
    printout then find them automatically, in the order they were assigned.
    """

    #: True in training mode (the default), False in evaluation mode. Only layers
    #: that behave differently when training (Dropout) look at it.
    training = True

    @property
    def can_skip_input_grad(self):
        """True if this module's ``backward`` takes ``input_grad=False``, to skip
        computing ``dL/d input`` (Linear, Conv2d and Sequential do)."""
        return _has_input_grad_parameter(type(self).backward)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} does not define backward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def _saved(self, name):
        """The value ``forward`` kept for ``backward`` as ``self.<name>``; a plain error
        if there is none yet (``backward`` called before any ``forward``)."""
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward() was called before "
                               "forward(): run a forward pass first, backward uses what "
                               "it keeps")
        return value

    # ------------------------------------------------------------------ traversal

    def _members(self):
        """(name, value) for each Parameter or Module attribute, in definition
        order; lists and tuples of them are expanded as ``name.0``, ``name.1``..."""
        for name, value in vars(self).items():
            if isinstance(value, (Parameter, Module)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, (Parameter, Module)):
                        yield f"{name}.{i}", item

    def named_children(self):
        """Yield ``(name, module)`` for each direct sub-module."""
        for name, value in self._members():
            if isinstance(value, Module):
                yield name, value

    def children(self):
        """Yield each direct sub-module."""
        for _, module in self.named_children():
            yield module

    def modules(self):
        """Yield this module and every sub-module, recursively."""
        yield self
        for child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix=""):
        """Yield ``(name, parameter)`` recursively, e.g. ``('0.weight', Parameter)``.

        A parameter shared by two layers is yielded once.
        """
        seen = set()
        for name, param in self._named_parameters(prefix):
            if id(param) not in seen:
                seen.add(id(param))
                yield name, param

    def _named_parameters(self, prefix):
        for name, value in self._members():
            if isinstance(value, Parameter):
                yield prefix + name, value
            else:
                yield from value._named_parameters(prefix + name + ".")

    def parameters(self):
        """Yield every trainable parameter, recursively (give them to an optimizer)."""
        for _, param in self.named_parameters():
            yield param
    def num_parameters(self):
        """Total number of trainable numbers."""
        return sum(p.data.size for p in self.parameters())

    # ------------------------------------------------------------------ state

    def zero_grad(self):
        """Set every parameter gradient to 0 (in place)."""
        for param in self.parameters():
            param.zero_grad()

    def train(self, mode=True):
        """Switch this module and all sub-modules to training mode (or evaluation
        mode if ``mode`` is False). Returns ``self``."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self):
        """Switch to evaluation mode: ``train(False)``. Returns ``self``."""
        return self.train(False)

    def state_dict(self):
        """A dict ``name -> copy of the parameter values``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy values from ``state`` (as made by ``state_dict``) into the
        parameters, in place. Names and shapes must match."""
        params = dict(self.named_parameters())
        missing = params.keys() - state.keys()
        unexpected = state.keys() - params.keys()
        if missing or unexpected:
            raise KeyError(f"state_dict mismatch: missing {sorted(missing)}, "
                           f"unexpected {sorted(unexpected)}")
        for name, param in params.items():
            value = np.asarray(state[name])
            if value.shape != param.data.shape:
                raise ValueError(f"state_dict[{name!r}] has shape {value.shape}, "
                                 f"but the parameter has shape {param.data.shape}")
            param.data[...] = value

    # ------------------------------------------------------------------ printing

    def extra_repr(self):
        """The text between the parentheses of the printout, e.g. ``in_features=2``."""
        return ""

    def __repr__(self):
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            lines.append(f"  ({name}): " + _indent(repr(child)))
        return "\n".join(lines) + "\n)"


class Sequential(Module):
    """A chain of modules: ``forward`` applies them in order, ``backward`` goes
    through them in reverse.

    ``model[0]`` is the first module, ``len(model)`` their number, ``model[1:]`` a
    Sequential of the rest, and iterating gives the modules.
    """

    def __init__(self, *modules):
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules; argument {i} is a "
                                f"{type(module).__name__}")
        self.layers = list(modules)

    def _members(self):
        for i, module in enumerate(self.layers):
            yield str(i), module

    def forward(self, x):
        for module in self.layers:
            x = module.forward(x)
        return x

    def backward(self, grad_output, input_grad=True):
        """Backward through the modules in reverse order; returns ``dL/d input``.

        With ``input_grad=False`` (nothing needs ``dL/d input``; ``fit`` says so) the
        first module is asked to skip computing its ``dL/d input``, if it can (Linear,
        Conv2d, Sequential), and None is returned.
        """
        layers = self.layers
        for module in reversed(layers[1:]):
            grad_output = module.backward(grad_output)
        if not layers:
            return grad_output if input_grad else None
        first = layers[0]
        if input_grad:
            return first.backward(grad_output)
        if first.can_skip_input_grad:
            return first.backward(grad_output, input_grad=False)
        first.backward(grad_output)
        return None

    def append(self, module):
        """Add ``module`` at the end. Returns ``self``."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential takes Modules, got a {type(module).__name__}")
        self.layers.append(module)
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)
