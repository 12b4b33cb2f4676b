// Previews are fetched with the bearer header and shown through blob: URLs, so no secret ever sits in an <img src>.
// At most a few load at once, tiles load when they scroll into view, and every URL is revoked when its page goes.

import { authHeaders, enc } from './api';

const maxParallel = 6;

export class PreviewLoader {
  // One blob URL per image for the page's life: a grid refresh shows the same previews without fetching them again.
  private readonly urls = new Map<string, string>();
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  private disposed = false;
  private readonly observer: IntersectionObserver;
  private readonly waiting = new Map<Element, () => void>();

  constructor() {
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        this.observer.unobserve(entry.target);
        this.waiting.get(entry.target)?.();
        this.waiting.delete(entry.target);
      }
    }, { rootMargin: '200px' });
  }

  /** Loads the image's preview into img once it is near the viewport. */
  show(img: HTMLImageElement, assetId: string, onMissing?: (reason: string) => void): void {
    const known = this.urls.get(assetId);
    if (known) {
      img.src = known;
      return;
    }
    this.waiting.set(img, () => this.enqueue(() => this.load(img, assetId, onMissing)));
    this.observer.observe(img);
  }

  dispose(): void {
    this.disposed = true;
    this.observer.disconnect();
    this.queue.length = 0;
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (!this.disposed && this.running < maxParallel && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      void task().finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async load(img: HTMLImageElement, assetId: string, onMissing?: (reason: string) => void): Promise<void> {
    try {
      const response = await fetch(`/api/v1/images/${enc(assetId)}/preview`, { headers: authHeaders() });
      if (!response.ok) {
        onMissing?.(response.status === 404 ? 'No preview' : `Preview failed (${response.status})`);
        return;
      }
      const blob = await response.blob();
      if (this.disposed) return;
      const url = this.urls.get(assetId) ?? URL.createObjectURL(blob);
      this.urls.set(assetId, url);
      img.src = url;
    } catch {
      onMissing?.('Preview failed');
    }
  }
}
