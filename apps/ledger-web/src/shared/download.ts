import type { PageContext } from './context.js';
import { el } from './dom.js';

/**
 * The report downloads through the API with the key as a bearer token, which a plain link cannot
 * carry; the file is handed to the browser as a blob. The API writes the CSV itself (RFC 4180), so
 * the page never re-encodes figures.
 */
export function downloadButton(context: PageContext, label: string, url: string, accept: string, filename: string): HTMLSpanElement {
  const button = el('button', { class: 'download', attrs: { type: 'button', 'data-download': filename } }, label);
  const status = el('span', { class: 'download-status', attrs: { role: 'status' } });
  button.addEventListener('click', () => {
    status.textContent = '';
    context.api.getBlob(url, accept).then(
      (blob) => {
        const link = el('a', { attrs: { href: URL.createObjectURL(blob), download: filename } });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      },
      (error: unknown) => {
        status.textContent = context.t.failed(error instanceof Error ? error.message : String(error));
      },
    );
  });
  return el('span', { class: 'download-item' }, button, status);
}
