// An image's page: its preview, the fields of its metadata answer, EXIF as a table, a failure in words, the events
// timeline, duplicates and (where the server has search) similar images.

import { ApiError, enc, get, post } from './api';
import { fileName, formatBytes, formatTime, h } from './dom';
import type { AssetStatus, Duplicate, ImageEvent, ImageMetadata, Paged, SimilarImage } from './models';
import type { Page } from './page';
import { PreviewLoader } from './previews';
import { errorCodeText, statusText } from './words';

export function renderImage(main: HTMLElement, assetId: string): Page {
  const previews = new PreviewLoader();
  const abort = new AbortController();
  const title = h('h1', {}, 'Image');
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Datasets'));
  const message = h('p', { class: 'error', role: 'alert' });
  const body = h('div', { class: 'image-page' });
  main.replaceChildren(crumbs, title, message, body);

  void (async () => {
    let meta: ImageMetadata;
    let status: AssetStatus;
    try {
      [meta, status] = await Promise.all([
        get<ImageMetadata>(`/api/v0/images/${enc(assetId)}/metadata`, abort.signal),
        get<{ data: AssetStatus }>(`/api/v1/ingestion/images/${enc(assetId)}/status`, abort.signal).then((s) => s.data),
      ]);
    } catch (err) {
      if (!abort.signal.aborted) message.textContent = err instanceof Error ? err.message : String(err);
      return;
    }
    const name = fileName(meta.path);
    title.textContent = name;
    document.title = `${name} · Iris console`;
    crumbs.replaceChildren(h('a', { href: '#/' }, 'Datasets'), ' / ',
      h('a', { href: `#/datasets/${enc(meta.datasetId)}` }, 'Dataset'), ' / ', h('span', {}, name));

    const preview = h('img', { alt: `Preview of ${name}`, class: 'preview', id: 'image-preview' });
    const previewBox = h('figure', { class: 'preview-box' }, preview);
    if (meta.status === 'completed') {
      previews.show(preview, assetId, (reason) => previewBox.replaceChildren(h('p', {}, reason)));
    } else {
      previewBox.replaceChildren(h('p', { class: 'no-preview' }, meta.status === 'error' ? 'No preview: ingestion failed.' : 'No preview yet.'));
    }

    const failure = status.status === 'error'
      ? h('section', { class: 'card failure', 'aria-labelledby': 'failure-title', id: 'failure' },
        h('h2', { id: 'failure-title' }, 'Why it failed'),
        h('p', { class: 'failure-code' }, errorCodeText(status.error_code ?? 'unknown'), ' (', h('code', {}, status.error_code ?? 'unknown'), ')'),
        h('p', { class: 'failure-reason', id: 'error-reason' }, status.error_reason ?? 'No reason was recorded.'))
      : null;

    const t = meta.technicalMetadata;
    const fields: Array<[string, string]> = [
      ['Status', statusText(meta.status)],
      ['Path', meta.path],
      ['Coactive image id', meta.coactiveImageId],
      ['Your id', meta.id ?? 'none'],
      ['Dataset id', meta.datasetId],
      ['Created', `${formatTime(meta.createdDt)} by ${meta.createdUserId}`],
      ['Updated', `${formatTime(meta.updatedDt)} by ${meta.updatedUserId}`],
    ];
    if (t) {
      fields.push(['Format', `${t.format} (${t.mimeType})`], ['Size', `${t.width ?? '?'} × ${t.height ?? '?'} px, ${formatBytes(t.sizeBytes)}`],
        ['SHA-256', t.sha256]);
      if (t.orientation != null) fields.push(['Orientation', String(t.orientation)]);
    }
    const fieldList = h('dl', { class: 'fields', id: 'image-fields' }, ...fields.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

    const userMeta = Object.entries(meta.metadata ?? {});
    const exif = Object.entries(t?.exif ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const table = (id: string, caption: string, head: [string, string], rows: Array<[string, string]>) => rows.length === 0
      ? h('p', {}, `No ${caption}.`)
      : h('div', { class: 'table-wrap' }, h('table', { id },
        h('caption', { class: 'visually-hidden' }, caption),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, head[0]), h('th', { scope: 'col' }, head[1]))),
        h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))));

    const events = h('ol', { class: 'timeline', id: 'events' }, h('li', {}, 'Loading…'));
    const duplicates = h('div', { id: 'duplicates' }, h('p', {}, 'Loading…'));
    const similar = h('div', { id: 'similar' }, h('p', {}, 'Loading…'));

    body.replaceChildren(
      h('div', { class: 'image-top' }, previewBox, h('section', { class: 'card', 'aria-labelledby': 'fields-title' },
        h('h2', { id: 'fields-title' }, 'Metadata'), fieldList)),
      failure ?? '',
      h('section', { class: 'card', 'aria-labelledby': 'user-title' }, h('h2', { id: 'user-title' }, 'Your metadata'),
        table('user-metadata', 'user metadata', ['Key', 'Value'], userMeta.map(([k, v]) => [k, String(v)]))),
      h('section', { class: 'card', 'aria-labelledby': 'exif-title' }, h('h2', { id: 'exif-title' }, 'EXIF'),
        table('exif', 'EXIF tags', ['Tag', 'Value'], exif)),
      h('section', { class: 'card', 'aria-labelledby': 'events-title' }, h('h2', { id: 'events-title' }, 'Events'), events),
      h('section', { class: 'card', 'aria-labelledby': 'dup-title' }, h('h2', { id: 'dup-title' }, 'Duplicates'), duplicates),
      h('section', { class: 'card', 'aria-labelledby': 'similar-title' }, h('h2', { id: 'similar-title' }, 'Similar images'), similar));

    void get<Paged<ImageEvent>>(`/api/v1/images/${enc(assetId)}/events?limit=1000`, abort.signal).then((answer) => {
      events.replaceChildren(...answer.data.map((e) => h('li', {},
        h('time', { datetime: e.timestamp_dt }, formatTime(e.timestamp_dt)), ' ',
        h('strong', {}, e.event_type), e.detail ? h('span', { class: 'detail' }, ` — ${e.detail}`) : null)));
    }, (err) => { events.replaceChildren(h('li', {}, `Events could not be read: ${String(err instanceof Error ? err.message : err)}`)); });

    if (meta.status !== 'completed') {
      duplicates.replaceChildren(h('p', {}, 'Only completed images are compared.'));
      similar.replaceChildren(h('p', {}, 'Only completed images are compared.'));
      return;
    }
    void get<Paged<Duplicate>>(`/api/v1/images/${enc(assetId)}/duplicates?limit=50`, abort.signal).then((answer) => {
      duplicates.replaceChildren(answer.data.length === 0 ? h('p', {}, 'No duplicates in this dataset.') : h('ul', { class: 'links' },
        ...answer.data.map((d) => h('li', {}, h('a', { href: `#/images/${enc(d.asset_id)}` }, fileName(d.source_path)),
          ` — ${d.exact ? 'exact copy' : `${d.distance} bits apart`}`))));
    }, (err) => { duplicates.replaceChildren(h('p', {}, `Duplicates could not be read: ${String(err instanceof Error ? err.message : err)}`)); });

    void post<{ data: SimilarImage[] }>('/api/v1/search/image-to-image',
      { dataset_id: meta.datasetId, coactive_image_id: assetId, limit: 12 }, abort.signal).then((answer) => {
      const others = answer.data.filter((s) => s.coactive_image_id !== assetId);
      similar.replaceChildren(others.length === 0 ? h('p', {}, 'No similar images.') : h('ul', { class: 'links' },
        ...others.map((s) => h('li', {}, h('a', { href: `#/images/${enc(s.coactive_image_id)}` }, fileName(s.path)),
          ` — score ${s.score.toFixed(3)}`))));
    }, (err) => {
      // 422: the dataset has no embeddings (encoder "none") or the image none yet; 404/405/501: a server without search.
      const unavailable = err instanceof ApiError && [404, 405, 422, 501].includes(err.status);
      similar.replaceChildren(h('p', {}, unavailable ? 'Similar images: not available on this server.' : `Similar images could not be read: ${String(err instanceof Error ? err.message : err)}`));
    });
  })();

  return { dispose() { abort.abort(); previews.dispose(); } };
}
