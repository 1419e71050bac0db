// What every page shares: the status line, words for errors, moving to a
// page, and the export links.
import { exportUrl } from './api.js';
import { h } from './text.js';

const status = document.getElementById('status');

export function say(message, { error = false } = {}) {
  status.className = error ? 'status error' : 'status';
  status.textContent = message;
}

// The words for a refusal, with the server's own reason.
export function explain(error) {
  if (error.httpStatus === 401) return `サインインが必要です (${error.message})`;
  if (error.httpStatus === 403) return `この操作の権限がありません (${error.message})`;
  if (error.httpStatus === 404) return `見つかりません (${error.message})`;
  if (error.httpStatus === 400) return `入力を確認してください: ${error.message}`;
  return `エラー: ${error.message}`;
}

export function go(path, params) {
  const search = params ? new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)).toString() : '';
  location.hash = `#${path}${search ? `?${search}` : ''}`;
}

// Links that download the year's report (as of a moment, when given).
export function exportLinks(year, asOfTime) {
  // The file's name comes from the server (Content-Disposition).
  const link = (format, label) => h('a', {
    class: 'button secondary', href: exportUrl(year, format, asOfTime), download: '',
  }, label);
  return h('div', { class: 'exports', role: 'group', 'aria-label': `${year}年度の報告を出力` },
    link('CSV', 'CSV 出力'), link('XLSX', 'Excel 出力'), link('HTML', '報告書 (HTML)'));
}

// A table from a header row and rows of cells (nodes or text).
export function table(headers, rows, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, rows));
}
