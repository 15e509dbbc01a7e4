"""Judge a ZIP archive (EPUB, DOCX, PPTX, XLSX) from its directory, never by inflating it.

A few megabytes of ZIP can unpack to gigabytes (a "zip bomb"), and a ZIP can list one piece of
data under many names (overlapping entries). `archive_open` reads only the archive's central
directory and the local header of each entry and refuses, before anything is decompressed:

- more entries than SINERGI_ARCHIVE_MAX_ENTRIES (counted in the raw directory, before Python's
  zipfile builds an object per entry);
- a declared unpacked total above SINERGI_ARCHIVE_MAX_UNPACKED_BYTES;
- an archive (or one entry above 1 MiB) that unpacks to more than SINERGI_ARCHIVE_MAX_RATIO times
  its compressed size;
- a name listed twice, entries whose data overlap, and compression methods other than stored
  and deflate (the only ones EPUB and Office Open XML allow).

A member is then read with `SafeArchive.read(name, max_bytes=...)`, in bounded chunks: zipfile
stops at the declared size (and checks the CRC there), and the cap stops the read sooner.
"""

import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header
_CHUNK = 64 * 1024
_BIG_MEMBER = 1024 * 1024  # the ratio limit applies to entries larger than this
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


@dataclass(frozen=True)
class ArchiveLimits:
    entries: int
    unpacked_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "ArchiveLimits":
        return cls(
            entries=settings.SINERGI_ARCHIVE_MAX_ENTRIES,
            unpacked_bytes=settings.SINERGI_ARCHIVE_MAX_UNPACKED_BYTES,
            ratio=settings.SINERGI_ARCHIVE_MAX_RATIO,
        )


def _megabytes(count: int) -> str:
    return number_format(round(count / (1024 * 1024)))


class _Damaged(Exception):
    """The archive's structure is broken; the caller says so in its own words."""


class SafeArchive:
    """An open ZIP whose directory passed the limits; read members with `read`."""

    def __init__(self, archive: zipfile.ZipFile, damaged):
        self._archive = archive
        self._damaged = damaged
        self.infos = archive.infolist()
        self.names = {info.filename for info in self.infos}

    @property
    def encrypted(self) -> bool:
        return any(info.flag_bits & 0x1 for info in self.infos)

    def read(self, name: str, *, max_bytes: int) -> bytes:
        """Return the member `name`, or raise ValidationError when it is larger than
        `max_bytes` (judged from the directory, then while reading) or damaged."""
        try:
            info = self._archive.getinfo(name)
        except KeyError:
            raise ValidationError(self._damaged, code="damaged") from None
        if info.file_size > max_bytes:
            raise _member_too_large(name, max_bytes)
        pieces, total = [], 0
        try:
            with self._archive.open(info) as member:
                while piece := member.read(_CHUNK):
                    total += len(piece)
                    if total > max_bytes:
                        raise _member_too_large(name, max_bytes)
                    pieces.append(piece)
        except ValidationError:
            raise
        except Exception as error:  # BadZipFile (CRC), zlib.error, EOFError ...
            raise ValidationError(self._damaged, code="damaged") from error
        return b"".join(pieces)

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _member_too_large(name: str, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The part “%(name)s” of the archive is larger than %(megabytes)s MB."),
        code="archive_member_too_large",
        params={"name": name[:100], "megabytes": _megabytes(max_bytes) or "1"},
    )


def archive_open(handle, *, damaged, limits: ArchiveLimits | None = None) -> SafeArchive:
    """Open the ZIP in the seekable `handle` if its directory is within `limits`.

    Raise ValidationError: code "damaged" with the message `damaged` when the structure is
    broken, or a code starting with "archive_" naming the limit it exceeds.
    """
    limits = limits or ArchiveLimits.from_settings()
    try:
        size = handle.seek(0, 2)
        directory_start = _count_entries(handle, size, limits)
        archive = zipfile.ZipFile(handle)
    except ValidationError:
        raise
    except Exception as error:  # zipfile.BadZipFile, struct.error, OSError, ValueError ...
        raise ValidationError(damaged, code="damaged") from error
    try:
        _check_entries(handle, archive.infolist(), directory_start, limits)
    except ValidationError:
        archive.close()
        raise
    except Exception as error:
        archive.close()
        raise ValidationError(damaged, code="damaged") from error
    return SafeArchive(archive, damaged)


def _count_entries(handle, size: int, limits: ArchiveLimits) -> int:
    """Walk the raw central directory, refusing too many entries; return where it starts."""
    tail_start = max(0, size - (_EOCD.size + 0xFFFF))
    handle.seek(tail_start)
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise _Damaged
    eocd_at = tail_start + at
    _sig, _disk, _cd_disk, _here, entries, cd_size, _offset, _comment = _EOCD.unpack_from(tail, at)
    end = eocd_at
    if at >= _EOCD64_LOCATOR.size and tail[at - _EOCD64_LOCATOR.size :].startswith(b"PK\x06\x07"):
        # ZIP64: the larger record sits just before its locator (where zipfile looks too).
        end = eocd_at - _EOCD64_LOCATOR.size - _EOCD64.size
        if end < 0:
            raise _Damaged
        handle.seek(end)
        record = handle.read(_EOCD64.size)
        if len(record) < _EOCD64.size or not record.startswith(b"PK\x06\x06"):
            raise _Damaged
        fields = _EOCD64.unpack(record)
        entries, cd_size = fields[7], fields[8]
    if entries > limits.entries:
        raise _too_many_entries(limits)
    start = end - cd_size
    if start < 0:
        raise _Damaged
    # The count in the end record can lie; the directory itself is what zipfile walks.
    handle.seek(start)
    count, position, remaining = 0, start, cd_size
    while remaining >= _CENTRAL.size:
        handle.seek(position)
        header = handle.read(_CENTRAL.size)
        if len(header) < _CENTRAL.size or not header.startswith(b"PK\x01\x02"):
            break
        fields = _CENTRAL.unpack(header)
        length = _CENTRAL.size + fields[12] + fields[13] + fields[14]
        count += 1
        if count > limits.entries:
            raise _too_many_entries(limits)
        position += length
        remaining -= length
    return start


def _too_many_entries(limits: ArchiveLimits) -> ValidationError:
    return ValidationError(
        _("The archive holds more than %(count)s files."),
        code="archive_entries",
        params={"count": number_format(limits.entries)},
    )


def _check_entries(handle, infos, directory_start: int, limits: ArchiveLimits) -> None:
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _Damaged
    packed = unpacked = 0
    for info in infos:
        if info.compress_type not in _METHODS:
            raise _Damaged
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise _Damaged
        packed += info.compress_size
        unpacked += info.file_size
        if info.file_size > _BIG_MEMBER and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise _too_compressed(limits)
    if unpacked > limits.unpacked_bytes:
        raise ValidationError(
            _("Unpacked, the archive would be larger than %(megabytes)s MB."),
            code="archive_unpacked",
            params={"megabytes": _megabytes(limits.unpacked_bytes)},
        )
    if unpacked > _BIG_MEMBER and unpacked > limits.ratio * max(packed, 1):
        raise _too_compressed(limits)
    # Each entry's data must end before the next entry starts: one piece of data listed under
    # many names is how the smallest zip bombs are made.
    previous_end = 0
    for info in sorted(infos, key=lambda info: info.header_offset):
        if info.header_offset < previous_end:
            raise _Damaged
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL.size)
        if len(header) < _LOCAL.size or not header.startswith(b"PK\x03\x04"):
            raise _Damaged
        fields = _LOCAL.unpack(header)
        previous_end = info.header_offset + _LOCAL.size + fields[10] + fields[11]
        previous_end += info.compress_size
    if previous_end > directory_start:
        raise _Damaged


def _too_compressed(limits: ArchiveLimits) -> ValidationError:
    return ValidationError(
        _(
            "The archive is packed more than %(ratio)s times tighter than ordinary documents "
            "are; it is refused as a possible zip bomb."
        ),
        code="archive_ratio",
        params={"ratio": number_format(limits.ratio)},
    )
