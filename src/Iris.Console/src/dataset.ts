// A dataset's page: live counts and throughput (the progress stream), adding images (uploads, pasted paths) and
// the images as a grid of previews with filters and paging.

import { enc, get, post } from './api';
import { ThroughputChart } from './chart';
import { announce, fileName, h } from './dom';
import type { AssetStatus, Counts, Dataset, IngestJob, Paged, ProgressEvent } from './models';
import type { Page } from './page';
import { PreviewLoader } from './previews';
import { followProgress } from './progress';
import { uploadFiles } from './upload';
import { errorCodeText, errorCodeWords, statusText } from './words';

const pageSize = 48;
const maxPathsPerJob = 1000;
// Grid refreshes follow the counts, but no more often than this however fast images finish.
const refreshEveryMs = 2000;

interface GridState {
  filter: '' | 'in_progress' | 'completed' | 'error';
  errorCode: string;
  path: string;
  page: number;
}

export function renderDataset(main: HTMLElement, datasetId: string): Page {
  const previews = new PreviewLoader();
  const state: GridState = { filter: '', errorCode: '', path: '', page: 1 };
  let lastPage = 1;
  let stopStream: () => void = () => undefined;
  let refreshTimer: number | undefined;
  let lastRefresh = 0;
  let disposed = false;

  const title = h('h1', {}, 'Dataset');
  const message = h('p', { class: 'error', role: 'alert' });

  // Counts and throughput.
  const countCells: Record<string, HTMLElement> = {};
  const countList = h('dl', { class: 'counts' }, ...(['completed', 'error', 'in_progress', 'total'] as const).flatMap((k) => {
    countCells[k] = h('dd', { id: `count-${k}` }, '–');
    return [h('div', { class: `count count-${k}` }, h('dt', {}, k === 'in_progress' ? 'In progress' : k === 'total' ? 'Total' : statusText(k)), countCells[k])];
  }));
  const throughput = h('p', { class: 'throughput' }, 'Throughput: 0.0 images/s');
  const live = h('span', { class: 'live', id: 'stream-state' }, 'Connecting…');
  const chart = new ThroughputChart();
  let latestThroughput = 0;
  // The stream sends only changes; the chart moves on a clock so its time axis is real.
  const chartClock = window.setInterval(() => chart.add(latestThroughput), 1000);
  const countsSection = h('section', { class: 'card', 'aria-labelledby': 'counts-title' },
    h('div', { class: 'row spread' }, h('h2', { id: 'counts-title' }, 'Ingestion'), live),
    countList, throughput, chart.element);

  // Adding images.
  const fileInput = h('input', { id: 'upload-files', type: 'file', multiple: true, accept: 'image/*' });
  const progress = h('progress', { id: 'upload-progress', max: 1, value: 0, 'aria-label': 'Upload progress', hidden: true });
  const uploadMessage = h('p', { role: 'status', id: 'upload-message' });
  const drop = h('div', { class: 'drop', id: 'drop-zone' },
    h('label', { for: 'upload-files' }, 'Upload image files'), fileInput,
    h('p', { class: 'hint' }, 'or drop files here'), progress, uploadMessage);
  const upload = async (files: File[]) => {
    if (files.length === 0) return;
    progress.hidden = false;
    progress.value = 0;
    uploadMessage.textContent = `Uploading ${files.length} file${files.length === 1 ? '' : 's'}…`;
    try {
      const job = await uploadFiles(datasetId, files, (f) => { progress.value = f; });
      progress.value = 1;
      uploadMessage.textContent = `Uploaded ${files.length} file${files.length === 1 ? '' : 's'}: ingest job ${job.id}.`;
      scheduleRefresh();
    } catch (err) {
      uploadMessage.textContent = `Upload failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      fileInput.value = '';
    }
  };
  fileInput.addEventListener('change', () => void upload(Array.from(fileInput.files ?? [])));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void upload(Array.from(e.dataTransfer?.files ?? []));
  });

  const paths = h('textarea', { id: 'ingest-paths', rows: 4, spellcheck: 'false', placeholder: 's3://bucket/key.jpg\nhttps://example.com/a.png\nfile:///srv/photos/b.jpg' });
  const pathsMessage = h('p', { role: 'status', id: 'paths-message' });
  const pathsForm = h('form', { class: 'paths' },
    h('label', { for: 'ingest-paths' }, 'Paths to ingest, one per line (s3://, http(s)://, file:///)'), paths,
    h('button', { type: 'submit' }, 'Ingest paths'), pathsMessage);
  pathsForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const list = [...new Set(paths.value.split(/\r?\n/).map((p) => p.trim()).filter((p) => p.length > 0))];
    if (list.length === 0) { pathsMessage.textContent = 'Paste at least one path.'; return; }
    pathsMessage.textContent = `Starting ingestion of ${list.length} path${list.length === 1 ? '' : 's'}…`;
    try {
      const jobs: IngestJob[] = [];
      for (let i = 0; i < list.length; i += maxPathsPerJob) {
        jobs.push(await post<IngestJob>('/api/v1/ingestion/images', {
          dataset_id: datasetId, images: list.slice(i, i + maxPathsPerJob).map((source_path) => ({ source_path })),
        }));
      }
      pathsMessage.textContent = `Ingesting ${list.length} path${list.length === 1 ? '' : 's'} (${jobs.length === 1 ? `job ${jobs[0]!.id}` : `${jobs.length} jobs`}).`;
      paths.value = '';
      scheduleRefresh();
    } catch (err) {
      pathsMessage.textContent = `Not started: ${err instanceof Error ? err.message : String(err)}`;
    }
  });
  const addSection = h('section', { class: 'card', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Add images'), h('div', { class: 'add' }, drop, pathsForm));

  // The images.
  const statusSelect = h('select', { id: 'filter-status' },
    h('option', { value: '' }, 'Any'),
    h('option', { value: 'in_progress' }, 'Pending or processing'),
    h('option', { value: 'completed' }, 'Completed'),
    h('option', { value: 'error' }, 'Error'));
  const codeSelect = h('select', { id: 'filter-error-code' },
    h('option', { value: '' }, 'Any'),
    ...Object.keys(errorCodeWords).map((code) => h('option', { value: code }, code)));
  const pathInput = h('input', { id: 'filter-path', type: 'search', spellcheck: 'false', placeholder: 'file:///photos/ or an exact path' });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter images' },
    h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), statusSelect),
    h('div', { class: 'field' }, h('label', { for: 'filter-error-code' }, 'Error code'), codeSelect),
    h('div', { class: 'field grow' }, h('label', { for: 'filter-path' }, 'Path (exact, or a prefix ending in /)'), pathInput),
    h('button', { type: 'submit' }, 'Apply'));
  const applyFilters = () => {
    state.filter = statusSelect.value as GridState['filter'];
    state.errorCode = codeSelect.value;
    // An error code narrows to failed images.
    if (state.errorCode && state.filter !== 'error') { state.filter = 'error'; statusSelect.value = 'error'; }
    state.path = pathInput.value.trim();
    state.page = 1;
    void loadGrid();
  };
  filters.addEventListener('submit', (e) => { e.preventDefault(); applyFilters(); });
  statusSelect.addEventListener('change', applyFilters);
  codeSelect.addEventListener('change', applyFilters);

  const grid = h('ul', { class: 'grid', id: 'image-grid', 'aria-label': 'Images' });
  const gridNote = h('p', { role: 'status', id: 'grid-note' });
  const pageInput = h('input', { id: 'page-number', type: 'number', min: 1, value: 1, inputmode: 'numeric' });
  const pageOf = h('span', {}, 'of 1');
  const prev = h('button', { type: 'button', onclick: () => { if (state.page > 1) { state.page--; void loadGrid(); } } }, 'Previous page');
  const next = h('button', { type: 'button', onclick: () => { if (state.page < lastPage) { state.page++; void loadGrid(); } } }, 'Next page');
  const pageForm = h('form', { class: 'pager', 'aria-label': 'Pages' },
    prev, h('label', { for: 'page-number' }, 'Page'), pageInput, pageOf, next);
  pageForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = Math.floor(Number(pageInput.value));
    if (Number.isFinite(n) && n >= 1) { state.page = Math.min(n, lastPage); void loadGrid(); }
  });
  const imagesSection = h('section', { class: 'card', 'aria-labelledby': 'images-title' },
    h('h2', { id: 'images-title' }, 'Images'), filters, gridNote, grid, pageForm);

  let gridRequest = 0;
  const loadGrid = async () => {
    const mine = ++gridRequest;
    lastRefresh = Date.now();
    const query = new URLSearchParams({ offset: String((state.page - 1) * pageSize), limit: String(pageSize) });
    if (state.filter) query.set('filter', state.filter);
    let answer: Paged<AssetStatus>;
    try {
      answer = await post<Paged<AssetStatus>>(`/api/v1/ingestion/datasets/${enc(datasetId)}/assets/status?${query}`,
        state.path ? { source_path: state.path } : undefined);
    } catch (err) {
      if (mine === gridRequest) gridNote.textContent = `The images could not be listed: ${err instanceof Error ? err.message : String(err)}`;
      return;
    }
    if (mine !== gridRequest || disposed) return;
    const total = answer.meta.page.total ?? 0;
    lastPage = Math.max(1, Math.ceil(total / pageSize));
    // The API filters by status; the error code narrows the page it answered.
    const shown = state.errorCode ? answer.data.filter((a) => a.error_code === state.errorCode) : answer.data;
    grid.replaceChildren(...shown.map((a) => tile(a)));
    gridNote.textContent = total === 0
      ? 'No images match.'
      : state.errorCode
        ? `${shown.length} of the ${answer.data.length} failed images on this page have ${state.errorCode} (${total} failed in all).`
        : `${total} image${total === 1 ? '' : 's'}; showing ${answer.meta.page.offset + 1}–${answer.meta.page.offset + answer.data.length}.`;
    pageInput.value = String(state.page);
    pageInput.max = String(lastPage);
    pageOf.textContent = `of ${lastPage}`;
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= lastPage;
  };

  const tile = (a: AssetStatus) => {
    const name = fileName(a.source_path ?? a.asset_id);
    const img = h('img', { alt: '', width: 160, height: 160, decoding: 'async' });
    const frame = h('div', { class: 'thumb' }, img);
    if (a.status === 'completed') {
      previews.show(img, a.asset_id, (reason) => frame.replaceChildren(h('span', { class: 'no-preview' }, reason)));
    } else {
      frame.replaceChildren(h('span', { class: 'no-preview' }, a.status === 'error' ? (a.error_code ?? 'error') : 'Waiting'));
    }
    return h('li', { class: `tile status-${a.status}` },
      h('a', { href: `#/images/${enc(a.asset_id)}`, title: a.source_path ?? '' },
        frame,
        h('span', { class: 'name' }, name),
        h('span', { class: `badge badge-${a.status}` }, statusText(a.status)),
        a.error_code ? h('span', { class: 'visually-hidden' }, `: ${errorCodeText(a.error_code)}`) : null));
  };

  // Counts come from the stream; the grid follows them, throttled.
  let lastCounts: Counts | null = null;
  const showCounts = (c: Counts) => {
    for (const key of ['completed', 'error', 'in_progress', 'total'] as const) countCells[key]!.textContent = String(c[key]);
  };
  const scheduleRefresh = () => {
    if (refreshTimer !== undefined || disposed) return;
    const wait = Math.max(0, refreshEveryMs - (Date.now() - lastRefresh));
    refreshTimer = window.setTimeout(() => { refreshTimer = undefined; void loadGrid(); }, wait);
  };
  const onCounts = (e: ProgressEvent) => {
    showCounts(e);
    throughput.textContent = `Throughput: ${e.throughput.toFixed(1)} images/s`;
    latestThroughput = e.throughput;
    const moved = lastCounts !== null && (lastCounts.total !== e.total || lastCounts.completed !== e.completed || lastCounts.error !== e.error);
    if (moved) scheduleRefresh();
    if (lastCounts && lastCounts.in_progress > 0 && e.in_progress === 0) announce(`Ingestion finished: ${e.completed} completed, ${e.error} in error.`);
    lastCounts = e;
  };

  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Datasets'), ' / ', h('span', { id: 'crumb-name' }, '…')),
    title, message, countsSection, addSection, imagesSection);

  void (async () => {
    try {
      const dataset = await get<Dataset>(`/api/v1/datasets/${enc(datasetId)}`);
      if (disposed) return;
      title.textContent = dataset.name;
      document.getElementById('crumb-name')!.textContent = dataset.name;
      document.title = `${dataset.name} · Iris console`;
    } catch (err) {
      message.textContent = err instanceof Error ? err.message : String(err);
      return;
    }
    stopStream = followProgress(datasetId, {
      onCounts,
      onState(s, detail) {
        live.textContent = s === 'live' ? 'Live' : s === 'reconnecting' ? 'Reconnecting…' : `Stopped${detail ? `: ${detail}` : ''}`;
        live.className = `live live-${s}`;
      },
    });
    await loadGrid();
  })();

  return {
    dispose() {
      disposed = true;
      stopStream();
      clearInterval(chartClock);
      if (refreshTimer !== undefined) clearTimeout(refreshTimer);
      previews.dispose();
    },
  };
}
