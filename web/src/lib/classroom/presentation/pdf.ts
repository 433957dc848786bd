import type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist';

/**
 * pdf.js, loaded in the browser only and once: its worker is served by
 * Préau itself (a file of the build, so the CSP's `worker-src 'self'`
 * allows it). pdf.js 6 compiles no code at run time (no eval, which the
 * CSP forbids), and WebAssembly is turned off (it would need
 * `wasm-unsafe-eval`; pdf.js then decodes in JavaScript).
 */
let loading: Promise<typeof import('pdfjs-dist')> | null = null;

function pdfjs() {
  loading ??= (async () => {
    const [lib, worker] = await Promise.all([
      import('pdfjs-dist'),
      import('pdfjs-dist/build/pdf.worker.min.mjs?url'),
    ]);
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return lib;
  })();
  return loading;
}

const rendering = new WeakMap<HTMLCanvasElement, RenderTask>();

/** A space file's address, as the files API serves it to those who may read the space. */
export function fileUrl(space: string, fileId: string): string {
  return `/api/spaces/${encodeURIComponent(space)}/files/${encodeURIComponent(fileId)}`;
}

/** Opens a PDF from this site. */
export async function openPdf(url: string): Promise<PDFDocumentProxy> {
  const lib = await pdfjs();
  return lib.getDocument({
    url,
    useWasm: false,
    // Fonts come from the PDF or the system: nothing is fetched from elsewhere.
    useSystemFonts: true,
  }).promise;
}

/** Draws one page of a PDF on a canvas as wide as `cssWidth`; answers the page's height/width ratio. */
export async function renderPage(
  pdf: PDFDocumentProxy,
  pageNumber: number,
  canvas: HTMLCanvasElement,
  cssWidth: number,
): Promise<number> {
  // pdf.js refuses two renders on one canvas: the newer page wins.
  const previous = rendering.get(canvas);
  if (previous) {
    previous.cancel();
    await previous.promise.catch(() => undefined);
  }
  const page = await pdf.getPage(pageNumber);
  const base = page.getViewport({ scale: 1 });
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: (cssWidth / base.width) * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  const task = page.render({ canvas, viewport });
  rendering.set(canvas, task);
  try {
    await task.promise;
  } finally {
    if (rendering.get(canvas) === task) rendering.delete(canvas);
  }
  return base.height / base.width;
}
