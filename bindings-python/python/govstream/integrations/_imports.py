"""Imports a framework an integration needs, or says which extra to install."""

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Imports `module`, or raises an ImportError naming the package extra
    that installs it (`pip install govstream[EXTRA]`)."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"this govstream integration needs the `{module.split('.')[0]}` package: pip install 'govstream[{extra}]'"
        ) from err
