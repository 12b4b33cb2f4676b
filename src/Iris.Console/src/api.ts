// The public API, called with the bearer credential. The credential lives in session storage only (gone when the
// tab closes); it is never put in a URL, a cookie or local storage.

const tokenKey = 'iris.token';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function signIn(clientId: string, clientSecret: string): void {
  sessionStorage.setItem(tokenKey, `${clientId}:${clientSecret}`);
}

export function signOut(): void {
  sessionStorage.removeItem(tokenKey);
}

export function authHeaders(): Record<string, string> {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** The sentence an error answer carries: ErrorResponse.detail, or the first 422 message with where it is. */
export function describeError(status: number, body: unknown): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail) && detail.length > 0) {
      const first = detail[0] as { loc?: unknown[]; msg?: string };
      const where = Array.isArray(first.loc) ? first.loc.join('.') : '';
      return where ? `${where}: ${first.msg ?? 'invalid'}` : (first.msg ?? 'Invalid request');
    }
  }
  return `The server answered ${status}.`;
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(), Accept: 'application/json' };
  const init: RequestInit = { method, headers, cache: 'no-store' };
  if (signal) init.signal = signal;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let parsed: unknown = null;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) window.dispatchEvent(new CustomEvent('iris:unauthorized'));
    throw new ApiError(response.status, describeError(response.status, parsed));
  }
  return parsed as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body?: unknown, signal?: AbortSignal) => request<T>('POST', path, body, signal);
export const del = <T>(path: string) => request<T>('DELETE', path);

export const enc = encodeURIComponent;
