// Uploads files as one ingest job (POST /api/v1/datasets/{id}/uploads, multipart). XMLHttpRequest, not fetch,
// because only it reports upload progress.

import { authHeaders, describeError, enc } from './api';
import type { IngestJob } from './models';

export function uploadFiles(datasetId: string, files: File[], onProgress: (fraction: number) => void): Promise<IngestJob> {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/datasets/${enc(datasetId)}/uploads`);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as IngestJob);
      else reject(new Error(describeError(xhr.status, body)));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload failed: the server could not be reached.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    xhr.send(form);
  });
}
