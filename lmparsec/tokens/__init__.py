"""From parser states to allowed token ids: vocabulary, trie, mask cache, matcher."""

from .cache import MaskCache, shared_cache
from .matcher import Matcher, bitmask_words
from .vocabulary import Vocabulary

__all__ = ["MaskCache", "Matcher", "Vocabulary", "bitmask_words", "shared_cache"]
