import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatDateTime, formatInteger } from '../../shared/format.js';
import { EPCIS_MESSAGES, type EpcisMessages } from './epcis.messages.js';
import type { CaptureJob, CaptureJobList, CaptureJobSummary } from './epcis.types.js';

/** How often a running job is asked again. */
const POLL_MS = 500;

/**
 * `#/epcis`: upload an EPCIS document to be captured as the organisation's own commands, and see
 * its capture jobs with every event's result (decision 047). The file is read in the browser and
 * sent as JSON (the API's 1 MiB JSON limit; larger documents go through the API as
 * application/ld+json).
 */
export async function epcisPage(context: PageContext, main: HTMLElement, shownJobId?: string): Promise<void> {
  const m = EPCIS_MESSAGES[context.locale];
  const list = await context.api.getJson<CaptureJobList>('/epcis/capture');
  const selected = shownJobId ?? list.items[0]?.jobId;
  const job = selected === undefined ? undefined : await context.api.getJson<CaptureJob>(path`/epcis/capture/${selected}`);
  show(main, el('h1', {}, m.title), el('p', {}, m.intro), uploadForm(context, m, main), jobsSection(context, m, main, list.items), job ? resultsSection(context, m, job) : null);
  if (job && job.status !== 'finished') {
    setTimeout(() => {
      // Only while the page is still shown: a reader who moved on stops the polling.
      if (main.isConnected && location.hash.startsWith('#/epcis')) void epcisPage(context, main, job.jobId);
    }, POLL_MS);
  }
}

function uploadForm(context: PageContext, m: EpcisMessages, main: HTMLElement): HTMLFormElement {
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'epcis-status' } });
  const input = el('input', { attrs: { id: 'epcis-file', name: 'document', type: 'file', accept: '.jsonld,.json,application/ld+json,application/json' } });
  const form = el('form', { class: 'inline-form', attrs: { 'aria-label': m.title } }, el('label', { attrs: { for: 'epcis-file' } }, m.fileLabel), input, el('button', { attrs: { type: 'submit' } }, m.capture), status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) {
      status.textContent = m.chooseFile;
      return;
    }
    void file
      .text()
      .then((text) => {
        let document: unknown;
        try {
          document = JSON.parse(text) as unknown;
        } catch {
          throw new Error(m.notJson);
        }
        return context.api.postJson<CaptureJob>('/epcis/capture', document);
      })
      .then(async (job) => {
        await epcisPage(context, main, job.jobId);
        const after = main.querySelector<HTMLElement>('[data-testid="epcis-status"]');
        if (after) after.textContent = m.accepted(job.events);
      })
      .catch((error: unknown) => {
        status.setAttribute('role', 'alert');
        status.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
      });
  });
  return form;
}

function jobsSection(context: PageContext, m: EpcisMessages, main: HTMLElement, jobs: readonly CaptureJobSummary[]): HTMLElement {
  const number = (n: number) => el('td', { class: 'number' }, formatInteger(n, context.locale));
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'epcis-jobs-heading' } },
    el('h2', { attrs: { id: 'epcis-jobs-heading' } }, m.jobsHeading),
    jobs.length === 0
      ? el('p', {}, m.noJobs)
      : el(
          'table',
          { attrs: { 'aria-labelledby': 'epcis-jobs-heading', 'data-testid': 'epcis-jobs' } },
          el('thead', {}, el('tr', {}, ...[m.created, m.status, m.events, m.captured, m.alreadyCaptured, m.refused, ''].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
          el(
            'tbody',
            {},
            ...jobs.map((job) => {
              const button = el('button', { class: 'link-button', attrs: { type: 'button' } }, m.show);
              button.addEventListener('click', () => void epcisPage(context, main, job.jobId));
              return el(
                'tr',
                { attrs: { 'data-job': job.jobId, 'data-status': job.status } },
                el('th', { attrs: { scope: 'row' } }, formatDateTime(job.createdAt, context.locale)),
                el('td', {}, m.statuses[job.status] ?? job.status),
                number(job.events),
                number(job.summary.captured),
                number(job.summary.alreadyCaptured),
                number(job.summary.refused),
                el('td', {}, button),
              );
            }),
          ),
        ),
  );
}

function resultsSection(context: PageContext, m: EpcisMessages, job: CaptureJob): HTMLElement {
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'epcis-results-heading', 'data-testid': 'epcis-results', 'data-job': job.jobId, 'data-status': job.status } },
    el('h2', { attrs: { id: 'epcis-results-heading' } }, m.resultsHeading(formatDateTime(job.createdAt, context.locale))),
    el(
      'table',
      { attrs: { 'aria-labelledby': 'epcis-results-heading' } },
      el('thead', {}, el('tr', {}, ...[m.index, m.eventId, m.fate, m.command, m.why].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
      el(
        'tbody',
        {},
        ...job.results.map((r) =>
          el(
            'tr',
            { attrs: { 'data-fate': r.fate, ...(r.problem ? { 'data-problem': r.problem.code } : {}) } },
            el('th', { attrs: { scope: 'row' }, class: 'number' }, String(r.index + 1)),
            el('td', {}, el('code', {}, r.eventID ?? '—')),
            el('td', {}, m.fates[r.fate] ?? r.fate),
            el('td', {}, r.command ? (m.commands[r.command] ?? r.command) : '—'),
            el('td', {}, r.problem ? `${r.problem.detail}${r.problem.pointer ? ` (${r.problem.pointer})` : ''}` : ''),
          ),
        ),
      ),
    ),
  );
}
