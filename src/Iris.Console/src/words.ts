// Statuses and error codes in words, for people rather than programs.

export const statusWords: Record<string, string> = {
  pending: 'Pending',
  processing_started: 'Processing',
  completed: 'Completed',
  error: 'Error',
};

export const errorCodeWords: Record<string, string> = {
  file_not_found: 'The file was not found',
  permission_denied: 'Iris may not read this path',
  broken_url: 'The address could not be downloaded',
  file_too_large: 'The file is larger than the server accepts',
  resolution_out_of_spec: 'The image has too many pixels, or a side too long',
  unsupported_format: 'The file is not an image format Iris reads, or it is damaged',
  unsupported_uri_scheme: 'The path is not s3://, http(s):// or file://',
  unknown_content_type: 'The file\'s type could not be determined',
  asset_metadata_error: 'The image\'s metadata could not be read',
  unknown: 'Ingestion failed for an unknown reason (it crashed or ran out of time)',
};

export function statusText(status: string): string {
  return statusWords[status] ?? status;
}

export function errorCodeText(code: string): string {
  return errorCodeWords[code] ?? code;
}
