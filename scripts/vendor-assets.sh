#!/usr/bin/env bash
# Re-vendor the front-end assets from their npm packages into sinergi/static/vendor/.
# Run by hand when upgrading (needs npm); the result is committed so that nothing is
# downloaded at run time or install time.
set -euo pipefail
BOOTSTRAP=5.3.9
ICONS=1.13.2
HTMX=2.0.11
PDFJS=6.5.438
EPUBJS=0.3.93
JSZIP=3.10.2
# Only for the tests (tests/e2e/test_crawl.py): never served by the site.
AXE=4.14.1

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/sinergi/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for pkg in "bootstrap@$BOOTSTRAP" "bootstrap-icons@$ICONS" "htmx.org@$HTMX" \
  "pdfjs-dist@$PDFJS" "epubjs@$EPUBJS" "jszip@$JSZIP" "axe-core@$AXE"; do
  npm pack --silent "$pkg" >/dev/null
done
for tgz in *.tgz; do mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"; done

rm -rf "$dest" && mkdir -p "$dest/bootstrap/css" "$dest/bootstrap/js" "$dest/bootstrap-icons/fonts" "$dest/htmx"
b="bootstrap-$BOOTSTRAP/package"
cp "$b/dist/css/bootstrap.min.css" "$b/dist/css/bootstrap.min.css.map" "$dest/bootstrap/css/"
cp "$b/dist/js/bootstrap.bundle.min.js" "$b/dist/js/bootstrap.bundle.min.js.map" "$dest/bootstrap/js/"
cp "$b/LICENSE" "$dest/bootstrap/LICENSE"
i="bootstrap-icons-$ICONS/package"
cp "$i/font/bootstrap-icons.min.css" "$dest/bootstrap-icons/"
cp "$i/font/fonts/bootstrap-icons.woff2" "$i/font/fonts/bootstrap-icons.woff" "$dest/bootstrap-icons/fonts/"
cp "$i/LICENSE" "$dest/bootstrap-icons/LICENSE"
h="htmx.org-$HTMX/package"
cp "$h/dist/htmx.min.js" "$dest/htmx/"
cp "$h/LICENSE" "$dest/htmx/LICENSE"
# The e-book reader: pdf.js (the legacy build, for older phone browsers) with its worker,
# epub.js and the jszip it reads EPUB containers with.
mkdir -p "$dest/pdfjs" "$dest/epubjs" "$dest/jszip"
p="pdfjs-dist-$PDFJS/package"
cp "$p/legacy/build/pdf.min.mjs" "$p/legacy/build/pdf.worker.min.mjs" "$dest/pdfjs/"
cp "$p/LICENSE" "$dest/pdfjs/LICENSE"
e="epubjs-$EPUBJS/package"
cp "$e/dist/epub.min.js" "$dest/epubjs/"
cp "$e/license" "$dest/epubjs/LICENSE"
j="jszip-$JSZIP/package"
cp "$j/dist/jszip.min.js" "$dest/jszip/"
cp "$j/LICENSE.markdown" "$dest/jszip/LICENSE.markdown"
cat > "$dest/README.md" <<MD
# Vendored front-end assets

Copied unchanged from their npm packages by \`scripts/vendor-assets.sh\`; each folder keeps the
package's licence. Nothing here is fetched at run time.

| folder | npm package | version | licence |
|---|---|---|---|
| bootstrap/ | bootstrap | $BOOTSTRAP | MIT |
| bootstrap-icons/ | bootstrap-icons | $ICONS | MIT |
| htmx/ | htmx.org | $HTMX | 0BSD |
| pdfjs/ | pdfjs-dist (legacy build) | $PDFJS | Apache-2.0 |
| epubjs/ | epubjs | $EPUBJS | BSD-2-Clause |
| jszip/ | jszip | $JSZIP | MIT or GPL-3.0 (dual; used under MIT) |
MD
echo "vendored into $dest"

tests="$root/tests/e2e/vendor/axe-core"
rm -rf "$tests" && mkdir -p "$tests"
a="axe-core-$AXE/package"
cp "$a/axe.min.js" "$a/LICENSE" "$a/LICENSE-3RD-PARTY.txt" "$tests/"
cat > "$tests/README.md" <<MD
# axe-core $AXE, for the tests only

\`axe.min.js\` from the npm package \`axe-core\` $AXE, unchanged, with its licence (MPL-2.0) and
its third-party notices. The crawl test (\`tests/e2e/test_crawl.py\`) evaluates it in each page
it checks; the site never serves it. Re-vendored by \`scripts/vendor-assets.sh\`.
MD
echo "vendored axe-core into $tests"
