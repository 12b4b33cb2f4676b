// Follows a dataset's progress stream (server-sent events) with fetch, since EventSource cannot send the bearer
// header. One stream per page; when it ends or fails it reconnects after a growing, jittered delay.

import { authHeaders, enc } from './api';
import type { ProgressEvent } from './models';

export interface ProgressHandlers {
  onCounts(event: ProgressEvent): void;
  onState(state: 'live' | 'reconnecting' | 'stopped', detail?: string): void;
}

const maxDelayMs = 30_000;

export function followProgress(datasetId: string, handlers: ProgressHandlers): () => void {
  const abort = new AbortController();
  let retryMs = 1000;
  let failures = 0;

  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`/api/v1/ingestion/datasets/${enc(datasetId)}/assets/status/stream`, {
          headers: { ...authHeaders(), Accept: 'text/event-stream' },
          cache: 'no-store',
          signal: abort.signal,
        });
        if (response.status === 404 || response.status === 401 || response.status === 403) {
          handlers.onState('stopped', response.status === 404 ? 'The dataset is gone.' : 'Not signed in.');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`The progress stream answered ${response.status}.`);
        failures = 0;
        handlers.onState('live');
        await readEvents(response.body, abort.signal, (type, data, retry) => {
          if (retry !== null) retryMs = retry;
          if (type === 'counts' && data) handlers.onCounts(JSON.parse(data) as ProgressEvent);
        });
      } catch (e) {
        if (abort.signal.aborted) return;
        failures++;
        handlers.onState('reconnecting', e instanceof Error ? e.message : String(e));
      }
      if (abort.signal.aborted) return;
      handlers.onState('reconnecting');
      const delay = Math.min(maxDelayMs, retryMs * 2 ** Math.min(failures, 5)) * (0.75 + Math.random() * 0.5);
      await sleep(delay, abort.signal);
    }
  };
  void run();
  return () => abort.abort();
}

/** Parses the text/event-stream format: fields per line, an event per blank line, comments start with ':'. */
async function readEvents(
  body: ReadableStream<Uint8Array>, signal: AbortSignal,
  onEvent: (type: string, data: string, retry: number | null) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  let buffer = '';
  let type = 'message';
  let data: string[] = [];
  let retry: number | null = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0 || retry !== null) onEvent(type, data.join('\n'), retry);
          type = 'message';
          data = [];
          retry = null;
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') type = text;
          else if (field === 'data') data.push(text);
          else if (field === 'retry' && /^\d+$/.test(text)) retry = Number(text);
        }
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
