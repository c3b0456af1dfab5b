'use client';

/** Result of a console API call: the JSON body, or a French message to show. */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; message: string; errors?: Array<{ path: string; message: string }> };

/** Calls the agent JSON API from the console (same origin, session cookie); never throws. */
export async function callApi<T = unknown>(url: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  try {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'same-origin',
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (response.ok) return { ok: true, data: data as T };
    const errors = data?.errors as Array<{ path: string; message: string }> | undefined;
    const message = data?.error ?? (errors?.length ? errors.map((e) => e.message).join(' ') : `Erreur ${response.status}`);
    return { ok: false, status: response.status, message, errors };
  } catch {
    return { ok: false, status: 0, message: 'Le serveur ne répond pas : vérifiez votre connexion puis réessayez.' };
  }
}
