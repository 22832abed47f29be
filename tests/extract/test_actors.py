"""Actors named in sentences written for the test."""

from __future__ import annotations

from rasd.extract.actors import assign_actors, find_actors
from rasd.extract.normalize import normalize


def names(text: str, country: str = "Libya") -> list[str]:
    return [m.label(country) for m in find_actors(normalize(text))]


def test_aliases_of_one_group_give_one_name():
    for alias in ("داعش", "تنظيم الدولة الإسلامية", "تنظيم «داعش»"):
        assert names(f"هاجم مسلحو {alias} البلدة") == ["Islamic State (Libya)"]


def test_state_forces_take_the_country():
    assert names("اشتبك الجيش مع المهاجمين", "Syria")[0] == "Military Forces of Syria"
    assert names("طاردت الشرطة اللصوص", "Egypt") == ["Police Forces of Egypt"]


def test_named_groups_in_other_countries():
    assert "Houthis (Ansar Allah)" in names("قصفت جماعة الحوثي المدينة", "Yemen")
    assert "Rapid Support Forces" in names("هاجمت قوات الدعم السريع القرية", "Sudan")
    assert "Al Shabaab" in names("تبنت حركة الشباب الهجوم", "Somalia")
    assert "Popular Mobilization Forces" in names("انتشرت قوات الحشد الشعبي", "Iraq")


def test_actor1_is_the_doer():
    mentions = find_actors(normalize("قتل مدنيون في هجوم شنه مسلحون مجهولون على قرية"))
    actor1, actor2 = assign_actors(mentions, "Violence against civilians", "Iraq")
    assert actor1 == "Unidentified Armed Group (Iraq)"
    assert actor2 == "Civilians (Iraq)"


def test_agent_marker_names_actor1():
    mentions = find_actors(normalize("قتل جنديان من الجيش على أيدي عناصر تنظيم داعش"))
    actor1, actor2 = assign_actors(mentions, "Battles", "Libya")
    assert actor1 == "Islamic State (Libya)"
    assert actor2 == "Military Forces of Libya"


def test_protests_and_riots():
    mentions = find_actors(normalize("فرقت الشرطة المتظاهرين"))
    assert assign_actors(mentions, "Protests", "Iraq") == (
        "Protesters (Iraq)",
        "Police Forces of Iraq",
    )
    assert assign_actors([], "Riots", "Iraq")[0] == "Rioters (Iraq)"


def test_unnamed_attacker_falls_back_to_unidentified():
    assert assign_actors([], "Explosions/Remote violence", "Somalia") == (
        "Unidentified Armed Group (Somalia)",
        "",
    )
