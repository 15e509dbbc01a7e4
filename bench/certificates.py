"""Benchmark bulk certificate issuing: `.venv/bin/python bench/certificates.py [--count 5000]`.

In a throwaway directory (a fresh SQLite database and media folder, or the PostgreSQL
database in DATABASE_URL, which is then used as is), it makes one finished batch with COUNT
participants who completed it, a certificate template with two logos and two signatures, and
then measures, with the services the staff pages use:

1. issuing every certificate (`certificates_issue_for_batch`: number, render the PDF, store
   it, record it, queue the e-mails), in certificates per second;
2. building the ZIP of all of them (`archive_build`, as the background task does);
3. with --badges, making every certificate's Open Badges 3.0 credential (a VC-JWT, EdDSA) and
   its baked badge PNG, as the download views do, and checking a sample of the PNGs with the
   verification page's own `credential_verify`.

It checks that there are COUNT certificates with COUNT different numbers and files, and that
the ZIP holds COUNT PDFs, and prints the figures with the machine's description.
See docs/BENCHMARKS.md ("Certificates").
"""

import argparse
import os
import platform
import secrets
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="participants (default 5000)")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes rendering PDFs (default: one per core)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120,
        metavar="SECONDS",
        help="first wait up to this long for the machine's load to fall below 1 (default 120)",
    )
    parser.add_argument(
        "--signed",
        action="store_true",
        help="sign every PDF (PAdES) with a development key made in the temporary directory",
    )
    parser.add_argument(
        "--badges",
        action="store_true",
        help="also sign every certificate's Open Badges credential and bake its PNG",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 100_000:
        parser.error("--count must be between 1 and 100000")
    return args


def setup_django(tmp: Path, *, signed: bool = False) -> None:
    os.environ["SINERGI_VAR_DIR"] = str(tmp)
    os.environ["SINERGI_SIGNING_DEVELOPMENT"] = "true" if signed else "false"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    # Production settings: DEBUG would keep every SQL statement in memory.
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sinergi.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(count: int):
    """Create the batch, its template and `count` completed participants, in bulk."""
    from datetime import timedelta

    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.core.management import call_command
    from django.utils import timezone

    from sinergi.accounts.models import User
    from sinergi.certificates.demo import _template_for
    from sinergi.learning.models import Completion
    from sinergi.training.models import Batch, CompetencyUnit, Program, Registration

    call_command("migrate", verbosity=0)
    program = Program.objects.create(
        title="Pengelolaan Perpustakaan Sekolah",
        slug=f"bench-{secrets.token_hex(4)}",
        summary="Benchmark",
        total_jp=32,
        organisers="Perpustakaan UPI; Pusdiklat Perpustakaan Nasional RI",
    )
    for code, title in [
        ("R.91PER00.001.2", "Melakukan seleksi bahan perpustakaan"),
        ("R.91PER00.015.2", "Melakukan layanan sirkulasi"),
        ("R.91PER00.030.2", "Menyusun program kerja perpustakaan"),
    ]:
        unit, _ = CompetencyUnit.objects.get_or_create(code=code, defaults={"title": title})
        program.competency_units.add(unit)
    _template_for(program)
    today = timezone.localdate()
    now = timezone.now()
    batch = Batch.objects.create(
        program=program,
        code=f"BENCH-{secrets.token_hex(3).upper()}",
        starts_on=today - timedelta(days=14),
        ends_on=today - timedelta(days=10),
        registration_opens=now - timedelta(days=60),
        registration_closes=now - timedelta(days=20),
        capacity=count,
        fee=0,
        status="finished",
    )
    first_names = ["Siti", "Ni Luh Putu", "Muhammad", "Dewi", "Agus", "Maria Goreti", "Wayan"]
    last_names = ["Rahmawati", "Kusumawati", "Hidayat", "Pratama", "Bria", "Sembiring"]
    users = User.objects.bulk_create(
        User(
            email=f"bench{batch.code.lower()}-{n}@example.test",
            full_name=(
                f"{first_names[n % len(first_names)]} {last_names[n % len(last_names)]} {n}, S.IP."
            ),
            password=UNUSABLE_PASSWORD_PREFIX,
            email_verified_at=now,
        )
        for n in range(count)
    )
    registrations = Registration.objects.bulk_create(
        Registration(
            batch=batch,
            user=user,
            state="confirmed",
            institution_name="Perpustakaan SMA Negeri 1 Bandung",
            consent_at=now,
            confirmed_at=now,
        )
        for user in users
    )
    Completion.objects.bulk_create(
        Completion(registration=r, posttest_score=70 + n % 31, attendance_percent=100)
        for n, r in enumerate(registrations)
    )
    return batch


def wait_for_quiet(seconds: float) -> None:
    """Wait until other work on the machine stops (1-minute load below 1), or give up."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= 1 and time.monotonic() < deadline:
        time.sleep(5)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the rendering processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}"


def bench_badges(certificates, count: int) -> tuple[float, float, float, int]:
    """Time the credentials alone, then the baked badges, in this process; verify a sample."""
    from django.conf import settings

    from sinergi.certificates import badges
    from sinergi.core.signing import badge_development_key_create, badge_development_path

    # A key of its own in the temporary directory, configured as the library's would be.
    settings.SINERGI_BADGE_KEY = str(badge_development_key_create(path=badge_development_path()))
    badges._load_key.cache_clear()
    rows = list(certificates.select_related("registration__user", "registration__batch__program"))
    badges.credential_jwt(rows[0])  # load the key before the clock starts
    before = time.process_time()
    for certificate in rows:
        badges.credential_jwt(certificate)
    jwt_ms = (time.process_time() - before) / len(rows) * 1000
    before = time.process_time()
    pngs = [badges.badge_png(certificate) for certificate in rows]
    png_ms = (time.process_time() - before) / len(rows) * 1000
    sample = pngs[:: max(count // 50, 1)]
    for png in sample:
        assert badges.credential_verify(content=png).state == "valid"
    return jwt_ms, png_ms, sum(len(p) for p in pngs) / len(pngs) / 1024, len(sample)


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="sinergi-bench-certificates-"))
    setup_django(tmp, signed=args.signed)
    from importlib.metadata import version

    from django.db import connection

    from sinergi.certificates.models import Certificate, CertificateArchive
    from sinergi.certificates.services import archive_build, certificates_issue_for_batch

    print(f"bench: preparing {args.count} completed participants in {tmp}", flush=True)
    batch = prepare(args.count)
    if args.signed:
        from django.conf import settings

        from sinergi.core.signing import development_key_create, development_path

        development_key_create(path=development_path(), organisation="Perpustakaan UPI")
        # Load the key and cut the appearance's font once, before the clock starts.
        from sinergi.core.signing import _stamp_font, signer_get

        assert signer_get() is not None and settings.SINERGI_SIGNING_DEVELOPMENT
        _stamp_font()

    wait_for_quiet(args.wait_quiet)
    load_before = os.getloadavg()[0]
    cpu_before, started = _cpu(), time.perf_counter()
    result = certificates_issue_for_batch(batch=batch, processes=args.processes)
    issue_seconds = time.perf_counter() - started
    issue_cpu = _cpu() - cpu_before
    load_after = os.getloadavg()[0]

    certificates = Certificate.objects.filter(registration__batch=batch)
    numbers = set(certificates.values_list("number", flat=True))
    files = set(certificates.values_list("pdf", flat=True))
    assert result.issued == args.count, result
    assert len(numbers) == len(files) == args.count, (len(numbers), len(files))
    if args.signed:
        first = (tmp / "media" / next(iter(files))).read_bytes()
        assert b"/ETSI.CAdES.detached" in first, "the PDFs are not signed"
    sizes = [
        (tmp / "media" / name).stat().st_size for name in list(files)[:: max(args.count // 50, 1)]
    ]

    archive = CertificateArchive.objects.create(batch=batch)
    started = time.perf_counter()
    archive = archive_build(archive=archive)
    zip_seconds = time.perf_counter() - started
    assert archive.status == "ready", archive.error
    with zipfile.ZipFile(archive.file.path) as zipped:
        entries = zipped.namelist()
        assert len(entries) == args.count
        assert zipped.read(entries[-1]).startswith(b"%PDF-")
    zip_mb = archive.file.size / 1_000_000
    if args.badges:
        badge_figures = bench_badges(certificates, args.count)

    print()
    print(f"machine   {machine()}")
    database = connection.vendor
    if database == "sqlite":
        database += " " + ".".join(map(str, connection.Database.sqlite_version_info))
    print(
        f"software  Python {platform.python_version()}, Django {version('django')}, "
        f"reportlab {version('reportlab')}, {database}"
    )
    signed = " (signed, PAdES)" if args.signed else ""
    print(f"issued    {result.issued} certificates{signed} in {issue_seconds:.1f} s")
    print(
        f"          {result.issued / issue_seconds:.0f} certificates/second "
        f"({issue_cpu / result.issued * 1000:.1f} ms CPU each, "
        f"rendering processes: {args.processes})"
    )
    print(f"          load average {load_before:.1f} before, {load_after:.1f} after")
    print(f"          PDF size about {sum(sizes) / len(sizes) / 1024:.0f} KiB")
    print(f"zip       {len(entries)} PDFs, {zip_mb:.0f} MB, built in {zip_seconds:.1f} s")
    if args.badges:
        jwt_ms, png_ms, png_kib, checked = badge_figures
        print(
            f"badges    {args.count} VC-JWTs at {jwt_ms:.2f} ms CPU each; with the baked PNG "
            f"{png_ms:.1f} ms CPU each, about {png_kib:.0f} KiB; {checked} checked valid"
        )
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept      {tmp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
