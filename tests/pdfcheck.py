"""Outside judges for the PDFs Sinergi makes: poppler's pdffonts and pdftotext, qpdf."""

import subprocess
import tempfile
from pathlib import Path


def _run(command: list[str], content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run([*command, str(path)], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def fonts(content: bytes) -> list[dict]:
    """Return pdffonts' table: one dict per font (name, type, emb, sub, uni)."""
    lines = _run(["pdffonts"], content).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type [type2] encoding emb sub uni object ID: read from the right.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def assert_fonts_embedded(content: bytes) -> list[dict]:
    """Every font of the PDF is embedded (no base-14 Helvetica/Courier), with a ToUnicode."""
    table = fonts(content)
    assert table, "the PDF has no font at all"
    for row in table:
        assert row["emb"] == "yes", row
        assert row["uni"] == "yes", row
        assert "Helvetica" not in row["name"] and "Courier" not in row["name"], row
    return table


def text(content: bytes) -> str:
    return _pdftotext(content)


def _pdftotext(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        )
    return result.stdout.decode("utf-8")
