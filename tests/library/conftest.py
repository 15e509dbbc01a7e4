from pathlib import Path

import pytest
from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "xsd"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Store e-book files and covers under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def schema():
    """OAI-PMH.xsd with the metadata schemas its `strict` wildcards need, read offline."""
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
                 schemaLocation="{(SCHEMAS / "OAI-PMH.xsd").as_uri()}"/>
      <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
                 schemaLocation="{(SCHEMAS / "oai_dc.xsd").as_uri()}"/>
      <xs:import namespace="http://www.loc.gov/MARC21/slim"
                 schemaLocation="{(SCHEMAS / "MARC21slim.xsd").as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), base_url=str(SCHEMAS) + "/"))


@pytest.fixture
def judge(tmp_path):
    """The outside judges of OPDS documents (see opds_judges); jing reads the test's Atom
    documents when it ends."""
    from .opds_judges import Judge

    folder = tmp_path / "opds"
    folder.mkdir()
    judge = Judge(folder)
    yield judge
    judge.jing()
