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


def notdef_codes(content: bytes) -> dict[str, list[int]]:
    """Return, per font, the character codes the PDF draws whose glyph is .notdef (the box).

    Reads every text-showing operator of every page and of the forms and annotation
    appearances they draw (pikepdf), and looks each code up in the embedded font program
    (fontTools): a character the font lacked was embedded as glyph 0."""
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    found: dict[str, set[int]] = {}
    programs: dict[tuple[int, int], tuple[dict, str] | None] = {}

    def glyphs(font) -> tuple[dict, str] | None:
        if font.objgen not in programs:
            descriptor = font.get("/FontDescriptor")
            program = descriptor.get("/FontFile2") if descriptor is not None else None
            if font.get("/Subtype") != "/TrueType" or program is None:
                programs[font.objgen] = None
            else:
                face = TTFont(io.BytesIO(program.read_bytes()))
                programs[font.objgen] = (face["cmap"].tables[0].cmap, face.getGlyphOrder()[0])
        return programs[font.objgen]

    def visit(holder) -> None:
        resources = holder.get("/Resources")
        if resources is None:
            return
        fonts = resources.get("/Font") or {}
        current = None
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op == "Tf":
                current = fonts.get(str(operands[0]))
                continue
            if op not in ("Tj", "TJ", "'", '"') or current is None:
                continue
            table = glyphs(current)
            if table is None:
                continue
            cmap, notdef = table
            strings = operands[0] if op == "TJ" else [operands[-1]]
            for item in strings:
                if isinstance(item, pikepdf.String):
                    for code in bytes(item):
                        if cmap.get(code, notdef) == notdef:
                            found.setdefault(str(current.BaseFont), set()).add(code)
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                visit(xobject)

    with pikepdf.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            visit(page.obj)
            for annotation in page.obj.get("/Annots") or []:
                appearance = annotation.get("/AP")
                if appearance is not None and "/N" in appearance:
                    visit(appearance.N)
    return {name: sorted(codes) for name, codes in found.items()}


def assert_no_notdef(content: bytes) -> None:
    """No character of the PDF prints as a font's empty .notdef box."""
    assert notdef_codes(content) == {}


def pdfsig(content: bytes) -> str:
    """Return poppler's pdfsig report of the PDF's signatures (it exits 0 also on invalid)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(["pdfsig", str(path)], capture_output=True)
    return result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
