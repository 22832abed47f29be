"""Deferred modules, each case in a fresh interpreter: this one may have imported them."""

from __future__ import annotations

import sys

from rasd.deferred import DeferredModule, defer
from tests.processes import run_fresh


def test_a_deferred_module_loads_on_first_use_and_then_is_the_real_one() -> None:
    out = run_fresh(
        """
        from rasd.deferred import defer, is_loaded
        assert defer("colorsys") == ["colorsys"]
        import colorsys
        from colorsys import rgb_to_hsv  # a name imported from it is read at once
        print(type(colorsys).__name__, is_loaded("colorsys"), rgb_to_hsv(1.0, 0.0, 0.0))
        import colorsys as again  # imported from now on: the real module
        print(type(again).__name__, colorsys.hsv_to_rgb(0.0, 1.0, 1.0))
        """
    )
    assert out.splitlines() == [
        "DeferredModule True (0.0, 1.0, 1.0)",
        "module (1.0, 0.0, 0.0)",
    ]


def test_a_submodule_of_a_deferred_package_can_be_imported() -> None:
    out = run_fresh(
        """
        from rasd.deferred import defer, is_loaded
        defer("xml.dom")
        import xml.dom.minidom
        print(is_loaded("xml.dom"), xml.dom.minidom.parseString("<a>b</a>").documentElement.tagName)
        """
    )
    assert out == "True a"


def test_an_imported_module_is_left_alone() -> None:
    before = sys.modules["json"]
    assert defer("json") == []
    assert sys.modules["json"] is before
    assert not isinstance(sys.modules["json"], DeferredModule)


def test_validation_leaves_scipy_and_altair_unloaded_until_an_expectation_needs_them() -> None:
    out = run_fresh(
        """
        import math
        from datetime import UTC, datetime
        from rasd.deferred import is_loaded
        from rasd.models import Article, stable_id
        from rasd.validate import validate_batch

        url = "http://127.0.0.1/news/1"
        text = "اندلعت اشتباكات في المدينة صباح اليوم بين مجموعتين مسلحتين. " * 4
        good = Article(
            article_id=Article.id_for(url), url=url, source="s", site="127.0.0.1",
            title="اشتباكات", published_at=datetime(2016, 6, 25, tzinfo=UTC), language="ar",
            text=text, content_hash=stable_id("body", url),
        )
        bad = Article(**{**good.__dict__, "article_id": "x", "url": url + "2", "text": "short"})
        batch = validate_batch([good, bad], [], run_id="r", docs_dir=None)
        print(len(batch.articles), len(batch.quarantine))
        print(is_loaded("great_expectations"), is_loaded("scipy.stats"), is_loaded("altair"))
        print(is_loaded("sqlalchemy"))

        # The expectations that need them still find them.
        from great_expectations.expectations.core import (
            expect_column_kl_divergence_to_be_less_than as kl,
        )
        print(math.isclose(kl.stats.entropy([1, 1]), math.log(2)), callable(kl.alt.Chart))
        print(is_loaded("scipy.stats"), is_loaded("altair"))
        """
    )
    assert out.splitlines() == ["1 1", "True False False", "False", "True True", "True True"]


def test_a_hidden_package_is_missing_for_this_thread_only_and_only_inside() -> None:
    out = run_fresh(
        """
        import sys, threading
        from rasd.deferred import hidden
        seen, finders = [], list(sys.meta_path)
        with hidden("xml"):
            try:
                import xml.dom.minidom
            except ModuleNotFoundError as exc:
                seen.append(f"missing {exc.name}")
            other = threading.Thread(target=lambda: seen.append(__import__("colorsys").__name__))
            with hidden("colorsys"):
                other.start()
                other.join()
        import xml.dom.minidom
        seen.append(xml.dom.minidom.parseString("<a/>").documentElement.tagName)
        print(seen, sys.meta_path == finders)
        """
    )
    assert out == "['missing xml', 'colorsys', 'a'] True"
