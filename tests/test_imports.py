"""The public API: every exported name imports, and the package ships its typing marker."""

from __future__ import annotations

import importlib
from importlib import resources

import lmparsec


def test_every_public_name_imports() -> None:
    assert lmparsec.__all__
    for name in lmparsec.__all__:
        assert hasattr(lmparsec, name), name
    for module in ("lmparsec.combinators", "lmparsec.tokens", "lmparsec.errors"):
        mod = importlib.import_module(module)
        for name in mod.__all__:
            assert hasattr(mod, name), f"{module}.{name}"


def test_version() -> None:
    assert isinstance(lmparsec.__version__, str)
    assert lmparsec.__version__.count(".") >= 2


def test_py_typed_is_shipped() -> None:
    assert resources.files("lmparsec").joinpath("py.typed").is_file()


def test_errors_subclass_the_builtins_callers_catch() -> None:
    from lmparsec import errors

    assert issubclass(errors.RegexError, ValueError)
    assert issubclass(errors.TokenError, KeyError)
    assert issubclass(errors.MissingDependencyError, ImportError)
    assert all(issubclass(getattr(errors, n), errors.LmparsecError) for n in errors.__all__)
