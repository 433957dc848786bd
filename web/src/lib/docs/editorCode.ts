/**
 * The editors' own code (Tiptap for pads, Excalidraw for boards) is large
 * and loaded on demand, apart from the page. Its load starts as soon as a
 * document's page opens, alongside the document's first sync, not after it:
 * a network lost in between left the page "loading" for good. A load that
 * failed is forgotten, so that the next call tries again (when the network
 * is back), and the page says why it waits.
 */

/** Memoises `load`; a failure is forgotten, so the next call loads again. */
export function retryable<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = null;
      throw err;
    });
    return loading;
  };
}

/** Tiptap and the extensions a pad uses. */
export const padEditorCode = retryable(() =>
  Promise.all([
    import('@tiptap/core'),
    import('@tiptap/starter-kit'),
    import('@tiptap/extension-collaboration'),
    import('@tiptap/extension-collaboration-caret'),
    import('@tiptap/extension-table'),
    import('@tiptap/extension-image'),
  ]),
);

/** React, Excalidraw and its Yjs binding, for a board. */
export const boardEditorCode = retryable(() =>
  Promise.all([
    import('react'),
    import('react-dom/client'),
    import('@excalidraw/excalidraw'),
    import('y-excalidraw'),
    import('@excalidraw/excalidraw/index.css'),
  ]),
);

/**
 * Loads an editor's code; while that fails, logs why, tells `failed` and
 * tries again once the network is back (or 5 s later). Resolves with the
 * code, or null once `stopped()` (the editor went away).
 */
export async function editorCodeWhenReachable<T>(
  code: () => Promise<T>,
  failed: () => void,
  stopped: () => boolean,
): Promise<T | null> {
  while (!stopped()) {
    try {
      return await code();
    } catch (err) {
      if (stopped()) break;
      console.warn('the editor could not load', err);
      failed();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          window.removeEventListener('online', done);
          resolve();
        };
        const timer = setTimeout(done, 5_000);
        window.addEventListener('online', done);
      });
    }
  }
  return null;
}
