"""The model's fast feature paths give exactly the values of the plain ones."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.dataset import load_examples
from classifier.features import extract_features
from classifier.model import VIEWS, _vectoriser
from classifier.model_features import text_views
from classifier.term_counts import FastTfidf

# Texts a vocabulary fitted on the training data has never seen, odd spacing and case.
_ODD = [
    "",
    "   ",
    "Delete\u00a0the  FILE\tnow\n\nplease",
    "ΣΟΦΙΑ σοφια İstanbul straße",
    "get get get get file file",
    "a",
    "x" * 900,
]


def _same(a, b) -> bool:
    a = sp.csr_matrix(a)
    return (
        np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)  # exact floats, not approximately
    )


@pytest.fixture(scope="module")
def views():
    return [text_views(extract_features(e.tool)) for e in load_examples()[:600]]


@pytest.mark.parametrize("key", list(VIEWS))
def test_each_model_view_matches_scikit_learn_exactly(views, key):
    index, params, _weight = VIEWS[key]
    docs = [v[index] for v in views]
    vec = _vectoriser(params).fit(docs[:400])
    fast = FastTfidf(vec)
    assert fast.supported
    unseen = docs[400:] + _ODD
    assert _same(vec.transform(unseen), fast.transform(unseen))
    # Memoised documents and words give the same rows a second time, in any order.
    again = list(reversed(unseen))
    assert _same(vec.transform(again), fast.transform(again))


def test_a_vectoriser_given_its_vocabulary_is_read_like_a_loaded_model(views):
    docs = [v[1] for v in views]
    fitted = _vectoriser(VIEWS["body"][1]).fit(docs)
    terms = [str(t) for t in fitted.get_feature_names_out()]
    loaded = _vectoriser(VIEWS["body"][1], {t: i for i, t in enumerate(terms)})
    loaded.idf_ = fitted.idf_
    fast = FastTfidf(loaded)
    assert fast.supported
    assert _same(fitted.transform(docs), fast.transform(docs))


def test_unknown_settings_are_left_to_scikit_learn():
    docs = ["delete the file", "read the file", "send the mail"]
    vec = TfidfVectorizer(stop_words=["the"]).fit(docs)
    fast = FastTfidf(vec)
    assert not fast.supported
    assert _same(vec.transform(docs), fast.transform(docs))
    assert "the" not in vec.vocabulary_


def test_rule_matrix_equals_the_rows_built_one_by_one():
    import classifier
    from classifier.model_features import RuleVectoriser

    engine = classifier._engine()
    features = [extract_features(e.tool) for e in load_examples()[:800]]
    hits = [engine.run(f) for f in features]
    vectoriser = RuleVectoriser(engine.ruleset)
    expected = np.zeros((len(features), vectoriser.width))
    for i, (f, h) in enumerate(zip(features, hits, strict=True)):
        vectoriser.row(f, h, expected[i])
    assert expected.any()
    assert np.array_equal(vectoriser.matrix(features, hits), expected)
    # The sparse block the model stacks: the dense product's entries, in the same order.
    block = vectoriser.block(features, hits, 1.5)
    assert _same(sp.csr_matrix(expected * 1.5), block)
    assert block.has_sorted_indices and block.nnz == np.count_nonzero(expected)


def test_runs_of_non_space_are_what_split_finds_for_every_character():
    # The `\S+` views split with str.split: both must agree on every code point.
    text = "x".join(chr(code) for code in range(0x110000))
    assert re.findall(r"\S+", text) == text.split()


def test_words_without_a_leading_boundary_are_scikit_learns_tokens():
    # The body view finds \w\w+ instead of \b\w\w+\b: the same words for any text.
    rng = random.Random(11)
    pieces = ["a", "ab", "_", "é", "ǅ", "1", "٣", " ", "-", "x_y", "\u0301", "\u200b", ".", "ſ"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))) for _ in range(5000)]
    every = (chr(code) for code in range(0x110000))
    texts.append(" ".join(f"{c}x x{c} {c}{c} {c}" for c in every))
    for text in texts:
        assert re.findall(r"(?u)\b\w\w+\b", text) == re.findall(r"\w\w+", text)
