"""The fast scoring path gives the fitted pipeline's own probabilities, for every feature kind."""

import threading

import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher

from ml.data import read_datasets
from ml.features import TextFeatures, analyse
from ml.langid import detect_language
from ml.pipeline import Model, build_pipeline
from support import CORPUS

ODD = ["", "👍", "!!!", "x" * 5000, "İSTANBUL", "?? ! ,", "not not good. ok", "Zəng edin +994 50 123 45 67",
       "NOT GOOD AT ALL!!!", ":-(( :) ;)", "Heç kim kömək etmədi, yaxşı deyil", "don't don't don't",
       "xD", "Rude staff xD :(", "xD; not great (really)"]


@pytest.fixture(scope="module")
def corpus():
    return read_datasets([str(CORPUS)])


def fast_and_reference(model, texts):
    fast = np.array([p for p, _ in model.predict_proba_langs(texts)])
    return fast, model.pipeline.predict_proba(texts)[:, 1]


def test_tokens_and_languages_are_those_of_analyse(model, corpus):
    """The batch path (chunk by chunk, negated comments word by word) sees what analyse sees."""
    texts = corpus.texts[::4] + ODD + ["Sistem işləmir, heç kim kömək etmədi", "not good, not bad. Ok"]
    scored = model._scorer.score(texts)
    for i, text in enumerate(texts):
        a = analyse(text)
        assert (scored.langs[i], scored.tokens(i)) == (a.lang, a.tokens)


def test_same_probabilities_as_the_pipeline(model, corpus):
    texts = corpus.texts[::5] + ODD
    fast, reference = fast_and_reference(model, texts)
    assert np.abs(fast - reference).max() < 1e-9
    assert [lang for _, lang in model.predict_proba_langs(texts)] == [detect_language(t) for t in texts]
    # A second pass, served from the caches, gives the same numbers bit for bit.
    again, _ = fast_and_reference(model, texts)
    assert (again == fast).all()


@pytest.mark.parametrize("kind", ["words", "chars"])
def test_same_probabilities_for_other_feature_kinds(tmp_path, corpus, kind):
    pipeline = build_pipeline(kind=kind).fit(corpus.texts[::4], corpus.y[::4])
    model = Model(pipeline, {"threshold": 0.5}, tmp_path / "v")
    fast, reference = fast_and_reference(model, corpus.texts[1::9] + ODD)
    assert np.abs(fast - reference).max() < 1e-9
    assert all(p.reasons == [] for p in model.predict(ODD))  # reasons only for words+chars


def test_one_comment_at_a_time_equals_the_batch(model, corpus):
    texts = corpus.texts[3::97]
    batch = model.predict(texts)
    assert [model.predict([t])[0] for t in texts] == batch


def test_concurrent_first_batches_agree_with_one_thread(model, corpus):
    """Threads filling a fresh model's caches at once get what one thread alone gets."""
    texts = corpus.texts[::3]
    expected = Model(model.pipeline, model.card, model.path).predict(texts)
    fresh = Model(model.pipeline, model.card, model.path)
    parts = [texts[i::4] for i in range(4)]
    results = [None] * 4

    def run(k):
        results[k] = fresh.predict(parts[k])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected[k::4] for k in range(4))


def test_cached_token_hashing_is_feature_hashers(corpus):
    texts = corpus.texts[::7]
    for kind in ("all", "chars"):
        ours = TextFeatures(kind=kind).fit(texts).transform(texts)
        analyses = [analyse(t) for t in texts]
        rows = [[f for f in a.features if kind == "all" or not f.startswith(("w:", "b:"))] for a in analyses]
        reference = FeatureHasher(n_features=2**18, input_type="string", alternate_sign=False).transform(rows)
        assert (ours != reference).nnz == 0


def test_a_few_new_tokens_hash_as_feature_hasher_does(corpus):
    """Hashed one by one (a comment's few new words), tokens get FeatureHasher's columns and sums."""
    from ml.hashing import _ONE_BY_ONE, hashed_tokens, select, token_features

    analyses = [analyse(t) for t in corpus.texts[::11]]
    wanted = list(dict.fromkeys((a.lang, tok) for a in analyses for tok in a.tokens))
    for kind in ("all", "words", "chars"):
        for start in range(0, len(wanted), _ONE_BY_ONE):
            few = wanted[start:start + _ONE_BY_ONE]
            ours = hashed_tokens(few, n_features=2**18, kind=kind, char_ngrams=(2, 5))
            rows = [select(list(token_features(tok, lang, 2, 5)), kind) for lang, tok in few]
            reference = FeatureHasher(n_features=2**18, input_type="string", alternate_sign=False).transform(rows)
            for key, row in zip(few, reference):
                columns, counts = ours[key]
                assert columns.tolist() == row.indices.tolist() and counts.tolist() == row.data.tolist()


def test_unit_weights_added_a_few_at_a_time_are_the_sparse_products(model, corpus, monkeypatch):
    """Each comment's new units get the weights the whole units × columns product gives, bit for bit."""
    import ml.vocab

    monkeypatch.setattr(ml.vocab, "_shared", {})  # a fresh Vocab, so the comments bring new units
    fresh = Model(model.pipeline, model.card, model.path)
    for text in corpus.texts[::50] + ODD:
        fresh.predict([text])
    scorer = fresh._scorer
    vocab = ml.vocab.vocab_for(scorer.n_features, scorer.kind, scorer.char_ngrams)
    weight = scorer._weights_of_units(vocab)
    assert len(weight) == vocab.unit_word.size > 1000
    assert (weight == vocab.matrix() @ scorer.weights).all()


def test_new_units_leave_the_weights_of_earlier_ones_where_they_are(model, corpus, monkeypatch):
    """A comment's few new words append their weights: copying every unit's weight for each of
    them would cost more with every word the process has met."""
    import ml.vocab

    monkeypatch.setattr(ml.vocab, "_shared", {})
    fresh = Model(model.pipeline, model.card, model.path)
    scorer = fresh._scorer
    fresh.predict(corpus.texts[:200])
    vocab = ml.vocab.vocab_for(scorer.n_features, scorer.kind, scorer.char_ngrams)
    before, copies, grown = scorer._weights_of_units(vocab), 0, 0
    for text in corpus.texts[200:400]:
        fresh.predict([text])
        after = scorer._weights_of_units(vocab)
        if len(after) > len(before):
            grown += 1
            copies += not np.shares_memory(before, after)
            assert (after[: len(before)] == before).all()
        before = after
    assert grown > 100 and copies <= 3  # the few times the array doubled


def test_words_as_written_per_chunk_are_the_regex_words(corpus):
    from ml.vocab import _WORD_AS_WRITTEN, Vocab

    vocab = Vocab(n_features=2**18, kind="all", char_ngrams=(2, 5))
    chunks = sorted({c for t in corpus.texts[::3] + ODD + ["«Salam»", "o'k,", "'Foo'", "don't!"] for c in t.split()})
    vocab.add_chunks(chunks)
    for chunk in chunks:
        plain, _ = vocab.words_as_written(vocab.chunk_ids[chunk])
        assert [w for _, w in plain] == _WORD_AS_WRITTEN.findall(chunk)
