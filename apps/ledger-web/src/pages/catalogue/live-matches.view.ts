import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { parseEventStream } from './catalogue-text.js';
import type { CatalogueMessages } from './catalogue.messages.js';
import type { MatchEvent } from './catalogue.types.js';

const RECONNECT_MS = 1_000;

/** The one open feed: a page shown again, or another page, ends the former one. */
let current: AbortController | undefined;

/**
 * New matches for the signed-in organisation, pushed by GET /catalogue/events as they appear.
 * EventSource cannot send the bearer token, so the stream is read through the API client's fetch;
 * it is closed when the address changes, and a broken connection is said, not retried in a loop.
 */
export function liveMatches(context: PageContext, m: CatalogueMessages, side: 'offer' | 'want'): HTMLElement {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  window.addEventListener('hashchange', () => controller.abort(), { once: true });
  const list = el('ul', { class: 'live-matches', attrs: { 'data-testid': 'live-matches' } });
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'live-status' } }, m.liveNone);
  const section = el(
    'section',
    { class: 'catalogue-live', attrs: { 'aria-labelledby': 'live-heading', 'aria-live': 'polite' } },
    el('h2', { attrs: { id: 'live-heading' } }, m.liveHeading),
    el('p', {}, m.liveIntro),
    status,
    list,
  );
  const show = (event: MatchEvent): void => {
    if (event.side !== side) return;
    status.textContent = '';
    list.prepend(
      el('li', { attrs: { 'data-offer': event.offer.offerId, 'data-want': event.want.wantId, 'data-score': String(event.score.total) } }, m.liveMatch(event.offer.title, event.want.title, event.score.total)),
    );
  };
  /** Reads one connection to its end: true when the server closed it (it does after a while), false when the page went. */
  const follow = async (): Promise<boolean> => {
    const body = await context.api.eventStream('/catalogue/events', controller.signal);
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return !controller.signal.aborted;
      // The page no longer shows the panel (signed out, another language): the feed ends with it.
      if (!section.isConnected) {
        controller.abort();
        return false;
      }
      const parsed = parseEventStream(rest + decoder.decode(value, { stream: true }));
      rest = parsed.rest;
      for (const { event, data } of parsed.events) if (event === 'match') show(JSON.parse(data) as MatchEvent);
    }
  };
  void (async () => {
    try {
      // The server ends a stream after its time; the page opens the next one, as EventSource would.
      while (await follow()) await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    } catch {
      if (!controller.signal.aborted) status.textContent = m.liveOffline;
    }
  })();
  return section;
}
