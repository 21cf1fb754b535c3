"""TF-IDF rows equal to a fitted TfidfVectorizer's `transform`, computed faster.

scikit-learn analyses every document from scratch and counts its terms in a
Python loop per document. Here each distinct document of a batch is tokenised,
and the n-grams of the whole batch are looked up in the vocabulary in one pass
(character n-grams are memoised per word, since a word's n-grams do not depend
on its neighbours), with no Python step per document; scipy counts them. The
tf-idf weighting then repeats the vectoriser's own steps (sublinear tf, idf,
`normalize`), so every value is the same float scikit-learn would give;
`tests/classifier/test_term_counts.py` checks that on the training data.

A vectoriser configured in a way this module does not know (stop words, binary
counts, a custom analyzer...) is left to scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import partial
from itertools import chain, repeat
from operator import is_not

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

_DEFAULT_TOKENS = r"(?u)\b\w\w+\b"  # scikit-learn's token_pattern
_WORDS = re.compile(r"\w\w+")
_MEMO_SIZE = 100_000  # words whose n-grams are memoised
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
        self.ngram_range: tuple[int, int] = tuple(vec.ngram_range)
        self._words: dict[str, tuple[int, ...]] = {}
        # With no preprocessor and no accent stripping (see _supported), scikit-learn's
        # preprocessing is lower-casing or nothing: str.lower spares a Python call.
        self._preprocess = str.lower if vec.lowercase else vec.build_preprocessor()
        self.char_wb = vec.analyzer == "char_wb"
        if self.char_wb:
            self._word_grams = vec.build_analyzer()  # lower-cases: idempotent on lowered words
            return
        self._tokenize = vec.build_tokenizer()
        if vec.token_pattern == r"\S+" and vec.lowercase:
            # Runs of non-space: what str.split finds (both use Unicode's whitespace).
            self._tokenize = str.split
        elif vec.token_pattern == _DEFAULT_TOKENS:
            # Words of two or more characters. Without the leading \b the engine can
            # skip to word characters with its fast class scan; the matches are the
            # same, since greedy \w\w+ at a word's start takes the whole word.
            self._tokenize = _WORDS.findall

    def _word_entries(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, vocabulary index) of every known n-gram of every document.

        The whole batch at once: each document's tokens are found in C (map over the
        documents), then every n-gram of the batch is looked up in one pass and those
        that would span two documents are dropped by their position."""
        per_doc = list(map(self._tokenize, map(self._preprocess, docs)))
        lengths = np.fromiter(map(len, per_doc), dtype=np.intp, count=len(per_doc))
        tokens = list(chain.from_iterable(per_doc))
        total = len(tokens)
        doc_of = np.repeat(np.arange(len(docs), dtype=np.intp), lengths)
        get = self.vocab.get
        min_n, max_n = self.ngram_range
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        if max_n >= 2:
            ends = np.cumsum(lengths)  # one past each document's last token
            room = ends[doc_of] - np.arange(total, dtype=np.intp)  # tokens left in the doc
        for n in range(min_n, max_n + 1):
            count = total - n + 1
            if count <= 0:
                break
            if n == 1:
                grams = tokens
            else:
                grams = map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
            found = np.fromiter(map(get, grams, repeat(-1)), dtype=np.intp, count=count)
            keep = found >= 0
            if n > 1:
                keep &= room[:count] >= n  # the gram ends inside its own document
            rows.append(doc_of[:count][keep])
            cols.append(found[keep])
        if not rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        return np.concatenate(rows), np.concatenate(cols)

    def _char_wb_entries(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, vocabulary index) for a char_wb analyser: the vectoriser pads and slices
        each whitespace-separated word on its own, so a word's n-grams are memoised."""
        per_doc = list(map(str.split, map(self._preprocess, docs)))
        lengths = np.fromiter(map(len, per_doc), dtype=np.intp, count=len(per_doc))
        words = list(chain.from_iterable(per_doc))
        memo = self._words
        per_word = list(map(memo.get, words))
        if None in per_word:  # (the memo holds tuples: never equal to None)
            get = self.vocab.get
            for i, word in enumerate(words):
                if per_word[i] is None:
                    idx = memo.get(word)  # the same word earlier in this batch
                    if idx is None:
                        idx = tuple(filter(_KNOWN, map(get, self._word_grams(word))))
                        if len(memo) >= _MEMO_SIZE:
                            memo.clear()
                        memo[word] = idx
                    per_word[i] = idx
        sizes = np.fromiter(map(len, per_word), dtype=np.intp, count=len(per_word))
        cols = np.fromiter(chain.from_iterable(per_word), dtype=np.intp, count=int(sizes.sum()))
        doc_of_word = np.repeat(np.arange(len(docs), dtype=np.intp), lengths)
        return np.repeat(doc_of_word, sizes), cols

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        if not self.supported:
            return sp.csr_matrix(self.vec.transform(docs))
        # Each distinct document is counted once; repeats take a copy of its row.
        distinct = list(dict.fromkeys(docs))
        entries = self._char_wb_entries if self.char_wb else self._word_entries
        rows, cols = entries(distinct)
        # Duplicates (a term seen twice) are summed: the counts, exact in float64.
        x = sp.csr_matrix(
            (np.ones(len(cols)), (rows, cols)), shape=(len(distinct), self.width), dtype=np.float64
        )
        x.sum_duplicates()
        x.sort_indices()
        # The vectoriser's own weighting steps, in its order.
        if self.sublinear:
            np.log(x.data, x.data)
            x.data += 1.0
        x.data *= self.idf[x.indices]
        x = normalize(x, norm="l2", copy=False)
        if len(distinct) == len(docs):
            return x
        row_of = dict(zip(distinct, range(len(distinct)), strict=True))
        take = np.fromiter(map(row_of.__getitem__, docs), dtype=np.intp, count=len(docs))
        return x[take]
