"""The passage classifier: the same probabilities as scikit-learn's tf-idf + multinomial naive Bayes."""

from __future__ import annotations

import numpy as np
import pytest

from bot._classifier import PassageClassifier

EXAMPLES = [
    ("peer review safeguarding schools".split(), 0),
    ("safeguarding review another school checks".split(), 0),
    ("governor training induction new".split(), 1),
    ("new governor chair training training".split(), 1),
    ("fee subscription primary pupils".split(), 2),
    ("how much subscription pay".split(), 2),
]


def test_probabilities_match_scikit_learn() -> None:
    sklearn = pytest.importorskip("sklearn")
    assert sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB

    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=r"\S+", lowercase=False)
    matrix = vectorizer.fit_transform([" ".join(words) for words, _ in EXAMPLES])
    model = MultinomialNB(alpha=0.1, fit_prior=False).fit(matrix, [label for _, label in EXAMPLES])
    ours = PassageClassifier(EXAMPLES, 3, alpha=0.1)
    for question in ["safeguarding review", "new governor training", "primary pupils pay pay", "review fee governor"]:
        expected = model.predict_proba(vectorizer.transform([question]))[0]
        assert np.allclose(ours.probabilities(question.split()), expected)


def test_unknown_words_give_every_class_the_same_chance() -> None:
    ours = PassageClassifier(EXAMPLES, 3)
    assert np.allclose(ours.probabilities(["weather", "parking"]), [1 / 3] * 3)
    assert ours.probabilities(["safeguarding", "weather"]).argmax() == 0


def test_a_class_with_no_examples_is_never_likeliest() -> None:
    ours = PassageClassifier(EXAMPLES, 4)
    assert ours.probabilities(["governor"]).argmax() == 1
    assert ours.probabilities(["governor"])[3] < 0.25
