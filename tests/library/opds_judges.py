"""Outside judges of every OPDS document a test fetches: the OPDS 1.2 RELAX NG grammar (jing on
the compact syntax, as published, and lxml on its trang conversion) and feedparser for Atom;
jsonschema (draft-07, with a local registry of the OPDS 2.0 and Readium schemas, no network)
for OPDS 2.0 JSON and the Authentication Document."""

import json
import re
import subprocess
from pathlib import Path

import feedparser
from jsonschema import Draft7Validator
from lxml import etree
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
OPDS2 = SCHEMAS / "opds2"
FEED_SCHEMA = "https://specs.opds.io/schema/feed.schema.json"
PUBLICATION_SCHEMA = "https://specs.opds.io/schema/publication.schema.json"
AUTH_SCHEMA = "https://drafts.opds.io/schema/authentication.schema.json"


def _registry() -> Registry:
    resources = []
    for path in sorted(OPDS2.rglob("*.json")):
        # Readium's language-tag patterns use ECMA-262 named groups (?<name>…), which Python's
        # re spells (?P<name>…); the vendored files stay as published.
        text = re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", path.read_text())
        contents = json.loads(text)
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
GRAMMAR = etree.RelaxNG(etree.parse(str(SCHEMAS / "opds" / "opds.rng")))


def json_errors(data, schema_id: str) -> list[str]:
    schema = REGISTRY.contents(schema_id)
    validator = Draft7Validator(
        schema, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


class Judge:
    """Collects the Atom documents of a test and has jing read them all at once at the end."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.atom_files: list[Path] = []
        self.json_documents = 0

    def atom(self, body: bytes):
        """Judge an OPDS 1.2 document now (lxml, feedparser) and later (jing); return it parsed."""
        doc = etree.fromstring(body)
        assert GRAMMAR.validate(doc), GRAMMAR.error_log
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.bozo_exception
        path = self.folder / f"doc{len(self.atom_files):03}.xml"
        path.write_bytes(body)
        self.atom_files.append(path)
        return doc, parsed

    def opds2(self, data, schema_id: str = FEED_SCHEMA):
        errors = json_errors(data, schema_id)
        assert not errors, "\n".join(errors)
        self.json_documents += 1
        return data

    def jing(self) -> None:
        if not self.atom_files:
            return
        result = subprocess.run(
            ["jing", "-c", str(SCHEMAS / "opds" / "opds.rnc"), *map(str, self.atom_files)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        self.atom_files.clear()
