import sys

from django.core.management.base import BaseCommand
from pymarc import record_to_xml

from sinergi.library.marc import title_to_marc, titles_for_export


class Command(BaseCommand):
    help = "Write every catalogue record to stdout as MARCXML or ISO 2709 (UTF-8)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["xml", "iso2709"], default="xml")

    def handle(self, *args, format: str = "xml", **options):
        out = sys.stdout.buffer if self.stdout._out is sys.stdout else None
        write = (
            out.write if out is not None else (lambda b: self.stdout.write(b.decode(), ending=""))
        )
        if format == "xml":
            write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            write(b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
            for title in titles_for_export().iterator(chunk_size=500):
                write(record_to_xml(title_to_marc(title), namespace=False) + b"\n")
            write(b"</collection>\n")
        else:
            for title in titles_for_export().iterator(chunk_size=500):
                write(title_to_marc(title).as_marc())
        if out is not None:
            out.flush()
