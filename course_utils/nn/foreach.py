"""All the parameters of an optimizer as one long vector: what ``step()`` works on for a
small network (:class:`OneVector`), as PyTorch's "foreach" optimizers do."""

import numpy as np

__all__ = ["OneVector"]


class OneVector:
    """All the parameters of an optimizer as one long vector, and its gradients as another.

    Each rule is 3 to 15 numpy operations per parameter array, the same ones on every
    number. On a small network a numpy call's own cost (about a microsecond) is most of
    the time, so when every parameter has a gradient, ``step()`` copies the parameters
    and gradients into these two vectors, runs the rule once on them, and copies the
    parameters back (as PyTorch's "foreach" optimizers do). Each number meets the same
    operations either way: the results are the same, bit for bit. ``optimizer.state[i]``
    then holds views of the rule's long buffers, so it reads as before (and changes made
    to its arrays in place count).
    """

    def __init__(self, params):
        self.shapes = [p.data.shape for p in params]
        self.dtype = params[0].data.dtype
        sizes = [p.data.size for p in params]
        ends = np.cumsum(sizes)
        self.slices = [slice(end - size, end) for end, size in zip(ends, sizes)]
        self.param = np.empty(ends[-1], self.dtype)
        self.grad = np.empty_like(self.param)
        self.state = {}

    def parts(self, vector):
        """``vector`` cut into views shaped as the parameters."""
        return [vector[part].reshape(shape) for part, shape in zip(self.slices, self.shapes)]

    def share(self, states):
        """Put views of the rule's long buffers into each parameter's state dict (again
        after a copy of the optimizer: a copied view is an array of its own)."""
        for key, vector in self.state.items():
            if key != "step":
                for own, view in zip(states, self.parts(vector)):
                    own[key] = view

    @classmethod
    def of(cls, params, states, limit):
        """The vectors for ``params``, or False if they do not suit: decided at the first
        step, when every parameter must have a gradient, all of one dtype, and no state."""
        arrays = [a for p in params for a in (p.data, p.grad)]
        if (len(params) < 2 or any(a is None for a in arrays) or any(states)
                or len({a.dtype for a in arrays}) != 1 or sum(p.data.size for p in params) > limit):
            return False
        return cls(params)

    def fits(self, params):
        """True if every parameter still has a gradient, its shape and the dtype."""
        return all(p.grad is not None and p.data.shape == shape and p.data.dtype == self.dtype
                   and p.grad.dtype == self.dtype for p, shape in zip(params, self.shapes))
