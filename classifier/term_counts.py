"""TF-IDF rows equal to a fitted TfidfVectorizer's `transform`, computed faster.

scikit-learn analyses every document from scratch and counts its terms in a
Python loop per document. Here each document is turned into the vocabulary
indices of its terms (memoised per document, and per word for character
n-grams, since a word's n-grams do not depend on its neighbours), and the whole
batch is counted at once by scipy. The tf-idf weighting then repeats the
vectoriser's own steps (sublinear tf, idf, `normalize`), so every value is the
same float scikit-learn would give; `tests/classifier/test_term_counts.py`
checks that on the training data.

A vectoriser configured in a way this module does not know (stop words, binary
counts, a custom analyzer...) is left to scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from itertools import chain
from operator import is_not

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

_DEFAULT_TOKENS = r"(?u)\b\w\w+\b"  # scikit-learn's token_pattern
_WORDS = re.compile(r"\w\w+")
_MEMO_TEXT = 400  # documents longer than this are not memoised
_MEMO_SIZE = 100_000
# Whether a vocabulary lookup found the term (index 0 is a term too): with map and
# filter, a document's terms are looked up without a Python step per term.
_KNOWN = partial(is_not, None)


def _supported(vec: TfidfVectorizer) -> bool:
    return (
        vec.input == "content"
        and vec.analyzer in ("word", "char_wb")
        and vec.preprocessor is None
        and vec.tokenizer is None
        and vec.stop_words is None
        and vec.strip_accents is None
        and not vec.binary
        and vec.use_idf
        and vec.norm == "l2"
        and hasattr(vec, "idf_")
    )


def _vocabulary(vec: TfidfVectorizer) -> dict[str, int] | None:
    """The fitted vocabulary, or the one given to the constructor (a loaded model's)."""
    vocab = getattr(vec, "vocabulary_", None)
    if vocab is None and isinstance(vec.vocabulary, Mapping):
        vocab = dict(vec.vocabulary)
    if vocab is None or sorted(vocab.values()) != list(range(len(vec.idf_))):
        return None
    return vocab


class FastTfidf:
    """`transform(docs)`: the same matrix as `vec.transform(docs)`, as a CSR matrix."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        self.vec = vec
        vocab = _vocabulary(vec) if _supported(vec) else None
        self.supported = vocab is not None
        if vocab is None:
            return
        self.vocab: dict[str, int] = vocab
        self.width = len(idf := vec.idf_)
        self.idf = idf
        self.sublinear = vec.sublinear_tf
        self._docs: dict[str, tuple[int, ...]] = {}
        self._words: dict[str, tuple[int, ...]] = {}
        # With no preprocessor and no accent stripping (see _supported), scikit-learn's
        # preprocessing is lower-casing or nothing: str.lower spares a Python call.
        preprocess = str.lower if vec.lowercase else vec.build_preprocessor()
        if vec.analyzer == "char_wb":
            self._word_grams = vec.build_analyzer()  # lower-cases: idempotent on lowered words
            self._preprocess = preprocess
            self._indices: Callable[[str], tuple[int, ...]] = self._char_wb_indices
        else:
            self._preprocess = preprocess
            self._tokenize = vec.build_tokenizer()
            if vec.token_pattern == r"\S+" and vec.lowercase:
                # Runs of non-space: what str.split finds (both use Unicode's whitespace).
                self._tokenize = str.split
                self._preprocess = str.lower
            elif vec.token_pattern == _DEFAULT_TOKENS:
                # Words of two or more characters. Without the leading \b the engine can
                # skip to word characters with its fast class scan; the matches are the
                # same, since greedy \w\w+ at a word's start takes the whole word.
                self._tokenize = _WORDS.findall
            self._indices = self._word_indices

    def _word_indices(self, doc: str) -> tuple[int, ...]:
        # The order of a document's indices does not matter: they are counted.
        tokens = self._tokenize(self._preprocess(doc))
        get = self.vocab.get
        min_n, max_n = self.vec.ngram_range
        found: list[int] = []
        for n in range(min_n, max_n + 1):
            if n == 1:
                found.extend(filter(_KNOWN, map(get, tokens)))
            elif n == 2:
                pairs = map(" ".join, zip(tokens, tokens[1:], strict=False))
                found.extend(filter(_KNOWN, map(get, pairs)))
            else:
                grams = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
                found.extend(filter(_KNOWN, map(get, grams)))
        return tuple(found)

    def _char_wb_indices(self, doc: str) -> tuple[int, ...]:
        # The vectoriser pads and slices each whitespace-separated word on its own.
        words = self._preprocess(doc).split()
        memo = self._words
        per_word = list(map(memo.get, words))
        if None in per_word:  # (the memo holds tuples: never equal to None)
            get = self.vocab.get
            for i, word in enumerate(words):
                if per_word[i] is None:
                    idx = memo.get(word)  # the same word earlier in this document
                    if idx is None:
                        idx = tuple(filter(_KNOWN, map(get, self._word_grams(word))))
                        if len(memo) >= _MEMO_SIZE:
                            memo.clear()
                        memo[word] = idx
                    per_word[i] = idx
        return tuple(chain.from_iterable(per_word))

    def _all_indices(self, docs: Sequence[str]) -> list[tuple[int, ...]]:
        """The vocabulary indices of each document's terms (short documents memoised)."""
        memo, indices = self._docs, self._indices
        per_doc = list(map(memo.get, docs))  # long documents are never in it
        if None in per_doc:
            for i, doc in enumerate(docs):
                if per_doc[i] is None:
                    idx = memo.get(doc)  # the same document earlier in this batch
                    if idx is None:
                        idx = indices(doc)
                        if len(doc) <= _MEMO_TEXT:
                            if len(memo) >= _MEMO_SIZE:
                                memo.clear()
                            memo[doc] = idx
                    per_doc[i] = idx
        return per_doc

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        if not self.supported:
            return sp.csr_matrix(self.vec.transform(docs))
        per_doc = self._all_indices(docs)
        lengths = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
        cols = np.fromiter(chain.from_iterable(per_doc), dtype=np.int32, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(per_doc), dtype=np.int32), lengths)
        # Duplicates (a term seen twice) are summed: the counts, exact in float64.
        x = sp.csr_matrix(
            (np.ones(len(cols)), (rows, cols)), shape=(len(per_doc), self.width), dtype=np.float64
        )
        x.sum_duplicates()
        x.sort_indices()
        # The vectoriser's own weighting steps, in its order.
        if self.sublinear:
            np.log(x.data, x.data)
            x.data += 1.0
        x.data *= self.idf[x.indices]
        return normalize(x, norm="l2", copy=False)
