// The answers the console reads, as the API's OpenAPI document (/openapi/v1.json) describes them.

export interface PageDetails {
  current_page: number;
  last_page: number | null;
  limit: number;
  offset: number;
  total: number | null;
}

export interface Paged<T> {
  meta: { page: PageDetails };
  data: T[];
}

export interface Dataset {
  id: string;
  name: string;
  description: string | null;
  status: string;
  created_dt: string;
  image_count?: number;
}

export interface DatasetList {
  meta: { page: PageDetails };
  data: Dataset[];
}

export interface Counts {
  completed: number;
  error: number;
  in_progress: number;
  pending: number;
  processing_started: number;
  total: number;
}

export interface ProgressEvent extends Counts {
  dataset_id: string;
  throughput: number;
  timestamp_dt: string;
}

export interface AssetStatus {
  status: string;
  asset_id: string;
  dataset_id: string;
  error_code: string | null;
  error_reason: string | null;
  source_path: string | null;
  latest_event: { event_type: string | null; event_entity: string | null; timestamp_dt: string | null };
}

export interface TechnicalMetadata {
  format: string;
  mimeType: string;
  width: number | null;
  height: number | null;
  sizeBytes: number;
  sha256: string;
  orientation?: number | null;
  exif: Record<string, string>;
}

/** The v0 metadata answer (camelCase, as Coactive's seed has it). */
export interface ImageMetadata {
  createdUserId: string;
  createdDt: string;
  updatedUserId: string;
  updatedDt: string;
  coactiveImageId: string;
  path: string;
  id: string | null;
  metadata: Record<string, string | number | boolean> | null;
  datasetId: string;
  status: string;
  technicalMetadata: TechnicalMetadata | null;
}

export interface ImageEvent {
  event_type: string;
  event_entity: string;
  timestamp_dt: string;
  detail: string | null;
}

export interface Duplicate {
  asset_id: string;
  source_path: string;
  distance: number;
  exact: boolean;
}

export interface SimilarImage {
  coactive_image_id: string;
  path: string;
  score: number;
}

export interface IngestJob {
  id: string;
  status: string;
  total_assets: number;
  processed_assets: number;
  errored_assets: number;
}
