// The datasets list: each name links to its page; counts per status; create; delete behind a confirmation.

import { del, enc, get, post } from './api';
import { announce, formatTime, h } from './dom';
import type { Counts, Dataset, DatasetList } from './models';
import type { Page } from './page';

const pageSize = 50;

export function renderDatasets(main: HTMLElement): Page {
  let skip = 0;
  const status = h('p', { class: 'error', role: 'alert' });
  const list = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });

  const name = h('input', { id: 'dataset-name', required: true, pattern: '[A-Za-z0-9_]{1,128}', maxlength: 128, spellcheck: 'false' });
  const description = h('input', { id: 'dataset-description', maxlength: 1000 });
  const createMessage = h('p', { role: 'status' });
  const create = h('form', { class: 'card', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'New dataset'),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'dataset-name' }, 'Name'), name,
        h('small', {}, '1 to 128 letters, digits or underscores')),
      h('div', { class: 'field grow' }, h('label', { for: 'dataset-description' }, 'Description'), description),
      h('button', { type: 'submit' }, 'Create dataset')),
    createMessage);
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    createMessage.textContent = '';
    try {
      const made = await post<Dataset>('/api/v1/datasets', {
        name: name.value.trim(), description: description.value.trim() || null, encoder_name: 'multimodal',
      });
      createMessage.textContent = `Created ${made.name}.`;
      name.value = '';
      description.value = '';
      await load();
    } catch (err) {
      createMessage.textContent = `Not created: ${err instanceof Error ? err.message : String(err)}`;
    }
  });

  const dialogText = h('p', {});
  const confirmButton = h('button', { type: 'button', class: 'danger', value: 'delete' }, 'Delete');
  const cancelButton = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
  const dialog = h('dialog', { 'aria-labelledby': 'delete-title' },
    h('h2', { id: 'delete-title' }, 'Delete dataset?'), dialogText,
    h('div', { class: 'row' }, cancelButton, confirmButton));
  cancelButton.addEventListener('click', () => dialog.close());

  const askDelete = (dataset: Dataset) => {
    dialogText.textContent = `Delete ${dataset.name} with all its images, jobs and stored files? This cannot be undone.`;
    confirmButton.onclick = async () => {
      dialog.close();
      try {
        await del(`/api/v1/datasets/${enc(dataset.id)}`);
        announce(`Deleted ${dataset.name}.`);
        await load();
      } catch (err) {
        status.textContent = `Not deleted: ${err instanceof Error ? err.message : String(err)}`;
      }
    };
    dialog.showModal();
    cancelButton.focus();
  };

  const load = async () => {
    status.textContent = '';
    let answer: DatasetList;
    try {
      answer = await get<DatasetList>(`/api/v1/datasets?skip=${skip}&limit=${pageSize}`);
    } catch (err) {
      status.textContent = `The datasets could not be listed: ${err instanceof Error ? err.message : String(err)}`;
      return;
    }
    const counts = await Promise.all(answer.data.map((d) =>
      get<{ data: Counts }>(`/api/v1/ingestion/datasets/${enc(d.id)}/assets/status/count`).then((c) => c.data, () => null)));
    if (answer.data.length === 0) {
      list.replaceChildren(h('p', {}, 'No datasets yet: create one above.'));
    } else {
      list.replaceChildren(h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Datasets'),
        h('thead', {}, h('tr', {},
          ...['Name', 'Description', 'Completed', 'Error', 'In progress', 'Total', 'Created', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...answer.data.map((d, i) => {
          const c = counts[i];
          return h('tr', {},
            h('th', { scope: 'row' }, h('a', { href: `#/datasets/${enc(d.id)}` }, d.name)),
            h('td', {}, d.description ?? ''),
            h('td', { class: 'num' }, c ? c.completed : '?'),
            h('td', { class: 'num' }, c ? c.error : '?'),
            h('td', { class: 'num' }, c ? c.in_progress : '?'),
            h('td', { class: 'num' }, c ? c.total : '?'),
            h('td', {}, formatTime(d.created_dt)),
            h('td', {}, h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${d.name}`, onclick: () => askDelete(d) }, 'Delete')));
        }))));
    }
    const total = answer.meta.page.total ?? 0;
    pager.replaceChildren(
      h('button', { type: 'button', disabled: skip === 0, onclick: () => { skip = Math.max(0, skip - pageSize); void load(); } }, 'Previous'),
      h('span', {}, total === 0 ? '' : `${skip + 1}–${Math.min(total, skip + pageSize)} of ${total}`),
      h('button', { type: 'button', disabled: skip + pageSize >= total, onclick: () => { skip += pageSize; void load(); } }, 'Next'));
  };

  main.replaceChildren(h('h1', {}, 'Datasets'), create, status, list, pager, dialog);
  void load();
  return { dispose() { dialog.close(); } };
}
