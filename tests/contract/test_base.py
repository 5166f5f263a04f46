"""Contract classes: a stable wire identity declared on the class."""

from __future__ import annotations

import warnings

import pytest

from contracts import Command, Event
from contracts.system.v1 import ServiceStarted


def test_the_wire_type_is_declared_not_derived():
    assert ServiceStarted.wire_type() == "system.ServiceStarted.v1"
    assert ServiceStarted.family() == "system.ServiceStarted"
    assert (ServiceStarted.kind, ServiceStarted.aggregate) == ("event", "service")


@pytest.mark.parametrize("field", ["name", "version", "context", "aggregate", "kind"])
def test_a_field_may_not_hide_the_wire_identity(field):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pydantic's own "shadows" warning
        with pytest.raises(TypeError, match=f"field\\(s\\) \\['{field}'\\]"):
            type(
                "SchoolRegistered",
                (Event,),
                {"__annotations__": {field: str}},
                context="test_only",
                name="SchoolRegisteredClash",
                version=1,
                aggregate="school",
            )


def test_a_version_below_one_is_refused():
    with pytest.raises(ValueError, match="version must be >= 1"):

        class RenameSchool(Command, context="test_only", name="RenameSchool", version=0):
            school_id: str
