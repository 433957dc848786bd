import type { DocFile } from '@preau/protocol';
import { type BoardFileRef, boardFilesMap } from '@preau/protocol/docs-model';
import * as Y from 'yjs';
import { blobToDataUrl, callUpload, dataUrlToBlob } from '#lib/docs/upload';

/** Origin of local asset writes that came from the shared document (not from Excalidraw). */
const FROM_SHARED = Symbol('from-shared');

/** An image as Excalidraw keeps it in memory. */
interface LocalAsset {
  id: string;
  mimeType: string;
  dataURL: string;
  created: number;
}

/**
 * Keeps board images out of the Yjs document. y-excalidraw binds images to a
 * map of data: URLs; here that map lives in a local, unshared Y.Doc. When
 * Excalidraw adds an image, its bytes go to object storage and only a
 * reference is shared; when a reference arrives, the image is fetched from
 * Préau and handed to Excalidraw.
 */
export class BoardFiles {
  readonly localDoc = new Y.Doc();
  readonly assets = this.localDoc.getMap<LocalAsset>('assets');
  readonly #shared: Y.Map<BoardFileRef>;
  readonly #pulling = new Set<string>();
  readonly #cleanups: Array<() => void> = [];

  constructor(
    shared: Y.Doc,
    private readonly docId: string,
    private readonly onError: (err: unknown) => void,
    private readonly canUpload: boolean,
  ) {
    this.#shared = boardFilesMap(shared);
    const onLocal = (event: Y.YMapEvent<LocalAsset>, txn: Y.Transaction) => {
      if (txn.origin === FROM_SHARED || !this.canUpload) return;
      for (const key of event.keysChanged) {
        const asset = this.assets.get(key);
        if (asset && !this.#shared.has(key)) void this.#push(asset).catch(this.onError);
      }
    };
    const onShared = (event: Y.YMapEvent<BoardFileRef>) => {
      for (const key of event.keysChanged) this.#pull(key);
    };
    this.assets.observe(onLocal);
    this.#shared.observe(onShared);
    this.#cleanups.push(
      () => this.assets.unobserve(onLocal),
      () => this.#shared.unobserve(onShared),
    );
    this.pullAll();
  }

  /** Fetches every shared image not yet in memory (after the first sync, for instance). */
  pullAll() {
    for (const key of this.#shared.keys()) this.#pull(key);
  }

  destroy() {
    for (const cleanup of this.#cleanups) cleanup();
    this.localDoc.destroy();
  }

  async #push(asset: LocalAsset) {
    const blob = await dataUrlToBlob(asset.dataURL);
    const uploaded = await callUpload<DocFile>(`/api/docs/${this.docId}/files`, blob);
    if (!uploaded.ok) throw new Error(uploaded.error.code);
    this.#shared.set(asset.id, {
      id: asset.id,
      mimeType: uploaded.data.mimeType,
      url: uploaded.data.url,
      created: asset.created ?? Date.now(),
    });
  }

  #pull(key: string) {
    const ref = this.#shared.get(key);
    if (!ref || this.assets.has(key) || this.#pulling.has(key)) return;
    this.#pulling.add(key);
    (async () => {
      const res = await fetch(ref.url);
      if (!res.ok) throw new Error(`image ${key}: ${res.status}`);
      const dataURL = await blobToDataUrl(await res.blob());
      this.localDoc.transact(() => {
        this.assets.set(key, {
          id: key,
          mimeType: ref.mimeType,
          dataURL,
          created: ref.created ?? Date.now(),
        });
      }, FROM_SHARED);
    })()
      .catch(this.onError)
      .finally(() => this.#pulling.delete(key));
  }
}
