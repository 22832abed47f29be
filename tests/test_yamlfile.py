from pathlib import Path

import pytest
import yaml

from rasd.settings import DATA_DIR
from rasd.yamlfile import SAFE_LOADER, parse_yaml

DATA_FILES = sorted(DATA_DIR.rglob("*.yaml")) + sorted(DATA_DIR.rglob("*.yml"))


def test_the_c_parser_is_used_where_pyyaml_has_it():
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(DATA_DIR)))
def test_every_data_file_reads_as_yaml_safe_load_reads_it(path: Path):
    text = path.read_text(encoding="utf-8")
    assert parse_yaml(text) == yaml.safe_load(text)


def test_a_stream_reads_like_its_text(tmp_path: Path):
    path = tmp_path / "terms.yaml"
    path.write_text("قتلى:\n  - قتل\n  - مقتل\nعدد: 3\n", encoding="utf-8")
    with path.open(encoding="utf-8") as handle:
        assert parse_yaml(handle) == {"قتلى": ["قتل", "مقتل"], "عدد": 3}


def test_only_plain_data_is_constructed():
    with pytest.raises(yaml.YAMLError):
        parse_yaml("!!python/object/apply:os.system ['true']")


def test_a_syntax_error_says_where():
    with pytest.raises(yaml.YAMLError) as caught:
        parse_yaml("sources:\n  - name: a\n   kind: urls\n")
    assert caught.value.problem_mark.line == 2
