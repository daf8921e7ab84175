"""Every registered scene survives any bad `set`: it says what is wrong, keeps its values
and still renders exactly the frame it showed before."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils import chapters

SCENES = chapters.scene_classes()
_frames = {}  # one scene per class, and its frame at the defaults


def scene_and_frame(cls):
    if cls not in _frames:
        scene = cls()
        _frames[cls] = scene, scene.render()
    return _frames[cls]


bad_values = st.one_of(
    st.none(), st.booleans(), st.text(max_size=5), st.just(math.nan), st.just(math.inf),
    st.just(-math.inf), st.integers(min_value=10**6, max_value=10**400), st.just(-10**9),
    st.floats(min_value=1e6, max_value=1e300), st.just(0.5 + 0.5j), st.just([1, 2]),
    st.just(np.array([1.0, 2.0])), st.just(np.float64(-1e9)), st.just({"a": 1}), st.just(b"x"),
)


@pytest.mark.parametrize("scene_cls", SCENES, ids=lambda c: c.__name__)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_bad_set_keeps_values_and_frame(scene_cls, data):
    scene, frame = scene_and_frame(scene_cls)
    before = dict(scene.values)
    name = data.draw(st.sampled_from([p.name for p in scene_cls.params] + ["no_such_parameter"]))
    value = data.draw(bad_values)
    try:
        scene.set(**{name: value})
    except (ValueError, TypeError, KeyError) as exc:
        assert str(exc), "an error must say what is wrong"
    else:  # the value was allowed after all (a checkbox takes True): go back and move on
        scene.set(**before)
        return
    assert scene.values == before
    assert np.array_equal(scene.render(), frame), (name, value)
