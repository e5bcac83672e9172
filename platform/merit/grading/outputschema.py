"""Each output a kernel sends is checked against nbformat's schema by compiled code.

nbclient turns every IOPub output message into a notebook output with
``nbformat.v4.output_from_msg``, which validates the new node with
``nbformat.v4.nbbase.validate(node, "output")``. For a single node nbformat always uses
jsonschema, interpreting the schema anew each time, for every output of every notebook,
in the grading thread, whose time is the coordinator's (benchmarks/RESULTS.md). nbformat
compiles the schema with fastjsonschema only for whole notebooks.

:func:`apply` makes the same check compiled first: the output definition of the same
schema, compiled once. An output it accepts is valid, as nbformat itself trusts
fastjsonschema's verdict on whole notebooks; an output it rejects goes to nbformat's own
``validate``, so the error raised is stock's, word for word.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import fastjsonschema
from nbformat.v4 import nbbase
from nbformat.validator import get_validator

from merit.grading import patches

Validate = Callable[..., None]


def apply() -> None:
    """Install the compiled check in this process; calling it again changes nothing."""
    patches.install("output-schema", _compiled_first)


@functools.cache
def _compiled(ref: str) -> Callable[[Any], Any]:
    """The ``ref`` definition of the newest v4 schema (what ``nbbase.validate`` checks), compiled."""
    schema = get_validator(nbbase.nbformat, nbbase.nbformat_minor, name="jsonschema")._schema
    return fastjsonschema.compile(
        {"$schema": schema["$schema"], "definitions": schema["definitions"], "$ref": f"#/definitions/{ref}"}
    )


def _compiled_first(validate: Validate) -> Validate:
    @functools.wraps(validate)
    def compiled_validate(node: Any, ref: str | None = None) -> None:
        if ref is not None:
            try:
                _compiled(ref)(node)
            except fastjsonschema.JsonSchemaException:
                pass  # stock raises the error, in its own words
            else:
                return None
        return validate(node, ref)

    return compiled_validate
