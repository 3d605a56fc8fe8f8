"""Adapters from inference engines' hooks to :class:`~lmparsec.tokens.Matcher`.

Each submodule maps one engine's extension point onto matchers and holds no
format logic; each imports its engine lazily, so importing this package costs
nothing and needs no optional dependency:

- :mod:`lmparsec.integrations.transformers` — a ``LogitsProcessor`` for
  ``model.generate()`` (greedy, sampling, batches, beam search).
- :mod:`lmparsec.integrations.generation` — lmparsec's own generation loop
  (fast-forward of forced tokens, token budgets, latency metrics).
- :mod:`lmparsec.integrations.json_mode` — a prompt and a schema in, a
  validated object out.
"""
