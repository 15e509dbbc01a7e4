// The PDF reader: pdf.js renders one page at a time, fitted to the screen's width, and the
// page number is saved so the member comes back where they stopped.
import * as pdfjs from "../vendor/pdfjs/pdf.min.mjs";

const root = document.getElementById("sn-reader");
const part = (name) => root.querySelector(`[data-reader="${name}"]`);
pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;

let doc = null;
let pageNumber = Math.max(parseInt(root.dataset.position, 10) || 1, 1);
let rendering = null;

function showError() {
  const error = part("error");
  error.textContent = root.dataset.expired;
  error.classList.remove("d-none");
}

function save() {
  if (!root.dataset.saveUrl) return;
  const body = new URLSearchParams({ position: String(pageNumber) });
  fetch(root.dataset.saveUrl, {
    method: "POST",
    headers: { "X-CSRFToken": root.dataset.csrf },
    body,
    credentials: "same-origin",
  }).catch(() => {});
}

async function render() {
  const page = await doc.getPage(pageNumber);
  const canvas = part("canvas");
  const width = Math.max(part("view").clientWidth - 2, 200);
  const base = page.getViewport({ scale: 1 });
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: (width / base.width) * ratio });
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  canvas.style.width = `${viewport.width / ratio}px`;
  if (rendering) rendering.cancel();
  rendering = page.render({ canvas, viewport });
  try {
    await rendering.promise;
  } catch (error) {
    if (error?.name !== "RenderingCancelledException") throw error;
  }
  part("where").textContent = `${pageNumber} / ${doc.numPages}`;
  root.dataset.page = String(pageNumber);
  save();
}

function go(step) {
  const next = pageNumber + step;
  if (!doc || next < 1 || next > doc.numPages) return;
  pageNumber = next;
  render();
}

part("prev").addEventListener("click", () => go(-1));
part("next").addEventListener("click", () => go(1));
document.addEventListener("keydown", (event) => {
  if (event.key === "ArrowLeft") go(-1);
  if (event.key === "ArrowRight") go(1);
});

pdfjs
  .getDocument({ url: root.dataset.src, withCredentials: true })
  .promise.then((loaded) => {
    doc = loaded;
    pageNumber = Math.min(pageNumber, doc.numPages);
    return render();
  })
  .catch(showError);
