"""From parser states to allowed token ids: vocabulary, trie, mask cache, matcher."""

from .cache import CacheStats, MaskCache, shared_cache
from .matcher import Matcher, bitmask_words
from .vocabulary import Vocabulary

__all__ = ["CacheStats", "MaskCache", "Matcher", "Vocabulary", "bitmask_words", "shared_cache"]
