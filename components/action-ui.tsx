import React from 'react';
import { Box, MessageBox, Text } from '@adminjs/design-system';
import { ApiClient } from 'adminjs';

/**
 * Helpers shared by the custom-action components (components/action-*.tsx).
 * Not registered itself: the bundler follows these imports.
 */

export const api = new ApiClient();

export interface Notice {
  message: string;
  type?: 'success' | 'error' | 'info';
}

/** What our action handlers answer (src/admin/actions): data, and a notice on success or failure. */
export type ActionData = Record<string, any> & { notice?: Notice; redirectUrl?: string };

/** A record action: GET (load) without `data`, POST (do it) with it. */
export async function recordCall(resourceId: string, recordId: string, actionName: string, data?: Record<string, unknown>): Promise<ActionData> {
  const res = await api.recordAction({ resourceId, recordId, actionName, ...(data ? { data } : {}) });
  return res.data as ActionData;
}

export async function bulkCall(resourceId: string, recordIds: string[], actionName: string, data?: Record<string, unknown>): Promise<ActionData> {
  const res = await api.bulkAction({ resourceId, recordIds, actionName, ...(data ? { data } : {}) });
  return res.data as ActionData;
}

export async function resourceCall(resourceId: string, actionName: string, data?: Record<string, unknown>, query?: Record<string, string>): Promise<ActionData> {
  const res = await api.resourceAction({ resourceId, actionName, ...(data ? { data } : {}), ...(query ? { params: query } : {}) });
  return res.data as ActionData;
}

/** The message to show for a failed call (the server's notice, or the HTTP failure). */
export function failureOf(e: unknown): string {
  const data = (e as { response?: { data?: ActionData; status?: number } })?.response?.data;
  if (data?.notice?.message) return data.notice.message;
  const status = (e as { response?: { status?: number } })?.response?.status;
  if (status === 403) return 'You may not do this';
  if (status === 404) return 'Not found';
  return 'The request failed; try again';
}

/** The same URL with ?refresh=true, which makes AdminJS reload the record or list it navigates to. */
export function withRefresh(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}refresh=true`;
}

/** An inline error (not only a toast: toasts go away, and AdminJS translates them). */
export const ErrorLine: React.FC<{ message: string | null }> = ({ message }) =>
  message ? (
    <Box my="lg" data-testid="action-error">
      <MessageBox variant="danger" message={message} />
    </Box>
  ) : null;

export const Muted: React.FC<{ children: React.ReactNode }> = ({ children }) => <Text style={{ color: '#898A9A' }}>{children}</Text>;

export const grouped = (n: number | null | undefined, empty = '—'): string => (n == null ? empty : Number(n).toLocaleString('en-US'));

export function bytes(n: number | null | undefined): string {
  if (n == null) return '—';
  let v = Number(n);
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${units[i]}`;
}

/** A horizontal bar for a share (0..100, clamped). Usage turns orange from 75 % and red from 90 %; progress stays blue, green when done. */
export const Bar: React.FC<{ percent: number | null; testId?: string; tone?: 'usage' | 'progress' }> = ({ percent, testId, tone = 'usage' }) => {
  const p = percent == null ? 0 : Math.max(0, Math.min(100, percent));
  const colour = tone === 'progress' ? (p >= 100 ? '#007D5A' : '#3040D6') : p >= 90 ? '#C20012' : p >= 75 ? '#FF9900' : '#3040D6';
  return (
    <div data-testid={testId} role="progressbar" aria-valuenow={Math.round(p)} aria-valuemin={0} aria-valuemax={100} style={{ background: '#EEEEEF', borderRadius: 4, height: 8, minWidth: 80, overflow: 'hidden' }}>
      <div style={{ width: `${p}%`, background: colour, height: '100%', transition: 'width 300ms' }} />
    </div>
  );
};

export const field: React.CSSProperties = { boxSizing: 'border-box', width: '100%', padding: '8px 10px', border: '1px solid #C0C0CA', borderRadius: 4, fontSize: 14, background: '#fff' };
